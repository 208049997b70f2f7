#include "analyze/stream_util.h"

int bw_stream_run(const bw_stream_analyzer *an, const char *path, const uint8_t *buf, size_t len, size_t chunk,
                  bw_analyze_out *out, bw_error *err) {
  size_t head = len < BW_STREAM_HEAD ? len : BW_STREAM_HEAD;
  if (!an->wants(path, 0100755, len, buf, head)) return 0;
  void *state = NULL;
  int rc = an->open(&state, path, len, err);
  if (rc < 0) return rc;
  if (chunk == 0) chunk = len ? len : 1;
  for (size_t off = 0; rc == 0 && off < len; off += chunk) {
    size_t n = len - off < chunk ? len - off : chunk;
    rc = an->feed(state, buf + off, n, err);
  }
  if (rc == 0) rc = an->finish(state, out, err);
  an->close(state);
  return rc < 0 ? rc : 1;
}
