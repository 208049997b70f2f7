/* Weak-password cracking within a time budget: libcrypt's crypt_r (thread-safe) against a bundled
 * list of common and default passwords plus variants of the account name.
 *
 * Order: candidates by likelihood, rank-major across accounts (every account gets "123456" before
 * any gets its 20th candidate); within a rank, uid-0 accounts first, then the cheapest hashes. A try
 * starts only when its estimated cost (bl_crack_cost, then the measured time of the account's last
 * try) still fits the budget; the rest is counted as skipped. The password found is never kept:
 * only which list it came from. */
#include <crypt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/pool.h"
#include "base/strutil.h"
#include "baseline/internal.h"

/* Common and default passwords, most likely first (frequency lists of leaked passwords, vendor
 * defaults). Short on purpose: the budget is seconds per image, and bcrypt allows a handful. */
static const char *const common[] = {
    "123456", "password", "12345678", "123456789", "12345", "qwerty", "admin", "root", "toor", "1234",
    "changeme", "letmein", "111111", "123123", "abc123", "password1", "1234567", "welcome", "000000", "test",
    "guest", "default", "passw0rd", "Password1", "P@ssw0rd", "admin123", "root123", "iloveyou", "1234567890",
    "qwerty123", "secret", "654321", "666666", "888888", "123321", "1q2w3e4r", "qwertyuiop", "monkey", "dragon",
    "master", "login", "princess", "sunshine", "football", "baseball", "shadow", "superman", "trustno1",
    "pass", "pass123", "test123", "user", "demo", "oracle", "postgres", "mysql", "ubuntu", "debian", "centos",
    "alpine", "docker", "vagrant", "raspberry", "pi", "administrator", "Admin123", "admin@123", "Admin@123",
    "root@123", "Password123", "password123", "Passw0rd!", "P@ssword", "p@ssw0rd", "welcome1", "Welcome1",
    "changeit", "changeme123", "system", "manager", "tomcat", "s3cret", "zaq12wsx", "1qaz2wsx", "qazwsx",
    "asdfgh", "asdf", "zxcvbnm", "121212", "112233", "987654321", "7777777", "123qwe", "qwe123", "q1w2e3r4",
    "aaaaaa", "abcdef", "abcd1234", "a1b2c3", "hello", "hello123", "love", "computer", "internet", "server",
    "linux", "unix", "toor123", "r00t", "adm", "operator", "support", "service", "cisco", "ubnt", "nimda",
    "sa", "temp", "temp123", "start", "access", "qwerty1", "password!", "Password!", "12qwaszx", "1234qwer",
    "00000000", "11111111", "88888888", "147258369", "159753", "a123456", "123456a", "woaini1314", "5201314",
};
#define NCOMMON (sizeof common / sizeof common[0])
#define NVARIANT 15

size_t bl_crack_ncandidates(void) { return NCOMMON + NVARIANT; }

bool bl_common_password(const char *pw, size_t n) {
  for (size_t i = 0; i < NCOMMON; i++)
    if (strlen(common[i]) == n && !memcmp(common[i], pw, n)) return true;
  return false;
}

/* Variant v of the account name into out; false when it makes nothing new. */
static bool variant(const char *name, size_t v, char *out, size_t outsz) {
  char cap[128];
  snprintf(cap, sizeof cap, "%s", name);
  if (cap[0] >= 'a' && cap[0] <= 'z') cap[0] = (char)(cap[0] - 32);
  size_t n = strlen(name);
  switch (v) {
    case 0: snprintf(out, outsz, "%s", name); break;
    case 1: snprintf(out, outsz, "%s123", name); break;
    case 2: snprintf(out, outsz, "%s@123", name); break;
    case 3: snprintf(out, outsz, "%s1", cap); break;
    case 4: snprintf(out, outsz, "%s1", name); break;
    case 5: snprintf(out, outsz, "%s123", cap); break;
    case 6: snprintf(out, outsz, "%s@123", cap); break;
    case 7: snprintf(out, outsz, "%s!", name); break;
    case 8: /* reversed: root -> toor */
      if (n + 1 > outsz) return false;
      for (size_t i = 0; i < n; i++) out[i] = name[n - 1 - i];
      out[n] = 0;
      break;
    case 9: snprintf(out, outsz, "%s12", name); break;
    case 10: snprintf(out, outsz, "%s1234", name); break;
    case 11: snprintf(out, outsz, "%s%s", name, name); break;
    case 12: snprintf(out, outsz, "%s!", cap); break;
    case 13: snprintf(out, outsz, "%s", cap); break;
    case 14: snprintf(out, outsz, "%s#123", name); break;
    default: return false;
  }
  return true;
}

