/* The HTTP side of `bulwark serve`: libmicrohttpd daemon, request contexts, routing, the token
 * endpoint, /healthz, /metrics, /api/v1 dispatch, and the upload reaper thread. The /v2 handlers
 * live in distribution.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/limits.h"
#include "base/log.h"
#include "registry/server.h"

const char *const bw_route_names[RT_COUNT] = {"base",  "blob",  "upload", "manifest", "tags",    "catalog",
                                              "referrers", "token", "api", "healthz", "metrics", "other"};

void bw_registry_opts_init(bw_registry_opts *o) {
  memset(o, 0, sizeof *o);
  o->listen = "127.0.0.1:5000";
  o->threads = 0;
  o->upload_expiry = BW_LIMIT_UPLOAD_EXPIRY;
  o->max_uploads = BW_LIMIT_UPLOAD_SESSIONS;
  o->max_connections = BW_LIMIT_HTTP_CONNECTIONS;
}

/* ---- responses ---- */

void req_header(req *r, const char *name, const char *fmt, ...) {
  if (r->nhdr >= REQ_MAX_HEADERS) return;
  va_list ap;
  va_start(ap, fmt);
  char *v = NULL;
  if (vasprintf(&v, fmt, ap) < 0) v = NULL;
  va_end(ap);
  if (!v) return;
  r->hdr[r->nhdr].name = name;
  r->hdr[r->nhdr].value = v;
  r->nhdr++;
}

static void queue(req *r, int status, struct MHD_Response *resp, const char *content_type) {
  if (!resp) {
    bw_warn("registry: cannot create a response (out of memory)");
    r->responded = true;
    r->status = 500;
    return;
  }
  if (content_type) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  MHD_add_response_header(resp, "Docker-Distribution-API-Version", "registry/2.0");
  for (int i = 0; i < r->nhdr; i++) MHD_add_response_header(resp, r->hdr[i].name, r->hdr[i].value);
  /* queued when the request has been read whole (libmicrohttpd closes the connection after a
   * response queued earlier), except for early refusals of bodies (see access_handler) */
  r->pending = resp;
  r->responded = true;
  r->status = status;
}

void resp_buffer(req *r, int status, const char *content_type, char *body, size_t len) {
  if (r->responded) {
    free(body);
    return;
  }
  if (strcmp(r->method, "HEAD")) atomic_fetch_add(&r->reg->bytes_out, len);
  queue(r, status, MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE), content_type);
}

void resp_text(req *r, int status, const char *content_type, const char *body) {
  resp_buffer(r, status, content_type, strdup(body), strlen(body));
}

void resp_empty(req *r, int status) {
  if (r->responded) return;
  queue(r, status, MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT), NULL);
}

void resp_fd(req *r, int status, const char *content_type, int fd, int64_t offset, int64_t len) {
  if (r->responded) {
    close(fd);
    return;
  }
  if (strcmp(r->method, "HEAD")) atomic_fetch_add(&r->reg->bytes_out, (unsigned long long)len);
  queue(r, status, MHD_create_response_from_fd_at_offset64((uint64_t)len, fd, (uint64_t)offset), content_type);
}

/* Appends s as a JSON string body (quotes and escapes). */
static void json_escape(bw_buf *b, const char *s) {
  bw_buf_append(b, "\"", 1, NULL);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      bw_buf_append(b, e, 2, NULL);
    } else if (c < 0x20) {
      bw_buf_printf(b, NULL, "\\u%04x", c);
    } else {
      bw_buf_append(b, s, 1, NULL);
    }
  }
  bw_buf_append(b, "\"", 1, NULL);
}

