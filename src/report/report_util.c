#include "report/report_util.h"

#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/sha256.h"
#include "base/strutil.h"

/* Reals (CVSS scores) to 15 significant digits: a score of 9.8 prints as 9.8, not as
 * 9.8000000000000007 (jansson's default of 17 digits). */
#define BW_REPORT_REAL_PRECISION JSON_REAL_PRECISION(15)

size_t bw_report_utf8_seq(const unsigned char *p, size_t n) {
  unsigned c = p[0];
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp, min;
  if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, min = 0x10000;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

json_t *bw_report_jstr(const char *s) {
  if (!s) return json_null();
  size_t n = strlen(s);
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    size_t l = bw_report_utf8_seq(p + i, n - i);
    if (!l) break;
    i += l;
  }
  if (i == n) return json_stringn(s, n);
  /* repair: copy valid sequences, replace each bad byte with U+FFFD */
  bw_buf b;
  bw_buf_init(&b, 0);
  int rc = bw_buf_append(&b, s, i, NULL);
  while (rc == 0 && i < n) {
    size_t l = bw_report_utf8_seq(p + i, n - i);
    if (l) {
      rc = bw_buf_append(&b, p + i, l, NULL);
      i += l;
    } else {
      rc = bw_buf_append(&b, "\xEF\xBF\xBD", 3, NULL);
      i++;
    }
  }
  json_t *j = rc == 0 ? json_stringn(b.data, b.len) : NULL;
  bw_buf_dispose(&b);
  return j;
}

void bw_report_set(json_t *obj, const char *key, json_t *v, bool *failed) {
  /* jansson drops v itself when obj or v is NULL */
  if (!v || json_object_set_new(obj, key, v) != 0) *failed = true;
}

void bw_report_append(json_t *arr, json_t *v, bool *failed) {
  if (!v || json_array_append_new(arr, v) != 0) *failed = true;
}

int bw_report_dump(FILE *f, const json_t *doc, const char *what, bw_error *err) {
  if (json_dumpf(doc, f, JSON_INDENT(2) | BW_REPORT_REAL_PRECISION) != 0 || fputc('\n', f) == EOF || fflush(f) != 0 ||
      ferror(f))
    return bw_error_sys(err, BW_EIO, "writing the %s document", what);
  return 0;
}

/* Writes s, indenting every line after the first by `indent` (jansson escapes newlines inside
 * strings, so every '\n' in its output is structural). */
static void put_indented(FILE *f, const char *s, const char *indent) {
  for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
    fwrite(s, 1, (size_t)(nl - s + 1), f);
    fputs(indent, f);
  }
  fputs(s, f);
}

int bw_report_dump_streamed(FILE *f, const json_t *doc, const bw_report_stream *streams, size_t nstreams,
                            const char *what, bw_error *err) {
  const size_t flags = JSON_INDENT(2) | JSON_ENCODE_ANY | BW_REPORT_REAL_PRECISION;
  bool failed = false, first = true;
  json_t *obj = (json_t *)doc; /* the iterator API takes non-const; nothing is modified */
  fputc('{', f);
  for (void *it = json_object_iter(obj); it && !failed && !ferror(f); it = json_object_iter_next(obj, it)) {
    const char *key = json_object_iter_key(it);
    json_t *k = json_string(key);
    char *ks = k ? json_dumps(k, JSON_ENCODE_ANY) : NULL;
    json_decref(k);
    if (!ks) {
      failed = true;
      break;
    }
    fputs(first ? "\n  " : ",\n  ", f);
    first = false;
    fputs(ks, f);
    fputs(": ", f);
    free(ks);
    const bw_report_stream *s = NULL;
    for (size_t i = 0; i < nstreams && !s; i++)
      if (strcmp(streams[i].key, key) == 0) s = &streams[i];
    if (s) {
      size_t n = 0;
      for (json_t *v; !failed && !ferror(f) && (v = s->next(s->ctx, &failed)); n++) {
        char *vs = json_dumps(v, flags);
        json_decref(v);
        if (!vs) {
          failed = true;
          break;
        }
        fputs(n ? ",\n    " : "[\n    ", f);
        put_indented(f, vs, "    ");
        free(vs);
      }
      fputs(n ? "\n  ]" : "[]", f);
    } else {
      char *vs = json_dumps(json_object_iter_value(it), flags);
      if (!vs) {
        failed = true;
        break;
      }
      put_indented(f, vs, "  ");
      free(vs);
    }
  }
  if (failed) return bw_error_set(err, BW_ENOMEM, "out of memory writing the %s document", what);
  fputs(first ? "}\n" : "\n}\n", f);
  if (fflush(f) != 0 || ferror(f)) return bw_error_sys(err, BW_EIO, "writing the %s document", what);
  return 0;
}

/* SOURCE_DATE_EPOCH (reproducible-builds.org): decimal seconds since the epoch. */
static bool source_date_epoch(uint64_t *out) {
  const char *s = getenv("SOURCE_DATE_EPOCH");
  if (!s || !*s) return false;
  /* 253402300799 = 9999-12-31T23:59:59Z, the last second a 4-digit year can print */
  return bw_parse_u64(s, strlen(s), out) && *out <= 253402300799ull;
}

bool bw_report_timestamp(char out[32]) {
  uint64_t epoch = 0;
  bool fixed = source_date_epoch(&epoch);
  time_t t = fixed ? (time_t)epoch : time(NULL);
  struct tm tm;
  if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    memcpy(out, "1970-01-01T00:00:00Z", 21);
  return fixed;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return 0;
}

