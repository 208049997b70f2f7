/* Fuzzes the image-config checks: the input is an image config JSON document (as a registry
 * serves it), parsed with Bulwark's JSON limits, then checked (ENV, labels, history commands). */
#include "base/json.h"
#include "baseline_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *cfg = NULL;
  bw_error err = {0};
  if (bw_json_parse(&cfg, (const char *)data, size, 1u << 20, "image config", &err) < 0) return 0;
  bw_arena *a = bw_arena_new();
  if (a) {
    bw_vec findings;
    bw_vec_init(&findings, sizeof(bw_baseline_finding), 0);
    bl_sink s = {.arena = a, .findings = &findings};
    const char *layers[4] = {"sha256:a", NULL, "sha256:b", NULL};
    bl_image_config(&s, cfg, layers, 4);
    fz_check(&findings);
    bw_vec_dispose(&findings);
    bw_arena_free(a);
  }
  json_decref(cfg);
  return 0;
}
