/* bulwark user add|passwd|rm|ls: registry users (src/auth/). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth_store.h"
#include "base/limits.h"
#include "cli/cli.h"

static void user_usage(FILE *f) {
  fputs("Usage: bulwark user COMMAND [OPTIONS]\n"
        "\n"
        "Users of the registry and its REST API (stored in DIR/meta.db; `bulwark serve` reads the same).\n"
        "\n"
        "Commands:\n"
        "  add NAME [--admin] [--password-stdin]   create a user (--admin: system administrator)\n"
        "  passwd NAME [--password-stdin]          set a new password\n"
        "  rm NAME                                 remove a user and its namespace roles (the last\n"
        "                                          system administrator cannot be removed)\n"
        "  ls                                      list users\n"
        "\n"
        "Options:\n"
        "      --data DIR         data directory (default " BW_CLI_DEFAULT_DATA_DIR ")\n"
        "      --password-stdin   read the password from the first line of stdin\n"
        "      --admin            add: make the user a system administrator\n"
        "  -h, --help             this help\n"
        "\n"
        "Passwords are never taken from the command line: --password-stdin, else the environment\n"
        "variable BULWARK_NEW_PASSWORD, else a prompt on a terminal, else one is generated and printed\n"
        "once. Names: lowercase letters, digits and '.', '_', '-' between them, at most 64.\n"
        "Passwords are stored as yescrypt hashes.\n"
        "\n"
        "Examples:\n"
        "  printf '%s\\n' \"$PW\" | bulwark user add alice --password-stdin\n"
        "  bulwark user add ops --admin            # prints a generated password\n"
        "  bulwark user passwd alice --data /srv/bulwark\n"
        "  bulwark user ls\n",
        f);
}

enum { OPT_DATA = BW_CLI_OPT_FIRST_OWN, OPT_STDIN, OPT_ADMIN };

int bw_cmd_user(int argc, char **argv) {
  static const struct option longopts[] = {{"data", required_argument, NULL, OPT_DATA},
                                            {"password-stdin", no_argument, NULL, OPT_STDIN},
                                            {"admin", no_argument, NULL, OPT_ADMIN},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
  const char *data = BW_CLI_DEFAULT_DATA_DIR;
  bool from_stdin = false, admin = false;
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_DATA: data = optarg; break;
    case OPT_STDIN: from_stdin = true; break;
    case OPT_ADMIN: admin = true; break;
    case 'h': user_usage(stdout); return BW_EXIT_OK;
    default: user_usage(stderr); return BW_EXIT_USAGE;
    }
  }
  const char *sub = optind < argc ? argv[optind++] : NULL;
  const char *name = optind < argc ? argv[optind++] : NULL;
  bool want_name = sub && strcmp(sub, "ls");
  if (!sub || (want_name && !name) || optind < argc || (!want_name && name) ||
      (strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "rm") && strcmp(sub, "ls")) ||
      (admin && strcmp(sub, "add")) || (from_stdin && strcmp(sub, "add") && strcmp(sub, "passwd"))) {
    if (sub && strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "rm") && strcmp(sub, "ls"))
      fprintf(stderr, "bulwark user: unknown command \"%s\"\n\n", sub);
    user_usage(stderr);
    return BW_EXIT_USAGE;
  }
  bw_error err = {0};
  bw_meta *m = NULL;
  bw_auth *a = NULL;
  if (bw_cli_data_open(data, &m, &a, &err)) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  int rc = BW_EXIT_OK;
  if (!strcmp(sub, "ls")) {
    bw_user_rec *list = NULL;
    size_t n = 0;
    if (bw_store_user_list(m, &list, &n, &err)) {
      bw_cli_report_error(&err);
      rc = BW_EXIT_ERROR;
    } else {
      printf("%-32s %-6s %-9s %s\n", "NAME", "ADMIN", "DISABLED", "CREATED");
      for (size_t i = 0; i < n; i++) {
        char when[32];
        time_t t = (time_t)list[i].created_at;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
        printf("%-32s %-6s %-9s %s\n", list[i].name, list[i].sysadmin ? "yes" : "no", list[i].disabled ? "yes" : "no",
               when);
      }
    }
    free(list);
  } else if (!strcmp(sub, "rm")) {
    if (bw_auth_user_rm(a, name, &err)) {
      bw_cli_report_error(&err);
      rc = BW_EXIT_ERROR;
    } else {
      printf("removed user %s\n", name);
    }
  } else {
    char pw[BW_LIMIT_PASSWORD_BYTES + 2];
    bool generated = false;
    if (!strcmp(sub, "passwd")) { /* fail early on an unknown user, before asking for a password */
      bw_user_rec u;
      if (bw_store_user_get(m, name, &u, &err)) {
        bw_cli_report_error(&err);
        bw_cli_data_close(m, a);
        return BW_EXIT_ERROR;
      }
    }
    if (bw_cli_read_password(from_stdin, pw, sizeof pw, &generated)) {
      rc = BW_EXIT_ERROR;
    } else if (!strcmp(sub, "add") ? bw_auth_user_add(a, name, pw, admin, &err)
                                   : bw_auth_user_passwd(a, name, pw, &err)) {
      bw_cli_report_error(&err);
      rc = BW_EXIT_ERROR;
    } else {
      printf("%s user %s%s\n", !strcmp(sub, "add") ? "added" : "new password for", name,
             admin ? " (system administrator)" : "");
      if (generated) printf("password: %s\n", pw);
    }
    explicit_bzero(pw, sizeof pw);
  }
  bw_cli_data_close(m, a);
  return rc;
}
