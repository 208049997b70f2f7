/* oci:DIR[:TAG] and oci-archive:FILE[:TAG]: an OCI image layout, as a directory or inside an
 * uncompressed tar. Both read the same index.json and blobs/sha256/<hex>; they differ only in
 * how a blob is reached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/limits.h"
#include "base/sha256.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/tar_index.h"

typedef struct {
  bw_source base;
  char *dir;          /* oci: layout directory */
  char *archive;      /* oci-archive: tar file */
  bw_tar_index index; /* oci-archive: members */
} oci_source;

/* blobs/sha256/<hex>; the digest was validated (64 hex), so the path cannot escape. */
static void blob_name(char *out, size_t n, const char *digest) { snprintf(out, n, "blobs/sha256/%s", digest + 7); }

static int oci_open_named(oci_source *s, const char *name, int64_t want_size, bw_reader **out, bw_error *err) {
  if (s->dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", s->dir, name);
    return bw_reader_file(out, path, 0, -1, err);
  }
  const bw_tar_member *m = bw_tar_index_find(&s->index, name);
  if (!m) return bw_error_set(err, BW_ENOTFOUND, "%s is not in the archive %s", name, s->archive);
  (void)want_size;
  return bw_reader_file(out, s->archive, m->offset, m->size, err);
}

static int oci_get_blob(bw_source *src, const char *digest, size_t max, char **out, size_t *len, bw_error *err) {
  oci_source *s = (oci_source *)src;
  int rc = bw_digest_check(digest, err);
  if (rc < 0) return rc;
  char name[128];
  blob_name(name, sizeof name, digest);
  bw_reader *r = NULL, *v = NULL;
  if ((rc = oci_open_named(s, name, -1, &r, err)) < 0) return rc;
  if ((rc = bw_reader_verify(&v, r, digest, -1, err)) < 0) return rc;
  rc = bw_reader_slurp(v, max, out, len, err);
  bw_reader_close(v);
  return rc;
}

static int oci_open_layer(bw_source *src, const bw_layer_desc *layer, bw_reader **out, bw_error *err) {
  oci_source *s = (oci_source *)src;
  char name[128];
  blob_name(name, sizeof name, layer->digest);
  return oci_open_named(s, name, layer->size, out, err);
}

static void oci_free(bw_source *src) {
  oci_source *s = (oci_source *)src;
  free(s->dir);
  free(s->archive);
  bw_tar_index_dispose(&s->index);
  free(s);
}

static const bw_source_ops oci_ops = {oci_get_blob, oci_open_layer, oci_free};

static int read_small(oci_source *s, const char *name, size_t max, char **out, size_t *len, bw_error *err) {
  bw_reader *r = NULL;
  int rc = oci_open_named(s, name, -1, &r, err);
  if (rc < 0) return rc;
  rc = bw_reader_slurp(r, max, out, len, err);
  bw_reader_close(r);
  return rc;
}

/* Picks the index.json entry named by tag (org.opencontainers.image.ref.name, or the short
 * form after the last ':' that some tools write), or the only entry when no tag is given. */
static int pick_entry(json_t **entry, json_t *index, const char *tag, bw_error *err) {
  json_t *ms = json_object_get(index, "manifests");
  if (!json_is_array(ms) || json_array_size(ms) == 0) return BW_CORRUPT(err, "index.json lists no manifests");
  if (json_array_size(ms) > BW_LIMIT_INDEX_ENTRIES)
    return bw_error_set(err, BW_ELIMIT, "index.json lists more than %d manifests", BW_LIMIT_INDEX_ENTRIES);
  char tags[512] = "";
  size_t i;
  json_t *m;
  json_array_foreach(ms, i, m) {
    const char *name = bw_json_str(json_object_get(m, "annotations"), "org.opencontainers.image.ref.name");
    if (tag && name) {
      const char *colon = strrchr(name, ':');
      if (!strcmp(name, tag) || (colon && !strcmp(colon + 1, tag))) {
        *entry = m;
        return 0;
      }
    }
    size_t tl = strlen(tags);
    if (name && tl < sizeof tags - 80) snprintf(tags + tl, sizeof tags - tl, "%s%s", tl ? ", " : "", name);
  }
  if (!tag && json_array_size(ms) == 1) {
    *entry = json_array_get(ms, 0);
    return 0;
  }
  if (!tag)
    return bw_error_set(err, BW_EINVAL, "the layout holds %zu images: name one with :TAG (tags: %s)",
                        json_array_size(ms), tags[0] ? tags : "none");
  return bw_error_set(err, BW_ENOTFOUND, "no image tagged \"%s\" in the layout (tags: %s)", tag,
                      tags[0] ? tags : "none");
}

static int oci_open_common(bw_image *img, oci_source *s, const bw_image_ref *ref, const bw_image_opts *opts,
                           bw_error *err) {
  char *bytes = NULL;
  size_t len = 0;
  json_t *index = NULL;
  int rc = read_small(s, "index.json", BW_LIMIT_INDEX_BYTES, &bytes, &len, err);
  if (rc < 0) {
    if (err->code == BW_ENOTFOUND) bw_error_wrap(err, "not an OCI image layout (no index.json)");
    goto out;
  }
  if ((rc = bw_json_parse(&index, bytes, len, BW_LIMIT_INDEX_BYTES, "index.json", err)) < 0) goto out;
  free(bytes);
  bytes = NULL;
  json_t *entry = NULL;
  if ((rc = pick_entry(&entry, index, ref->tag, err)) < 0) goto out;
  const char *digest = bw_json_str(entry, "digest");
  if ((rc = bw_digest_check(digest, err)) < 0) goto out;
  if ((rc = oci_get_blob(&s->base, digest, BW_LIMIT_MANIFEST_BYTES, &bytes, &len, err)) < 0) goto out;
  rc = bw_image_resolve_manifest(img, &s->base, bytes, len, bw_json_str(entry, "mediaType"), opts->platform, err);
out:
  free(bytes);
  json_decref(index);
  return rc;
}

int bw_source_oci_open(bw_image *img, const bw_image_ref *ref, const bw_image_opts *opts, bw_error *err) {
  oci_source *s = calloc(1, sizeof *s);
  if (!s || !(s->dir = strdup(ref->path))) {
    free(s);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  s->base.ops = &oci_ops;
  img->source = &s->base;
  int rc = oci_open_common(img, s, ref, opts, err);
  if (rc < 0) bw_error_wrap(err, "oci:%s", ref->path);
  return rc;
}

int bw_source_oci_archive_open(bw_image *img, const bw_image_ref *ref, const bw_image_opts *opts, bw_error *err) {
  oci_source *s = calloc(1, sizeof *s);
  if (!s || !(s->archive = strdup(ref->path))) {
    free(s);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  s->base.ops = &oci_ops;
  img->source = &s->base;
  int rc = bw_tar_index_open(&s->index, ref->path, err);
  if (rc == 0) rc = oci_open_common(img, s, ref, opts, err);
  if (rc < 0) bw_error_wrap(err, "oci-archive:%s", ref->path);
  return rc;
}
