/* TOML reader (see toml.h for what it accepts). One pass over the bytes with a length-based
 * cursor; the tree lives in the caller's arena; a hash of (table, key) makes every key lookup
 * during the parse O(1), so a hostile table with a million keys costs a million steps, not 10^12.
 * Recursion (arrays, inline tables) is bounded by BW_LIMIT_TOML_DEPTH. */
#include "analyze/toml.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"

enum {
  O_ROOT,     /* the document */
  O_IMPLICIT, /* made as the parent of a [a.b] header: may be defined later, once */
  O_HEADER,   /* defined by a [header] or an [[array]] element */
  O_DOTTED,   /* defined by dotted keys (a.b = 1): extendable by more dotted keys only */
  O_INLINE,   /* { ... }: sealed */
  O_STATIC,   /* [ ... ] value array: sealed */
  O_AOT,      /* array of tables made by [[header]] */
};

typedef struct toml_slot {
  const bw_toml_value *parent;
  bw_toml_value *child;
} toml_slot;

typedef struct toml_parser {
  const char *s;
  size_t n, pos;
  bw_arena *a;
  const char *what;
  bw_error *err;
  size_t values;
  toml_slot *slots;
  size_t cap, used;
  bw_toml_value *root, *cur;
} toml_parser;

typedef struct toml_key {
  const char *p;
  size_t n;
} toml_key;

static size_t toml_line(const toml_parser *t) {
  size_t line = 1;
  for (size_t i = 0; i < t->pos && i < t->n; i++) line += t->s[i] == '\n';
  return line;
}

static int toml_corrupt(toml_parser *t, const char *fmt, ...) BW_PRINTF(2, 3);
static int toml_corrupt(toml_parser *t, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return BW_CORRUPT(t->err, "%s line %zu: %s", t->what, toml_line(t), msg);
}

static int toml_oom(toml_parser *t) { return bw_error_set(t->err, BW_ENOMEM, "out of memory reading %s", t->what); }

/* ---- the (table, key) -> member hash ---------------------------------------------------- */

static uint64_t toml_hash(const bw_toml_value *parent, const char *k, size_t n) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
  return h ^ (h >> 29);
}

static bw_toml_value *toml_find(const toml_parser *t, const bw_toml_value *parent, const char *k, size_t n) {
  if (!t->cap) return NULL;
  for (size_t i = toml_hash(parent, k, n) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
    const toml_slot *s = &t->slots[i];
    if (!s->child) return NULL;
    if (s->parent == parent && s->child->key_len == n && memcmp(s->child->key, k, n) == 0) return s->child;
  }
}

static int toml_index(toml_parser *t, bw_toml_value *child, const bw_toml_value *parent) {
  if ((t->used + 1) * 2 > t->cap) {
    size_t ncap = t->cap ? t->cap * 2 : 64;
    toml_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns) return toml_oom(t);
    for (size_t i = 0; i < t->cap; i++) {
      toml_slot *s = &t->slots[i];
      if (!s->child) continue;
      size_t j = toml_hash(s->parent, s->child->key, s->child->key_len) & (ncap - 1);
      while (ns[j].child) j = (j + 1) & (ncap - 1);
      ns[j] = *s;
    }
    free(t->slots);
    t->slots = ns;
    t->cap = ncap;
  }
  size_t i = toml_hash(parent, child->key, child->key_len) & (t->cap - 1);
  while (t->slots[i].child) i = (i + 1) & (t->cap - 1);
  t->slots[i] = (toml_slot){parent, child};
  t->used++;
  return 0;
}

/* ---- the tree ------------------------------------------------------------------------------ */

static int toml_new(toml_parser *t, bw_toml_value **out, bw_toml_kind kind, unsigned origin, size_t depth) {
  if (depth > BW_LIMIT_TOML_DEPTH)
    return bw_error_set(t->err, BW_ELIMIT, "%s line %zu: nested deeper than %d (BW_LIMIT_TOML_DEPTH)", t->what,
                        toml_line(t), BW_LIMIT_TOML_DEPTH);
  if (++t->values > BW_LIMIT_TOML_VALUES)
    return bw_error_set(t->err, BW_ELIMIT, "%s: more than %u values (BW_LIMIT_TOML_VALUES)", t->what,
                        (unsigned)BW_LIMIT_TOML_VALUES);
  bw_toml_value *v = bw_arena_alloc(t->a, sizeof *v);
  if (!v) return toml_oom(t);
  v->kind = kind;
  v->origin = (unsigned char)origin;
  v->depth = (unsigned short)depth;
  *out = v;
  return 0;
}

