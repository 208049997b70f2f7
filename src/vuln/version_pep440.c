/* PEP 440 versions as Python's packaging.version.Version parses and orders them:
 * [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], with the spellings the normalisation accepts
 * (alpha, beta, c, pre, preview; rev, r, -N; optional separators and numbers; any case; blanks
 * around). Order: epoch, release (trailing zeros ignored), pre-release (a dev release of a final
 * version comes before its pre-releases, a final version after them), post, dev (before the
 * version without), local (absent first; numeric segments after alphanumeric ones). */
#include <string.h>

#include "vuln/version_internal.h"

#define MAX_RELEASE 64

typedef struct {
  const char *epoch;
  size_t epochlen;
  const char *rel[MAX_RELEASE];
  size_t rellen[MAX_RELEASE];
  int nrel;
  int pre_l; /* -1 none, 0 a, 1 b, 2 rc */
  const char *pre_n, *post_n, *dev_n; /* digit runs (may be empty: 0) */
  size_t pre_nl, post_nl, dev_nl;
  bool post, dev;
  const char *local;
  size_t locallen;
} pep;

static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static bool is_sep(int c) { return c == '-' || c == '_' || c == '.'; }

static bool kw(const char *s, size_t n, size_t i, const char *k) {
  size_t kl = strlen(k);
  if (n - i < kl) return false;
  for (size_t j = 0; j < kl; j++)
    if (bw_vlower((unsigned char)s[i + j]) != k[j]) return false;
  return true;
}

/* [-_.]? KEYWORD [-_.]? [0-9]* at *i; keywords longest first. Returns the keyword index or -1. */
static int group(const char *s, size_t n, size_t *i, const char *const *kws, int nk, const char **num, size_t *numl) {
  size_t p = *i;
  if (p < n && is_sep((unsigned char)s[p])) p++;
  for (int k = 0; k < nk; k++) {
    if (!kw(s, n, p, kws[k])) continue;
    p += strlen(kws[k]);
    if (p < n && is_sep((unsigned char)s[p])) p++;
    size_t st = p;
    while (p < n && bw_vdigit((unsigned char)s[p])) p++;
    *num = s + st, *numl = p - st;
    *i = p;
    return k;
  }
  return -1;
}

static const char *const pre_kws[] = {"preview", "alpha", "beta", "pre", "rc", "a", "b", "c"};
static const int pre_rank[] = {2, 0, 1, 2, 2, 0, 1, 2};
static const char *const post_kws[] = {"post", "rev", "r"};
static const char *const dev_kws[] = {"dev"};

static int parse(const char *s, size_t n, pep *v, bw_error *err) {
  while (n && is_space((unsigned char)*s)) s++, n--;
  while (n && is_space((unsigned char)s[n - 1])) n--;
  memset(v, 0, sizeof *v);
  v->pre_l = -1;
  v->epoch = "0", v->epochlen = 1;
  size_t i = 0;
  if (i < n && (s[i] == 'v' || s[i] == 'V')) i++;
  size_t j = i;
  while (j < n && bw_vdigit((unsigned char)s[j])) j++;
  if (j > i && j < n && s[j] == '!') v->epoch = s + i, v->epochlen = j - i, i = j + 1;
  for (;;) {
    size_t st = i;
    while (i < n && bw_vdigit((unsigned char)s[i])) i++;
    if (i == st) return bw_error_set(err, BW_EINVAL, "not a PEP 440 version (no release number)");
    if (v->nrel == MAX_RELEASE) return bw_error_set(err, BW_EINVAL, "too many PEP 440 release segments");
    v->rel[v->nrel] = s + st, v->rellen[v->nrel++] = i - st;
    if (i + 1 < n && s[i] == '.' && bw_vdigit((unsigned char)s[i + 1])) i++;
    else break;
  }
  int k = group(s, n, &i, pre_kws, 8, &v->pre_n, &v->pre_nl);
  if (k >= 0) v->pre_l = pre_rank[k];
  if (i + 1 < n && s[i] == '-' && bw_vdigit((unsigned char)s[i + 1])) {
    size_t st = ++i;
    while (i < n && bw_vdigit((unsigned char)s[i])) i++;
    v->post = true, v->post_n = s + st, v->post_nl = i - st;
  } else if (group(s, n, &i, post_kws, 3, &v->post_n, &v->post_nl) >= 0) {
    v->post = true;
  }
  if (group(s, n, &i, dev_kws, 1, &v->dev_n, &v->dev_nl) >= 0) v->dev = true;
  if (i < n && s[i] == '+') {
    i++;
    v->local = s + i;
    size_t st = i;
    for (;;) {
      size_t ps = i;
      while (i < n && bw_valnum((unsigned char)s[i])) i++;
      if (i == ps) return bw_error_set(err, BW_EINVAL, "invalid PEP 440 local version");
      if (i + 1 < n && is_sep((unsigned char)s[i]) && bw_valnum((unsigned char)s[i + 1])) i++;
      else break;
    }
    v->locallen = i - st;
  }
  if (i != n) return bw_error_set(err, BW_EINVAL, "invalid PEP 440 version");
  return 0;
}

