/* bulwark db import|info|update: the advisory database (src/vuln/vulndb.h). */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/strutil.h"
#include "cli/cli.h"
#include "service/service.h"
#include "vuln/vulndb.h"

/* osv.dev publishes one all.zip per ecosystem under this bucket: <URL>/<Ecosystem>/all.zip
 * (https://google.github.io/osv.dev/data/#data-dump). The only place the host is named. */
#define BW_OSV_DEFAULT_URL "https://osv-vulnerabilities.storage.googleapis.com"

/* Ecosystems `db update` fetches by default: the ones image scanning matches. */
static const char *const default_ecosystems[] = {"Debian",  "Ubuntu", "Alpine", "AlmaLinux", "Rocky Linux",
                                                 "Red Hat", "SUSE",   "npm",    "PyPI",      "Maven",
                                                 "Go",      "crates.io", "RubyGems", "Packagist", "NuGet", NULL};

static void db_usage(FILE *f) {
  fputs("Usage: bulwark db COMMAND [OPTIONS]\n"
        "\n"
        "Commands:\n"
        "  import PATH...      import OSV JSON files, folders of them and OSV all.zip archives\n"
        "  info                sources, counts per ecosystem, age, path and schema version\n"
        "  update              download the per-ecosystem all.zip archives and import them into a\n"
        "                      copy of the DB, then swap it in (a failed update keeps the old DB)\n"
        "\n"
        "Options:\n"
        "      --db PATH        the DB file (default $XDG_CACHE_HOME/bulwark/db.sqlite)\n"
        "      --from URL       update: base URL holding <Ecosystem>/all.zip (default osv.dev's bucket)\n"
        "      --ecosystem ECO  update: fetch only ECO (repeatable)\n"
        "      --data DIR       the data directory of `bulwark serve`: the DB defaults to DIR/db.sqlite and,\n"
        "                       after import/update, every stored scan result is re-evaluated against\n"
        "                       it from the layer-record cache (no blob is read); images that gained\n"
        "                       vulnerabilities get a scan.new_vulnerabilities event\n"
        "  -q, --quiet          no progress on stderr\n"
        "  -h, --help           this help\n"
        "\n"
        "Exit status: 0 success, 1 failure (nothing could be read, download failed), 2 wrong usage.\n"
        "\n"
        "Examples:\n"
        "  bulwark db import ./osv/Debian ./npm-all.zip\n"
        "  bulwark db update --ecosystem Debian --ecosystem npm\n"
        "  bulwark db info\n",
        f);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Re-evaluates the stored scan results of the data directory against the DB just changed. */
static int reevaluate(const char *data, const char *dbpath) {
  bw_error err = {0};
  bw_meta *m = NULL;
  if (bw_cli_data_open(data, &m, NULL, &err) < 0) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  bw_service *svc = NULL;
  bw_service_opts o = {.data_dir = data, .db_path = dbpath};
  bw_service_reeval_stats st = {0};
  double t0 = now_s();
  int rc = bw_service_new(&svc, m, NULL, NULL, &o, &err);
  if (rc == 0) rc = bw_service_reevaluate(svc, &st, &err);
  bw_service_free(svc);
  bw_cli_data_close(m, NULL);
  if (rc < 0) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  fprintf(stderr, "re-evaluated %zu scan results in %.2fs: %zu gained vulnerabilities, %zu failed\n", st.evaluated,
          now_s() - t0, st.gained, st.failed);
  return st.failed ? BW_EXIT_ERROR : BW_EXIT_OK;
}

static const char *default_db_path(void) {
  static char path[4200];
  snprintf(path, sizeof path, "%s/db.sqlite", bw_cli_default_cache_dir());
  return path;
}

/* mkdir -p of the folder holding path. */
static void make_parent(const char *path) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    mkdir(tmp, 0755);
    *p = '/';
  }
}

