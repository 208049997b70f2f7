/* bulwark version compare: the per-ecosystem version comparators, for scripts and tests. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "cli/cli.h"
#include "vuln/version.h"

static void version_usage(FILE *f) {
  fputs("Usage: bulwark version\n"
        "       bulwark version compare --ecosystem ECO A B\n"
        "       bulwark version compare --ecosystem ECO --batch < PAIRS\n"
        "\n"
        "Compares two versions as the ecosystem's own tool does and prints -1, 0 or 1\n"
        "(A older than, equal to, or newer than B).\n"
        "\n"
        "Options:\n"
        "  -e, --ecosystem ECO  OSV ecosystem name: Debian, Ubuntu, Alpine, Wolfi, Red Hat,\n"
        "                       AlmaLinux, Rocky Linux, SUSE, openSUSE, npm, PyPI, Maven,\n"
        "                       RubyGems, Go, NuGet, Packagist, crates.io (\":release\" ignored)\n"
        "      --batch          read \"A<TAB>B\" lines from stdin, print one result a line\n"
        "                       (\"error: REASON\" for a pair that does not parse; exit 1)\n"
        "  -h, --help           show this help\n",
        f);
}

/* One batch line: "A\tB" (a trailing CR is dropped). Prints the result or "error: ...". */
static int batch_line(bw_vscheme scheme, char *line) {
  size_t n = strlen(line);
  while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
  char *tab = strchr(line, '\t');
  if (!tab) {
    puts("error: expected \"A<TAB>B\"");
    return -1;
  }
  *tab = '\0';
  int c;
  bw_error err = {0};
  if (bw_version_compare(scheme, line, tab + 1, &c, &err) < 0) {
    printf("error: %s\n", err.msg);
    return -1;
  }
  printf("%d\n", c);
  return 0;
}

int bw_cmd_version(int argc, char **argv) {
  if (argc < 2) {
    printf("bulwark %s\n", BW_VERSION);
    return BW_EXIT_OK;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    version_usage(stdout);
    return BW_EXIT_OK;
  }
  if (strcmp(argv[1], "compare") != 0) {
    fprintf(stderr, "bulwark: unknown version subcommand \"%s\"\n\n", argv[1]);
    version_usage(stderr);
    return BW_EXIT_USAGE;
  }
  argc--, argv++;
  static const struct option longopts[] = {
      {"ecosystem", required_argument, NULL, 'e'},
      {"batch", no_argument, NULL, 'b'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *eco = NULL;
  int batch = 0, opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "+e:h", longopts, NULL)) != -1) {
    switch (opt) {
    case 'e': eco = optarg; break;
    case 'b': batch = 1; break;
    case 'h': version_usage(stdout); return BW_EXIT_OK;
    default: version_usage(stderr); return BW_EXIT_USAGE;
    }
  }
  if (!eco) {
    fputs("bulwark: version compare needs --ecosystem\n", stderr);
    return BW_EXIT_USAGE;
  }
  int scheme = bw_vscheme_for_ecosystem(eco);
  if (scheme < 0) {
    fprintf(stderr, "bulwark: unknown ecosystem \"%s\"\n", eco);
    return BW_EXIT_USAGE;
  }
  int nargs = argc - optind;
  if (batch) {
    if (nargs != 0) {
      fputs("bulwark: --batch takes no version arguments\n", stderr);
      return BW_EXIT_USAGE;
    }
    /* lines are bounded: two capped versions, a tab and a newline; longer lines are errors */
    char line[2 * BW_LIMIT_VERSION_BYTES + 8];
    int failed = 0;
    while (fgets(line, sizeof line, stdin)) {
      size_t n = strlen(line);
      if (n == sizeof line - 1 && line[n - 1] != '\n') {
        int ch;
        while ((ch = getchar()) != EOF && ch != '\n') {
        }
        puts("error: line too long");
        failed = 1;
        continue;
      }
      if (batch_line((bw_vscheme)scheme, line) < 0) failed = 1;
    }
    fflush(stdout);
    return failed ? BW_EXIT_ERROR : BW_EXIT_OK;
  }
  if (nargs != 2) {
    version_usage(stderr);
    return BW_EXIT_USAGE;
  }
  int c;
  bw_error err = {0};
  if (bw_version_compare((bw_vscheme)scheme, argv[optind], argv[optind + 1], &c, &err) < 0) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  printf("%d\n", c);
  return BW_EXIT_OK;
}
