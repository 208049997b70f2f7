/* An image source over the registry's own stores: manifests from the metadata store, configs and
 * layers from the blob store (<data>/blobs/sha256/<2>/<64>). In re-evaluation mode no blob is
 * opened: the config comes from the stored result and every layer must come from the layer-record
 * cache (a layer read is then an error, never a silent blob read). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/sha256.h"
#include "image/image.h"
#include "service/service_internal.h"
#include "store/registry_meta.h"

typedef struct {
  bw_source base;
  bw_meta *meta;
  char *data_dir;
  char *repo;
  bool no_blobs;
  char *config;      /* the config bytes: given (re-evaluation) or captured when fetched */
  size_t config_len;
  char config_digest[BW_DIGEST_STR_LEN + 1];
} store_source;

static void blob_path(const store_source *s, const char *digest, char *out, size_t cap) {
  snprintf(out, cap, "%s/blobs/sha256/%.2s/%s", s->data_dir, digest + 7, digest + 7);
}

static int check_digest(const char *digest, const void *p, size_t n, bw_error *err) {
  char got[BW_DIGEST_STR_LEN + 1];
  bw_sha256_buf_str(p, n, got);
  if (strcmp(got, digest)) return BW_CORRUPT(err, "stored bytes of %s hash to %s", digest, got);
  return 0;
}

static int dup_out(const void *p, size_t n, char **out, size_t *len, bw_error *err) {
  if (!(*out = malloc(n + 1))) return bw_error_set(err, BW_ENOMEM, "out of memory");
  memcpy(*out, p, n);
  (*out)[n] = '\0';
  *len = n;
  return 0;
}

static int store_get_blob(bw_source *src, const char *digest, size_t max, char **out, size_t *len, bw_error *err) {
  store_source *s = (store_source *)src;
  int rc = bw_digest_check(digest, err);
  if (rc < 0) return rc;
  if (s->config && !strcmp(digest, s->config_digest)) {
    if ((rc = check_digest(digest, s->config, s->config_len, err)) < 0) return rc;
    return dup_out(s->config, s->config_len, out, len, err);
  }
  if (bw_reg_manifest_exists(s->meta, s->repo, digest)) {
    bw_reg_manifest mf;
    char *bytes = NULL;
    size_t n = 0;
    if ((rc = bw_reg_manifest_get(s->meta, s->repo, digest, &mf, &bytes, &n, err)) < 0) return rc;
    if (n > max) rc = bw_error_set(err, BW_ELIMIT, "manifest %s is larger than %zu bytes", digest, max);
    if (!rc) rc = check_digest(digest, bytes, n, err);
    if (!rc) *out = bytes, *len = n;
    else free(bytes);
    return rc;
  }
  if (s->no_blobs) return bw_error_set(err, BW_ENOTFOUND, "re-evaluation reads no blob (wanted %s)", digest);
  char path[4200];
  blob_path(s, digest, path, sizeof path);
  bw_reader *r = NULL, *v = NULL;
  if ((rc = bw_reader_file(&r, path, 0, -1, err)) < 0) return rc;
  if ((rc = bw_reader_verify(&v, r, digest, -1, err)) < 0) return rc;
  rc = bw_reader_slurp(v, max, out, len, err);
  bw_reader_close(v);
  if (rc < 0) return rc;
  /* the first blob fetched whole is the config (manifests come from the metadata store) */
  if (!s->config) {
    if (dup_out(*out, *len, &s->config, &s->config_len, err) < 0) {
      free(*out);
      *out = NULL;
      return -BW_ENOMEM;
    }
    snprintf(s->config_digest, sizeof s->config_digest, "%s", digest);
  }
  return 0;
}

static int store_open_layer(bw_source *src, const bw_layer_desc *layer, bw_reader **out, bw_error *err) {
  store_source *s = (store_source *)src;
  if (s->no_blobs)
    return bw_error_set(err, BW_ENOTFOUND, "layer %s has no cached record and re-evaluation reads no blob",
                        layer->digest);
  int rc = bw_digest_check(layer->digest, err);
  if (rc < 0) return rc;
  char path[4200];
  blob_path(s, layer->digest, path, sizeof path);
  return bw_reader_file(out, path, 0, -1, err);
}

static void store_free(bw_source *src) {
  store_source *s = (store_source *)src;
  free(s->data_dir);
  free(s->repo);
  free(s->config);
  free(s);
}

static const bw_source_ops store_ops = {store_get_blob, store_open_layer, store_free};

int svc_image_open(bw_image **out, bw_meta *meta, const char *data_dir, const char *repo, const char *digest,
                   const char *config, size_t config_len, bw_error *err) {
  *out = NULL;
  bw_image *img = calloc(1, sizeof *img);
  store_source *s = calloc(1, sizeof *s);
  size_t nlen = strlen(repo) + strlen(digest) + 2;
  if (!img || !s || !(img->name = malloc(nlen)) || !(s->data_dir = strdup(data_dir)) || !(s->repo = strdup(repo))) {
    if (s) store_free(&s->base);
    bw_image_free(img);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  snprintf(img->name, nlen, "%s@%s", repo, digest);
  s->base.ops = &store_ops;
  s->meta = meta;
  img->source = &s->base;
  int rc = 0;
  if (config) {
    s->no_blobs = true;
    rc = dup_out(config, config_len, &s->config, &s->config_len, err);
  }
  bw_reg_manifest mf;
  char *bytes = NULL;
  size_t n = 0;
  if (!rc) rc = bw_reg_manifest_get(meta, repo, digest, &mf, &bytes, &n, err);
  if (!rc && config) {
    /* the stored config's digest is the one the manifest names: read it from the manifest */
    json_t *doc = json_loadb(bytes, n, 0, NULL);
    const char *cd = json_string_value(json_object_get(json_object_get(doc, "config"), "digest"));
    snprintf(s->config_digest, sizeof s->config_digest, "%s", cd ? cd : "");
    json_decref(doc);
  }
  if (!rc) rc = bw_image_resolve_manifest(img, &s->base, bytes, n, mf.media_type, NULL, err);
  free(bytes);
  if (rc < 0) {
    bw_error_wrap(err, "%s@%s", repo, digest);
    bw_image_free(img);
    return rc;
  }
  *out = img;
  return 0;
}

int svc_image_config(const bw_image *img, const char **config, size_t *len) {
  const store_source *s = (const store_source *)img->source;
  if (!s || s->base.ops != &store_ops || !s->config) return -1;
  *config = s->config;
  *len = s->config_len;
  return 0;
}
