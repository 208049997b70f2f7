/* Helpers shared by the report writers (internal to src/report/, not part of the engine's API). */
#ifndef BW_REPORT_UTIL_H
#define BW_REPORT_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/error.h"

/* Length of the valid UTF-8 sequence at p (n > 0 bytes available), 0 when it is not one. Rejects
 * overlong forms, surrogates and code points past U+10FFFF (RFC 3629). */
size_t bw_report_utf8_seq(const unsigned char *p, size_t n);

/* A JSON string for s (NULL in gives JSON null). Bytes that are not valid UTF-8 are replaced by
 * U+FFFD, so hostile package metadata cannot make a document unwritable or invalid. Returns a new
 * reference, NULL on OOM. */
json_t *bw_report_jstr(const char *s);

/* Builders that record an allocation failure in *failed instead of returning it, so a writer can
 * build a whole document and check once. Both steal v (NULL v just sets *failed). */
void bw_report_set(json_t *obj, const char *key, json_t *v, bool *failed);
void bw_report_append(json_t *arr, json_t *v, bool *failed);

/* Writes doc indented by 2 spaces plus a final newline and flushes f. 0, or -BW_EIO naming `what`. */
int bw_report_dump(FILE *f, const json_t *doc, const char *what, bw_error *err);

/* A top-level array written one element at a time by bw_report_dump_streamed, so that a document
 * with 100k packages never exists whole in memory. */
typedef struct bw_report_stream {
  const char *key; /* the top-level key of doc whose (placeholder) value this replaces */
  /* The next element (a new reference, stolen), NULL at the end. Sets *failed on OOM. */
  json_t *(*next)(void *ctx, bool *failed);
  void *ctx;
} bw_report_stream;

/* Writes doc exactly as bw_report_dump would (2-space indent, keys in order, final newline),
 * except that the values of the streamed keys come from their next() callbacks, in document
 * order: a stream's callback may use state that an earlier stream built. 0, -BW_ENOMEM or
 * -BW_EIO. */
int bw_report_dump_streamed(FILE *f, const json_t *doc, const bw_report_stream *streams, size_t nstreams,
                            const char *what, bw_error *err);

/* The document creation time as "YYYY-MM-DDTHH:MM:SSZ": SOURCE_DATE_EPOCH when it is set to a
 * valid number of seconds (reproducible output), else now. Returns true when it came from
 * SOURCE_DATE_EPOCH. */
bool bw_report_timestamp(char out[32]);

/* A version-4 UUID ("xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx", lowercase) into out. Random bytes
 * come from OpenSSL RAND_bytes; when SOURCE_DATE_EPOCH is set they are derived from
 * sha256(seed, SOURCE_DATE_EPOCH) instead, so two runs over the same image give the same document.
 * Returns 0, or -BW_EIO when no random bytes could be had. */
int bw_report_uuid(char out[37], const char *seed, bw_error *err);

/* The licences of one package as a list: a string made of several licences joined with " AND "
 * at the top level (no parentheses, no OR) is split there; anything else is kept whole. Empty
 * parts are dropped. *out is an arena array of arena strings; returns the count (0 for NULL/empty
 * input), or (size_t)-1 on OOM. */
size_t bw_report_split_licenses(bw_arena *a, const char *s, const char ***out);

/* The first 12 hex digits of a "sha256:<hex>" digest (or of whatever follows the last ':'),
 * for human tables. NULL gives "". */
const char *bw_report_short_digest(const char *digest, char out[13]);

/* A set of strings (arena-backed, open addressing), for unique bom-refs and SPDX ids. */
typedef struct bw_strset_slot {
  const char *key;
  unsigned long next; /* next suffix bw_strset_unique tries for this key as a base */
  const void *value;  /* optional value (bw_strset_set / bw_strset_get) */
} bw_strset_slot;
typedef struct bw_strset {
  bw_arena *arena;
  bw_strset_slot *slots;
  size_t cap, len;
} bw_strset;

void bw_strset_init(bw_strset *s, bw_arena *a);
bool bw_strset_has(const bw_strset *s, const char *key);
/* Adds key (not copied: it must outlive the set). 0, or -BW_ENOMEM. */
int bw_strset_add(bw_strset *s, const char *key);
/* Map use: adds key with value, or replaces the value of an existing key. 0, or -BW_ENOMEM. */
int bw_strset_set(bw_strset *s, const char *key, const void *value);
/* The value stored with key, NULL when key is absent. */
const void *bw_strset_get(const bw_strset *s, const char *key);
/* Returns base when unused, else the first of base + sep + "2", "3", ... that is; the result is
 * added to the set. Arena string, NULL on OOM. */
const char *bw_strset_unique(bw_strset *s, const char *base, const char *sep);

#endif