/* Candidate rank r for an account: the two most common passwords, then the name and the list
 * alternating until the variants run out, then the rest of the list. *from_name says which. */
static bool candidate(const char *name, size_t r, char *out, size_t outsz, bool *from_name) {
  size_t c, v;
  if (r < 2) {
    c = r;
    *from_name = false;
  } else if (r < 2 + 2 * NVARIANT) {
    size_t k = r - 2;
    *from_name = (k % 2) == 0;
    if (*from_name) {
      v = k / 2;
      return variant(name, v, out, outsz);
    }
    c = 2 + k / 2;
  } else {
    c = r - NVARIANT;
    *from_name = false;
  }
  if (c >= NCOMMON) return false;
  snprintf(out, outsz, "%s", common[c]);
  return true;
}

static int itoa64_index(char ch) {
  static const char *const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const char *p = ch ? strchr(itoa64, ch) : NULL;
  return p ? (int)(p - itoa64) : -1;
}

double bl_crack_cost(const char *h) {
  if (!strncmp(h, "$1$", 3)) return 0.0005;
  if (!strncmp(h, "$5$", 3) || !strncmp(h, "$6$", 3)) {
    double rounds = 5000;
    if (!strncmp(h + 3, "rounds=", 7)) {
      const char *end = strchr(h + 10, '$');
      uint64_t r;
      if (!end || !bw_parse_u64(h + 10, (size_t)(end - (h + 10)), &r) || r > 9999999999ull) return -1;
      rounds = (double)r;
      if (rounds < 1000) rounds = 1000;
    }
    return rounds * (h[1] == '5' ? 1.5e-6 : 1e-6);
  }
  if (h[0] == '$' && h[1] == '2' && (h[2] == 'a' || h[2] == 'b' || h[2] == 'y' || h[2] == 'x') && h[3] == '$') {
    if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' || h[6] != '$') return -1;
    int cost = (h[4] - '0') * 10 + (h[5] - '0');
    if (cost < 4 || cost > 31) return -1;
    return 1.5e-4 * (double)(1ull << cost);
  }
  if (!strncmp(h, "$y$", 3) || !strncmp(h, "$gy$", 4)) {
    const char *p = h + (h[1] == 'y' ? 3 : 4);
    int nlog = itoa64_index(p[1]);
    int r = itoa64_index(p[2]);
    if (itoa64_index(p[0]) < 0 || nlog < 0) return -1;
    double N = (double)(1ull << (nlog + 1 > 62 ? 62 : nlog + 1));
    double R = r >= 0 && r < 32 ? r + 1 : 32;
    if (r >= 32) R = 1024; /* multi-character r: large */
    return 1.5e-6 * N * R;
  }
  if (!strncmp(h, "$7$", 3)) {
    int nlog = itoa64_index(h[3]);
    if (nlog < 0 || strlen(h) < 14) return -1;
    double r = 0, p = 0;
    for (int i = 0; i < 5; i++) {
      int a = itoa64_index(h[4 + i]), b = itoa64_index(h[9 + i]);
      if (a < 0 || b < 0) return -1;
      r += (double)a * (double)(1u << (6 * i));
      p += (double)b * (double)(1u << (6 * i));
    }
    return 3.6e-6 * (double)(1ull << (nlog > 62 ? 62 : nlog)) * (r ? r : 1) * (p ? p : 1);
  }
  /* traditional DES: 13 characters of the crypt alphabet */
  if (strlen(h) == 13) {
    for (size_t i = 0; i < 13; i++)
      if (itoa64_index(h[i]) < 0) return -1;
    return 0.0002;
  }
  return -1;
}

