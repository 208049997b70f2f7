/* apk version comparison, as current apk-tools (src/version.c, 2.14 and 3.x) does it:
 * {number}{.number}...{letter}{_suffix{number}}...{~hash}{-r{number}} read as typed tokens. Numbers
 * compare numerically, except a component after '.' with a leading zero on either side compares
 * as a string ("1.01" < "1.1", Gentoo's rule); suffixes _alpha _beta _pre _rc sort before the plain
 * version, _cvs _svn _git _hg _p after it; when one version runs out, the longer one is newer
 * unless it goes on with a pre-release suffix. Versions apk_version_validate rejects are
 * BW_EINVAL. Numbers are unbounded (compared as digit strings). */
#include <string.h>

#include "vuln/version_internal.h"

enum { T_INITIAL_DIGIT, T_DIGIT, T_LETTER, T_SUFFIX, T_SUFFIX_NO, T_COMMIT_HASH, T_REVISION_NO, T_END, T_INVALID };
enum { S_INVALID, S_ALPHA, S_BETA, S_PRE, S_RC, S_NONE, S_CVS, S_SVN, S_GIT, S_HG, S_P };

typedef struct {
  int token, suffix;
  const char *v; /* the token's text: digits, the letter, the suffix word, the hash */
  size_t vl;
} tok;

typedef struct {
  const char *p;
  size_t n;
} blob;

static bool hexdig(int c) { return bw_vdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static int suffix_value(const char *s, size_t n) {
  static const char *const names[] = {"", "alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p"};
  int val;
  if (!n) return S_INVALID;
  switch (s[0]) {
  case 'a': val = S_ALPHA; break;
  case 'b': val = S_BETA; break;
  case 'c': val = S_CVS; break;
  case 'g': val = S_GIT; break;
  case 'h': val = S_HG; break;
  case 'p': val = n > 1 ? S_PRE : S_P; break;
  case 'r': val = S_RC; break;
  case 's': val = S_SVN; break;
  default: return S_INVALID;
  }
  return strlen(names[val]) == n && !memcmp(names[val], s, n) ? val : S_INVALID;
}

static void parse_digits(tok *t, blob *b) {
  size_t i = 0;
  while (i < b->n && bw_vdigit((unsigned char)b->p[i])) i++;
  t->v = b->p, t->vl = i;
  b->p += i, b->n -= i;
  if (!i) t->token = T_INVALID;
}

static void token_first(tok *t, blob *b) {
  t->token = T_INITIAL_DIGIT, t->suffix = S_INVALID;
  parse_digits(t, b);
}

static void token_next(tok *t, blob *b) {
  if (b->n == 0) {
    t->token = T_END;
    return;
  }
  int c = (unsigned char)b->p[0];
  if (c >= 'a' && c <= 'z') {
    if (t->token > T_DIGIT) goto invalid;
    t->v = b->p, t->vl = 1;
    t->token = T_LETTER;
    b->p++, b->n--;
  } else if (c == '.' || bw_vdigit(c)) {
    if (c == '.') {
      if (t->token > T_DIGIT) goto invalid;
      b->p++, b->n--;
    }
    if (t->token == T_INITIAL_DIGIT || t->token == T_DIGIT) t->token = T_DIGIT;
    else if (t->token == T_SUFFIX) t->token = T_SUFFIX_NO;
    else goto invalid;
    parse_digits(t, b);
  } else if (c == '_') {
    if (t->token > T_SUFFIX_NO) goto invalid;
    b->p++, b->n--;
    size_t i = 0;
    while (i < b->n && b->p[i] >= 'a' && b->p[i] <= 'z') i++;
    t->v = b->p, t->vl = i;
    b->p += i, b->n -= i;
    t->suffix = suffix_value(t->v, t->vl);
    if (t->suffix == S_INVALID) goto invalid;
    t->token = T_SUFFIX;
  } else if (c == '~') {
    if (t->token >= T_COMMIT_HASH) goto invalid;
    b->p++, b->n--;
    size_t i = 0;
    while (i < b->n && hexdig((unsigned char)b->p[i])) i++;
    t->v = b->p, t->vl = i;
    b->p += i, b->n -= i;
    if (!i) goto invalid;
    t->token = T_COMMIT_HASH;
  } else if (c == '-') {
    if (t->token >= T_REVISION_NO) goto invalid;
    if (b->n < 2 || b->p[1] != 'r') goto invalid;
    b->p += 2, b->n -= 2;
    t->token = T_REVISION_NO;
    parse_digits(t, b);
  } else {
    goto invalid;
  }
  return;
invalid:
  t->token = T_INVALID;
}

static int token_cmp(const tok *a, const tok *b) {
  switch (a->token) {
  case T_DIGIT:
    if (a->v[0] == '0' || b->v[0] == '0') break; /* leading zero: string order */
    /* fallthrough */
  case T_INITIAL_DIGIT:
  case T_SUFFIX_NO:
  case T_REVISION_NO:
    return bw_vnum_cmp(a->v, a->vl, b->v, b->vl);
  case T_LETTER:
    return a->v[0] < b->v[0] ? -1 : a->v[0] > b->v[0];
  case T_SUFFIX:
    return a->suffix < b->suffix ? -1 : a->suffix > b->suffix;
  default:
    break;
  }
  return bw_vstr_cmp(a->v, a->vl, b->v, b->vl);
}

static int validate(const char *s, size_t n, bw_error *err) {
  blob b = {s, n};
  tok t;
  for (token_first(&t, &b); t.token < T_END; token_next(&t, &b)) {
  }
  if (t.token != T_END) return bw_error_set(err, BW_EINVAL, "not a valid apk version");
  return 0;
}

int bw_vcmp_apk(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  int rc = validate(a, alen, err);
  if (rc == 0) rc = validate(b, blen, err);
  if (rc < 0) return rc;
  blob x = {a, alen}, y = {b, blen};
  tok ta, tb;
  for (token_first(&ta, &x), token_first(&tb, &y); ta.token == tb.token && ta.token < T_END;
       token_next(&ta, &x), token_next(&tb, &y)) {
    int c = token_cmp(&ta, &tb);
    if (c) return *out = c, 0;
  }
  *out = 0;
  if (ta.token == tb.token) return 0;
  /* equal so far: the one that goes on is newer, unless it goes on with a pre-release suffix */
  if (ta.token == T_SUFFIX && ta.suffix < S_NONE) *out = -1;
  else if (tb.token == T_SUFFIX && tb.suffix < S_NONE) *out = 1;
  else if (ta.token > tb.token) *out = -1;
  else if (tb.token > ta.token) *out = 1;
  return 0;
}
