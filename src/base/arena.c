#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64u * 1024u)

typedef struct arena_chunk {
  struct arena_chunk *next;
  size_t cap, used;
  _Alignas(16) unsigned char data[];
} arena_chunk;

struct bw_arena {
  arena_chunk *head;
  size_t total;
};

bw_arena *bw_arena_new(void) { return calloc(1, sizeof(bw_arena)); }

void bw_arena_free(bw_arena *a) {
  if (!a) return;
  for (arena_chunk *c = a->head, *n; c; c = n) {
    n = c->next;
    free(c);
  }
  free(a);
}

void *bw_arena_alloc(bw_arena *a, size_t size) {
  size_t need;
  if (__builtin_add_overflow(size, 15u, &need)) return NULL;
  need &= ~(size_t)15;
  if (need == 0) need = 16;
  arena_chunk *c = a->head;
  if (!c || c->cap - c->used < need) {
    size_t cap = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
    size_t bytes;
    if (__builtin_add_overflow(cap, sizeof(arena_chunk), &bytes)) return NULL;
    arena_chunk *n = malloc(bytes);
    if (!n) return NULL;
    n->cap = cap;
    n->used = 0;
    if (cap > ARENA_CHUNK && c) {
      /* big block: put it behind the current chunk so the current chunk keeps filling */
      n->next = c->next;
      c->next = n;
    } else {
      n->next = c;
      a->head = n;
    }
    a->total += bytes;
    c = n;
  }
  void *p = c->data + c->used;
  c->used += need;
  memset(p, 0, size);
  return p;
}

void *bw_arena_calloc(bw_arena *a, size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) return NULL;
  return bw_arena_alloc(a, total);
}

char *bw_arena_strndup(bw_arena *a, const char *s, size_t n) {
  if (!s) return NULL;
  char *p = bw_arena_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *bw_arena_strdup(bw_arena *a, const char *s) { return s ? bw_arena_strndup(a, s, strlen(s)) : NULL; }

char *bw_arena_printf(bw_arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return NULL;
  char *p = bw_arena_alloc(a, (size_t)n + 1);
  if (!p) return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

size_t bw_arena_used(const bw_arena *a) { return a ? a->total : 0; }
