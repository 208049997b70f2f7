/* The scan service's REST API under /api/v1 (DESIGN.md §7): rules, jobs, repositories and tags
 * with their scan summary, reports by digest and tab, compare, events, and the OpenAPI document.
 * Reading a report needs pull on a repository that holds the digest; rules need namespace admin. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "auth/auth_store.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/strutil.h"
#include "service/service_internal.h"
#include "store/registry_meta.h"

typedef struct api_req {
  bw_service *s;
  const bw_principal *p;
  const char *method, *query;
  int *status;
  char **json;
} api_req;

static int reply(api_req *r, int status, json_t *doc) {
  *r->status = status;
  *r->json = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(doc);
  return 0;
}

BW_PRINTF(4, 5) static int fail(api_req *r, int status, const char *code, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return reply(r, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

static int fail_err(api_req *r, const bw_error *e) {
  switch (e->code) {
  case BW_ENOTFOUND: return fail(r, 404, "NOT_FOUND", "%s", e->msg);
  case BW_EINVAL: return fail(r, 400, "INVALID", "%s", e->msg);
  case BW_ECONFLICT: return fail(r, 409, "CONFLICT", "%s", e->msg);
  default: return fail(r, 500, "INTERNAL", "internal error");
  }
}

static int unauth_or_denied(api_req *r, const char *what) {
  if (r->p->kind == BW_PRINCIPAL_ANONYMOUS) return fail(r, 401, "UNAUTHORIZED", "log in to %s", what);
  return fail(r, 403, "DENIED", "you may not %s", what);
}

/* Query value of key, percent-decoded, into out; false when absent. */
static bool qget(const char *q, const char *key, char *out, size_t cap) {
  size_t kl = strlen(key);
  for (const char *p = q; p && *p;) {
    size_t n = strcspn(p, "&");
    if (n > kl && !strncmp(p, key, kl) && p[kl] == '=') {
      size_t o = 0;
      for (size_t i = kl + 1; i < n && o + 1 < cap; i++) {
        char c = p[i];
        if (c == '%' && i + 2 < n + 1 && isxdigit((unsigned char)p[i + 1]) && isxdigit((unsigned char)p[i + 2])) {
          char hex[3] = {p[i + 1], p[i + 2], 0};
          c = (char)strtol(hex, NULL, 16);
          i += 2;
        } else if (c == '+') {
          c = ' ';
        }
        out[o++] = c;
      }
      out[o] = '\0';
      return true;
    }
    if (n == kl && !strncmp(p, key, kl)) {
      out[0] = '\0';
      return true;
    }
    p += n;
    if (*p == '&') p++;
  }
  return false;
}

static bool can_pull(api_req *r, const char *repo) {
  return bw_auth_allowed(r->s->auth, r->p, repo, BW_ACT_PULL) & BW_ACT_PULL;
}

static bool ns_admin(api_req *r, const char *ns) {
  if (r->p->sysadmin) return true;
  if (r->p->kind != BW_PRINCIPAL_USER) return false;
  bw_access_rec a;
  bw_error e = {0};
  if (bw_store_access_get(r->s->meta, r->p->id, ns, &a, &e) < 0) return false;
  return a.user_found && !a.disabled && a.ns_found && a.role == BW_ROLE_ADMIN;
}

/* True when p may read digest's results: pull on some repository holding it. */
static bool can_read_digest(api_req *r, const char *digest) {
  bw_reg_strlist repos = {0};
  bw_error e = {0};
  if (bw_svc_digest_repos(r->s->meta, digest, &repos, &e) < 0) return false;
  bool ok = false;
  for (size_t i = 0; !ok && i < repos.len; i++) ok = can_pull(r, repos.items[i]);
  bw_reg_strlist_dispose(&repos);
  return ok;
}

static json_t *globs_json(const char *globs) {
  json_t *a = json_array();
  for (const char *p = globs; *p;) {
    size_t n = strcspn(p, ",");
    if (n) json_array_append_new(a, json_stringn(p, n));
    p += n;
    if (*p == ',') p++;
  }
  return a;
}

static json_t *scanners_json(unsigned mask) {
  char buf[64];
  bw_service_scanners_str(mask, buf, sizeof buf);
  return globs_json(buf);
}