static const char *error_message(const char *code) {
  static const struct {
    const char *code, *msg;
  } t[] = {
      {"BLOB_UNKNOWN", "blob unknown to registry"},
      {"BLOB_UPLOAD_INVALID", "blob upload invalid"},
      {"BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry"},
      {"DIGEST_INVALID", "provided digest did not match uploaded content"},
      {"MANIFEST_BLOB_UNKNOWN", "manifest references a manifest or blob unknown to registry"},
      {"MANIFEST_INVALID", "manifest invalid"},
      {"MANIFEST_UNKNOWN", "manifest unknown to registry"},
      {"NAME_INVALID", "invalid repository name"},
      {"NAME_UNKNOWN", "repository name not known to registry"},
      {"SIZE_INVALID", "provided length did not match content length"},
      {"UNAUTHORIZED", "authentication required"},
      {"DENIED", "requested access to the resource is denied"},
      {"UNSUPPORTED", "the operation is unsupported"},
      {"TOO_MANY_REQUESTS", "too many requests"},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (!strcmp(t[i].code, code)) return t[i].msg;
  return code;
}

void resp_error(req *r, int status, const char *code, const char *fmt, ...) {
  if (r->responded) return;
  char detail[512] = "";
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
  }
  bw_buf b;
  bw_buf_init(&b, 0);
  bw_buf_printf(&b, NULL, "{\"errors\":[{\"code\":\"%s\",\"message\":", code);
  json_escape(&b, error_message(code));
  bw_buf_append(&b, ",\"detail\":", 10, NULL);
  json_escape(&b, detail);
  bw_buf_append(&b, "}]}\n", 4, NULL);
  size_t len = 0;
  char *body = bw_buf_steal(&b, &len);
  resp_buffer(r, status, "application/json", body, len);
}

void resp_unauthorized(req *r, const char *repo, unsigned actions, const char *msg) {
  char *ch = bw_auth_challenge(r->reg->auth, repo, actions);
  if (ch) {
    req_header(r, "WWW-Authenticate", "%s", ch);
    free(ch);
  }
  resp_error(r, 401, "UNAUTHORIZED", "%s", msg ? msg : "authentication required");
}

const char *req_header_in(req *r, const char *name) { return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name); }
const char *req_arg(req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* ---- /token ---- */

typedef struct scope_list {
  const char *v[BW_AUTH_SCOPES_MAX];
  size_t n;
} scope_list;

static enum MHD_Result collect_scope(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  scope_list *s = cls;
  if (key && value && !strcmp(key, "scope") && s->n < BW_AUTH_SCOPES_MAX) {
    /* docker sends several scopes space-separated in one parameter, others repeat it */
    s->v[s->n++] = value;
  }
  return MHD_YES;
}

static void token_endpoint(req *r) {
  if (strcmp(r->method, "GET") && strcmp(r->method, "POST")) {
    resp_error(r, 405, "UNSUPPORTED", "use GET /token");
    return;
  }
  scope_list sl = {0};
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_scope, &sl);
  /* split space-separated scopes */
  char *copies[BW_AUTH_SCOPES_MAX] = {0};
  const char *scopes[BW_AUTH_SCOPES_MAX];
  size_t ns = 0;
  for (size_t i = 0; i < sl.n; i++) {
    copies[i] = strdup(sl.v[i]);
    if (!copies[i]) continue;
    char *save = NULL;
    for (char *t = strtok_r(copies[i], " ", &save); t && ns < BW_AUTH_SCOPES_MAX; t = strtok_r(NULL, " ", &save))
      scopes[ns++] = t;
  }
  char *json = NULL;
  bw_error err = {0};
  int trc = bw_auth_issue_token(r->reg->auth, &r->who, scopes, ns, &json, &err);
  if (trc == -BW_EINVAL || trc == -BW_ELIMIT) {
    resp_error(r, 400, "UNSUPPORTED", "token: %s", err.msg); /* the client's scope is malformed */
  } else if (trc < 0) {
    resp_error(r, 500, "UNKNOWN", "token: %s", err.msg);
  } else {
    resp_buffer(r, 200, "application/json", json, strlen(json));
  }
  for (size_t i = 0; i < sl.n; i++) free(copies[i]);
}

/* ---- /metrics, /healthz ---- */

