/* The vulnerability parts of the report writers over a hand-built scan result (a Debian image with
 * OS and application findings): JSON fields, summary and risk; SARIF rules, levels,
 * security-severity and locations; CycloneDX vulnerabilities affecting existing bom-refs; a table
 * that fits 80 columns and cannot be fed escape sequences.
 *
 * usage: vuln_report_test [OUTDIR]   (default ./vuln_report_test.out)
 * tests/e2e/sbom_schema_test.sh runs it with its OUTDIR and validates the .cdx.json file against
 * the CycloneDX 1.5 schema and the .sarif file against the OASIS SARIF 2.1.0 schema. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "report/result.h"
#include "unit/test.h"
#include "vuln/vulndb.h"

static const char *outdir = "vuln_report_test.out";
#define DIFF1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"

static bw_image img;
static bw_layer_desc layer = {.digest = (char *)"sha256:aa", .diff_id = (char *)DIFF1, .size = 10};
static bw_scan_result r;

static bw_package *pkg(bw_pkg_type t, const char *name, const char *version, const char *src, const char *path) {
  bw_error err = {0};
  bw_package *p = bw_pkglist_add(&r.packages, &err);
  if (!p) abort();
  p->type = t;
  p->name = name;
  p->version = version;
  p->source_name = src;
  p->source_version = src ? version : NULL;
  p->layer = DIFF1;
  p->path = path;
  return p;
}

static void vuln(size_t pkg_index, const char *id, int sev, const char *fixed, double score, const char *title) {
  bw_vuln *v = bw_vec_push(&r.vulns);
  if (!v) abort();
  const bw_package *p = bw_pkglist_at(&r.packages, pkg_index);
  v->id = id;
  v->aliases_json = strncmp(id, "CVE-", 4) ? "[\"CVE-2099-1000\"]" : "[]";
  v->app = !(p->type == BW_PKG_DEB);
  v->package = p;
  v->fixed_version = fixed;
  v->status = fixed ? "fixed" : "unfixed";
  v->severity = sev;
  v->cvss_version = score >= 0 ? "3.1" : NULL;
  v->cvss_vector = score >= 0 ? "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H" : NULL;
  v->cvss_score = score;
  v->title = title;
  v->references_json = "[\"https://example.org/advisory\"]";
}

static void build(void) {
  img = (bw_image){.name = (char *)"oci:/images/app:1", .manifest_digest = (char *)"sha256:d1",
                   .architecture = (char *)"amd64", .layers = &layer, .nlayers = 1};
  r.image = &img;
  r.os = (bw_os_info){.family = "debian", .version = "12", .name = "Debian GNU/Linux 12 (bookworm)"};
  r.arena = bw_arena_new();
  bw_pkglist_init(&r.packages);
  bw_vec_init(&r.vulns, sizeof(bw_vuln), 0);
  r.scanned_vulns = true;
  r.db_updated_at = "2026-11-28T12:00:00Z";
  r.db_sources = "Debian:12 1827, Maven 5";
  const char *st = "var/lib/dpkg/status";
  pkg(BW_PKG_DEB, "libc6", "2.36-9+deb12u1", "glibc", st);                                    /* 0 */
  pkg(BW_PKG_DEB, "libc-bin", "2.36-9+deb12u1", "glibc", st);                                 /* 1 */
  pkg(BW_PKG_MAVEN, "org.apache.logging.log4j:log4j-core", "2.14.0", NULL, "app/lib/log4j core.jar"); /* 2 */
  pkg(BW_PKG_DEB, "ctl\x1b[31mred", "1", NULL, st);                                            /* 3 */
  vuln(2, "GHSA-jfh8-c2jp-5v3q", BW_SEV_CRITICAL, "2.15.0", 9.8, "Remote code injection in Log4j");
  vuln(0, "DEBIAN-CVE-2099-0001", BW_SEV_HIGH, "2.36-9+deb12u3", -1,
       "a very long title that goes on and on about a buffer overflow in a function nobody calls anymore");
  vuln(1, "DEBIAN-CVE-2099-0001", BW_SEV_HIGH, "2.36-9+deb12u3", -1,
       "a very long title that goes on and on about a buffer overflow in a function nobody calls anymore");
  vuln(3, "CVE-2099-0002", BW_SEV_UNKNOWN, NULL, -1, "esc\x1b]0;title");
}

