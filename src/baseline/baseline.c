/* Baseline checks: the capture list and the driver that runs each check family. */
#include "baseline/baseline.h"

#include <string.h>

#include "base/strutil.h"

bool bw_baseline_wants(const char *path) {
  static const char *const exact[] = {"etc/passwd", "etc/shadow", "etc/group", "etc/login.defs",
                                      "etc/ssh/sshd_config", NULL};
  for (size_t i = 0; exact[i]; i++)
    if (!strcmp(path, exact[i])) return true;
  return false;
}

int bw_baseline_run(bw_scan_result *res, const bw_baseline_opts *opts, bw_error *err) {
  (void)res;
  (void)opts;
  (void)err;
  return 0; /* the check families land with issue 5 */
}
