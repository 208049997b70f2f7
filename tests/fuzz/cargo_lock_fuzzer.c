/* Fuzzes bw_cargo_lock_parse with the whole input as a Cargo.lock. */
#include <stdint.h>

#include "analyze/rust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_arena *arena = bw_arena_new();
  if (!arena) return 0;
  bw_pkglist list;
  bw_pkglist_init(&list);
  bw_error err = {0};
  bw_analyze_out out = {.arena = arena, .packages = &list, .path = "Cargo.lock"};
  int rc = bw_cargo_lock_parse(data, size, &out, &err);
  if (rc != 0 && (bw_pkglist_len(&list) != 0 || err.code != -rc || !err.msg[0])) __builtin_trap();
  for (size_t i = 0; i < bw_pkglist_len(&list); i++) {
    const bw_package *p = bw_pkglist_at(&list, i);
    if (p->type != BW_PKG_CARGO || !p->name || !p->name[0] || !p->version || !p->version[0]) __builtin_trap();
  }
  bw_pkglist_dispose(&list);
  bw_arena_free(arena);
  return 0;
}
