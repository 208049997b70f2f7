/* Acceptance: 1,000 accounts with bcrypt cost 12 finish the weak-password check within the budget
 * (the baseline scan under 10 s) and the result says what was skipped. The hashes are real (libcrypt,
 * made here); a few distinct ones are shared so that building the fixture stays cheap. */
#include <crypt.h>
#include <stdio.h>
#include <time.h>

#include "../test.h"
#include "memfs.h"

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void) {
  enum { N = 1000, DISTINCT = 4 };
  char *h[DISTINCT];
  static struct crypt_data cd;
  const char *pw[DISTINCT] = {"x-Not-In-Any-List-1", "x-Not-In-Any-List-2", "x-Not-In-Any-List-3", "123456"};
  for (int i = 0; i < DISTINCT; i++) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    CHECK(crypt_gensalt_rn("$2b$", 12, NULL, 0, salt, sizeof salt) != NULL);
    const char *x = crypt_r(pw[i], salt, &cd);
    h[i] = strdup(x ? x : "*");
  }
  CHECK(bl_crack_cost(h[0]) > 0.05 && bl_crack_cost(h[0]) < 5);
  size_t cap = (size_t)N * 200;
  char *passwd = malloc(cap), *shadow = malloc(cap);
  size_t pn = 0, sn = 0;
  pn += (size_t)snprintf(passwd + pn, cap - pn, "root:x:0:0:root:/root:/bin/bash\n");
  sn += (size_t)snprintf(shadow + sn, cap - sn, "root:*:20000:0:99999:7:::\n");
  for (int i = 0; i < N; i++) {
    pn += (size_t)snprintf(passwd + pn, cap - pn, "user%04d:x:%d:%d::/home/u:/bin/bash\n", i, 2000 + i, 2000 + i);
    /* one weak hash, on the last account: within 5 s a handful of bcrypt-12 tries run, so most
     * accounts are skipped, and the warning must say so */
    const char *hh = i == N - 1 ? h[3] : h[i % 3];
    sn += (size_t)snprintf(shadow + sn, cap - sn, "user%04d:%s:20000:0:99999:7:::\n", i, hh);
  }
  const char *files[] = {"etc/passwd", passwd, "etc/shadow", shadow, NULL};
  memfs m = {files, NULL};
  bl_fs fs = {&m, memfs_read, memfs_list};
  tsink t;
  tsink_init(&t);
  double t0 = now_s();
  CHECK(bl_accounts(&t.s, &fs, 5.0, 0) == 0);
  double dt = now_s() - t0;
  printf("1000 bcrypt-12 accounts: %.2f s\n", dt);
  CHECK(dt < 10.0);
  CHECK(t.warnings.len >= 1);
  const char *w = t.warnings.len ? *bw_vec_at(&t.warnings, char *, 0) : "";
  printf("warning: %s\n", w);
  CHECK(strstr(w, "accounts not fully tried") != NULL);
  CHECK(strstr(w, "candidate passwords skipped") != NULL);
  tsink_dispose(&t);

  /* the scheduler alone: privileged and cheap accounts first; a try that cannot fit is not started */
  bl_crack_account acc[3] = {{.name = "a", .hash = h[0]}, {.name = "root", .hash = h[3], .privileged = true},
                             {.name = "c", .hash = "$2b$31$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ012"}};
  bl_crack_stats st;
  bw_error err = {0};
  t0 = now_s();
  CHECK(bl_crack(acc, 3, 1.0, 1, &st, &err) == 0);
  dt = now_s() - t0;
  CHECK(dt < 2.5);
  CHECK(acc[1].cracked == 1);   /* "123456" is the first candidate, root goes first */
  CHECK(acc[2].unsupported);    /* cost 31: one try alone is days */
  CHECK(!acc[2].tried);
  CHECK(st.unsupported == 1 && st.cracked == 1);
  for (int i = 0; i < DISTINCT; i++) free(h[i]);
  free(passwd);
  free(shadow);
  return test_finish();
}
