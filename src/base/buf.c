#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bw_buf_init(bw_buf *b, size_t max) {
  memset(b, 0, sizeof *b);
  b->max = max;
}

void bw_buf_dispose(bw_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

int bw_buf_append(bw_buf *b, const void *p, size_t n, bw_error *err) {
  size_t need;
  if (__builtin_add_overflow(b->len, n, &need) || (b->max && need > b->max))
    return bw_error_set(err, BW_ELIMIT, "buffer limit of %zu bytes exceeded", b->max);
  if (need + 1 > b->cap) {
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < need + 1) ncap *= 2;
    char *d = realloc(b->data, ncap);
    if (!d) return bw_error_set(err, BW_ENOMEM, "out of memory growing a buffer to %zu bytes", ncap);
    b->data = d;
    b->cap = ncap;
  }
  if (n) memcpy(b->data + b->len, p, n);
  b->len = need;
  b->data[b->len] = 0;
  return 0;
}

int bw_buf_printf(bw_buf *b, bw_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return bw_error_set(err, BW_EINVAL, "bad format");
  char small[512];
  char *tmp = (size_t)n < sizeof small ? small : malloc((size_t)n + 1);
  if (!tmp) return bw_error_set(err, BW_ENOMEM, "out of memory");
  va_start(ap, fmt);
  vsnprintf(tmp, (size_t)n + 1, fmt, ap);
  va_end(ap);
  int r = bw_buf_append(b, tmp, (size_t)n, err);
  if (tmp != small) free(tmp);
  return r;
}

char *bw_buf_steal(bw_buf *b, size_t *len) {
  if (len) *len = b->len;
  char *d = b->data;
  if (!d) d = calloc(1, 1);
  b->data = NULL;
  b->len = b->cap = 0;
  return d;
}