static void metrics_endpoint(req *r) {
  bw_registry *reg = r->reg;
  bw_buf b;
  bw_buf_init(&b, 0);
  bw_buf_printf(&b, NULL, "# HELP bulwark_http_requests_total HTTP requests by route and status.\n"
                          "# TYPE bulwark_http_requests_total counter\n");
  for (int i = 0; i < RT_COUNT; i++)
    for (int s = 100; s < 600; s++) {
      unsigned long long v = atomic_load(&reg->requests[i][s]);
      if (v) bw_buf_printf(&b, NULL, "bulwark_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", bw_route_names[i], s, v);
    }
  bw_buf_printf(&b, NULL,
                "# HELP bulwark_http_received_bytes_total Request body bytes received.\n"
                "# TYPE bulwark_http_received_bytes_total counter\n"
                "bulwark_http_received_bytes_total %llu\n"
                "# HELP bulwark_http_sent_bytes_total Response body bytes sent.\n"
                "# TYPE bulwark_http_sent_bytes_total counter\n"
                "bulwark_http_sent_bytes_total %llu\n"
                "# HELP bulwark_upload_sessions Open blob upload sessions.\n"
                "# TYPE bulwark_upload_sessions gauge\n"
                "bulwark_upload_sessions %lld\n",
                atomic_load(&reg->bytes_in), atomic_load(&reg->bytes_out), atomic_load(&reg->uploads_open));
  int64_t used = 0;
  bw_error err = {0};
  if (!bw_reg_storage_bytes(reg->meta, &used, &err))
    bw_buf_printf(&b, NULL,
                  "# HELP bulwark_storage_bytes Bytes of distinct blobs linked into repositories plus manifests.\n"
                  "# TYPE bulwark_storage_bytes gauge\n"
                  "bulwark_storage_bytes %lld\n",
                  (long long)used);
  for (size_t i = 0; i < reg->nmetrics; i++) reg->metrics[i].fn(reg->metrics[i].ctx, &b);
  size_t len = 0;
  char *body = bw_buf_steal(&b, &len);
  resp_buffer(r, 200, "text/plain; version=0.0.4", body, len);
}

/* ---- /api/v1 ---- */

/* Appends key=value (percent-encoded) to the bw_buf cls. */
static enum MHD_Result append_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  bw_buf *b = cls;
  const char *parts[2] = {key, value ? value : ""};
  if (b->len) bw_buf_append(b, "&", 1, NULL);
  for (int k = 0; k < 2; k++) {
    if (k) bw_buf_append(b, "=", 1, NULL);
    for (const unsigned char *c = (const unsigned char *)parts[k]; *c; c++) {
      if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("-._~,", *c))
        bw_buf_append(b, c, 1, NULL);
      else
        bw_buf_printf(b, NULL, "%%%02X", *c);
    }
  }
  return MHD_YES;
}

static void api_finish(req *r) {
  const char *path = r->path + strlen("/api/v1");
  int status = 0;
  char *json = NULL;
  bw_error err = {0};
  /* libmicrohttpd hands out the query decoded: re-encode every argument into one string */
  bw_buf q;
  bw_buf_init(&q, 8192);
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, append_arg, &q);
  const char *query = q.data ? q.data : "";
  const char *body = r->body.data;
  size_t blen = r->body.len;
  int rc = bw_auth_api(r->reg->auth, &r->who, r->method, path, query, body, blen, &status, &json, &err);
  for (size_t i = 0; rc == -BW_ENOTFOUND && i < r->reg->napis; i++) {
    bw_error_clear(&err);
    rc = r->reg->apis[i].fn(r->reg->apis[i].ctx, &r->who, r->method, path, query, body, blen, &status, &json, &err);
  }
  bw_buf_dispose(&q);
  if (rc == -BW_ENOTFOUND) {
    free(json);
    resp_text(r, 404, "application/json", "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no such API path\"}}\n");
    return;
  }
  if (rc < 0) {
    free(json);
    bw_warn("api %s %s: %s", r->method, r->path, err.msg);
    resp_text(r, 500, "application/json", "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"internal error\"}}\n");
    return;
  }
  if (!json) json = strdup("{}");
  resp_buffer(r, status ? status : 200, "application/json", json, json ? strlen(json) : 0);
}

/* ---- the access handler ---- */

static void req_free(req *r) {
  if (!r) return;
  if (r->pending) MHD_destroy_response(r->pending);
  v2_release(r);
  bw_buf_dispose(&r->body);
  for (int i = 0; i < r->nhdr; i++) free(r->hdr[i].value);
  free(r->path);
  free(r);
}