static void toml_append(bw_toml_value *parent, bw_toml_value *child) {
  if (parent->last) parent->last->next = child;
  else parent->first = child;
  parent->last = child;
  parent->count++;
}

/* Adds child to a table under key (already decoded, in the arena). */
static int toml_attach(toml_parser *t, bw_toml_value *table, bw_toml_value *child, const toml_key *k) {
  child->key = k->p;
  child->key_len = k->n;
  toml_append(table, child);
  return toml_index(t, child, table);
}

/* ---- lexing helpers --------------------------------------------------------------------------- */

static bool toml_eof(const toml_parser *t) { return t->pos >= t->n; }
static char toml_peek(const toml_parser *t, size_t off) {
  return t->pos + off < t->n ? t->s[t->pos + off] : '\0';
}
static void toml_skip_ws(toml_parser *t) {
  while (!toml_eof(t) && (t->s[t->pos] == ' ' || t->s[t->pos] == '\t')) t->pos++;
}
static bool toml_at_newline(const toml_parser *t) {
  return toml_peek(t, 0) == '\n' || (toml_peek(t, 0) == '\r' && toml_peek(t, 1) == '\n');
}
static void toml_skip_comment(toml_parser *t) {
  if (toml_peek(t, 0) != '#') return;
  while (!toml_eof(t) && !toml_at_newline(t)) t->pos++;
}
/* Whitespace, newlines and comments (inside arrays and inline tables). */
static int toml_skip_all(toml_parser *t) {
  for (;;) {
    toml_skip_ws(t);
    if (toml_peek(t, 0) == '#') toml_skip_comment(t);
    if (toml_at_newline(t)) {
      t->pos += toml_peek(t, 0) == '\r' ? 2 : 1;
      continue;
    }
    if (toml_peek(t, 0) == '\r') return toml_corrupt(t, "carriage return without a line feed");
    return 0;
  }
}
/* After a key/value pair or a header: optional comment, then end of line or of the document. */
static int toml_end_of_line(toml_parser *t) {
  toml_skip_ws(t);
  toml_skip_comment(t);
  if (toml_eof(t)) return 0;
  if (!toml_at_newline(t)) return toml_corrupt(t, "unexpected '%c' at the end of a line", toml_peek(t, 0));
  t->pos += toml_peek(t, 0) == '\r' ? 2 : 1;
  return 0;
}

static bool toml_is_control(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

static int toml_hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static size_t toml_utf8(char *o, uint32_t cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* ---- strings ------------------------------------------------------------------------------- */

/* Decodes a basic string's escapes from [p, p+n) (the raw body, already delimited) into the
 * arena. multi: a multi-line string (newlines allowed, line-ending backslashes). Decoded text is
 * never longer than the raw body, so one allocation of n+1 bytes is enough. */
static int toml_decode_basic(toml_parser *t, const char *p, size_t n, bool multi, const char **out, size_t *out_len) {
  char *o = bw_arena_alloc(t->a, n + 1);
  if (!o) return toml_oom(t);
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)p[i];
    if (c != '\\') {
      if (c == '\r' && multi && i + 1 < n && p[i + 1] == '\n') {
        o[k++] = p[i++];
        o[k++] = p[i++];
        continue;
      }
      if (c == '\n' && multi) {
        o[k++] = p[i++];
        continue;
      }
      if (toml_is_control(c)) return toml_corrupt(t, "control character 0x%02x in a string", c);
      o[k++] = p[i++];
      continue;
    }
    if (i + 1 >= n) return toml_corrupt(t, "backslash at the end of a string");
    char e = p[i + 1];
    i += 2;
    switch (e) {
    case 'b': o[k++] = '\b'; break;
    case 't': o[k++] = '\t'; break;
    case 'n': o[k++] = '\n'; break;
    case 'f': o[k++] = '\f'; break;
    case 'r': o[k++] = '\r'; break;
    case 'e': o[k++] = 0x1b; break;
    case '"': o[k++] = '"'; break;
    case '\\': o[k++] = '\\'; break;
    case 'x':
    case 'u':
    case 'U': {
      size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (n - i < digits) return toml_corrupt(t, "short \\%c escape", e);
      uint32_t cp = 0;
      for (size_t d = 0; d < digits; d++) {
        int h = toml_hex(p[i + d]);
        if (h < 0) return toml_corrupt(t, "bad hex digit in a \\%c escape", e);
        cp = cp << 4 | (uint32_t)h;
      }
      i += digits;
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return toml_corrupt(t, "escape \\%c is not a Unicode scalar value", e);
      /* a NUL would silently cut every C string made from this value */
      if (cp == 0) return toml_corrupt(t, "NUL escape in a string (not supported)");
      k += toml_utf8(o + k, cp);
      break;
    }
    default:
      if (multi && (e == ' ' || e == '\t' || e == '\n' || e == '\r')) {
        /* line-ending backslash: only whitespace may follow it up to the newline */
        size_t j = i - 1;
        while (j < n && (p[j] == ' ' || p[j] == '\t')) j++;
        if (j < n && p[j] == '\r' && j + 1 < n && p[j + 1] == '\n') j++;
        if (j >= n || p[j] != '\n') return toml_corrupt(t, "backslash followed by spaces, not a newline");
        while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\n' || (p[j] == '\r' && j + 1 < n && p[j + 1] == '\n')))
          j++;
        i = j;
        break;
      }
      return toml_corrupt(t, "unknown escape \\%c", e >= 0x20 && e < 0x7f ? e : '?');
    }
  }
  o[k] = 0;
  *out = o;
  *out_len = k;
  return 0;
}

