/* Go module versions, as golang.org/x/mod/semver compares them: vMAJOR[.MINOR[.PATCH]] (the
 * shorthands v1 and v1.2 mean v1.0.0 and v1.2.0 and take no suffix), SemVer pre-release and build;
 * numbers have no length limit. "+incompatible" is build metadata and so ignored; pseudo-versions
 * (v0.0.0-20191109021931-daa7c04131f5, vX.Y.(Z+1)-0.yyyymmddhhmmss-hash) order as the pre-releases
 * they are. OSV writes Go versions without the 'v', so a missing 'v' is accepted. */
#include <string.h>

#include "vuln/version_internal.h"

typedef struct {
  const char *num[3];
  size_t numlen[3];
  const char *pre; /* NULL when none */
  size_t prelen;
} gover;

static bool idents_ok(const char *s, size_t n, bool numeric_rule) {
  size_t i = 0;
  while (i <= n) {
    size_t st = i;
    bool alldig = true;
    while (i < n && s[i] != '.') {
      int c = (unsigned char)s[i];
      if (!bw_valnum(c) && c != '-') return false;
      if (!bw_vdigit(c)) alldig = false;
      i++;
    }
    if (i == st) return false;
    if (numeric_rule && alldig && i - st > 1 && s[st] == '0') return false;
    i++;
  }
  return true;
}

static int parse(const char *s, size_t n, gover *v, bw_error *err) {
  size_t i = 0;
  if (n && s[0] == 'v') i++;
  int parts = 0;
  for (int k = 0; k < 3; k++) {
    v->num[k] = "0", v->numlen[k] = 1;
  }
  while (parts < 3) {
    size_t st = i;
    while (i < n && bw_vdigit((unsigned char)s[i])) i++;
    if (i == st) return bw_error_set(err, BW_EINVAL, "not a Go module version");
    if (i - st > 1 && s[st] == '0') return bw_error_set(err, BW_EINVAL, "leading zero in Go module version");
    v->num[parts] = s + st, v->numlen[parts] = i - st;
    parts++;
    if (parts < 3 && i < n && s[i] == '.') i++;
    else break;
  }
  v->pre = NULL, v->prelen = 0;
  if (i == n) return 0;
  if (parts < 3) return bw_error_set(err, BW_EINVAL, "Go version shorthand cannot have a suffix");
  const char *plus = memchr(s + i, '+', n - i);
  size_t end = plus ? (size_t)(plus - s) : n;
  if (i < end) {
    if (s[i] != '-') return bw_error_set(err, BW_EINVAL, "unexpected character in Go module version");
    v->pre = s + i + 1, v->prelen = end - i - 1;
    if (!idents_ok(v->pre, v->prelen, true)) return bw_error_set(err, BW_EINVAL, "invalid Go pre-release");
  }
  if (plus && !idents_ok(plus + 1, n - end - 1, false)) return bw_error_set(err, BW_EINVAL, "invalid Go build suffix");
  return 0;
}

int bw_vcmp_go(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  gover x, y;
  int rc = parse(a, alen, &x, err);
  if (rc == 0) rc = parse(b, blen, &y, err);
  if (rc < 0) return rc;
  for (int k = 0; k < 3; k++) {
    int c = bw_vnum_cmp(x.num[k], x.numlen[k], y.num[k], y.numlen[k]);
    if (c) return *out = c, 0;
  }
  if (!x.pre || !y.pre) return *out = (!x.pre && !y.pre) ? 0 : (x.pre ? -1 : 1), 0;
  *out = bw_semver_pre_cmp(x.pre, x.prelen, y.pre, y.prelen, bw_semver_ident_cmp);
  return 0;
}
