/* rpm version comparison: rpmvercmp (rpm's rpmio/rpmvercmp.c, with '~' sorting before
 * everything and '^' after the end but before anything else) applied to epoch, version and
 * release of "[epoch:]version[-release]" split as rpm's parseEVR does. A missing epoch is 0; a
 * missing release sorts before any release, even an empty one (rpm.labelCompare with a None
 * release). Blanks and non-ASCII bytes are rejected. */
#include <string.h>

#include "vuln/version_internal.h"

typedef struct {
  const char *e, *v, *r; /* e, r NULL when absent */
  size_t el, vl, rl;
} evr;

static bool sep(int c) { return !bw_valnum(c) && c != '~' && c != '^'; }

static int rpmvercmp(const char *a, size_t al, const char *b, size_t bl) {
  if (al == bl && memcmp(a, b, al) == 0) return 0;
  size_t i = 0, j = 0;
  for (;;) {
    if (i >= al && j >= bl) break;
    while (i < al && sep((unsigned char)a[i])) i++;
    while (j < bl && sep((unsigned char)b[j])) j++;
    int ca = i < al ? (unsigned char)a[i] : 0, cb = j < bl ? (unsigned char)b[j] : 0;
    if (ca == '~' || cb == '~') {
      if (ca != '~') return 1;
      if (cb != '~') return -1;
      i++, j++;
      continue;
    }
    if (ca == '^' || cb == '^') {
      if (!ca) return -1;
      if (!cb) return 1;
      if (ca != '^') return 1;
      if (cb != '^') return -1;
      i++, j++;
      continue;
    }
    if (!ca || !cb) break;
    size_t si = i, sj = j;
    bool isnum = bw_vdigit(ca);
    if (isnum) {
      while (i < al && bw_vdigit((unsigned char)a[i])) i++;
      while (j < bl && bw_vdigit((unsigned char)b[j])) j++;
    } else {
      while (i < al && bw_valpha((unsigned char)a[i])) i++;
      while (j < bl && bw_valpha((unsigned char)b[j])) j++;
    }
    if (sj == j) return isnum ? 1 : -1; /* numeric segments are newer than alpha ones */
    int c = isnum ? bw_vnum_cmp(a + si, i - si, b + sj, j - sj) : bw_vstr_cmp(a + si, i - si, b + sj, j - sj);
    if (c) return c;
  }
  if (i >= al && j >= bl) return 0;
  return i >= al ? -1 : 1;
}

static int parse(const char *s, size_t n, evr *v, bw_error *err) {
  if (!n) return bw_error_set(err, BW_EINVAL, "rpm version is empty");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f) return bw_error_set(err, BW_EINVAL, "invalid character in rpm version");
  }
  size_t k = 0;
  while (k < n && bw_vdigit((unsigned char)s[k])) k++;
  const char *dash = NULL;
  for (size_t i = n; i-- > k;)
    if (s[i] == '-') {
      dash = s + i;
      break;
    }
  size_t end = dash ? (size_t)(dash - s) : n;
  if (k < n && s[k] == ':') {
    v->e = s, v->el = k;
    if (!k) v->e = "0", v->el = 1;
    v->v = s + k + 1, v->vl = end - k - 1;
  } else {
    v->e = NULL, v->el = 0;
    v->v = s, v->vl = end;
  }
  v->r = dash ? dash + 1 : NULL;
  v->rl = dash ? n - end - 1 : 0;
  if (!v->vl) return bw_error_set(err, BW_EINVAL, "rpm version part is empty");
  return 0;
}

int bw_vcmp_rpm(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  evr x, y;
  int rc = parse(a, alen, &x, err);
  if (rc == 0) rc = parse(b, blen, &y, err);
  if (rc < 0) return rc;
  const char *xe = x.e ? x.e : "0", *ye = y.e ? y.e : "0";
  size_t xel = x.e ? x.el : 1, yel = y.e ? y.el : 1;
  int c = rpmvercmp(xe, xel, ye, yel);
  if (!c) c = rpmvercmp(x.v, x.vl, y.v, y.vl);
  if (!c) {
    if (x.r && y.r) c = rpmvercmp(x.r, x.rl, y.r, y.rl);
    else if (x.r || y.r) c = x.r ? 1 : -1;
  }
  *out = c;
  return 0;
}
