/* The report writers over hand-built scan results (Debian, Rocky and Alpine images with tricky
 * versions, epochs and licence strings): writes every format into a directory, reads the JSON
 * back and checks fields, counts, exact purls, unique ids and references.
 *
 * usage: sbom_test [OUTDIR]   (default ./sbom_test.out)
 * tests/e2e/sbom_schema_test.sh runs it with its own OUTDIR and validates the CycloneDX and SPDX
 * files against the official schemas; it also checks OUTDIR/spdx-known-ids.txt (the SPDX ids the
 * licence normaliser knows) against the official SPDX licence list. */
#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/result.h"
#include "report/spdx_license.h"
#include "unit/test.h"

static const char *outdir = "sbom_test.out";

#define DIFF1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define DIFF2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

typedef struct fixture {
  const char *name; /* file name stem */
  bw_image img;
  bw_layer_desc layers[2];
  bw_scan_result r;
  bw_arena *arena;
} fixture;

static void fixture_init(fixture *fx, const char *name, const char *ref, const char *digest, const char *arch,
                         bw_os_info os) {
  memset(fx, 0, sizeof *fx);
  fx->name = name;
  fx->arena = bw_arena_new();
  fx->layers[0] = (bw_layer_desc){
      .digest = (char *)"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      .diff_id = (char *)DIFF1,
      .media_type = (char *)"application/vnd.oci.image.layer.v1.tar+gzip",
      .size = 29123456,
      .created_by = (char *)"/bin/sh -c #(nop) ADD file:0123 in / "};
  fx->layers[1] = (bw_layer_desc){
      .digest = (char *)"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      .diff_id = (char *)DIFF2,
      .size = -1,
      .created_by = NULL};
  fx->img.name = (char *)ref;
  fx->img.manifest_digest = (char *)digest;
  fx->img.config_digest = (char *)"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
  fx->img.os = (char *)"linux";
  fx->img.architecture = (char *)arch;
  fx->img.layers = fx->layers;
  fx->img.nlayers = 2;
  fx->r.image = &fx->img;
  fx->r.os = os;
  fx->r.arena = fx->arena;
  bw_pkglist_init(&fx->r.packages);
}

static void fixture_dispose(fixture *fx) {
  bw_pkglist_dispose(&fx->r.packages);
  bw_arena_free(fx->arena);
}

static bw_package *add(fixture *fx, bw_pkg_type t, const char *name, const char *version, const char *arch,
                       const char *src, const char *srcver, const char *lic, const char *layer, const char *path) {
  bw_error err = {0};
  bw_package *p = bw_pkglist_add(&fx->r.packages, &err);
  if (!p) abort();
  p->type = t;
  p->name = name;
  p->version = version;
  p->arch = arch;
  p->source_name = src;
  p->source_version = srcver;
  p->licenses = lic;
  p->layer = layer;
  p->path = path;
  return p;
}

static void debian_fixture(fixture *fx) {
  fixture_init(fx, "debian", "oci:/images/debian:12", "sha256:d000000000000000000000000000000000000000000000000000000000000001",
               "amd64", (bw_os_info){.family = "debian", .version = "12", .name = "Debian GNU/Linux 12 (bookworm)",
                                     .codename = "bookworm"});
  const char *st = "var/lib/dpkg/status";
  add(fx, BW_PKG_DEB, "bash", "5.2.15-2+b2", "amd64", "bash", "5.2.15-2", "GPL-3+", DIFF1, st);
  add(fx, BW_PKG_DEB, "login", "1:4.13+dfsg1-1+b1", "amd64", "shadow", "1:4.13+dfsg1-1", "MIT AND BSD", DIFF1, st);
  add(fx, BW_PKG_DEB, "libstdc++6", "12.2.0-14", "amd64", "gcc-12", "12.2.0-14",
      "GPL-3.0-or-later WITH GCC-exception-3.1", DIFF1, st);
  add(fx, BW_PKG_DEB, "tzdata", "2024a-0+deb12u1", "all", NULL, NULL, "public-domain", DIFF1, st);
  add(fx, BW_PKG_DEB, "libfoo1", "1.2.3~rc1-1", "amd64", "foo", "1.2.3~rc1-1", NULL, DIFF2, st);
  /* the same package recorded twice (distroless status.d next to status): same purl */
  add(fx, BW_PKG_DEB, "bash", "5.2.15-2+b2", "amd64", "bash", "5.2.15-2", "GPL-3+", DIFF2,
      "var/lib/dpkg/status.d/bash");
  add(fx, BW_PKG_NPM, "@babel/core", "7.22.0", NULL, NULL, NULL, "MIT", DIFF2,
      "usr/lib/node_modules/@babel/core/package.json");
  /* hostile metadata: invalid UTF-8 and a terminal escape */
  add(fx, BW_PKG_DEB, "bad\xff\xfename", "1", "amd64", NULL, NULL, "GPLv2+", DIFF2, st);
  add(fx, BW_PKG_DEB, "ctl\x1b[31mred", "1", "amd64", NULL, NULL, "(weird", DIFF2, st);
}

