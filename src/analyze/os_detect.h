/* OS detection over the merged image: os-release and the distribution release files. */
#ifndef BW_ANALYZE_OS_DETECT_H
#define BW_ANALYZE_OS_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"
#include "report/result.h"

/* True for the small files OS detection reads (etc/os-release, usr/lib/os-release,
 * etc/alpine-release, etc/redhat-release, etc/debian_version, ...): the layer pass captures them. */
bool bw_os_wants(const char *path);

/* Returns the final content of path in the merged image (symlinks already resolved inside the
 * root), or false when the file does not exist. The buffer stays valid for the whole scan. */
typedef bool (*bw_file_lookup)(void *ctx, const char *path, const uint8_t **buf, size_t *len);

/* Fills out (strings in arena). An image with no recognisable OS leaves out->family NULL and
 * returns 0. Distroless images are recognised by their os-release (Google's distroless says
 * PRETTY_NAME="Distroless" with ID=debian: family "debian", distroless = 1). */
int bw_os_detect(bw_os_info *out, bw_arena *arena, bw_file_lookup lookup, void *ctx, bw_error *err);

/* Parses one os-release file (pure, for tests and fuzzing). */
int bw_os_release_parse(bw_os_info *out, bw_arena *arena, const uint8_t *buf, size_t len, bw_error *err);

#endif
