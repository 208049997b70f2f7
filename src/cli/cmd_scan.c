/* bulwark scan IMAGE (DESIGN.md §5): one pass over the layers for the inventory and the content
 * scanners (secrets, malware), then vulnerability matching against the advisory DB and the
 * baseline checks, as a table, JSON, SARIF, CycloneDX or SPDX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/sha256.h"
#include "cli/cli.h"
#include "baseline/baseline.h"
#include "baseline/secrets.h"
#include "malware/malware.h"
#include "match/match.h"
#include "vuln/vulndb.h"

static void scan_usage(FILE *f) {
  fputs("Usage: bulwark scan IMAGE [OPTIONS]\n"
        "\n"
        "Reads every layer of IMAGE once and, in that one pass, lists its OS and application\n"
        "packages and runs the content scanners; then reports what the chosen scanners found:\n"
        "  vuln      vulnerabilities of OS packages (by source package and release) and of\n"
        "            application packages (by ecosystem and name), from the advisory DB\n"
        "  baseline  configuration risks: image config (root user, secrets in ENV, ...), accounts\n"
        "            and weak passwords, permissions, services (sshd, Redis, Tomcat, ...), and\n"
        "            leaked secrets in any file (values are redacted in every output)\n"
        "  malware   webshells, reverse shells, rootkit persistence, miners (YARA rules), files on\n"
        "            the hash blocklist, and packages named by malicious-package advisories\n"
        "\n"
        "Options:\n"
        "      --scanners LIST   comma-separated: vuln, baseline (alias secret), malware, or all\n"
        "                        (default vuln)\n"
        "  -f, --format FMT      table (default), json (bulwark.report/v1), sarif (2.1.0),\n"
        "                        cyclonedx (1.5, with vulnerabilities), spdx (2.3)\n"
        "  -o, --output FILE     write to FILE instead of standard output\n"
        "      --severity LIST   report only these severities, e.g. HIGH,CRITICAL\n"
        "                        (LOW, MEDIUM, HIGH, CRITICAL, UNKNOWN; default all)\n"
        "      --ignore-unfixed  leave out vulnerabilities without a fixed version\n"
        "      --exit-code N     exit with N when anything is reported (default 0)\n"
        "      --db PATH         advisory DB (default $XDG_CACHE_HOME/bulwark/db.sqlite); needed by\n"
        "                        vuln, used by malware for malicious-package advisories when present\n"
        "      --secret-config FILE  extra secret rules and allow-list (see docs/internals/baseline.md)\n"
        "      --malware-rules DIR   a folder of extra YARA rules (*.yar, *.yara; repeatable)\n",
        f);
  fputs(bw_cli_image_help, f);
  fputs("  -h, --help            this help\n"
        "\n"
        "Exit status: 0 success and nothing reported (or --exit-code 0), N (--exit-code) findings\n"
        "reported, 1 the scan failed, 2 wrong usage.\n"
        "\n"
        "Examples:\n"
        "  bulwark db import ./osv/Debian && bulwark scan oci:./layout:latest\n"
        "  bulwark scan docker-archive:app.tar --severity HIGH,CRITICAL --exit-code 3\n"
        "  bulwark scan oci:./app --format sarif -o bulwark.sarif\n"
        "  bulwark scan oci:./app --scanners baseline,malware --severity HIGH,CRITICAL\n",
        f);
}

/* "vuln,baseline" -> BW_SCANNER_* mask; 0 on a bad list. */
static unsigned parse_scanners(const char *list) {
  unsigned mask = 0;
  const char *p = list;
  while (*p) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
#define IS(w) (n == strlen(w) && !strncmp(p, w, n))
    if (IS("vuln")) mask |= BW_SCANNER_VULN;
    else if (IS("baseline") || IS("secret") || IS("config")) mask |= BW_SCANNER_BASELINE;
    else if (IS("malware")) mask |= BW_SCANNER_MALWARE;
    else if (IS("all")) mask |= BW_SCANNER_VULN | BW_SCANNER_BASELINE | BW_SCANNER_MALWARE;
    else return 0;
#undef IS
    p += n;
    if (*p == ',') p++;
  }
  return mask;
}