static int do_import(const char *dbpath, char **paths, size_t n, bool quiet) {
  bw_error err = {0};
  bw_vulndb *db = NULL;
  make_parent(dbpath);
  if (bw_vulndb_open(&db, dbpath, true, &err) < 0) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  if (!quiet) setenv("BULWARK_PROGRESS", "1", 1);
  bw_import_stats st;
  double t0 = now_s();
  int rc = bw_vulndb_import(db, (const char *const *)paths, n, &st, &err);
  double dt = now_s() - t0;
  bw_vulndb_close(db);
  if (rc < 0) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  fprintf(stderr, "imported %llu files, %llu records in %.2fs (%.0f records/s): %llu inserted, %llu updated, "
          "%llu unchanged, %llu skipped%s%s%s\n",
          (unsigned long long)st.files, (unsigned long long)st.records, dt, dt > 0 ? (double)st.records / dt : 0.0,
          (unsigned long long)st.inserted, (unsigned long long)st.updated, (unsigned long long)st.unchanged,
          (unsigned long long)st.skipped, st.skipped ? " (" : "", st.skipped_reasons, st.skipped ? ")" : "");
  if (st.inserted + st.updated + st.unchanged == 0) {
    fprintf(stderr, "bulwark: error: no advisory could be read from the given paths\n");
    return BW_EXIT_ERROR;
  }
  return BW_EXIT_OK;
}

static int do_info(const char *dbpath) {
  bw_error err = {0};
  bw_vulndb *db = NULL;
  if (bw_vulndb_open(&db, dbpath, false, &err) < 0) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  bw_vulndb_info info;
  int rc = bw_vulndb_info_get(db, &info, &err);
  bw_vulndb_close(db);
  if (rc < 0) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  struct stat sb;
  long long size = stat(dbpath, &sb) == 0 ? (long long)sb.st_size : -1;
  printf("path:            %s\n", dbpath);
  printf("schema version:  %d\n", info.schema_version);
  printf("size:            %lld bytes\n", size);
  printf("updated at:      %s", info.updated_at[0] ? info.updated_at : "never");
  struct tm tm = {0};
  const char *end = info.updated_at[0] ? strptime(info.updated_at, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
  if (end && !*end) {
    long long age = (long long)(time(NULL) - timegm(&tm));
    if (age < 0) age = 0;
    if (age < 2 * 3600) printf(" (%lld minutes ago)", age / 60);
    else if (age < 2 * 86400) printf(" (%lld hours ago)", age / 3600);
    else printf(" (%lld days ago)", age / 86400);
  }
  putchar('\n');
  printf("advisories:      %lld\n", (long long)info.advisories);
  printf("affected rows:   %lld\n", (long long)info.affected);
  printf("per ecosystem:   %s\n", info.sources[0] ? info.sources : "none");
  return BW_EXIT_OK;
}

/* ---- update ---- */

typedef struct {
  FILE *f;
  bool quiet;
  double last;
  curl_off_t base; /* bytes already on disk when resuming */
  const char *name;
} dl_ctx;

static int dl_progress(void *p, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un) {
  (void)ut;
  (void)un;
  dl_ctx *c = p;
  double t = now_s();
  if (c->quiet || t - c->last < 0.25) return 0;
  c->last = t;
  long long got = (long long)(c->base + now), all = (long long)(c->base + total);
  if (total > 0) {
    int w = (int)(30.0 * (double)got / (double)all);
    fprintf(stderr, "\r%-12s [%-30.*s] %lld/%lld KiB", c->name, w > 30 ? 30 : w,
            "##############################", got >> 10, all >> 10);
  } else {
    fprintf(stderr, "\r%-12s %lld KiB", c->name, got >> 10);
  }
  return 0;
}

static size_t dl_write(char *p, size_t sz, size_t n, void *ud) { return fwrite(p, sz, n, ((dl_ctx *)ud)->f); }

/* Downloads url into part (resuming what is there with a Range request). Returns 0, 1 when the
 * server has no such file (404), -1 on failure. */
static int download(const char *url, const char *part, const char *name, bool quiet) {
  struct stat sb;
  curl_off_t have = stat(part, &sb) == 0 ? (curl_off_t)sb.st_size : 0;
  for (int attempt = 0; attempt < 2; attempt++) {
    dl_ctx c = {.quiet = quiet, .base = have, .name = name};
    c.f = fopen(part, have ? "ab" : "wb");
    if (!c.f) {
      fprintf(stderr, "bulwark: error: cannot write %s: %s\n", part, strerror(errno));
      return -1;
    }
    CURL *h = curl_easy_init();
    if (!h) {
      fclose(c.f);
      return -1;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, dl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, dl_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &c);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    if (have) curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE, have);
    CURLcode cc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(h);
    if (fclose(c.f) != 0 && cc == CURLE_OK) cc = CURLE_WRITE_ERROR;
    if (!quiet) fputc('\n', stderr);
    if (code == 404) {
      unlink(part);
      return 1;
    }
    if (have && (code == 200 || code == 416 || cc == CURLE_RANGE_ERROR)) {
      /* the server ignored or refused the range (curl stops with CURLE_RANGE_ERROR on a 200
       * before writing): start over once */
      unlink(part);
      have = 0;
      continue;
    }
    if (cc != CURLE_OK || (code != 200 && code != 206)) {
      fprintf(stderr, "bulwark: error: downloading %s: %s (HTTP %ld); run again to resume\n", url,
              curl_easy_strerror(cc), code);
      return -1;
    }
    return 0;
  }
  return -1;
}

