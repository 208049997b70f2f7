/* Semantic versions: npm's node-semver (strict parsing: optional leading 'v', surrounding
 * whitespace trimmed, numbers up to Number.MAX_SAFE_INTEGER) and crates.io (the semver crate:
 * no 'v', numbers up to u64). MAJOR.MINOR.PATCH compare numerically; a pre-release sorts before its release; pre-release
 * identifiers compare numerically when both are numeric, numeric before alphanumeric, else by
 * ASCII; a longer list of equal identifiers is newer; build metadata is ignored (as node-semver's
 * compare and OSV's SEMVER ranges do). */
#include <stdint.h>
#include <string.h>

#include "vuln/version_internal.h"

#define MAX_SAFE_INTEGER 9007199254740991ull

typedef struct {
  uint64_t core[3];
  const char *pre; /* NULL when no pre-release */
  size_t prelen;
} semver;

static bool ident_char(int c) { return bw_valnum(c) || c == '-'; }
static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Dot-separated non-empty identifiers of [0-9A-Za-z-]; when numeric_rule, an all-digit
 * identifier must not have a leading zero. */
static bool idents_ok(const char *s, size_t n, bool numeric_rule) {
  if (!n) return false;
  size_t i = 0;
  while (i <= n) {
    size_t st = i;
    bool alldig = true;
    while (i < n && s[i] != '.') {
      if (!ident_char((unsigned char)s[i])) return false;
      if (!bw_vdigit((unsigned char)s[i])) alldig = false;
      i++;
    }
    if (i == st) return false;
    if (numeric_rule && alldig && i - st > 1 && s[st] == '0') return false;
    i++;
  }
  return true;
}

static int parse(const char *s, size_t n, semver *v, bool npm, bw_error *err) {
  if (npm) {
    while (n && is_space((unsigned char)*s)) s++, n--;
    while (n && is_space((unsigned char)s[n - 1])) n--;
    if (n && *s == 'v') s++, n--;
  }
  size_t i = 0;
  for (int k = 0; k < 3; k++) {
    size_t st = i;
    uint64_t x = 0;
    while (i < n && bw_vdigit((unsigned char)s[i])) {
      if (__builtin_mul_overflow(x, 10u, &x) || __builtin_add_overflow(x, (uint64_t)(s[i] - '0'), &x))
        return bw_error_set(err, BW_EINVAL, "semver number too large");
      i++;
    }
    if (i == st) return bw_error_set(err, BW_EINVAL, "not a semantic version (MAJOR.MINOR.PATCH)");
    if (i - st > 1 && s[st] == '0') return bw_error_set(err, BW_EINVAL, "leading zero in semver number");
    /* node-semver stops at Number.MAX_SAFE_INTEGER, the semver crate at u64 */
    if (npm && x > MAX_SAFE_INTEGER) return bw_error_set(err, BW_EINVAL, "semver number too large");
    v->core[k] = x;
    if (k < 2) {
      if (i >= n || s[i] != '.') return bw_error_set(err, BW_EINVAL, "not a semantic version (MAJOR.MINOR.PATCH)");
      i++;
    }
  }
  v->pre = NULL, v->prelen = 0;
  const char *plus = memchr(s + i, '+', n - i);
  size_t end = plus ? (size_t)(plus - s) : n;
  if (i < end) {
    if (s[i] != '-') return bw_error_set(err, BW_EINVAL, "unexpected character in semantic version");
    v->pre = s + i + 1;
    v->prelen = end - i - 1;
    if (!idents_ok(v->pre, v->prelen, true)) return bw_error_set(err, BW_EINVAL, "invalid semver pre-release");
  }
  if (plus && !idents_ok(plus + 1, n - end - 1, false)) return bw_error_set(err, BW_EINVAL, "invalid semver build metadata");
  return 0;
}

static bool all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!bw_vdigit((unsigned char)s[i])) return false;
  return n > 0;
}

int bw_semver_ident_cmp(const char *a, size_t al, const char *b, size_t bl) {
  bool an = all_digits(a, al), bn = all_digits(b, bl);
  if (an && bn) return bw_vnum_cmp(a, al, b, bl);
  if (an != bn) return an ? -1 : 1;
  return bw_vstr_cmp(a, al, b, bl);
}

int bw_semver_pre_cmp(const char *a, size_t al, const char *b, size_t bl,
                      int (*ident)(const char *, size_t, const char *, size_t)) {
  size_t i = 0, j = 0;
  for (;;) {
    bool ae = i > al, be = j > bl; /* past the last identifier */
    if (ae && be) return 0;
    if (ae) return -1;
    if (be) return 1;
    size_t si = i, sj = j;
    while (i < al && a[i] != '.') i++;
    while (j < bl && b[j] != '.') j++;
    int c = ident(a + si, i - si, b + sj, j - sj);
    if (c) return c;
    i++, j++;
  }
}

static int cmp(const char *a, size_t alen, const char *b, size_t blen, int *out, bool npm, bw_error *err) {
  semver x, y;
  int rc = parse(a, alen, &x, npm, err);
  if (rc == 0) rc = parse(b, blen, &y, npm, err);
  if (rc < 0) return rc;
  for (int k = 0; k < 3; k++)
    if (x.core[k] != y.core[k]) return *out = x.core[k] < y.core[k] ? -1 : 1, 0;
  if (!x.pre || !y.pre) return *out = (!x.pre && !y.pre) ? 0 : (x.pre ? -1 : 1), 0;
  *out = bw_semver_pre_cmp(x.pre, x.prelen, y.pre, y.prelen, bw_semver_ident_cmp);
  return 0;
}

int bw_vcmp_semver(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  return cmp(a, alen, b, blen, out, true, err);
}

int bw_vcmp_cargo(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  return cmp(a, alen, b, blen, out, false, err);
}