/* Which rules the content scanners run with: the secret config file's bytes, the YARA rules'
 * hash and the blocklist file's identity. Cached layer records made with other rules are read
 * again, so editing a rule or importing hashes takes effect on images already scanned. */
static void content_fingerprint(char out[BW_DIGEST_STR_LEN + 1], const char *secret_config, bool malware,
                                const char *cache_dir) {
  bw_sha256 *h = bw_sha256_new();
  if (!h) {
    snprintf(out, BW_DIGEST_STR_LEN + 1, "unhashed-%ld", (long)time(NULL)); /* never matches: read again */
    return;
  }
  bw_sha256_update(h, "bulwark-content-v1", 18);
  if (secret_config) {
    FILE *f = fopen(secret_config, "rb");
    char buf[8192];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) bw_sha256_update(h, buf, n);
    if (f) fclose(f);
  }
  bw_sha256_update(h, "|", 1);
  if (malware) {
    const char *rh = bw_malware_rules_hash();
    if (rh) bw_sha256_update(h, rh, strlen(rh));
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/malware/hashes", cache_dir);
    if (stat(path, &st) == 0) {
      long long id[4] = {(long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                         (long long)st.st_mtim.tv_nsec};
      bw_sha256_update(h, id, sizeof id);
    }
  }
  bw_sha256_final_str(h, out);
  bw_sha256_free(h);
}

/* Keeps the findings whose severity is in mask (0 = keep all). */
static void filter_findings(bw_scan_result *res, unsigned mask) {
  if (!mask) return;
  size_t k = 0;
  for (size_t i = 0; i < res->baseline.len; i++) {
    bw_baseline_finding *b = bw_vec_at(&res->baseline, bw_baseline_finding, i);
    if (mask & (1u << b->severity)) *bw_vec_at(&res->baseline, bw_baseline_finding, k++) = *b;
  }
  res->baseline.len = k;
  k = 0;
  for (size_t i = 0; i < res->malware.len; i++) {
    bw_malware_finding *m = bw_vec_at(&res->malware, bw_malware_finding, i);
    if (mask & (1u << m->severity)) *bw_vec_at(&res->malware, bw_malware_finding, k++) = *m;
  }
  res->malware.len = k;
}

/* "HIGH,CRITICAL" -> bit mask of bw_severity; 0 on a bad list. */
static unsigned parse_severities(const char *list) {
  unsigned mask = 0;
  const char *p = list;
  while (*p) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    char word[32];
    if (n == 0 || n >= sizeof word) return 0;
    memcpy(word, p, n);
    word[n] = 0;
    int s = bw_severity_parse(word);
    if (s < 0) return 0;
    mask |= 1u << s;
    p += n;
    if (*p == ',') p++;
  }
  return mask;
}

