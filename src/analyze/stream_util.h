/* Running a content analyser (bw_stream_analyzer) over bytes already in memory: for tests, fuzz
 * targets and tools, which must drive the analysers exactly as the layer walk does. */
#ifndef BW_ANALYZE_STREAM_UTIL_H
#define BW_ANALYZE_STREAM_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"

/* Offers buf to an->wants (first BW_STREAM_HEAD bytes, path, mode 0100755), and when wanted runs
 * open, feed (chunks of `chunk` bytes; 0 = the whole buffer at once), finish and close, appending
 * to out. Returns 1 when the analyser wanted the file and finished, 0 when it did not want it,
 * or the negative error of open, feed or finish (err filled; packages appended are left to the
 * caller). */
int bw_stream_run(const bw_stream_analyzer *an, const char *path, const uint8_t *buf, size_t len, size_t chunk,
                  bw_analyze_out *out, bw_error *err);

#endif
