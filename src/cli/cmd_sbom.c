/* bulwark sbom IMAGE: the OS package inventory of an image as a table, JSON, CycloneDX or SPDX. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/inventory.h"
#include "base/log.h"
#include "cli/cli.h"
#include "image/image.h"
#include "report/result.h"

static void sbom_usage(FILE *f) {
  fputs("Usage: bulwark sbom IMAGE [OPTIONS]\n"
        "\n"
        "Reads every layer of IMAGE once, lists the OS packages (dpkg, apk, rpm) that the final\n"
        "image contains, with the layer that introduced each, and writes an SBOM.\n"
        "\n"
        "Options:\n"
        "  -f, --format FMT      table (default), json (bulwark.report/v1), cyclonedx (1.5), spdx (2.3)\n"
        "  -o, --output FILE     write to FILE instead of standard output\n"
        "      --cache-dir DIR   layer cache (default $XDG_CACHE_HOME/bulwark); a layer seen before is\n"
        "                        not read again\n"
        "      --no-cache        read every layer, keep nothing\n"
        "      --platform P      os/arch[/variant] to pick from a multi-platform image (default linux/amd64)\n"
        "  -u, --username U      registry user (default: ~/.docker/config.json, else anonymous)\n"
        "  -p, --password P      registry password or token (or set BULWARK_PASSWORD)\n"
        "      --insecure        plain HTTP registry, no TLS verification\n"
        "      --threads N       layers read in parallel (default: one per CPU)\n"
        "      --verify-diff-ids also recompute each compressed layer's diff_id and fail on a config\n"
        "                        that lies about it (blob digests are always verified)\n"
        "  -q, --quiet           only errors on stderr\n"
        "      --debug           verbose progress\n"
        "  -h, --help            this help\n"
        "\n"
        "Exit status: 0 success, 1 the scan failed, 2 wrong usage.\n"
        "\n"
        "Examples:\n"
        "  bulwark sbom oci:./layout:latest --format cyclonedx -o sbom.cdx.json\n"
        "  bulwark sbom docker-archive:image.tar --format json | jq '.packages | length'\n",
        f);
}

int bw_cmd_sbom(int argc, char **argv) {
  enum { OPT_CACHE = 256, OPT_NOCACHE, OPT_PLATFORM, OPT_INSECURE, OPT_THREADS, OPT_DEBUG, OPT_VERIFY_DIFF };
  static const struct option longopts[] = {
      {"format", required_argument, NULL, 'f'},     {"output", required_argument, NULL, 'o'},
      {"cache-dir", required_argument, NULL, OPT_CACHE}, {"no-cache", no_argument, NULL, OPT_NOCACHE},
      {"platform", required_argument, NULL, OPT_PLATFORM}, {"username", required_argument, NULL, 'u'},
      {"password", required_argument, NULL, 'p'},   {"insecure", no_argument, NULL, OPT_INSECURE},
      {"threads", required_argument, NULL, OPT_THREADS}, {"quiet", no_argument, NULL, 'q'},
      {"debug", no_argument, NULL, OPT_DEBUG},      {"help", no_argument, NULL, 'h'},
      {"verify-diff-ids", no_argument, NULL, OPT_VERIFY_DIFF},
      {NULL, 0, NULL, 0}};
  const char *format = "table", *output = NULL, *cache_dir = bw_cli_default_cache_dir();
  bw_image_opts iopts = {0};
  bw_inventory_opts vopts = {.progress = true};
  bw_log_level level = BW_LOG_INFO;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "f:o:u:p:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'f': format = optarg; break;
    case 'o': output = optarg; break;
    case OPT_CACHE: cache_dir = optarg; break;
    case OPT_NOCACHE: cache_dir = NULL; break;
    case OPT_PLATFORM: iopts.platform = optarg; break;
    case 'u': iopts.auth.username = optarg; break;
    case 'p': iopts.auth.password = optarg; break;
    case OPT_INSECURE: iopts.auth.insecure = true; break;
    case OPT_THREADS: {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (*end || n < 1 || n > 64) {
        fprintf(stderr, "bulwark sbom: --threads wants a number from 1 to 64\n");
        return BW_EXIT_USAGE;
      }
      vopts.threads = (unsigned)n;
      break;
    }
    case 'q': level = BW_LOG_ERROR; break;
    case OPT_DEBUG: level = BW_LOG_DEBUG; break;
    case OPT_VERIFY_DIFF: vopts.verify_diff_ids = true; break;
    case 'h': sbom_usage(stdout); return BW_EXIT_OK;
    default: sbom_usage(stderr); return BW_EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "bulwark sbom: give exactly one IMAGE (see bulwark sbom --help)\n");
    return BW_EXIT_USAGE;
  }
  int fmt = bw_format_parse(format);
  if (fmt < 0 || fmt == BW_FORMAT_SARIF) {
    fprintf(stderr, "bulwark sbom: unknown format \"%s\": use table, json, cyclonedx or spdx\n", format);
    return BW_EXIT_USAGE;
  }
  if (!iopts.auth.password) iopts.auth.password = getenv("BULWARK_PASSWORD");
  bw_log_set_level(level);

  bw_error err = {0};
  bw_image *img = NULL;
  if (bw_image_open(&img, argv[optind], &iopts, &err) < 0) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  vopts.cache_dir = cache_dir;
  bw_scan_result res;
  int rc = bw_inventory_run(&res, img, &vopts, &err);
  if (rc == 0) {
    FILE *f = output ? fopen(output, "w") : stdout;
    if (!f) {
      bw_error_sys(&err, BW_EIO, "cannot write %s", output);
      rc = -BW_EIO;
    } else {
      switch (fmt) {
      case BW_FORMAT_JSON: rc = bw_report_write_json(f, &res, &err); break;
      case BW_FORMAT_CYCLONEDX: rc = bw_report_write_cyclonedx(f, &res, &err); break;
      case BW_FORMAT_SPDX: rc = bw_report_write_spdx(f, &res, &err); break;
      default: rc = bw_report_write_table(f, &res, &err); break;
      }
      if (fflush(f) != 0 && rc == 0) rc = bw_error_sys(&err, BW_EIO, "writing the report");
      if (output) fclose(f);
    }
  }
  if (rc < 0) bw_cli_report_error(&err);
  bw_scan_result_dispose(&res);
  bw_image_free(img);
  return rc < 0 ? BW_EXIT_ERROR : BW_EXIT_OK;
}