static void rocky_fixture(fixture *fx) {
  fixture_init(fx, "rocky", "docker://registry.local/rockylinux:9", "sha256:e000000000000000000000000000000000000000000000000000000000000002",
               "amd64", (bw_os_info){.family = "rocky", .version = "9.3", .name = "Rocky Linux 9.3 (Blue Onyx)"});
  const char *db = "var/lib/rpm/rpmdb.sqlite";
  bw_package *p = add(fx, BW_PKG_RPM, "openssl-libs", "1:3.0.7-24.el9", "x86_64", "openssl", "1:3.0.7-24.el9",
                      "ASL 2.0", DIFF1, db);
  p->epoch = 1, p->rpm_version = "3.0.7", p->rpm_release = "24.el9";
  p = add(fx, BW_PKG_RPM, "bash", "5.1.8-6.el9_1", "x86_64", "bash", "5.1.8-6.el9_1", "GPLv3+", DIFF1, db);
  p->rpm_version = "5.1.8", p->rpm_release = "6.el9_1";
  p = add(fx, BW_PKG_RPM, "perl-Text-Tabs+Wrap", "2013.0523-460.el9", "noarch", "perl-Text-Tabs+Wrap",
          "2013.0523-460.el9", "TTWL", DIFF1, db);
  p->rpm_version = "2013.0523", p->rpm_release = "460.el9";
  p = add(fx, BW_PKG_RPM, "glibc", "2.34-60.el9", "x86_64", "glibc", "2.34-60.el9",
          "LGPLv2+ and LGPLv2+ with exceptions and GPLv2+ and GPLv2+ with exceptions and BSD and Inner-Net and ISC "
          "and Public Domain and GFDL",
          DIFF1, db);
  p->rpm_version = "2.34", p->rpm_release = "60.el9";
  p = add(fx, BW_PKG_RPM, "shadow-utils", "2:4.9-8.el9", "x86_64", "shadow-utils", "2:4.9-8.el9",
          "BSD and GPLv2+", DIFF2, db);
  p->epoch = 2, p->rpm_version = "4.9", p->rpm_release = "8.el9";
  add(fx, BW_PKG_RPM, "gpg-pubkey", "350d275d-6279464b", NULL, NULL, NULL, NULL, DIFF2, db);
}

static void alpine_fixture(fixture *fx) {
  fixture_init(fx, "alpine", "docker-archive:/tmp/alpine.tar", "sha256:f000000000000000000000000000000000000000000000000000000000000003",
               "amd64", (bw_os_info){.family = "alpine", .version = "3.18.0", .name = "Alpine Linux v3.18"});
  const char *db = "lib/apk/db/installed";
  add(fx, BW_PKG_APK, "musl", "1.2.4-r2", "x86_64", "musl", "1.2.4-r2", "MIT", DIFF1, db);
  add(fx, BW_PKG_APK, "libstdc++", "12.2.1_git20220924-r10", "x86_64", "gcc", "12.2.1_git20220924-r10",
      "GPL-2.0-or-later AND LGPL-2.1-or-later", DIFF2, db);
  add(fx, BW_PKG_APK, "busybox", "1.36.1-r2", "x86_64", "busybox", "1.36.1-r2", "GPL-2.0-only", DIFF1, db);
  add(fx, BW_PKG_APK, "ca-certificates-bundle", "20230506-r0", "x86_64", "ca-certificates", "20230506-r0",
      "MPL-2.0 AND MIT", DIFF1, db);
}

