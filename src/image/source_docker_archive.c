/* docker-archive:FILE[:NAME:TAG|:@N]: the `docker save` format (manifest.json + config + layer
 * tars), several images per file. Layers are streamed from their offsets in the archive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/limits.h"
#include "base/sha256.h"
#include "base/strutil.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/tar_index.h"

typedef struct {
  bw_source base;
  char *archive;
  bw_tar_index index;
  size_t nlayers;
  char **layer_members; /* member name of layer i (parallel to img->layers) */
  char **layer_ids;     /* diff_id of layer i, to find the member from a descriptor */
} darchive_source;

static int da_read_member(darchive_source *s, const char *name, size_t max, char **out, size_t *len, bw_error *err) {
  const bw_tar_member *m = bw_tar_index_find(&s->index, name);
  if (!m) return bw_error_set(err, BW_ENOTFOUND, "%s is not in the archive", name);
  if ((uint64_t)m->size > max)
    return bw_error_set(err, BW_ELIMIT, "%s is %lld bytes, over the limit of %zu", name, (long long)m->size, max);
  bw_reader *r = NULL;
  int rc = bw_reader_file(&r, s->archive, m->offset, m->size, err);
  if (rc < 0) return rc;
  rc = bw_reader_slurp(r, max, out, len, err);
  bw_reader_close(r);
  return rc;
}

static int da_get_blob(bw_source *src, const char *digest, size_t max, char **out, size_t *len, bw_error *err) {
  return bw_error_set(err, BW_EUNSUPPORTED, "docker-archive has no blob store (asked for %s)", digest);
}

static int da_open_layer(bw_source *src, const bw_layer_desc *layer, bw_reader **out, bw_error *err) {
  darchive_source *s = (darchive_source *)src;
  for (size_t i = 0; i < s->nlayers; i++) {
    if (strcmp(s->layer_ids[i], layer->diff_id) != 0) continue;
    const bw_tar_member *m = bw_tar_index_find(&s->index, s->layer_members[i]);
    if (!m) return bw_error_set(err, BW_ENOTFOUND, "layer %s is not in the archive", s->layer_members[i]);
    return bw_reader_file(out, s->archive, m->offset, m->size, err);
  }
  return bw_error_set(err, BW_ENOTFOUND, "layer %s is not in the archive", layer->diff_id);
}

static void da_free(bw_source *src) {
  darchive_source *s = (darchive_source *)src;
  for (size_t i = 0; i < s->nlayers; i++) {
    free(s->layer_members[i]);
    free(s->layer_ids[i]);
  }
  free(s->layer_members);
  free(s->layer_ids);
  free(s->archive);
  bw_tar_index_dispose(&s->index);
  free(s);
}

static const bw_source_ops da_ops = {da_get_blob, da_open_layer, da_free};

static int pick_image(json_t **entry, json_t *manifest, const bw_image_ref *ref, bw_error *err) {
  if (!json_is_array(manifest) || json_array_size(manifest) == 0)
    return BW_CORRUPT(err, "manifest.json is not a non-empty array");
  size_t n = json_array_size(manifest);
  if (n > BW_LIMIT_INDEX_ENTRIES) return bw_error_set(err, BW_ELIMIT, "manifest.json lists %zu images", n);
  if (ref->index) {
    uint64_t i;
    if (!bw_parse_u64(ref->index, strlen(ref->index), &i) || i >= n)
      return bw_error_set(err, BW_ENOTFOUND, "no image @%s in the archive (it has %zu)", ref->index, n);
    *entry = json_array_get(manifest, (size_t)i);
    return 0;
  }
  if (!ref->tag) {
    if (n == 1) {
      *entry = json_array_get(manifest, 0);
      return 0;
    }
    return bw_error_set(err, BW_EINVAL, "the archive holds %zu images: name one with :NAME:TAG or :@N", n);
  }
  char tags[512] = "";
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(manifest, i), *t;
    size_t k;
    json_array_foreach(json_object_get(e, "RepoTags"), k, t) {
      const char *tag = json_string_value(t);
      if (!tag) continue;
      /* docker records "debian:12" for docker.io images; accept the short and long forms */
      if (!strcmp(tag, ref->tag) || (bw_str_endswith(ref->tag, tag) && ref->tag[strlen(ref->tag) - strlen(tag) - 1] == '/')) {
        *entry = e;
        return 0;
      }
      size_t tl = strlen(tags);
      if (tl < sizeof tags - 80) snprintf(tags + tl, sizeof tags - tl, "%s%s", tl ? ", " : "", tag);
    }
  }
  return bw_error_set(err, BW_ENOTFOUND, "no image tagged %s in the archive (tags: %s)", ref->tag, tags[0] ? tags : "none");
}

