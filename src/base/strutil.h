/* Small string helpers for parsers (length-based, no NUL assumptions). */
#ifndef BW_BASE_STRUTIL_H
#define BW_BASE_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool bw_str_startswith(const char *s, const char *prefix);
bool bw_str_endswith(const char *s, const char *suffix);
/* Parses a decimal uint64 from [s, s+n); false on empty, non-digit or overflow. */
bool bw_parse_u64(const char *s, size_t n, uint64_t *out);
/* Trims ASCII whitespace from both ends of [*s, *s+*n). */
void bw_trim(const char **s, size_t *n);
/* Writes the UTF-8 encoding of code point cp (< 0x110000, not a surrogate: callers check) into out
 * and returns its length (1 to 4). */
size_t bw_utf8_encode(uint32_t cp, char out[4]);
/* Returns a malloc'd copy joining dir and name with one '/' (caller frees), NULL on OOM. */
char *bw_path_join(const char *dir, const char *name);

#endif
