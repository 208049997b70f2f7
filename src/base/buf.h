/* A growable byte buffer with a maximum size; always NUL-terminated for convenience. */
#ifndef BW_BASE_BUF_H
#define BW_BASE_BUF_H

#include <stddef.h>

#include "base/error.h"

typedef struct bw_buf {
  char *data;
  size_t len, cap, max;
} bw_buf;

void bw_buf_init(bw_buf *b, size_t max);
void bw_buf_dispose(bw_buf *b);
/* Appends n bytes; BW_ELIMIT past max, BW_ENOMEM on OOM. */
int bw_buf_append(bw_buf *b, const void *p, size_t n, bw_error *err);
int bw_buf_printf(bw_buf *b, bw_error *err, const char *fmt, ...) BW_PRINTF(3, 4);
/* Takes the data out (caller frees); the buffer is empty afterwards. */
char *bw_buf_steal(bw_buf *b, size_t *len);

#endif
