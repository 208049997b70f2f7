/* The rpm analysers: the package database (BDB `Packages`, NDB `Packages.db`, SQLite
 * `rpmdb.sqlite`, detected from the bytes) and CBL-Mariner's distroless text manifest. */
#include <stdio.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/rpm_db.h"
#include "analyze/rpm_header.h"
#include "base/limits.h"
#include "base/strutil.h"

typedef struct rpm_ctx {
  bw_analyze_out *out;
  size_t packages; /* added from this file */
  size_t headers;  /* blobs that parsed as headers (packages and skipped pseudo packages) */
  size_t bad;      /* blobs that did not */
  bw_error first_bad;
} rpm_ctx;

/* Splits a source rpm file name "bash-4.2.46-34.el7.src.rpm" into name "bash" and
 * version-release "4.2.46-34.el7" (Trivy's splitFileName). False when it has no such shape. */
static bool split_srpm(const char *s, size_t *name_len, const char **vr, size_t *vr_len) {
  size_t n = strlen(s);
  if (n >= 4 && memcmp(s + n - 4, ".rpm", 4) == 0) n -= 4;
  const char *dot = memrchr(s, '.', n); /* before the arch ("src", "nosrc") */
  if (!dot) return false;
  const char *rel = memrchr(s, '-', (size_t)(dot - s));
  if (!rel) return false;
  const char *ver = memrchr(s, '-', (size_t)(rel - s));
  if (!ver || ver == s || rel == ver + 1 || dot == rel + 1) return false;
  *name_len = (size_t)(ver - s);
  *vr = ver + 1;
  *vr_len = (size_t)(dot - (ver + 1));
  return true;
}

/* Appends one package; strings already live in out->arena. */
static int add_package(rpm_ctx *c, const char *name, int epoch, const char *version, const char *release,
                       const char *arch, const char *sourcerpm, const char *license, const char *vendor,
                       bw_error *err) {
  bw_analyze_out *out = c->out;
  if (c->packages >= BW_LIMIT_PACKAGES)
    return bw_error_set(err, BW_ELIMIT, "rpm: more than %u packages in one database (BW_LIMIT_PACKAGES)",
                        (unsigned)BW_LIMIT_PACKAGES);
  bw_package *p = bw_pkglist_add(out->packages, err);
  if (!p) return err ? -err->code : -BW_ENOMEM;
  c->packages++;
  p->type = BW_PKG_RPM;
  p->name = name;
  p->epoch = epoch;
  p->rpm_version = version;
  p->rpm_release = release;
  p->arch = arch && *arch ? arch : NULL;
  p->licenses = license && *license ? license : NULL;
  p->maintainer = vendor && *vendor ? vendor : NULL;
  /* Epoch 0 compares equal to no epoch in rpm, so "0:" is not written (as Trivy does). */
  char ep[16] = "";
  if (epoch > 0) snprintf(ep, sizeof ep, "%d:", epoch);
  p->version = release ? bw_arena_printf(out->arena, "%s%s-%s", ep, version, release)
                       : bw_arena_printf(out->arena, "%s%s", ep, version);
  if (!p->version) return bw_error_set(err, BW_ENOMEM, "rpm: out of memory");
  size_t nlen, vrlen;
  const char *vr;
  if (sourcerpm && strcmp(sourcerpm, "(none)") != 0 && split_srpm(sourcerpm, &nlen, &vr, &vrlen)) {
    /* The source package gets the binary package's epoch: a source rpm name has none. */
    p->source_name = bw_arena_strndup(out->arena, sourcerpm, nlen);
    p->source_version = bw_arena_printf(out->arena, "%s%.*s", ep, (int)vrlen, vr);
    if (!p->source_name || !p->source_version) return bw_error_set(err, BW_ENOMEM, "rpm: out of memory");
  }
  return 0;
}

static int on_blob(void *ctx, const uint8_t *blob, size_t len, bw_error *err) {
  rpm_ctx *c = ctx;
  bw_rpm_header h;
  bw_error herr = {0};
  int rc = bw_rpm_header_parse(blob, len, c->out->arena, &h, &herr);
  if (rc == -BW_ENOMEM) return bw_error_set(err, BW_ENOMEM, "%s", herr.msg);
  if (rc) {
    /* Like rpm, a damaged header is skipped and the rest of the database is still read. */
    if (!c->bad) c->first_bad = herr;
    c->bad++;
    return 0;
  }
  c->headers++;
  /* Headers without name or version are not packages; gpg-pubkey entries are imported signing
   * keys, not software. */
  if (!h.name || !*h.name || !h.version || !*h.version || strcmp(h.name, "gpg-pubkey") == 0) return 0;
  return add_package(c, h.name, h.epoch, h.version, h.release, h.arch, h.sourcerpm, h.license, h.vendor,
                     err);
}

