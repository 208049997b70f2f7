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
        "  -o, --output FILE     write to FILE instead of standard output\n",
        f);
  fputs(bw_cli_image_help, f);
  fputs("  -h, --help            this help\n"
        "\n"
        "Exit status: 0 success, 1 the scan failed, 2 wrong usage.\n"
        "\n"
        "Examples:\n"
        "  bulwark sbom oci:./layout:latest --format cyclonedx -o sbom.cdx.json\n"
        "  bulwark sbom docker-archive:image.tar --format json | jq '.packages | length'\n",
        f);
}

int bw_cmd_sbom(int argc, char **argv) {
  static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                           {"output", required_argument, NULL, 'o'},
                                           {"help", no_argument, NULL, 'h'},
                                           BW_CLI_IMAGE_LONGOPTS,
                                           {NULL, 0, NULL, 0}};
  const char *format = "table", *output = NULL;
  bw_cli_image ci;
  bw_cli_image_init(&ci);
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "f:o:h" BW_CLI_IMAGE_SHORTOPTS, longopts, NULL)) != -1) {
    int h = bw_cli_image_opt(&ci, c, optarg, "sbom");
    if (h < 0) return BW_EXIT_USAGE;
    if (h) continue;
    switch (c) {
    case 'f': format = optarg; break;
    case 'o': output = optarg; break;
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
  bw_image *img = NULL;
  bw_scan_result res;
  if (bw_cli_inventory(&ci, argv[optind], &res, &img) < 0) return BW_EXIT_ERROR;
  int rc = bw_cli_write_report(&res, fmt, output);
  bw_scan_result_dispose(&res);
  bw_image_free(img);
  return rc < 0 ? BW_EXIT_ERROR : BW_EXIT_OK;
}
