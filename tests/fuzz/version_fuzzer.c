/* Fuzzes the version comparators: the input is split at its first tab (or in half) into two
 * versions, compared under every scheme; aborts when a comparison is not antisymmetric
 * (cmp(a,b) != -cmp(b,a)), not reflexive (cmp(a,a) != 0 for a valid a), or when validity
 * disagrees between the two argument orders. With a second tab, the third version checks
 * transitivity too (a <= b <= c implies a <= c, and equality is transitive) for every scheme but
 * Maven: ComparableVersion itself is not transitive (1.p!-x < 1.0-rc < 1 < 1.p!-x, checked
 * against maven-artifact 3.8.7), and we compare exactly as it does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "vuln/version.h"

static void check(bw_vscheme s, const char *a, const char *b) {
  int ab = 99, ba = 99, aa = 99;
  bw_error e1 = {0}, e2 = {0}, e3 = {0};
  int r1 = bw_version_compare(s, a, b, &ab, &e1);
  int r2 = bw_version_compare(s, b, a, &ba, &e2);
  if ((r1 == 0) != (r2 == 0)) abort();
  if (r1 == 0 && (ab < -1 || ab > 1 || ab != -ba)) abort();
  int r3 = bw_version_compare(s, a, a, &aa, &e3);
  if (r3 == 0 && aa != 0) abort();
  if ((r3 == 0) != bw_version_valid(s, a)) abort();
  if (r1 == 0 && r3 != 0) abort(); /* a pair compares only when both are valid */
}

static void check3(bw_vscheme s, const char *a, const char *b, const char *c) {
  int ab, bc, ac;
  bw_error e = {0};
  if (bw_version_compare(s, a, b, &ab, &e) || bw_version_compare(s, b, c, &bc, &e) ||
      bw_version_compare(s, a, c, &ac, &e))
    return;
  if (ab <= 0 && bc <= 0 && ac > 0) abort();
  if (ab >= 0 && bc >= 0 && ac < 0) abort();
  if (ab == 0 && bc == 0 && ac != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 2 * BW_LIMIT_VERSION_BYTES + 16) return 0;
  char buf[2 * BW_LIMIT_VERSION_BYTES + 18];
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *tab = memchr(buf, '\t', size);
  char *a = buf, *b;
  if (tab) {
    *tab = '\0';
    b = tab + 1;
  } else {
    /* halves: the second half is moved one byte right to make room for a NUL */
    size_t h = size / 2;
    memmove(buf + h + 1, buf + h, size - h + 1);
    buf[h] = '\0';
    b = buf + h + 1;
  }
  char *tab2 = tab ? strchr(b, '\t') : NULL;
  if (tab2) {
    *tab2 = '\0';
    for (int s = BW_VSCHEME_DPKG; s <= BW_VSCHEME_CARGO; s++)
      if (s != BW_VSCHEME_MAVEN) check3((bw_vscheme)s, a, b, tab2 + 1);
  }
  for (int s = BW_VSCHEME_DPKG; s <= BW_VSCHEME_CARGO; s++) check((bw_vscheme)s, a, b);
  return 0;
}
