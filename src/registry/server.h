/* Shared by the registry's files only: the request context, response helpers, metrics. */
#ifndef BW_REGISTRY_SERVER_H
#define BW_REGISTRY_SERVER_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "base/buf.h"
#include "registry/registry.h"
#include "store/blob.h"
#include "store/registry_meta.h"

/* Routes counted in /metrics. */
enum {
  RT_BASE, RT_BLOB, RT_UPLOAD, RT_MANIFEST, RT_TAGS, RT_CATALOG, RT_REFERRERS, RT_TOKEN, RT_API, RT_HEALTH,
  RT_METRICS, RT_OTHER, RT_COUNT
};
extern const char *const bw_route_names[RT_COUNT];

typedef struct api_handler {
  bw_registry_api_fn fn;
  void *ctx;
} api_handler;

struct bw_registry {
  bw_registry_opts opts;
  bw_meta *meta;
  bw_blobstore *blobs;
  bw_auth *auth;
  struct MHD_Daemon *d;
  char *tls_cert, *tls_key; /* PEM contents */
  api_handler apis[16];
  size_t napis;
  struct {
    bw_registry_metrics_fn fn;
    void *ctx;
  } metrics[8];
  size_t nmetrics;
  /* upload sessions open (started from the store's count) */
  atomic_llong uploads_open;
  /* metrics */
  atomic_ullong requests[RT_COUNT][600];
  atomic_ullong bytes_in, bytes_out;
  atomic_llong storage_bytes;
  /* reaper */
  pthread_t reaper;
  bool reaper_running;
  pthread_mutex_t stop_mu;
  pthread_cond_t stop_cv;
  bool stopping;
};

enum { BODY_NONE = 0, BODY_BUFFER, BODY_BLOB };

#define REQ_MAX_HEADERS 12

typedef struct req {
  bw_registry *reg;
  struct MHD_Connection *conn;
  char method[8];
  char *path; /* decoded by MHD */
  int route;
  bw_principal who;
  bool responded;
  int status;
  struct MHD_Response *pending; /* made before the request was read whole: queued at its end */
  /* body */
  int body_mode;
  bw_buf body;
  bw_blob_writer *w;
  int64_t blob_limit; /* bytes the body may have (Content-Range / Content-Length), -1 = no limit */
  int64_t received;
  int64_t start_offset;
  bool body_failed; /* a body error is recorded below and answered at the end */
  int berr_status;
  const char *berr_code;
  char berr_msg[256];
  /* /v2 parse */
  int kind;
  char repo[BW_REG_NAME_MAX];
  char ref[256];
  char upload_id[BW_REG_ID_MAX];
  bool mono; /* monolithic POST ?digest= (temporary session) */
  /* response headers */
  int nhdr;
  struct {
    const char *name;
    char *value;
  } hdr[REQ_MAX_HEADERS];
} req;

/* Response helpers: each queues exactly one response (the first call wins). */
void req_header(req *r, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void resp_buffer(req *r, int status, const char *content_type, char *body, size_t len); /* takes body (malloc'd) */
void resp_text(req *r, int status, const char *content_type, const char *body);
void resp_empty(req *r, int status);
void resp_fd(req *r, int status, const char *content_type, int fd, int64_t offset, int64_t len);
/* The spec's error body {"errors":[{"code","message","detail"}]}. */
void resp_error(req *r, int status, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* 401 UNAUTHORIZED with the challenge for repo/actions (repo NULL: the base). */
void resp_unauthorized(req *r, const char *repo, unsigned actions, const char *msg);
const char *req_header_in(req *r, const char *name);
const char *req_arg(req *r, const char *name);

/* /v2 (distribution.c): called on the first call (headers in) and when the body is complete. */
void v2_begin(req *r);
void v2_finish(req *r);
/* Reaper and startup cleanup (distribution.c). */
void v2_reap(bw_registry *reg, bool startup);
void v2_release(req *r);

#endif
