/* bulwark scan IMAGE: the inventory of an image matched against the advisory DB (DESIGN.md §5):
 * system and application vulnerabilities as a table, JSON, SARIF, CycloneDX or SPDX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "cli/cli.h"
#include "match/match.h"
#include "vuln/vulndb.h"

static void scan_usage(FILE *f) {
  fputs("Usage: bulwark scan IMAGE [OPTIONS]\n"
        "\n"
        "Reads every layer of IMAGE once, lists its OS and application packages and matches them\n"
        "against the advisory DB: OS packages by source package and release, application packages\n"
        "by ecosystem and name.\n"
        "\n"
        "Options:\n"
        "      --scanners LIST   what to look for (default and only one so far: vuln)\n"
        "  -f, --format FMT      table (default), json (bulwark.report/v1), sarif (2.1.0),\n"
        "                        cyclonedx (1.5, with vulnerabilities), spdx (2.3)\n"
        "  -o, --output FILE     write to FILE instead of standard output\n"
        "      --severity LIST   report only these severities, e.g. HIGH,CRITICAL\n"
        "                        (LOW, MEDIUM, HIGH, CRITICAL, UNKNOWN; default all)\n"
        "      --ignore-unfixed  leave out vulnerabilities without a fixed version\n"
        "      --exit-code N     exit with N when anything is reported (default 0)\n"
        "      --db PATH         advisory DB (default $XDG_CACHE_HOME/bulwark/db.sqlite)\n",
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
        "  bulwark scan oci:./app --format sarif -o bulwark.sarif\n",
        f);
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
  enum { OPT_SCANNERS = BW_CLI_OPT_FIRST_OWN, OPT_SEVERITY, OPT_IGNORE_UNFIXED, OPT_EXIT_CODE, OPT_DB };
  static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                           {"output", required_argument, NULL, 'o'},
                                           {"help", no_argument, NULL, 'h'},
                                           {"scanners", required_argument, NULL, OPT_SCANNERS},
                                           {"severity", required_argument, NULL, OPT_SEVERITY},
                                           {"ignore-unfixed", no_argument, NULL, OPT_IGNORE_UNFIXED},
                                           {"exit-code", required_argument, NULL, OPT_EXIT_CODE},
                                           {"db", required_argument, NULL, OPT_DB},
                                           BW_CLI_IMAGE_LONGOPTS,
                                           {NULL, 0, NULL, 0}};
  const char *format = "table", *output = NULL, *db_path = NULL;
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
      if (strcmp(optarg, "vuln") != 0) {
        fprintf(stderr, "bulwark scan: --scanners: only \"vuln\" is available so far\n");
        return BW_EXIT_USAGE;
      }
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

  /* the DB first: a missing one fails before any layer is read */
  char defpath[4200];
  if (!db_path) {
    snprintf(defpath, sizeof defpath, "%s/db.sqlite", bw_cli_default_cache_dir());
    db_path = defpath;
  }
  if (access(db_path, R_OK) != 0) {
    fprintf(stderr,
            "bulwark: error: no advisory DB at %s\n"
            "hint: create it with `bulwark db import PATH...` (OSV files, folders or all.zip archives)\n"
            "      or `bulwark db update`, or point --db at one\n",
            db_path);
    return BW_EXIT_ERROR;
  }
  bw_error err = {0};
  bw_vulndb *db = NULL;
  if (bw_vulndb_open(&db, db_path, false, &err) < 0) {
    bw_error_wrap(&err, "advisory DB %s", db_path);
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  bw_vulndb_info info;
  if (bw_vulndb_info_get(db, &info, &err) < 0) {
    bw_error_wrap(&err, "advisory DB %s", db_path);
    bw_cli_report_error(&err);
    bw_vulndb_close(db);
    return BW_EXIT_ERROR;
  }

  bw_image *img = NULL;
  bw_scan_result res;
  if (bw_cli_inventory(&ci, argv[optind], &res, &img) < 0) {
    bw_vulndb_close(db);
    return BW_EXIT_ERROR;
  }
  int rc = 0;
  res.db_updated_at = info.updated_at[0] ? bw_arena_strdup(res.arena, info.updated_at) : NULL;
  res.db_sources = info.sources[0] ? bw_arena_strdup(res.arena, info.sources) : NULL;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (bw_match_run(&res, db, &mopts, &err) < 0) {
    bw_error_wrap(&err, "matching");
    bw_cli_report_error(&err);
    rc = -1;
  } else {
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    bw_info("matching: %.1f ms for %zu packages against the advisory DB, %zu vulnerabilities", ms,
            bw_pkglist_len(&res.packages), res.vulns.len);
  }
  if (rc == 0) rc = bw_cli_write_report(&res, fmt, output);
  size_t found = res.vulns.len;
  bw_scan_result_dispose(&res);
  bw_image_free(img);
  bw_vulndb_close(db);
  if (rc < 0) return BW_EXIT_ERROR;
  return found && exit_code ? exit_code : BW_EXIT_OK;
}
