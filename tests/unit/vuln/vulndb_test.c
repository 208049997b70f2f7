/* Advisory DB: import of hand-written OSV records (idempotency, newer `modified` replaces, change
 * log, severity resolution and alias inheritance, bad records skipped with reasons), lookup, info. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "unit/test.h"
#include "vuln/vulndb.h"

static char dir[256];

static void put(const char *name, const char *text) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  if (!f) return;
  fputs(text, f);
  fclose(f);
}

typedef struct {
  int n;
  bw_advisory_hit last;
  char ids[512];
  char ranges[512];
  int stop_after;
} collected;

static int collect(void *ctx, const bw_advisory_hit *h) {
  collected *c = ctx;
  c->n++;
  c->last = *h;
  size_t o = strlen(c->ids);
  snprintf(c->ids + o, sizeof c->ids - o, "%s%s", o ? "," : "", h->id);
  snprintf(c->ranges, sizeof c->ranges, "%s", h->ranges_json ? h->ranges_json : "");
  return c->stop_after && c->n >= c->stop_after ? 42 : 0;
}

static collected look(bw_vulndb *db, const char *eco, const char *pkg) {
  collected c = {0};
  bw_error err = {0};
  CHECK(bw_vulndb_lookup(db, eco, pkg, collect, &c, &err) == 0);
  return c;
}

static long long count(const char *dbpath, const char *sql) {
  sqlite3 *s = NULL;
  long long n = -1;
  if (sqlite3_open_v2(dbpath, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(s);
  return n;
}

#define GHSA_LODASH(mod, fixed)                                                                            \
  "{\"id\":\"GHSA-p6mc-m468-83gw\",\"modified\":\"" mod "\",\"published\":\"2020-07-15T19:15:48Z\","     \
  "\"aliases\":[\"CVE-2020-8203\"],\"summary\":\"Prototype Pollution in lodash\","                        \
  "\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H\"}],"     \
  "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"lodash\"},\"ranges\":[{\"type\":\"SEMVER\"," \
  "\"events\":[{\"introduced\":\"3.7.0\"},{\"fixed\":\"" fixed "\"}]}]}],"                                 \
  "\"references\":[{\"type\":\"ADVISORY\",\"url\":\"https://nvd.nist.gov/vuln/detail/CVE-2020-8203\"}],"    \
  "\"database_specific\":{\"severity\":\"HIGH\"}}"

static int count_only(void *ctx, const bw_advisory_hit *h) {
  (void)h;
  ++*(long *)ctx;
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* With the shared OSV tree: import it whole, then do 2,000 lookups and print the time (speed is
 * measured by bench/vulndb.sh against a floor, never asserted here: a loaded CI machine is not a
 * benchmark). */
