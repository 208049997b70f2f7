/* A non-moving arena for parsed records and strings: everything is freed at once. */
#ifndef BW_BASE_ARENA_H
#define BW_BASE_ARENA_H

#include <stddef.h>

typedef struct bw_arena bw_arena;

/* Returns a new arena (caller owns, free with bw_arena_free) or NULL on OOM. */
bw_arena *bw_arena_new(void);
void bw_arena_free(bw_arena *a);
/* Zeroed, 16-byte aligned memory owned by the arena; NULL on OOM or size overflow. */
void *bw_arena_alloc(bw_arena *a, size_t size);
void *bw_arena_calloc(bw_arena *a, size_t n, size_t size);
/* NUL-terminated copies owned by the arena; NULL in gives NULL out. */
char *bw_arena_strdup(bw_arena *a, const char *s);
char *bw_arena_strndup(bw_arena *a, const char *s, size_t n);
char *bw_arena_printf(bw_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes held by the arena (for memory accounting). */
size_t bw_arena_used(const bw_arena *a);

#endif