static json_t *rule_json(const bw_svc_rule *rl) {
  return json_pack("{s:I, s:s, s:o, s:o, s:s, s:o, s:b, s:b, s:s, s:I}", "id", (json_int_t)rl->id, "namespace",
                   rl->namespace_, "repositories", globs_json(rl->repositories), "tags", globs_json(rl->tags),
                   "tag_regex", rl->tag_regex, "scanners", scanners_json(rl->scanners), "on_push", rl->on_push, "manual", rl->manual,
                   "created_by", rl->created_by, "created_at", (json_int_t)rl->created_at);
}

static json_t *job_json(const bw_svc_job *j) {
  return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:i, s:I, s:I, s:I}", "id", (json_int_t)j->id, "digest",
                   j->digest, "repository", j->repo, "tag", j->tag, "scanners", scanners_json(j->scanners), "engine",
                   j->engine, "state", bw_svc_job_state_name(j->state), "error", j->error, "attempts", j->attempts,
                   "created_at", (json_int_t)j->created_at, "started_at", (json_int_t)j->started_at, "finished_at",
                   (json_int_t)j->finished_at);
}

/* Joins a JSON array of strings into "a,b" (each checked by ok when non-NULL). */
static int join_strings(const json_t *arr, char *out, size_t cap, bool (*ok)(const char *)) {
  out[0] = '\0';
  if (!arr) return 0;
  if (!json_is_array(arr)) return -1;
  size_t i, o = 0;
  json_t *v;
  json_array_foreach(arr, i, v) {
    const char *s = json_string_value(v);
    if (!s || !*s || strchr(s, ',') || (ok && !ok(s))) return -1;
    int n = snprintf(out + o, cap - o, "%s%s", o ? "," : "", s);
    if (n < 0 || (size_t)n >= cap - o) return -1;
    o += (size_t)n;
  }
  return 0;
}

static bool glob_chars_ok(const char *s) {
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && !strchr("._-/*?[]!", *s)) return false;
  return true;
}

static int rules_post(api_req *r, const char *body, size_t len) {
  json_t *doc = NULL;
  bw_error e = {0};
  if (!body || bw_json_parse(&doc, body, len, BW_LIMIT_SERVICE_BODY_BYTES, "rule", &e) < 0)
    return fail(r, 400, "INVALID", "a rule is a JSON object: %s", body ? e.msg : "empty body");
  bw_svc_rule rl;
  memset(&rl, 0, sizeof rl);
  const char *ns = json_string_value(json_object_get(doc, "namespace"));
  int ret;
  char scn[256];
  if (!ns || !bw_auth_name_valid(ns)) {
    ret = fail(r, 400, "INVALID", "namespace: a namespace name is required");
  } else if (!ns_admin(r, ns)) {
    ret = unauth_or_denied(r, "manage the scan rules of this namespace");
  } else if (join_strings(json_object_get(doc, "repositories"), rl.repositories, sizeof rl.repositories,
                          glob_chars_ok) < 0 ||
             join_strings(json_object_get(doc, "tags"), rl.tags, sizeof rl.tags, glob_chars_ok) < 0) {
    ret = fail(r, 400, "INVALID", "repositories and tags are arrays of globs (letters, digits, ._-/*?[]!)");
  } else if (json_object_get(doc, "tag_regex") && !json_is_string(json_object_get(doc, "tag_regex"))) {
    ret = fail(r, 400, "INVALID", "tag_regex: a string (POSIX extended regex the whole tag must match)");
  } else if (json_string_value(json_object_get(doc, "tag_regex")) &&
             bw_service_regex_check(json_string_value(json_object_get(doc, "tag_regex")))) {
    ret = fail(r, 400, "INVALID", "tag_regex: %s", bw_service_regex_check(json_string_value(json_object_get(doc, "tag_regex"))));
  } else if (join_strings(json_object_get(doc, "scanners"), scn, sizeof scn, NULL) < 0 ||
             !(rl.scanners = scn[0] ? bw_service_scanners_parse(scn) : BW_SCANNER_VULN)) {
    ret = fail(r, 400, "INVALID", "scanners: an array of vuln, baseline, malware");
  } else {
    json_t *op = json_object_get(doc, "on_push"), *mn = json_object_get(doc, "manual");
    rl.on_push = op ? json_is_true(op) : true;
    rl.manual = mn ? json_is_true(mn) : true;
    snprintf(rl.namespace_, sizeof rl.namespace_, "%s", ns);
    snprintf(rl.tag_regex, sizeof rl.tag_regex, "%s", json_string_value(json_object_get(doc, "tag_regex")) ?: "");
    snprintf(rl.created_by, sizeof rl.created_by, "%s", r->p->name);
    if (bw_svc_rule_add(r->s->meta, &rl, &e) < 0)
      ret = fail_err(r, &e);
    else
      ret = reply(r, 201, rule_json(&rl));
  }
  json_decref(doc);
  return ret;
}