static void bench_full(const char *scratch) {
  char osv[600], full[600];
  snprintf(osv, sizeof osv, "%s/osv", BW_SHARED_DATA);
  struct stat sb;
  if (stat(osv, &sb) != 0) {
    SKIP("%s missing: full-DB lookup timing not measured", osv);
    return;
  }
  snprintf(full, sizeof full, "%s.full", scratch);
  bw_error err = {0};
  bw_vulndb *db = NULL;
  CHECK(bw_vulndb_open(&db, full, true, &err) == 0);
  if (!db) return;
  const char *paths[] = {osv};
  bw_import_stats st;
  double t0 = now_ms();
  CHECK(bw_vulndb_import(db, paths, 1, &st, &err) == 0);
  double t1 = now_ms();
  printf("full import: %llu records in %.0f ms (%.0f records/s)\n", (unsigned long long)st.records, t1 - t0,
         (double)st.records * 1000.0 / (t1 - t0));
  /* 2,000 (ecosystem, package) pairs: 1,000 that exist, 1,000 that do not */
  sqlite3 *s = NULL;
  char (*eco)[64] = calloc(2000, 64), (*pkg)[128] = calloc(2000, 128);
  int n = 0;
  if (sqlite3_open_v2(full, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s, "SELECT DISTINCT ecosystem, package FROM affected ORDER BY random() LIMIT 1000", -1, &q,
                           NULL) == SQLITE_OK)
      while (n < 1000 && sqlite3_step(q) == SQLITE_ROW) {
        snprintf(eco[n], 64, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(pkg[n], 128, "%s", (const char *)sqlite3_column_text(q, 1));
        n++;
      }
    sqlite3_finalize(q);
  }
  sqlite3_close(s);
  for (int i = n; i < 2000; i++) {
    snprintf(eco[i], 64, "%s", i % 2 ? "Debian:12" : "npm");
    snprintf(pkg[i], 128, "no-such-package-%d", i);
  }
  long hits = 0;
  double t2 = now_ms();
  for (int i = 0; i < 2000; i++) CHECK(bw_vulndb_lookup(db, eco[i], pkg[i], count_only, &hits, &err) == 0);
  double t3 = now_ms();
  printf("2000 lookups (%d present): %ld advisory entries in %.1f ms\n", n, hits, t3 - t2);
  CHECK(n == 1000);
  CHECK(hits >= 1000);
  free(eco);
  free(pkg);
  bw_vulndb_close(db);
  unlink(full);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/bw-vulndb-test-%d", (int)getpid());
  mkdir(dir, 0700);
  char sub[300], dbpath[300];
  snprintf(sub, sizeof sub, "%s/sub", dir);
  mkdir(sub, 0700);
  snprintf(dbpath, sizeof dbpath, "%s/db.sqlite", dir);

  put("ghsa.json", GHSA_LODASH("2023-01-01T00:00:00Z", "4.17.20"));
  /* a CVE record with a CVSS score, and a DSA that only aliases it: the DSA inherits */
  put("sub/cve1.json",
      "{\"id\":\"CVE-2000-0001\",\"modified\":\"2021-01-01T00:00:00Z\","
      "\"severity\":[{\"type\":\"CVSS_V2\",\"score\":\"AV:N/AC:L/Au:N/C:P/I:P/A:P\"},"
      "{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}],"
      "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"openssl\"},"
      "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.0.9-1\"}]}]}]}");
  put("sub/dsa.json",
      "{\"id\":\"DSA-9999-1\",\"modified\":\"2021-01-02T00:00:00Z\",\"aliases\":[\"CVE-2000-0001\"],"
      "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"openssl\"},"
      "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.0.9-1\"}]}]}]}");
  /* Debian urgency is the ecosystem's own rating: it wins over CVSS */
  put("sub/deb-urgency.json",
      "{\"id\":\"DEBIAN-CVE-2000-0003\",\"modified\":\"2021-01-01T00:00:00Z\",\"upstream\":[\"CVE-2000-0003\"],"
      "\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}],"
      "\"database_specific\":{\"urgency\":\"low\"},"
      "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"zlib\"},"
      "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}],"
      "\"database_specific\":{\"status\":\"unfixed\"}}]}");
  /* one id split per release (Alpine-style): both releases kept */
  put("sub/alp38.json",
      "{\"id\":\"ALPINE-CVE-2000-0004\",\"modified\":\"2020-06-08T00:00:00Z\",\"affected\":[{\"package\":"
      "{\"ecosystem\":\"Alpine:v3.8\",\"name\":\"vte\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
      "[{\"introduced\":\"0\"},{\"fixed\":\"0.28.2-r12\"}]}]}]}");
  put("sub/alp39.json",
      "{\"id\":\"ALPINE-CVE-2000-0004\",\"modified\":\"2020-06-08T00:00:00Z\",\"affected\":[{\"package\":"
      "{\"ecosystem\":\"Alpine:v3.9\",\"name\":\"vte\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
      "[{\"introduced\":\"0\"},{\"fixed\":\"0.28.2-r12\"}]}]}]}");
  /* bad records */
  put("bad1.json", "{\"id\": \"X-1\", \"affected\": [");
  put("bad2.json", "{\"modified\":\"2020-01-01T00:00:00Z\",\"affected\":[]}");
  put("bad3.json", "{\"id\":\"X-3\",\"modified\":\"2020-01-01T00:00:00Z\"}");
  put("bad4.json", "{\"id\":\"X-4\",\"affected\":[{\"package\":{\"ecosystem\":\"Hackage\",\"name\":\"x\"}}]}");
  put("bad5.json", "{\"id\":\"X-5\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
                   "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"fixed\":\"1.0.0\"}]}]}]}");
  {
    char big[1200];
    char v[300];
    memset(v, '1', 299);
    v[299] = 0;
    snprintf(big, sizeof big,
             "{\"id\":\"X-6\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
             "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"%s\"}]}]}]}", v);
    put("bad6.json", big);
  }
  {
    size_t cap = 5000 * 20 + 512;
    char *many = malloc(cap);
    size_t o = (size_t)snprintf(many, cap, "{\"id\":\"X-7\",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\","
                                           "\"name\":\"x\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
                                           "{\"introduced\":\"0\"}");
    for (int i = 0; i < 5000; i++) o += (size_t)snprintf(many + o, cap - o, ",{\"fixed\":\"%d\"}", i);
    snprintf(many + o, cap - o, "]}]}]}");
    put("bad7.json", many);
    free(many);
  }

  bw_error err = {0};
  bw_vulndb *db = NULL;
  CHECK(bw_vulndb_open(&db, dbpath, false, &err) == -BW_ENOTFOUND); /* read-only: must exist */
  bw_error_clear(&err);
  CHECK(bw_vulndb_open(&db, dbpath, true, &err) == 0);
  if (!db) return test_finish();
  const char *paths[] = {dir};
  bw_import_stats st;
  CHECK(bw_vulndb_import(db, paths, 1, &st, &err) == 0);
  CHECK(st.files == 13);
  CHECK(st.records == 13);
  CHECK(st.inserted == 5);
  CHECK(st.updated == 1); /* the second Alpine release merged into the first */
  CHECK(st.skipped == 7);
  CHECK(strstr(st.skipped_reasons, "malformed JSON 1") != NULL);
  CHECK(strstr(st.skipped_reasons, "missing id 1") != NULL);
  CHECK(strstr(st.skipped_reasons, "missing affected 1") != NULL);
  CHECK(strstr(st.skipped_reasons, "unknown ecosystem 1") != NULL);
  CHECK(strstr(st.skipped_reasons, "absurd ranges (no introduced event) 1") != NULL);
  CHECK(strstr(st.skipped_reasons, "absurd ranges (bad version string) 1") != NULL);
  CHECK(strstr(st.skipped_reasons, "absurd ranges (too many events) 1") != NULL);
  if (st.skipped != 7) fprintf(stderr, "reasons: %s\n", st.skipped_reasons);

  /* lookup and severity resolution */
  collected c = look(db, "npm", "lodash");
  CHECK(c.n == 1);
  CHECK_STR(c.last.id, "GHSA-p6mc-m468-83gw");
  CHECK(c.last.severity == BW_SEV_HIGH); /* own rating (CVSS 7.4 would also be HIGH) */
  CHECK(c.last.cvss_score > 7.39 && c.last.cvss_score < 7.41);
  CHECK_STR(c.last.cvss_version, "3.1");
  CHECK_STR(c.last.aliases_json, "[\"CVE-2020-8203\"]");
  CHECK_STR(c.last.references_json, "[\"https://nvd.nist.gov/vuln/detail/CVE-2020-8203\"]");
  CHECK_STR(c.last.summary, "Prototype Pollution in lodash");
  CHECK(strstr(c.ranges, "\"fixed\":\"4.17.20\"") != NULL);
  CHECK(c.last.status == NULL);

  c = look(db, "Debian:12", "openssl");
  CHECK(c.n == 2);
  CHECK_STR(c.ids, "CVE-2000-0001,DSA-9999-1");
  CHECK(c.last.severity == BW_SEV_CRITICAL); /* DSA inherits the CVE's 9.8 */
  CHECK(c.last.cvss_score < 0);
  c = look(db, "Debian:12", "zlib");
  CHECK(c.n == 1 && c.last.severity == BW_SEV_LOW); /* urgency low beats CVSS 9.8 */
  CHECK_STR(c.last.status, "unfixed");
  CHECK(look(db, "Alpine:v3.8", "vte").n == 1);
  CHECK(look(db, "Alpine:v3.9", "vte").n == 1);
  CHECK(look(db, "Alpine:v3.10", "vte").n == 0);
  CHECK(look(db, "Debian:11", "openssl").n == 0); /* exact release only */
  CHECK(look(db, "npm", "Lodash").n == 0);
  {
    collected s2 = {.stop_after = 1};
    CHECK(bw_vulndb_lookup(db, "Debian:12", "openssl", collect, &s2, &err) == 42);
    CHECK(s2.n == 1);
  }
  long long changes1 = count(dbpath, "SELECT count(*) FROM changes");
  CHECK(changes1 == 6);

  /* the same files again: nothing changes */
  CHECK(bw_vulndb_import(db, paths, 1, &st, &err) == 0);
  CHECK(st.inserted == 0 && st.updated == 0 && st.unchanged == 6 && st.skipped == 7);
  CHECK(count(dbpath, "SELECT count(*) FROM changes") == changes1);
  CHECK(count(dbpath, "SELECT count(*) FROM affected") == 6);

  /* a newer record replaces the old one's rows and is logged */
  put("ghsa.json", GHSA_LODASH("2024-02-02T00:00:00Z", "4.17.21"));
  const char *one[] = {NULL};
  char ghsa[300];
  snprintf(ghsa, sizeof ghsa, "%s/ghsa.json", dir);
  one[0] = ghsa;
  CHECK(bw_vulndb_import(db, one, 1, &st, &err) == 0);
  CHECK(st.updated == 1 && st.inserted == 0);
  c = look(db, "npm", "lodash");
  CHECK(c.n == 1);
  CHECK(strstr(c.ranges, "\"fixed\":\"4.17.21\"") != NULL);
  CHECK(count(dbpath, "SELECT count(*) FROM changes WHERE kind = 'updated' AND package = 'lodash'") == 1);
  /* an older one does not */
  put("ghsa.json", GHSA_LODASH("2022-02-02T00:00:00Z", "4.17.19"));
  CHECK(bw_vulndb_import(db, one, 1, &st, &err) == 0);
  CHECK(st.unchanged == 1 && st.updated == 0);
  c = look(db, "npm", "lodash");
  CHECK(strstr(c.ranges, "\"fixed\":\"4.17.21\"") != NULL);

  /* from memory */
  const char *rec = "{\"id\":\"RUSTSEC-2000-0001\",\"modified\":\"2020-01-01T00:00:00Z\",\"affected\":"
                    "[{\"package\":{\"ecosystem\":\"crates.io\",\"name\":\"smallvec\"},\"versions\":[\"1.0.0\"]}]}";
  CHECK(bw_vulndb_import_buffer(db, rec, strlen(rec), &st, &err) == 0);
  CHECK(st.inserted == 1);
  c = look(db, "crates.io", "smallvec");
  CHECK(c.n == 1);
  CHECK_STR(c.last.versions_json, "[\"1.0.0\"]");
  CHECK(c.last.severity == BW_SEV_UNKNOWN);

  /* withdrawn: a newer withdrawal removes the advisory's rows; an unknown withdrawn id is skipped */
  const char *wd = "{\"id\":\"RUSTSEC-2000-0001\",\"modified\":\"2021-01-01T00:00:00Z\",\"withdrawn\":"
                   "\"2021-01-01T00:00:00Z\",\"affected\":[{\"package\":{\"ecosystem\":\"crates.io\",\"name\":"
                   "\"smallvec\"},\"versions\":[\"1.0.0\"]}]}";
  CHECK(bw_vulndb_import_buffer(db, wd, strlen(wd), &st, &err) == 0);
  CHECK(st.updated == 1);
  CHECK(look(db, "crates.io", "smallvec").n == 0);
  CHECK(count(dbpath, "SELECT count(*) FROM changes WHERE kind = 'withdrawn'") == 1);
  const char *wd2 = "{\"id\":\"RUSTSEC-2000-0002\",\"modified\":\"2021-01-01T00:00:00Z\",\"withdrawn\":"
                    "\"2021-01-01T00:00:00Z\",\"affected\":[]}";
  CHECK(bw_vulndb_import_buffer(db, wd2, strlen(wd2), &st, &err) == 0);
  CHECK(st.skipped == 1 && strstr(st.skipped_reasons, "withdrawn 1") != NULL);

  bw_vulndb_info info;
  CHECK(bw_vulndb_info_get(db, &info, &err) == 0);
  CHECK(info.advisories == 6);
  CHECK(info.affected == 6);
  CHECK(info.schema_version == 1);
  CHECK(strlen(info.updated_at) == 20);
  CHECK(strstr(info.sources, "Debian:12 3") != NULL);
  CHECK(strstr(info.sources, "npm 1") != NULL);
  bw_vulndb_close(db);

  /* read-only reopen sees the same */
  CHECK(bw_vulndb_open(&db, dbpath, false, &err) == 0);
  if (db) {
    CHECK(look(db, "npm", "lodash").n == 1);
    CHECK(bw_vulndb_import(db, paths, 1, &st, &err) == -BW_EINVAL);
    bw_vulndb_close(db);
  }
  CHECK(bw_severity_parse("Moderate") == BW_SEV_MEDIUM);
  CHECK(bw_severity_parse("bogus") == -1);
  CHECK_STR(bw_severity_name(BW_SEV_CRITICAL), "CRITICAL");

  bench_full(dbpath);

  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cleanup of %s failed\n", dir);
  return test_finish();
}