static json_t *write_and_load(const char *ext, int (*w)(FILE *, const bw_scan_result *, bw_error *), char **text) {
  char path[4096];
  snprintf(path, sizeof path, "%s/debian-vulns%s", outdir, ext);
  FILE *f = fopen(path, "w");
  if (!f) return NULL;
  bw_error err = {0};
  int rc = w(f, &r, &err);
  fclose(f);
  CHECK(rc == 0);
  size_t len;
  char *buf = (char *)test_read_file(path, &len);
  if (text) *text = buf;
  json_t *doc = buf && !text ? json_loads(buf, 0, NULL) : NULL;
  if (!text) free(buf);
  return doc;
}

static void check_json(void) {
  char *text = NULL;
  write_and_load(".json", bw_report_write_json, &text);
  CHECK(text && strstr(text, "\"score\": 9.8\n")); /* not 9.8000000000000007 */
  free(text);
  json_t *d = write_and_load(".json", bw_report_write_json, NULL);
  CHECK(d != NULL);
  json_t *vs = json_object_get(d, "vulnerabilities");
  CHECK(json_array_size(vs) == 4);
  json_t *v0 = json_array_get(vs, 0);
  CHECK_STR(json_string_value(json_object_get(v0, "id")), "GHSA-jfh8-c2jp-5v3q");
  CHECK_STR(json_string_value(json_object_get(v0, "class")), "app");
  CHECK_STR(json_string_value(json_object_get(v0, "type")), "maven");
  CHECK_STR(json_string_value(json_object_get(v0, "package")), "org.apache.logging.log4j:log4j-core");
  CHECK_STR(json_string_value(json_object_get(v0, "installed_version")), "2.14.0");
  CHECK_STR(json_string_value(json_object_get(v0, "fixed_version")), "2.15.0");
  CHECK_STR(json_string_value(json_object_get(v0, "status")), "fixed");
  CHECK_STR(json_string_value(json_object_get(v0, "severity")), "CRITICAL");
  CHECK_STR(json_string_value(json_object_get(v0, "layer")), DIFF1);
  CHECK_STR(json_string_value(json_object_get(v0, "path")), "app/lib/log4j core.jar");
  CHECK_STR(json_string_value(json_array_get(json_object_get(v0, "aliases"), 0)), "CVE-2099-1000");
  CHECK_STR(json_string_value(json_array_get(json_object_get(v0, "references"), 0)), "https://example.org/advisory");
  json_t *cvss = json_object_get(v0, "cvss");
  CHECK_STR(json_string_value(json_object_get(cvss, "version")), "3.1");
  CHECK(json_real_value(json_object_get(cvss, "score")) == 9.8);
  json_t *v3 = json_array_get(vs, 3);
  CHECK_STR(json_string_value(json_object_get(v3, "status")), "unfixed");
  CHECK(json_is_null(json_object_get(v3, "fixed_version")));
  CHECK(json_is_null(json_object_get(v3, "cvss")));
  CHECK_STR(json_string_value(json_object_get(v3, "class")), "os");
  json_t *sum = json_object_get(json_object_get(d, "summary"), "vulnerabilities");
  CHECK(json_integer_value(json_object_get(sum, "CRITICAL")) == 1);
  CHECK(json_integer_value(json_object_get(sum, "HIGH")) == 2);
  CHECK(json_integer_value(json_object_get(sum, "MEDIUM")) == 0);
  CHECK(json_integer_value(json_object_get(sum, "UNKNOWN")) == 1);
  CHECK_STR(json_string_value(json_object_get(json_object_get(d, "summary"), "risk")), "CRITICAL");
  json_t *db = json_object_get(d, "db");
  CHECK_STR(json_string_value(json_object_get(db, "updated_at")), "2026-11-28T12:00:00Z");
  CHECK(json_array_size(json_object_get(db, "sources")) == 2);
  CHECK_STR(json_string_value(json_array_get(json_object_get(db, "sources"), 1)), "Maven 5");
  json_decref(d);
}

