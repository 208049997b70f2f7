/* OCI Distribution v1.1 handlers under /v2/ (https://github.com/opencontainers/distribution-spec). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/json.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/strutil.h"
#include "registry/server.h"

enum { K_BLOB = 1, K_UPLOAD, K_MANIFEST, K_TAGS, K_REFERRERS };

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"

static bool is_method(req *r, const char *m) { return !strcmp(r->method, m); }

static const char *actor(req *r) { return r->who.name[0] ? r->who.name : "anonymous"; }

static void new_id(char *out, size_t cap, char prefix) {
  unsigned char raw[16];
  size_t got = 0;
  while (got < sizeof raw) {
    ssize_t k = getrandom(raw + got, sizeof raw - got, 0);
    if (k < 0) {
      if (errno == EINTR) continue;
      for (; got < sizeof raw; got++) raw[got] = (unsigned char)rand();
      break;
    }
    got += (size_t)k;
  }
  size_t o = 0;
  if (prefix) out[o++] = prefix;
  for (size_t i = 0; i < sizeof raw && o + 2 < cap; i++) o += (size_t)snprintf(out + o, cap - o, "%02x", raw[i]);
  out[o] = '\0';
}

/* Finds the last occurrence of needle in hay. */
static const char *strrstr(const char *hay, const char *needle) {
  const char *last = NULL;
  for (const char *p = hay; (p = strstr(p, needle)); p++) last = p;
  return last;
}

/* Splits /v2/<name>/<kind>/<ref> into r->repo, r->kind, r->ref / r->upload_id. */
static int parse_path(req *r, const char *rest) {
  size_t n = strlen(rest);
  const char *p;
  char ref[256] = "";
  size_t name_len;
  if (n > 10 && !strcmp(rest + n - 10, "/tags/list")) {
    r->kind = K_TAGS;
    name_len = n - 10;
  } else if ((p = strrstr(rest, "/manifests/")) && !strchr(p + 11, '/')) {
    r->kind = K_MANIFEST;
    name_len = (size_t)(p - rest);
    snprintf(ref, sizeof ref, "%s", p + 11);
  } else if ((p = strrstr(rest, "/referrers/")) && !strchr(p + 11, '/')) {
    r->kind = K_REFERRERS;
    name_len = (size_t)(p - rest);
    snprintf(ref, sizeof ref, "%s", p + 11);
  } else if (n > 14 && !strcmp(rest + n - 14, "/blobs/uploads")) {
    r->kind = K_UPLOAD;
    name_len = n - 14;
  } else if ((p = strrstr(rest, "/blobs/uploads/")) && !strchr(p + 15, '/')) {
    r->kind = K_UPLOAD;
    name_len = (size_t)(p - rest);
    snprintf(r->upload_id, sizeof r->upload_id, "%.63s", p + 15);
  } else if ((p = strrstr(rest, "/blobs/")) && !strchr(p + 7, '/')) {
    r->kind = K_BLOB;
    name_len = (size_t)(p - rest);
    snprintf(ref, sizeof ref, "%s", p + 7);
  } else if ((p = strrstr(rest, "/blobs/uploads/"))) {
    /* an upload id with a slash (decoded %2f): refused as an unknown session */
    r->kind = K_UPLOAD;
    name_len = (size_t)(p - rest);
    snprintf(r->upload_id, sizeof r->upload_id, "%.63s", p + 15);
  } else if ((p = strrstr(rest, "/blobs/"))) {
    /* a "digest" with a slash (decoded %2f): routed as a blob so it is refused as a bad digest */
    r->kind = K_BLOB;
    name_len = (size_t)(p - rest);
    snprintf(ref, sizeof ref, "%s", p + 7);
  } else {
    return -1;
  }
  if (name_len == 0 || name_len >= sizeof r->repo) return -2;
  memcpy(r->repo, rest, name_len);
  r->repo[name_len] = '\0';
  snprintf(r->ref, sizeof r->ref, "%s", ref);
  return 0;
}

/* ---- authorization ---- */

static bool authorize(req *r, unsigned need) {
  bw_registry *reg = r->reg;
  if ((need & BW_ACT_PUSH) && r->who.kind != BW_PRINCIPAL_ANONYMOUS) {
    int64_t id;
    bw_error err = {0};
    if (bw_reg_repo_id(reg->meta, r->repo, false, &id, &err) == -BW_ENOTFOUND) {
      char ns[BW_REG_NAME_MAX];
      snprintf(ns, sizeof ns, "%.*s", (int)strcspn(r->repo, "/"), r->repo);
      bw_error e2 = {0};
      bw_auth_namespace_ensure(reg->auth, &r->who, ns, &e2); /* denial follows from bw_auth_allowed */
    }
  }
  unsigned got = bw_auth_allowed(reg->auth, &r->who, r->repo, need);
  if ((got & need) == need) return true;
  if (r->who.kind == BW_PRINCIPAL_ANONYMOUS || r->who.token_scoped)
    resp_unauthorized(r, r->repo, need | BW_ACT_PULL, "authentication required");
  else
    resp_error(r, 403, "DENIED", "%s may not %s %s", r->who.name,
               need & BW_ACT_DELETE ? "delete in" : need & BW_ACT_PUSH ? "push to" : "pull from", r->repo);
  return false;
}

