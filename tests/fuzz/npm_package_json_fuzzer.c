/* Fuzzes bw_npm_package_json_parse with the whole input as app/node_modules/a/node_modules/@s/b/package.json. Invariants: a failure appends
 * nothing and explains itself; every package is npm with a valid name and (name, version) once. */
#include <stdint.h>
#include <string.h>

#include "analyze/npm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_arena *arena = bw_arena_new();
  if (!arena) return 0;
  bw_pkglist list;
  bw_pkglist_init(&list);
  bw_error err = {0};
  bw_analyze_out out = {.arena = arena, .packages = &list, .path = "app/node_modules/a/node_modules/@s/b/package.json"};
  int rc = bw_npm_package_json_parse(data, size, &out, &err);
  if (rc != 0 && (bw_pkglist_len(&list) != 0 || err.code != -rc || !err.msg[0])) __builtin_trap();
  size_t n = bw_pkglist_len(&list);
  for (size_t i = 0; i < n; i++) {
    const bw_package *p = bw_pkglist_at(&list, i);
    if (p->type != BW_PKG_NPM || !p->name || !p->name[0] || (p->version && !p->version[0]) || (p->dev & ~1))
      __builtin_trap();
    for (size_t k = 0; k < i && n < 512; k++) { /* quadratic: only for small outputs */
      const bw_package *q = bw_pkglist_at(&list, k);
      if (!strcmp(p->name, q->name) &&
          ((!p->version && !q->version) || (p->version && q->version && !strcmp(p->version, q->version))))
        __builtin_trap();
    }
  }
  bw_pkglist_dispose(&list);
  bw_arena_free(arena);
  return 0;
}