static void begin(req *r) {
  const char *p = r->path;
  if (!strcmp(p, "/healthz")) {
    r->route = RT_HEALTH;
    resp_text(r, 200, "text/plain", "ok\n");
    return;
  }
  if (!strcmp(p, "/metrics")) {
    r->route = RT_METRICS;
    metrics_endpoint(r);
    return;
  }
  bool is_v2 = !strcmp(p, "/v2") || !strncmp(p, "/v2/", 4);
  bool is_token = !strcmp(p, "/token") || !strcmp(p, "/v2/token");
  bool is_api = !strncmp(p, "/api/v1/", 8) || !strcmp(p, "/api/v1");
  if (is_token) r->route = RT_TOKEN;
  else if (is_api) r->route = RT_API;
  if (!is_v2 && !is_token && !is_api) {
    resp_error(r, 404, "UNSUPPORTED", "no such endpoint");
    return;
  }
  bw_error err = {0};
  const char *authz = req_header_in(r, MHD_HTTP_HEADER_AUTHORIZATION);
  if (bw_auth_authenticate(r->reg->auth, authz, &r->who, &err) < 0) {
    if (is_api) {
      req_header(r, "WWW-Authenticate", "Basic realm=\"bulwark\"");
      resp_text(r, 401, "application/json", "{\"error\":{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication failed\"}}\n");
    } else {
      resp_unauthorized(r, NULL, 0, err.msg);
    }
    return;
  }
  if (is_token) {
    token_endpoint(r);
    return;
  }
  if (is_api) {
    r->body_mode = BODY_BUFFER;
    bw_buf_init(&r->body, BW_LIMIT_API_BODY_BYTES);
    return;
  }
  v2_begin(r);
}

static void finish(req *r) {
  if (r->route == RT_API) {
    if (r->body_failed) {
      resp_text(r, 413, "application/json", "{\"error\":{\"code\":\"TOO_LARGE\",\"message\":\"request body too large\"}}\n");
      return;
    }
    api_finish(r);
    return;
  }
  v2_finish(r);
}

static void body(req *r, const char *data, size_t n) {
  atomic_fetch_add(&r->reg->bytes_in, n);
  if (r->responded || r->body_failed) return;
  if (r->body_mode == BODY_BUFFER) {
    bw_error err = {0};
    if (bw_buf_append(&r->body, data, n, &err) < 0) {
      r->body_failed = true;
      r->berr_status = 413;
      r->berr_code = "MANIFEST_INVALID";
      snprintf(r->berr_msg, sizeof r->berr_msg, "body larger than %zu bytes", r->body.max);
    }
    return;
  }
  if (r->body_mode == BODY_BLOB) {
    size_t take = n;
    bool over = false;
    if (r->blob_limit >= 0 && r->received + (int64_t)n > r->blob_limit) {
      take = (size_t)(r->blob_limit - r->received);
      over = true;
    }
    bw_error err = {0};
    if (take && bw_blob_writer_write(r->w, data, take, &err) < 0) {
      r->body_failed = true;
      r->berr_status = 500;
      r->berr_code = "BLOB_UPLOAD_INVALID";
      snprintf(r->berr_msg, sizeof r->berr_msg, "%s", err.msg);
      return;
    }
    r->received += (int64_t)take;
    if (over) {
      r->body_failed = true;
      r->berr_status = 416;
      r->berr_code = "BLOB_UPLOAD_INVALID";
      snprintf(r->berr_msg, sizeof r->berr_msg, "more bytes than the Content-Range/Content-Length announced");
    }
  }
}

