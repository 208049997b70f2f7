/* Fuzzes the TOML reader through bw_poetry_parse (poetry.lock), and walks the whole tree the
 * reader builds to check its shape. */
#include "analyze/python.h"
#include "analyze/toml.h"
#include "app_fuzz.h"
#include "base/limits.h"

/* Every node reachable, depth within the cap, counts consistent, strings terminated. */
static void walk(const bw_toml_value *v, size_t depth) {
  if (depth > BW_LIMIT_TOML_DEPTH + 1 || v->depth > BW_LIMIT_TOML_DEPTH) __builtin_trap();
  if (v->kind == BW_TOML_STRING || v->kind == BW_TOML_SCALAR) {
    if (!v->str || strlen(v->str) != v->len) __builtin_trap();
    return;
  }
  size_t n = 0;
  for (const bw_toml_value *c = v->first; c; c = c->next, n++) {
    if (v->kind == BW_TOML_TABLE && !c->key) __builtin_trap();
    walk(c, depth + 1);
  }
  if (n != v->count) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  app_fuzz_run(bw_poetry_parse, BW_PKG_PYPI, "poetry.lock", data, size);
  bw_arena *a = bw_arena_new();
  if (!a) return 0;
  bw_toml_value *root = NULL;
  bw_error err = {0};
  int rc = bw_toml_parse(&root, (const char *)data, size, a, "fuzz.toml", &err);
  if (rc == 0) {
    if (!root || root->kind != BW_TOML_TABLE) __builtin_trap();
    walk(root, 0);
  } else if (root || err.code != -rc || !err.msg[0]) {
    __builtin_trap();
  }
  bw_arena_free(a);
  return 0;
}
