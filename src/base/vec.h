/* A growable array of fixed-size elements with a maximum length (curl's dynbuf idea). */
#ifndef BW_BASE_VEC_H
#define BW_BASE_VEC_H

#include <stddef.h>

typedef struct bw_vec {
  void *data;
  size_t len, cap, elem, max;
} bw_vec;

/* Caller-allocated: init sets elem size and cap on length (0 = no cap). dispose frees the data. */
void bw_vec_init(bw_vec *v, size_t elem, size_t max);
void bw_vec_dispose(bw_vec *v);
/* Appends a zeroed element and returns it, or NULL when out of memory or at max. */
void *bw_vec_push(bw_vec *v);
#define bw_vec_at(v, type, i) (&((type *)(v)->data)[i])

#endif