/* ---- writing ---- */

typedef int (*writer)(FILE *, const bw_scan_result *, bw_error *);

static char *path_of(const fixture *fx, const char *ext) {
  size_t n = strlen(outdir) + strlen(fx->name) + strlen(ext) + 3;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s%s", outdir, fx->name, ext);
  return p;
}

static bool write_doc(const fixture *fx, const char *ext, writer w) {
  char *path = path_of(fx, ext);
  FILE *f = fopen(path, "w");
  bw_error err = {0};
  int rc = f ? w(f, &fx->r, &err) : -1;
  if (f) fclose(f);
  if (rc) fprintf(stderr, "writing %s: %d %s\n", path, rc, err.msg);
  free(path);
  return rc == 0;
}

static json_t *load(const fixture *fx, const char *ext) {
  char *path = path_of(fx, ext);
  json_error_t je;
  json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (!j) fprintf(stderr, "%s: %s (line %d)\n", path, je.text, je.line);
  free(path);
  return j;
}

static const char *jget(const json_t *o, const char *path) {
  /* dotted path of object keys to a string */
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  const json_t *cur = o;
  for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && cur; k = strtok_r(NULL, ".", &save))
    cur = json_object_get(cur, k);
  return json_string_value(cur);
}

static bool matches(const char *re, const char *s) {
  regex_t r;
  if (!s || regcomp(&r, re, REG_EXTENDED | REG_NOSUB)) return false;
  bool ok = regexec(&r, s, 0, NULL, 0) == 0;
  regfree(&r);
  return ok;
}

/* ---- bulwark.report/v1 ---- */