static enum MHD_Result send_pending(req *r) {
  if (!r->pending) return MHD_YES;
  enum MHD_Result rc = MHD_queue_response(r->conn, (unsigned)r->status, r->pending);
  MHD_destroy_response(r->pending);
  r->pending = NULL;
  return rc;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                      const char *version, const char *upload_data, size_t *upload_data_size,
                                      void **con_cls) {
  (void)version;
  bw_registry *reg = cls;
  req *r = *con_cls;
  if (!r) {
    r = calloc(1, sizeof *r);
    if (!r) return MHD_NO;
    r->reg = reg;
    r->conn = conn;
    r->route = RT_OTHER;
    r->blob_limit = -1;
    snprintf(r->method, sizeof r->method, "%s", method);
    r->path = strdup(url);
    if (!r->path) {
      free(r);
      return MHD_NO;
    }
    *con_cls = r;
    begin(r);
    if (r->pending) {
      /* refused before the body: answer now rather than read (maybe gigabytes of) body first */
      const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
      if ((cl && strcmp(cl, "0")) || te) return send_pending(r);
    }
    return MHD_YES;
  }
  if (*upload_data_size) {
    body(r, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (!r->responded) finish(r);
  if (!r->responded) resp_error(r, 500, "UNSUPPORTED", "no response");
  return send_pending(r);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
  (void)conn, (void)toe;
  bw_registry *reg = cls;
  req *r = *con_cls;
  if (!r) return;
  int s = r->status >= 100 && r->status < 600 ? r->status : 500;
  if (r->responded) atomic_fetch_add(&reg->requests[r->route][s], 1);
  req_free(r);
  *con_cls = NULL;
}

/* ---- lifecycle ---- */

static char *slurp(const char *path, bw_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    bw_error_sys(err, BW_EIO, "open %s", path);
    return NULL;
  }
  bw_buf b;
  bw_buf_init(&b, 1u << 20);
  char chunk[4096];
  size_t n;
  int r = 0;
  while (!r && (n = fread(chunk, 1, sizeof chunk, f)) > 0) r = bw_buf_append(&b, chunk, n, err);
  fclose(f);
  if (r) {
    bw_buf_dispose(&b);
    return NULL;
  }
  return bw_buf_steal(&b, NULL);
}

int bw_registry_new(bw_registry **out, const bw_registry_opts *opts, bw_meta *meta, bw_blobstore *blobs,
                    bw_auth *auth, bw_error *err) {
  *out = NULL;
  bw_registry *reg = calloc(1, sizeof *reg);
  if (!reg) return bw_error_set(err, BW_ENOMEM, "out of memory");
  reg->opts = *opts;
  reg->meta = meta;
  reg->blobs = blobs;
  reg->auth = auth;
  pthread_mutex_init(&reg->stop_mu, NULL);
  pthread_cond_init(&reg->stop_cv, NULL);
  if ((opts->tls_cert != NULL) != (opts->tls_key != NULL)) {
    bw_registry_free(reg);
    return bw_error_set(err, BW_EINVAL, "TLS needs both --tls-cert and --tls-key");
  }
  if (opts->tls_cert) {
    if (!(reg->tls_cert = slurp(opts->tls_cert, err)) || !(reg->tls_key = slurp(opts->tls_key, err))) {
      bw_registry_free(reg);
      return -err->code;
    }
  }
  *out = reg;
  return 0;
}

int bw_registry_api_add(bw_registry *r, bw_registry_api_fn fn, void *ctx, bw_error *err) {
  if (r->napis >= sizeof r->apis / sizeof r->apis[0]) return bw_error_set(err, BW_ELIMIT, "too many API handlers");
  r->apis[r->napis].fn = fn;
  r->apis[r->napis].ctx = ctx;
  r->napis++;
  return 0;
}

int bw_registry_metrics_add(bw_registry *r, bw_registry_metrics_fn fn, void *ctx, bw_error *err) {
  if (r->nmetrics >= sizeof r->metrics / sizeof r->metrics[0])
    return bw_error_set(err, BW_ELIMIT, "too many metrics sources");
  r->metrics[r->nmetrics].fn = fn;
  r->metrics[r->nmetrics].ctx = ctx;
  r->nmetrics++;
  return 0;
}

static void *reaper_main(void *arg) {
  bw_registry *reg = arg;
  int64_t every = reg->opts.upload_expiry / 4;
  if (every < 1) every = 1;
  if (every > 60) every = 60;
  pthread_mutex_lock(&reg->stop_mu);
  while (!reg->stopping) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += every;
    pthread_cond_timedwait(&reg->stop_cv, &reg->stop_mu, &ts);
    if (reg->stopping) break;
    pthread_mutex_unlock(&reg->stop_mu);
    v2_reap(reg, false);
    pthread_mutex_lock(&reg->stop_mu);
  }
  pthread_mutex_unlock(&reg->stop_mu);
  return NULL;
}

