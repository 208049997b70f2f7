/* The inventory pass of a scan: every layer read once (or taken from the cache), in parallel,
 * merged, then OS detection and the final package list with the layer that introduced each. */
#ifndef BW_ANALYZE_INVENTORY_H
#define BW_ANALYZE_INVENTORY_H

#include <stdbool.h>

#include "base/error.h"
#include "image/image.h"
#include "report/result.h"

typedef struct bw_inventory_opts {
  const char *cache_dir; /* layer record cache; NULL = no cache */
  unsigned threads;      /* 0 = one per CPU */
  bool progress;         /* log a line per layer */
  bool verify_diff_ids;  /* also recompute the diff_id of compressed layers (costs a second hash) */
  unsigned scanners;     /* BW_SCANNER_* whose content scanners run in the pass (BASELINE: secrets,
                            MALWARE: rules and digests); 0 = inventory only */
  const char *content_fp; /* fingerprint of the content scanners' rules (bw_cli computes it): cached
                             records made with other rules are read again; NULL = built-ins only */
} bw_inventory_opts;

/* Fills res (caller disposes with bw_scan_result_dispose). A layer that fails to read fails the
 * whole inventory: a partial package list would hide packages. With content scanners, the
 * findings on files that survive the merge go to res->baseline (secrets) and res->malware, and
 * res->view keeps the merged image for the post-merge checks (baseline/). */
int bw_inventory_run(bw_scan_result *res, const bw_image *img, const bw_inventory_opts *opts, bw_error *err);
void bw_scan_result_dispose(bw_scan_result *res);

#endif
