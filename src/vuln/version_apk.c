/* apk version comparison, as apk-tools 2.x (src/version.c) does it: a Gentoo-style version
 * {number}{.number}...{letter}{_suffix{number}}...{-r{number}} read as a stream of typed tokens.
 * Suffixes _alpha _beta _pre _rc sort before the plain version, _cvs _svn _git _hg _p after it;
 * a component after '.' that starts with zeros gets the negated count of zeros first, so
 * "1.01" < "1.1"; when one version runs out, the longer one is newer unless it continues with a
 * pre-release suffix. Versions apk would reject (apk_version_validate) are BW_EINVAL. Numbers
 * compare as unbounded integers (apk's int would overflow on long date stamps). */
#include <stdint.h>
#include <string.h>

#include "vuln/version_internal.h"

enum { T_INVALID = -1, T_DIGIT_OR_ZERO, T_DIGIT, T_LETTER, T_SUFFIX, T_SUFFIX_NO, T_REVISION_NO, T_END };

typedef struct {
  const char *p;
  size_t n;
} blob;

/* A token's value: a number (its digits, compared as an unbounded integer, where apk keeps an
 * int), or v: the negated count of leading zeros, a letter, or a suffix's rank. */
typedef struct {
  int64_t v;
  const char *num; /* NULL unless a number */
  size_t numlen;
} tokval;

static int tokval_cmp(tokval a, tokval b) {
  if (a.num && b.num) return bw_vnum_cmp(a.num, a.numlen, b.num, b.numlen);
  if (a.num) return b.v < 0 ? 1 : bw_vnum_cmp(a.num, a.numlen, "", 0) > 0 ? 1 : (b.v > 0 ? -1 : 0);
  if (b.num) return -tokval_cmp(b, a);
  return a.v < b.v ? -1 : a.v > b.v;
}

static bool lower(int c) { return c >= 'a' && c <= 'z'; }

static void next_token(int *type, blob *b) {
  int n = T_INVALID;
  if (b->n == 0) {
    n = T_END;
  } else if ((*type == T_DIGIT || *type == T_DIGIT_OR_ZERO) && lower((unsigned char)b->p[0])) {
    n = T_LETTER;
  } else if (*type == T_LETTER && bw_vdigit((unsigned char)b->p[0])) {
    n = T_DIGIT;
  } else if (*type == T_SUFFIX && bw_vdigit((unsigned char)b->p[0])) {
    n = T_SUFFIX_NO;
  } else {
    switch (b->p[0]) {
    case '.': n = T_DIGIT_OR_ZERO; break;
    case '_': n = T_SUFFIX; break;
    case '-':
      if (b->n > 1 && b->p[1] == 'r') {
        n = T_REVISION_NO;
        b->p++, b->n--;
      }
      break;
    default: break;
    }
    b->p++, b->n--;
  }
  if (n < *type) {
    if (!((n == T_DIGIT_OR_ZERO && *type == T_DIGIT) || (n == T_SUFFIX && *type == T_SUFFIX_NO) ||
          (n == T_DIGIT && *type == T_LETTER)))
      n = T_INVALID;
  }
  *type = n;
}

static const char *const pre_suffixes[] = {"alpha", "beta", "pre", "rc"};
static const char *const post_suffixes[] = {"cvs", "svn", "git", "hg", "p"};
#define NPRE ((int)(sizeof pre_suffixes / sizeof pre_suffixes[0]))
#define NPOST ((int)(sizeof post_suffixes / sizeof post_suffixes[0]))

static tokval get_token(int *type, blob *b) {
  tokval t = {0, NULL, 0};
  int64_t v = 0;
  size_t i = 0;
  int nt = T_INVALID;
  if (b->n == 0) {
    *type = T_END;
    return t;
  }
  switch (*type) {
  case T_DIGIT_OR_ZERO:
    if (b->p[0] == '0') { /* leading zeros: the negated count, then the rest as a number */
      while (i < b->n && b->p[i] == '0') i++;
      nt = T_DIGIT;
      v = -(int64_t)i;
      break;
    }
    /* fallthrough */
  case T_DIGIT:
  case T_SUFFIX_NO:
  case T_REVISION_NO:
    while (i < b->n && bw_vdigit((unsigned char)b->p[i])) i++;
    t.num = b->p, t.numlen = i;
    break;
  case T_LETTER:
    v = (unsigned char)b->p[i++];
    break;
  case T_SUFFIX: {
    int k;
    for (k = 0; k < NPRE; k++) {
      i = strlen(pre_suffixes[k]);
      if (i <= b->n && strncmp(pre_suffixes[k], b->p, i) == 0) break;
    }
    if (k < NPRE) {
      v = k - NPRE;
      break;
    }
    for (k = 0; k < NPOST; k++) {
      i = strlen(post_suffixes[k]);
      if (i <= b->n && strncmp(post_suffixes[k], b->p, i) == 0) break;
    }
    if (k < NPOST) {
      v = k;
      break;
    }
    *type = T_INVALID; /* not a known suffix */
    t.v = -1;
    return t;
  }
  default:
    *type = T_INVALID;
    t.v = -1;
    return t;
  }
  b->p += i, b->n -= i;
  if (b->n == 0) *type = T_END;
  else if (nt != T_INVALID) *type = nt;
  else next_token(type, b);
  t.v = v;
  return t;
}

static int validate(const char *s, size_t n, bw_error *err) {
  if (!n) return bw_error_set(err, BW_EINVAL, "apk version is empty");
  if (memchr(s, '\0', n)) return bw_error_set(err, BW_EINVAL, "not a valid apk version");
  blob b = {s, n};
  int t = T_DIGIT;
  while (t != T_END && t != T_INVALID) get_token(&t, &b);
  if (t != T_END) return bw_error_set(err, BW_EINVAL, "not a valid apk version");
  return 0;
}

int bw_vcmp_apk(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  int rc = validate(a, alen, err);
  if (rc == 0) rc = validate(b, blen, err);
  if (rc < 0) return rc;
  blob x = {a, alen}, y = {b, blen};
  int at = T_DIGIT, bt = T_DIGIT, tt, c = 0;
  while (at == bt && at != T_END && at != T_INVALID && c == 0) {
    tokval av = get_token(&at, &x);
    tokval bv = get_token(&bt, &y);
    c = tokval_cmp(av, bv);
  }
  if (c) {
    *out = c;
    return 0;
  }
  *out = 0;
  if (at == bt) return 0;
  /* equal so far: the one that goes on is newer, unless it goes on with a pre-release suffix */
  tt = at;
  if (at == T_SUFFIX && get_token(&tt, &x).v < 0) return *out = -1, 0;
  tt = bt;
  if (bt == T_SUFFIX && get_token(&tt, &y).v < 0) return *out = 1, 0;
  if (at > bt) *out = -1;
  else if (bt > at) *out = 1;
  return 0;
}
