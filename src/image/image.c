/* Resolving a reference to an image: dispatch to the transport, then the shared walk from
 * index to manifest to config. */
#include "image/image.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json.h"
#include "base/limits.h"
#include "base/sha256.h"
#include "image/manifest.h"

void bw_image_free(bw_image *img) {
  if (!img) return;
  bw_image_layers_free(img);
  free(img->name);
  free(img->manifest_digest);
  free(img->config_digest);
  free(img->os);
  free(img->architecture);
  free(img->variant);
  free(img->rootfs);
  json_decref(img->config);
  if (img->source) img->source->ops->free(img->source);
  free(img);
}

int bw_image_resolve_manifest(bw_image *img, bw_source *src, const char *bytes, size_t len,
                              const char *media_type, const char *platform, bw_error *err) {
  json_t *doc = NULL;
  char *owned = NULL;
  int rc = bw_json_parse(&doc, bytes, len, BW_LIMIT_MANIFEST_BYTES, "manifest", err);
  if (rc < 0) return rc;
  char digest[BW_DIGEST_STR_LEN + 1];
  bw_sha256_buf_str(bytes, len, digest);
  bw_doc_kind kind = bw_manifest_kind(doc, media_type);
  /* at most one level of index: a nested index is not something registries serve */
  if (kind == BW_DOC_INDEX) {
    const char *d = NULL;
    if ((rc = bw_index_select(&d, doc, platform, err)) < 0) goto out;
    size_t n = 0;
    char picked[BW_DIGEST_STR_LEN + 1];
    if ((rc = bw_digest_check(d, err)) < 0) goto out;
    memcpy(picked, d, sizeof picked);
    if ((rc = src->ops->get_blob(src, picked, BW_LIMIT_MANIFEST_BYTES, &owned, &n, err)) < 0) {
      bw_error_wrap(err, "manifest %s", picked);
      goto out;
    }
    json_decref(doc);
    doc = NULL;
    if ((rc = bw_json_parse(&doc, owned, n, BW_LIMIT_MANIFEST_BYTES, "manifest", err)) < 0) goto out;
    memcpy(digest, picked, sizeof digest);
    kind = bw_manifest_kind(doc, NULL);
  }
  if (kind != BW_DOC_MANIFEST) {
    rc = bw_error_set(err, BW_EUNSUPPORTED,
                      "%s is not an OCI or Docker schema 2 image manifest (schema 1 and artifacts are not images)",
                      digest);
    goto out;
  }
  free(img->manifest_digest);
  img->manifest_digest = strdup(digest);
  if ((rc = bw_manifest_read(img, doc, err)) < 0) goto out;
  char *cfg_bytes = NULL;
  size_t cfg_len = 0;
  if ((rc = src->ops->get_blob(src, img->config_digest, BW_LIMIT_MANIFEST_BYTES, &cfg_bytes, &cfg_len, err)) < 0) {
    bw_error_wrap(err, "image config %s", img->config_digest);
    goto out;
  }
  json_t *cfg = NULL;
  rc = bw_json_parse(&cfg, cfg_bytes, cfg_len, BW_LIMIT_MANIFEST_BYTES, "image config", err);
  free(cfg_bytes);
  if (rc < 0) goto out;
  rc = bw_config_read(img, cfg, err);
  json_decref(cfg);
out:
  json_decref(doc);
  free(owned);
  return rc;
}

static int open_dir_rootfs(bw_image *img, const bw_image_ref *ref, bw_error *err) {
  struct stat st;
  if (stat(ref->path, &st) != 0 || !S_ISDIR(st.st_mode))
    return bw_error_set(err, BW_ENOTFOUND, "dir:%s is not a directory (give the path of an unpacked root filesystem)",
                        ref->path);
  img->is_rootfs = true;
  img->rootfs = strdup(ref->path);
  return img->rootfs ? 0 : bw_error_set(err, BW_ENOMEM, "out of memory");
}

int bw_image_open(bw_image **out, const char *refstr, const bw_image_opts *opts, bw_error *err) {
  static const bw_image_opts no_opts;
  if (!opts) opts = &no_opts;
  bw_image_ref ref;
  int rc = bw_image_ref_parse(&ref, refstr, err);
  if (rc < 0) return rc;
  bw_image *img = calloc(1, sizeof *img);
  if (!img || !(img->name = strdup(refstr))) {
    free(img);
    bw_image_ref_dispose(&ref);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  switch (ref.transport) {
  case BW_TRANSPORT_OCI: rc = bw_source_oci_open(img, &ref, opts, err); break;
  case BW_TRANSPORT_OCI_ARCHIVE: rc = bw_source_oci_archive_open(img, &ref, opts, err); break;
  case BW_TRANSPORT_DOCKER_ARCHIVE: rc = bw_source_docker_archive_open(img, &ref, opts, err); break;
  case BW_TRANSPORT_DIR: rc = open_dir_rootfs(img, &ref, err); break;
  case BW_TRANSPORT_DOCKER: rc = bw_source_registry_open(img, &ref, opts, err); break;
  }
  bw_image_ref_dispose(&ref);
  if (rc < 0) {
    bw_image_free(img);
    return rc;
  }
  *out = img;
  return 0;
}
