#include "layer/safepath.h"

#include "base/limits.h"
#include "unit/test.h"

static const char *links[][2] = {
    {"etc/os-release", "../usr/lib/os-release"},
    {"lib", "usr/lib"},
    {"loop/a", "b"},
    {"loop/b", "a"},
    {"self", "self"},
    {"escape", "../../../../../etc/passwd"},
    {"abs", "/usr/lib"},
};

static const char *lookup(void *ctx, const char *path) {
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (!strcmp(links[i][0], path)) return links[i][1];
  return NULL;
}

static void norm(const char *in, const char *want) {
  char out[BW_LIMIT_PATH_BYTES + 1];
  bw_error err = {0};
  int rc = bw_path_normalize(out, sizeof out, in, &err);
  if (want) {
    CHECK(rc == 0);
    CHECK_STR(out, want);
  } else {
    CHECK(rc == -BW_ECORRUPT);
    CHECK(strstr(err.msg, "escapes") != NULL);
  }
}

static void resolve(const char *in, const char *want, int want_rc) {
  char out[BW_LIMIT_PATH_BYTES + 1];
  bw_error err = {0};
  int rc = bw_path_resolve(out, sizeof out, in, lookup, NULL, &err);
  CHECK(rc == want_rc);
  if (want) CHECK_STR(out, want);
}

int main(void) {
  norm("./etc/passwd", "etc/passwd");
  norm("/etc//passwd", "etc/passwd");
  norm("a/./b/../c", "a/c");
  norm("./", "");
  norm("../etc/passwd", NULL);
  norm("a/../../etc", NULL);
  norm("/../x", NULL);

  resolve("etc/os-release", "usr/lib/os-release", 0);
  resolve("lib/os-release", "usr/lib/os-release", 0);
  resolve("abs/x", "usr/lib/x", 0);
  /* a link out of the root is clamped to the root, never followed outside */
  resolve("escape", "etc/passwd", 0);
  resolve("loop/a", NULL, -BW_ELIMIT);
  resolve("self", NULL, -BW_ELIMIT);
  resolve("plain/file", "plain/file", 0);

  char deep[6000];
  size_t k = 0;
  for (int i = 0; i < 300 && k < sizeof deep - 4; i++) {
    deep[k++] = 'd';
    deep[k++] = '/';
  }
  deep[k] = 0;
  char out[BW_LIMIT_PATH_BYTES + 1];
  bw_error err = {0};
  CHECK(bw_path_normalize(out, sizeof out, deep, &err) == -BW_ELIMIT);
  return test_finish();
}
