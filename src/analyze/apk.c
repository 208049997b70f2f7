/* Alpine's package database, lib/apk/db/installed.
 *
 * One package per block, blocks separated by a blank line; every other line is "X:value" with a
 * one-letter field (P name, V version, A arch, o origin, L licence, m maintainer, plus file
 * lists and checksums we do not need). apk-tools rejects the whole database on a line that is
 * not "X:..." (apk_db_index_read), so we do the same (BW_CORRUPT) instead of guessing. A block
 * without P: or V: is skipped quietly, as Trivy does. */
#include <stdbool.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "base/limits.h"

typedef struct apk_span {
  const char *p;
  size_t n;
  bool set;
} apk_span;

enum { A_NAME, A_VERSION, A_ARCH, A_ORIGIN, A_LICENSE, A_MAINTAINER, A_COUNT };
static const char apk_letters[A_COUNT] = {'P', 'V', 'A', 'o', 'L', 'm'};

typedef struct apk_ctx {
  bw_analyze_out *out;
  const char *path;
  size_t count;
} apk_ctx;

static void apk_trim(const char **p, size_t *n) {
  while (*n && (**p == ' ' || **p == '\t')) (*p)++, (*n)--;
  while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t')) (*n)--;
}

static const char *apk_dup(apk_ctx *c, const apk_span *s) {
  return s->n ? bw_arena_strndup(c->out->arena, s->p, s->n) : NULL;
}

static int apk_emit(apk_ctx *c, const apk_span *f, bw_error *err) {
  if (!f[A_NAME].n || !f[A_VERSION].n) return 0;
  if (++c->count > BW_LIMIT_PACKAGES)
    return bw_error_set(err, BW_ELIMIT, "apk database has more than %u packages (BW_LIMIT_PACKAGES)",
                        (unsigned)BW_LIMIT_PACKAGES);
  bw_package *pkg = bw_pkglist_add(c->out->packages, err);
  if (!pkg) return err ? -err->code : -BW_ENOMEM;
  pkg->type = BW_PKG_APK;
  pkg->name = apk_dup(c, &f[A_NAME]);
  pkg->version = apk_dup(c, &f[A_VERSION]);
  pkg->arch = apk_dup(c, &f[A_ARCH]);
  pkg->licenses = apk_dup(c, &f[A_LICENSE]);
  pkg->maintainer = apk_dup(c, &f[A_MAINTAINER]);
  /* The origin is the aport (source package) the binary was built from; apk builds every
   * subpackage of an aport at the aport's version, so the source version is the package's. */
  pkg->source_name = f[A_ORIGIN].n ? apk_dup(c, &f[A_ORIGIN]) : pkg->name;
  pkg->source_version = pkg->version;
  pkg->path = c->path;
  if (!pkg->name || !pkg->version || !pkg->source_name || (f[A_ARCH].n && !pkg->arch) ||
      (f[A_LICENSE].n && !pkg->licenses) || (f[A_MAINTAINER].n && !pkg->maintainer) ||
      (c->out->path && !c->path))
    return bw_error_set(err, BW_ENOMEM, "out of memory reading the apk database");
  return 0;
}

static int apk_parse_all(apk_ctx *c, const char *buf, size_t len, bw_error *err) {
  apk_span f[A_COUNT];
  memset(f, 0, sizeof f);
  bool in_block = false;
  size_t lineno = 0;

  for (size_t pos = 0; pos < len;) {
    const char *line = buf + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - line) : len - pos;
    pos += n + (nl != NULL);
    lineno++;
    if (n && line[n - 1] == '\r') n--; /* tolerate CRLF */

    size_t ws = 0;
    while (ws < n && (line[ws] == ' ' || line[ws] == '\t')) ws++;
    if (ws == n) { /* blank (or whitespace-only) line ends the package */
      if (in_block) {
        int r = apk_emit(c, f, err);
        if (r) return r;
      }
      memset(f, 0, sizeof f);
      in_block = false;
      continue;
    }
    if (n < 2 || line[1] != ':')
      return BW_CORRUPT(err, "apk database line %zu: expected \"X:value\"", lineno);
    if (n > BW_LIMIT_FIELD_BYTES)
      return bw_error_set(err, BW_ELIMIT,
                          "apk database line %zu: field %c: is longer than %u bytes (BW_LIMIT_FIELD_BYTES)",
                          lineno, line[0], (unsigned)BW_LIMIT_FIELD_BYTES);
    in_block = true;
    const char *v = line + 2;
    size_t vn = n - 2;
    for (int i = 0; i < A_COUNT; i++) {
      if (line[0] != apk_letters[i]) continue;
      if (f[i].set)
        return BW_CORRUPT(err, "apk database line %zu: field %c: repeated within one package", lineno,
                          line[0]);
      apk_trim(&v, &vn);
      f[i] = (apk_span){v, vn, true};
      break;
    }
  }
  if (in_block) return apk_emit(c, f, err); /* last block without a trailing blank line */
  return 0;
}

/* Parses lib/apk/db/installed into out->packages (type BW_PKG_APK, strings in out->arena,
 * path = out->path): name, version, arch, licence as recorded in L:, maintainer, and the origin
 * as source_name (the package's own name when there is no o:) with source_version = version.
 * Errors: BW_ECORRUPT (a line that is not "X:value", a NUL byte, a repeated P/V/A/o/L/m field
 * within one package), BW_ELIMIT (file, line or package count over its cap), BW_ENOMEM.
 * On error nothing is appended. */
int bw_apk_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  if (len > BW_LIMIT_TEXTDB_BYTES)
    return bw_error_set(err, BW_ELIMIT, "apk database is %zu bytes, over %u (BW_LIMIT_TEXTDB_BYTES)", len,
                        (unsigned)BW_LIMIT_TEXTDB_BYTES);
  const uint8_t *nul = len ? memchr(buf, 0, len) : NULL;
  if (nul) return BW_CORRUPT(err, "apk database has a NUL byte at offset %zu", (size_t)(nul - buf));

  apk_ctx c = {.out = out};
  if (out->path) c.path = bw_arena_strdup(out->arena, out->path);
  size_t start = bw_pkglist_len(out->packages);
  int r = apk_parse_all(&c, (const char *)buf, len, err);
  if (r) out->packages->v.len = start; /* drop what this file appended */
  return r;
}

static bool apk_wants(const char *path) { return strcmp(path, "lib/apk/db/installed") == 0; }

const bw_analyzer bw_analyzer_apk = {
    .name = "apk",
    .wants = apk_wants,
    .parse = bw_apk_parse,
    .max_bytes = BW_LIMIT_TEXTDB_BYTES,
};