typedef struct crack_job {
  bl_crack_account *acc;
  size_t n;
  size_t *order;  /* account indexes in try order */
  double *cost;   /* per account: estimated or last measured seconds per try */
  size_t ncand, next, total;
  double deadline;
  pthread_mutex_t mu;
  bool oom;
} crack_job;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void worker(void *ctx, size_t index) {
  (void)index;
  crack_job *j = ctx;
  struct crypt_data *cd = calloc(1, sizeof *cd);
  if (!cd) {
    pthread_mutex_lock(&j->mu);
    j->oom = true;
    pthread_mutex_unlock(&j->mu);
    return;
  }
  char pw[160];
  for (;;) {
    size_t ai = (size_t)-1, rank = 0;
    pthread_mutex_lock(&j->mu);
    while (j->next < j->total) {
      size_t k = j->next++;
      size_t a = j->order[k % j->n];
      rank = k / j->n;
      if (j->acc[a].cracked || j->acc[a].unsupported) continue;
      double t = now_s();
      if (t >= j->deadline) {
        j->next = j->total;
        break;
      }
      if (t + j->cost[a] > j->deadline) continue; /* does not fit: a cheaper account may */
      ai = a;
      break;
    }
    pthread_mutex_unlock(&j->mu);
    if (ai == (size_t)-1) break;
    bl_crack_account *a = &j->acc[ai];
    bool from_name = false;
    bool have = candidate(a->name, rank, pw, sizeof pw, &from_name);
    double t0 = now_s();
    const char *out = have ? crypt_r(pw, a->hash, cd) : NULL;
    double dt = now_s() - t0;
    bool hit = out && out[0] != '*' && !strcmp(out, a->hash);
    bool bad = have && (!out || out[0] == '*');
    explicit_bzero(pw, sizeof pw);
    pthread_mutex_lock(&j->mu);
    a->tried++;
    if (have) j->cost[ai] = dt > 1e-6 ? dt : 1e-6;
    if (bad) a->unsupported = true;
    if (hit && !a->cracked) a->cracked = from_name ? 2 : 1;
    pthread_mutex_unlock(&j->mu);
  }
  explicit_bzero(cd, sizeof *cd);
  free(cd);
}

static const bl_crack_account *sort_acc;
static const double *sort_cost;
static int order_cmp(const void *x, const void *y) {
  size_t a = *(const size_t *)x, b = *(const size_t *)y;
  if (sort_acc[a].privileged != sort_acc[b].privileged) return sort_acc[a].privileged ? -1 : 1;
  if (sort_cost[a] != sort_cost[b]) return sort_cost[a] < sort_cost[b] ? -1 : 1;
  return a < b ? -1 : a > b;
}
static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER;

int bl_crack(bl_crack_account *acc, size_t n, double budget_s, unsigned threads, bl_crack_stats *st, bw_error *err) {
  memset(st, 0, sizeof *st);
  st->accounts = n;
  if (n == 0) return 0;
  double t_start = now_s();
  crack_job j = {.acc = acc, .n = n, .ncand = bl_crack_ncandidates(), .deadline = t_start + budget_s};
  j.order = calloc(n, sizeof *j.order);
  j.cost = calloc(n, sizeof *j.cost);
  if (!j.order || !j.cost) {
    free(j.order);
    free(j.cost);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    acc[i].cracked = 0;
    acc[i].tried = 0;
    acc[i].complete = false;
    j.order[i] = i;
    j.cost[i] = bl_crack_cost(acc[i].hash);
    /* unknown scheme, or one try alone would not fit the budget */
    acc[i].unsupported = j.cost[i] < 0 || j.cost[i] > budget_s;
  }
  pthread_mutex_lock(&sort_mu);
  sort_acc = acc;
  sort_cost = j.cost;
  qsort(j.order, n, sizeof *j.order, order_cmp);
  pthread_mutex_unlock(&sort_mu);
  j.total = j.ncand * n;
  pthread_mutex_init(&j.mu, NULL);
  if (threads == 0) threads = bw_pool_cpus();
  if (threads > 64) threads = 64;
  bw_pool_run(threads, worker, &j, threads);
  pthread_mutex_destroy(&j.mu);
  for (size_t i = 0; i < n; i++) {
    bl_crack_account *a = &acc[i];
    if (a->unsupported) {
      st->unsupported++;
      continue;
    }
    a->complete = a->cracked || a->tried >= j.ncand;
    st->candidates_tried += a->tried;
    if (a->cracked) st->cracked++;
    if (a->complete) st->complete++;
    else {
      st->candidates_skipped += j.ncand - a->tried;
      if (a->tried) st->partial++;
      else st->untried++;
    }
  }
  free(j.order);
  free(j.cost);
  st->seconds = now_s() - t_start;
  if (j.oom) return bw_error_set(err, BW_ENOMEM, "out of memory");
  return 0;
}
