/* jansson helpers with Bulwark's limits: size and nesting depth checked before parsing. */
#ifndef BW_BASE_JSON_H
#define BW_BASE_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"

/* Parses untrusted JSON of at most max bytes and BW_LIMIT_JSON_DEPTH nesting. Duplicate keys are
 * rejected (a parser differential is an attack surface). `what` names the document in errors.
 * Caller owns *out (json_decref). */
int bw_json_parse(json_t **out, const char *buf, size_t len, size_t max, const char *what, bw_error *err);
/* The string at key, or NULL when absent or not a string. */
const char *bw_json_str(const json_t *obj, const char *key);
/* The integer at key, or dflt. */
long long bw_json_int(const json_t *obj, const char *key, long long dflt);

#endif
