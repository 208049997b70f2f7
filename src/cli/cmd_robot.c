/* bulwark robot add|ls|rm: robot accounts with scoped, expiring credentials (src/auth/). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth_store.h"
#include "auth/token.h"
#include "cli/cli.h"

static void robot_usage(FILE *f) {
  fputs("Usage: bulwark robot COMMAND [OPTIONS]\n"
        "\n"
        "Robot accounts are for CI and deployments: they belong to one namespace, reach only the\n"
        "repositories their scopes name, and may expire. They log in as \"robot$NAME\" with the\n"
        "secret printed once by `robot add` (docker login -u 'robot$NAME' --password-stdin).\n"
        "\n"
        "Commands:\n"
        "  add NAME --namespace NS --scope GLOB:ACTIONS... [--expires DURATION] [--description TEXT]\n"
        "                       create a robot; prints its secret (only its hash is stored)\n"
        "  ls [--namespace NS]  list robots, their scopes and expiry\n"
        "  rm NAME              remove a robot (its tokens stop working at once)\n"
        "\n"
        "Options:\n"
        "      --data DIR          data directory (default " BW_CLI_DEFAULT_DATA_DIR ")\n"
        "      --namespace NS      the robot's namespace\n"
        "      --scope GLOB:ACTIONS\n"
        "                          repeatable (at most 16). GLOB is a repository of NS or a pattern where\n"
        "                          '*' matches anything, '/' included (\"NS/app\", \"NS/app-*\"; \"NS\"\n"
        "                          alone means all of NS). ACTIONS: pull, push, delete, comma-separated,\n"
        "                          or '*' for all three.\n"
        "      --expires DURATION  lifetime: N followed by s, m, h, d or w (30d, 12h), or never\n"
        "                          (default never)\n"
        "      --description TEXT  a note shown by ls\n"
        "  -h, --help              this help\n"
        "\n"
        "Examples:\n"
        "  bulwark robot add ci --namespace team --scope 'team/app:pull,push' --expires 30d\n"
        "  bulwark robot add reader --namespace team --scope 'team:pull'\n"
        "  bulwark robot ls --namespace team\n"
        "  bulwark robot rm ci\n",
        f);
}

/* "30d" -> seconds; 0 for "never"; -1 when malformed. */
static long long parse_duration(const char *s) {
  if (!strcmp(s, "never")) return 0;
  char *end = NULL;
  long long v = strtoll(s, &end, 10);
  if (end == s || v <= 0 || v > 100000 || !end[0] || end[1]) return -1;
  switch (*end) {
  case 's': return v;
  case 'm': return v * 60;
  case 'h': return v * 3600;
  case 'd': return v * 86400;
  case 'w': return v * 7 * 86400;
  default: return -1;
  }
}

enum { OPT_DATA = BW_CLI_OPT_FIRST_OWN, OPT_NS, OPT_SCOPE, OPT_EXPIRES, OPT_DESC };

