/* The notifier's threads: fan-out (events -> outbox) and delivery workers (service/notify.h). */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/limits.h"
#include "base/log.h"
#include "service/notify.h"
#include "store/registry_meta.h"

#define MAX_BUSY 64
#define FANOUT_BATCH 500
#define DELIVERY_BATCH 256

struct bw_notifier {
  bw_meta *m;
  bw_notify_opts o;
  char base_url[512];
  pthread_mutex_t mu;
  pthread_cond_t cv; /* new outbox rows, or stop */
  bool stop;
  atomic_bool cancel; /* aborts in-flight requests at stop */
  int64_t busy[MAX_BUSY]; /* targets a worker is delivering to (0 = free slot) */
  pthread_t fanout;
  pthread_t *workers;
  unsigned nworkers;
  bool fanout_started;
};

static int64_t env_i64(const char *name, int64_t dflt) {
  const char *v = getenv(name);
  if (!v || !*v) return dflt;
  char *end = NULL;
  long long x = strtoll(v, &end, 10);
  return end && !*end && x > 0 ? (int64_t)x : dflt;
}

void bw_notify_opts_init(bw_notify_opts *o) {
  memset(o, 0, sizeof *o);
  o->workers = 4;
  o->retry_base_ms = env_i64("BULWARK_NOTIFY_RETRY_BASE_MS", 1000);
  o->retry_max_ms = env_i64("BULWARK_NOTIFY_RETRY_MAX_MS", 300000);
  o->max_age_s = env_i64("BULWARK_NOTIFY_MAX_AGE", 86400);
  o->poll_ms = 200;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to ms for a wake-up; returns true when stopping. Call with n->mu held. */
static bool nap(bw_notifier *n, int64_t ms) {
  if (n->stop) return true;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (ms % 1000) * 1000000;
  if (ts.tv_nsec >= 1000000000) ts.tv_sec++, ts.tv_nsec -= 1000000000;
  pthread_cond_timedwait(&n->cv, &n->mu, &ts);
  return n->stop;
}

/* The highest severity of an event's scan summary: data.summary.risk, else the highest
 * vulnerabilities/baseline count > 0; -1 when the event carries no summary. */
static int event_severity(json_t *data) {
  json_t *s = json_object_get(data, "summary");
  if (!json_is_object(s)) return -1;
  int risk = bw_notify_sev_parse(json_string_value(json_object_get(s, "risk")));
  if (json_is_string(json_object_get(s, "risk")) && risk >= 0) return risk;
  int best = 0;
  static const char *const keys[] = {"vulnerabilities", "baseline"};
  for (int k = 0; k < 2; k++) {
    json_t *c = json_object_get(s, keys[k]);
    for (int sev = 4; sev > best; sev--)
      if (json_integer_value(json_object_get(c, bw_notify_sev_name(sev))) > 0) best = sev;
  }
  return best;
}

static bool type_matches(const char *list, const char *type) {
  if (!*list) return true;
  size_t tl = strlen(type);
  for (const char *p = list; *p;) {
    const char *e = strchr(p, ',');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    if ((l == tl && !strncmp(p, type, l)) || (l == 1 && *p == '*')) return true;
    /* "scan.*" matches every scan event */
    if (l >= 2 && p[l - 1] == '*' && !strncmp(p, type, l - 1)) return true;
    p += l + (e ? 1 : 0);
  }
  return false;
}

static void ns_of(const char *repo, char *out, size_t cap) {
  const char *slash = strchr(repo, '/');
  size_t l = slash ? (size_t)(slash - repo) : strlen(repo);
  if (l >= cap) l = cap - 1;
  memcpy(out, repo, l);
  out[l] = '\0';
}

static char *event_json(const bw_reg_event *e, const char *ns, json_t *data) {
  time_t t = (time_t)e->at;
  struct tm tm;
  gmtime_r(&t, &tm);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_t *ev = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O?}", "id", (json_int_t)e->id, "type",
                         e->type, "time", when, "namespace", ns, "repository", e->repo, "tag", e->tag, "digest",
                         e->digest, "media_type", e->media_type, "actor", e->actor, "data", data);
  if (ev && !data) json_object_set_new(ev, "data", json_null());
  char *s = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
  json_decref(ev);
  return s;
}