static void check_json(const fixture *fx) {
  json_t *d = load(fx, ".json");
  CHECK(d != NULL);
  if (!d) return;
  /* stable key order */
  static const char *const keys[] = {"schema", "artifact", "db", "summary", "packages", "vulnerabilities", "baseline",
                                     "malware"};
  size_t k = 0;
  for (void *it = json_object_iter(d); it; it = json_object_iter_next(d, it), k++)
    CHECK(k < 8 && strcmp(json_object_iter_key(it), keys[k]) == 0);
  CHECK(k == 8);
  CHECK_STR(jget(d, "schema"), "bulwark.report/v1");
  CHECK_STR(jget(d, "artifact.name"), fx->img.name);
  CHECK_STR(jget(d, "artifact.digest"), fx->img.manifest_digest);
  CHECK_STR(jget(d, "artifact.os.family"), fx->r.os.family);
  CHECK_STR(jget(d, "artifact.os.version"), fx->r.os.version);
  CHECK_STR(jget(d, "artifact.os.name"), fx->r.os.name);
  CHECK_STR(jget(d, "artifact.architecture"), "amd64");
  json_t *layers = json_object_get(json_object_get(d, "artifact"), "layers");
  CHECK(json_array_size(layers) == 2);
  CHECK_STR(json_string_value(json_object_get(json_array_get(layers, 0), "diff_id")), DIFF1);
  CHECK(json_integer_value(json_object_get(json_array_get(layers, 0), "size")) == 29123456);
  CHECK(json_is_null(json_object_get(json_array_get(layers, 1), "size")));
  CHECK(json_is_null(json_object_get(json_array_get(layers, 1), "created_by")));
  json_t *sum = json_object_get(d, "summary");
  CHECK(json_integer_value(json_object_get(json_object_get(sum, "vulnerabilities"), "CRITICAL")) == 0);
  CHECK(json_is_integer(json_object_get(json_object_get(sum, "baseline"), "UNKNOWN")));
  CHECK(json_integer_value(json_object_get(sum, "malware")) == 0);
  CHECK_STR(jget(d, "summary.risk"), "NONE");
  CHECK(json_array_size(json_object_get(d, "vulnerabilities")) == 0);
  CHECK(json_array_size(json_object_get(d, "baseline")) == 0);
  CHECK(json_array_size(json_object_get(d, "malware")) == 0);

  json_t *pk = json_object_get(d, "packages");
  size_t n = bw_pkglist_len(&fx->r.packages);
  CHECK(json_array_size(pk) == n);
  bw_arena *a = bw_arena_new();
  for (size_t i = 0; i < n && i < json_array_size(pk); i++) {
    const bw_package *p = bw_pkglist_at(&fx->r.packages, i);
    json_t *o = json_array_get(pk, i);
    static const char *const pkeys[] = {"name", "version", "arch", "type", "purl", "source_name", "source_version",
                                        "licenses", "layer", "path"};
    size_t pkn = 0;
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it), pkn++)
      CHECK(pkn < 10 && strcmp(json_object_iter_key(it), pkeys[pkn]) == 0);
    CHECK(pkn == 10);
    CHECK_STR(jget(o, "purl"), bw_purl(a, p, &fx->r.os));
    CHECK_STR(jget(o, "type"), bw_pkg_type_name(p->type));
    CHECK_STR(jget(o, "layer"), p->layer);
    CHECK_STR(jget(o, "path"), p->path);
    CHECK(json_is_array(json_object_get(o, "licenses")));
    if (p->arch) CHECK_STR(jget(o, "arch"), p->arch);
    else CHECK(json_is_null(json_object_get(o, "arch")));
  }
  bw_arena_free(a);
  if (strcmp(fx->name, "debian") == 0) {
    json_t *login = json_array_get(pk, 1);
    CHECK_STR(jget(login, "version"), "1:4.13+dfsg1-1+b1");
    CHECK_STR(jget(login, "purl"), "pkg:deb/debian/login@1:4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12");
    json_t *lic = json_object_get(login, "licenses"); /* "MIT AND BSD": two licences */
    CHECK(json_array_size(lic) == 2);
    CHECK_STR(json_string_value(json_array_get(lic, 0)), "MIT");
    CHECK_STR(json_string_value(json_array_get(lic, 1)), "BSD");
    json_t *gcc = json_object_get(json_array_get(pk, 2), "licenses"); /* WITH: kept whole */
    CHECK(json_array_size(gcc) == 1);
    CHECK(json_array_size(json_object_get(json_array_get(pk, 4), "licenses")) == 0);
    CHECK_STR(jget(json_array_get(pk, 6), "purl"), "pkg:npm/%40babel/core@7.22.0");
    /* invalid UTF-8 repaired to U+FFFD, the document still loads */
    CHECK_STR(jget(json_array_get(pk, 7), "name"), "bad\xef\xbf\xbd\xef\xbf\xbdname");
  } else if (strcmp(fx->name, "rocky") == 0) {
    CHECK_STR(jget(json_array_get(pk, 0), "purl"),
              "pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rocky-9.3&epoch=1");
    CHECK(json_array_size(json_object_get(json_array_get(pk, 3), "licenses")) == 1); /* lower-case "and" */
  } else {
    CHECK_STR(jget(json_array_get(pk, 0), "purl"), "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.0");
    CHECK(json_array_size(json_object_get(json_array_get(pk, 3), "licenses")) == 2);
  }
  json_decref(d);
}

/* ---- CycloneDX 1.5 ---- */

