/* Shared pieces of the command-line front end. */
#ifndef BW_CLI_CLI_H
#define BW_CLI_CLI_H

#include "base/error.h"

/* Exit codes (DESIGN.md §5). */
#define BW_EXIT_OK 0
#define BW_EXIT_ERROR 1
#define BW_EXIT_USAGE 2

int bw_cmd_sbom(int argc, char **argv);
int bw_cmd_db(int argc, char **argv);
/* bulwark version [compare --ecosystem ECO (A B | --batch)]. */
int bw_cmd_version(int argc, char **argv);

/* Default cache directory: $XDG_CACHE_HOME/bulwark or ~/.cache/bulwark (static buffer). */
const char *bw_cli_default_cache_dir(void);

/* Prints "bulwark: error: <msg>" with a hint for the error's code. */
void bw_cli_report_error(const bw_error *err);

#endif
