/* Fuzzes the secret scanner through its stream interface. Byte 0 picks the file's path (which
 * turns on path-scoped rules: .env, .npmrc, .pypirc, docker config, kubeconfig), byte 1 seeds the
 * chunk sizes; the rest is the file. The findings of a random chunk split must equal those of one
 * whole feed (line numbers, rules and evidence do not depend on how the layer's blocks fall), and
 * every evidence must be a short C string. With bit 7 of byte 0 set, the rest is instead loaded as
 * a secret config (YAML user rules and allow entries), then the default rules are restored. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analyze/stream_util.h"
#include "base/limits.h"
#include "base/vec.h"
#include "baseline/secrets.h"
#include "layer/record.h"

static const char *const paths[] = {"app/.env",          "root/.npmrc",        "root/.pypirc",
                                    "root/.docker/config.json", "root/.kube/config", "app/settings.py",
                                    "etc/app/app.yaml",  "root/.git-credentials"};

typedef struct run {
  bw_arena *arena;
  bw_vec f;
  uint64_t skipped;
} run;

static void feed_split(run *r, const char *path, const uint8_t *buf, size_t len, uint32_t seed) {
  bw_vec_init(&r->f, sizeof(bw_record_finding), 10000);
  r->arena = bw_arena_new();
  bw_analyze_out out = {.arena = r->arena, .path = path, .findings = &r->f, .skipped = &r->skipped};
  bw_error err = {0};
  void *st = NULL;
  if (bw_stream_secrets.open(&st, path, len, &err) < 0) return;
  size_t off = 0;
  while (off < len) {
    seed = seed * 1103515245u + 12345u;
    size_t n = seed == 0 ? len : 1 + (seed >> 16) % 97;
    if (n > len - off) n = len - off;
    bw_stream_secrets.feed(st, buf + off, n, &err);
    off += n;
  }
  bw_stream_secrets.finish(st, &out, &err);
  bw_stream_secrets.close(st);
}

static void done(run *r) {
  bw_vec_dispose(&r->f);
  bw_arena_free(r->arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  if (data[0] & 0x80) {
    bw_error err = {0};
    if (bw_secrets_configure_buf("fuzz.yaml", data + 2, size - 2, &err) == 0) {
      /* scan the config text itself with the loaded rules */
      run r = {0};
      feed_split(&r, "app/.env", data + 2, size - 2, data[1]);
      done(&r);
    }
    bw_secrets_configure(NULL, &err);
    return 0;
  }
  const char *path = paths[data[0] % (sizeof paths / sizeof paths[0])];
  const uint8_t *buf = data + 2;
  size_t len = size - 2;
  run whole = {0}, split = {0};
  feed_split(&whole, path, buf, len, 0);
  feed_split(&split, path, buf, len, data[1] | 1u);
  if (len < BW_LIMIT_SECRET_LINE_BYTES) {
    if (whole.f.len != split.f.len) __builtin_trap();
    for (size_t i = 0; i < whole.f.len; i++) {
      const bw_record_finding *a = bw_vec_at(&whole.f, bw_record_finding, i), *b = bw_vec_at(&split.f, bw_record_finding, i);
      if (strcmp(a->rule, b->rule) != 0 || a->line != b->line || strcmp(a->evidence, b->evidence) != 0) __builtin_trap();
      if (strlen(a->evidence) > BW_LIMIT_SECRET_EVIDENCE + 8 || a->line == 0) __builtin_trap();
    }
  }
  done(&whole);
  done(&split);
  return 0;
}