int bw_report_uuid(char out[37], const char *seed, bw_error *err) {
  unsigned char r[16];
  uint64_t epoch;
  if (source_date_epoch(&epoch)) {
    char digest[BW_DIGEST_STR_LEN + 1];
    bw_sha256 *h = bw_sha256_new();
    if (!h) return bw_error_set(err, BW_ENOMEM, "out of memory hashing a document id");
    char num[24];
    int nl = snprintf(num, sizeof num, "%llu", (unsigned long long)epoch);
    bw_sha256_update(h, "bulwark-uuid\0", 13);
    if (seed) bw_sha256_update(h, seed, strlen(seed));
    bw_sha256_update(h, "\0", 1);
    bw_sha256_update(h, num, (size_t)nl);
    bw_sha256_final_str(h, digest);
    bw_sha256_free(h);
    const char *hex = digest + 7; /* after "sha256:" */
    for (int i = 0; i < 16; i++) r[i] = (unsigned char)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
  } else if (RAND_bytes(r, sizeof r) != 1) {
    return bw_error_set(err, BW_EIO, "no random bytes for a document id (OpenSSL RAND_bytes failed)");
  }
  r[6] = (unsigned char)((r[6] & 0x0F) | 0x40); /* version 4 */
  r[8] = (unsigned char)((r[8] & 0x3F) | 0x80); /* RFC 4122 variant */
  static const char hx[] = "0123456789abcdef";
  size_t o = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = hx[r[i] >> 4];
    out[o++] = hx[r[i] & 15];
  }
  out[o] = 0;
  return 0;
}

size_t bw_report_split_licenses(bw_arena *a, const char *s, const char ***out) {
  *out = NULL;
  if (!s) return 0;
  size_t n = strlen(s);
  /* keep whole when there is structure we would break: parentheses or a top-level OR */
  bool whole = strchr(s, '(') || strchr(s, ')') || strstr(s, " OR ") || strstr(s, " WITH ");
  size_t parts = 1;
  if (!whole)
    for (const char *p = strstr(s, " AND "); p; p = strstr(p + 5, " AND ")) parts++;
  const char **v = bw_arena_calloc(a, parts, sizeof *v);
  if (!v) return (size_t)-1;
  size_t count = 0;
  const char *start = s, *end = s + n;
  while (start <= end) {
    const char *sep = whole ? NULL : strstr(start, " AND ");
    const char *stop = sep ? sep : end;
    const char *t = start;
    size_t tl = (size_t)(stop - start);
    bw_trim(&t, &tl);
    if (tl) {
      if (count >= parts) break;
      if (!(v[count++] = bw_arena_strndup(a, t, tl))) return (size_t)-1;
    }
    if (!sep) break;
    start = sep + 5;
  }
  *out = v;
  return count;
}

const char *bw_report_short_digest(const char *digest, char out[13]) {
  out[0] = 0;
  if (!digest) return out;
  const char *h = strrchr(digest, ':');
  h = h ? h + 1 : digest;
  size_t n = strlen(h);
  if (n > 12) n = 12;
  memcpy(out, h, n);
  out[n] = 0;
  return out;
}

/* FNV-1a: small, deterministic, good enough for a set of distinct identifiers */
static size_t str_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return (size_t)h;
}

void bw_strset_init(bw_strset *s, bw_arena *a) {
  memset(s, 0, sizeof *s);
  s->arena = a;
}

static bw_strset_slot *strset_find(const bw_strset *s, const char *key) {
  if (!s->cap) return NULL;
  for (size_t i = str_hash(key) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
    if (!s->slots[i].key) return NULL;
    if (strcmp(s->slots[i].key, key) == 0) return &s->slots[i];
  }
}

bool bw_strset_has(const bw_strset *s, const char *key) { return strset_find(s, key) != NULL; }

static void strset_put(bw_strset_slot *slots, size_t cap, bw_strset_slot v) {
  size_t i = str_hash(v.key) & (cap - 1);
  while (slots[i].key) i = (i + 1) & (cap - 1);
  slots[i] = v;
}

int bw_strset_add(bw_strset *s, const char *key) {
  if (bw_strset_has(s, key)) return 0;
  if ((s->len + 1) * 2 > s->cap) { /* keep the load under 1/2 */
    size_t ncap = s->cap ? s->cap * 2 : 64;
    bw_strset_slot *ns = bw_arena_calloc(s->arena, ncap, sizeof *ns);
    if (!ns) return -BW_ENOMEM;
    for (size_t i = 0; i < s->cap; i++)
      if (s->slots[i].key) strset_put(ns, ncap, s->slots[i]);
    s->slots = ns; /* the old array stays in the arena until the writer ends */
    s->cap = ncap;
  }
  strset_put(s->slots, s->cap, (bw_strset_slot){key, 2, NULL});
  s->len++;
  return 0;
}

const char *bw_strset_unique(bw_strset *s, const char *base, const char *sep) {
  bw_strset_slot *b = strset_find(s, base);
  if (!b) return bw_strset_add(s, base) == 0 ? base : NULL;
  /* the base remembers where its suffixes stopped: n duplicates cost O(n), not O(n^2) */
  for (;;) {
    unsigned long n = b->next++;
    const char *cand = bw_arena_printf(s->arena, "%s%s%lu", base, sep, n);
    if (!cand) return NULL;
    if (bw_strset_has(s, cand)) continue;
    if (bw_strset_add(s, cand) != 0) return NULL;
    return cand;
  }
}

int bw_strset_set(bw_strset *s, const char *key, const void *value) {
  int rc = bw_strset_add(s, key);
  if (rc) return rc;
  strset_find(s, key)->value = value;
  return 0;
}

const void *bw_strset_get(const bw_strset *s, const char *key) {
  const bw_strset_slot *e = strset_find(s, key);
  return e ? e->value : NULL;
}
