/* Placeholder until the OS detection module lands (being written on another branch). */
#include "analyze/os_detect.h"

#include <string.h>

bool bw_os_wants(const char *path) { return !strcmp(path, "etc/os-release") || !strcmp(path, "usr/lib/os-release"); }

int bw_os_release_parse(bw_os_info *out, bw_arena *arena, const uint8_t *buf, size_t len, bw_error *err) {
  memset(out, 0, sizeof *out);
  return 0;
}

int bw_os_detect(bw_os_info *out, bw_arena *arena, bw_file_lookup lookup, void *ctx, bw_error *err) {
  memset(out, 0, sizeof *out);
  return 0;
}
