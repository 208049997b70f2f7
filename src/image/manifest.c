#include "image/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/limits.h"
#include "base/sha256.h"
#include "base/strutil.h"

bw_doc_kind bw_manifest_kind(const json_t *doc, const char *media_type) {
  const char *mt = media_type && *media_type ? media_type : bw_json_str(doc, "mediaType");
  if (mt) {
    if (!strcmp(mt, BW_MT_OCI_INDEX) || !strcmp(mt, BW_MT_DOCKER_LIST)) return BW_DOC_INDEX;
    if (!strcmp(mt, BW_MT_OCI_MANIFEST) || !strcmp(mt, BW_MT_DOCKER_MANIFEST)) return BW_DOC_MANIFEST;
  }
  /* OCI makes mediaType optional: tell by shape */
  if (json_is_array(json_object_get(doc, "manifests"))) return BW_DOC_INDEX;
  if (json_is_array(json_object_get(doc, "layers")) && json_is_object(json_object_get(doc, "config")))
    return BW_DOC_MANIFEST;
  return BW_DOC_UNKNOWN;
}

static void split_platform(const char *platform, char *os, char *arch, char *variant, size_t n) {
  os[0] = arch[0] = variant[0] = 0;
  if (!platform) platform = "linux/amd64";
  const char *a = strchr(platform, '/');
  size_t on = a ? (size_t)(a - platform) : strlen(platform);
  snprintf(os, n, "%.*s", (int)on, platform);
  if (!a) return;
  const char *v = strchr(a + 1, '/');
  size_t an = v ? (size_t)(v - a - 1) : strlen(a + 1);
  snprintf(arch, n, "%.*s", (int)an, a + 1);
  if (v) snprintf(variant, n, "%s", v + 1);
}

int bw_index_select(const char **digest, const json_t *doc, const char *platform, bw_error *err) {
  char os[64], arch[64], variant[64];
  split_platform(platform, os, arch, variant, sizeof os);
  json_t *ms = json_object_get(doc, "manifests");
  if (!json_is_array(ms)) return BW_CORRUPT(err, "index has no manifests array");
  if (json_array_size(ms) > BW_LIMIT_INDEX_ENTRIES)
    return bw_error_set(err, BW_ELIMIT, "index lists %zu manifests, over the limit of %d", json_array_size(ms),
                        BW_LIMIT_INDEX_ENTRIES);
  char seen[512] = "";
  size_t i;
  json_t *m;
  json_array_foreach(ms, i, m) {
    json_t *p = json_object_get(m, "platform");
    const char *d = bw_json_str(m, "digest");
    if (!d) continue;
    const char *pos = bw_json_str(p, "os"), *parch = bw_json_str(p, "architecture");
    const char *pvar = bw_json_str(p, "variant");
    if (!pos || !parch) {
      /* an index without platforms (e.g. an oci layout's single image) matches anything */
      if (!p && json_array_size(ms) == 1) {
        *digest = d;
        return 0;
      }
      continue;
    }
    size_t sl = strlen(seen);
    if (sl < sizeof seen - 80) snprintf(seen + sl, sizeof seen - sl, "%s%s/%s%s%s", sl ? ", " : "", pos, parch,
                                        pvar ? "/" : "", pvar ? pvar : "");
    if (strcmp(pos, os) || strcmp(parch, arch)) continue;
    if (variant[0] && pvar && strcmp(pvar, variant)) continue;
    if (variant[0] && !pvar && strcmp(variant, "v8") != 0) continue; /* arm64 means v8 */
    *digest = d;
    return 0;
  }
  return bw_error_set(err, BW_ENOTFOUND, "no image for platform %s/%s%s%s in the index (it has: %s); pick one with --platform",
                      os, arch, variant[0] ? "/" : "", variant, seen[0] ? seen : "none");
}

static bw_compression layer_compression(const char *mt) {
  if (!mt) return BW_COMPRESSION_UNKNOWN;
  if (bw_str_endswith(mt, "+gzip") || bw_str_endswith(mt, ".gzip")) return BW_COMPRESSION_GZIP;
  if (bw_str_endswith(mt, "+zstd") || bw_str_endswith(mt, ".zstd")) return BW_COMPRESSION_ZSTD;
  if (bw_str_endswith(mt, ".tar")) return BW_COMPRESSION_NONE;
  return BW_COMPRESSION_UNKNOWN;
}