static void check_cyclonedx(const fixture *fx) {
  json_t *d = load(fx, ".cdx.json");
  CHECK(d != NULL);
  if (!d) return;
  CHECK_STR(jget(d, "bomFormat"), "CycloneDX");
  CHECK_STR(jget(d, "specVersion"), "1.5");
  CHECK(json_integer_value(json_object_get(d, "version")) == 1);
  CHECK(matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                jget(d, "serialNumber")));
  CHECK_STR(jget(d, "metadata.timestamp"), "2023-11-14T22:13:20Z"); /* SOURCE_DATE_EPOCH=1700000000 */
  json_t *tools = json_object_get(json_object_get(json_object_get(d, "metadata"), "tools"), "components");
  CHECK_STR(json_string_value(json_object_get(json_array_get(tools, 0), "name")), "bulwark");
  CHECK_STR(jget(d, "metadata.component.type"), "container");
  CHECK_STR(jget(d, "metadata.component.name"), fx->img.name);
  CHECK_STR(jget(d, "metadata.component.version"), fx->img.manifest_digest);
  const char *top = jget(d, "metadata.component.bom-ref");
  CHECK(top != NULL);

  json_t *comps = json_object_get(d, "components");
  size_t n = bw_pkglist_len(&fx->r.packages);
  CHECK(json_array_size(comps) == n + 1);
  CHECK_STR(json_string_value(json_object_get(json_array_get(comps, 0), "type")), "operating-system");
  CHECK_STR(json_string_value(json_object_get(json_array_get(comps, 0), "name")), fx->r.os.family);
  CHECK_STR(json_string_value(json_object_get(json_array_get(comps, 0), "version")), fx->r.os.version);

  /* bom-refs unique; every component is a dependency of the container */
  json_t *deps = json_object_get(d, "dependencies");
  CHECK(json_array_size(deps) == 1);
  CHECK_STR(json_string_value(json_object_get(json_array_get(deps, 0), "ref")), top);
  json_t *on = json_object_get(json_array_get(deps, 0), "dependsOn");
  CHECK(json_array_size(on) == n + 1);
  bw_arena *a = bw_arena_new();
  for (size_t i = 0; i < json_array_size(comps); i++) {
    const char *ref = json_string_value(json_object_get(json_array_get(comps, i), "bom-ref"));
    CHECK(ref != NULL && strcmp(ref, top) != 0);
    CHECK_STR(json_string_value(json_array_get(on, i)), ref);
    for (size_t j = 0; j < i; j++)
      CHECK(strcmp(ref ? ref : "", json_string_value(json_object_get(json_array_get(comps, j), "bom-ref"))) != 0);
    if (i == 0 || i > n) continue;
    const bw_package *p = bw_pkglist_at(&fx->r.packages, i - 1);
    json_t *c = json_array_get(comps, i);
    CHECK_STR(json_string_value(json_object_get(c, "type")), "library");
    CHECK_STR(json_string_value(json_object_get(c, "purl")), bw_purl(a, p, &fx->r.os));
    /* a property carries the layer */
    bool layer = false;
    json_t *props = json_object_get(c, "properties");
    for (size_t k = 0; k < json_array_size(props); k++) {
      json_t *pr = json_array_get(props, k);
      if (strcmp(json_string_value(json_object_get(pr, "name")), "bulwark:layer") == 0)
        layer = strcmp(json_string_value(json_object_get(pr, "value")), p->layer) == 0;
    }
    CHECK(layer);
  }
  bw_arena_free(a);
  if (strcmp(fx->name, "debian") == 0) {
    /* the duplicate bash (index 5, component 6) got a distinct bom-ref derived from its purl */
    CHECK_STR(json_string_value(json_object_get(json_array_get(comps, 6), "bom-ref")),
              "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12#2");
    json_t *lic = json_object_get(json_array_get(comps, 2), "licenses");
    CHECK(json_array_size(lic) == 2);
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_array_get(lic, 1), "license"), "name")), "BSD");
  }
  json_decref(d);
}

/* ---- SPDX 2.3 ---- */

static bool id_in(json_t *arr, const char *key, const char *id) {
  for (size_t i = 0; i < json_array_size(arr); i++)
    if (strcmp(json_string_value(json_object_get(json_array_get(arr, i), key)), id) == 0) return true;
  return false;
}

/* Every token of an SPDX licence expression is an operator, a parenthesis, a known id (with an
 * optional '+') or a LicenseRef defined in the document. */