static int rules_api(api_req *r, const char *rest, const char *body, size_t len) {
  bw_error e = {0};
  if (!*rest) {
    if (!strcmp(r->method, "POST")) return rules_post(r, body, len);
    if (strcmp(r->method, "GET")) return fail(r, 405, "METHOD_NOT_ALLOWED", "use GET or POST");
    if (r->p->kind == BW_PRINCIPAL_ANONYMOUS) return unauth_or_denied(r, "list scan rules");
    char ns[BW_REG_NAME_MAX];
    bool has_ns = qget(r->query, "namespace", ns, sizeof ns);
    bw_svc_rule *rules = NULL;
    size_t n = 0;
    if (bw_svc_rule_list(r->s->meta, has_ns ? ns : NULL, &rules, &n, &e) < 0) return fail_err(r, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
      if (ns_admin(r, rules[i].namespace_)) json_array_append_new(arr, rule_json(&rules[i]));
    free(rules);
    return reply(r, 200, arr);
  }
  /* /{id} or /{id}/scan */
  char *end = NULL;
  long long id = strtoll(rest + 1, &end, 10);
  if (rest[0] != '/' || end == rest + 1 || id <= 0 || (*end && strcmp(end, "/scan")))
    return fail(r, 404, "NOT_FOUND", "no such path");
  bw_svc_rule rl;
  if (bw_svc_rule_get(r->s->meta, id, &rl, &e) < 0 || !ns_admin(r, rl.namespace_)) {
    if (r->p->kind == BW_PRINCIPAL_ANONYMOUS) return unauth_or_denied(r, "manage scan rules");
    return fail(r, 404, "NOT_FOUND", "rule %lld not found", id);
  }
  if (!*end) {
    if (strcmp(r->method, "DELETE") && strcmp(r->method, "GET"))
      return fail(r, 405, "METHOD_NOT_ALLOWED", "use GET or DELETE");
    if (!strcmp(r->method, "GET")) return reply(r, 200, rule_json(&rl));
    if (bw_svc_rule_delete(r->s->meta, id, &e) < 0) return fail_err(r, &e);
    return reply(r, 200, json_pack("{s:I}", "deleted", (json_int_t)id));
  }
  if (strcmp(r->method, "POST")) return fail(r, 405, "METHOD_NOT_ALLOWED", "use POST");
  if (!rl.manual) return fail(r, 409, "CONFLICT", "rule %lld is not a manual rule", id);
  char force[8] = "";
  qget(r->query, "force", force, sizeof force);
  size_t queued = 0, skipped = 0;
  if (bw_service_scan_rule(r->s, &rl, !strcmp(force, "1") || !strcmp(force, "true"), &queued, &skipped, &e) < 0)
    return fail_err(r, &e);
  return reply(r, 202, json_pack("{s:I, s:I, s:I}", "rule", (json_int_t)id, "queued", (json_int_t)queued, "skipped",
                                 (json_int_t)skipped));
}

static int jobs_api(api_req *r) {
  if (strcmp(r->method, "GET")) return fail(r, 405, "METHOD_NOT_ALLOWED", "use GET");
  char digest[BW_DIGEST_STR_LEN + 8] = "", state[32] = "", lim[16] = "";
  bool hd = qget(r->query, "digest", digest, sizeof digest);
  int st = -1;
  if (qget(r->query, "state", state, sizeof state) && (st = bw_svc_job_state_parse(state)) < 0)
    return fail(r, 400, "INVALID", "state: queued, running, done, failed or canceled");
  size_t max = 1000;
  uint64_t v;
  if (qget(r->query, "limit", lim, sizeof lim) && bw_parse_u64(lim, strlen(lim), &v) && v > 0 && v < 100000)
    max = (size_t)v;
  bw_svc_job *jobs = NULL;
  size_t n = 0;
  bw_error e = {0};
  if (bw_svc_job_list(r->s->meta, hd ? digest : NULL, st, max, &jobs, &n, &e) < 0) return fail_err(r, &e);
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    if (can_pull(r, jobs[i].repo)) json_array_append_new(arr, job_json(&jobs[i]));
  free(jobs);
  return reply(r, 200, arr);
}

/* POST /jobs/{id}/cancel: a queued job is canceled (push right on its repository). */
static int job_cancel_api(api_req *r, const char *rest) {
  char *end = NULL;
  long long id = strtoll(rest + 1, &end, 10);
  if (rest[0] != '/' || end == rest + 1 || id <= 0 || strcmp(end, "/cancel"))
    return fail(r, 404, "NOT_FOUND", "no such path");
  if (strcmp(r->method, "POST")) return fail(r, 405, "METHOD_NOT_ALLOWED", "use POST");
  bw_svc_job j;
  bw_error e = {0};
  if (bw_svc_job_get(r->s->meta, id, &j, &e) < 0 || !can_pull(r, j.repo)) {
    if (r->p->kind == BW_PRINCIPAL_ANONYMOUS) return unauth_or_denied(r, "cancel jobs");
    return fail(r, 404, "NOT_FOUND", "job %lld not found", id);
  }
  if (!(bw_auth_allowed(r->s->auth, r->p, j.repo, BW_ACT_PUSH) & BW_ACT_PUSH))
    return unauth_or_denied(r, "cancel scans of this repository");
  if (bw_svc_job_cancel(r->s->meta, id, &e) < 0)
    return fail(r, 409, "CONFLICT", "job %lld is %s: only a queued job can be canceled", id,
                bw_svc_job_state_name(j.state));
  if (bw_svc_job_get(r->s->meta, id, &j, &e) < 0) return fail_err(r, &e);
  return reply(r, 200, job_json(&j));
}

/* {status, summary} of one manifest digest. */
static json_t *scan_status(api_req *r, const char *digest) {
  bw_svc_result res;
  bw_error e = {0};
  if (bw_svc_result_get(r->s->meta, digest, &res, NULL, NULL, NULL, NULL, NULL, &e) == 0) {
    json_t *sum = json_loads(res.summary, 0, NULL);
    return json_pack("{s:s, s:o, s:s, s:s, s:I}", "status", "done", "summary", sum ? sum : json_object(), "engine",
                     res.engine, "db_updated_at", res.db_updated_at, "updated_at", (json_int_t)res.updated_at);
  }
  bw_svc_job *jobs = NULL;
  size_t n = 0;
  const char *state = "none";
  if (bw_svc_job_list(r->s->meta, digest, -1, 1, &jobs, &n, &e) == 0 && n) state = bw_svc_job_state_name(jobs[0].state);
  json_t *out = json_pack("{s:s, s:n}", "status", state, "summary");
  if (n && jobs[0].error[0]) json_object_set_new(out, "error", json_string(jobs[0].error));
  free(jobs);
  return out;
}

static int repositories_api(api_req *r, const char *rest) {
  if (strcmp(r->method, "GET")) return fail(r, 405, "METHOD_NOT_ALLOWED", "use GET");
  bw_error e = {0};
  if (!*rest) {
    char ns[BW_REG_NAME_MAX];
    bool has = qget(r->query, "namespace", ns, sizeof ns);
    bw_reg_strlist l = {0};
    if (bw_reg_repo_list(r->s->meta, has ? ns : NULL, NULL, 0, &l, &e) < 0) return fail_err(r, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < l.len; i++) {
      if (!can_pull(r, l.items[i])) continue;
      char nsb[BW_REG_NAME_MAX];
      snprintf(nsb, sizeof nsb, "%.*s", (int)strcspn(l.items[i], "/"), l.items[i]);
      json_array_append_new(arr, json_pack("{s:s, s:s}", "name", l.items[i], "namespace", nsb));
    }
    bw_reg_strlist_dispose(&l);
    return reply(r, 200, arr);
  }
  size_t n = strlen(rest);
  if (n < 6 || strcmp(rest + n - 5, "/tags")) return fail(r, 404, "NOT_FOUND", "no such path");
  char repo[BW_REG_NAME_MAX];
  snprintf(repo, sizeof repo, "%.*s", (int)(n - 6), rest + 1);
  if (!can_pull(r, repo)) {
    if (r->p->kind == BW_PRINCIPAL_ANONYMOUS) return unauth_or_denied(r, "read this repository");
    return fail(r, 404, "NOT_FOUND", "repository %s not found", repo);
  }
  bw_reg_strlist tags = {0};
  if (bw_reg_tag_list(r->s->meta, repo, NULL, 0, &tags, &e) < 0) return fail_err(r, &e);
  json_t *arr = json_array();
  for (size_t i = 0; i < tags.len; i++) {
    bw_reg_manifest mf;
    if (bw_reg_manifest_get(r->s->meta, repo, tags.items[i], &mf, NULL, NULL, &e) < 0) continue;
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I, s:o}", "tag", tags.items[i], "digest", mf.digest,
                                         "media_type", mf.media_type, "pushed_at", (json_int_t)mf.pushed_at, "scan",
                                         scan_status(r, mf.digest)));
  }
  bw_reg_strlist_dispose(&tags);
  return reply(r, 200, arr);
}

