/* bulwark rule add|ls|rm: scan rules of the scan service (src/service/), over a data directory. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "service/service.h"
#include "store/service_meta.h"

static void rule_usage(FILE *f) {
  fputs("Usage: bulwark rule COMMAND [OPTIONS]\n"
        "\n"
        "Scan rules say which images of the registry are scanned: on push (automatic, after the push\n"
        "completes) and/or on demand (\"scan now\" over the stored images: POST /api/v1/rules/ID/scan).\n"
        "\n"
        "Commands:\n"
        "  add NAMESPACE [--repos GLOBS] [--tags GLOBS] [--tag-regex RE] [--scanners LIST]\n"
        "                 [--no-push] [--no-manual]\n"
        "                 add a rule over NAMESPACE (every repository and tag unless narrowed)\n"
        "  ls [NAMESPACE] list rules\n"
        "  rm ID          delete a rule\n"
        "\n"
        "Options:\n"
        "      --data DIR       data directory (default " BW_CLI_DEFAULT_DATA_DIR ")\n"
        "      --repos GLOBS    comma-separated repository globs (\"app*\" or \"team/app*\")\n"
        "      --tags GLOBS     comma-separated tag globs (\"v*,latest\")\n"
        "      --tag-regex RE   POSIX extended regex the whole tag must match (\"v[0-9]+\\.[0-9]+\");\n"
        "                       with --tags, a tag must pass both\n"
        "      --scanners LIST  vuln, baseline, malware or all (default vuln)\n"
        "      --no-push        not on push (manual only)\n"
        "      --no-manual      not for \"scan now\"\n"
        "  -h, --help           this help\n"
        "\n"
        "Examples:\n"
        "  bulwark rule add team --scanners vuln,baseline\n"
        "  bulwark rule add team --repos 'app*' --tags 'v*' --no-push\n"
        "  bulwark rule add team --tag-regex 'v[0-9]+(\\.[0-9]+)*' --scanners all\n"
        "  bulwark rule ls\n"
        "  bulwark rule rm 3\n",
        f);
}

/* "v*,latest", "re:v[0-9]+", both joined by " and ", or "*". */
static const char *tag_filter(const bw_svc_rule *r, char *out, size_t cap) {
  if (!r->tags[0] && !r->tag_regex[0]) return "*";
  snprintf(out, cap, "%s%s%s%s", r->tags, r->tags[0] && r->tag_regex[0] ? " and " : "", r->tag_regex[0] ? "re:" : "",
           r->tag_regex);
  return out;
}

enum { OPT_DATA = BW_CLI_OPT_FIRST_OWN, OPT_REPOS, OPT_TAGS, OPT_TAG_REGEX, OPT_SCANNERS, OPT_NO_PUSH, OPT_NO_MANUAL };