/* One fan-out round: returns the number of events consumed (0: nothing new), -1 on failure. */
static int fanout_round(bw_notifier *n) {
  bw_error err = {0};
  int64_t cursor = 0;
  bw_reg_event *evs = NULL;
  size_t nev = 0;
  if (bw_notify_cursor_get(n->m, &cursor, &err) || bw_reg_events_since(n->m, cursor, FANOUT_BATCH, &evs, &nev, &err)) {
    bw_log(BW_LOG_WARN, "notify: fan-out: %s", err.msg);
    return -1;
  }
  if (!nev) {
    free(evs);
    return 0;
  }
  bw_webhook *targets = NULL;
  size_t nt = 0;
  int rc = (int)nev;
  if (bw_webhook_list(n->m, NULL, &targets, &nt, &err)) {
    bw_log(BW_LOG_WARN, "notify: fan-out: %s", err.msg);
    free(evs);
    return -1;
  }
  bw_outbox_new *rows = NULL;
  char **payloads = calloc(nev, sizeof *payloads);
  if (!payloads) rc = -1;
  size_t nrows = 0, cap = 0;
  for (size_t i = 0; i < nev && rc > 0; i++) {
    const bw_reg_event *e = &evs[i];
    char ns[256];
    ns_of(e->repo, ns, sizeof ns);
    char *payload = NULL;
    json_t *data = NULL;
    int sev = -2; /* not computed yet */
    for (size_t t = 0; t < nt; t++) {
      const bw_webhook *w = &targets[t];
      if (!w->enabled || strcmp(w->ns, ns) || !type_matches(w->events, e->type)) continue;
      if (sev == -2) {
        char *dj = NULL;
        if (!bw_notify_event_data(n->m, e->id, &dj, &err) && dj) {
          json_error_t je;
          data = json_loadb(dj, strlen(dj), 0, &je); /* unparseable data: the event goes out without it */
          if (data && strlen(dj) > BW_LIMIT_NOTIFY_PAYLOAD_BYTES / 2) json_decref(data), data = NULL;
        }
        free(dj);
        sev = event_severity(data);
      }
      if (w->min_severity > 0 && sev >= 0 && sev < w->min_severity) continue;
      if (!payload && !(payload = event_json(e, ns, data))) {
        rc = -1;
        break;
      }
      if (nrows == cap) {
        cap = cap ? cap * 2 : 64;
        bw_outbox_new *nr = realloc(rows, cap * sizeof *rows);
        if (!nr) {
          rc = -1;
          break;
        }
        rows = nr;
      }
      rows[nrows++] = (bw_outbox_new){.target_id = w->id, .event_id = e->id, .payload = payload};
    }
    json_decref(data);
    payloads[i] = payload;
  }
  if (rc > 0 && bw_notify_fanout(n->m, rows, nrows, evs[nev - 1].id, &err)) {
    bw_log(BW_LOG_WARN, "notify: fan-out: %s", err.msg);
    rc = -1;
  }
  for (size_t i = 0; payloads && i < nev; i++) free(payloads[i]);
  free(payloads);
  free(rows);
  free(targets);
  free(evs);
  if (rc > 0 && nrows) {
    pthread_mutex_lock(&n->mu);
    pthread_cond_broadcast(&n->cv);
    pthread_mutex_unlock(&n->mu);
  }
  return rc;
}

static void *fanout_main(void *arg) {
  bw_notifier *n = arg;
  for (;;) {
    int got = fanout_round(n);
    pthread_mutex_lock(&n->mu);
    bool stop = got > 0 ? n->stop : nap(n, got < 0 ? 1000 : n->o.poll_ms);
    pthread_mutex_unlock(&n->mu);
    if (stop) break;
  }
  return NULL;
}

static int64_t backoff_ms(const bw_notifier *n, int attempts) {
  int64_t d = n->o.retry_base_ms;
  for (int i = 1; i < attempts && d < n->o.retry_max_ms; i++) d *= 2;
  if (d > n->o.retry_max_ms) d = n->o.retry_max_ms;
  /* full jitter in [d/2, d] so receivers coming back are not hit by every sender at once */
  return d / 2 + (int64_t)((double)rand() / RAND_MAX * (double)(d - d / 2));
}

/* Delivers target's due rows in order; stops at the first failure (order per target). */
static void deliver_target(bw_notifier *n, int64_t target) {
  bw_error err = {0};
  bw_webhook w;
  if (bw_webhook_get(n->m, target, &w, &err)) return;
  bw_outbox_row *rows = NULL;
  size_t nr = 0;
  if (bw_notify_pending(n->m, target, DELIVERY_BATCH, &rows, &nr, &err)) {
    bw_log(BW_LOG_WARN, "notify: %s", err.msg);
    return;
  }
  CURL *curl = curl_easy_init();
  for (size_t i = 0; i < nr; i++) {
    pthread_mutex_lock(&n->mu);
    bool stop = n->stop;
    pthread_mutex_unlock(&n->mu);
    int64_t now = now_ms();
    if (stop || rows[i].next_attempt_at > now) break;
    bw_outbox_row *o = &rows[i];
    bw_delivery d;
    int attempt = o->attempts + 1;
    bool expired = now - o->created_at > n->o.max_age_s * 1000;
    int state, ok = -1;
    int64_t next = now;
    if (expired) {
      memset(&d, 0, sizeof d);
      d.target_id = target, d.event_id = o->event_id, d.at = now / 1000;
      snprintf(d.excerpt, sizeof d.excerpt, "dead-lettered: older than %lld s", (long long)n->o.max_age_s);
      attempt = o->attempts;
      state = BW_OUTBOX_DEAD;
    } else {
      ok = bw_notify_deliver(&w, o->event_id, o->payload, n->base_url, &n->cancel, curl, &d);
      d.attempt = attempt;
      next = now + backoff_ms(n, attempt);
      state = !ok ? BW_OUTBOX_DELIVERED
                  : (next - o->created_at > n->o.max_age_s * 1000 ? BW_OUTBOX_DEAD : BW_OUTBOX_PENDING);
    }
    if (bw_notify_attempt(n->m, o->id, state, attempt, next, &d, &err)) {
      bw_log(BW_LOG_WARN, "notify: %s", err.msg);
      break;
    }
    if (state == BW_OUTBOX_PENDING) break; /* retry later; later events wait (order) */
  }
  if (curl) curl_easy_cleanup(curl);
  bw_outbox_rows_free(rows, nr);
}

