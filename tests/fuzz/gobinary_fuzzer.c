/* Fuzzes the Go build info analyser through the real stream interface (the input as an ELF file,
 * fed whole and in chunks of 1, 7 and 64 bytes), plus the module-info and -ldflags parsers on the
 * raw input. Seeds: tests/fuzz/gen_gorust_corpora.py. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/gobinary.h"
#include "analyze/stream_util.h"

static void check_list(const bw_pkglist *l) {
  for (size_t i = 0; i < bw_pkglist_len(l); i++) {
    const bw_package *p = bw_pkglist_at(l, i);
    if (p->type != BW_PKG_GOLANG || !p->name || (p->version && !p->version[0])) __builtin_trap();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const size_t chunks[] = {0, 1, 7, 64};
  for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
    bw_arena *arena = bw_arena_new();
    if (!arena) return 0;
    bw_pkglist list;
    bw_pkglist_init(&list);
    bw_error err = {0};
    bw_analyze_out out = {.arena = arena, .packages = &list, .path = "usr/bin/app"};
    int rc = bw_stream_run(&bw_stream_gobinary, "usr/bin/app", data, size, chunks[c], &out, &err);
    if (rc < 0 && (err.code != -rc || !err.msg[0])) __builtin_trap();
    if (rc < 0 && rc != -BW_ECORRUPT && rc != -BW_ELIMIT && rc != -BW_ENOMEM) __builtin_trap();
    if (rc == 1) check_list(&list);
    bw_pkglist_dispose(&list);
    bw_arena_free(arena);
  }
  /* the raw input as module info text and as an -ldflags value */
  bw_arena *arena = bw_arena_new();
  if (!arena) return 0;
  bw_pkglist list;
  bw_pkglist_init(&list);
  bw_error err = {0};
  bw_analyze_out out = {.arena = arena, .packages = &list};
  int rc = bw_gobinary_packages("go1.21.0", 8, (const char *)data, size, &out, &err);
  if (rc < 0 && bw_pkglist_len(&list) != 0) __builtin_trap();
  if (rc == 0) check_list(&list);
  char *text = malloc(size + 1);
  if (text) {
    memcpy(text, data, size);
    text[size] = 0;
    if (!bw_gobinary_ldflags_version(arena, "example.com/m", text)) __builtin_trap();
    free(text);
  }
  bw_pkglist_dispose(&list);
  bw_arena_free(arena);
  return 0;
}