int bw_cmd_rule(int argc, char **argv) {
  static const struct option longopts[] = {{"data", required_argument, NULL, OPT_DATA},
                                            {"repos", required_argument, NULL, OPT_REPOS},
                                            {"tags", required_argument, NULL, OPT_TAGS},
                                            {"tag-regex", required_argument, NULL, OPT_TAG_REGEX},
                                            {"scanners", required_argument, NULL, OPT_SCANNERS},
                                            {"no-push", no_argument, NULL, OPT_NO_PUSH},
                                            {"no-manual", no_argument, NULL, OPT_NO_MANUAL},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
  const char *data = BW_CLI_DEFAULT_DATA_DIR, *repos = "", *tags = "", *tag_regex = "";
  unsigned scanners = BW_SCANNER_VULN;
  bool on_push = true, manual = true;
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_DATA: data = optarg; break;
    case OPT_REPOS: repos = optarg; break;
    case OPT_TAGS: tags = optarg; break;
    case OPT_TAG_REGEX: tag_regex = optarg; break;
    case OPT_SCANNERS:
      if (!(scanners = bw_service_scanners_parse(optarg))) {
        fprintf(stderr, "bulwark rule: --scanners wants a list of vuln, baseline, malware (or all)\n");
        return BW_EXIT_USAGE;
      }
      break;
    case OPT_NO_PUSH: on_push = false; break;
    case OPT_NO_MANUAL: manual = false; break;
    case 'h': rule_usage(stdout); return BW_EXIT_OK;
    default: rule_usage(stderr); return BW_EXIT_USAGE;
    }
  }
  const char *sub = optind < argc ? argv[optind++] : NULL;
  int nargs = argc - optind;
  char **args = argv + optind;
  bool ok = sub && ((!strcmp(sub, "add") && nargs == 1) || (!strcmp(sub, "ls") && nargs <= 1) ||
                    (!strcmp(sub, "rm") && nargs == 1));
  if (!ok) {
    if (sub && strcmp(sub, "add") && strcmp(sub, "ls") && strcmp(sub, "rm"))
      fprintf(stderr, "bulwark rule: unknown command \"%s\"\n\n", sub);
    rule_usage(stderr);
    return BW_EXIT_USAGE;
  }
  bw_error err = {0};
  bw_svc_rule rl;
  memset(&rl, 0, sizeof rl);
  long long id = 0;
  if (!strcmp(sub, "add")) {
    if (!bw_auth_name_valid(args[0])) {
      fprintf(stderr, "bulwark rule: \"%s\" is not a namespace name\n", args[0]);
      return BW_EXIT_USAGE;
    }
    if (strlen(repos) >= sizeof rl.repositories || strlen(tags) >= sizeof rl.tags) {
      fprintf(stderr, "bulwark rule: --repos and --tags take at most %zu bytes\n", sizeof rl.tags - 1);
      return BW_EXIT_USAGE;
    }
    const char *why = bw_service_regex_check(tag_regex);
    if (why) {
      fprintf(stderr, "bulwark rule: --tag-regex \"%s\": %s\n", tag_regex, why);
      return BW_EXIT_USAGE;
    }
    if (!on_push && !manual) {
      fprintf(stderr, "bulwark rule: a rule with --no-push and --no-manual never scans\n");
      return BW_EXIT_USAGE;
    }
  } else if (!strcmp(sub, "rm")) {
    char *end;
    id = strtoll(args[0], &end, 10);
    if (*end || id <= 0) {
      fprintf(stderr, "bulwark rule: \"%s\" is not a rule id\n", args[0]);
      return BW_EXIT_USAGE;
    }
  }
  bw_meta *m = NULL;
  if (bw_cli_data_open(data, &m, NULL, &err)) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  int r = 0;
  char scn[64];
  if (!strcmp(sub, "add")) {
    snprintf(rl.namespace_, sizeof rl.namespace_, "%s", args[0]);
    snprintf(rl.repositories, sizeof rl.repositories, "%s", repos);
    snprintf(rl.tags, sizeof rl.tags, "%s", tags);
    snprintf(rl.tag_regex, sizeof rl.tag_regex, "%s", tag_regex);
    snprintf(rl.created_by, sizeof rl.created_by, "cli");
    rl.scanners = scanners;
    rl.on_push = on_push;
    rl.manual = manual;
    if (!(r = bw_svc_rule_add(m, &rl, &err))) {
      bw_service_scanners_str(rl.scanners, scn, sizeof scn);
      char tf[BW_SVC_GLOBS_MAX + BW_SVC_REGEX_MAX + 8];
      printf("added rule %lld: namespace %s, repositories %s, tags %s, scanners %s%s%s\n", (long long)rl.id,
             rl.namespace_, repos[0] ? repos : "*", tag_filter(&rl, tf, sizeof tf), scn, on_push ? ", on push" : "",
             manual ? ", manual" : "");
    }
  } else if (!strcmp(sub, "rm")) {
    if (!(r = bw_svc_rule_delete(m, id, &err))) printf("deleted rule %lld\n", id);
  } else {
    bw_svc_rule *list = NULL;
    size_t n = 0;
    if (!(r = bw_svc_rule_list(m, nargs ? args[0] : NULL, &list, &n, &err))) {
      printf("%-5s %-20s %-24s %-16s %-22s %s\n", "ID", "NAMESPACE", "REPOSITORIES", "TAGS", "SCANNERS", "TRIGGERS");
      for (size_t i = 0; i < n; i++) {
        bw_service_scanners_str(list[i].scanners, scn, sizeof scn);
        char tf[BW_SVC_GLOBS_MAX + BW_SVC_REGEX_MAX + 8];
        printf("%-5lld %-20s %-24s %-16s %-22s %s%s%s\n", (long long)list[i].id, list[i].namespace_,
               list[i].repositories[0] ? list[i].repositories : "*", tag_filter(&list[i], tf, sizeof tf), scn,
               list[i].on_push ? "push" : "", list[i].on_push && list[i].manual ? "," : "",
               list[i].manual ? "manual" : "");
      }
    }
    free(list);
  }
  if (r) bw_cli_report_error(&err);
  bw_cli_data_close(m, NULL);
  return r ? BW_EXIT_ERROR : BW_EXIT_OK;
}
