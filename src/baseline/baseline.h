/* Baseline checks (DESIGN.md §6 "baseline"): configuration risks of an image with evidence and
 * hardening advice — image config (CIS Docker Benchmark §4, Dockle), accounts and weak passwords,
 * password policy, permissions, services (sshd, Redis, MongoDB, MySQL, PostgreSQL, Tomcat, ...).
 * Leaked secrets are found in the layer pass by baseline/secrets.h and merged into the same list.
 *
 * The checks read only the merged image view (files captured in the pass, risky modes) and the
 * image config, never the blobs: they can be re-run from stored layer records. */
#ifndef BW_BASELINE_BASELINE_H
#define BW_BASELINE_BASELINE_H

#include <stdbool.h>

#include "base/error.h"
#include "report/result.h"

/* True when the checks need the file at this normalised path captured whole in the pass
 * (etc/passwd, etc/shadow, etc/ssh/sshd_config, redis.conf, tomcat-users.xml, ...). Cheap: the
 * dispatcher calls it for every entry. */
bool bw_baseline_wants(const char *path);

#define BW_BASELINE_CRACK_SECONDS 5.0 /* default weak-password cracking budget per image */

typedef struct bw_baseline_opts {
  double crack_seconds; /* time budget for weak-password cracking of the whole image; 0 = default */
  unsigned threads;     /* cracking threads; 0 = one per CPU */
} bw_baseline_opts;

/* Runs every check over res->view and res->image's config, appending bw_baseline_finding to
 * res->baseline (strings in res->arena); adds a res->warnings line for what it skipped (accounts
 * not tried within the cracking budget). opts may be NULL. Returns 0, or -BW_ENOMEM. */
int bw_baseline_run(bw_scan_result *res, const bw_baseline_opts *opts, bw_error *err);

#endif
