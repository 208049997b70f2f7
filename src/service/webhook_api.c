/* The webhook REST API and the JSON form of a target (service/notify.h). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_store.h"
#include "base/json.h"
#include "base/limits.h"
#include "service/notify.h"

static int set_str(char *dst, size_t cap, json_t *v, const char *what, bw_error *err) {
  if (!v || json_is_null(v)) return 0;
  if (!json_is_string(v)) return bw_error_set(err, BW_EINVAL, "%s must be a string", what);
  if (json_string_length(v) >= cap) return bw_error_set(err, BW_ELIMIT, "%s is longer than %zu bytes", what, cap - 1);
  snprintf(dst, cap, "%s", json_string_value(v));
  return 0;
}

int bw_webhook_from_json(const char *body, size_t len, bw_webhook *w, bw_error *err) {
  memset(w, 0, sizeof *w);
  json_t *o = NULL;
  int r = bw_json_parse(&o, body, len, BW_LIMIT_WEBHOOK_API_BODY_BYTES, "webhook", err);
  if (r) return r;
  if (!json_is_object(o)) r = bw_error_set(err, BW_EINVAL, "webhook: a JSON object is expected");
  snprintf(w->kind, sizeof w->kind, "http");
  w->enabled = true;
  if (!r) r = set_str(w->ns, sizeof w->ns, json_object_get(o, "namespace"), "namespace", err);
  if (!r) r = set_str(w->kind, sizeof w->kind, json_object_get(o, "kind"), "kind", err);
  if (!r) r = set_str(w->url, sizeof w->url, json_object_get(o, "url"), "url", err);
  if (!r) r = set_str(w->secret, sizeof w->secret, json_object_get(o, "secret"), "secret", err);
  if (!r) r = set_str(w->ca_file, sizeof w->ca_file, json_object_get(o, "ca_file"), "ca_file", err);
  if (!r && !bw_auth_name_valid(w->ns)) r = bw_error_set(err, BW_EINVAL, "namespace: \"%s\" is not a valid name", w->ns);
  if (!r && strcmp(w->kind, "http") && strcmp(w->kind, "dingtalk") && strcmp(w->kind, "slack"))
    r = bw_error_set(err, BW_EINVAL, "kind must be http, dingtalk or slack");
  if (!r && strncmp(w->url, "http://", 7) && strncmp(w->url, "https://", 8))
    r = bw_error_set(err, BW_EINVAL, "url must start with http:// or https://");
  if (!r && strpbrk(w->url, " \r\n\t")) r = bw_error_set(err, BW_EINVAL, "url must not contain spaces");
  json_t *sev = json_object_get(o, "min_severity");
  if (!r && sev && !json_is_null(sev)) {
    w->min_severity = json_is_string(sev) ? bw_notify_sev_parse(json_string_value(sev)) : -1;
    if (w->min_severity < 0) r = bw_error_set(err, BW_EINVAL, "min_severity must be LOW, MEDIUM, HIGH or CRITICAL");
  }
  json_t *ev = json_object_get(o, "events");
  if (!r && ev && !json_is_null(ev)) {
    size_t i, off = 0;
    json_t *t;
    if (!json_is_array(ev)) r = bw_error_set(err, BW_EINVAL, "events must be an array of event types");
    json_array_foreach(ev, i, t) {
      if (r) break;
      const char *s = json_string_value(t);
      if (!s || !*s || strpbrk(s, ", ") || off + strlen(s) + 2 > sizeof w->events)
        r = bw_error_set(err, BW_EINVAL, "events: bad or too many event types");
      else
        off += (size_t)snprintf(w->events + off, sizeof w->events - off, "%s%s", off ? "," : "", s);
    }
  }
  json_t *h = json_object_get(o, "headers");
  if (!r && h && !json_is_null(h)) {
    const char *k;
    json_t *v;
    if (!json_is_object(h)) r = bw_error_set(err, BW_EINVAL, "headers must be an object of strings");
    json_object_foreach(h, k, v) {
      if (r) break;
      if (!*k || strpbrk(k, "\r\n: ") || !json_is_string(v) || strpbrk(json_string_value(v), "\r\n"))
        r = bw_error_set(err, BW_EINVAL, "headers: bad header %s", k);
    }
    char *s = r ? NULL : json_dumps(h, JSON_COMPACT);
    if (s && strlen(s) >= sizeof w->headers) r = bw_error_set(err, BW_ELIMIT, "headers too long");
    if (s && !r) snprintf(w->headers, sizeof w->headers, "%s", s);
    free(s);
  }
  json_t *op = json_object_get(o, "options");
  if (!r && op && !json_is_null(op)) {
    char *s = json_is_object(op) ? json_dumps(op, JSON_COMPACT) : NULL;
    if (!s) r = bw_error_set(err, BW_EINVAL, "options must be an object");
    else if (strlen(s) >= sizeof w->options) r = bw_error_set(err, BW_ELIMIT, "options too long");
    else snprintf(w->options, sizeof w->options, "%s", s);
    free(s);
  }
  json_t *en = json_object_get(o, "enabled");
  if (!r && en && !json_is_null(en)) {
    if (!json_is_boolean(en)) r = bw_error_set(err, BW_EINVAL, "enabled must be true or false");
    w->enabled = json_is_true(en);
  }
  json_decref(o);
  return r;
}

static json_t *webhook_json(const bw_webhook *w, const int64_t counts[3]) {
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:s, s:s?, s:b, s:I}", "id", (json_int_t)w->id, "namespace", w->ns,
                        "kind", w->kind, "url", w->url, "signed", *w->secret != 0, "min_severity",
                        bw_notify_sev_name(w->min_severity), "ca_file", *w->ca_file ? w->ca_file : NULL, "enabled",
                        w->enabled, "created_at", (json_int_t)w->created_at);
  json_t *ev = json_array();
  for (const char *p = w->events; *p;) {
    const char *e = strchr(p, ',');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    json_array_append_new(ev, json_stringn(p, l));
    p += l + (e ? 1 : 0);
  }
  json_object_set_new(o, "events", ev);
  json_object_set_new(o, "headers", *w->headers ? json_loads(w->headers, 0, NULL) : json_object());
  json_object_set_new(o, "options", *w->options ? json_loads(w->options, 0, NULL) : json_object());
  if (counts)
    json_object_set_new(o, "outbox", json_pack("{s:I, s:I, s:I}", "pending", (json_int_t)counts[0], "delivered",
                                               (json_int_t)counts[1], "dead", (json_int_t)counts[2]));
  return o;
}

char *bw_webhook_to_json(const bw_webhook *w, const int64_t counts[3]) {
  json_t *o = webhook_json(w, counts);
  char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return s;
}

typedef struct req {
  bw_notify_api_ctx *c;
  const bw_principal *p;
  int *status;
  char **json;
} req;

static int reply(req *r, int status, json_t *v) {
  *r->status = status;
  *r->json = v ? json_dumps(v, JSON_COMPACT) : strdup("{}");
  json_decref(v);
  return 0;
}

static int fail(req *r, int status, const char *code, const char *fmt, ...) BW_PRINTF(4, 5);
static int fail(req *r, int status, const char *code, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return reply(r, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

static int fail_err(req *r, const bw_error *e) {
  switch (e->code) {
  case BW_ENOTFOUND: return fail(r, 404, "NOT_FOUND", "%s", e->msg);
  case BW_EINVAL: return fail(r, 400, "INVALID", "%s", e->msg);
  case BW_ELIMIT: return fail(r, 400, "LIMIT", "%s", e->msg);
  case BW_ECONFLICT: return fail(r, 409, "CONFLICT", "%s", e->msg);
  default: return fail(r, 500, "INTERNAL", "internal error");
  }
}

/* Webhooks are managed by a namespace's admins and sysadmins, as users with credentials (a
 * registry token is scoped to repositories). */
