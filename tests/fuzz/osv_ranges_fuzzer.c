/* Fuzzes OSV range evaluation (bw_match_affected). Input: one byte picking the version scheme,
 * then three NUL-separated strings: the "ranges" JSON, the "versions" JSON and the installed
 * version (missing parts are empty). Any JSON shape, event order, version text and count must be
 * answered with affected / not affected / a clean error, never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "match/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  bw_vscheme scheme = (bw_vscheme)(data[0] % (BW_VSCHEME_CARGO + 1));
  char *buf = malloc(size + 3); /* three terminators beyond the input */
  if (!buf) return 0;
  memcpy(buf, data + 1, size - 1);
  memset(buf + size - 1, 0, 4);
  const char *ranges = buf;
  const char *versions = ranges + strlen(ranges) + 1;
  if (versions > buf + size - 1) versions = buf + size - 1;
  const char *installed = versions + strlen(versions) + 1;
  if (installed > buf + size - 1) installed = buf + size - 1;
  bw_arena *a = bw_arena_new();
  if (a) {
    bool affected = false;
    const char *fixed = NULL;
    unsigned skipped = 0;
    bw_error err = {0};
    bw_match_affected(a, scheme, *ranges ? ranges : NULL, *versions ? versions : NULL, installed, &affected, &fixed,
                      &skipped, &err);
    if (fixed && !affected) abort(); /* a fixed version is only given for an affected version */
    bw_arena_free(a);
  }
  free(buf);
  return 0;
}