/* Parses a string of any of the four kinds at the cursor (which is on its first quote). Keys
 * (allow_multi false) may only use the one-line kinds. */
static int toml_string(toml_parser *t, bool allow_multi, const char **out, size_t *out_len) {
  char q = toml_peek(t, 0);
  bool multi = toml_peek(t, 1) == q && toml_peek(t, 2) == q;
  if (multi && !allow_multi) return toml_corrupt(t, "multi-line string used as a key");
  t->pos += multi ? 3 : 1;
  if (multi) { /* a newline right after the opening delimiter is trimmed */
    if (toml_peek(t, 0) == '\n') t->pos++;
    else if (toml_peek(t, 0) == '\r' && toml_peek(t, 1) == '\n') t->pos += 2;
  }
  size_t start = t->pos, end = 0;
  bool found = false;
  for (size_t i = start; i < t->n; i++) {
    char c = t->s[i];
    if (c == '\\' && q == '"') {
      i++; /* the escaped character can never close the string */
      continue;
    }
    if (!multi && (c == '\n' || c == '\r')) break;
    if (c != q) continue;
    if (!multi) {
      end = i;
      found = true;
      break;
    }
    if (i + 2 < t->n && t->s[i + 1] == q && t->s[i + 2] == q) {
      /* up to two quotes right before the closing delimiter belong to the string */
      size_t extra = 0;
      while (extra < 2 && i + 3 + extra < t->n && t->s[i + 3 + extra] == q) extra++;
      end = i + extra;
      found = true;
      break;
    }
  }
  if (!found) return toml_corrupt(t, "unterminated string");
  size_t raw = end - start;
  if (raw > BW_LIMIT_FIELD_BYTES)
    return bw_error_set(t->err, BW_ELIMIT, "%s line %zu: a string of more than %u bytes (BW_LIMIT_FIELD_BYTES)",
                        t->what, toml_line(t), (unsigned)BW_LIMIT_FIELD_BYTES);
  int rc;
  if (q == '"') {
    rc = toml_decode_basic(t, t->s + start, raw, multi, out, out_len);
  } else {
    for (size_t i = start; i < end; i++) {
      unsigned char c = (unsigned char)t->s[i];
      bool nl = multi && (c == '\n' || (c == '\r' && i + 1 < end && t->s[i + 1] == '\n'));
      if (toml_is_control(c) && !nl) {
        t->pos = i;
        return toml_corrupt(t, "control character 0x%02x in a string", c);
      }
    }
    char *o = bw_arena_strndup(t->a, t->s + start, raw);
    if (!o) return toml_oom(t);
    *out = o;
    *out_len = raw;
    rc = 0;
  }
  if (rc) return rc;
  t->pos = end + (multi ? 3 : 1);
  return 0;
}

/* ---- keys ------------------------------------------------------------------------------------ */