static bool expression_ok(const char *e, json_t *extracted) {
  if (!e) return false;
  if (strcmp(e, "NOASSERTION") == 0) return true;
  char *copy = strdup(e);
  bool ok = true;
  int depth = 0;
  for (char *c = copy; *c; c++) {
    if (*c == '(') depth++, *c = ' ';
    else if (*c == ')') depth--, *c = ' ';
    if (depth < 0) ok = false;
  }
  ok = ok && depth == 0;
  for (char *save = NULL, *t = strtok_r(copy, " ", &save); t && ok; t = strtok_r(NULL, " ", &save)) {
    if (!strcmp(t, "AND") || !strcmp(t, "OR") || !strcmp(t, "WITH")) continue;
    if (strncmp(t, "LicenseRef-", 11) == 0) {
      ok = matches("^LicenseRef-[A-Za-z0-9.-]+$", t) && id_in(extracted, "licenseId", t);
      continue;
    }
    size_t n = strlen(t);
    if (n > 1 && t[n - 1] == '+') t[n - 1] = 0;
    bool known = false;
    for (int kind = 0; kind < 2 && !known; kind++)
      for (size_t i = 0; bw_spdx_known_id(kind, i) && !known; i++) known = strcmp(bw_spdx_known_id(kind, i), t) == 0;
    ok = known;
  }
  free(copy);
  return ok;
}

static void check_spdx(const fixture *fx) {
  json_t *d = load(fx, ".spdx.json");
  CHECK(d != NULL);
  if (!d) return;
  CHECK_STR(jget(d, "spdxVersion"), "SPDX-2.3");
  CHECK_STR(jget(d, "dataLicense"), "CC0-1.0");
  CHECK_STR(jget(d, "SPDXID"), "SPDXRef-DOCUMENT");
  CHECK_STR(jget(d, "name"), fx->img.name);
  const char *ns = jget(d, "documentNamespace");
  CHECK(matches("^https://bulwark\\.invalid/spdx/[A-Za-z0-9._~-]+$", ns));
  CHECK_STR(jget(d, "creationInfo.created"), "2023-11-14T22:13:20Z");
  CHECK_STR(json_string_value(json_array_get(json_object_get(json_object_get(d, "creationInfo"), "creators"), 0)),
            "Tool: bulwark-" BW_VERSION);

  json_t *pkgs = json_object_get(d, "packages"), *rels = json_object_get(d, "relationships");
  json_t *ex = json_object_get(d, "hasExtractedLicensingInfos");
  size_t n = bw_pkglist_len(&fx->r.packages);
  CHECK(json_array_size(pkgs) == n + 2); /* image, OS, packages */
  CHECK(json_array_size(rels) == n + 2); /* DESCRIBES, CONTAINS OS, CONTAINS each package */
  CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 0), "primaryPackagePurpose")), "CONTAINER");
  CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 1), "primaryPackagePurpose")), "OPERATING-SYSTEM");
  bw_arena *a = bw_arena_new();
  for (size_t i = 0; i < json_array_size(pkgs); i++) {
    json_t *p = json_array_get(pkgs, i);
    const char *id = json_string_value(json_object_get(p, "SPDXID"));
    CHECK(matches("^SPDXRef-[A-Za-z0-9.-]+$", id));
    for (size_t j = 0; j < i; j++)
      CHECK(strcmp(id ? id : "", json_string_value(json_object_get(json_array_get(pkgs, j), "SPDXID"))) != 0);
    CHECK_STR(json_string_value(json_object_get(p, "downloadLocation")), "NOASSERTION");
    CHECK(json_is_false(json_object_get(p, "filesAnalyzed")));
    CHECK_STR(json_string_value(json_object_get(p, "licenseConcluded")), "NOASSERTION");
    const char *decl = json_string_value(json_object_get(p, "licenseDeclared"));
    CHECK(expression_ok(decl, ex));
    if (!expression_ok(decl, ex)) fprintf(stderr, "  licenseDeclared: %s\n", decl ? decl : "(null)");
    if (i < 2) continue;
    const bw_package *bp = bw_pkglist_at(&fx->r.packages, i - 2);
    json_t *er = json_array_get(json_object_get(p, "externalRefs"), 0);
    CHECK_STR(json_string_value(json_object_get(er, "referenceCategory")), "PACKAGE-MANAGER");
    CHECK_STR(json_string_value(json_object_get(er, "referenceType")), "purl");
    CHECK_STR(json_string_value(json_object_get(er, "referenceLocator")), bw_purl(a, bp, &fx->r.os));
  }
  bw_arena_free(a);
  /* relationships point at packages that exist */
  CHECK_STR(json_string_value(json_object_get(json_array_get(rels, 0), "relationshipType")), "DESCRIBES");
  CHECK_STR(json_string_value(json_object_get(json_array_get(rels, 0), "spdxElementId")), "SPDXRef-DOCUMENT");
  for (size_t i = 0; i < json_array_size(rels); i++) {
    json_t *r = json_array_get(rels, i);
    const char *from = json_string_value(json_object_get(r, "spdxElementId"));
    CHECK(strcmp(from, "SPDXRef-DOCUMENT") == 0 || id_in(pkgs, "SPDXID", from));
    CHECK(id_in(pkgs, "SPDXID", json_string_value(json_object_get(r, "relatedSpdxElement"))));
    if (i) CHECK_STR(json_string_value(json_object_get(r, "relationshipType")), "CONTAINS");
  }
  /* every extracted licence is used, has its text, and is listed once */
  for (size_t i = 0; i < json_array_size(ex); i++) {
    json_t *e = json_array_get(ex, i);
    CHECK(json_string_length(json_object_get(e, "extractedText")) > 0);
    const char *lid = json_string_value(json_object_get(e, "licenseId"));
    for (size_t j = 0; j < i; j++)
      CHECK(strcmp(lid, json_string_value(json_object_get(json_array_get(ex, j), "licenseId"))) != 0);
  }
  if (strcmp(fx->name, "debian") == 0) {
    CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 2), "licenseDeclared")), "GPL-3.0-or-later");
    CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 3), "licenseDeclared")), "MIT AND LicenseRef-BSD");
    CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 4), "licenseDeclared")),
              "GPL-3.0-or-later WITH GCC-exception-3.1");
    CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 6), "licenseDeclared")), "NOASSERTION");
    CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 3), "sourceInfo")),
              "built package from: shadow 1:4.13+dfsg1-1");
    CHECK(json_array_size(ex) == 3); /* BSD, public-domain, (weird */
  } else if (strcmp(fx->name, "rocky") == 0) {
    CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 2), "licenseDeclared")), "Apache-2.0");
    CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 3), "licenseDeclared")), "GPL-3.0-or-later");
    CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 5), "licenseDeclared")),
              "LGPL-2.0-or-later AND LicenseRef-LGPLv2-plus-with-exceptions AND GPL-2.0-or-later AND "
              "LicenseRef-GPLv2-plus-with-exceptions AND LicenseRef-BSD AND LicenseRef-Inner-Net AND ISC AND "
              "LicenseRef-Public-Domain AND LicenseRef-GFDL");
    CHECK_STR(json_string_value(json_object_get(json_array_get(pkgs, 6), "licenseDeclared")),
              "LicenseRef-BSD AND GPL-2.0-or-later");
  }
  json_decref(d);
}