/* A zip archive ends with an end-of-central-directory record ("PK\5\6") in its last 64 KiB + 22. */
static bool looks_like_zip(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  unsigned char head[4] = {0}, tail[65558];
  bool ok = fread(head, 1, 4, f) == 4 && !memcmp(head, "PK\3\4", 4);
  if (ok && fseeko(f, 0, SEEK_END) == 0) {
    off_t size = ftello(f);
    off_t from = size > (off_t)sizeof tail ? size - (off_t)sizeof tail : 0;
    size_t n = 0;
    if (fseeko(f, from, SEEK_SET) == 0) n = fread(tail, 1, sizeof tail, f);
    ok = false;
    for (size_t i = n >= 22 ? n - 22 + 1 : 0; i-- > 0;)
      if (!memcmp(tail + i, "PK\5\6", 4)) {
        ok = true;
        break;
      }
  }
  fclose(f);
  return ok;
}

static int copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in) return errno == ENOENT ? 0 : -1;
  FILE *out = fopen(to, "wb");
  if (!out) {
    fclose(in);
    return -1;
  }
  char buf[1 << 16];
  size_t n;
  int rc = 0;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n) rc = -1;
  if (ferror(in)) rc = -1;
  fclose(in);
  if (fflush(out) != 0 || fsync(fileno(out)) != 0) rc = -1;
  if (fclose(out) != 0) rc = -1;
  return rc;
}

static int do_update(const char *dbpath, const char *base, const char **ecos, size_t necos, bool quiet) {
  make_parent(dbpath);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
    fprintf(stderr, "bulwark: error: cannot initialise libcurl\n");
    return BW_EXIT_ERROR;
  }
  char **zips = calloc(necos + 1, sizeof *zips);
  size_t nz = 0;
  int ret = BW_EXIT_ERROR;
  char tmpdb[4300];
  snprintf(tmpdb, sizeof tmpdb, "%s.update", dbpath);
  if (!zips) goto out;
  size_t blen = strlen(base);
  while (blen && base[blen - 1] == '/') blen--;
  for (size_t i = 0; i < necos; i++) {
    char url[8192], part[4400], done[4400], name[256];
    /* URL path segment: spaces as %20 ("Rocky Linux") */
    size_t o = 0;
    for (const char *p = ecos[i]; *p && o + 4 < sizeof name; p++) {
      if (*p == ' ') o += (size_t)snprintf(name + o, sizeof name - o, "%%20");
      else if (*p == '/' || *p == ':') name[o++] = '_';
      else name[o++] = *p;
    }
    name[o] = 0;
    snprintf(url, sizeof url, "%.*s/%s/all.zip", (int)blen, base, name);
    snprintf(part, sizeof part, "%s.%s.zip.part", dbpath, name);
    snprintf(done, sizeof done, "%s.%s.zip", dbpath, name);
    int r = download(url, part, ecos[i], quiet);
    if (r == 1) {
      fprintf(stderr, "bulwark: warning: %s has no all.zip at %s, skipped\n", ecos[i], url);
      continue;
    }
    if (r < 0) goto out;
    if (!looks_like_zip(part)) {
      fprintf(stderr, "bulwark: error: %s is not a zip archive (damaged download), removed\n", url);
      unlink(part);
      goto out;
    }
    if (rename(part, done) != 0 || !(zips[nz++] = strdup(done))) goto out;
  }
  if (nz == 0) {
    fprintf(stderr, "bulwark: error: nothing downloaded from %s\n", base);
    goto out;
  }
  /* import into a copy: the old DB stays in use (and intact) until the rename */
  unlink(tmpdb);
  if (copy_file(dbpath, tmpdb) != 0) {
    fprintf(stderr, "bulwark: error: cannot copy %s to %s: %s\n", dbpath, tmpdb, strerror(errno));
    goto out;
  }
  ret = do_import(tmpdb, zips, nz, quiet);
  if (ret == BW_EXIT_OK && rename(tmpdb, dbpath) != 0) {
    fprintf(stderr, "bulwark: error: cannot replace %s: %s\n", dbpath, strerror(errno));
    ret = BW_EXIT_ERROR;
  }
  if (ret == BW_EXIT_OK)
    for (size_t i = 0; i < nz; i++) unlink(zips[i]);
