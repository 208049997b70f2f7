/* Fuzzes bw_dpkg_parse. The first byte picks the file kind (the status database, where a
 * stanza without Status is not installed, or a status.d entry); the rest is the file. */
#include <stdint.h>
#include <string.h>

#include "analyze/analyzer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const char *path = (data[0] & 1) ? "var/lib/dpkg/status.d/pkg" : "var/lib/dpkg/status";
  bw_arena *arena = bw_arena_new();
  if (!arena) return 0;
  bw_pkglist list;
  bw_pkglist_init(&list);
  bw_error err = {0};
  bw_analyze_out out = {.arena = arena, .packages = &list, .path = path};
  int rc = bw_dpkg_parse(data + 1, size - 1, &out, &err);
  /* contract: nothing appended on failure, an error message on failure, complete packages */
  if (rc != 0 && (bw_pkglist_len(&list) != 0 || err.code != -rc || !err.msg[0])) __builtin_trap();
  for (size_t i = 0; i < bw_pkglist_len(&list); i++) {
    const bw_package *p = bw_pkglist_at(&list, i);
    if (p->type != BW_PKG_DEB || !p->name[0] || !p->version[0] || !p->source_name[0] ||
        !p->source_version[0] || strcmp(p->path, path) != 0)
      __builtin_trap();
  }
  bw_pkglist_dispose(&list);
  bw_arena_free(arena);
  return 0;
}
