/* dpkg's package database: var/lib/dpkg/status and distroless var/lib/dpkg/status.d/<name>.
 *
 * Both are deb822 ("RFC822-style") stanzas separated by blank lines. A field is "Name: value"
 * followed by continuation lines that start with a space or a tab. We keep only simple,
 * single-line fields (Package, Version, Architecture, Source, Status, Maintainer); multi-line
 * fields (Description, Conffiles, ...) are walked only to bound their size.
 *
 * Strictness follows dpkg itself: a line that is neither a field nor a continuation, a
 * continuation with no field before it, a repeated field we read, or a NUL byte makes dpkg
 * refuse the whole database, so no real image has one and we reject the file as corrupt
 * (BW_CORRUPT) rather than guess. A stanza without Package or Version is skipped quietly:
 * dpkg keeps such records for packages that are known but not installed.
 *
 * "Installed" means Status's third word is "installed" (dpkg-query -l "ii"/"hi"), as Trivy
 * reads it. `dpkg-query -W` would also list "rc" stanzas (deinstall ok config-files): their
 * version is still recorded but their files are gone, so they carry no vulnerable code; Trivy's
 * fixture (an Ubuntu status with a config-files git stanza) leaves them out and so do we.
 * Half-installed, unpacked and triggers-* states are left out too (Trivy parity).
 * Syft lists a versionless stanza (its status.d "multiple" fixture expects "no-version" with an
 * empty version); we skip it as Trivy does, since it can be matched against nothing. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "analyze/analyzer.h"
#include "base/limits.h"
#include "base/strutil.h"

typedef struct dpkg_span {
  const char *p;
  size_t n;
  bool set;
} dpkg_span;

enum { F_PACKAGE, F_VERSION, F_ARCH, F_SOURCE, F_STATUS, F_MAINTAINER, F_COUNT };

static const char *const dpkg_fields[F_COUNT] = {"Package", "Version",  "Architecture",
                                                 "Source",  "Status",   "Maintainer"};

typedef struct dpkg_stanza {
  dpkg_span f[F_COUNT];
  size_t line; /* line number of the stanza's first field, for messages */
} dpkg_stanza;

typedef struct dpkg_ctx {
  bw_analyze_out *out;
  const char *path; /* arena copy of out->path, shared by every package of the file */
  bool status_db;   /* the real status file: a stanza there without Status is not installed */
  size_t count;
} dpkg_ctx;

static bool dpkg_is_blank(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != ' ' && p[i] != '\t') return false;
  return true;
}

/* Trims spaces and tabs (deb822 whitespace) from both ends. */
static void dpkg_trim(const char **p, size_t *n) {
  while (*n && (**p == ' ' || **p == '\t')) (*p)++, (*n)--;
  while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t')) (*n)--;
}

/* dpkg's Status is "want flag status" ("install ok installed"); only the third word matters. */
static bool dpkg_status_installed(const dpkg_span *s) {
  const char *p = s->p;
  size_t n = s->n, word = 0;
  while (n) {
    while (n && (*p == ' ' || *p == '\t')) p++, n--;
    if (!n) break;
    const char *w = p;
    while (n && *p != ' ' && *p != '\t') p++, n--;
    if (++word == 3) return (size_t)(p - w) == 9 && memcmp(w, "installed", 9) == 0;
  }
  return false;
}

static const char *dpkg_dup(dpkg_ctx *c, const char *p, size_t n) {
  return bw_arena_strndup(c->out->arena, p, n);
}