static bool toml_bare_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A dotted key: up to BW_LIMIT_TOML_DEPTH components into keys[]. */
static int toml_parse_key(toml_parser *t, toml_key *keys, size_t *nkeys) {
  *nkeys = 0;
  for (;;) {
    toml_skip_ws(t);
    if (*nkeys >= BW_LIMIT_TOML_DEPTH)
      return bw_error_set(t->err, BW_ELIMIT, "%s line %zu: a key with more than %d parts (BW_LIMIT_TOML_DEPTH)",
                          t->what, toml_line(t), BW_LIMIT_TOML_DEPTH);
    toml_key *k = &keys[(*nkeys)++];
    char c = toml_peek(t, 0);
    if (c == '"' || c == '\'') {
      int rc = toml_string(t, false, &k->p, &k->n);
      if (rc) return rc;
    } else {
      size_t start = t->pos;
      while (!toml_eof(t) && toml_bare_char(t->s[t->pos])) t->pos++;
      if (t->pos == start) return toml_corrupt(t, "expected a key");
      if (t->pos - start > BW_LIMIT_FIELD_BYTES)
        return bw_error_set(t->err, BW_ELIMIT, "%s: a key longer than %u bytes (BW_LIMIT_FIELD_BYTES)", t->what,
                            (unsigned)BW_LIMIT_FIELD_BYTES);
      if (!(k->p = bw_arena_strndup(t->a, t->s + start, t->pos - start))) return toml_oom(t);
      k->n = t->pos - start;
    }
    toml_skip_ws(t);
    if (toml_peek(t, 0) != '.') return 0;
    t->pos++;
  }
}

/* Walks the dotted-key prefix keys[0..n-1) from `table`, making dotted tables as needed. */
static int toml_walk_dotted(toml_parser *t, bw_toml_value **table, const toml_key *keys, size_t n) {
  bw_toml_value *tbl = *table;
  for (size_t i = 0; i < n; i++) {
    bw_toml_value *child = toml_find(t, tbl, keys[i].p, keys[i].n);
    if (!child) {
      int rc = toml_new(t, &child, BW_TOML_TABLE, O_DOTTED, (size_t)tbl->depth + 1);
      if (!rc) rc = toml_attach(t, tbl, child, &keys[i]);
      if (rc) return rc;
    } else if (child->kind != BW_TOML_TABLE || child->origin != O_DOTTED) {
      return toml_corrupt(t, "dotted key extends a value that is not a dotted-key table");
    }
    tbl = child;
  }
  *table = tbl;
  return 0;
}

/* ---- values ---------------------------------------------------------------------------------- */

static int toml_value(toml_parser *t, bw_toml_value **out, size_t depth);

static int toml_keyval(toml_parser *t, bw_toml_value *table) {
  toml_key keys[BW_LIMIT_TOML_DEPTH];
  size_t nk = 0;
  int rc = toml_parse_key(t, keys, &nk);
  if (rc) return rc;
  if (toml_peek(t, 0) != '=') return toml_corrupt(t, "expected '=' after a key");
  t->pos++;
  toml_skip_ws(t);
  bw_toml_value *tbl = table;
  if ((rc = toml_walk_dotted(t, &tbl, keys, nk - 1))) return rc;
  if (toml_find(t, tbl, keys[nk - 1].p, keys[nk - 1].n)) return toml_corrupt(t, "duplicate key");
  bw_toml_value *v = NULL;
  if ((rc = toml_value(t, &v, (size_t)tbl->depth + 1))) return rc;
  return toml_attach(t, tbl, v, &keys[nk - 1]);
}

static int toml_array(toml_parser *t, bw_toml_value **out, size_t depth) {
  bw_toml_value *arr = NULL;
  int rc = toml_new(t, &arr, BW_TOML_ARRAY, O_STATIC, depth);
  if (rc) return rc;
  t->pos++; /* '[' */
  for (;;) {
    if ((rc = toml_skip_all(t))) return rc;
    if (toml_eof(t)) return toml_corrupt(t, "unterminated array");
    if (toml_peek(t, 0) == ']') break;
    bw_toml_value *item = NULL;
    if ((rc = toml_value(t, &item, depth + 1))) return rc;
    toml_append(arr, item);
    if ((rc = toml_skip_all(t))) return rc;
    if (toml_peek(t, 0) == ',') {
      t->pos++;
      continue;
    }
    if (toml_peek(t, 0) == ']') break;
    return toml_eof(t) ? toml_corrupt(t, "unterminated array") : toml_corrupt(t, "expected ',' or ']' in an array");
  }
  t->pos++; /* ']' */
  *out = arr;
  return 0;
}

