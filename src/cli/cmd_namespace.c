/* bulwark namespace add|grant|revoke|ls: namespaces and their members' roles (src/auth/). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth_store.h"
#include "cli/cli.h"

static void ns_usage(FILE *f) {
  fputs("Usage: bulwark namespace COMMAND [OPTIONS]\n"
        "\n"
        "A namespace is the first component of a repository name (team in team/app). Private ones are\n"
        "seen only by their members; public ones can be pulled by anyone, even without logging in.\n"
        "\n"
        "Commands:\n"
        "  add NAME [--public] [--owner USER]   create a namespace (private unless --public; the owner\n"
        "                                       becomes its admin)\n"
        "  grant NS USER ROLE                   give USER a role in NS (replaces the previous one)\n"
        "  revoke NS USER                       take USER's role in NS away\n"
        "  ls                                   list namespaces with their members\n"
        "\n"
        "Roles:\n"
        "  guest       pull\n"
        "  developer   pull, push\n"
        "  maintainer  pull, push, delete\n"
        "  admin       pull, push, delete, and manage the namespace's members and robot accounts\n"
        "System administrators (bulwark user add --admin) may do everything everywhere.\n"
        "\n"
        "Options:\n"
        "      --data DIR     data directory (default " BW_CLI_DEFAULT_DATA_DIR ")\n"
        "      --public       add: anyone may pull\n"
        "      --owner USER   add: USER becomes the namespace's admin\n"
        "  -h, --help         this help\n"
        "\n"
        "Examples:\n"
        "  bulwark namespace add team --owner alice\n"
        "  bulwark namespace add library --public\n"
        "  bulwark namespace grant team bob developer\n"
        "  bulwark namespace revoke team bob\n",
        f);
}

enum { OPT_DATA = BW_CLI_OPT_FIRST_OWN, OPT_PUBLIC, OPT_OWNER };

int bw_cmd_namespace(int argc, char **argv) {
  static const struct option longopts[] = {{"data", required_argument, NULL, OPT_DATA},
                                            {"public", no_argument, NULL, OPT_PUBLIC},
                                            {"owner", required_argument, NULL, OPT_OWNER},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
  const char *data = BW_CLI_DEFAULT_DATA_DIR, *owner = NULL;
  bool public_ = false;
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_DATA: data = optarg; break;
    case OPT_PUBLIC: public_ = true; break;
    case OPT_OWNER: owner = optarg; break;
    case 'h': ns_usage(stdout); return BW_EXIT_OK;
    default: ns_usage(stderr); return BW_EXIT_USAGE;
    }
  }
  const char *sub = optind < argc ? argv[optind++] : NULL;
  int nargs = argc - optind;
  char **args = argv + optind;
  int want = !sub ? -1 : !strcmp(sub, "add") ? 1 : !strcmp(sub, "grant") ? 3 : !strcmp(sub, "revoke") ? 2
                        : !strcmp(sub, "ls") ? 0 : -1;
  if (want < 0 || nargs != want || ((public_ || owner) && strcmp(sub, "add"))) {
    if (sub && want < 0) fprintf(stderr, "bulwark namespace: unknown command \"%s\"\n\n", sub);
    ns_usage(stderr);
    return BW_EXIT_USAGE;
  }
  bw_error err = {0};
  bw_role role = BW_ROLE_NONE;
  if (!strcmp(sub, "grant") && bw_role_parse(args[2], &role, &err)) {
    fprintf(stderr, "bulwark namespace: %s\n", err.msg);
    return BW_EXIT_USAGE;
  }
  bw_meta *m = NULL;
  bw_auth *a = NULL;
  if (bw_cli_data_open(data, &m, &a, &err)) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  int r = 0;
  if (!strcmp(sub, "add")) {
    if (!(r = bw_auth_namespace_add(a, args[0], public_, owner, &err)))
      printf("added %s namespace %s%s%s\n", public_ ? "public" : "private", args[0], owner ? " owned by " : "",
             owner ? owner : "");
  } else if (!strcmp(sub, "grant")) {
    if (!(r = bw_auth_member_set(a, args[0], args[1], role, &err)))
      printf("%s is %s of %s\n", args[1], bw_role_name(role), args[0]);
  } else if (!strcmp(sub, "revoke")) {
    if (!(r = bw_auth_member_remove(a, args[0], args[1], &err))) printf("%s has no role in %s now\n", args[1], args[0]);
  } else {
    bw_ns_rec *list = NULL;
    size_t n = 0;
    if (!(r = bw_store_ns_list(m, &list, &n, &err))) {
      printf("%-32s %-8s %-20s %s\n", "NAME", "ACCESS", "OWNER", "MEMBERS");
      for (size_t i = 0; i < n && !r; i++) {
        bw_member_rec *mem = NULL;
        size_t k = 0;
        if ((r = bw_store_member_list(m, list[i].id, &mem, &k, &err))) break;
        printf("%-32s %-8s %-20s ", list[i].name, list[i].public_ ? "public" : "private",
               list[i].owner[0] ? list[i].owner : "-");
        for (size_t j = 0; j < k; j++) printf("%s%s(%s)", j ? ", " : "", mem[j].user, bw_role_name(mem[j].role));
        printf("%s\n", k ? "" : "-");
        free(mem);
      }
    }
    free(list);
  }
  if (r) bw_cli_report_error(&err);
  bw_cli_data_close(m, a);
  return r ? BW_EXIT_ERROR : BW_EXIT_OK;
}
