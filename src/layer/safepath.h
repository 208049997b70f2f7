/* Paths inside an image root: lexical normalisation and symlink resolution that can never
 * leave the root. */
#ifndef BW_LAYER_SAFEPATH_H
#define BW_LAYER_SAFEPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* Normalises a tar entry or link path relative to the root into out (size outsz): drops leading
 * "/" and "./", empty and "." components, and applies "..". A path that climbs above the root is
 * BW_ECORRUPT ("path escapes the image root"); longer than BW_LIMIT_PATH_BYTES or deeper than
 * BW_LIMIT_PATH_DEPTH is BW_ELIMIT. The root itself normalises to "". */
int bw_path_normalize(char *out, size_t outsz, const char *in, bw_error *err);

/* Where a symlink at `link_path` pointing to `target` leads, as a root-relative path: absolute
 * targets start at the image root, relative ones at the link's directory, and ".." stops at the
 * root (as the kernel does under chroot), so the result never escapes. */
int bw_path_link_target(char *out, size_t outsz, const char *link_path, const char *target, bw_error *err);

/* True when a symlink at link_path with this target would point above the image root if it were
 * followed on the host (e.g. "../../../etc/passwd"): worth a warning, though Bulwark itself clamps
 * such targets to the root. */
bool bw_path_link_escapes(const char *link_path, const char *target);

/* Looks up the target of a symlink at a root-relative path; NULL when path is not a symlink. */
typedef const char *(*bw_link_lookup)(void *ctx, const char *path);

/* Resolves every symlink along path (at most BW_LIMIT_SYMLINK_HOPS, else BW_ELIMIT "symlink
 * loop"), clamped to the root. */
int bw_path_resolve(char *out, size_t outsz, const char *path, bw_link_lookup lookup, void *ctx, bw_error *err);

#endif
