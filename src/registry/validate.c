/* Pure checks of untrusted registry input: repository names, tags, Content-Range, manifests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/limits.h"
#include "base/sha256.h"
#include "base/strutil.h"
#include "registry/registry.h"

static bool alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* One component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool component_valid(const char *s, size_t n) {
  size_t i = 0;
  if (!n || !alnum_lower(s[0])) return false;
  while (i < n) {
    while (i < n && alnum_lower(s[i])) i++;
    if (i == n) return true;
    /* separator */
    if (s[i] == '.') {
      i++;
    } else if (s[i] == '_') {
      i++;
      if (i < n && s[i] == '_') i++;
    } else if (s[i] == '-') {
      while (i < n && s[i] == '-') i++;
    } else {
      return false;
    }
    if (i == n || !alnum_lower(s[i])) return false;
  }
  return true;
}

bool bw_registry_name_valid(const char *name) {
  size_t len = strlen(name);
  if (!len || len > 255) return false;
  const char *p = name;
  for (;;) {
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (!component_valid(p, n)) return false;
    if (!slash) return true;
    p = slash + 1;
  }
}

bool bw_registry_tag_valid(const char *tag) {
  size_t n = strlen(tag);
  if (!n || n > 128) return false;
  for (size_t i = 0; i < n; i++) {
    char c = tag[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              (i > 0 && (c == '.' || c == '-'));
    if (!ok) return false;
  }
  return true;
}

int bw_registry_parse_content_range(const char *s, int64_t *start, int64_t *end, bw_error *err) {
  if (!s) return bw_error_set(err, BW_EINVAL, "missing Content-Range");
  size_t n = strlen(s);
  const char *p = s;
  if (n > 64) return bw_error_set(err, BW_EINVAL, "Content-Range too long");
  if (!strncmp(p, "bytes ", 6)) p += 6;
  else if (!strncmp(p, "bytes=", 6)) p += 6;
  const char *dash = strchr(p, '-');
  if (!dash) return bw_error_set(err, BW_EINVAL, "Content-Range \"%s\": expected START-END", s);
  const char *e = dash + 1;
  const char *slash = strchr(e, '/');
  size_t elen = slash ? (size_t)(slash - e) : strlen(e);
  uint64_t a, b;
  if (!bw_parse_u64(p, (size_t)(dash - p), &a) || !bw_parse_u64(e, elen, &b))
    return bw_error_set(err, BW_EINVAL, "Content-Range \"%s\": expected decimal START-END", s);
  if (slash) {
    uint64_t total;
    if (strcmp(slash + 1, "*") && !bw_parse_u64(slash + 1, strlen(slash + 1), &total))
      return bw_error_set(err, BW_EINVAL, "Content-Range \"%s\": bad total", s);
  }
  if (a > (uint64_t)INT64_MAX || b > (uint64_t)INT64_MAX) return bw_error_set(err, BW_EINVAL, "Content-Range out of range");
  if (b < a) return bw_error_set(err, BW_EINVAL, "Content-Range \"%s\": end before start", s);
  *start = (int64_t)a;
  *end = (int64_t)b;
  return 0;
}

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

void bw_registry_manifest_info_dispose(bw_registry_manifest_info *mi) {
  if (!mi) return;
  free(mi->refs);
  mi->refs = NULL;
  mi->nrefs = 0;
}

/* Checks one descriptor object and appends it to mi->refs (when add). */
static int descriptor(const json_t *d, const char *what, bw_registry_manifest_info *mi, bool add, bw_error *err) {
  if (!json_is_object(d)) return BW_CORRUPT(err, "%s: not an object", what);
  const char *dg = bw_json_str(d, "digest");
  if (!dg) return BW_CORRUPT(err, "%s: no digest", what);
  if (!bw_digest_valid(dg)) return BW_CORRUPT(err, "%s: digest \"%.80s\" is not sha256:<64 hex>", what, dg);
  json_t *sz = json_object_get(d, "size");
  if (!json_is_integer(sz) || json_integer_value(sz) < 0) return BW_CORRUPT(err, "%s: size missing or negative", what);
  json_t *mt = json_object_get(d, "mediaType");
  if (mt && (!json_is_string(mt) || json_string_length(mt) >= 256))
    return BW_CORRUPT(err, "%s: bad mediaType", what);
  if (!add) return 0;
  struct bw_registry_desc *x = &mi->refs[mi->nrefs++];
  snprintf(x->digest, sizeof x->digest, "%s", dg);
  x->size = json_integer_value(sz);
  return 0;
}

int bw_registry_manifest_parse(const char *buf, size_t len, const char *content_type, bw_registry_manifest_info *mi,
                               bw_error *err) {
  memset(mi, 0, sizeof *mi);
  if (len > BW_LIMIT_MANIFEST_BYTES)
    return bw_error_set(err, BW_ELIMIT, "manifest of %zu bytes exceeds the limit of %u", len, BW_LIMIT_MANIFEST_BYTES);
  json_t *root = NULL;
  int r = bw_json_parse(&root, buf, len, BW_LIMIT_MANIFEST_BYTES, "manifest", err);
  if (r) return r;
  if (!json_is_object(root)) {
    r = BW_CORRUPT(err, "manifest: not a JSON object");
    goto out;
  }
  json_t *sv = json_object_get(root, "schemaVersion");
  if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
    r = BW_CORRUPT(err, "manifest: schemaVersion must be 2");
    goto out;
  }
  const char *jmt = bw_json_str(root, "mediaType");
  const char *ct = content_type && *content_type ? content_type : NULL;
  char ctbuf[256];
  if (ct) { /* drop parameters ("; charset=utf-8") */
    size_t n = strcspn(ct, "; \t");
    if (n >= sizeof ctbuf) n = sizeof ctbuf - 1;
    memcpy(ctbuf, ct, n);
    ctbuf[n] = '\0';
    ct = ctbuf;
  }
  const char *mt = ct ? ct : jmt;
  if (!mt) {
    /* no Content-Type and no mediaType: an OCI manifest or index by shape */
    mt = json_object_get(root, "manifests") ? MT_OCI_INDEX : MT_OCI_MANIFEST;
  }
  if (jmt && strcmp(jmt, mt)) {
    r = BW_CORRUPT(err, "manifest: mediaType \"%.100s\" does not match Content-Type \"%.100s\"", jmt, mt);
    goto out;
  }
  bool index = !strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST);
  bool image = !strcmp(mt, MT_OCI_MANIFEST) || !strcmp(mt, MT_DOCKER_MANIFEST);
  if (!index && !image) {
    r = bw_error_set(err, BW_EUNSUPPORTED, "manifest media type \"%.100s\" is not supported", mt);
    goto out;
  }
  snprintf(mi->media_type, sizeof mi->media_type, "%s", mt);
  mi->is_index = index;
  json_t *at = json_object_get(root, "artifactType");
  if (at) {
    if (!json_is_string(at) || json_string_length(at) >= 256 || !json_string_length(at)) {
      r = BW_CORRUPT(err, "manifest: bad artifactType");
      goto out;
    }
    snprintf(mi->artifact_type, sizeof mi->artifact_type, "%s", json_string_value(at));
  }
  json_t *subj = json_object_get(root, "subject");
  if (subj) {
    if ((r = descriptor(subj, "subject", mi, false, err))) goto out;
    snprintf(mi->subject, sizeof mi->subject, "%s", bw_json_str(subj, "digest"));
  }
  if (index) {
    json_t *ms = json_object_get(root, "manifests");
    if (!json_is_array(ms)) {
      r = BW_CORRUPT(err, "index: manifests is not an array");
      goto out;
    }
    if (json_array_size(ms) > BW_LIMIT_INDEX_ENTRIES) {
      r = bw_error_set(err, BW_ELIMIT, "index: more than %d manifests", BW_LIMIT_INDEX_ENTRIES);
      goto out;
    }
    if (!(mi->refs = calloc(json_array_size(ms) + 1, sizeof *mi->refs))) {
      r = bw_error_set(err, BW_ENOMEM, "out of memory");
      goto out;
    }
    size_t i;
    json_t *d;
    json_array_foreach(ms, i, d) {
      char what[48];
      snprintf(what, sizeof what, "manifests[%zu]", i);
      if ((r = descriptor(d, what, mi, true, err))) goto out;
    }
  } else {
    json_t *cfg = json_object_get(root, "config");
    json_t *layers = json_object_get(root, "layers");
    if (!cfg) {
      r = BW_CORRUPT(err, "manifest: no config");
      goto out;
    }
    if (layers && !json_is_array(layers)) {
      r = BW_CORRUPT(err, "manifest: layers is not an array");
      goto out;
    }
    size_t nl = layers ? json_array_size(layers) : 0;
    if (nl > BW_LIMIT_LAYERS) {
      r = bw_error_set(err, BW_ELIMIT, "manifest: more than %d layers", BW_LIMIT_LAYERS);
      goto out;
    }
    if (!(mi->refs = calloc(nl + 1, sizeof *mi->refs))) {
      r = bw_error_set(err, BW_ENOMEM, "out of memory");
      goto out;
    }
    if ((r = descriptor(cfg, "config", mi, true, err))) goto out;
    if (!mi->artifact_type[0]) {
      const char *cmt = bw_json_str(cfg, "mediaType");
      if (cmt) snprintf(mi->artifact_type, sizeof mi->artifact_type, "%s", cmt);
    }
    size_t i;
    json_t *d;
    json_array_foreach(layers, i, d) {
      char what[48];
      snprintf(what, sizeof what, "layers[%zu]", i);
      if ((r = descriptor(d, what, mi, true, err))) goto out;
    }
  }
out:
  json_decref(root);
  if (r) bw_registry_manifest_info_dispose(mi);
  return r;
}
