/* Fuzzes bw_apk_parse with the whole input as lib/apk/db/installed. */
#include <stdint.h>
#include <string.h>

#include "analyze/analyzer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_arena *arena = bw_arena_new();
  if (!arena) return 0;
  bw_pkglist list;
  bw_pkglist_init(&list);
  bw_error err = {0};
  bw_analyze_out out = {.arena = arena, .packages = &list, .path = "lib/apk/db/installed"};
  int rc = bw_apk_parse(data, size, &out, &err);
  if (rc != 0 && (bw_pkglist_len(&list) != 0 || err.code != -rc || !err.msg[0])) __builtin_trap();
  for (size_t i = 0; i < bw_pkglist_len(&list); i++) {
    const bw_package *p = bw_pkglist_at(&list, i);
    if (p->type != BW_PKG_APK || !p->name[0] || !p->version[0] || !p->source_name[0] ||
        p->source_version != p->version)
      __builtin_trap();
  }
  bw_pkglist_dispose(&list);
  bw_arena_free(arena);
  return 0;
}
