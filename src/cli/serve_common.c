/* Settings and stores shared by `bulwark serve` and `bulwark gc`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/limits.h"
#include "base/strutil.h"
#include "cli/serve_common.h"

void bw_serve_config_init(bw_serve_config *c) {
  memset(c, 0, sizeof *c);
  c->listen = "127.0.0.1:5000";
  c->data = "./var/bulwark";
  c->upload_expiry = BW_LIMIT_UPLOAD_EXPIRY;
  c->max_uploads = BW_LIMIT_UPLOAD_SESSIONS;
  c->max_connections = BW_LIMIT_HTTP_CONNECTIONS;
  c->scan_workers = 1;
  c->db_update_interval = 60;
}

static int number(const char *v, uint64_t max, uint64_t *out) {
  if (!bw_parse_u64(v, strlen(v), out) || *out > max) return -1;
  return 0;
}

int bw_serve_config_set(bw_serve_config *c, const char *key, const char *value) {
  uint64_t n;
  if (!strcmp(key, "listen")) c->listen = value;
  else if (!strcmp(key, "data")) c->data = value;
  else if (!strcmp(key, "tls_cert")) c->tls_cert = value;
  else if (!strcmp(key, "tls_key")) c->tls_key = value;
  else if (!strcmp(key, "url")) c->url = value;
  else if (!strcmp(key, "threads")) {
    if (number(value, 1024, &n)) return -1;
    c->threads = (unsigned)n;
  } else if (!strcmp(key, "upload_expiry")) {
    if (number(value, 365ull * 86400, &n) || n == 0) return -1;
    c->upload_expiry = (int64_t)n;
  } else if (!strcmp(key, "max_uploads")) {
    if (number(value, 10000000, &n) || n == 0) return -1;
    c->max_uploads = (int64_t)n;
  } else if (!strcmp(key, "max_connections")) {
    if (number(value, 100000, &n) || n == 0) return -1;
    c->max_connections = (unsigned)n;
  } else if (!strcmp(key, "scan_workers")) {
    if (number(value, 64, &n)) return -1;
    c->scan_workers = (unsigned)n;
    c->scan_workers_set = true;
  } else if (!strcmp(key, "db_path")) {
    c->db_path = value;
  } else if (!strcmp(key, "db_update_interval")) {
    if (number(value, 365ull * 86400, &n) || n == 0) return -1;
    c->db_update_interval = (int64_t)n;
  } else
    return -1;
  return 0;
}

int bw_serve_config_load(bw_serve_config *c, const char *path, bw_error *err) {
  FILE *f = fopen(path, "r");
  if (!f) return bw_error_sys(err, BW_EIO, "config %s", path);
  char line[4096];
  int lineno = 0, r = 0;
  while (!r && fgets(line, sizeof line, f)) {
    lineno++;
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    const char *s = line;
    size_t n = strlen(s);
    bw_trim(&s, &n);
    if (!n) continue;
    size_t k = strcspn(s, ":=");
    if (k >= n) {
      r = bw_error_set(err, BW_EINVAL, "config %s:%d: expected \"key: value\"", path, lineno);
      break;
    }
    const char *ks = s, *vs = s + k + 1;
    size_t kn = k, vn = n - k - 1;
    bw_trim(&ks, &kn);
    bw_trim(&vs, &vn);
    if (vn >= 2 && (vs[0] == '"' || vs[0] == '\'') && vs[vn - 1] == vs[0]) vs++, vn -= 2;
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)kn, ks);
    if (c->nowned >= (int)(sizeof c->owned / sizeof c->owned[0])) {
      r = bw_error_set(err, BW_ELIMIT, "config %s: too many settings", path);
      break;
    }
    char *val = strndup(vs, vn);
    if (!val) {
      r = bw_error_set(err, BW_ENOMEM, "out of memory");
      break;
    }
    c->owned[c->nowned++] = val;
    if (bw_serve_config_set(c, key, val))
      r = bw_error_set(err, BW_EINVAL, "config %s:%d: unknown key or bad value for \"%s\"", path, lineno, key);
  }
  fclose(f);
  return r;
}

void bw_serve_config_dispose(bw_serve_config *c) {
  for (int i = 0; i < c->nowned; i++) free(c->owned[i]);
  c->nowned = 0;
}

void bw_serve_config_merge(bw_serve_config *c, const bw_serve_config *o) {
  if (o->listen) c->listen = o->listen;
  if (o->data) c->data = o->data;
  if (o->tls_cert) c->tls_cert = o->tls_cert;
  if (o->tls_key) c->tls_key = o->tls_key;
  if (o->url) c->url = o->url;
  if (o->threads) c->threads = o->threads;
  if (o->upload_expiry) c->upload_expiry = o->upload_expiry;
  if (o->max_uploads) c->max_uploads = o->max_uploads;
  if (o->max_connections) c->max_connections = o->max_connections;
  if (o->scan_workers_set) c->scan_workers = o->scan_workers, c->scan_workers_set = true;
  if (o->db_path) c->db_path = o->db_path;
  if (o->db_update_interval) c->db_update_interval = o->db_update_interval;
}

static int mkdir_p(const char *path, bw_error *err) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(tmp, 0755) && errno != EEXIST) return bw_error_sys(err, BW_EIO, "mkdir %s", tmp);
    *p = '/';
  }
  if (mkdir(tmp, 0755) && errno != EEXIST) return bw_error_sys(err, BW_EIO, "mkdir %s", tmp);
  return 0;
}

int bw_serve_open(bw_serve_stores *s, const char *data, bw_error *err) {
  memset(s, 0, sizeof *s);
  int r = mkdir_p(data, err);
  if (r) return r;
  char db[4096];
  snprintf(db, sizeof db, "%s/meta.db", data);
  if ((r = bw_meta_open(&s->meta, db, err))) return r;
  if ((r = bw_blob_open_fs(&s->blobs, data, err))) {
    bw_meta_close(s->meta);
    s->meta = NULL;
  }
  return r;
}

void bw_serve_close(bw_serve_stores *s) {
  bw_blob_close(s->blobs);
  bw_meta_close(s->meta);
  s->blobs = NULL;
  s->meta = NULL;
}