static bool all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!bw_vdigit((unsigned char)s[i])) return false;
  return true;
}

static int local_cmp(const char *a, size_t al, const char *b, size_t bl) {
  size_t i = 0, j = 0;
  for (;;) {
    bool ae = i > al, be = j > bl;
    if (ae || be) return ae && be ? 0 : (ae ? -1 : 1);
    size_t si = i, sj = j;
    while (i < al && bw_valnum((unsigned char)a[i])) i++;
    while (j < bl && bw_valnum((unsigned char)b[j])) j++;
    bool an = all_digits(a + si, i - si), bn = all_digits(b + sj, j - sj);
    int c;
    if (an && bn) c = bw_vnum_cmp(a + si, i - si, b + sj, j - sj);
    else if (an != bn) c = an ? 1 : -1;
    else c = bw_vstr_casecmp(a + si, i - si, b + sj, j - sj);
    if (c) return c;
    i++, j++;
  }
}

static int pep_cmp(const pep *x, const pep *y) {
  int c = bw_vnum_cmp(x->epoch, x->epochlen, y->epoch, y->epochlen);
  if (c) return c;
  int nr = x->nrel > y->nrel ? x->nrel : y->nrel;
  for (int k = 0; k < nr; k++) {
    c = bw_vnum_cmp(k < x->nrel ? x->rel[k] : "", k < x->nrel ? x->rellen[k] : 0, k < y->nrel ? y->rel[k] : "",
                    k < y->nrel ? y->rellen[k] : 0);
    if (c) return c;
  }
  /* pre: a dev-only release sorts first (rank 0), a pre-release next (1), a final version last (2) */
  int xr = x->pre_l >= 0 ? 1 : (!x->post && x->dev ? 0 : 2), yr = y->pre_l >= 0 ? 1 : (!y->post && y->dev ? 0 : 2);
  if (xr != yr) return xr < yr ? -1 : 1;
  if (xr == 1) {
    if (x->pre_l != y->pre_l) return x->pre_l < y->pre_l ? -1 : 1;
    c = bw_vnum_cmp(x->pre_n, x->pre_nl, y->pre_n, y->pre_nl);
    if (c) return c;
  }
  if (x->post != y->post) return x->post ? 1 : -1;
  if (x->post && (c = bw_vnum_cmp(x->post_n, x->post_nl, y->post_n, y->post_nl))) return c;
  if (x->dev != y->dev) return x->dev ? -1 : 1;
  if (x->dev && (c = bw_vnum_cmp(x->dev_n, x->dev_nl, y->dev_n, y->dev_nl))) return c;
  if (!x->local || !y->local) return (!x->local && !y->local) ? 0 : (x->local ? 1 : -1);
  return local_cmp(x->local, x->locallen, y->local, y->locallen);
}

int bw_vcmp_pep440(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  pep x, y;
  int rc = parse(a, alen, &x, err);
  if (rc == 0) rc = parse(b, blen, &y, err);
  if (rc < 0) return rc;
  *out = pep_cmp(&x, &y);
  return 0;
}