static bool sev_in(const char *list, const char *sev) {
  if (!list[0]) return true;
  for (const char *p = list; *p;) {
    size_t n = strcspn(p, ",");
    if (strlen(sev) == n && !strncasecmp(p, sev, n)) return true;
    p += n;
    if (*p == ',') p++;
  }
  return false;
}

static int reports_api(api_req *r, const char *rest) {
  if (strcmp(r->method, "GET")) return fail(r, 405, "METHOD_NOT_ALLOWED", "use GET");
  if (rest[0] != '/') return fail(r, 404, "NOT_FOUND", "no such path");
  char digest[BW_DIGEST_STR_LEN + 1];
  size_t dl = strcspn(rest + 1, "/");
  bw_error e = {0};
  if (dl != BW_DIGEST_STR_LEN) return fail(r, 400, "INVALID", "not a sha256 digest");
  snprintf(digest, sizeof digest, "%.*s", (int)dl, rest + 1);
  if (bw_digest_check(digest, &e) < 0) return fail(r, 400, "INVALID", "%s", e.msg);
  const char *tab = rest + 1 + dl;
  if (*tab == '/') tab++;
  if (*tab && strcmp(tab, "vulnerabilities") && strcmp(tab, "baseline") && strcmp(tab, "malware"))
    return fail(r, 404, "NOT_FOUND", "tabs: vulnerabilities, baseline, malware");
  if (!can_read_digest(r, digest)) {
    if (r->p->kind == BW_PRINCIPAL_ANONYMOUS) return unauth_or_denied(r, "read this report");
    return fail(r, 404, "NOT_FOUND", "no report for %s", digest);
  }
  bw_svc_result res;
  json_t *doc = NULL;
  if (svc_load_report(r->s, digest, &res, &doc, &e) < 0) return fail_err(r, &e);
  if (!*tab) return reply(r, 200, doc);
  char cls[16] = "", sev[128] = "", num[16];
  qget(r->query, "class", cls, sizeof cls);
  qget(r->query, "severity", sev, sizeof sev);
  if (cls[0] && strcmp(cls, "os") && strcmp(cls, "app")) {
    json_decref(doc);
    return fail(r, 400, "INVALID", "class: os or app");
  }
  uint64_t page = 1, per = 100;
  if (qget(r->query, "page", num, sizeof num) && (!bw_parse_u64(num, strlen(num), &page) || page == 0)) page = 0;
  if (qget(r->query, "per_page", num, sizeof num) &&
      (!bw_parse_u64(num, strlen(num), &per) || per == 0 || per > BW_LIMIT_SERVICE_PER_PAGE))
    per = 0;
  if (!page || !per) {
    json_decref(doc);
    return fail(r, 400, "INVALID", "page >= 1, per_page 1..%d", BW_LIMIT_SERVICE_PER_PAGE);
  }
  json_t *all = json_object_get(doc, tab), *f, *items = json_array();
  size_t i, total = 0;
  json_array_foreach(all, i, f) {
    const char *fs = json_string_value(json_object_get(f, "severity"));
    const char *fc = json_string_value(json_object_get(f, "class"));
    if (cls[0] && (!fc || strcmp(fc, cls))) continue;
    if (!sev_in(sev, fs ? fs : "")) continue;
    if (total >= (page - 1) * per && total < page * per) json_array_append(items, f);
    total++;
  }
  json_t *out = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}", "digest", digest, "tab", tab, "total", (json_int_t)total,
                          "page", (json_int_t)page, "per_page", (json_int_t)per, "items", items);
  json_decref(doc);
  return reply(r, 200, out);
}

