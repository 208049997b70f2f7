/* dpkg version comparison (dpkg's lib/dpkg/version.c, parsehelp.c parseversion): [epoch:]upstream
 * [-revision]; within each part, alternating non-digit runs (compared char by char, '~' before
 * everything, even the end, letters before other characters) and digit runs (numeric). */
#include <stdint.h>
#include <string.h>

#include "vuln/version_internal.h"

typedef struct {
  uint64_t epoch;
  const char *up, *rev;
  size_t uplen, revlen;
} dpkg_ver;

static int order(int c) {
  if (bw_vdigit(c)) return 0;
  if (bw_valpha(c)) return c;
  if (c == '~') return -1;
  if (c) return c + 256;
  return 0;
}

/* verrevcmp over length-bounded runs (a byte past the end reads as NUL). */
static int verrevcmp(const char *a, size_t al, const char *b, size_t bl) {
  size_t i = 0, j = 0;
#define AT(s, k, n) ((k) < (n) ? (unsigned char)(s)[k] : 0)
  while (i < al || j < bl) {
    int first_diff = 0;
    while ((i < al && !bw_vdigit(AT(a, i, al))) || (j < bl && !bw_vdigit(AT(b, j, bl)))) {
      int ac = order(AT(a, i, al)), bc = order(AT(b, j, bl));
      if (ac != bc) return ac < bc ? -1 : 1;
      i++, j++;
    }
    while (AT(a, i, al) == '0') i++;
    while (AT(b, j, bl) == '0') j++;
    while (bw_vdigit(AT(a, i, al)) && bw_vdigit(AT(b, j, bl))) {
      if (!first_diff) first_diff = AT(a, i, al) - AT(b, j, bl);
      i++, j++;
    }
    if (bw_vdigit(AT(a, i, al))) return 1;
    if (bw_vdigit(AT(b, j, bl))) return -1;
    if (first_diff) return first_diff < 0 ? -1 : 1;
  }
#undef AT
  return 0;
}

static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* parseversion's rules: surrounding blanks ignored, none inside; a numeric epoch up to INT_MAX;
 * upstream non-empty, starting with a digit, of alnum and ".-+~:"; revision of alnum and ".+~". */
static int parse(const char *s, size_t n, dpkg_ver *v, bw_error *err) {
  while (n && is_space((unsigned char)*s)) s++, n--;
  while (n && is_space((unsigned char)s[n - 1])) n--;
  if (!n) return bw_error_set(err, BW_EINVAL, "dpkg version is empty");
  for (size_t i = 0; i < n; i++)
    if (is_space((unsigned char)s[i])) return bw_error_set(err, BW_EINVAL, "dpkg version has embedded spaces");
  v->epoch = 0;
  const char *colon = memchr(s, ':', n);
  if (colon) {
    size_t el = (size_t)(colon - s);
    if (!el) return bw_error_set(err, BW_EINVAL, "dpkg epoch is empty");
    for (size_t i = 0; i < el; i++) {
      if (!bw_vdigit((unsigned char)s[i])) return bw_error_set(err, BW_EINVAL, "dpkg epoch is not a number");
      v->epoch = v->epoch * 10 + (uint64_t)(s[i] - '0');
      if (v->epoch > INT32_MAX) return bw_error_set(err, BW_EINVAL, "dpkg epoch is too big");
    }
    n -= el + 1;
    s = colon + 1;
    if (!n) return bw_error_set(err, BW_EINVAL, "nothing after colon in dpkg version");
  }
  const char *dash = NULL;
  for (size_t i = n; i-- > 0;)
    if (s[i] == '-') {
      dash = s + i;
      break;
    }
  v->up = s;
  v->uplen = dash ? (size_t)(dash - s) : n;
  v->rev = dash ? dash + 1 : s + n;
  v->revlen = dash ? n - v->uplen - 1 : 0;
  if (dash && !v->revlen) return bw_error_set(err, BW_EINVAL, "dpkg revision is empty");
  if (!v->uplen) return bw_error_set(err, BW_EINVAL, "dpkg upstream version is empty");
  if (!bw_vdigit((unsigned char)v->up[0]))
    return bw_error_set(err, BW_EINVAL, "dpkg version does not start with a digit");
  for (size_t i = 0; i < v->uplen; i++) {
    int c = (unsigned char)v->up[i];
    if (!bw_valnum(c) && !strchr(".-+~:", c))
      return bw_error_set(err, BW_EINVAL, "invalid character in dpkg version");
  }
  for (size_t i = 0; i < v->revlen; i++) {
    int c = (unsigned char)v->rev[i];
    if (!bw_valnum(c) && !strchr(".+~", c))
      return bw_error_set(err, BW_EINVAL, "invalid character in dpkg revision");
  }
  return 0;
}

int bw_vcmp_dpkg(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  dpkg_ver x, y;
  int rc = parse(a, alen, &x, err);
  if (rc == 0) rc = parse(b, blen, &y, err);
  if (rc < 0) return rc;
  if (x.epoch != y.epoch) {
    *out = x.epoch < y.epoch ? -1 : 1;
    return 0;
  }
  int c = verrevcmp(x.up, x.uplen, y.up, y.uplen);
  if (!c) c = verrevcmp(x.rev, x.revlen, y.rev, y.revlen);
  *out = c;
  return 0;
}