int bw_cmd_scan(int argc, char **argv) {
  enum {
    OPT_SCANNERS = BW_CLI_OPT_FIRST_OWN,
    OPT_SEVERITY,
    OPT_IGNORE_UNFIXED,
    OPT_EXIT_CODE,
    OPT_DB,
    OPT_SECRET_CONFIG,
    OPT_MALWARE_RULES
  };
#define MAX_RULE_DIRS 16
  static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                           {"output", required_argument, NULL, 'o'},
                                           {"help", no_argument, NULL, 'h'},
                                           {"scanners", required_argument, NULL, OPT_SCANNERS},
                                           {"severity", required_argument, NULL, OPT_SEVERITY},
                                           {"ignore-unfixed", no_argument, NULL, OPT_IGNORE_UNFIXED},
                                           {"exit-code", required_argument, NULL, OPT_EXIT_CODE},
                                           {"db", required_argument, NULL, OPT_DB},
                                           {"secret-config", required_argument, NULL, OPT_SECRET_CONFIG},
                                           {"malware-rules", required_argument, NULL, OPT_MALWARE_RULES},
                                           BW_CLI_IMAGE_LONGOPTS,
                                           {NULL, 0, NULL, 0}};
  const char *format = "table", *output = NULL, *db_path = NULL, *secret_config = NULL;
  const char *rule_dirs[MAX_RULE_DIRS + 1] = {NULL};
  size_t nrule_dirs = 0;
  unsigned scanners = BW_SCANNER_VULN;
  bw_match_opts mopts = {0};
  int exit_code = 0;
  bw_cli_image ci;
  bw_cli_image_init(&ci);
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "f:o:h" BW_CLI_IMAGE_SHORTOPTS, longopts, NULL)) != -1) {
    int h = bw_cli_image_opt(&ci, c, optarg, "scan");
    if (h < 0) return BW_EXIT_USAGE;
    if (h) continue;
    switch (c) {
    case 'f': format = optarg; break;
    case 'o': output = optarg; break;
    case 'h': scan_usage(stdout); return BW_EXIT_OK;
    case OPT_SCANNERS:
      if (!(scanners = parse_scanners(optarg))) {
        fprintf(stderr, "bulwark scan: --scanners wants a list of vuln, baseline, malware (or all)\n");
        return BW_EXIT_USAGE;
      }
      break;
    case OPT_SECRET_CONFIG: secret_config = optarg; break;
    case OPT_MALWARE_RULES:
      if (nrule_dirs == MAX_RULE_DIRS) {
        fprintf(stderr, "bulwark scan: at most %d --malware-rules folders\n", MAX_RULE_DIRS);
        return BW_EXIT_USAGE;
      }
      rule_dirs[nrule_dirs++] = optarg;
      break;
    case OPT_SEVERITY:
      if (!(mopts.severities = parse_severities(optarg))) {
        fprintf(stderr, "bulwark scan: --severity wants a list of LOW, MEDIUM, HIGH, CRITICAL, UNKNOWN\n");
        return BW_EXIT_USAGE;
      }
      break;
    case OPT_IGNORE_UNFIXED: mopts.ignore_unfixed = true; break;
    case OPT_EXIT_CODE: {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (!*optarg || *end || n < 0 || n > 255) {
        fprintf(stderr, "bulwark scan: --exit-code wants a number from 0 to 255\n");
        return BW_EXIT_USAGE;
      }
      exit_code = (int)n;
      break;
    }
    case OPT_DB: db_path = optarg; break;
    default: scan_usage(stderr); return BW_EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "bulwark scan: give exactly one IMAGE (see bulwark scan --help)\n");
    return BW_EXIT_USAGE;
  }
  int fmt = bw_format_parse(format);
  if (fmt < 0) {
    fprintf(stderr, "bulwark scan: unknown format \"%s\": use table, json, sarif, cyclonedx or spdx\n", format);
    return BW_EXIT_USAGE;
  }

  /* the DB first: a missing one fails before any layer is read (vuln needs it; malware only uses
   * it for malicious-package advisories when it is there) */
  char defpath[4200];
  if (!db_path) {
    snprintf(defpath, sizeof defpath, "%s/db.sqlite", bw_cli_default_cache_dir());
    db_path = defpath;
  }
  bool want_db = (scanners & BW_SCANNER_VULN) || access(db_path, R_OK) == 0;
  if ((scanners & BW_SCANNER_VULN) && access(db_path, R_OK) != 0) {
    fprintf(stderr,
            "bulwark: error: no advisory DB at %s\n"
            "hint: create it with `bulwark db import PATH...` (OSV files, folders or all.zip archives)\n"
            "      or `bulwark db update`, or point --db at one\n",
            db_path);
    return BW_EXIT_ERROR;
  }
  bw_error err = {0};
  bw_vulndb *db = NULL;
  bw_vulndb_info info = {0};
  if (want_db && bw_vulndb_open(&db, db_path, false, &err) < 0) {
    bw_error_wrap(&err, "advisory DB %s", db_path);
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  if (db && bw_vulndb_info_get(db, &info, &err) < 0) {
    bw_error_wrap(&err, "advisory DB %s", db_path);
    bw_cli_report_error(&err);
    bw_vulndb_close(db);
    return BW_EXIT_ERROR;
  }

  /* content scanners are configured before the pass reads any layer */
  if ((scanners & BW_SCANNER_BASELINE) && secret_config && bw_secrets_configure(secret_config, &err) < 0) {
    bw_cli_report_error(&err);
    bw_vulndb_close(db);
    return BW_EXIT_ERROR;
  }
  if (scanners & BW_SCANNER_MALWARE) {
    bw_malware_opts mw = {.rule_dirs = nrule_dirs ? rule_dirs : NULL,
                          /* the blocklist lives there even when layer records are not cached */
                          .cache_dir = ci.vopts.cache_dir ? ci.vopts.cache_dir : bw_cli_default_cache_dir()};
    if (bw_malware_configure(&mw, &err) < 0) {
      bw_cli_report_error(&err);
      bw_vulndb_close(db);
      return BW_EXIT_ERROR;
    }
  }
  ci.vopts.scanners = scanners;
  char fp[BW_DIGEST_STR_LEN + 1];
  if (scanners & BW_SCANNER_CONTENT) {
    content_fingerprint(fp, secret_config, (scanners & BW_SCANNER_MALWARE) != 0,
                        ci.vopts.cache_dir ? ci.vopts.cache_dir : bw_cli_default_cache_dir());
    ci.vopts.content_fp = fp;
  }
  bw_image *img = NULL;
  bw_scan_result res;
  if (bw_cli_inventory(&ci, argv[optind], &res, &img) < 0) {
    bw_vulndb_close(db);
    bw_malware_shutdown();
    return BW_EXIT_ERROR;
  }
  int rc = 0;
  res.db_updated_at = info.updated_at[0] ? bw_arena_strdup(res.arena, info.updated_at) : NULL;
  res.db_sources = info.sources[0] ? bw_arena_strdup(res.arena, info.sources) : NULL;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if ((scanners & BW_SCANNER_VULN) && bw_match_run(&res, db, &mopts, &err) < 0) {
    bw_error_wrap(&err, "matching");
    bw_cli_report_error(&err);
    rc = -1;
  } else if (scanners & BW_SCANNER_VULN) {
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    bw_info("matching: %.1f ms for %zu packages against the advisory DB, %zu vulnerabilities", ms,
            bw_pkglist_len(&res.packages), res.vulns.len);
  }
  if (rc == 0 && (scanners & BW_SCANNER_BASELINE) && bw_baseline_run(&res, NULL, &err) < 0) {
    bw_error_wrap(&err, "baseline checks");
    bw_cli_report_error(&err);
    rc = -1;
  }
  if (rc == 0 && (scanners & BW_SCANNER_MALWARE) && bw_malware_packages(&res, db, &err) < 0) {
    bw_error_wrap(&err, "malicious-package advisories");
    bw_cli_report_error(&err);
    rc = -1;
  }
  filter_findings(&res, mopts.severities);
  if (rc == 0) rc = bw_cli_write_report(&res, fmt, output);
  size_t found = res.vulns.len + res.baseline.len + res.malware.len;
  bw_scan_result_dispose(&res);
  bw_image_free(img);
  bw_vulndb_close(db);
  bw_malware_shutdown();
  if (rc < 0) return BW_EXIT_ERROR;
  return found && exit_code ? exit_code : BW_EXIT_OK;
}
