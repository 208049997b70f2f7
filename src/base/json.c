#include "base/json.h"

#include "base/limits.h"

/* Nesting depth without parsing: counts brackets outside strings. */
static size_t json_depth(const char *p, size_t n) {
  size_t depth = 0, max = 0;
  int in_str = 0;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (in_str) {
      if (c == '\\') i++;
      else if (c == '"') in_str = 0;
    } else if (c == '"') {
      in_str = 1;
    } else if (c == '{' || c == '[') {
      if (++depth > max) max = depth;
    } else if (c == '}' || c == ']') {
      if (depth) depth--;
    }
  }
  return max;
}

int bw_json_parse(json_t **out, const char *buf, size_t len, size_t max, const char *what, bw_error *err) {
  *out = NULL;
  if (len > max) return bw_error_set(err, BW_ELIMIT, "%s is %zu bytes, over the %zu-byte limit", what, len, max);
  if (json_depth(buf, len) > BW_LIMIT_JSON_DEPTH)
    return bw_error_set(err, BW_ELIMIT, "%s nests deeper than %d levels", what, BW_LIMIT_JSON_DEPTH);
  json_error_t je;
  json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
  if (!j) return BW_CORRUPT(err, "%s is not valid JSON: %s at line %d column %d", what, je.text, je.line, je.column);
  *out = j;
  return 0;
}

const char *bw_json_str(const json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

long long bw_json_int(const json_t *obj, const char *key, long long dflt) {
  json_t *v = json_object_get(obj, key);
  return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}