static bool is_admin(req *r, const char *ns) {
  const bw_principal *p = r->p;
  if (p->kind != BW_PRINCIPAL_USER || p->token_scoped) return false;
  if (p->sysadmin) return true;
  bw_access_rec a;
  bw_error e = {0};
  if (bw_store_access_get(r->c->meta, p->id, ns, &a, &e)) return false;
  return a.user_found && !a.disabled && (a.sysadmin || (a.ns_found && a.role == BW_ROLE_ADMIN));
}

/* The namespace= value of query (without '?'), or "". */
static void query_ns(const char *q, char *out, size_t cap) {
  out[0] = '\0';
  for (const char *p = q; p && *p;) {
    const char *e = strchr(p, '&');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    if (l > 10 && !strncmp(p, "namespace=", 10)) snprintf(out, cap, "%.*s", (int)(l - 10), p + 10);
    p += l + (e ? 1 : 0);
  }
}

static int handle_id(req *r, const char *method, int64_t id, const char *rest) {
  bw_error e = {0};
  bw_webhook w;
  if (bw_webhook_get(r->c->meta, id, &w, &e)) return fail(r, 404, "NOT_FOUND", "webhook %lld not found", (long long)id);
  if (!is_admin(r, w.ns)) {
    if (r->p->kind == BW_PRINCIPAL_ANONYMOUS) return fail(r, 401, "UNAUTHORIZED", "authentication required");
    return fail(r, 404, "NOT_FOUND", "webhook %lld not found", (long long)id);
  }
  if (!*rest) {
    if (!strcmp(method, "GET")) {
      int64_t c[3];
      bw_notify_counts(r->c->meta, id, c, &e);
      return reply(r, 200, webhook_json(&w, c));
    }
    if (!strcmp(method, "DELETE")) {
      if (bw_webhook_rm(r->c->meta, id, &e)) return fail_err(r, &e);
      return reply(r, 200, json_pack("{s:I}", "deleted", (json_int_t)id));
    }
    return fail(r, 405, "METHOD_NOT_ALLOWED", "use GET or DELETE");
  }
  if (!strcmp(rest, "/test")) {
    if (strcmp(method, "POST")) return fail(r, 405, "METHOD_NOT_ALLOWED", "use POST");
    char *ev = bw_notify_sample_event(&w);
    if (!ev) return fail(r, 500, "INTERNAL", "out of memory");
    bw_delivery d;
    int ok = bw_notify_deliver(&w, 0, ev, r->c->base_url, NULL, NULL, &d);
    free(ev);
    return reply(r, 200, json_pack("{s:b, s:i, s:I, s:s}", "delivered", ok == 0, "status", d.status, "latency_ms",
                                   (json_int_t)d.latency_ms, "response", d.excerpt));
  }
  if (!strcmp(rest, "/deliveries")) {
    if (strcmp(method, "GET")) return fail(r, 405, "METHOD_NOT_ALLOWED", "use GET");
    bw_delivery *d = NULL;
    size_t n = 0;
    if (bw_notify_deliveries(r->c->meta, id, 100, &d, &n, &e)) return fail_err(r, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(arr, json_pack("{s:I, s:I, s:i, s:i, s:I, s:s, s:I}", "id", (json_int_t)d[i].id, "event",
                                           (json_int_t)d[i].event_id, "attempt", d[i].attempt, "status", d[i].status,
                                           "latency_ms", (json_int_t)d[i].latency_ms, "response", d[i].excerpt,
                                           "at", (json_int_t)d[i].at));
    free(d);
    return reply(r, 200, arr);
  }
  return fail(r, 404, "NOT_FOUND", "no such webhook resource");
}

int bw_notify_api(void *ctx, const bw_principal *p, const char *method, const char *path, const char *query,
                  const char *body, size_t body_len, int *status, char **json, bw_error *err) {
  (void)err;
  if (strcmp(path, "/webhooks") && strncmp(path, "/webhooks/", 10)) return -BW_ENOTFOUND;
  req r = {.c = ctx, .p = p, .status = status, .json = json};
  bw_error e = {0};
  if (p->kind == BW_PRINCIPAL_ANONYMOUS) return fail(&r, 401, "UNAUTHORIZED", "authentication required");
  if (!strcmp(path, "/webhooks")) {
    if (!strcmp(method, "POST")) {
      bw_webhook w;
      if (!body || bw_webhook_from_json(body, body_len, &w, &e)) {
        if (!body) return fail(&r, 400, "INVALID", "a JSON body is required");
        return fail_err(&r, &e);
      }
      if (!is_admin(&r, w.ns)) return fail(&r, 403, "DENIED", "only an admin of %s manages its webhooks", w.ns);
      if (bw_webhook_add(r.c->meta, &w, &e)) return fail_err(&r, &e);
      return reply(&r, 201, webhook_json(&w, NULL));
    }
    if (strcmp(method, "GET")) return fail(&r, 405, "METHOD_NOT_ALLOWED", "use GET or POST");
    char ns[256];
    query_ns(query, ns, sizeof ns);
    bw_webhook *list = NULL;
    size_t n = 0;
    if (bw_webhook_list(r.c->meta, *ns ? ns : NULL, &list, &n, &e)) return fail_err(&r, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
      if (is_admin(&r, list[i].ns)) json_array_append_new(arr, webhook_json(&list[i], NULL));
    free(list);
    return reply(&r, 200, arr);
  }
  const char *s = path + 10;
  char *end = NULL;
  long long id = strtoll(s, &end, 10);
  if (end == s || id <= 0 || (*end && *end != '/')) return fail(&r, 404, "NOT_FOUND", "no such webhook");
  return handle_id(&r, method, id, end);
}
