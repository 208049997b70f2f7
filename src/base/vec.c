#include "base/vec.h"

#include <stdlib.h>
#include <string.h>

void bw_vec_init(bw_vec *v, size_t elem, size_t max) {
  memset(v, 0, sizeof *v);
  v->elem = elem;
  v->max = max;
}

void bw_vec_dispose(bw_vec *v) {
  free(v->data);
  v->data = NULL;
  v->len = v->cap = 0;
}

void *bw_vec_push(bw_vec *v) {
  if (v->max && v->len >= v->max) return NULL;
  if (v->len == v->cap) {
    size_t ncap = v->cap ? v->cap * 2 : 16, bytes;
    if (__builtin_mul_overflow(ncap, v->elem, &bytes)) return NULL;
    void *n = realloc(v->data, bytes);
    if (!n) return NULL;
    v->data = n;
    v->cap = ncap;
  }
  void *p = (char *)v->data + v->len * v->elem;
  memset(p, 0, v->elem);
  v->len++;
  return p;
}
