/* The registry server (`bulwark serve`): OCI Distribution v1.1 under /v2/, the Docker token
 * endpoint /token, the REST API under /api/v1/ (access control from auth/, more handlers added with
 * bw_registry_api_add), /healthz and /metrics. HTTP on libmicrohttpd. */
#ifndef BW_REGISTRY_REGISTRY_H
#define BW_REGISTRY_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/buf.h"
#include "base/error.h"
#include "store/blob.h"
#include "store/meta.h"

typedef struct bw_registry_opts {
  const char *listen;        /* "HOST:PORT" ("127.0.0.1:5000"; "[::1]:5000"; ":5000" = all IPv4) */
  const char *tls_cert;      /* PEM files; both NULL = plain HTTP (behind a TLS proxy) */
  const char *tls_key;
  unsigned threads;          /* 0: thread per connection; N: a pool of N epoll threads */
  int64_t upload_expiry;     /* seconds without activity before an upload session is dropped (3600) */
  int64_t max_uploads;       /* open upload sessions; more get TOO_MANY_REQUESTS (BW_LIMIT_UPLOAD_SESSIONS) */
  unsigned max_connections;  /* concurrent connections (BW_LIMIT_HTTP_CONNECTIONS) */
} bw_registry_opts;

void bw_registry_opts_init(bw_registry_opts *o);

typedef struct bw_registry bw_registry;

/* A handler of REST API paths (same contract as bw_auth_api: 0 when it handled the path and filled
 * *status and *json, -BW_ENOTFOUND when the path is not its own). */
typedef int (*bw_registry_api_fn)(void *ctx, const bw_principal *p, const char *method, const char *path,
                                  const char *query, const char *body, size_t body_len, int *status, char **json,
                                  bw_error *err);

/* Creates the server over the stores and access control (all must outlive it); does not listen
 * yet. Caller owns *out (bw_registry_free). */
int bw_registry_new(bw_registry **out, const bw_registry_opts *opts, bw_meta *meta, bw_blobstore *blobs,
                    bw_auth *auth, bw_error *err);
/* Adds a REST API handler tried after the access-control API (before start). */
int bw_registry_api_add(bw_registry *r, bw_registry_api_fn fn, void *ctx, bw_error *err);
/* Another subsystem's lines on GET /metrics: fn appends Prometheus text exposition (HELP, TYPE and
 * samples) to out; called on the request thread, so it must be thread-safe and quick. */
typedef void (*bw_registry_metrics_fn)(void *ctx, bw_buf *out);
int bw_registry_metrics_add(bw_registry *r, bw_registry_metrics_fn fn, void *ctx, bw_error *err);
/* Starts listening and serving on background threads, plus the upload reaper. *port (may be NULL)
 * receives the bound port (useful with port 0). */
int bw_registry_start(bw_registry *r, int *port, bw_error *err);
/* Stops accepting, finishes or drops in-flight requests, joins the threads. */
void bw_registry_stop(bw_registry *r);
void bw_registry_free(bw_registry *r);

/* Repository name per the distribution spec:
 * [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*, at most 255 bytes. */
bool bw_registry_name_valid(const char *name);
/* Tag per the spec: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}. */
bool bw_registry_tag_valid(const char *tag);
/* Parses a PATCH Content-Range value "START-END" (inclusive, decimal, optional "bytes " prefix and
 * "/TOTAL" suffix accepted). 0 or -BW_EINVAL. */
int bw_registry_parse_content_range(const char *s, int64_t *start, int64_t *end, bw_error *err);

/* What a pushed manifest says, checked (bw_registry_manifest_parse). */
typedef struct bw_registry_manifest_info {
  char media_type[256];    /* the manifest's own type */
  char artifact_type[256]; /* artifactType, else config.mediaType for image manifests, else "" */
  char subject[72];        /* subject digest or "" */
  bool is_index;           /* index / manifest list: refs are manifests */
  size_t nrefs;
  struct bw_registry_desc {
    char digest[72];
    int64_t size;
  } *refs; /* config first, then layers (or the index's manifests); malloc'd */
} bw_registry_manifest_info;

/* Parses and validates a manifest body (untrusted, at most BW_LIMIT_MANIFEST_BYTES) pushed with
 * Content-Type content_type (may be NULL or ""): one of the OCI image manifest / index, Docker
 * schema 2 manifest / manifest list; the JSON mediaType, when present, must agree; schemaVersion 2;
 * every descriptor has a valid sha256 digest and a size >= 0; at most BW_LIMIT_LAYERS layers and
 * BW_LIMIT_INDEX_ENTRIES index entries. -BW_EINVAL/-BW_ECORRUPT/-BW_ELIMIT (MANIFEST_INVALID) or
 * -BW_EUNSUPPORTED (an unknown media type). Caller disposes *out (bw_registry_manifest_info_dispose). */
int bw_registry_manifest_parse(const char *buf, size_t len, const char *content_type, bw_registry_manifest_info *out,
                               bw_error *err);
void bw_registry_manifest_info_dispose(bw_registry_manifest_info *mi);

#endif