static void *worker_main(void *arg) {
  bw_notifier *n = arg;
  pthread_mutex_lock(&n->mu);
  while (!n->stop) {
    int64_t ids[MAX_BUSY];
    size_t k = 0;
    bw_error err = {0};
    pthread_mutex_unlock(&n->mu);
    int r = bw_notify_due_targets(n->m, now_ms(), ids, MAX_BUSY, &k, &err);
    pthread_mutex_lock(&n->mu);
    if (r) bw_log(BW_LOG_WARN, "notify: %s", err.msg);
    int64_t pick = 0;
    int slot = -1;
    for (size_t i = 0; i < k && !pick; i++) {
      bool busy = false;
      for (int b = 0; b < MAX_BUSY; b++) busy |= n->busy[b] == ids[i];
      if (!busy) pick = ids[i];
    }
    for (int b = 0; pick && b < MAX_BUSY && slot < 0; b++)
      if (!n->busy[b]) slot = b;
    if (slot < 0) {
      nap(n, n->o.poll_ms);
      continue;
    }
    n->busy[slot] = pick;
    pthread_mutex_unlock(&n->mu);
    deliver_target(n, pick);
    pthread_mutex_lock(&n->mu);
    n->busy[slot] = 0;
  }
  pthread_mutex_unlock(&n->mu);
  return NULL;
}

int bw_notifier_start(bw_notifier **out, bw_meta *m, const bw_notify_opts *o, bw_error *err) {
  *out = NULL;
  bw_notifier *n = calloc(1, sizeof *n);
  if (!n) return bw_error_set(err, BW_ENOMEM, "out of memory");
  n->m = m;
  if (o)
    n->o = *o;
  else
    bw_notify_opts_init(&n->o);
  if (!n->o.workers) n->o.workers = 4;
  if (n->o.workers > 32) n->o.workers = 32;
  if (n->o.poll_ms <= 0) n->o.poll_ms = 200;
  snprintf(n->base_url, sizeof n->base_url, "%s", n->o.base_url ? n->o.base_url : "");
  n->o.base_url = n->base_url;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  srand((unsigned)time(NULL) ^ (unsigned)(uintptr_t)n);
  pthread_mutex_init(&n->mu, NULL);
  pthread_cond_init(&n->cv, NULL);
  int64_t cursor;
  int r = bw_notify_cursor_get(m, &cursor, err); /* fixes the starting point now, not at the first event */
  if (!r && !(n->workers = calloc(n->o.workers, sizeof *n->workers))) r = bw_error_set(err, BW_ENOMEM, "out of memory");
  if (!r && pthread_create(&n->fanout, NULL, fanout_main, n)) r = bw_error_set(err, BW_EIO, "cannot start a thread");
  if (!r) n->fanout_started = true;
  for (unsigned i = 0; !r && i < n->o.workers; i++) {
    if (pthread_create(&n->workers[i], NULL, worker_main, n)) {
      r = bw_error_set(err, BW_EIO, "cannot start a thread");
      break;
    }
    n->nworkers++;
  }
  if (r) {
    bw_notifier_stop(n);
    return r;
  }
  bw_log(BW_LOG_INFO, "notify: fan-out from event %lld, %u delivery workers", (long long)cursor, n->nworkers);
  *out = n;
  return 0;
}

void bw_notifier_stop(bw_notifier *n) {
  if (!n) return;
  pthread_mutex_lock(&n->mu);
  n->stop = true;
  atomic_store(&n->cancel, true);
  pthread_cond_broadcast(&n->cv);
  pthread_mutex_unlock(&n->mu);
  if (n->fanout_started) pthread_join(n->fanout, NULL);
  for (unsigned i = 0; i < n->nworkers; i++) pthread_join(n->workers[i], NULL);
  free(n->workers);
  pthread_cond_destroy(&n->cv);
  pthread_mutex_destroy(&n->mu);
  free(n);
}