static int dpkg_emit(dpkg_ctx *c, const dpkg_stanza *st, bw_error *err) {
  const dpkg_span *name = &st->f[F_PACKAGE], *ver = &st->f[F_VERSION];
  if (!name->n || !ver->n) return 0;
  if (st->f[F_STATUS].set ? !dpkg_status_installed(&st->f[F_STATUS]) : c->status_db) return 0;
  if (++c->count > BW_LIMIT_PACKAGES)
    return bw_error_set(err, BW_ELIMIT, "dpkg database has more than %u packages (BW_LIMIT_PACKAGES)",
                        (unsigned)BW_LIMIT_PACKAGES);

  bw_package *pkg = bw_pkglist_add(c->out->packages, err);
  if (!pkg) return err ? -err->code : -BW_ENOMEM;
  pkg->type = BW_PKG_DEB;
  pkg->name = dpkg_dup(c, name->p, name->n);
  pkg->version = dpkg_dup(c, ver->p, ver->n);
  pkg->path = c->path;
  if (st->f[F_ARCH].n) pkg->arch = dpkg_dup(c, st->f[F_ARCH].p, st->f[F_ARCH].n);
  if (st->f[F_MAINTAINER].n)
    pkg->maintainer = dpkg_dup(c, st->f[F_MAINTAINER].p, st->f[F_MAINTAINER].n);

  /* "Source: glibc (2.36-9)": the source version differs from the binary's (binNMU, epoch
   * dropped, ...). Without a version the source version is the binary's; without Source the
   * source package has the binary's name. */
  pkg->source_name = pkg->name;
  pkg->source_version = pkg->version;
  if (st->f[F_SOURCE].n) {
    const char *s = st->f[F_SOURCE].p;
    size_t n = st->f[F_SOURCE].n, i = 0;
    while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '(') i++;
    if (i) pkg->source_name = dpkg_dup(c, s, i);
    const char *open = memchr(s + i, '(', n - i);
    if (open) {
      const char *v = open + 1;
      size_t vn = (size_t)(s + n - v);
      const char *close = memchr(v, ')', vn);
      if (close) vn = (size_t)(close - v);
      dpkg_trim(&v, &vn);
      if (vn) pkg->source_version = dpkg_dup(c, v, vn);
    }
  }
  if (!pkg->name || !pkg->version || !pkg->source_name || !pkg->source_version ||
      (st->f[F_ARCH].n && !pkg->arch) || (st->f[F_MAINTAINER].n && !pkg->maintainer) ||
      (c->out->path && !c->path))
    return bw_error_set(err, BW_ENOMEM, "out of memory reading the dpkg database");
  return 0;
}

static int dpkg_parse_all(dpkg_ctx *c, const char *buf, size_t len, bw_error *err) {
  dpkg_stanza st;
  memset(&st, 0, sizeof st);
  bool in_stanza = false;
  size_t field_len = 0, lineno = 0;
  const char *field_name = NULL;
  size_t field_name_len = 0;
  bool in_field = false;

  for (size_t pos = 0; pos < len;) {
    const char *line = buf + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - line) : len - pos;
    pos += n + (nl != NULL);
    lineno++;
    if (n && line[n - 1] == '\r') n--; /* CRLF files (edited on Windows, or hostile) */

    if (dpkg_is_blank(line, n)) {
      if (in_stanza) {
        int r = dpkg_emit(c, &st, err);
        if (r) return r;
      }
      memset(&st, 0, sizeof st);
      in_stanza = in_field = false;
      continue;
    }

    if (line[0] == ' ' || line[0] == '\t') {
      if (!in_field)
        return BW_CORRUPT(err, "dpkg database line %zu: continuation line outside a field", lineno);
      if (__builtin_add_overflow(field_len, n + 1, &field_len) || field_len > BW_LIMIT_FIELD_BYTES)
        goto too_long;
      continue;
    }

    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line)
      return BW_CORRUPT(err, "dpkg database line %zu: expected \"Field: value\"", lineno);
    field_name = line;
    field_name_len = (size_t)(colon - line);
    field_len = n;
    if (field_len > BW_LIMIT_FIELD_BYTES) goto too_long;
    if (!in_stanza) st.line = lineno;
    in_stanza = in_field = true;

    for (int f = 0; f < F_COUNT; f++) {
      /* deb822 field names are case-insensitive */
      if (strlen(dpkg_fields[f]) != field_name_len ||
          strncasecmp(dpkg_fields[f], field_name, field_name_len) != 0)
        continue;
      if (st.f[f].set)
        return BW_CORRUPT(err, "dpkg database line %zu: duplicate field %s in the stanza at line %zu",
                          lineno, dpkg_fields[f], st.line);
      const char *v = colon + 1;
      size_t vn = (size_t)(line + n - v);
      dpkg_trim(&v, &vn);
      st.f[f] = (dpkg_span){v, vn, true};
      break;
    }
  }
  if (in_stanza) return dpkg_emit(c, &st, err); /* last stanza without a trailing blank line */
  return 0;