/* ---- table ---- */

static void check_table(const fixture *fx) {
  char *path = path_of(fx, ".txt");
  size_t len = 0;
  unsigned char *t = test_read_file(path, &len);
  free(path);
  CHECK(t != NULL);
  if (!t) return;
  const char *s = (const char *)t;
  CHECK(strstr(s, fx->img.name) != NULL);
  CHECK(strstr(s, fx->img.manifest_digest) != NULL);
  CHECK(strstr(s, fx->r.os.name) != NULL);
  CHECK(strstr(s, "Name") && strstr(s, "| Version") && strstr(s, "| Type") && strstr(s, "| Source") &&
        strstr(s, "| Layer"));
  CHECK(strstr(s, "111111111111\n") != NULL); /* short layer id ends a row */
  CHECK(memchr(t, 0x1b, len) == NULL);         /* no terminal escapes get through */
  size_t rows = 0;
  for (const char *p = strstr(s, "-+-"); p && (p = strchr(p, '\n')); p++)
    if (p[1]) rows++;
  CHECK(rows == bw_pkglist_len(&fx->r.packages));
  if (strcmp(fx->name, "debian") == 0) CHECK(strstr(s, "ctl?[31mred") != NULL);
  free(t);
}

/* ---- whole documents ---- */

static void run_fixture(fixture *fx) {
  CHECK(write_doc(fx, ".json", bw_report_write_json));
  CHECK(write_doc(fx, ".cdx.json", bw_report_write_cyclonedx));
  CHECK(write_doc(fx, ".spdx.json", bw_report_write_spdx));
  CHECK(write_doc(fx, ".txt", bw_report_write_table));
  check_json(fx);
  check_cyclonedx(fx);
  check_spdx(fx);
  check_table(fx);
}

