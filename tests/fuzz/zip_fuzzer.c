/* Fuzzes the Java archive analyser end to end: the zip reader (zip.c: end records, zip64, central
 * directory, local headers, inflate), the nested walk and the identity rules (java.c). Warnings go
 * to a counting sink so the warning path is exercised too. */
#include <stddef.h>
#include <stdint.h>

#include "analyze/java.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_warning(void *ctx, const char *msg) {
  (void)msg;
  (*(size_t *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_arena *arena = bw_arena_new();
  if (!arena) return 0;
  bw_pkglist pkgs;
  bw_pkglist_init(&pkgs);
  size_t warnings = 0;
  bw_analyze_out out = {.arena = arena,
                        .packages = &pkgs,
                        .path = "app/demo-1.0.jar",
                        .warn = count_warning,
                        .warn_ctx = &warnings};
  bw_error err = {0};
  bw_java_parse(data, size, &out, &err);
  bw_pkglist_dispose(&pkgs);
  bw_arena_free(arena);
  return 0;
}