too_long:
  return bw_error_set(err, BW_ELIMIT,
                      "dpkg database line %zu: field %.*s is longer than %u bytes (BW_LIMIT_FIELD_BYTES)",
                      lineno, (int)(field_name_len > 64 ? 64 : field_name_len), field_name,
                      (unsigned)BW_LIMIT_FIELD_BYTES);
}

/* Parses a dpkg status file or a status.d/<name> file into out->packages (type BW_PKG_DEB,
 * strings in out->arena, path = out->path). Only installed packages are listed: a stanza whose
 * Status third word is not "installed" is skipped; a stanza without Status is kept, except in
 * the real status file (out->path "var/lib/dpkg/status" or ending in "/dpkg/status"), where
 * dpkg always writes one. Licences stay NULL (dpkg does not record them).
 * Errors: BW_ECORRUPT (malformed line, NUL byte, duplicate field), BW_ELIMIT (file, field or
 * package count over its cap), BW_ENOMEM. On error nothing is appended. */
int bw_dpkg_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  if (len > BW_LIMIT_TEXTDB_BYTES)
    return bw_error_set(err, BW_ELIMIT, "dpkg database is %zu bytes, over %u (BW_LIMIT_TEXTDB_BYTES)",
                        len, (unsigned)BW_LIMIT_TEXTDB_BYTES);
  const uint8_t *nul = len ? memchr(buf, 0, len) : NULL;
  if (nul) return BW_CORRUPT(err, "dpkg database has a NUL byte at offset %zu", (size_t)(nul - buf));

  dpkg_ctx c = {.out = out};
  if (out->path) {
    c.path = bw_arena_strdup(out->arena, out->path);
    c.status_db = strcmp(out->path, "var/lib/dpkg/status") == 0 ||
                  bw_str_endswith(out->path, "/dpkg/status");
  }
  size_t start = bw_pkglist_len(out->packages);
  int r = dpkg_parse_all(&c, (const char *)buf, len, err);
  if (r) out->packages->v.len = start; /* drop what this file appended */
  return r;
}

static bool dpkg_wants(const char *path) { return strcmp(path, "var/lib/dpkg/status") == 0; }

/* status.d/<package> files, not their companions. Package names may contain dots
 * (libbz2-1.0, libgnutls30.1), so a "no dot" rule would lose real packages: only the suffixes
 * dpkg and distroless use for per-package companion files are refused. */
static bool dpkg_statusd_wants(const char *path) {
  static const char prefix[] = "var/lib/dpkg/status.d/";
  static const char *const companions[] = {
      ".md5sums", ".list",   ".conffiles", ".postinst", ".postrm",    ".preinst",
      ".prerm",   ".shlibs", ".symbols",   ".triggers", ".templates", ".config"};
  if (strncmp(path, prefix, sizeof prefix - 1) != 0) return false;
  const char *name = path + sizeof prefix - 1;
  if (!*name || *name == '.' || strchr(name, '/')) return false;
  for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++)
    if (bw_str_endswith(name, companions[i])) return false;
  return true;
}

const bw_analyzer bw_analyzer_dpkg = {
    .name = "dpkg",
    .wants = dpkg_wants,
    .parse = bw_dpkg_parse,
    .max_bytes = BW_LIMIT_TEXTDB_BYTES,
};

const bw_analyzer bw_analyzer_dpkg_statusd = {
    .name = "dpkg-statusd",
    .wants = dpkg_statusd_wants,
    .parse = bw_dpkg_parse,
    .max_bytes = BW_LIMIT_TEXTDB_BYTES,
};