/* ---- helpers ---- */

static void upload_headers(req *r, const char *id, int64_t size) {
  req_header(r, "Location", "/v2/%s/blobs/uploads/%s", r->repo, id);
  req_header(r, "Range", "0-%lld", (long long)(size > 0 ? size - 1 : 0));
  req_header(r, "Docker-Upload-UUID", "%s", id);
}

static int64_t content_length(req *r) {
  const char *cl = req_header_in(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
  uint64_t v;
  if (cl && bw_parse_u64(cl, strlen(cl), &v) && v <= (uint64_t)INT64_MAX) return (int64_t)v;
  return -1;
}

static void json_respond(req *r, int status, json_t *j, const char *content_type) {
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  if (!s) {
    resp_error(r, 500, "UNSUPPORTED", "out of memory");
    return;
  }
  size_t n = strlen(s);
  /* jansson allocates with malloc by default: hand the buffer over */
  resp_buffer(r, status, content_type, s, n);
}

/* ---- /v2/ base, catalog ---- */

static void base_check(req *r) {
  if (!is_method(r, "GET") && !is_method(r, "HEAD")) {
    resp_error(r, 405, "UNSUPPORTED", "use GET /v2/");
    return;
  }
  if (r->who.kind == BW_PRINCIPAL_ANONYMOUS) {
    resp_unauthorized(r, NULL, 0, "authentication required");
    return;
  }
  resp_text(r, 200, "application/json", "{}");
}

static size_t page_size(req *r, bool *given) {
  const char *n = req_arg(r, "n");
  uint64_t v = BW_LIMIT_LIST_PAGE;
  *given = false;
  if (n && bw_parse_u64(n, strlen(n), &v)) *given = true;
  if (v > BW_LIMIT_LIST_PAGE) v = BW_LIMIT_LIST_PAGE;
  return (size_t)v;
}

static void catalog(req *r) {
  if (!is_method(r, "GET")) {
    resp_error(r, 405, "UNSUPPORTED", "use GET /v2/_catalog");
    return;
  }
  bool given;
  size_t n = page_size(r, &given);
  const char *last = req_arg(r, "last");
  char cursor[BW_REG_NAME_MAX];
  snprintf(cursor, sizeof cursor, "%s", last ? last : "");
  json_t *names = json_array();
  size_t got = 0;
  bool more = false;
  while (!more) {
    bw_reg_strlist l = {0};
    bw_error err = {0};
    if (bw_reg_repo_list(r->reg->meta, NULL, cursor, 1000, &l, &err) < 0) {
      json_decref(names);
      resp_error(r, 500, "UNSUPPORTED", "%s", err.msg);
      return;
    }
    for (size_t i = 0; i < l.len; i++) {
      if (!(bw_auth_allowed(r->reg->auth, &r->who, l.items[i], BW_ACT_PULL) & BW_ACT_PULL)) continue;
      if (got == n) {
        more = true;
        break;
      }
      json_array_append_new(names, json_string(l.items[i]));
      got++;
    }
    bool end = l.len < 1000;
    if (l.len) snprintf(cursor, sizeof cursor, "%s", l.items[l.len - 1]);
    bw_reg_strlist_dispose(&l);
    if (end) break;
  }
  if (more && got) {
    const char *lastname = json_string_value(json_array_get(names, got - 1));
    req_header(r, "Link", "</v2/_catalog?n=%zu&last=%s>; rel=\"next\"", n, lastname);
  }
  json_t *j = json_object();
  json_object_set_new(j, "repositories", names);
  json_respond(r, 200, j, "application/json");
}

/* ---- tags, referrers ---- */

static void tags_list(req *r) {
  if (!is_method(r, "GET")) {
    resp_error(r, 405, "UNSUPPORTED", "use GET");
    return;
  }
  bool given;
  size_t n = page_size(r, &given);
  bw_reg_strlist l = {0};
  bw_error err = {0};
  int rc = n ? bw_reg_tag_list(r->reg->meta, r->repo, req_arg(r, "last"), n + 1, &l, &err)
             : bw_reg_repo_id(r->reg->meta, r->repo, false, &(int64_t){0}, &err);
  if (rc == -BW_ENOTFOUND) {
    resp_error(r, 404, "NAME_UNKNOWN", "repository %s not found", r->repo);
    return;
  }
  if (rc < 0) {
    resp_error(r, 500, "UNSUPPORTED", "%s", err.msg);
    return;
  }
  json_t *tags = json_array();
  for (size_t i = 0; i < l.len && i < n; i++) json_array_append_new(tags, json_string(l.items[i]));
  if (l.len > n && n) req_header(r, "Link", "</v2/%s/tags/list?n=%zu&last=%s>; rel=\"next\"", r->repo, n, l.items[n - 1]);
  bw_reg_strlist_dispose(&l);
  json_t *j = json_object();
  json_object_set_new(j, "name", json_string(r->repo));
  json_object_set_new(j, "tags", tags);
  json_respond(r, 200, j, "application/json");
}

static void referrers(req *r) {
  if (!is_method(r, "GET")) {
    resp_error(r, 405, "UNSUPPORTED", "use GET");
    return;
  }
  if (!bw_digest_valid(r->ref)) {
    resp_error(r, 400, "DIGEST_INVALID", "\"%.80s\" is not a sha256 digest", r->ref);
    return;
  }
  const char *filter = req_arg(r, "artifactType");
  bw_reg_manifest *v = NULL;
  size_t n = 0;
  bw_error err = {0};
  if (bw_reg_referrers(r->reg->meta, r->repo, r->ref, filter, &v, &n, &err) < 0) {
    resp_error(r, 500, "UNSUPPORTED", "%s", err.msg);
    return;
  }
  json_t *ms = json_array();
  for (size_t i = 0; i < n && i < BW_LIMIT_REFERRERS; i++) {
    json_t *d = json_object();
    json_object_set_new(d, "mediaType", json_string(v[i].media_type));
    json_object_set_new(d, "digest", json_string(v[i].digest));
    json_object_set_new(d, "size", json_integer(v[i].size));
    if (v[i].artifact_type[0]) json_object_set_new(d, "artifactType", json_string(v[i].artifact_type));
    bw_reg_manifest mf;
    char *bytes = NULL;
    size_t len = 0;
    bw_error e2 = {0};
    if (!bw_reg_manifest_get(r->reg->meta, r->repo, v[i].digest, &mf, &bytes, &len, &e2)) {
      json_t *doc = NULL;
      if (!bw_json_parse(&doc, bytes, len, BW_LIMIT_MANIFEST_BYTES, "manifest", &e2)) {
        json_t *ann = json_object_get(doc, "annotations");
        if (json_is_object(ann)) json_object_set(d, "annotations", ann);
        json_decref(doc);
      }
      free(bytes);
    }
    json_array_append_new(ms, d);
  }
  free(v);
  if (filter && *filter) req_header(r, "OCI-Filters-Applied", "artifactType");
  json_t *j = json_object();
  json_object_set_new(j, "schemaVersion", json_integer(2));
  json_object_set_new(j, "mediaType", json_string(MT_OCI_INDEX));
  json_object_set_new(j, "manifests", ms);
  json_respond(r, 200, j, MT_OCI_INDEX);
}

/* ---- blobs ---- */

/* Parses "bytes=A-B" / "bytes=A-" against size. 0 ok, -1 unsatisfiable/malformed. */
static int parse_range(const char *h, int64_t size, int64_t *a, int64_t *b) {
  if (strncmp(h, "bytes=", 6)) return -1;
  const char *p = h + 6;
  const char *dash = strchr(p, '-');
  if (!dash || strchr(p, ',')) return -1;
  uint64_t x, y;
  if (dash == p) { /* suffix: last N bytes */
    if (!bw_parse_u64(dash + 1, strlen(dash + 1), &y) || y == 0) return -1;
    *a = (int64_t)y >= size ? 0 : size - (int64_t)y;
    *b = size - 1;
    return size > 0 ? 0 : -1;
  }
  if (!bw_parse_u64(p, (size_t)(dash - p), &x)) return -1;
  if (dash[1] == '\0')
    y = size > 0 ? (uint64_t)size - 1 : 0;
  else if (!bw_parse_u64(dash + 1, strlen(dash + 1), &y))
    return -1;
  if (x > (uint64_t)INT64_MAX || (int64_t)x >= size || y < x) return -1;
  if ((int64_t)y >= size) y = (uint64_t)size - 1;
  *a = (int64_t)x;
  *b = (int64_t)y;
  return 0;
}

static void blob_get(req *r) {
  if (!bw_digest_valid(r->ref)) {
    resp_error(r, 400, "DIGEST_INVALID", "\"%.80s\" is not a sha256 digest", r->ref);
    return;
  }
  bw_error err = {0};
  int64_t size = 0;
  int fd = -1;
  if (bw_reg_blob_linked(r->reg->meta, r->repo, r->ref, NULL, &err) < 0 ||
      bw_blob_open_read(r->reg->blobs, r->ref, &fd, &size, &err) < 0) {
    resp_error(r, 404, "BLOB_UNKNOWN", "blob %s not found in %s", r->ref, r->repo);
    return;
  }
  req_header(r, "Docker-Content-Digest", "%s", r->ref);
  req_header(r, "Accept-Ranges", "bytes");
  req_header(r, "ETag", "\"%s\"", r->ref);
  req_header(r, "Cache-Control", "max-age=31536000");
  const char *range = req_header_in(r, "Range");
  if (range && is_method(r, "GET")) {
    int64_t a, b;
    if (parse_range(range, size, &a, &b) < 0) {
      close(fd);
      req_header(r, "Content-Range", "bytes */%lld", (long long)size);
      resp_error(r, 416, "BLOB_UNKNOWN", "range %s not satisfiable for %lld bytes", range, (long long)size);
      return;
    }
    req_header(r, "Content-Range", "bytes %lld-%lld/%lld", (long long)a, (long long)b, (long long)size);
    resp_fd(r, 206, "application/octet-stream", fd, a, b - a + 1);
    return;
  }
  resp_fd(r, 200, "application/octet-stream", fd, 0, size);
}

static void blob_delete(req *r) {
  if (!bw_digest_valid(r->ref)) {
    resp_error(r, 400, "DIGEST_INVALID", "\"%.80s\" is not a sha256 digest", r->ref);
    return;
  }
  bw_error err = {0};
  if (bw_reg_blob_unlink(r->reg->meta, r->repo, r->ref, &err) < 0) {
    resp_error(r, 404, "BLOB_UNKNOWN", "blob %s not found in %s", r->ref, r->repo);
    return;
  }
  resp_empty(r, 202);
}

/* ---- uploads ---- */

static bool session_for(req *r, bw_reg_upload *u) {
  bw_error err = {0};
  if (!bw_blob_upload_id_valid(r->upload_id) || bw_reg_upload_get(r->reg->meta, r->upload_id, u, &err) < 0 ||
      strcmp(u->repo, r->repo)) {
    resp_error(r, 404, "BLOB_UPLOAD_UNKNOWN", "upload %.64s not found in %s", r->upload_id, r->repo);
    return false;
  }
  return true;
}

static void session_end(req *r, const char *id) {
  bw_error err = {0};
  bw_blob_upload_remove(r->reg->blobs, id, &err);
  if (bw_reg_upload_delete(r->reg->meta, id, &err) == 0) atomic_fetch_sub(&r->reg->uploads_open, 1);
}

/* Opens the writer for a PATCH/PUT body, checking Content-Range against the session offset. */
static bool open_for_body(req *r) {
  bw_error err = {0};
  int rc = bw_blob_writer_open(r->reg->blobs, r->upload_id, false, &r->w, &err);
  if (rc == -BW_ECONFLICT) {
    resp_error(r, 416, "BLOB_UPLOAD_INVALID", "upload %s is busy with another request", r->upload_id);
    return false;
  }
  if (rc < 0) {
    resp_error(r, 404, "BLOB_UPLOAD_UNKNOWN", "upload %s: %s", r->upload_id, err.msg);
    return false;
  }
  int64_t off = bw_blob_writer_offset(r->w);
  r->start_offset = off;
  int64_t cl = content_length(r);
  const char *cr = req_header_in(r, "Content-Range");
  if (cr) {
    int64_t a, b;
    if (bw_registry_parse_content_range(cr, &a, &b, &err) < 0 || a != off) {
      upload_headers(r, r->upload_id, off);
      resp_error(r, 416, "BLOB_UPLOAD_INVALID", "Content-Range %.64s does not continue at offset %lld", cr,
                 (long long)off);
      return false;
    }
    if (cl >= 0 && cl != b - a + 1) {
      resp_error(r, 400, "SIZE_INVALID", "Content-Range %.64s announces %lld bytes, Content-Length %lld", cr,
                 (long long)(b - a + 1), (long long)cl);
      return false;
    }
    r->blob_limit = b - a + 1;
  } else if (cl >= 0) {
    r->blob_limit = cl;
  }
  r->body_mode = BODY_BLOB;
  return true;
}

/* Reserves one session slot (released by session_end or on failure). */
static bool cap_sessions(req *r) {
  if (atomic_fetch_add(&r->reg->uploads_open, 1) >= r->reg->opts.max_uploads) {
    atomic_fetch_sub(&r->reg->uploads_open, 1);
    req_header(r, "Retry-After", "10");
    resp_error(r, 429, "TOO_MANY_REQUESTS", "%lld upload sessions are open; retry later",
               (long long)atomic_load(&r->reg->uploads_open));
    return false;
  }
  return true;
}

static void upload_post(req *r) {
  bw_registry *reg = r->reg;
  bw_error err = {0};
  const char *mount = req_arg(r, "mount");
  const char *from = req_arg(r, "from");
  if (mount && from && bw_digest_valid(mount) && bw_registry_name_valid(from)) {
    int64_t size = 0;
    if ((bw_auth_allowed(reg->auth, &r->who, from, BW_ACT_PULL) & BW_ACT_PULL) &&
        bw_reg_blob_linked(reg->meta, from, mount, &size, &err) == 0 &&
        bw_blob_stat(reg->blobs, mount, &size, NULL, &err) == 0 &&
        bw_reg_blob_link(reg->meta, r->repo, mount, size, &err) == 0) {
      req_header(r, "Location", "/v2/%s/blobs/%s", r->repo, mount);
      req_header(r, "Docker-Content-Digest", "%s", mount);
      resp_empty(r, 201);
      return;
    }
    bw_error_clear(&err); /* not mountable: a normal session follows (the spec's fallback) */
  }
  const char *digest = req_arg(r, "digest");
  if (digest) { /* monolithic: the body is the blob */
    if (!bw_digest_valid(digest)) {
      resp_error(r, 400, "DIGEST_INVALID", "\"%.80s\" is not a sha256 digest", digest);
      return;
    }
    new_id(r->upload_id, sizeof r->upload_id, 'm');
    if (bw_blob_writer_open(reg->blobs, r->upload_id, true, &r->w, &err) < 0) {
      resp_error(r, 500, "BLOB_UPLOAD_INVALID", "%s", err.msg);
      return;
    }
    r->mono = true;
    r->blob_limit = content_length(r);
    r->body_mode = BODY_BLOB;
    snprintf(r->ref, sizeof r->ref, "%s", digest);
    return;
  }
  if (!cap_sessions(r)) return;
  char id[BW_REG_ID_MAX];
  new_id(id, sizeof id, 0);
  bw_blob_writer *w = NULL;
  if (bw_blob_writer_open(reg->blobs, id, true, &w, &err) < 0 || bw_reg_upload_create(reg->meta, id, r->repo, &err) < 0) {
    if (w) bw_blob_writer_release(w);
    bw_blob_upload_remove(reg->blobs, id, NULL);
    atomic_fetch_sub(&reg->uploads_open, 1);
    resp_error(r, 500, "BLOB_UPLOAD_INVALID", "%s", err.msg);
    return;
  }
  bw_blob_writer_release(w);
  upload_headers(r, id, 0);
  resp_empty(r, 202);
}

static void upload_begin(req *r) {
  bw_reg_upload u;
  bw_error err = {0};
  if (is_method(r, "POST")) {
    if (r->upload_id[0]) {
      resp_error(r, 405, "UNSUPPORTED", "POST goes to /v2/<name>/blobs/uploads/");
      return;
    }
    upload_post(r);
    return;
  }
  if (!r->upload_id[0]) {
    resp_error(r, 405, "UNSUPPORTED", "no upload id");
    return;
  }
  if (!session_for(r, &u)) return;
  if (is_method(r, "GET")) {
    int64_t size = 0;
    if (bw_blob_upload_size(r->reg->blobs, r->upload_id, &size, &err) < 0) {
      resp_error(r, 404, "BLOB_UPLOAD_UNKNOWN", "upload %s has no data", r->upload_id);
      return;
    }
    upload_headers(r, r->upload_id, size);
    resp_empty(r, 204);
  } else if (is_method(r, "DELETE")) {
    session_end(r, r->upload_id);
    resp_empty(r, 204);
  } else if (is_method(r, "PATCH")) {
    open_for_body(r);
  } else if (is_method(r, "PUT")) {
    const char *digest = req_arg(r, "digest");
    if (!digest || !bw_digest_valid(digest)) {
      resp_error(r, 400, "DIGEST_INVALID", "PUT needs ?digest=sha256:<64 hex>, got \"%.80s\"", digest ? digest : "");
      return;
    }
    snprintf(r->ref, sizeof r->ref, "%s", digest);
    open_for_body(r);
  } else {
    resp_error(r, 405, "UNSUPPORTED", "method %s not allowed on an upload", r->method);
  }
}

/* Completes a blob: commit the writer with the expected digest (r->ref), link it. */
static void blob_complete(req *r) {
  bw_registry *reg = r->reg;
  bw_error err = {0};
  char dg[BW_DIGEST_STR_LEN + 1];
  int64_t size = 0;
  bw_blob_writer *w = r->w;
  r->w = NULL;
  int rc = bw_blob_writer_commit(w, r->ref, dg, &size, &err);
  if (r->mono) bw_blob_upload_remove(reg->blobs, r->upload_id, NULL);
  else if (rc == -BW_ECORRUPT || rc == 0) session_end(r, r->upload_id);
  if (rc == -BW_ECORRUPT) {
    resp_error(r, 400, "DIGEST_INVALID", "%s", err.msg);
    return;
  }
  if (rc < 0 || bw_reg_blob_link(reg->meta, r->repo, dg, size, &err) < 0) {
    resp_error(r, 500, "BLOB_UPLOAD_INVALID", "%s", err.msg);
    return;
  }
  req_header(r, "Location", "/v2/%s/blobs/%s", r->repo, dg);
  req_header(r, "Docker-Content-Digest", "%s", dg);
  resp_empty(r, 201);
}

static void upload_finish(req *r) {
  if (!r->w) return;
  if (r->body_failed) {
    int64_t off = bw_blob_writer_offset(r->w);
    bw_blob_writer_release(r->w);
    r->w = NULL;
    if (r->mono) bw_blob_upload_remove(r->reg->blobs, r->upload_id, NULL);
    else upload_headers(r, r->upload_id, off);
    resp_error(r, r->berr_status, r->berr_code, "%s", r->berr_msg);
    return;
  }
  if (r->blob_limit >= 0 && r->received != r->blob_limit) {
    int64_t off = bw_blob_writer_offset(r->w);
    bw_blob_writer_release(r->w);
    r->w = NULL;
    if (r->mono) bw_blob_upload_remove(r->reg->blobs, r->upload_id, NULL);
    else upload_headers(r, r->upload_id, off);
    resp_error(r, 400, "SIZE_INVALID", "received %lld bytes of the %lld announced", (long long)r->received,
               (long long)r->blob_limit);
    return;
  }
  if (r->mono || is_method(r, "PUT")) {
    blob_complete(r);
    return;
  }
  /* PATCH */
  int64_t off = bw_blob_writer_offset(r->w);
  bw_blob_writer_release(r->w);
  r->w = NULL;
  bw_error err = {0};
  bw_reg_upload_touch(r->reg->meta, r->upload_id, off, &err);
  upload_headers(r, r->upload_id, off);
  resp_empty(r, 202);
}

void v2_release(req *r) {
  if (!r->w) return;
  bw_blob_writer_release(r->w);
  r->w = NULL;
  if (r->mono) bw_blob_upload_remove(r->reg->blobs, r->upload_id, NULL);
}

/* ---- manifests ---- */

static bool ref_valid(const char *ref) { return bw_digest_valid(ref) || bw_registry_tag_valid(ref); }

static void manifest_get(req *r) {
  bw_reg_manifest mf;
  char *bytes = NULL;
  size_t len = 0;
  bw_error err = {0};
  if (!ref_valid(r->ref)) {
    resp_error(r, 400, "MANIFEST_INVALID", "\"%.80s\" is neither a tag nor a sha256 digest", r->ref);
    return;
  }
  int rc = bw_reg_manifest_get(r->reg->meta, r->repo, r->ref, &mf, &bytes, &len, &err);
  if (rc == -BW_ENOTFOUND) {
    resp_error(r, 404, "MANIFEST_UNKNOWN", "manifest %s not found in %s", r->ref, r->repo);
    return;
  }
  if (rc < 0) {
    resp_error(r, 500, "UNSUPPORTED", "%s", err.msg);
    return;
  }
  req_header(r, "Docker-Content-Digest", "%s", mf.digest);
  req_header(r, "ETag", "\"%s\"", mf.digest);
  resp_buffer(r, 200, mf.media_type, bytes, len);
}

static void manifest_delete(req *r) {
  bw_error err = {0};
  int rc;
  if (bw_digest_valid(r->ref))
    rc = bw_reg_manifest_delete(r->reg->meta, r->repo, r->ref, actor(r), &err);
  else if (bw_registry_tag_valid(r->ref))
    rc = bw_reg_tag_delete(r->reg->meta, r->repo, r->ref, actor(r), &err);
  else {
    resp_error(r, 400, "MANIFEST_INVALID", "\"%.80s\" is neither a tag nor a sha256 digest", r->ref);
    return;
  }
  if (rc == -BW_ENOTFOUND) {
    resp_error(r, 404, "MANIFEST_UNKNOWN", "manifest %s not found in %s", r->ref, r->repo);
    return;
  }
  if (rc < 0) {
    resp_error(r, 500, "UNSUPPORTED", "%s", err.msg);
    return;
  }
  resp_empty(r, 202);
}

static void manifest_put_begin(req *r) {
  if (!ref_valid(r->ref)) {
    resp_error(r, 400, "MANIFEST_INVALID", "\"%.80s\" is neither a valid tag nor a sha256 digest", r->ref);
    return;
  }
  int64_t cl = content_length(r);
  if (cl > (int64_t)BW_LIMIT_MANIFEST_BYTES) {
    resp_error(r, 413, "MANIFEST_INVALID", "manifest of %lld bytes exceeds the limit of %u bytes", (long long)cl,
               BW_LIMIT_MANIFEST_BYTES);
    return;
  }
  r->body_mode = BODY_BUFFER;
  bw_buf_init(&r->body, BW_LIMIT_MANIFEST_BYTES);
}

static void manifest_put_finish(req *r) {
  bw_registry *reg = r->reg;
  if (r->body_failed) {
    resp_error(r, 413, "MANIFEST_INVALID", "manifest exceeds the limit of %u bytes", BW_LIMIT_MANIFEST_BYTES);
    return;
  }
  const char *body = r->body.data ? r->body.data : "";
  size_t len = r->body.len;
  char dg[BW_DIGEST_STR_LEN + 1];
  bw_sha256_buf_str(body, len, dg);
  if (bw_digest_valid(r->ref) && strcmp(r->ref, dg)) {
    resp_error(r, 400, "DIGEST_INVALID", "the manifest has digest %s, not %s", dg, r->ref);
    return;
  }
  bw_registry_manifest_info mi;
  bw_error err = {0};
  int rc = bw_registry_manifest_parse(body, len, req_header_in(r, MHD_HTTP_HEADER_CONTENT_TYPE), &mi, &err);
  if (rc < 0) {
    resp_error(r, 400, "MANIFEST_INVALID", "%s", err.msg);
    return;
  }
  bw_reg_ref *refs = calloc(mi.nrefs + 1, sizeof *refs);
  if (!refs) {
    bw_registry_manifest_info_dispose(&mi);
    resp_error(r, 500, "UNSUPPORTED", "out of memory");
    return;
  }
  for (size_t i = 0; i < mi.nrefs; i++) {
    snprintf(refs[i].digest, sizeof refs[i].digest, "%s", mi.refs[i].digest);
    refs[i].kind = mi.is_index ? BW_REG_REF_MANIFEST : BW_REG_REF_BLOB;
    if (mi.is_index) {
      bw_reg_manifest child;
      bw_error e2 = {0};
      if (bw_reg_manifest_get(reg->meta, r->repo, mi.refs[i].digest, &child, NULL, NULL, &e2) < 0) {
        resp_error(r, 400, "MANIFEST_BLOB_UNKNOWN", "manifest %s (manifests[%zu]) is not in %s", mi.refs[i].digest, i,
                   r->repo);
        goto out;
      }
    } else {
      int64_t size = -1;
      bw_error e2 = {0};
      if (bw_reg_blob_linked(reg->meta, r->repo, mi.refs[i].digest, &size, &e2) < 0 ||
          bw_blob_stat(reg->blobs, mi.refs[i].digest, &size, NULL, &e2) < 0) {
        resp_error(r, 400, "MANIFEST_BLOB_UNKNOWN", "blob %s (%s) is not in %s", mi.refs[i].digest,
                   i == 0 ? "config" : "layer", r->repo);
        goto out;
      }
      if (size != mi.refs[i].size) {
        resp_error(r, 400, "MANIFEST_INVALID", "blob %s has %lld bytes, the manifest says %lld", mi.refs[i].digest,
                   (long long)size, (long long)mi.refs[i].size);
        goto out;
      }
    }
  }
  bw_reg_manifest mf;
  memset(&mf, 0, sizeof mf);
  snprintf(mf.repo, sizeof mf.repo, "%s", r->repo);
  snprintf(mf.digest, sizeof mf.digest, "%s", dg);
  snprintf(mf.media_type, sizeof mf.media_type, "%s", mi.media_type);
  snprintf(mf.artifact_type, sizeof mf.artifact_type, "%s", mi.artifact_type);
  snprintf(mf.subject, sizeof mf.subject, "%s", mi.subject);
  mf.size = (int64_t)len;
  const char *tag = bw_digest_valid(r->ref) ? NULL : r->ref;
  if (bw_reg_manifest_put(reg->meta, &mf, body, len, refs, mi.nrefs, tag, actor(r), &err) < 0) {
    resp_error(r, 500, "UNSUPPORTED", "%s", err.msg);
    goto out;
  }
  req_header(r, "Location", "/v2/%s/manifests/%s", r->repo, dg);
  req_header(r, "Docker-Content-Digest", "%s", dg);
  if (mi.subject[0]) req_header(r, "OCI-Subject", "%s", mi.subject);
  resp_empty(r, 201);
out:
  free(refs);
  bw_registry_manifest_info_dispose(&mi);
}

/* ---- dispatch ---- */

void v2_begin(req *r) {
  const char *p = r->path + 3; /* after "/v2" */
  if (!*p || !strcmp(p, "/")) {
    r->route = RT_BASE;
    base_check(r);
    return;
  }
  if (!strcmp(p, "/_catalog")) {
    r->route = RT_CATALOG;
    catalog(r);
    return;
  }
  int pr = parse_path(r, p + 1);
  if (pr == -1) {
    resp_error(r, 404, "NAME_UNKNOWN", "no such endpoint");
    return;
  }
  static const int routes[] = {0, RT_BLOB, RT_UPLOAD, RT_MANIFEST, RT_TAGS, RT_REFERRERS};
  r->route = routes[r->kind];
  if (pr < 0 || !bw_registry_name_valid(r->repo)) {
    resp_error(r, 400, "NAME_INVALID", "invalid repository name \"%.80s\"", pr < 0 ? "" : r->repo);
    return;
  }
  bool read = is_method(r, "GET") || is_method(r, "HEAD");
  unsigned need;
  if (r->kind == K_UPLOAD)
    need = BW_ACT_PUSH;
  else if (read)
    need = BW_ACT_PULL;
  else if (is_method(r, "DELETE") && (r->kind == K_BLOB || r->kind == K_MANIFEST))
    need = BW_ACT_DELETE;
  else if (is_method(r, "PUT") && r->kind == K_MANIFEST)
    need = BW_ACT_PUSH;
  else {
    resp_error(r, 405, "UNSUPPORTED", "method %s not allowed here", r->method);
    return;
  }
  if (!authorize(r, need)) return;
  switch (r->kind) {
  case K_TAGS: tags_list(r); break;
  case K_REFERRERS: referrers(r); break;
  case K_BLOB:
    if (read)
      blob_get(r);
    else
      blob_delete(r);
    break;
  case K_UPLOAD: upload_begin(r); break;
  case K_MANIFEST:
    if (read)
      manifest_get(r);
    else if (is_method(r, "DELETE"))
      manifest_delete(r);
    else
      manifest_put_begin(r);
    break;
  default: resp_error(r, 404, "NAME_UNKNOWN", "no such endpoint");
  }
}

void v2_finish(req *r) {
  if (r->kind == K_MANIFEST && is_method(r, "PUT")) {
    manifest_put_finish(r);
    return;
  }
  if (r->kind == K_UPLOAD) {
    upload_finish(r);
    return;
  }
}

/* ---- upload reaper ---- */

typedef struct reap_ctx {
  bw_registry *reg;
  int64_t removed;
} reap_ctx;

static int reap_orphan(void *ctx, const char *id) {
  reap_ctx *c = ctx;
  bw_reg_upload u;
  bw_error err = {0};
  if (bw_reg_upload_get(c->reg->meta, id, &u, &err) == -BW_ENOTFOUND) {
    bw_blob_upload_remove(c->reg->blobs, id, NULL);
    c->removed++;
  }
  return 0;
}

void v2_reap(bw_registry *reg, bool startup) {
  bw_error err = {0};
  if (startup) {
    /* no request runs yet: files without a session (monolithic pushes cut short) go */
    reap_ctx c = {reg, 0};
    bw_blob_upload_list(reg->blobs, reap_orphan, &c, &err);
    if (c.removed) bw_info("registry: removed %lld unfinished upload file(s)", (long long)c.removed);
  }
  bw_reg_strlist l = {0};
  if (bw_reg_upload_expired(reg->meta, bw_meta_now() - reg->opts.upload_expiry, &l, &err) == 0) {
    for (size_t i = 0; i < l.len; i++) {
      bw_blob_upload_remove(reg->blobs, l.items[i], NULL);
      if (bw_reg_upload_delete(reg->meta, l.items[i], NULL) == 0 && !startup)
        atomic_fetch_sub(&reg->uploads_open, 1);
    }
    if (l.len) bw_info("registry: %zu upload session(s) expired", l.len);
    bw_reg_strlist_dispose(&l);
  }
  /* the count is read from the store only before serving: later, POSTs hold reserved slots that
   * are not rows yet, and a reset would let more sessions in than the cap */
  int64_t n = 0;
  if (startup && bw_reg_upload_count(reg->meta, &n, &err) == 0) atomic_store(&reg->uploads_open, n);
}