int bw_rpmdb_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  rpm_ctx c = {.out = out};
  if (len == 0) return 0; /* an empty placeholder file: no database, no packages */
  int rc;
  if (bw_rpmdb_is_sqlite(buf, len))
    rc = bw_rpmdb_sqlite_walk(buf, len, on_blob, &c, err);
  else if (bw_rpmdb_is_ndb(buf, len))
    rc = bw_rpmdb_ndb_walk(buf, len, on_blob, &c, err);
  else if (bw_rpmdb_is_bdb(buf, len))
    rc = bw_rpmdb_bdb_walk(buf, len, on_blob, &c, err);
  else
    return bw_error_set(err, BW_EUNSUPPORTED, "rpm: not an rpm database (BDB, NDB or SQLite)");
  if (rc) return rc;
  if (c.bad && !c.headers) {
    /* Not one record parsed: report why the first one failed rather than "no packages". */
    if (err && !err->code) *err = c.first_bad;
    if (err) bw_error_wrap(err, "rpm: none of %zu records is a valid header", c.bad);
    return -c.first_bad.code;
  }
  return 0;
}

/* Where rpm keeps its database: the classic place, the one Fedora 36+ / openSUSE moved it to,
 * and rpm-ostree's (Fedora CoreOS, RHEL for Edge). */
static bool rpm_wants(const char *path) {
  static const char *const dirs[] = {"var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/"};
  static const char *const files[] = {"Packages", "Packages.db", "rpmdb.sqlite"};
  for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
    size_t n = strlen(dirs[d]);
    if (strncmp(path, dirs[d], n) != 0) continue;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++)
      if (strcmp(path + n, files[f]) == 0) return true;
  }
  return false;
}

const bw_analyzer bw_analyzer_rpm = {
    .name = "rpm",
    .wants = rpm_wants,
    .parse = bw_rpmdb_parse,
    .max_bytes = BW_LIMIT_PKGDB_BYTES,
};

/* CBL-Mariner / Azure Linux distroless images carry no rpmdb, only this manifest: one line per
 * package, tab-separated (rpm -qa --qf of): name, version-release, install time, build time,
 * vendor, epoch or "(none)", size, arch, epoch number, source rpm. */
int bw_rpm_manifest_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  rpm_ctx c = {.out = out};
  const char *s = (const char *)buf, *end = s + len;
  while (s < end) {
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    if (!eol) eol = end;
    const char *f[10];
    size_t fl[10], nf = 0;
    for (const char *p = s; nf < 10;) {
      const char *tab = memchr(p, '\t', (size_t)(eol - p));
      const char *fe = tab ? tab : eol;
      f[nf] = p;
      fl[nf] = (size_t)(fe - p);
      nf++;
      if (!tab) break;
      p = tab + 1;
    }
    s = eol + 1;
    if (nf < 10) continue; /* blank or malformed line */
    bw_trim(&f[9], &fl[9]); /* drops a CR of CRLF files */
    const char *dash = fl[1] ? memrchr(f[1], '-', fl[1]) : NULL;
    if (!fl[0] || !dash || dash == f[1] || dash + 1 == f[1] + fl[1]) continue;
    int epoch = -1;
    uint64_t e;
    if (bw_parse_u64(f[5], fl[5], &e) && e <= 0x7fffffff) epoch = (int)e;
    bw_arena *a = out->arena;
    const char *name = bw_arena_strndup(a, f[0], fl[0]);
    const char *version = bw_arena_strndup(a, f[1], (size_t)(dash - f[1]));
    const char *release = bw_arena_strndup(a, dash + 1, (size_t)(f[1] + fl[1] - dash - 1));
    const char *vendor = bw_arena_strndup(a, f[4], fl[4]);
    const char *arch = bw_arena_strndup(a, f[7], fl[7]);
    const char *srpm = bw_arena_strndup(a, f[9], fl[9]);
    if (!name || !version || !release || !vendor || !arch || !srpm)
      return bw_error_set(err, BW_ENOMEM, "rpm manifest: out of memory");
    if (strcmp(name, "gpg-pubkey") == 0) continue;
    int rc = add_package(&c, name, epoch, version, release, arch, srpm, NULL, vendor, err);
    if (rc) return rc;
  }
  return 0;
}

static bool rpm_manifest_wants(const char *path) {
  return strcmp(path, "var/lib/rpmmanifest/container-manifest-2") == 0;
}

const bw_analyzer bw_analyzer_rpm_manifest = {
    .name = "rpm-manifest",
    .wants = rpm_manifest_wants,
    .parse = bw_rpm_manifest_parse,
    .max_bytes = BW_LIMIT_TEXTDB_BYTES,
};
