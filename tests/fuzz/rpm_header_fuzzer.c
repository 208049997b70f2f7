/* Fuzzes the rpm header blob parser (src/analyze/rpm_header.c). */
#include <stddef.h>
#include <stdint.h>

#include "analyze/rpm_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_arena *arena = bw_arena_new();
  if (!arena) return 0;
  bw_rpm_header h;
  bw_error err = {0};
  bw_rpm_header_parse(data, size, arena, &h, &err);
  bw_arena_free(arena);
  return 0;
}