static void check_sarif(void) {
  json_t *d = write_and_load(".sarif", bw_report_write_sarif, NULL);
  CHECK(d != NULL);
  CHECK_STR(json_string_value(json_object_get(d, "version")), "2.1.0");
  json_t *run = json_array_get(json_object_get(d, "runs"), 0);
  json_t *rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
  CHECK(json_array_size(rules) == 3); /* one per advisory id */
  json_t *r0 = json_array_get(rules, 0);
  CHECK_STR(json_string_value(json_object_get(r0, "id")), "GHSA-jfh8-c2jp-5v3q");
  CHECK_STR(json_string_value(json_object_get(json_object_get(r0, "shortDescription"), "text")),
            "Remote code injection in Log4j");
  CHECK_STR(json_string_value(json_object_get(r0, "helpUri")), "https://example.org/advisory");
  CHECK_STR(json_string_value(json_object_get(json_object_get(r0, "properties"), "security-severity")), "9.8");
  /* no CVSS: a score inside the severity's band */
  json_t *r1 = json_array_get(rules, 1);
  CHECK_STR(json_string_value(json_object_get(json_object_get(r1, "properties"), "security-severity")), "8.0");
  json_t *results = json_object_get(run, "results");
  CHECK(json_array_size(results) == 4);
  static const char *const levels[] = {"error", "error", "error", "note"};
  for (size_t i = 0; i < json_array_size(results); i++) {
    json_t *res = json_array_get(results, i);
    CHECK_STR(json_string_value(json_object_get(res, "level")), levels[i]);
    json_t *rule = json_array_get(rules, (size_t)json_integer_value(json_object_get(res, "ruleIndex")));
    CHECK_STR(json_string_value(json_object_get(res, "ruleId")), json_string_value(json_object_get(rule, "id")));
  }
  json_t *loc = json_array_get(json_object_get(json_array_get(results, 0), "locations"), 0);
  CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(loc, "physicalLocation"),
                                                              "artifactLocation"),
                                              "uri")),
            "app/lib/log4j%20core.jar");
  json_decref(d);
}

static void check_cyclonedx(void) {
  json_t *d = write_and_load(".cdx.json", bw_report_write_cyclonedx, NULL);
  CHECK(d != NULL);
  json_t *vs = json_object_get(d, "vulnerabilities");
  CHECK(json_array_size(vs) == 3); /* one per advisory, the glibc one affecting two packages */
  json_t *comps = json_object_get(d, "components");
  size_t i;
  json_t *v;
  json_array_foreach(vs, i, v) {
    json_t *affects = json_object_get(v, "affects");
    CHECK(json_array_size(affects) >= 1);
    if (!strcmp(json_string_value(json_object_get(v, "id")), "DEBIAN-CVE-2099-0001")) CHECK(json_array_size(affects) == 2);
    size_t k;
    json_t *a;
    json_array_foreach(affects, k, a) {
      const char *ref = json_string_value(json_object_get(a, "ref"));
      bool found = false;
      size_t c;
      json_t *comp;
      json_array_foreach(comps, c, comp) if (ref && !strcmp(ref, json_string_value(json_object_get(comp, "bom-ref")))) found = true;
      CHECK(found);
    }
  }
  json_t *v0 = json_array_get(vs, 0);
  CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(v0, "ratings"), 0), "severity")), "critical");
  CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(v0, "ratings"), 0), "method")), "CVSSv31");
  CHECK_STR(json_string_value(json_object_get(v0, "recommendation")),
            "Upgrade org.apache.logging.log4j:log4j-core to 2.15.0 or later");
  json_decref(d);
}

static void check_table(void) {
  char *t = NULL;
  write_and_load(".txt", bw_report_write_table, &t);
  CHECK(t != NULL);
  if (!t) return;
  CHECK(strstr(t, "OS packages: 3 vulnerabilities") != NULL);
  CHECK(strstr(t, "Application packages: 1 vulnerability") != NULL);
  CHECK(strstr(t, "GHSA-jfh8-c2jp-5v3q") != NULL);
  CHECK(strstr(t, "2.36-9+deb12u3") != NULL);
  CHECK(strchr(t, '\x1b') == NULL);
  /* every line fits 80 columns (the header lines name the image and may be longer: skip them) */
  bool in_tables = false;
  for (char *line = t; *line;) {
    char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    if (!strncmp(line, "OS packages:", 12)) in_tables = true;
    if (in_tables && strncmp(line, "OS packages:", 12) && strncmp(line, "Application packages:", 21)) {
      size_t w = 0;
      for (size_t k = 0; k < n; k++) w += ((unsigned char)line[k] & 0xC0) != 0x80;
      if (w > 80) fprintf(stderr, "too wide (%zu): %.*s\n", w, (int)n, line);
      CHECK(w <= 80);
    }
    line += n + (nl ? 1 : 0);
  }
  free(t);
}

int main(int argc, char **argv) {
  if (argc > 1) outdir = argv[1];
  mkdir(outdir, 0755);
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  build();
  check_json();
  check_sarif();
  check_cyclonedx();
  check_table();
  bw_vec_dispose(&r.vulns);
  bw_pkglist_dispose(&r.packages);
  bw_arena_free(r.arena);
  return test_finish();
}
