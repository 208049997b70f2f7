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
} bw_inventory_opts;

/* Fills res (caller disposes with bw_scan_result_dispose). A layer that fails to read fails the
 * whole inventory: a partial package list would hide packages. */
int bw_inventory_run(bw_scan_result *res, const bw_image *img, const bw_inventory_opts *opts, bw_error *err);
void bw_scan_result_dispose(bw_scan_result *res);

#endif