static int compare_api(api_req *r) {
  if (strcmp(r->method, "GET")) return fail(r, 405, "METHOD_NOT_ALLOWED", "use GET");
  char from[BW_DIGEST_STR_LEN + 8] = "", to[BW_DIGEST_STR_LEN + 8] = "";
  if (!qget(r->query, "from", from, sizeof from) || !qget(r->query, "to", to, sizeof to))
    return fail(r, 400, "INVALID", "compare wants ?from=DIGEST&to=DIGEST");
  bw_error e = {0};
  if (bw_digest_check(from, &e) < 0 || bw_digest_check(to, &e) < 0) return fail(r, 400, "INVALID", "%s", e.msg);
  if (!can_read_digest(r, from) || !can_read_digest(r, to)) {
    if (r->p->kind == BW_PRINCIPAL_ANONYMOUS) return unauth_or_denied(r, "read these reports");
    return fail(r, 404, "NOT_FOUND", "no report for one of the digests");
  }
  bw_svc_result a, b;
  json_t *da = NULL, *db = NULL;
  if (svc_load_report(r->s, from, &a, &da, &e) < 0 || svc_load_report(r->s, to, &b, &db, &e) < 0) {
    json_decref(da);
    return fail_err(r, &e);
  }
  json_t *out = bw_service_compare(da, db);
  json_object_set_new(out, "from", json_string(from));
  json_object_set_new(out, "to", json_string(to));
  json_decref(da);
  json_decref(db);
  return reply(r, 200, out);
}

