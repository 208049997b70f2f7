/* Shared pieces of the command-line front end. */
#ifndef BW_CLI_CLI_H
#define BW_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "analyze/inventory.h"
#include "auth/auth.h"
#include "base/error.h"
#include "base/log.h"
#include "image/image.h"
#include "report/result.h"

/* Exit codes (DESIGN.md §5). */
#define BW_EXIT_OK 0
#define BW_EXIT_ERROR 1
#define BW_EXIT_USAGE 2

int bw_cmd_sbom(int argc, char **argv);
int bw_cmd_db(int argc, char **argv);
/* bulwark version [compare --ecosystem ECO (A B | --batch)]. */
int bw_cmd_version(int argc, char **argv);
int bw_cmd_scan(int argc, char **argv);
/* bulwark user|namespace|robot ...: access control of the registry (src/auth/). */
int bw_cmd_user(int argc, char **argv);
int bw_cmd_namespace(int argc, char **argv);
int bw_cmd_robot(int argc, char **argv);
/* bulwark rule add|ls|rm: scan rules of the scan service (src/service/). */
int bw_cmd_rule(int argc, char **argv);
/* bulwark webhook ...: event notification targets (src/service/notify*.c). */
int bw_cmd_webhook(int argc, char **argv);

/* The data directory of `bulwark serve` (DIR/meta.db, DIR/token.key). */
#define BW_CLI_DEFAULT_DATA_DIR "./var/bulwark"
/* Opens (creating, mode 0700) the data directory's metadata store and, when a is non-NULL, the
 * access control. On failure nothing is left open. */
int bw_cli_data_open(const char *dir, bw_meta **m, bw_auth **a, bw_error *err);
void bw_cli_data_close(bw_meta *m, bw_auth *a);
/* A new password: one line from stdin (from_stdin), else $BULWARK_NEW_PASSWORD, else asked twice
 * on a terminal, else generated (*generated set; the caller prints it once). Prints the error and
 * returns -1 on failure. */
int bw_cli_read_password(bool from_stdin, char *out, size_t cap, bool *generated);
/* bulwark malware import-hashes FILE | ls-rules | test FILE... (cmd_malware.c). */
int bw_cmd_malware(int argc, char **argv);

/* What `sbom` and `scan` share: reading an image (registry options, cache, platform, threads) and
 * writing a report. */
enum {
  BW_CLI_OPT_CACHE = 256,
  BW_CLI_OPT_NOCACHE,
  BW_CLI_OPT_PLATFORM,
  BW_CLI_OPT_INSECURE,
  BW_CLI_OPT_THREADS,
  BW_CLI_OPT_DEBUG,
  BW_CLI_OPT_VERIFY_DIFF,
  BW_CLI_OPT_FIRST_OWN, /* commands number their own long options from here */
};

/* The long options of the image reading (to be copied into a command's table). */
#define BW_CLI_IMAGE_LONGOPTS                                                                      \
  {"cache-dir", required_argument, NULL, BW_CLI_OPT_CACHE},                                        \
      {"no-cache", no_argument, NULL, BW_CLI_OPT_NOCACHE},                                         \
      {"platform", required_argument, NULL, BW_CLI_OPT_PLATFORM},                                  \
      {"username", required_argument, NULL, 'u'}, {"password", required_argument, NULL, 'p'},      \
      {"insecure", no_argument, NULL, BW_CLI_OPT_INSECURE},                                        \
      {"threads", required_argument, NULL, BW_CLI_OPT_THREADS}, {"quiet", no_argument, NULL, 'q'}, \
      {"debug", no_argument, NULL, BW_CLI_OPT_DEBUG},                                              \
      {"verify-diff-ids", no_argument, NULL, BW_CLI_OPT_VERIFY_DIFF}
#define BW_CLI_IMAGE_SHORTOPTS "u:p:q"

/* The help text lines of those options. */
extern const char bw_cli_image_help[];

typedef struct bw_cli_image {
  bw_image_opts iopts;
  bw_inventory_opts vopts;
  bw_log_level level;
} bw_cli_image;

/* Defaults (cache in the default directory, progress lines, INFO logging). */
void bw_cli_image_init(bw_cli_image *ci);
/* Handles option c when it is an image option: 1 handled, 0 not one, -1 bad value (message
 * printed, naming cmd). */
int bw_cli_image_opt(bw_cli_image *ci, int c, const char *arg, const char *cmd);
/* Opens the image and runs the inventory (applying the log level and BULWARK_PASSWORD). On
 * success the caller disposes *res and frees *img; on failure the error is printed and nothing
 * is left to free. Returns 0 or -1. */
int bw_cli_inventory(bw_cli_image *ci, const char *ref, bw_scan_result *res, bw_image **img);
/* Writes the report in format fmt to output (NULL: stdout). Returns 0, or prints the error and
 * returns -1. */
int bw_cli_write_report(const bw_scan_result *res, int fmt, const char *output);

/* Default cache directory: $XDG_CACHE_HOME/bulwark or ~/.cache/bulwark (static buffer). */
const char *bw_cli_default_cache_dir(void);

/* Prints "bulwark: error: <msg>" with a hint for the error's code. */
void bw_cli_report_error(const bw_error *err);

#endif