static int toml_inline_table(toml_parser *t, bw_toml_value **out, size_t depth) {
  bw_toml_value *tbl = NULL;
  int rc = toml_new(t, &tbl, BW_TOML_TABLE, O_INLINE, depth);
  if (rc) return rc;
  t->pos++; /* '{' */
  for (;;) {
    /* TOML 1.1 allows newlines and a trailing comma here; 1.0 documents are a subset */
    if ((rc = toml_skip_all(t))) return rc;
    if (toml_eof(t)) return toml_corrupt(t, "unterminated inline table");
    if (toml_peek(t, 0) == '}') break;
    if ((rc = toml_keyval(t, tbl))) return rc;
    if ((rc = toml_skip_all(t))) return rc;
    if (toml_peek(t, 0) == ',') {
      t->pos++;
      continue;
    }
    if (toml_peek(t, 0) == '}') break;
    return toml_eof(t) ? toml_corrupt(t, "unterminated inline table")
                       : toml_corrupt(t, "expected ',' or '}' in an inline table");
  }
  t->pos++; /* '}' */
  *out = tbl;
  return 0;
}

static bool toml_scalar_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
         c == '-' || c == '.' || c == ':';
}

/* Integers, floats, booleans and date-times, kept as written. Checked only as far as telling a
 * value from garbage: nothing here reads them as numbers. */
static int toml_scalar(toml_parser *t, bw_toml_value **out, size_t depth) {
  size_t start = t->pos;
  while (!toml_eof(t) && toml_scalar_char(t->s[t->pos])) t->pos++;
  /* "1979-05-27 07:32:00Z": a date, one space, a time */
  if (t->pos - start == 10 && t->s[start + 4] == '-' && t->s[start + 7] == '-' && toml_peek(t, 0) == ' ' &&
      toml_peek(t, 1) >= '0' && toml_peek(t, 1) <= '9') {
    t->pos++;
    while (!toml_eof(t) && toml_scalar_char(t->s[t->pos])) t->pos++;
  }
  size_t n = t->pos - start;
  const char *p = t->s + start;
  bool ok = n > 0 && ((n == 4 && memcmp(p, "true", 4) == 0) || (n == 5 && memcmp(p, "false", 5) == 0) ||
                      (p[0] >= '0' && p[0] <= '9') || p[0] == '+' || p[0] == '-' ||
                      (n == 3 && (memcmp(p, "inf", 3) == 0 || memcmp(p, "nan", 3) == 0)));
  if (!ok) {
    t->pos = start;
    return toml_corrupt(t, "expected a value");
  }
  if (n > 128) return toml_corrupt(t, "a number or date of %zu characters", n);
  bw_toml_value *v = NULL;
  int rc = toml_new(t, &v, BW_TOML_SCALAR, 0, depth);
  if (rc) return rc;
  if (!(v->str = bw_arena_strndup(t->a, p, n))) return toml_oom(t);
  v->len = n;
  *out = v;
  return 0;
}

static int toml_value(toml_parser *t, bw_toml_value **out, size_t depth) {
  char c = toml_peek(t, 0);
  if (c == '"' || c == '\'') {
    bw_toml_value *v = NULL;
    int rc = toml_new(t, &v, BW_TOML_STRING, 0, depth);
    if (!rc) rc = toml_string(t, true, &v->str, &v->len);
    if (rc) return rc;
    *out = v;
    return 0;
  }
  if (c == '[') return toml_array(t, out, depth);
  if (c == '{') return toml_inline_table(t, out, depth);
  if (toml_eof(t) || toml_at_newline(t)) return toml_corrupt(t, "a key without a value");
  return toml_scalar(t, out, depth);
}

/* ---- headers --------------------------------------------------------------------------------- */

