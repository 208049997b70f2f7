/* YAML lockfiles as a tree, built from libyaml's event stream with explicit caps on depth and on
 * the number of nodes (libyaml itself bounds neither). */
#include <string.h>
#include <yaml.h>

#include "analyze/npm_internal.h"
#include "base/limits.h"
#include "base/vec.h"

typedef struct ny_frame {
  ny_node *node;
  bw_vec kids; /* ny_node * */
} ny_frame;

static int ny_attach(ny_frame *stack, size_t depth, ny_node **doc_root, ny_node *n, const char *what,
                     bw_error *err) {
  if (depth == 0) {
    *doc_root = n;
    return 0;
  }
  ny_node **slot = bw_vec_push(&stack[depth - 1].kids);
  if (!slot) return bw_error_set(err, BW_ENOMEM, "out of memory reading %s", what);
  *slot = n;
  return 0;
}

int ny_parse(ny_node **root, bw_arena *a, const uint8_t *buf, size_t len, const char *what, bw_error *err) {
  *root = NULL;
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return bw_error_set(err, BW_ENOMEM, "out of memory reading %s", what);
  yaml_parser_set_input_string(&parser, buf, len);
  ny_frame stack[BW_LIMIT_YAML_DEPTH];
  size_t depth = 0, nodes = 0;
  ny_node *doc_root = NULL;
  int rc = 0;
  bool done = false;
  while (!done && rc == 0) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      if (parser.error == YAML_MEMORY_ERROR) rc = bw_error_set(err, BW_ENOMEM, "out of memory reading %s", what);
      else
        rc = BW_CORRUPT(err, "%s is not valid YAML: %s at line %zu column %zu", what,
                        parser.problem ? parser.problem : "parse error", (size_t)parser.problem_mark.line + 1,
                        (size_t)parser.problem_mark.column + 1);
      break;
    }
    switch (ev.type) {
    case YAML_STREAM_END_EVENT: done = true; break;
    case YAML_DOCUMENT_START_EVENT: doc_root = NULL; break;
    case YAML_DOCUMENT_END_EVENT: *root = doc_root; break;
    case YAML_ALIAS_EVENT:
      rc = BW_CORRUPT(err, "%s: YAML alias at line %zu (lockfiles have none)", what, (size_t)ev.start_mark.line + 1);
      break;
    case YAML_SCALAR_EVENT:
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
      if (++nodes > BW_LIMIT_LOCKFILE_NODES) {
        rc = bw_error_set(err, BW_ELIMIT, "%s has more than %u YAML nodes (BW_LIMIT_LOCKFILE_NODES)", what,
                          (unsigned)BW_LIMIT_LOCKFILE_NODES);
        break;
      }
      ny_node *n = bw_arena_alloc(a, sizeof *n);
      if (!n) {
        rc = bw_error_set(err, BW_ENOMEM, "out of memory reading %s", what);
        break;
      }
      if (ev.type == YAML_SCALAR_EVENT) {
        n->kind = NY_SCALAR;
        n->n = ev.data.scalar.length;
        n->s = bw_arena_strndup(a, (const char *)ev.data.scalar.value, ev.data.scalar.length);
        if (!n->s) {
          rc = bw_error_set(err, BW_ENOMEM, "out of memory reading %s", what);
          break;
        }
        rc = ny_attach(stack, depth, &doc_root, n, what, err);
        break;
      }
      n->kind = ev.type == YAML_MAPPING_START_EVENT ? NY_MAP : NY_SEQ;
      if (depth >= BW_LIMIT_YAML_DEPTH) {
        rc = bw_error_set(err, BW_ELIMIT, "%s nests deeper than %d levels (BW_LIMIT_YAML_DEPTH)", what,
                          BW_LIMIT_YAML_DEPTH);
        break;
      }
      rc = ny_attach(stack, depth, &doc_root, n, what, err);
      if (rc) break;
      stack[depth].node = n;
      bw_vec_init(&stack[depth].kids, sizeof(ny_node *), 0);
      depth++;
      break;
    }
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT: {
      if (depth == 0) { /* libyaml never does this; do not trust it blindly */
        rc = BW_CORRUPT(err, "%s: unbalanced YAML collection", what);
        break;
      }
      ny_frame *f = &stack[--depth];
      size_t count = f->kids.len;
      if (f->node->kind == NY_MAP && count % 2) {
        bw_vec_dispose(&f->kids);
        rc = BW_CORRUPT(err, "%s: YAML mapping with a key and no value", what);
        break;
      }
      f->node->n = f->node->kind == NY_MAP ? count / 2 : count;
      if (count) {
        f->node->kids = bw_arena_calloc(a, count, sizeof(ny_node *));
        if (f->node->kids) memcpy(f->node->kids, f->kids.data, count * sizeof(ny_node *));
        else rc = bw_error_set(err, BW_ENOMEM, "out of memory reading %s", what);
      }
      bw_vec_dispose(&f->kids);
      break;
    }
    default: break;
    }
    yaml_event_delete(&ev);
  }
  while (depth) bw_vec_dispose(&stack[--depth].kids);
  yaml_parser_delete(&parser);
  if (rc) *root = NULL;
  return rc;
}

int ny_get(const ny_node *map, const char *key, const ny_node **out, const char *what, bw_error *err) {
  *out = NULL;
  if (!map || map->kind != NY_MAP) return 0;
  size_t kl = strlen(key);
  for (size_t i = 0; i < map->n; i++) {
    const ny_node *k = map->kids[2 * i];
    if (k->kind != NY_SCALAR || k->n != kl || memcmp(k->s, key, kl) != 0) continue;
    if (*out) return BW_CORRUPT(err, "%s: key \"%s\" repeated in one mapping", what, key);
    *out = map->kids[2 * i + 1];
  }
  return 0;
}
