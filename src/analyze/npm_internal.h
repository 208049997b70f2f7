/* Helpers shared by the Node.js analysers (npm_*.c); not part of the engine's interface. */
#ifndef BW_ANALYZE_NPM_INTERNAL_H
#define BW_ANALYZE_NPM_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyze/analyzer.h"

/* Collects one file's packages, one per (name, version): a repeat only clears dev when the new
 * occurrence is not dev (a package is dev-only when every copy of it is). */
typedef struct npm_emitter {
  bw_analyze_out *out;
  const char *what; /* names the file kind in errors ("package-lock.json") */
  size_t base;      /* out->packages length before this file */
  size_t *slots;    /* open addressing: package index + 1, 0 = empty */
  size_t cap, used;
} npm_emitter;

void npm_emitter_init(npm_emitter *e, bw_analyze_out *out, const char *what);
/* Frees the table; on rc < 0 also drops what this file appended. Returns rc. */
int npm_emitter_finish(npm_emitter *e, int rc);
/* Adds a package (name and version copied; version may be NULL = unknown). licenses may be NULL
 * and must already live in the arena. Errors: BW_ECORRUPT (invalid name or version), BW_ELIMIT
 * (BW_LIMIT_PACKAGES), BW_ENOMEM. *pkg_index, when non-NULL, receives the package's index. */
int npm_emit(npm_emitter *e, const char *name, size_t name_len, const char *version, size_t version_len,
             int dev, const char *licenses, size_t *pkg_index, bw_error *err);

/* npm package names: "name" or "@scope/name", printable ASCII without spaces or backslashes, no
 * "." / ".." / leading-dot segment, at most BW_LIMIT_NPM_NAME_BYTES. */
bool npm_name_ok(const char *s, size_t n);
/* A version or source string worth keeping: printable ASCII, at most BW_LIMIT_NPM_NAME_BYTES. */
bool npm_version_ok(const char *s, size_t n);
/* A registry version ("1.2.3", "1.0.0-rc.1+build"): starts with a digit, [0-9A-Za-z.+-] only. */
bool npm_semver_like(const char *s, size_t n);

/* Licence of a package.json-shaped object: "license" as a string or {"type"}, else the legacy
 * "licenses" array of strings or {"type"} joined with " OR ". Arena string or NULL. */
const char *npm_json_license(bw_arena *a, const json_t *obj, bool *oom);

/* Simple FNV-1a hash of bytes (for the emitter and the pnpm key index). */
static inline uint64_t npm_hash(const char *s, size_t n, uint64_t h) {
  if (!h) h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

#endif

/* A YAML document as a small tree (npm_yaml.c), for yarn berry and pnpm lockfiles. Scalars are
 * kept as text (no type resolution: "1.10" stays "1.10"); aliases are rejected (no lockfile writer
 * emits them, and expanding them is the "billion laughs" attack). */
typedef enum { NY_SCALAR, NY_MAP, NY_SEQ } ny_kind;
typedef struct ny_node {
  ny_kind kind;
  size_t n;                /* scalar: bytes; map: pairs; seq: items */
  const char *s;           /* scalar: NUL-terminated text in the arena */
  struct ny_node **kids;   /* map: key0, value0, key1, value1...; seq: items */
} ny_node;

/* Parses a YAML stream; *root is the last document's root (NULL for an empty stream). Errors:
 * BW_ECORRUPT (not YAML, an alias), BW_ELIMIT (BW_LIMIT_YAML_DEPTH, BW_LIMIT_LOCKFILE_NODES),
 * BW_ENOMEM. `what` names the file in messages. */
int ny_parse(ny_node **root, bw_arena *a, const uint8_t *buf, size_t len, const char *what, bw_error *err);
/* The value at a scalar key of a mapping: 0 with *out NULL when absent (or map is not a mapping),
 * -BW_ECORRUPT when the key appears twice. */
int ny_get(const ny_node *map, const char *key, const ny_node **out, const char *what, bw_error *err);
/* The scalar text of a node, or NULL when it is not a scalar or holds a NUL ("\0" escape). */
static inline const char *ny_str(const ny_node *n) {
  return n && n->kind == NY_SCALAR && !memchr(n->s, 0, n->n) ? n->s : NULL;
}
