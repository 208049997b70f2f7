/* A bounded TOML reader for lockfiles (poetry.lock, and any other TOML lockfile).
 *
 * It parses a whole document into a tree in an arena: tables, arrays of tables, arrays, inline
 * tables, strings (all four kinds, with escapes), and other scalars (integers, floats, booleans,
 * dates) kept as their raw text. It follows TOML 1.0 and is strict where a lenient reader would
 * create a parser differential (duplicate keys, redefined tables, extending inline tables or
 * static arrays are errors), and lenient only where TOML 1.1 is (newlines and a trailing comma in
 * inline tables, \e and \xHH escapes). Debian ships no C TOML library (only C++ ones), hence this
 * file. Caps: BW_LIMIT_TOML_DEPTH, BW_LIMIT_TOML_VALUES, BW_LIMIT_FIELD_BYTES per string or key. */
#ifndef BW_ANALYZE_TOML_H
#define BW_ANALYZE_TOML_H

#include <stddef.h>

#include "base/arena.h"
#include "base/error.h"

typedef enum {
  BW_TOML_TABLE,
  BW_TOML_ARRAY,
  BW_TOML_STRING,
  BW_TOML_SCALAR, /* integer, float, boolean or date-time: `str` is its text as written */
} bw_toml_kind;

typedef struct bw_toml_value bw_toml_value;
struct bw_toml_value {
  bw_toml_kind kind;
  unsigned char origin; /* internal: how a table or array was made */
  unsigned short depth; /* the root table is 0 */
  const char *key;      /* key within the parent table (decoded), NULL for array items */
  size_t key_len;
  const char *str; /* STRING, SCALAR: NUL-terminated (a string never holds a NUL byte) */
  size_t len;
  bw_toml_value *first, *last; /* TABLE members / ARRAY items, in document order */
  bw_toml_value *next;         /* next sibling */
  size_t count;                /* members or items */
};

/* Parses [buf, buf+len) into *root (a TABLE; everything lives in `arena`, owned by the caller).
 * `what` names the document in error messages. Errors: BW_ECORRUPT (not TOML: syntax, a NUL
 * byte or a \u0000 escape, duplicate keys, invalid redefinitions), BW_ELIMIT (a cap), BW_ENOMEM. */
int bw_toml_parse(bw_toml_value **root, const char *buf, size_t len, bw_arena *arena, const char *what,
                  bw_error *err);

/* The member `key` of a TABLE (NULL when absent or t is not a table). Linear in the table size. */
const bw_toml_value *bw_toml_get(const bw_toml_value *t, const char *key);
/* The string at `key` of a table, NULL when absent or not a string. */
const char *bw_toml_get_str(const bw_toml_value *t, const char *key);

#endif