/* Parses "HOST:PORT" / "[V6]:PORT" / ":PORT" into a socket address. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, bool *v6, bw_error *err) {
  char host[256] = "";
  const char *port;
  if (s[0] == '[') {
    const char *e = strchr(s, ']');
    if (!e || e[1] != ':') return bw_error_set(err, BW_EINVAL, "listen address \"%s\": expected [V6]:PORT", s);
    snprintf(host, sizeof host, "%.*s", (int)(e - s - 1), s + 1);
    port = e + 2;
  } else {
    const char *c = strrchr(s, ':');
    if (!c) return bw_error_set(err, BW_EINVAL, "listen address \"%s\": expected HOST:PORT", s);
    snprintf(host, sizeof host, "%.*s", (int)(c - s), s);
    port = c + 1;
  }
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
  if (rc || !res) return bw_error_set(err, BW_EINVAL, "listen address \"%s\": %s", s, gai_strerror(rc));
  /* prefer IPv4 for a bare or wildcard host */
  struct addrinfo *pick = res;
  for (struct addrinfo *a = res; a; a = a->ai_next)
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  memcpy(ss, pick->ai_addr, pick->ai_addrlen);
  *v6 = pick->ai_family == AF_INET6;
  freeaddrinfo(res);
  return 0;
}

int bw_registry_start(bw_registry *reg, int *port, bw_error *err) {
  struct sockaddr_storage ss;
  bool v6 = false;
  int r = parse_listen(reg->opts.listen, &ss, &v6, err);
  if (r) return r;
  v2_reap(reg, true);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_SUPPRESS_DATE_NO_CLOCK * 0;
  if (reg->opts.threads)
    flags |= MHD_USE_EPOLL;
  else
    flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
  if (v6) flags |= MHD_USE_IPv6;
  if (reg->tls_cert) flags |= MHD_USE_TLS;
  if (getenv("BULWARK_HTTP_DEBUG")) flags |= MHD_USE_ERROR_LOG;
  struct MHD_OptionItem opts[16];
  int k = 0;
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, reg};
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, (intptr_t)reg->opts.max_connections, NULL};
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, BW_LIMIT_HTTP_IDLE_SECONDS, NULL};
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, BW_LIMIT_HTTP_CONN_MEMORY, NULL};
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL};
  if (reg->opts.threads) opts[k++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, reg->opts.threads, NULL};
  if (reg->tls_cert) {
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, reg->tls_cert};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, reg->tls_key};
  }
  opts[k++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
  reg->d = MHD_start_daemon(flags, 0, NULL, NULL, access_handler, reg, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
  if (!reg->d) return bw_error_set(err, BW_EIO, "cannot listen on %s (address in use, or TLS files unusable?)", reg->opts.listen);
  if (port) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(reg->d, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? (int)info->port : 0;
  }
  if (pthread_create(&reg->reaper, NULL, reaper_main, reg) == 0) reg->reaper_running = true;
  return 0;
}

void bw_registry_stop(bw_registry *reg) {
  if (!reg) return;
  pthread_mutex_lock(&reg->stop_mu);
  reg->stopping = true;
  pthread_cond_broadcast(&reg->stop_cv);
  pthread_mutex_unlock(&reg->stop_mu);
  if (reg->reaper_running) pthread_join(reg->reaper, NULL);
  reg->reaper_running = false;
  if (reg->d) MHD_stop_daemon(reg->d);
  reg->d = NULL;
}

void bw_registry_free(bw_registry *reg) {
  if (!reg) return;
  bw_registry_stop(reg);
  pthread_mutex_destroy(&reg->stop_mu);
  pthread_cond_destroy(&reg->stop_cv);
  free(reg->tls_cert);
  free(reg->tls_key);
  free(reg);
}
