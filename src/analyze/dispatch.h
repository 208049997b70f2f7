/* The dispatcher: decides, per tar entry, which analysers want the file and whether it is
 * captured for the post-merge checks, then runs them over the bytes. One pass, every analyser. */
#ifndef BW_ANALYZE_DISPATCH_H
#define BW_ANALYZE_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "layer/record.h"

typedef struct bw_dispatch_plan {
  uint64_t analyzers; /* bit i: bw_analyzers[i] wants the file */
  bool capture;       /* keep the bytes in the record (small config and release files) */
  size_t max_bytes;   /* read at most this much; larger files are skipped with a warning */
} bw_dispatch_plan;

/* Fills plan for a normalised path; false when nothing wants the file (the common case: cheap). */
bool bw_dispatch_plan_for(const char *path, bw_dispatch_plan *plan);

/* Runs the planned analysers over the bytes and captures them if planned. An analyser that
 * rejects the bytes adds a warning to the record; only out-of-memory fails. */
int bw_dispatch_file(bw_layer_record *rec, const char *path, uint32_t mode, const uint8_t *buf, size_t len,
                     const bw_dispatch_plan *plan, bw_error *err);

/* Content analysers (analyzer.h, bw_stream_analyzer) over one file's chunks. */
#define BW_STREAM_MAX 16
typedef struct bw_stream_session {
  size_t n;
  const struct bw_stream_analyzer *an[BW_STREAM_MAX];
  void *state[BW_STREAM_MAX];
  bool failed[BW_STREAM_MAX];
  const char *path; /* in the record's arena */
} bw_stream_session;

/* Opens the content analysers that want a file, judged by its first bytes; false when none does
 * (then nothing needs closing). */
bool bw_dispatch_stream_begin(bw_stream_session *s, bw_layer_record *rec, const char *path, uint32_t mode,
                              uint64_t size, const uint8_t *head, size_t head_len);
/* Feeds the next chunk to every analyser still interested; failures become record warnings. */
void bw_dispatch_stream_feed(bw_stream_session *s, bw_layer_record *rec, const uint8_t *buf, size_t len);
/* Finishes (complete=true) or abandons the file, appends what was found, frees the states. */
int bw_dispatch_stream_end(bw_stream_session *s, bw_layer_record *rec, bool complete, bw_error *err);

#endif
