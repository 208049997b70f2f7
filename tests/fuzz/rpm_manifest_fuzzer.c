/* Fuzzes the CBL-Mariner container-manifest-2 parser (bw_rpm_manifest_parse). */
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_arena *arena = bw_arena_new();
  if (!arena) return 0;
  bw_pkglist pkgs;
  bw_pkglist_init(&pkgs);
  bw_analyze_out out = {.arena = arena, .packages = &pkgs, .path = "var/lib/rpmmanifest/container-manifest-2"};
  bw_error err = {0};
  bw_rpm_manifest_parse(data, size, &out, &err);
  bw_pkglist_dispose(&pkgs);
  bw_arena_free(arena);
  return 0;
}
