/* NuGet versions, as NuGet.Versioning's VersionComparer (VersionComparison.Default) orders them:
 * 1 to 4 numeric parts (missing ones are 0, leading zeros allowed, each an Int32), SemVer 2
 * pre-release labels compared case-insensitively (numeric labels as numbers, before
 * alphanumeric ones), build metadata ignored. */
#include <stdint.h>
#include <string.h>

#include "vuln/version_internal.h"

typedef struct {
  uint32_t part[4];
  const char *pre;
  size_t prelen;
} nuver;

static bool label_ok(const char *s, size_t n) {
  size_t i = 0;
  while (i <= n) {
    size_t st = i;
    while (i < n && s[i] != '.') {
      int c = (unsigned char)s[i];
      if (!bw_valnum(c) && c != '-') return false;
      i++;
    }
    if (i == st) return false;
    i++;
  }
  return true;
}

static int parse(const char *s, size_t n, nuver *v, bw_error *err) {
  memset(v, 0, sizeof *v);
  size_t i = 0;
  int parts = 0;
  for (;;) {
    size_t st = i;
    uint64_t x = 0;
    while (i < n && bw_vdigit((unsigned char)s[i])) {
      x = x * 10 + (uint64_t)(s[i++] - '0');
      if (x > INT32_MAX) return bw_error_set(err, BW_EINVAL, "NuGet version number too large");
    }
    if (i == st) return bw_error_set(err, BW_EINVAL, "not a NuGet version");
    v->part[parts++] = (uint32_t)x;
    if (parts < 4 && i + 1 < n && s[i] == '.') i++;
    else break;
  }
  const char *plus = memchr(s + i, '+', n - i);
  size_t end = plus ? (size_t)(plus - s) : n;
  if (i < end) {
    if (s[i] != '-') return bw_error_set(err, BW_EINVAL, "unexpected character in NuGet version");
    v->pre = s + i + 1, v->prelen = end - i - 1;
    if (!label_ok(v->pre, v->prelen)) return bw_error_set(err, BW_EINVAL, "invalid NuGet release label");
  }
  if (plus && !label_ok(plus + 1, n - end - 1)) return bw_error_set(err, BW_EINVAL, "invalid NuGet metadata");
  return 0;
}

/* A label is numeric when int.TryParse accepts it: digits (an optional leading '-') within Int32. */
static bool int32_label(const char *s, size_t n, int64_t *val) {
  size_t i = 0;
  bool neg = n > 1 && s[0] == '-';
  if (neg) i++;
  if (i == n) return false;
  int64_t x = 0;
  for (; i < n; i++) {
    if (!bw_vdigit((unsigned char)s[i])) return false;
    x = x * 10 + (s[i] - '0');
    if (x > (int64_t)INT32_MAX + 1) return false;
  }
  if (neg) x = -x;
  if (x > INT32_MAX || x < INT32_MIN) return false;
  *val = x;
  return true;
}

static int label_cmp(const char *a, size_t al, const char *b, size_t bl) {
  int64_t x = 0, y = 0;
  bool an = int32_label(a, al, &x), bn = int32_label(b, bl, &y);
  if (an && bn) return x < y ? -1 : x > y;
  if (an != bn) return an ? -1 : 1;
  /* OrdinalIgnoreCase compares upper-cased chars; for [0-9A-Za-z-] that orders as lower-casing */
  return bw_vstr_casecmp(a, al, b, bl);
}

int bw_vcmp_nuget(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  nuver x, y;
  int rc = parse(a, alen, &x, err);
  if (rc == 0) rc = parse(b, blen, &y, err);
  if (rc < 0) return rc;
  for (int k = 0; k < 4; k++)
    if (x.part[k] != y.part[k]) return *out = x.part[k] < y.part[k] ? -1 : 1, 0;
  if (!x.pre || !y.pre) return *out = (!x.pre && !y.pre) ? 0 : (x.pre ? -1 : 1), 0;
  *out = bw_semver_pre_cmp(x.pre, x.prelen, y.pre, y.prelen, label_cmp);
  return 0;
}