static char *write_mem(const fixture *fx, writer w) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  bw_error err = {0};
  int rc = w(f, &fx->r, &err);
  fclose(f);
  if (rc) {
    free(buf);
    return NULL;
  }
  return buf;
}

static void test_reproducible(fixture *fx) {
  /* SOURCE_DATE_EPOCH set: byte-identical documents */
  char *a = write_mem(fx, bw_report_write_cyclonedx), *b = write_mem(fx, bw_report_write_cyclonedx);
  CHECK(a && b && strcmp(a, b) == 0);
  free(a), free(b);
  a = write_mem(fx, bw_report_write_spdx), b = write_mem(fx, bw_report_write_spdx);
  CHECK(a && b && strcmp(a, b) == 0);
  free(a), free(b);
  /* not set: a fresh random serial number and namespace each time */
  unsetenv("SOURCE_DATE_EPOCH");
  a = write_mem(fx, bw_report_write_cyclonedx), b = write_mem(fx, bw_report_write_cyclonedx);
  CHECK(a && b && strcmp(a, b) != 0);
  free(a), free(b);
  a = write_mem(fx, bw_report_write_spdx), b = write_mem(fx, bw_report_write_spdx);
  CHECK(a && b && strcmp(a, b) != 0);
  free(a), free(b);
  setenv("SOURCE_DATE_EPOCH", "garbage", 1); /* ignored: the current time is used */
  a = write_mem(fx, bw_report_write_cyclonedx);
  CHECK(a && !strstr(a, "1970-01-01"));
  free(a);
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
}

static void test_empty_and_errors(void) {
  /* no image, no OS, no packages: still valid documents */
  bw_scan_result r = {0};
  bw_pkglist_init(&r.packages);
  writer ws[] = {bw_report_write_json, bw_report_write_cyclonedx, bw_report_write_spdx, bw_report_write_table};
  for (size_t i = 0; i < 4; i++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    bw_error err = {0};
    CHECK(ws[i](f, &r, &err) == 0);
    fclose(f);
    if (i < 3) {
      json_t *j = json_loads(buf, 0, NULL);
      CHECK(j != NULL);
      json_decref(j);
    }
    free(buf);
  }
  /* a full disk is an I/O error, not a silent success */
  FILE *full = fopen("/dev/full", "w");
  if (!full) {
    SKIP("/dev/full not available");
  } else {
    for (size_t i = 0; i < 4; i++) {
      bw_error err = {0};
      CHECK(ws[i](full, &r, &err) == -BW_EIO);
      CHECK(err.code == BW_EIO);
      clearerr(full);
    }
    fclose(full);
  }
  bw_pkglist_dispose(&r.packages);
}

static void write_known_ids(void) {
  size_t n = strlen(outdir) + 32;
  char *path = malloc(n);
  snprintf(path, n, "%s/spdx-known-ids.txt", outdir);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  for (int kind = 0; f && kind < 2; kind++)
    for (size_t i = 0; bw_spdx_known_id(kind, i); i++)
      fprintf(f, "%s %s\n", kind ? "exception" : "license", bw_spdx_known_id(kind, i));
  if (f) fclose(f);
  free(path);
}

int main(int argc, char **argv) {
  if (argc > 1) outdir = argv[1];
  if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "mkdir %s: %s\n", outdir, strerror(errno));
    return 1;
  }
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  fixture fx[3];
  debian_fixture(&fx[0]);
  rocky_fixture(&fx[1]);
  alpine_fixture(&fx[2]);
  for (int i = 0; i < 3; i++) run_fixture(&fx[i]);
  test_reproducible(&fx[0]);
  test_empty_and_errors();
  write_known_ids();
  for (int i = 0; i < 3; i++) fixture_dispose(&fx[i]);
  return test_finish();
}
