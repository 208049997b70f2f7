/* A tiny assertion harness for unit tests: CHECK records failures and keeps going,
 * TEST_MAIN prints "N passed, N failed" and exits non-zero on any failure. */
#ifndef BW_TEST_H
#define BW_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int test_passed, test_failed, test_skipped;

#define CHECK(cond)                                                                          \
  do {                                                                                       \
    if (cond) {                                                                              \
      test_passed++;                                                                         \
    } else {                                                                                 \
      test_failed++;                                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
    }                                                                                        \
  } while (0)

#define CHECK_STR(a, b)                                                                      \
  do {                                                                                       \
    const char *a_ = (a), *b_ = (b);                                                         \
    if (a_ && b_ && strcmp(a_, b_) == 0) {                                                   \
      test_passed++;                                                                         \
    } else {                                                                                 \
      test_failed++;                                                                         \
      fprintf(stderr, "%s:%d: CHECK_STR failed: %s = \"%s\", want \"%s\"\n", __FILE__,        \
              __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                          \
    }                                                                                        \
  } while (0)

#define SKIP(...)                                                                            \
  do {                                                                                       \
    test_skipped++;                                                                          \
    fprintf(stderr, "SKIP: ");                                                               \
    fprintf(stderr, __VA_ARGS__);                                                            \
    fprintf(stderr, "\n");                                                                   \
  } while (0)

static inline int test_finish(void) {
  printf("%d passed, %d failed, %d skipped\n", test_passed, test_failed, test_skipped);
  if (test_failed) return 1;
  if (test_passed == 0 && test_skipped) return 77; /* everything skipped: CTest SKIP */
  return 0;
}

/* Reads a whole file (caller frees); NULL when it does not exist. */
static inline unsigned char *test_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *p = malloc((size_t)n + 1);
  if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
    free(p);
    p = NULL;
  }
  if (p) p[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return p;
}

static inline int test_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

#endif