static int toml_header(toml_parser *t) {
  bool aot = toml_peek(t, 1) == '[';
  t->pos += aot ? 2 : 1;
  toml_key keys[BW_LIMIT_TOML_DEPTH];
  size_t nk = 0;
  int rc = toml_parse_key(t, keys, &nk);
  if (rc) return rc;
  if (toml_peek(t, 0) != ']' || (aot && toml_peek(t, 1) != ']'))
    return toml_corrupt(t, aot ? "expected ']]' after an array-of-tables header" : "expected ']' after a table header");
  t->pos += aot ? 2 : 1;

  bw_toml_value *tbl = t->root;
  for (size_t i = 0; i + 1 < nk; i++) {
    bw_toml_value *child = toml_find(t, tbl, keys[i].p, keys[i].n);
    if (!child) {
      if ((rc = toml_new(t, &child, BW_TOML_TABLE, O_IMPLICIT, (size_t)tbl->depth + 1)) ||
          (rc = toml_attach(t, tbl, child, &keys[i])))
        return rc;
    } else if (child->kind == BW_TOML_ARRAY && child->origin == O_AOT) {
      child = child->last; /* [a.b] after [[a]] names a table in a's last element */
    } else if (child->kind != BW_TOML_TABLE || child->origin == O_INLINE) {
      return toml_corrupt(t, "table header goes through a value that is not a table");
    }
    tbl = child;
  }
  const toml_key *last = &keys[nk - 1];
  bw_toml_value *child = toml_find(t, tbl, last->p, last->n);
  if (aot) {
    if (!child) {
      if ((rc = toml_new(t, &child, BW_TOML_ARRAY, O_AOT, (size_t)tbl->depth + 1)) ||
          (rc = toml_attach(t, tbl, child, last)))
        return rc;
    } else if (child->kind != BW_TOML_ARRAY || child->origin != O_AOT) {
      return toml_corrupt(t, "[[header]] names a value that is not an array of tables");
    }
    bw_toml_value *elem = NULL;
    if ((rc = toml_new(t, &elem, BW_TOML_TABLE, O_HEADER, (size_t)child->depth + 1))) return rc;
    toml_append(child, elem);
    t->cur = elem;
    return 0;
  }
  if (!child) {
    if ((rc = toml_new(t, &child, BW_TOML_TABLE, O_HEADER, (size_t)tbl->depth + 1)) ||
        (rc = toml_attach(t, tbl, child, last)))
      return rc;
  } else if (child->kind == BW_TOML_TABLE && child->origin == O_IMPLICIT) {
    child->origin = O_HEADER;
  } else {
    return toml_corrupt(t, "table defined twice");
  }
  t->cur = child;
  return 0;
}

/* ---- the document ---------------------------------------------------------------------------- */

static int toml_document(toml_parser *t) {
  int rc;
  if (t->n >= 3 && memcmp(t->s, "\xEF\xBB\xBF", 3) == 0) t->pos = 3; /* UTF-8 byte order mark */
  while (!toml_eof(t)) {
    toml_skip_ws(t);
    if (toml_eof(t)) break;
    char c = toml_peek(t, 0);
    if (c == '#' || toml_at_newline(t)) {
      if ((rc = toml_end_of_line(t))) return rc;
      continue;
    }
    if (c == '[') rc = toml_header(t);
    else rc = toml_keyval(t, t->cur);
    if (rc || (rc = toml_end_of_line(t))) return rc;
  }
  return 0;
}

int bw_toml_parse(bw_toml_value **root, const char *buf, size_t len, bw_arena *arena, const char *what,
                  bw_error *err) {
  *root = NULL;
  toml_parser t = {.s = buf, .n = len, .a = arena, .what = what ? what : "TOML document", .err = err};
  const char *nul = len ? memchr(buf, 0, len) : NULL;
  if (nul) return BW_CORRUPT(err, "%s: NUL byte at offset %zu", t.what, (size_t)(nul - buf));
  int rc = toml_new(&t, &t.root, BW_TOML_TABLE, O_ROOT, 0);
  if (!rc) {
    t.cur = t.root;
    rc = toml_document(&t);
  }
  free(t.slots);
  if (!rc) *root = t.root;
  return rc;
}

const bw_toml_value *bw_toml_get(const bw_toml_value *tbl, const char *key) {
  if (!tbl || tbl->kind != BW_TOML_TABLE || !key) return NULL;
  size_t n = strlen(key);
  for (const bw_toml_value *v = tbl->first; v; v = v->next)
    if (v->key_len == n && memcmp(v->key, key, n) == 0) return v;
  return NULL;
}

const char *bw_toml_get_str(const bw_toml_value *tbl, const char *key) {
  const bw_toml_value *v = bw_toml_get(tbl, key);
  return v && v->kind == BW_TOML_STRING ? v->str : NULL;
}