out:
  unlink(tmpdb);
  char journal[4400];
  snprintf(journal, sizeof journal, "%s-journal", tmpdb);
  unlink(journal);
  for (size_t i = 0; zips && i < nz; i++) free(zips[i]);
  free(zips);
  curl_global_cleanup();
  return ret;
}

int bw_cmd_db(int argc, char **argv) {
  enum { OPT_DB = 256, OPT_FROM, OPT_ECO, OPT_DATA };
  static const struct option longopts[] = {{"db", required_argument, NULL, OPT_DB},
                                           {"data", required_argument, NULL, OPT_DATA},
                                           {"from", required_argument, NULL, OPT_FROM},
                                           {"ecosystem", required_argument, NULL, OPT_ECO},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *dbpath = NULL, *from = BW_OSV_DEFAULT_URL, *data = NULL;
  const char *ecos[64];
  size_t necos = 0;
  bool quiet = false;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "+qh", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_DB: dbpath = optarg; break;
    case OPT_DATA: data = optarg; break;
    case OPT_FROM: from = optarg; break;
    case OPT_ECO:
      if (necos == 64) {
        fprintf(stderr, "bulwark db: too many --ecosystem\n");
        return BW_EXIT_USAGE;
      }
      ecos[necos++] = optarg;
      break;
    case 'q': quiet = true; break;
    case 'h': db_usage(stdout); return BW_EXIT_OK;
    default: db_usage(stderr); return BW_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    db_usage(stderr);
    return BW_EXIT_USAGE;
  }
  const char *sub = argv[optind++];
  /* options may also follow the subcommand */
  char *rest[256];
  size_t nrest = 0;
  while (optind < argc) {
    const char *a = argv[optind];
    if (!strcmp(a, "--db") && optind + 1 < argc) dbpath = argv[++optind];
    else if (!strcmp(a, "--data") && optind + 1 < argc) data = argv[++optind];
    else if (!strcmp(a, "--from") && optind + 1 < argc) from = argv[++optind];
    else if (!strcmp(a, "--ecosystem") && optind + 1 < argc && necos < 64) ecos[necos++] = argv[++optind];
    else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = true;
    else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      db_usage(stdout);
      return BW_EXIT_OK;
    } else if (nrest < 256) rest[nrest++] = argv[optind];
    else {
      fprintf(stderr, "bulwark db: too many paths in one call\n");
      return BW_EXIT_USAGE;
    }
    optind++;
  }
  char datadb[4200];
  if (!dbpath && data) {
    snprintf(datadb, sizeof datadb, "%s/db.sqlite", data);
    dbpath = datadb;
  }
  if (!dbpath) dbpath = default_db_path();
  if (!strcmp(sub, "import")) {
    if (nrest == 0) {
      fprintf(stderr, "bulwark db import: give at least one PATH\n");
      return BW_EXIT_USAGE;
    }
    int rc = do_import(dbpath, rest, nrest, quiet);
    return rc == BW_EXIT_OK && data ? reevaluate(data, dbpath) : rc;
  }
  if (nrest) {
    fprintf(stderr, "bulwark db %s: unexpected argument \"%s\"\n", sub, rest[0]);
    return BW_EXIT_USAGE;
  }
  if (!strcmp(sub, "info")) return do_info(dbpath);
  if (!strcmp(sub, "update")) {
    if (necos == 0)
      for (; default_ecosystems[necos]; necos++) ecos[necos] = default_ecosystems[necos];
    int rc = do_update(dbpath, from, ecos, necos, quiet);
    return rc == BW_EXIT_OK && data ? reevaluate(data, dbpath) : rc;
  }
  fprintf(stderr, "bulwark db: unknown command \"%s\"\n", sub);
  db_usage(stderr);
  return BW_EXIT_USAGE;
}
