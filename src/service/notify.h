/* Event notifications (docs/internals/notify.md): a fan-out thread turns registry events
 * (bw_reg_events_since) into durable outbox rows, one per matching webhook target, in the same
 * transaction as the cursor; delivery workers send them (libcurl) in order per target, with
 * retries, exponential backoff with jitter, a maximum age and a dead-letter state. Receivers:
 * generic HTTP(S) JSON (optionally CloudEvents 1.0 structured mode, HMAC-SHA256 signed), the
 * DingTalk custom robot (markdown, its own signing), Slack incoming webhooks. Nothing here runs on
 * the push or scan paths: a slow or dead receiver only delays its own queue. */
#ifndef BW_SERVICE_NOTIFY_H
#define BW_SERVICE_NOTIFY_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/error.h"
#include "store/meta.h"
#include "store/notify_meta.h"

typedef struct bw_notify_opts {
  const char *base_url;  /* the server's URL, for links in messages (may be NULL) */
  unsigned workers;      /* delivery threads (default 4): a hanging receiver holds one of them */
  int64_t retry_base_ms; /* first retry delay (default 1000; env BULWARK_NOTIFY_RETRY_BASE_MS) */
  int64_t retry_max_ms;  /* backoff cap (default 300000) */
  int64_t max_age_s;     /* a delivery older than this is dead-lettered (default 86400;
                            env BULWARK_NOTIFY_MAX_AGE) */
  int64_t poll_ms;       /* how often idle threads look for new work (default 200) */
} bw_notify_opts;
void bw_notify_opts_init(bw_notify_opts *o); /* defaults, then the environment overrides */

typedef struct bw_notifier bw_notifier;
/* Starts the fan-out and delivery threads over m (must outlive it). */
int bw_notifier_start(bw_notifier **out, bw_meta *m, const bw_notify_opts *o, bw_error *err);
/* Stops and joins the threads (an in-flight request finishes within the 10 s timeout). NULL ok. */
void bw_notifier_stop(bw_notifier *n);

/* The REST API part (bw_registry_api_fn contract): POST/GET /webhooks, GET/DELETE /webhooks/{id},
 * POST /webhooks/{id}/test, GET /webhooks/{id}/deliveries. Namespace admins and sysadmins only. */
typedef struct bw_notify_api_ctx {
  bw_meta *meta;
  bw_auth *auth;
  const char *base_url;
} bw_notify_api_ctx;
int bw_notify_api(void *ctx, const bw_principal *p, const char *method, const char *path, const char *query,
                  const char *body, size_t body_len, int *status, char **json, bw_error *err);

/* ---- shared by the API, the CLI and the tests ---- */
/* Validates a target description given as JSON (the POST /webhooks body) and fills *w. */
int bw_webhook_from_json(const char *body, size_t len, bw_webhook *w, bw_error *err);
/* The JSON view of a target (the secret is never shown). Caller frees. */
char *bw_webhook_to_json(const bw_webhook *w, const int64_t counts[3]);
/* "LOW".."CRITICAL" -> 1..4, "" / "NONE" -> 0; -1 when unknown. */
int bw_notify_sev_parse(const char *s);
const char *bw_notify_sev_name(int sev);

/* HMAC-SHA256 (RFC 2104 / FIPS 198-1). */
void bw_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[32]);
/* X-Bulwark-Signature value: "t=<ts>, v1=<hex HMAC-SHA256(secret, "<ts>.<body>")>". */
void bw_notify_signature(const char *secret, int64_t ts, const char *body, size_t blen, char *out, size_t cap);
/* The DingTalk robot's sign: urlencode(base64(HMAC-SHA256(key=secret, "<ts_ms>\n<secret>"))). */
void bw_notify_dingtalk_sign(const char *secret, int64_t ts_ms, char *out, size_t cap);

/* Renders the request for target w and the event JSON (as stored in the outbox): *body (caller
 * frees), *url (caller frees; DingTalk's carries timestamp and sign), *content_type (static). */
int bw_notify_render(const bw_webhook *w, const char *event_json, int64_t now_ms, const char *base_url, char **body,
                     char **url, const char **content_type, bw_error *err);
/* One delivery attempt of event_json to w now (no retries; connect timeout 5 s, total 10 s);
 * fills the log entry d (status, latency, excerpt). cancel (may be NULL) aborts the transfer when
 * it becomes true (shutdown). curl (may be NULL) is a libcurl easy handle to reuse (keeps the
 * connection to the receiver alive across a batch). Returns 0 when the receiver accepted it (2xx,
 * and for DingTalk errcode 0). */
int bw_notify_deliver(const bw_webhook *w, int64_t event_id, const char *event_json, const char *base_url,
                      const atomic_bool *cancel, void *curl, bw_delivery *d);
/* The event JSON of a sample event for target w (for `webhook test`). Caller frees. */
char *bw_notify_sample_event(const bw_webhook *w);

#endif
