/* Merging layer records in order into the image view: whiteouts and opaque directories of a
 * layer hide what lower layers put there; a later file replaces an earlier one. */
#ifndef BW_LAYER_MERGE_H
#define BW_LAYER_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/vec.h"
#include "layer/record.h"

typedef struct bw_view_item {
  const void *item; /* bw_record_file, bw_record_db or bw_record_link */
  const char *path;
  size_t layer;     /* index of the record it came from */
} bw_view_item;

typedef struct bw_image_view {
  bw_layer_record *const *records;
  size_t nrecords;
  bw_vec files, dbs, links; /* bw_view_item, each sorted by path */
  const bw_record_db ***dbs_by_path; /* per record: its databases sorted by path (origin lookups) */
  bw_vec warnings;          /* char * (malloc'd): what the merge found suspicious */
} bw_image_view;

/* Builds the view (records stay owned by the caller and must outlive the view). */
int bw_merge(bw_image_view *out, bw_layer_record *const *records, size_t n, bw_error *err);
void bw_image_view_dispose(bw_image_view *v);

/* Final content of a path, symlinks resolved inside the root; false when absent. */
bool bw_view_read(const bw_image_view *v, const char *path, const uint8_t **buf, size_t *len);

/* True when the entry at `path` that layer `layer` wrote is still what the image shows: no later
 * layer deleted it (whiteout, opaque parent), replaced it (same path) or put a link over a parent.
 * Findings and risky modes recorded by the walk are kept only for live entries. */
bool bw_view_path_live(const bw_image_view *v, size_t layer, const char *path);

/* Index of the first layer whose database at `db_path` holds a package with this name, version
 * and architecture: the layer that introduced it. */
size_t bw_view_package_origin(const bw_image_view *v, const char *db_path, const bw_package *p, size_t final_layer);

#endif
