/* Installed Node.js packages: node_modules/<name>/package.json and
 * node_modules/@scope/<name>/package.json, at any depth and under any directory (/app, /usr/lib,
 * a pnpm store's .pnpm/<id>/node_modules/<name>).
 *
 * An image holds thousands of these, most of them small but some carrying a whole README, so the
 * document is not built as a tree: a strict scanner (RFC 8259 grammar, depth cap) walks it once,
 * decodes only name, version, license and licenses, and skips every other value without copying.
 * A repeated name/version/license(s) key is rejected (Node's JSON.parse would keep the last one, a
 * tree parser the first: either way a parser differential); repeats of other keys are not looked
 * at. package.json files elsewhere in a package (test fixtures, examples) are not wanted. */
#include <string.h>

#include "analyze/npm.h"
#include "analyze/npm_internal.h"
#include "base/strutil.h"
#include "base/limits.h"

typedef struct pj {
  const char *s;
  size_t n, i;
} pj;

typedef struct pj_str { /* a string's raw contents [b, e), with escapes when esc */
  size_t b, e;
  bool esc;
  bool set;
} pj_str;

#define PJ_LICENSES_MAX 16

static void pj_ws(pj *c) {
  while (c->i < c->n) {
    char ch = c->s[c->i];
    if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') break;
    c->i++;
  }
}

