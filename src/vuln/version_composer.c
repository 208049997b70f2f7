/* Packagist versions, as Composer compares them: each version is normalised the way
 * composer/semver's VersionParser::normalize does (v prefix, up to four numbers padded to four,
 * date versions, stability modifiers expanded: a -> alpha, b -> beta, rc -> RC, p/pl -> patch,
 * "-dev" suffixes, numeric "1.0.x-dev" branches, build metadata, "@stability" flags and
 * "X as Y" aliases dropped), then ordered by PHP's version_compare: dev < alpha = a < beta = b <
 * RC = rc < (number) < patch = pl = p. Named branches (dev-master) have no order: BW_EINVAL. */
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "vuln/version_internal.h"

#define NORM_MAX (2 * BW_LIMIT_VERSION_BYTES + 64)

typedef struct {
  char s[NORM_MAX];
  size_t n;
} nbuf;

/* PHP's trim() set (NUL cannot occur in a C string) and PCRE's \s for the alias pattern */
static bool is_trim(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'; }
static bool is_space(int c) { return is_trim(c) || c == '\f'; }

static void put(nbuf *b, const char *p, size_t n) {
  if (b->n >= NORM_MAX - 1) return; /* cannot happen for capped input */
  size_t room = NORM_MAX - 1 - b->n;
  if (n > room) n = room;
  memcpy(b->s + b->n, p, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void put_char(nbuf *b, char c) {
  if (b->n >= NORM_MAX - 1) return;
  b->s[b->n++] = c;
  b->s[b->n] = '\0';
}

static bool ci_at(const char *s, size_t n, size_t i, const char *w) {
  size_t l = strlen(w);
  if (n - i < l) return false;
  for (size_t k = 0; k < l; k++)
    if (bw_vlower((unsigned char)s[i + k]) != bw_vlower((unsigned char)w[k])) return false;
  return true;
}

static size_t digits(const char *s, size_t n, size_t i) {
  size_t st = i;
  while (i < n && bw_vdigit((unsigned char)s[i])) i++;
  return i - st;
}

/* The modifier regex [._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$
 * from position i, trying the alternatives in the regex's order. On success: the keyword (or
 * NULL), the number run, and whether "dev" followed. */
typedef struct {
  const char *kw; /* as written */
  size_t kwlen;
  const char *num;
  size_t numlen;
  bool dev;
} modifier;

static const char *const kws[] = {"stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p"};

static bool match_dev_end(const char *s, size_t n, size_t i, bool *dev) {
  if (i == n) return *dev = false, true;
  size_t j = i;
  if (s[j] == '.' || s[j] == '-') j++;
  if (ci_at(s, n, j, "dev") && j + 3 == n) return *dev = true, true;
  return false;
}

static bool match_modifier(const char *s, size_t n, size_t i, modifier *m) {
  for (int sep = 1; sep >= 0; sep--) {
    size_t p = i;
    if (sep) {
      if (p < n && (s[p] == '.' || s[p] == '_' || s[p] == '-')) p++;
      else continue;
    }
    for (size_t k = 0; k < sizeof kws / sizeof kws[0]; k++) {
      if (!ci_at(s, n, p, kws[k])) continue;
      size_t q = p + strlen(kws[k]), nst = q;
      for (;;) { /* possessive (?:[.-]?\d+)*+ */
        size_t r = q;
        if (r < n && (s[r] == '.' || s[r] == '-')) r++;
        size_t d = digits(s, n, r);
        if (!d) break;
        q = r + d;
      }
      if (match_dev_end(s, n, q, &m->dev)) {
        m->kw = s + p, m->kwlen = strlen(kws[k]), m->num = s + nst, m->numlen = q - nst;
        return true;
      }
    }
    if (match_dev_end(s, n, p, &m->dev)) {
      m->kw = NULL, m->kwlen = 0, m->num = NULL, m->numlen = 0;
      return true;
    }
  }
  return false;
}

static void put_modifier(nbuf *b, const modifier *m) {
  if (m->kw) {
    char kw[8];
    for (size_t k = 0; k < m->kwlen; k++) kw[k] = (char)bw_vlower((unsigned char)m->kw[k]);
    kw[m->kwlen] = '\0';
    if (!strcmp(kw, "stable") && !memcmp(m->kw, "stable", 6)) return; /* 'stable' === match: no suffix */
    const char *e = kw;
    if (!strcmp(kw, "a")) e = "alpha";
    else if (!strcmp(kw, "b")) e = "beta";
    else if (!strcmp(kw, "p") || !strcmp(kw, "pl")) e = "patch";
    else if (!strcmp(kw, "rc")) e = "RC";
    put(b, "-", 1);
    put(b, e, strlen(e));
    const char *num = m->num;
    size_t nl = m->numlen;
    while (nl && (*num == '.' || *num == '-')) num++, nl--; /* ltrim '.-' */
    put(b, num, nl);
  }
  if (m->dev) put(b, "-dev", 4);
}

/* ^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?) followed by a modifier: backtracking over
 * the group counts and widths. Returns the end of the date part, or 0. */
static size_t match_date(const char *s, size_t n, size_t i, int twos, int threes, modifier *m) {
  /* greedy, as PCRE: first try one more group, then accept here */
  if (twos < 6 && threes == 0) {
    for (int sep = 1; sep >= 0; sep--) {
      size_t p = i;
      if (sep) {
        if (p < n && (s[p] == '.' || s[p] == ':' || s[p] == '-')) p++;
        else continue;
      }
      if (digits(s, n, p) >= 2) {
        size_t r = match_date(s, n, p + 2, twos + 1, 0, m);
        if (r) return r;
      }
    }
  }
  if (twos >= 1 && threes < 1) {
    for (int sep = 1; sep >= 0; sep--) {
      size_t p = i;
      if (sep) {
        if (p < n && (s[p] == '.' || s[p] == ':' || s[p] == '-')) p++;
        else continue;
      }
      size_t d = digits(s, n, p);
      for (size_t w = d > 3 ? 3 : d; w >= 1; w--) {
        size_t r = match_date(s, n, p + w, twos, threes + 1, m);
        if (r) return r;
      }
    }
  }
  if (twos >= 1 && match_modifier(s, n, i, m)) return i;
  return 0;
}

static int normalize(const char *s, size_t n, nbuf *b, bw_error *err) {
  b->n = 0, b->s[0] = '\0';
  while (n && is_trim((unsigned char)*s)) s++, n--;
  while (n && is_trim((unsigned char)s[n - 1])) n--;
  /* "X as Y" alias: X */
  for (size_t i = 0; i < n; i++)
    if (s[i] == ',') goto no_alias;
  {
    size_t i = 0;
    while (i < n && !is_space((unsigned char)s[i])) i++;
    size_t j = i;
    while (j < n && s[j] == ' ') j++;
    if (i > 0 && j > i && j + 2 < n && s[j] == 'a' && s[j + 1] == 's' && s[j + 2] == ' ') {
      size_t k = j + 2;
      while (k < n && s[k] == ' ') k++;
      bool ok = k < n;
      for (size_t q = k; q < n; q++)
        if (is_space((unsigned char)s[q])) ok = false;
      if (ok) n = i;
    }
  }
no_alias:;
  /* "@stability" flag */
  static const char *const flags[] = {"@stable", "@rc", "@beta", "@alpha", "@dev"};
  for (size_t k = 0; k < 5; k++) {
    size_t l = strlen(flags[k]);
    if (n >= l && ci_at(s, n, n - l, flags[k])) {
      n -= l;
      break;
    }
  }
  if ((n == 6 && !memcmp(s, "master", 6)) || (n == 5 && !memcmp(s, "trunk", 5)) || (n == 7 && !memcmp(s, "default", 7)) ||
      ci_at(s, n, 0, "dev-"))
    return bw_error_set(err, BW_EINVAL, "Composer branch versions (dev-*) have no order");
  /* build metadata: ^([^,\s+]++)\+[^\s]++$ */
  const char *plus = memchr(s, '+', n);
  if (plus && plus > s) {
    bool ok = true;
    for (const char *q = s; q < plus; q++)
      if (*q == ',' || is_space((unsigned char)*q)) ok = false;
    for (const char *q = plus + 1; q < s + n; q++)
      if (is_space((unsigned char)*q)) ok = false;
    if (ok && plus + 1 < s + n) n = (size_t)(plus - s);
  }
  size_t i = 0;
  if (i < n && (s[i] == 'v' || s[i] == 'V')) i++;
  modifier m;
  /* classical: (\d{1,5}+)(\.\d++)?(\.\d++)?(\.\d++)? */
  size_t d = digits(s, n, i);
  if (d >= 1 && d <= 5) {
    size_t p = i + d;
    const char *part[4] = {s + i, NULL, NULL, NULL};
    size_t plen[4] = {d, 0, 0, 0};
    for (int k = 1; k < 4; k++) {
      if (p < n && s[p] == '.' && digits(s, n, p + 1)) {
        size_t dd = digits(s, n, p + 1);
        part[k] = s + p + 1, plen[k] = dd;
        p += 1 + dd;
      } else {
        break;
      }
    }
    if (match_modifier(s, n, p, &m)) {
      for (int k = 0; k < 4; k++) {
        if (k) put(b, ".", 1);
        if (part[k]) put(b, part[k], plen[k]);
        else put(b, "0", 1);
      }
      put_modifier(b, &m);
      return 0;
    }
  }
  /* date versions */
  if (d >= 4) {
    size_t end = match_date(s, n, i + 4, 0, 0, &m);
    if (end) {
      for (size_t q = i; q < end; q++) {
        put_char(b, bw_vdigit((unsigned char)s[q]) ? s[q] : '.');
      }
      put_modifier(b, &m);
      return 0;
    }
  }
  /* numeric dev branches: 1.0.x-dev, 2.x-dev, v1.2.*-dev */
  if (n >= 3 && ci_at(s, n, n - 3, "dev")) {
    size_t e = n - 3;
    if (e > 0 && (s[e - 1] == '.' || s[e - 1] == '-')) e--;
    size_t p = 0;
    if (p < e && (s[p] == 'v' || s[p] == 'V')) p++;
    size_t dd = digits(s, e, p);
    if (dd) {
      put(b, s + p, dd);
      p += dd;
      int parts = 1;
      bool ok = true;
      while (p < e && parts < 4) {
        if (s[p] != '.') { ok = false; break; }
        p++;
        size_t x = digits(s, e, p);
        if (x) put(b, ".", 1), put(b, s + p, x), p += x;
        else if (p < e && (s[p] == 'x' || s[p] == 'X' || s[p] == '*')) put(b, ".9999999", 8), p++;
        else { ok = false; break; }
        parts++;
      }
      if (ok && p == e) {
        for (; parts < 4; parts++) put(b, ".9999999", 8);
        put(b, "-dev", 4);
        return 0;
      }
    }
  }
  return bw_error_set(err, BW_EINVAL, "invalid Composer version");
}

/* PHP's php_canonicalize_version: [-_+] and other non-alnum become '.', and a '.' goes between
 * a digit and a non-digit. */
static void canonicalize(const char *v, size_t n, nbuf *o) {
  o->n = 0;
  if (!n) {
    o->s[0] = '\0';
    return;
  }
#define ISDIG(x) (bw_vdigit(x))
#define ISNDIG(x) (!bw_vdigit(x) && (x) != '.')
  char lp = v[0];
  o->s[o->n++] = lp;
  for (size_t i = 1; i < n && o->n < NORM_MAX - 3; i++) {
    char c = v[i];
    if (c == '-' || c == '_' || c == '+') {
      if (o->s[o->n - 1] != '.') o->s[o->n++] = '.';
    } else if ((ISNDIG((unsigned char)lp) && ISDIG((unsigned char)c)) || (ISDIG((unsigned char)lp) && ISNDIG((unsigned char)c))) {
      if (o->s[o->n - 1] != '.') o->s[o->n++] = '.';
      o->s[o->n++] = c;
    } else if (!bw_valnum((unsigned char)c)) {
      if (o->s[o->n - 1] != '.') o->s[o->n++] = '.';
    } else {
      o->s[o->n++] = c;
    }
    lp = c;
  }
  o->s[o->n] = '\0';
#undef ISDIG
#undef ISNDIG
}

/* compare_special_version_forms: the first form that is a prefix of the part gives its rank. */
static int special_order(const char *p) {
  static const struct {
    const char *name;
    int order;
  } forms[] = {{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2}, {"RC", 3}, {"rc", 3}, {"#", 4}, {"pl", 5}, {"p", 5}};
  for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++)
    if (!strncmp(p, forms[k].name, strlen(forms[k].name))) return forms[k].order;
  return -1;
}

/* PHP's php_version_compare, step for step, on NUL-terminated copies it may cut. */
static int php_version_compare(const char *v1, const char *v2, int depth) {
  if (!*v1 || !*v2) return (!*v1 && !*v2) ? 0 : (*v1 ? 1 : -1);
  static _Thread_local nbuf bufs[2][4];
  if (depth >= 4) return 0; /* the recursion goes at most two deep */
  nbuf *b1 = &bufs[0][depth], *b2 = &bufs[1][depth];
  if (v1[0] == '#') put((b1->n = 0, b1), v1, strlen(v1));
  else canonicalize(v1, strlen(v1), b1);
  if (v2[0] == '#') put((b2->n = 0, b2), v2, strlen(v2));
  else canonicalize(v2, strlen(v2), b2);
  char *p1 = b1->s, *p2 = b2->s, *n1 = p1, *n2 = p2;
  int compare = 0;
  while (*p1 && *p2 && n1 && n2) {
    if ((n1 = strchr(p1, '.')) != NULL) *n1 = '\0';
    if ((n2 = strchr(p2, '.')) != NULL) *n2 = '\0';
    bool d1 = bw_vdigit((unsigned char)*p1), d2 = bw_vdigit((unsigned char)*p2);
    if (d1 && d2) compare = bw_vnum_cmp(p1, digits(p1, strlen(p1), 0), p2, digits(p2, strlen(p2), 0));
    else if (!d1 && !d2) compare = bw_vsign(special_order(p1) - special_order(p2));
    else if (d1) compare = bw_vsign(special_order("#N#") - special_order(p2));
    else compare = bw_vsign(special_order(p1) - special_order("#N#"));
    if (compare) break;
    if (n1) p1 = n1 + 1;
    if (n2) p2 = n2 + 1;
  }
  if (compare == 0) {
    if (n1) compare = bw_vdigit((unsigned char)*p1) ? 1 : php_version_compare(p1, "#N#", depth + 1);
    else if (n2) compare = bw_vdigit((unsigned char)*p2) ? -1 : php_version_compare("#N#", p2, depth + 1);
  }
  return compare;
}

int bw_vcmp_composer(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  static _Thread_local nbuf na, nb;
  int rc = normalize(a, alen, &na, err);
  if (rc == 0) rc = normalize(b, blen, &nb, err);
  if (rc < 0) return rc;
  *out = php_version_compare(na.s, nb.s, 0);
  return 0;
}
