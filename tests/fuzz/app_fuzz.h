/* Shared by the application-package fuzz targets: runs one parser over the input and traps on a
 * broken contract (an error without a message or with packages kept; a package with an empty
 * or control-character name or version, the wrong type, or a dev flag other than 0/1). */
#ifndef BW_FUZZ_APP_FUZZ_H
#define BW_FUZZ_APP_FUZZ_H

#include <stdint.h>
#include <string.h>

#include "analyze/analyzer.h"

typedef int (*app_fuzz_fn)(const uint8_t *, size_t, bw_analyze_out *, bw_error *);

static void app_fuzz_check_str(const char *s) {
  if (!s || !s[0]) __builtin_trap();
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f) __builtin_trap();
}

static void app_fuzz_run(app_fuzz_fn fn, bw_pkg_type type, const char *path, const uint8_t *data, size_t size) {
  bw_arena *arena = bw_arena_new();
  if (!arena) return;
  bw_pkglist list;
  bw_pkglist_init(&list);
  bw_error err = {0};
  bw_analyze_out out = {.arena = arena, .packages = &list, .path = path};
  int rc = fn(data, size, &out, &err);
  if (rc != 0 && (bw_pkglist_len(&list) != 0 || err.code != -rc || !err.msg[0])) __builtin_trap();
  for (size_t i = 0; i < bw_pkglist_len(&list); i++) {
    const bw_package *p = bw_pkglist_at(&list, i);
    if (p->type != type || (p->dev != 0 && p->dev != 1)) __builtin_trap();
    app_fuzz_check_str(p->name);
    app_fuzz_check_str(p->version);
    if (p->licenses) (void)strlen(p->licenses);
  }
  bw_pkglist_dispose(&list);
  bw_arena_free(arena);
}

#endif
