/* RubyGems versions, as Gem::Version (rubygems 3.3+) parses and orders them: surrounding blanks
 * stripped, [0-9]+(.[0-9A-Za-z]+)*(-[0-9A-Za-z-]+(.[0-9A-Za-z-]+)*)?, '-' read as ".pre.";
 * segments are the runs of digits or of letters; trailing zeros of the numeric part and of the
 * string part are dropped (canonical_segments); then segment by segment, a missing one is 0, a
 * string sorts before a number (1.0.a < 1.0), numbers numerically, strings by bytes. An empty
 * version is "0", as Gem::Version.new("") is. */
#include <string.h>

#include "vuln/version_internal.h"

#define MAX_SEGS 256

typedef struct {
  const char *p[MAX_SEGS];
  unsigned short len[MAX_SEGS];
  bool num[MAX_SEGS];
  int n;
} segs;

static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static bool is_zero(const segs *s, int i) {
  if (!s->num[i]) return false;
  for (int k = 0; k < s->len[i]; k++)
    if (s->p[i][k] != '0') return false;
  return true;
}

static int parse(const char *s, size_t n, segs *v, bw_error *err) {
  while (n && is_space((unsigned char)*s)) s++, n--;
  while (n && is_space((unsigned char)s[n - 1])) n--;
  v->n = 0;
  if (n) {
    /* the pattern: a number, dot-segments of [0-9A-Za-z], then an optional '-' part */
    size_t i = 0;
    while (i < n && bw_vdigit((unsigned char)s[i])) i++;
    if (!i) return bw_error_set(err, BW_EINVAL, "malformed RubyGems version");
    while (i < n && s[i] == '.') {
      size_t st = ++i;
      while (i < n && bw_valnum((unsigned char)s[i])) i++;
      if (i == st) return bw_error_set(err, BW_EINVAL, "malformed RubyGems version");
    }
    if (i < n && s[i] == '-') {
      for (;;) {
        size_t st = ++i;
        while (i < n && (bw_valnum((unsigned char)s[i]) || s[i] == '-')) i++;
        if (i == st) return bw_error_set(err, BW_EINVAL, "malformed RubyGems version");
        if (i < n && s[i] == '.') continue;
        break;
      }
    }
    if (i != n) return bw_error_set(err, BW_EINVAL, "malformed RubyGems version");
  }
  /* segments: runs of digits or letters; every '-' adds a "pre" segment */
  for (size_t i = 0; i < n;) {
    int c = (unsigned char)s[i];
    const char *p;
    size_t len;
    bool num;
    if (c == '-') {
      p = "pre", len = 3, num = false;
      i++;
    } else if (bw_vdigit(c) || bw_valpha(c)) {
      size_t st = i;
      num = bw_vdigit(c);
      while (i < n && (num ? bw_vdigit((unsigned char)s[i]) : bw_valpha((unsigned char)s[i]))) i++;
      p = s + st, len = i - st;
    } else {
      i++;
      continue;
    }
    if (v->n == MAX_SEGS) return bw_error_set(err, BW_EINVAL, "too many RubyGems version segments");
    v->p[v->n] = p, v->len[v->n] = (unsigned short)len, v->num[v->n] = num;
    v->n++;
  }
  /* canonical_segments: drop trailing zeros of the numeric part and of the string part */
  int first_str = 0;
  while (first_str < v->n && v->num[first_str]) first_str++;
  int end = v->n;
  while (end > first_str && is_zero(v, end - 1)) end--;
  int numend = first_str;
  while (numend > 0 && is_zero(v, numend - 1)) numend--;
  if (numend < first_str) {
    int shift = first_str - numend;
    for (int k = first_str; k < end; k++) {
      v->p[k - shift] = v->p[k], v->len[k - shift] = v->len[k], v->num[k - shift] = v->num[k];
    }
    end -= shift;
  }
  v->n = end;
  return 0;
}

int bw_vcmp_rubygems(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  segs lx, ly;
  segs *px = &lx, *py = &ly;
  int rc = parse(a, alen, px, err);
  if (rc == 0) rc = parse(b, blen, py, err);
  if (rc < 0) return rc;
  int n = px->n > py->n ? px->n : py->n;
  for (int i = 0; i < n; i++) {
    bool ln = i < px->n ? px->num[i] : true, rn = i < py->n ? py->num[i] : true;
    const char *lp = i < px->n ? px->p[i] : "0", *rp = i < py->n ? py->p[i] : "0";
    size_t ll = i < px->n ? px->len[i] : 1, rl = i < py->n ? py->len[i] : 1;
    int c;
    if (ln && rn) c = bw_vnum_cmp(lp, ll, rp, rl);
    else if (ln != rn) c = ln ? 1 : -1;
    else c = bw_vstr_cmp(lp, ll, rp, rl);
    if (c) return *out = c, 0;
  }
  *out = 0;
  return 0;
}