static int events_api(api_req *r) {
  if (strcmp(r->method, "GET")) return fail(r, 405, "METHOD_NOT_ALLOWED", "use GET");
  char num[32] = "";
  uint64_t since = 0;
  if (qget(r->query, "since", num, sizeof num) && !bw_parse_u64(num, strlen(num), &since))
    return fail(r, 400, "INVALID", "since: an event id");
  bw_reg_event *ev = NULL;
  size_t n = 0;
  bw_error e = {0};
  if (bw_reg_events_since(r->s->meta, (int64_t)since, 500, &ev, &n, &e) < 0) return fail_err(r, &e);
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++) {
    if (!can_pull(r, ev[i].repo)) continue;
    json_t *data = ev[i].data[0] ? json_loads(ev[i].data, 0, NULL) : NULL;
    json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "id", (json_int_t)ev[i].id,
                                         "type", ev[i].type, "namespace", ev[i].namespace_, "repository", ev[i].repo,
                                         "tag", ev[i].tag, "digest", ev[i].digest, "actor", ev[i].actor, "at",
                                         (json_int_t)ev[i].at, "data", data ? data : json_null()));
  }
  free(ev);
  return reply(r, 200, arr);
}

int bw_service_api(void *ctx, const bw_principal *p, const char *method, const char *path, const char *query,
                   const char *body, size_t body_len, int *status, char **json, bw_error *err) {
  (void)err;
  api_req r = {ctx, p, method, query ? query : "", status, json};
#define UNDER(prefix) (!strncmp(path, prefix, strlen(prefix)) && (path[strlen(prefix)] == '\0' || path[strlen(prefix)] == '/'))
  if (!strcmp(path, "/openapi.json")) {
    if (strcmp(method, "GET")) return fail(&r, 405, "METHOD_NOT_ALLOWED", "use GET");
    *status = 200;
    *json = strdup(bw_service_openapi_json);
    return *json ? 0 : -BW_ENOMEM;
  }
  if (UNDER("/rules")) return rules_api(&r, path + 6, body, body_len);
  if (UNDER("/jobs")) return path[5] ? job_cancel_api(&r, path + 5) : jobs_api(&r);
  if (UNDER("/repositories")) return repositories_api(&r, path + 13);
  if (UNDER("/reports")) return reports_api(&r, path + 8);
  if (!strcmp(path, "/compare")) return compare_api(&r);
  if (!strcmp(path, "/events")) return events_api(&r);
#undef UNDER
  return -BW_ENOTFOUND;
}