static int pj_hex(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* At '"': validates the string (escapes, no raw control characters) and steps past it. */
static int pj_string(pj *c, pj_str *out, bw_error *err) {
  size_t i = c->i + 1;
  bool esc = false;
  while (i < c->n) {
    unsigned char ch = (unsigned char)c->s[i];
    if (ch == '"') {
      *out = (pj_str){c->i + 1, i, esc, true};
      c->i = i + 1;
      return 0;
    }
    if (ch < 0x20) return BW_CORRUPT(err, "package.json: control character in a string at offset %zu", i);
    if (ch == '\\') {
      esc = true;
      if (i + 1 >= c->n) break;
      char x = c->s[i + 1];
      if (x == 'u') {
        if (c->n - i < 6 || pj_hex(c->s[i + 2]) < 0 || pj_hex(c->s[i + 3]) < 0 || pj_hex(c->s[i + 4]) < 0 ||
            pj_hex(c->s[i + 5]) < 0)
          return BW_CORRUPT(err, "package.json: bad \\u escape at offset %zu", i);
        i += 6;
        continue;
      }
      if (x == '"' || x == '\\' || x == '/' || x == 'b' || x == 'f' || x == 'n' || x == 'r' || x == 't') {
        i += 2;
        continue;
      }
      return BW_CORRUPT(err, "package.json: bad escape at offset %zu", i);
    }
    i++;
  }
  return BW_CORRUPT(err, "package.json: unterminated string at offset %zu", c->i);
}

static int pj_expect_string(pj *c, pj_str *out, bw_error *err) {
  if (c->i >= c->n || c->s[c->i] != '"') return BW_CORRUPT(err, "package.json: expected a string at offset %zu", c->i);
  return pj_string(c, out, err);
}

static bool pj_literal(pj *c, const char *lit) {
  size_t l = strlen(lit);
  if (c->n - c->i < l || memcmp(c->s + c->i, lit, l) != 0) return false;
  c->i += l;
  return true;
}

static int pj_number(pj *c, bw_error *err) {
  size_t i = c->i, st = i;
  if (i < c->n && c->s[i] == '-') i++;
  if (i < c->n && c->s[i] == '0') {
    i++;
  } else if (i < c->n && c->s[i] >= '1' && c->s[i] <= '9') {
    while (i < c->n && c->s[i] >= '0' && c->s[i] <= '9') i++;
  } else {
    return BW_CORRUPT(err, "package.json: unexpected character at offset %zu", st);
  }
  if (i < c->n && c->s[i] == '.') {
    size_t d = ++i;
    while (i < c->n && c->s[i] >= '0' && c->s[i] <= '9') i++;
    if (i == d) return BW_CORRUPT(err, "package.json: bad number at offset %zu", st);
  }
  if (i < c->n && (c->s[i] == 'e' || c->s[i] == 'E')) {
    i++;
    if (i < c->n && (c->s[i] == '+' || c->s[i] == '-')) i++;
    size_t d = i;
    while (i < c->n && c->s[i] >= '0' && c->s[i] <= '9') i++;
    if (i == d) return BW_CORRUPT(err, "package.json: bad number at offset %zu", st);
  }
  c->i = i;
  return 0;
}

static int pj_skip(pj *c, int depth, bw_error *err);

/* At '{' or '[': the members or items, each handed to skip. */
static int pj_skip_container(pj *c, int depth, bw_error *err) {
  char open = c->s[c->i], close = open == '{' ? '}' : ']';
  if (depth >= BW_LIMIT_JSON_DEPTH)
    return bw_error_set(err, BW_ELIMIT, "package.json nests deeper than %d levels", BW_LIMIT_JSON_DEPTH);
  c->i++;
  pj_ws(c);
  if (c->i < c->n && c->s[c->i] == close) {
    c->i++;
    return 0;
  }
  for (;;) {
    int rc;
    if (open == '{') {
      pj_str key;
      if ((rc = pj_expect_string(c, &key, err))) return rc;
      pj_ws(c);
      if (c->i >= c->n || c->s[c->i] != ':') return BW_CORRUPT(err, "package.json: expected ':' at offset %zu", c->i);
      c->i++;
    }
    if ((rc = pj_skip(c, depth + 1, err))) return rc;
    pj_ws(c);
    if (c->i >= c->n) break;
    if (c->s[c->i] == close) {
      c->i++;
      return 0;
    }
    if (c->s[c->i] != ',') break;
    c->i++;
    pj_ws(c);
  }
  return BW_CORRUPT(err, "package.json: expected ',' or '%c' at offset %zu", close, c->i);
}

static int pj_skip(pj *c, int depth, bw_error *err) {
  pj_ws(c);
  if (c->i >= c->n) return BW_CORRUPT(err, "package.json: unexpected end");
  pj_str s;
  switch (c->s[c->i]) {
  case '{':
  case '[': return pj_skip_container(c, depth, err);
  case '"': return pj_string(c, &s, err);
  case 't': return pj_literal(c, "true") ? 0 : BW_CORRUPT(err, "package.json: bad literal at offset %zu", c->i);
  case 'f': return pj_literal(c, "false") ? 0 : BW_CORRUPT(err, "package.json: bad literal at offset %zu", c->i);
  case 'n': return pj_literal(c, "null") ? 0 : BW_CORRUPT(err, "package.json: bad literal at offset %zu", c->i);
  default: return pj_number(c, err);
  }
}

static void put_utf8(char *d, size_t *o, unsigned cp) { *o += bw_utf8_encode(cp, d + *o); }

static unsigned hex4(const char *p) {
  return (unsigned)(pj_hex(p[0]) << 12 | pj_hex(p[1]) << 8 | pj_hex(p[2]) << 4 | pj_hex(p[3]));
}

/* Well-formed UTF-8 without NUL (what a C string in a report may hold). */
static bool utf8_ok(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    unsigned char c = u[i];
    size_t l;
    unsigned cp;
    if (c == 0) return false;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      l = 2, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      l = 3, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      l = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < l) return false;
    for (size_t k = 1; k < l; k++) {
      if ((u[i + k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (u[i + k] & 0x3f);
    }
    if ((l == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (l == 4 && (cp < 0x10000 || cp > 0x10ffff)))
      return false;
    i += l;
  }
  return true;
}

/* The decoded string in the arena (escapes resolved); *bad when it is not valid text (lone
 * surrogate, invalid UTF-8, NUL). NULL with *bad false means out of memory. */
static char *pj_decode(bw_arena *a, const pj *c, const pj_str *s, bool *bad) {
  *bad = false;
  size_t n = s->e - s->b;
  const char *p = c->s + s->b;
  char *d = bw_arena_alloc(a, n + 1); /* escapes never decode longer than they are written */
  if (!d) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    if (p[i] != '\\') {
      d[o++] = p[i++];
      continue;
    }
    char x = p[i + 1]; /* pj_string checked every escape is complete */
    i += 2;
    switch (x) {
    case 'b': d[o++] = '\b'; break;
    case 'f': d[o++] = '\f'; break;
    case 'n': d[o++] = '\n'; break;
    case 'r': d[o++] = '\r'; break;
    case 't': d[o++] = '\t'; break;
    case 'u': {
      unsigned cp = hex4(p + i);
      i += 4;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (n - i < 6 || p[i] != '\\' || p[i + 1] != 'u') {
          *bad = true;
          return NULL;
        }
        unsigned lo = hex4(p + i + 2);
        if (lo < 0xdc00 || lo > 0xdfff) {
          *bad = true;
          return NULL;
        }
        i += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        *bad = true;
        return NULL;
      }
      put_utf8(d, &o, cp);
      break;
    }
    default: d[o++] = x; break; /* " \ / */
    }
  }
  d[o] = 0;
  if (!utf8_ok(d, o)) {
    *bad = true;
    return NULL;
  }
  return d;
}

/* A key compared with a plain ASCII word, escapes included ("n\u0061me" is "name"). */
static bool pj_key_is(bw_arena *a, const pj *c, const pj_str *k, const char *word) {
  size_t wl = strlen(word);
  if (!k->esc) return k->e - k->b == wl && memcmp(c->s + k->b, word, wl) == 0;
  if (k->e - k->b < wl) return false;
  bool bad;
  const char *d = pj_decode(a, c, k, &bad);
  return d && strcmp(d, word) == 0;
}

/* "license": "MIT" or {"type": "MIT", "url": ...}: the span of the licence string, if any. */
static int pj_license_value(pj *c, bw_arena *a, pj_str *out, int depth, bw_error *err) {
  pj_ws(c);
  if (c->i < c->n && c->s[c->i] == '"') return pj_string(c, out, err);
  if (c->i >= c->n || c->s[c->i] != '{') return pj_skip(c, depth, err);
  if (depth >= BW_LIMIT_JSON_DEPTH)
    return bw_error_set(err, BW_ELIMIT, "package.json nests deeper than %d levels", BW_LIMIT_JSON_DEPTH);
  c->i++;
  pj_ws(c);
  if (c->i < c->n && c->s[c->i] == '}') {
    c->i++;
    return 0;
  }
  for (;;) {
    pj_str key;
    int rc = pj_expect_string(c, &key, err);
    if (rc) return rc;
    pj_ws(c);
    if (c->i >= c->n || c->s[c->i] != ':') return BW_CORRUPT(err, "package.json: expected ':' at offset %zu", c->i);
    c->i++;
    pj_ws(c);
    if (pj_key_is(a, c, &key, "type") && c->i < c->n && c->s[c->i] == '"') {
      if (out->set) return BW_CORRUPT(err, "package.json: license type given twice");
      rc = pj_string(c, out, err);
    } else {
      rc = pj_skip(c, depth + 1, err);
    }
    if (rc) return rc;
    pj_ws(c);
    if (c->i < c->n && c->s[c->i] == '}') {
      c->i++;
      return 0;
    }
    if (c->i >= c->n || c->s[c->i] != ',') return BW_CORRUPT(err, "package.json: expected ',' or '}' at offset %zu", c->i);
    c->i++;
    pj_ws(c);
  }
}

typedef struct pj_fields {
  pj_str name, version, license;
  pj_str licenses[PJ_LICENSES_MAX];
  size_t nlicenses;
  bool seen_name, seen_version, seen_license, seen_licenses;
} pj_fields;

/* "licenses": [ "MIT", {"type": "Apache-2.0"}, ... ] (the form npm used before SPDX expressions) */
static int pj_licenses(pj *c, bw_arena *a, pj_fields *f, bw_error *err) {
  pj_ws(c);
  if (c->i >= c->n || c->s[c->i] != '[') return pj_skip(c, 1, err);
  c->i++;
  pj_ws(c);
  if (c->i < c->n && c->s[c->i] == ']') {
    c->i++;
    return 0;
  }
  for (;;) {
    pj_str one = {0};
    int rc = pj_license_value(c, a, &one, 2, err);
    if (rc) return rc;
    if (one.set && f->nlicenses < PJ_LICENSES_MAX) f->licenses[f->nlicenses++] = one;
    pj_ws(c);
    if (c->i < c->n && c->s[c->i] == ']') {
      c->i++;
      return 0;
    }
    if (c->i >= c->n || c->s[c->i] != ',') return BW_CORRUPT(err, "package.json: expected ',' or ']' at offset %zu", c->i);
    c->i++;
  }
}

static int pj_fields_scan(pj *c, bw_arena *a, pj_fields *f, bw_error *err) {
  if (c->n >= 3 && memcmp(c->s, "\xef\xbb\xbf", 3) == 0) c->i = 3; /* npm strips a BOM */
  pj_ws(c);
  if (c->i >= c->n || c->s[c->i] != '{') return BW_CORRUPT(err, "package.json is not a JSON object");
  c->i++;
  pj_ws(c);
  if (c->i < c->n && c->s[c->i] == '}') {
    c->i++;
  } else {
    for (;;) {
      pj_str key;
      int rc = pj_expect_string(c, &key, err);
      if (rc) return rc;
      pj_ws(c);
      if (c->i >= c->n || c->s[c->i] != ':') return BW_CORRUPT(err, "package.json: expected ':' at offset %zu", c->i);
      c->i++;
      pj_ws(c);
      bool *seen = NULL;
      pj_str *want = NULL;
      int which = 0; /* 1 name/version (strings), 2 license, 3 licenses */
      if (pj_key_is(a, c, &key, "name")) seen = &f->seen_name, want = &f->name, which = 1;
      else if (pj_key_is(a, c, &key, "version")) seen = &f->seen_version, want = &f->version, which = 1;
      else if (pj_key_is(a, c, &key, "license")) seen = &f->seen_license, want = &f->license, which = 2;
      else if (pj_key_is(a, c, &key, "licenses")) seen = &f->seen_licenses, which = 3;
      if (seen && *seen) return BW_CORRUPT(err, "package.json: key \"%.*s\" given twice", (int)(key.e - key.b), c->s + key.b);
      if (seen) *seen = true;
      if (which == 1 && c->i < c->n && c->s[c->i] == '"') rc = pj_string(c, want, err);
      else if (which == 2) rc = pj_license_value(c, a, want, 1, err);
      else if (which == 3) rc = pj_licenses(c, a, f, err);
      else rc = pj_skip(c, 1, err);
      if (rc) return rc;
      pj_ws(c);
      if (c->i < c->n && c->s[c->i] == '}') {
        c->i++;
        break;
      }
      if (c->i >= c->n || c->s[c->i] != ',') return BW_CORRUPT(err, "package.json: expected ',' or '}' at offset %zu", c->i);
      c->i++;
      pj_ws(c);
    }
  }
  pj_ws(c);
  if (c->i != c->n) return BW_CORRUPT(err, "package.json: trailing data at offset %zu", c->i);
  return 0;
}

/* The licence string: "license", else the "licenses" entries joined with " OR " (npm's own
 * advice for a list: "(MIT OR Apache-2.0)"). Text that is not valid UTF-8 is dropped. */
static const char *pj_license_string(bw_arena *a, const pj *c, const pj_fields *f, bool *oom) {
  bool bad;
  if (f->license.set && f->license.e > f->license.b) {
    const char *l = pj_decode(a, c, &f->license, &bad);
    if (!l && !bad) *oom = true;
    if (l && *l) return l;
  }
  const char *parts[PJ_LICENSES_MAX];
  size_t np = 0, total = 0;
  for (size_t i = 0; i < f->nlicenses; i++) {
    const char *l = pj_decode(a, c, &f->licenses[i], &bad);
    if (!l && !bad) *oom = true;
    if (!l || !*l) continue;
    parts[np++] = l;
    total += strlen(l) + 4;
  }
  if (np <= 1) return np ? parts[0] : NULL;
  char *r = bw_arena_alloc(a, total + 1);
  if (!r) {
    *oom = true;
    return NULL;
  }
  size_t o = 0;
  for (size_t i = 0; i < np; i++) {
    if (i) memcpy(r + o, " OR ", 4), o += 4;
    size_t l = strlen(parts[i]);
    memcpy(r + o, parts[i], l);
    o += l;
  }
  r[o] = 0;
  return r;
}

static bool is_node_modules(const char *s, size_t n) { return n == 12 && memcmp(s, "node_modules", 12) == 0; }

/* The packages above this one in its path: "app/node_modules/express/node_modules/body-parser/
 * package.json" gives "express". A segment beginning with '.' (pnpm's .pnpm store) starts the
 * chain afresh: the store's layout is not a dependency path. NULL at the top level. */
static const char *pj_parents(bw_arena *a, const char *path, bool *oom) {
  size_t n = strlen(path);
  if (n >= 13 && memcmp(path + n - 13, "/package.json", 13) == 0) n -= 13;
  char *buf = bw_arena_alloc(a, n + 1);
  if (!buf) {
    *oom = true;
    return NULL;
  }
  size_t len = 0, last = 0; /* last: where the newest chain element begins in buf */
  size_t elems = 0;
  size_t i = 0;
  bool after_nm = false;
  while (i < n) {
    size_t j = i;
    while (j < n && path[j] != '/') j++;
    if (after_nm && j > i) {
      size_t end = j;
      if (path[i] == '@' && j < n) { /* "@scope/name" spans two segments */
        end = j + 1;
        while (end < n && path[end] != '/') end++;
      }
      if (path[i] == '.') {
        len = 0, elems = 0;
      } else {
        if (elems) buf[len++] = '>';
        last = len;
        memcpy(buf + len, path + i, end - i);
        len += end - i;
        elems++;
      }
      j = end;
      after_nm = false;
    } else {
      after_nm = is_node_modules(path + i, j - i);
    }
    i = j + 1;
  }
  if (elems < 2) return NULL;
  len = last - 1; /* drop ">" + the package itself */
  buf[len] = 0;
  return buf;
}

int bw_npm_package_json_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  if (len > BW_LIMIT_PACKAGE_JSON_BYTES)
    return bw_error_set(err, BW_ELIMIT, "package.json is %zu bytes, over %u (BW_LIMIT_PACKAGE_JSON_BYTES)", len,
                        (unsigned)BW_LIMIT_PACKAGE_JSON_BYTES);
  pj c = {(const char *)buf, len, 0};
  pj_fields f;
  memset(&f, 0, sizeof f);
  int rc = pj_fields_scan(&c, out->arena, &f, err);
  if (rc) return rc;
  if (!f.name.set || !f.version.set) return 0; /* not a published package (npm ls shows it invalid) */
  bool bad, oom = false;
  const char *name = pj_decode(out->arena, &c, &f.name, &bad);
  const char *version = name ? pj_decode(out->arena, &c, &f.version, &bad) : NULL;
  if (!name || !version) {
    if (!bad) return bw_error_set(err, BW_ENOMEM, "out of memory reading package.json");
    return BW_CORRUPT(err, "package.json: name or version is not valid text");
  }
  if (!*version) return 0;
  const char *licenses = pj_license_string(out->arena, &c, &f, &oom);
  const char *parents = out->path ? pj_parents(out->arena, out->path, &oom) : NULL;
  if (oom) return bw_error_set(err, BW_ENOMEM, "out of memory reading package.json");

  npm_emitter e;
  npm_emitter_init(&e, out, "package.json");
  size_t idx;
  rc = npm_emit(&e, name, strlen(name), version, strlen(version), 0, licenses, &idx, err);
  if (rc == 0) bw_pkglist_at(out->packages, idx)->parents = parents;
  return npm_emitter_finish(&e, rc);
}

bool bw_npm_package_json_wants(const char *path) {
  size_t n = strlen(path);
  /* shortest: "node_modules/x/package.json" */
  if (n < 27 || memcmp(path + n - 13, "/package.json", 13) != 0) return false;
  size_t end = n - 13, s1 = end;
  while (s1 > 0 && path[s1 - 1] != '/') s1--;
  if (s1 == end || s1 == 0 || path[s1] == '.' || path[s1] == '@') return false;
  size_t e2 = s1 - 1, s2 = e2;
  while (s2 > 0 && path[s2 - 1] != '/') s2--;
  if (is_node_modules(path + s2, e2 - s2)) return true;
  if (path[s2] != '@' || e2 - s2 < 2 || s2 == 0) return false; /* node_modules/@scope/name */
  size_t e3 = s2 - 1, s3 = e3;
  while (s3 > 0 && path[s3 - 1] != '/') s3--;
  return is_node_modules(path + s3, e3 - s3);
}

const bw_analyzer bw_analyzer_npm_package = {
    .name = "npm-package",
    .wants = bw_npm_package_json_wants,
    .parse = bw_npm_package_json_parse,
    .max_bytes = BW_LIMIT_PACKAGE_JSON_BYTES,
};