void bw_image_layers_free(bw_image *img) {
  for (size_t i = 0; i < img->nlayers; i++) {
    free(img->layers[i].digest);
    free(img->layers[i].diff_id);
    free(img->layers[i].media_type);
    free(img->layers[i].created_by);
  }
  free(img->layers);
  img->layers = NULL;
  img->nlayers = 0;
}

int bw_manifest_read(bw_image *img, const json_t *doc, bw_error *err) {
  json_t *cfg = json_object_get(doc, "config");
  const char *cd = bw_json_str(cfg, "digest");
  if (!cd) return BW_CORRUPT(err, "manifest has no config digest");
  int rc = bw_digest_check(cd, err);
  if (rc < 0) return bw_error_wrap(err, "manifest config");
  json_t *ls = json_object_get(doc, "layers");
  if (!json_is_array(ls)) return BW_CORRUPT(err, "manifest has no layers array");
  size_t n = json_array_size(ls);
  if (n > BW_LIMIT_LAYERS)
    return bw_error_set(err, BW_ELIMIT, "manifest lists %zu layers, over the limit of %d", n, BW_LIMIT_LAYERS);
  free(img->config_digest);
  img->config_digest = strdup(cd);
  bw_image_layers_free(img);
  img->layers = calloc(n ? n : 1, sizeof(bw_layer_desc));
  if (!img->layers || !img->config_digest) return bw_error_set(err, BW_ENOMEM, "out of memory");
  size_t i;
  json_t *l;
  json_array_foreach(ls, i, l) {
    const char *d = bw_json_str(l, "digest");
    if (!d) return BW_CORRUPT(err, "manifest layer %zu has no digest", i);
    if ((rc = bw_digest_check(d, err)) < 0) return bw_error_wrap(err, "manifest layer %zu", i);
    const char *mt = bw_json_str(l, "mediaType");
    bw_layer_desc *ld = &img->layers[img->nlayers++];
    ld->digest = strdup(d);
    ld->media_type = mt ? strdup(mt) : NULL;
    ld->size = bw_json_int(l, "size", -1);
    if (ld->size < -1) return BW_CORRUPT(err, "manifest layer %zu has a negative size", i);
    ld->compression = layer_compression(mt);
    if (!ld->digest) return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  return 0;
}

int bw_config_read(bw_image *img, json_t *cfg, bw_error *err) {
  if (!json_is_object(cfg)) return BW_CORRUPT(err, "image config is not a JSON object");
  const char *os = bw_json_str(cfg, "os"), *arch = bw_json_str(cfg, "architecture");
  const char *var = bw_json_str(cfg, "variant");
  free(img->os);
  free(img->architecture);
  free(img->variant);
  img->os = os ? strdup(os) : NULL;
  img->architecture = arch ? strdup(arch) : NULL;
  img->variant = var ? strdup(var) : NULL;
  json_t *diff_ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
  if (!json_is_array(diff_ids)) return BW_CORRUPT(err, "image config has no rootfs.diff_ids");
  if (json_array_size(diff_ids) != img->nlayers)
    return BW_CORRUPT(err, "image config lists %zu diff_ids but the manifest has %zu layers",
                      json_array_size(diff_ids), img->nlayers);
  for (size_t i = 0; i < img->nlayers; i++) {
    const char *d = json_string_value(json_array_get(diff_ids, i));
    int rc = bw_digest_check(d, err);
    if (rc < 0) return bw_error_wrap(err, "image config diff_id %zu", i);
    img->layers[i].diff_id = strdup(d);
  }
  /* history entries without empty_layer map, in order, onto layers */
  json_t *hist = json_object_get(cfg, "history");
  size_t li = 0, i;
  json_t *h;
  json_array_foreach(hist, i, h) {
    if (json_is_true(json_object_get(h, "empty_layer"))) continue;
    if (li >= img->nlayers) break;
    const char *cb = bw_json_str(h, "created_by");
    if (cb) img->layers[li].created_by = strdup(cb);
    li++;
  }
  json_incref(cfg);
  json_decref(img->config);
  img->config = cfg;
  return 0;
}
