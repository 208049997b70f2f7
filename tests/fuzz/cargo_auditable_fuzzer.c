/* Fuzzes the cargo-auditable analyser: the input as an ELF file through the stream interface
 * (whole and in 1- and 13-byte chunks), as a raw .dep-v0 section (zlib) and as its JSON. Seeds:
 * tests/fuzz/gen_gorust_corpora.py. */
#include <stdint.h>

#include "analyze/rust.h"
#include "analyze/stream_util.h"

static void check_list(const bw_pkglist *l) {
  for (size_t i = 0; i < bw_pkglist_len(l); i++) {
    const bw_package *p = bw_pkglist_at(l, i);
    if (p->type != BW_PKG_CARGO || !p->name || !p->name[0] || !p->version || !p->version[0]) __builtin_trap();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const size_t chunks[] = {0, 1, 13};
  for (size_t c = 0; c < 5; c++) {
    bw_arena *arena = bw_arena_new();
    if (!arena) return 0;
    bw_pkglist list;
    bw_pkglist_init(&list);
    bw_error err = {0};
    bw_analyze_out out = {.arena = arena, .packages = &list, .path = "usr/bin/app"};
    int rc;
    if (c < 3) rc = bw_stream_run(&bw_stream_cargo_auditable, "usr/bin/app", data, size, chunks[c], &out, &err);
    else if (c == 3) rc = bw_cargo_auditable_section_parse(data, size, &out, &err);
    else rc = bw_cargo_auditable_json_parse(data, size, &out, &err);
    if (rc < 0 && (err.code != -rc || !err.msg[0] || bw_pkglist_len(&list) != 0)) __builtin_trap();
    if (rc >= 0) check_list(&list);
    bw_pkglist_dispose(&list);
    bw_arena_free(arena);
  }
  return 0;
}