int bw_cmd_robot(int argc, char **argv) {
  static const struct option longopts[] = {{"data", required_argument, NULL, OPT_DATA},
                                            {"namespace", required_argument, NULL, OPT_NS},
                                            {"scope", required_argument, NULL, OPT_SCOPE},
                                            {"expires", required_argument, NULL, OPT_EXPIRES},
                                            {"description", required_argument, NULL, OPT_DESC},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
  const char *data = BW_CLI_DEFAULT_DATA_DIR, *ns = NULL, *desc = NULL, *expires = NULL;
  const char *scopes[BW_AUTH_SCOPES_MAX];
  size_t nscopes = 0;
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_DATA: data = optarg; break;
    case OPT_NS: ns = optarg; break;
    case OPT_SCOPE:
      if (nscopes == BW_AUTH_SCOPES_MAX) {
        fprintf(stderr, "bulwark robot: at most %d --scope options\n", BW_AUTH_SCOPES_MAX);
        return BW_EXIT_USAGE;
      }
      scopes[nscopes++] = optarg;
      break;
    case OPT_EXPIRES: expires = optarg; break;
    case OPT_DESC: desc = optarg; break;
    case 'h': robot_usage(stdout); return BW_EXIT_OK;
    default: robot_usage(stderr); return BW_EXIT_USAGE;
    }
  }
  const char *sub = optind < argc ? argv[optind++] : NULL;
  int nargs = argc - optind;
  char **args = argv + optind;
  int want = !sub ? -1 : !strcmp(sub, "add") ? 1 : !strcmp(sub, "rm") ? 1 : !strcmp(sub, "ls") ? 0 : -1;
  if (want < 0 || nargs != want) {
    if (sub && want < 0) fprintf(stderr, "bulwark robot: unknown command \"%s\"\n\n", sub);
    robot_usage(stderr);
    return BW_EXIT_USAGE;
  }
  bool add = !strcmp(sub, "add");
  if (add && (!ns || !nscopes)) {
    fputs("bulwark robot add: --namespace and at least one --scope are required\n", stderr);
    return BW_EXIT_USAGE;
  }
  if (!add && (nscopes || expires || desc || (ns && strcmp(sub, "ls")))) {
    fprintf(stderr, "bulwark robot %s: --scope, --expires and --description are for add\n", sub);
    return BW_EXIT_USAGE;
  }
  long long dur = expires ? parse_duration(expires) : 0;
  if (dur < 0) {
    fprintf(stderr, "bulwark robot: --expires wants N followed by s, m, h, d or w (30d), or never\n");
    return BW_EXIT_USAGE;
  }
  bw_error err = {0};
  bw_meta *m = NULL;
  bw_auth *a = NULL;
  if (bw_cli_data_open(data, &m, &a, &err)) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  int r = 0;
  if (add) {
    char *secret = NULL;
    int64_t exp = dur ? bw_meta_now() + dur : 0;
    if (!(r = bw_auth_robot_add(a, args[0], ns, scopes, nscopes, exp, desc, 0, &secret, &err))) {
      const char *bare = !strncmp(args[0], "robot$", 6) ? args[0] + 6 : args[0];
      printf("added robot$%s in %s", bare, ns);
      if (exp) {
        char when[32];
        time_t t = (time_t)exp;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
        printf(", expires %s", when);
      }
      printf("\nuser:   robot$%s\nsecret: %s\n(the secret is shown only now)\n", bare, secret);
      explicit_bzero(secret, strlen(secret));
      free(secret);
    }
  } else if (!strcmp(sub, "rm")) {
    if (!(r = bw_auth_robot_rm(a, args[0], &err))) printf("removed robot %s\n", args[0]);
  } else {
    bw_ns_rec n = {0};
    if (ns) r = bw_store_ns_get(m, ns, &n, &err);
    bw_robot_rec *list = NULL;
    size_t k = 0;
    if (!r && !(r = bw_store_robot_list(m, n.id, &list, &k, &err))) {
      printf("%-30s %-20s %-22s %s\n", "NAME", "NAMESPACE", "EXPIRES", "SCOPES");
      int64_t now = bw_meta_now();
      for (size_t i = 0; i < k; i++) {
        char when[40] = "never";
        if (list[i].expires_at) {
          time_t t = (time_t)list[i].expires_at;
          struct tm tm;
          gmtime_r(&t, &tm);
          strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
          if (now >= list[i].expires_at) snprintf(when, sizeof when, "expired");
        }
        if (list[i].disabled) snprintf(when, sizeof when, "disabled");
        char full[BW_AUTH_NAME_MAX + 8];
        snprintf(full, sizeof full, "robot$%s", list[i].name);
        printf("%-30s %-20s %-22s ", full, list[i].namespace_name, when);
        for (size_t j = 0; j < list[i].nscopes; j++) {
          char acts[32];
          bw_actions_format(list[i].scopes[j].actions, acts, sizeof acts);
          printf("%s%s:%s", j ? " " : "", list[i].scopes[j].repo_glob, acts);
        }
        printf("%s%s\n", list[i].description[0] ? "  # " : "", list[i].description);
      }
    }
    free(list);
  }
  if (r) bw_cli_report_error(&err);
  bw_cli_data_close(m, a);
  return r ? BW_EXIT_ERROR : BW_EXIT_OK;
}
