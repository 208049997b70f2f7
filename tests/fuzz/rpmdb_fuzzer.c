/* Fuzzes the whole rpm database analyser: format sniffing, BDB / NDB / SQLite walkers, header
 * parser and package assembly (bw_rpmdb_parse). */
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_arena *arena = bw_arena_new();
  if (!arena) return 0;
  bw_pkglist pkgs;
  bw_pkglist_init(&pkgs);
  bw_analyze_out out = {.arena = arena, .packages = &pkgs, .path = "var/lib/rpm/Packages"};
  bw_error err = {0};
  bw_rpmdb_parse(data, size, &out, &err);
  bw_pkglist_dispose(&pkgs);
  bw_arena_free(arena);
  return 0;
}
