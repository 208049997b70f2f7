/* The data directory shared by `bulwark serve` and the admin commands: DIR/meta.db (metadata),
 * DIR/token.key (token signing key). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "auth/password.h"
#include "base/limits.h"
#include "cli/cli.h"

/* mkdir -p with mode for the last components created. */
static int mkdir_p(const char *dir, mode_t mode, bw_error *err) {
  char tmp[4096];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s", dir) >= sizeof tmp) return bw_error_set(err, BW_EINVAL, "path too long");
  for (char *p = tmp + 1;; p++) {
    if (*p != '/' && *p) continue;
    char c = *p;
    *p = 0;
    if (mkdir(tmp, mode) != 0 && errno != EEXIST) return bw_error_sys(err, BW_EIO, "cannot create %s", tmp);
    *p = c;
    if (!c) break;
  }
  return 0;
}

int bw_cli_data_open(const char *dir, bw_meta **m, bw_auth **a, bw_error *err) {
  *m = NULL;
  if (a) *a = NULL;
  if (!dir || !*dir) dir = BW_CLI_DEFAULT_DATA_DIR;
  int r = mkdir_p(dir, 0700, err);
  if (r) return r;
  char path[4200];
  snprintf(path, sizeof path, "%s/meta.db", dir);
  if ((r = bw_meta_open(m, path, err))) return r;
  if (!a) return 0;
  char key[4200];
  snprintf(key, sizeof key, "%s/token.key", dir);
  if ((r = bw_auth_new(a, *m, key, "bulwark", "", err))) {
    bw_meta_close(*m);
    *m = NULL;
  }
  return r;
}

void bw_cli_data_close(bw_meta *m, bw_auth *a) {
  bw_auth_free(a);
  bw_meta_close(m);
}

/* Reads one line (without its newline) of at most cap-1 bytes; -1 when longer or nothing. */
static int read_line(FILE *f, char *out, size_t cap) {
  if (!fgets(out, (int)cap, f)) return -1;
  size_t n = strlen(out);
  if (n && out[n - 1] == '\n') out[--n] = 0;
  else if (!feof(f)) return -1; /* too long */
  if (n && out[n - 1] == '\r') out[--n] = 0;
  return 0;
}

static int prompt(const char *what, char *out, size_t cap) {
  struct termios old, quiet;
  if (tcgetattr(STDIN_FILENO, &old) != 0) return -1;
  quiet = old;
  quiet.c_lflag &= ~(tcflag_t)ECHO;
  fprintf(stderr, "%s: ", what);
  fflush(stderr);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  int r = read_line(stdin, out, cap);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  fputc('\n', stderr);
  return r;
}

int bw_cli_read_password(bool from_stdin, char *out, size_t cap, bool *generated) {
  *generated = false;
  const char *env = getenv("BULWARK_NEW_PASSWORD");
  if (from_stdin) {
    if (read_line(stdin, out, cap) != 0 || !out[0]) {
      fprintf(stderr, "bulwark: error: --password-stdin: no password on stdin (one line, at most %u bytes)\n",
              (unsigned)BW_LIMIT_PASSWORD_BYTES);
      return -1;
    }
    return 0;
  }
  if (env && *env) {
    snprintf(out, cap, "%s", env);
    return 0;
  }
  if (isatty(STDIN_FILENO)) {
    char again[BW_LIMIT_PASSWORD_BYTES + 2];
    if (prompt("Password", out, cap) != 0 || prompt("Password (again)", again, sizeof again) != 0) {
      fputs("bulwark: error: no password read\n", stderr);
      return -1;
    }
    bool same = !strcmp(out, again);
    explicit_bzero(again, sizeof again);
    if (!same) {
      fputs("bulwark: error: the passwords differ\n", stderr);
      return -1;
    }
    if (out[0]) return 0;
  }
  bw_error err = {0};
  if (bw_random_secret(out, cap, 24, &err) != 0) {
    bw_cli_report_error(&err);
    return -1;
  }
  *generated = true;
  return 0;
}