static int da_open(bw_image *img, darchive_source *s, const bw_image_ref *ref, bw_error *err) {
  char *bytes = NULL;
  size_t len = 0;
  json_t *manifest = NULL, *cfg = NULL;
  int rc = bw_tar_index_open(&s->index, ref->path, err);
  if (rc < 0) return rc;
  if ((rc = da_read_member(s, "manifest.json", BW_LIMIT_INDEX_BYTES, &bytes, &len, err)) < 0) {
    if (err->code == BW_ENOTFOUND) bw_error_wrap(err, "not a docker-archive (no manifest.json)");
    goto out;
  }
  if ((rc = bw_json_parse(&manifest, bytes, len, BW_LIMIT_INDEX_BYTES, "manifest.json", err)) < 0) goto out;
  free(bytes);
  bytes = NULL;
  json_t *entry = NULL;
  if ((rc = pick_image(&entry, manifest, ref, err)) < 0) goto out;
  const char *config = bw_json_str(entry, "Config");
  json_t *layers = json_object_get(entry, "Layers");
  if (!config || !json_is_array(layers)) {
    rc = BW_CORRUPT(err, "manifest.json entry lacks Config or Layers");
    goto out;
  }
  size_t n = json_array_size(layers);
  if (n > BW_LIMIT_LAYERS) {
    rc = bw_error_set(err, BW_ELIMIT, "image has %zu layers, over the limit of %d", n, BW_LIMIT_LAYERS);
    goto out;
  }
  if ((rc = da_read_member(s, config, BW_LIMIT_MANIFEST_BYTES, &bytes, &len, err)) < 0) goto out;
  char digest[BW_DIGEST_STR_LEN + 1];
  bw_sha256_buf_str(bytes, len, digest);
  /* the image ID is the config digest: the only digest docker-archive gives us to check */
  img->config_digest = strdup(digest);
  if ((rc = bw_json_parse(&cfg, bytes, len, BW_LIMIT_MANIFEST_BYTES, "image config", err)) < 0) goto out;
  img->layers = calloc(n ? n : 1, sizeof(bw_layer_desc));
  s->layer_members = calloc(n ? n : 1, sizeof(char *));
  s->layer_ids = calloc(n ? n : 1, sizeof(char *));
  if (!img->layers || !s->layer_members || !s->layer_ids) {
    rc = bw_error_set(err, BW_ENOMEM, "out of memory");
    goto out;
  }
  img->nlayers = n;
  for (size_t i = 0; i < n; i++) {
    const char *m = json_string_value(json_array_get(layers, i));
    if (!m) {
      rc = BW_CORRUPT(err, "manifest.json layer %zu is not a string", i);
      goto out;
    }
    s->layer_members[i] = strdup(m);
    s->nlayers = i + 1;
    const bw_tar_member *tm = bw_tar_index_find(&s->index, m);
    img->layers[i].size = tm ? tm->size : -1;
  }
  if ((rc = bw_config_read(img, cfg, err)) < 0) goto out;
  for (size_t i = 0; i < n; i++) {
    /* no compressed digest exists: the diff_id, checked on the decompressed stream, is the check */
    img->layers[i].digest = strdup(img->layers[i].diff_id);
    s->layer_ids[i] = strdup(img->layers[i].diff_id);
    img->layers[i].compression = BW_COMPRESSION_UNKNOWN;
  }
out:
  free(bytes);
  json_decref(manifest);
  json_decref(cfg);
  return rc;
}

int bw_source_docker_archive_open(bw_image *img, const bw_image_ref *ref, const bw_image_opts *opts, bw_error *err) {
  darchive_source *s = calloc(1, sizeof *s);
  if (!s || !(s->archive = strdup(ref->path))) {
    free(s);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  s->base.ops = &da_ops;
  img->source = &s->base;
  int rc = da_open(img, s, ref, err);
  if (rc < 0) bw_error_wrap(err, "docker-archive:%s", ref->path);
  return rc;
}
