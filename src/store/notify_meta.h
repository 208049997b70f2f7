/* The metadata store's notification part: webhook targets per namespace, the durable outbox of
 * deliveries, the delivery log, and the fan-out cursor (the last event id turned into outbox rows).
 * Functions only (SQLite driver: meta_sqlite_notify.c). Errors: -BW_ENOTFOUND for a missing row,
 * -BW_EIO for store failures, -BW_ECONFLICT for constraint violations. */
#ifndef BW_STORE_NOTIFY_META_H
#define BW_STORE_NOTIFY_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/meta.h"

#define BW_WEBHOOK_URL_MAX 2048
#define BW_WEBHOOK_TEXT_MAX 4096 /* headers JSON, options JSON */

/* A target. kind: "http" | "dingtalk" | "slack". events: comma-separated event types ("" = all).
 * min_severity: 0 none, 1 LOW, 2 MEDIUM, 3 HIGH, 4 CRITICAL (applies to events carrying a scan
 * summary). headers: a JSON object of extra request headers. options: a JSON object (see
 * docs/internals/notify.md: cloudevents, keyword, at_mobiles, at_all). */
typedef struct bw_webhook {
  int64_t id;
  char ns[256];
  char kind[16];
  char url[BW_WEBHOOK_URL_MAX];
  char secret[256];
  char headers[BW_WEBHOOK_TEXT_MAX];
  char events[512];
  int min_severity;
  char ca_file[1024];
  char options[BW_WEBHOOK_TEXT_MAX];
  bool enabled;
  int64_t created_at;
} bw_webhook;

/* Adds w (w->id and created_at are set). */
int bw_webhook_add(bw_meta *m, bw_webhook *w, bw_error *err);
int bw_webhook_get(bw_meta *m, int64_t id, bw_webhook *out, bw_error *err);
/* Targets of namespace ns (NULL: all), by id. Caller frees *out. */
int bw_webhook_list(bw_meta *m, const char *ns, bw_webhook **out, size_t *n, bw_error *err);
/* Removes the target with its outbox rows and delivery log. */
int bw_webhook_rm(bw_meta *m, int64_t id, bw_error *err);

/* ---- fan-out ---- */
/* The fan-out cursor; when none is stored yet, it is initialised to the newest event id (targets
 * see only events after the first start of the notifier). */
int bw_notify_cursor_get(bw_meta *m, int64_t *cursor, bw_error *err);
/* The `data` JSON of event id (a scan summary etc.), NULL when the event has none or the events
 * table has no data column. Caller frees *data. */
int bw_notify_event_data(bw_meta *m, int64_t event_id, char **data, bw_error *err);

typedef struct bw_outbox_new {
  int64_t target_id, event_id;
  const char *payload; /* the event JSON (docs/internals/notify.md) */
} bw_outbox_new;
/* In one transaction: inserts rows[0..n) as pending (due now) and sets the cursor to `cursor`. A
 * (target, event) pair already present is skipped, so a replay never duplicates. */
int bw_notify_fanout(bw_meta *m, const bw_outbox_new *rows, size_t n, int64_t cursor, bw_error *err);

enum { BW_OUTBOX_PENDING = 0, BW_OUTBOX_DELIVERED = 1, BW_OUTBOX_DEAD = 2 };

typedef struct bw_outbox_row {
  int64_t id, target_id, event_id;
  int state, attempts;
  int64_t next_attempt_at, created_at; /* milliseconds since the epoch */
  char *payload;                       /* owned */
} bw_outbox_row;
void bw_outbox_rows_free(bw_outbox_row *rows, size_t n);

/* Targets (enabled) whose oldest pending row is due at now_ms, at most max, oldest first. */
int bw_notify_due_targets(bw_meta *m, int64_t now_ms, int64_t *ids, size_t max, size_t *n, bw_error *err);
/* The oldest pending rows of target, in event order, at most max. */
int bw_notify_pending(bw_meta *m, int64_t target_id, size_t max, bw_outbox_row **out, size_t *n, bw_error *err);

typedef struct bw_delivery {
  int64_t id, target_id, event_id;
  int attempt, status; /* HTTP status, 0 when no response */
  int64_t latency_ms, at;
  char excerpt[512]; /* response body start, or the transport error */
} bw_delivery;
/* Records one attempt of outbox row `outbox_id` and its new state in one transaction. */
int bw_notify_attempt(bw_meta *m, int64_t outbox_id, int state, int attempts, int64_t next_attempt_at,
                      const bw_delivery *d, bw_error *err);
/* The newest max log entries of target (newest first). Caller frees *out. */
int bw_notify_deliveries(bw_meta *m, int64_t target_id, size_t max, bw_delivery **out, size_t *n, bw_error *err);
/* Counts of outbox rows of target (-1: all) by state. */
int bw_notify_counts(bw_meta *m, int64_t target_id, int64_t counts[3], bw_error *err);

#endif
