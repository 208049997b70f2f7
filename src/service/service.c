/* The scan service: rules -> jobs -> workers -> results, the event follower and the DB watcher. */
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/analyzer.h"
#include "base/log.h"
#include "malware/malware.h"
#include "service/service_internal.h"
#include "store/registry_meta.h"
#include "vuln/vulndb.h"

#define ACTOR "bulwark-scanner"

const char *bw_service_engine(void) { return BW_VERSION; }

unsigned bw_service_scanners_parse(const char *list) {
  unsigned mask = 0;
  const char *p = list;
  while (p && *p) {
    size_t n = strcspn(p, ",");
#define IS(w) (n == strlen(w) && !strncmp(p, w, n))
    if (IS("vuln")) mask |= BW_SCANNER_VULN;
    else if (IS("baseline") || IS("secret")) mask |= BW_SCANNER_BASELINE;
    else if (IS("malware")) mask |= BW_SCANNER_MALWARE;
    else if (IS("all")) mask |= BW_SCANNER_VULN | BW_SCANNER_BASELINE | BW_SCANNER_MALWARE;
    else return 0;
#undef IS
    p += n;
    if (*p == ',') p++;
  }
  return mask;
}

void bw_service_scanners_str(unsigned mask, char *out, size_t cap) {
  snprintf(out, cap, "%s%s%s%s%s", mask & BW_SCANNER_VULN ? "vuln" : "",
           (mask & BW_SCANNER_VULN) && (mask & (BW_SCANNER_BASELINE | BW_SCANNER_MALWARE)) ? "," : "",
           mask & BW_SCANNER_BASELINE ? "baseline" : "",
           (mask & BW_SCANNER_BASELINE) && (mask & BW_SCANNER_MALWARE) ? "," : "",
           mask & BW_SCANNER_MALWARE ? "malware" : "");
}

bool bw_service_globs_match(const char *globs, const char *s) {
  if (!globs || !*globs) return true;
  const char *p = globs;
  while (*p) {
    size_t n = strcspn(p, ",");
    char g[BW_SVC_GLOBS_MAX];
    snprintf(g, sizeof g, "%.*s", (int)n, p);
    if (n && fnmatch(g, s, 0) == 0) return true;
    p += n;
    if (*p == ',') p++;
  }
  return false;
}

/* The rule's namespace and repository globs (full name or the name inside the namespace). */
static bool repo_in_scope(const bw_svc_rule *r, const char *repo) {
  size_t nl = strlen(r->namespace_);
  if (strncmp(repo, r->namespace_, nl) || repo[nl] != '/') return false;
  return !r->repositories[0] || bw_service_globs_match(r->repositories, repo) ||
         bw_service_globs_match(r->repositories, repo + nl + 1);
}

const char *bw_service_regex_check(const char *re) {
  if (strlen(re) >= BW_SVC_REGEX_MAX) return "longer than 255 bytes";
  regex_t rx;
  if (regcomp(&rx, re, REG_EXTENDED) != 0) return "not a POSIX extended regular expression";
  regfree(&rx);
  return NULL;
}

/* A whole-string match: POSIX leftmost-longest makes the match at offset 0 the longest there is. */
static bool regex_whole(const char *re, const char *s) {
  regex_t rx;
  if (regcomp(&rx, re, REG_EXTENDED) != 0) return false;
  regmatch_t m[1];
  bool ok = regexec(&rx, s, 1, m, 0) == 0 && m[0].rm_so == 0 && (size_t)m[0].rm_eo == strlen(s);
  regfree(&rx);
  return ok;
}

bool bw_service_tag_matches(const bw_svc_rule *r, const char *tag) {
  if (r->tags[0] && !bw_service_globs_match(r->tags, tag)) return false;
  return !r->tag_regex[0] || regex_whole(r->tag_regex, tag);
}

bool bw_service_rule_covers(const bw_svc_rule *r, const char *repo, const char *tag) {
  if (!repo_in_scope(r, repo)) return false;
  if ((r->tags[0] || r->tag_regex[0]) && (!tag || !*tag || !bw_service_tag_matches(r, tag))) return false;
  return true;
}

void svc_wake(bw_service *s) {
  pthread_mutex_lock(&s->mu);
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->mu);
}

static bool is_image_manifest(const char *mt) {
  return !strcmp(mt, "application/vnd.oci.image.manifest.v1+json") ||
         !strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json");
}
static bool is_index(const char *mt) {
  return !strcmp(mt, "application/vnd.oci.image.index.v1+json") ||
         !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json");
}
static bool is_image_config(const char *at) {
  return !at[0] || !strcmp(at, "application/vnd.oci.image.config.v1+json") ||
         !strcmp(at, "application/vnd.docker.container.image.v1+json");
}

/* A current result: same engine, made with at least these scanners. */
static bool has_current_result(bw_service *s, const char *digest, unsigned scanners) {
  bw_svc_result r;
  bw_error e = {0};
  if (bw_svc_result_get(s->meta, digest, &r, NULL, NULL, NULL, NULL, NULL, &e) < 0) return false;
  return !strcmp(r.engine, bw_service_engine()) && (r.scanners & scanners) == scanners;
}

static int enqueue_one(bw_service *s, const char *repo, const char *tag, const char *digest, unsigned scanners,
                       bool force, size_t *queued, bw_error *err) {
  if (!force && has_current_result(s, digest, scanners)) {
    s->m.have_result++;
    return 0;
  }
  bool created = false;
  int rc = bw_svc_job_enqueue(s->meta, digest, repo, tag, scanners, bw_service_engine(), force, NULL, &created, err);
  if (!rc && created) {
    s->m.enqueued++;
    if (queued) (*queued)++;
    svc_wake(s);
  } else if (!rc) {
    s->m.have_job++;
  }
  return rc;
}

int bw_service_enqueue(bw_service *s, const char *repo, const char *tag, const char *digest, unsigned scanners,
                       bool force, size_t *queued, bw_error *err) {
  bw_reg_manifest mf;
  char *bytes = NULL;
  size_t len = 0;
  int rc = bw_reg_manifest_get(s->meta, repo, digest, &mf, &bytes, &len, err);
  if (rc < 0) return rc;
  if (is_image_manifest(mf.media_type)) {
    if (is_image_config(mf.artifact_type) && !mf.subject[0])
      rc = enqueue_one(s, repo, tag, digest, scanners, force, queued, err);
  } else if (is_index(mf.media_type)) {
    json_t *doc = json_loadb(bytes, len, 0, NULL);
    json_t *ms = json_object_get(doc, "manifests"), *e;
    size_t i;
    json_array_foreach(ms, i, e) {
      const char *d = json_string_value(json_object_get(e, "digest"));
      const char *mt = json_string_value(json_object_get(e, "mediaType"));
      if (!d || (mt && !is_image_manifest(mt)) || !bw_reg_manifest_exists(s->meta, repo, d)) continue;
      bw_reg_manifest child;
      if (bw_reg_manifest_get(s->meta, repo, d, &child, NULL, NULL, err) < 0) continue;
      if (!is_image_manifest(child.media_type) || !is_image_config(child.artifact_type)) continue;
      if ((rc = enqueue_one(s, repo, tag, d, scanners, force, queued, err)) < 0) break;
    }
    json_decref(doc);
  }
  free(bytes);
  return rc;
}

int bw_service_scan_rule(bw_service *s, const bw_svc_rule *r, bool force, size_t *queued, size_t *skipped,
                         bw_error *err) {
  *queued = 0, *skipped = 0;
  bw_reg_strlist repos = {0};
  int rc = bw_reg_repo_list(s->meta, r->namespace_, NULL, 0, &repos, err);
  if (rc < 0) return rc;
  for (size_t i = 0; !rc && i < repos.len; i++) {
    const char *repo = repos.items[i];
    if (!repo_in_scope(r, repo)) continue;
    if (r->tags[0] || r->tag_regex[0]) {
      bw_reg_strlist tags = {0};
      if ((rc = bw_reg_tag_list(s->meta, repo, NULL, 0, &tags, err)) < 0) break;
      for (size_t t = 0; !rc && t < tags.len; t++) {
        if (!bw_service_tag_matches(r, tags.items[t])) continue;
        bw_reg_manifest mf;
        if (bw_reg_manifest_get(s->meta, repo, tags.items[t], &mf, NULL, NULL, err) < 0) continue;
        size_t q0 = *queued;
        rc = bw_service_enqueue(s, repo, tags.items[t], mf.digest, r->scanners, force, queued, err);
        if (!rc && *queued == q0) (*skipped)++;
      }
      bw_reg_strlist_dispose(&tags);
    } else {
      bw_reg_manifest *mfs = NULL;
      size_t n = 0;
      if ((rc = bw_reg_manifest_list(s->meta, repo, &mfs, &n, err)) < 0) break;
      for (size_t k = 0; !rc && k < n; k++) {
        if (!is_image_manifest(mfs[k].media_type) || !is_image_config(mfs[k].artifact_type) || mfs[k].subject[0])
          continue;
        size_t q0 = *queued;
        rc = bw_service_enqueue(s, repo, "", mfs[k].digest, r->scanners, force, queued, err);
        if (!rc && *queued == q0) (*skipped)++;
      }
      free(mfs);
    }
  }
  bw_reg_strlist_dispose(&repos);
  return rc;
}

static void record_event(bw_service *s, const char *type, const bw_svc_job *j, json_t *data) {
  char *txt = data ? json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  bw_error e = {0};
  if (bw_reg_event_add_data(s->meta, type, j->repo, j->tag, j->digest, "", ACTOR, txt, NULL, &e) < 0)
    bw_warn("scan service: event %s for %s not recorded: %s", type, j->digest, e.msg);
  free(txt);
  json_decref(data);
}

/* Upper bounds of the scan duration histogram, seconds. */
static const double duration_bounds[SVC_DURATION_BUCKETS] = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

static void svc_metrics_scan(bw_service *s, const svc_report *rep, int64_t ms) {
  s->m.analyses++;
  s->m.layers_read += rep->layers_read;
  s->m.layers_cached += rep->layers_cached;
  s->m.duration_ms_sum += (unsigned long long)ms;
  size_t b = 0;
  while (b < SVC_DURATION_BUCKETS && (double)ms / 1000.0 > duration_bounds[b]) b++;
  s->m.duration_buckets[b]++;
}

void bw_service_metrics(void *ctx, bw_buf *out) {
  bw_service *s = ctx;
  int64_t counts[5];
  bw_error e = {0};
  if (bw_svc_job_counts(s->meta, counts, &e) == 0) {
    bw_buf_printf(out, NULL, "# HELP bulwark_scan_jobs Scan jobs in the queue's records, by state.\n"
                             "# TYPE bulwark_scan_jobs gauge\n");
    for (int i = 0; i < 5; i++)
      bw_buf_printf(out, NULL, "bulwark_scan_jobs{state=\"%s\"} %lld\n", bw_svc_job_state_name((bw_svc_job_state)i),
                    (long long)counts[i]);
  }
  svc_metrics *m = &s->m;
  bw_buf_printf(out, NULL,
                "# HELP bulwark_scan_enqueue_total Scan requests (push, scan now, API) by outcome: queued, or "
                "skipped because the digest has a current result or a job already.\n"
                "# TYPE bulwark_scan_enqueue_total counter\n"
                "bulwark_scan_enqueue_total{outcome=\"queued\"} %llu\n"
                "bulwark_scan_enqueue_total{outcome=\"have_result\"} %llu\n"
                "bulwark_scan_enqueue_total{outcome=\"have_job\"} %llu\n"
                "# HELP bulwark_scan_analyses_total Images analysed by the scan workers.\n"
                "# TYPE bulwark_scan_analyses_total counter\n"
                "bulwark_scan_analyses_total %llu\n"
                "# HELP bulwark_scan_failures_total Scan jobs that failed for good.\n"
                "# TYPE bulwark_scan_failures_total counter\n"
                "bulwark_scan_failures_total %llu\n"
                "# HELP bulwark_scan_retries_total Scan jobs put back in the queue after a transient failure.\n"
                "# TYPE bulwark_scan_retries_total counter\n"
                "bulwark_scan_retries_total %llu\n"
                "# HELP bulwark_scan_layers_total Layers of analysed images, by source: read from the blob, or "
                "the layer-record cache.\n"
                "# TYPE bulwark_scan_layers_total counter\n"
                "bulwark_scan_layers_total{source=\"blob\"} %llu\n"
                "bulwark_scan_layers_total{source=\"cache\"} %llu\n",
                (unsigned long long)m->enqueued, (unsigned long long)m->have_result, (unsigned long long)m->have_job,
                (unsigned long long)m->analyses, (unsigned long long)m->failures, (unsigned long long)m->retries,
                (unsigned long long)m->layers_read, (unsigned long long)m->layers_cached);
  bw_buf_printf(out, NULL, "# HELP bulwark_scan_duration_seconds Wall time of one image analysis.\n"
                           "# TYPE bulwark_scan_duration_seconds histogram\n");
  unsigned long long cum = 0;
  for (size_t b = 0; b <= SVC_DURATION_BUCKETS; b++) {
    cum += m->duration_buckets[b];
    if (b < SVC_DURATION_BUCKETS)
      bw_buf_printf(out, NULL, "bulwark_scan_duration_seconds_bucket{le=\"%g\"} %llu\n", duration_bounds[b], cum);
    else
      bw_buf_printf(out, NULL, "bulwark_scan_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
  }
  bw_buf_printf(out, NULL,
                "bulwark_scan_duration_seconds_sum %.3f\n"
                "bulwark_scan_duration_seconds_count %llu\n"
                "# HELP bulwark_scan_reevaluations_total Re-evaluation runs after advisory DB updates.\n"
                "# TYPE bulwark_scan_reevaluations_total counter\n"
                "bulwark_scan_reevaluations_total %llu\n"
                "# HELP bulwark_scan_reevaluated_results_total Stored results re-evaluated, by outcome.\n"
                "# TYPE bulwark_scan_reevaluated_results_total counter\n"
                "bulwark_scan_reevaluated_results_total{outcome=\"unchanged\"} %llu\n"
                "bulwark_scan_reevaluated_results_total{outcome=\"gained\"} %llu\n"
                "bulwark_scan_reevaluated_results_total{outcome=\"failed\"} %llu\n",
                (double)m->duration_ms_sum / 1000.0, cum, (unsigned long long)m->reeval_runs,
                (unsigned long long)(m->reeval_results - m->reeval_gained - m->reeval_failed),
                (unsigned long long)m->reeval_gained, (unsigned long long)m->reeval_failed);
}

int bw_service_run_one(bw_service *s, bw_error *err) {
  bw_svc_job j;
  int rc = bw_svc_job_claim(s->meta, &j, err);
  if (rc < 0) return rc;
  svc_report rep;
  bw_error e = {0};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  rc = svc_analyze(s, j.repo, j.digest, j.scanners, NULL, 0, &rep, &e);
  if (rc == 0) {
    /* referrers first: once the result is visible, so are they */
    bw_error re = {0};
    if (svc_attach_referrers(s, j.repo, j.digest, &rep, &re) < 0)
      bw_warn("scan service: referrers of %s@%s not attached: %s", j.repo, j.digest, re.msg);
    rc = svc_store_result(s, j.repo, j.digest, j.scanners, &rep, &e);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  int64_t ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  char scn[64];
  bw_service_scanners_str(j.scanners, scn, sizeof scn);
  if (rc == 0) {
    svc_metrics_scan(s, &rep, ms);
    bw_info("scan service: job %lld %s@%s done in %lld ms", (long long)j.id, j.repo, j.digest, (long long)ms);
    json_t *sum = json_deep_copy(json_object_get(rep.doc, "summary"));
    record_event(s, "scan.completed", &j,
                 json_pack("{s:I, s:s, s:o, s:I}", "job", (json_int_t)j.id, "scanners", scn,
                           "summary", sum ? sum : json_object(), "duration_ms", (json_int_t)ms));
    svc_report_dispose(&rep);
    if (bw_svc_job_finish(s->meta, j.id, NULL, 0, err) < 0) return -err->code;
    return 0;
  }
  bool transient = e.code == BW_EIO || e.code == BW_ENOMEM;
  if (transient && (unsigned)j.attempts < s->max_attempts) {
    int64_t delay = s->retry_base << (j.attempts - 1);
    bw_warn("scan service: job %lld %s: %s (attempt %d, retry in %lld s)", (long long)j.id, j.digest, e.msg,
            j.attempts, (long long)delay);
    s->m.retries++;
    return bw_svc_job_finish(s->meta, j.id, e.msg, bw_meta_now() + delay, err) < 0 ? -err->code : 0;
  }
  s->m.failures++;
  bw_warn("scan service: job %lld %s@%s failed: %s", (long long)j.id, j.repo, j.digest, e.msg);
  record_event(s, "scan.failed", &j,
               json_pack("{s:I, s:s, s:s, s:i}", "job", (json_int_t)j.id, "scanners", scn, "error", e.msg,
                         "attempts", j.attempts));
  return bw_svc_job_finish(s->meta, j.id, e.msg, 0, err) < 0 ? -err->code : 0;
}

/* ---- threads ---- */

static bool wait_for(bw_service *s, int64_t ms) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (ms % 1000) * 1000000;
  if (ts.tv_nsec >= 1000000000) ts.tv_sec++, ts.tv_nsec -= 1000000000;
  pthread_mutex_lock(&s->mu);
  if (!s->stop) pthread_cond_timedwait(&s->cond, &s->mu, &ts);
  bool stop = s->stop;
  pthread_mutex_unlock(&s->mu);
  return stop;
}

static bool stopping(bw_service *s) {
  pthread_mutex_lock(&s->mu);
  bool stop = s->stop;
  pthread_mutex_unlock(&s->mu);
  return stop;
}

static void *worker_main(void *arg) {
  bw_service *s = arg;
  while (!stopping(s)) {
    bw_error e = {0};
    int rc = bw_service_run_one(s, &e);
    if (rc == -BW_ENOTFOUND) {
      if (wait_for(s, 1000)) break;
    } else if (rc < 0) {
      bw_warn("scan service: %s", e.msg);
      if (wait_for(s, 1000)) break;
    }
  }
  return NULL;
}

static void follow_events(bw_service *s) {
  char buf[32];
  bw_error e = {0};
  int64_t cursor = 0;
  if (bw_svc_state_get(s->meta, "event_cursor", buf, sizeof buf, &e) == 0) cursor = strtoll(buf, NULL, 10);
  bw_reg_event *ev = NULL;
  size_t n = 0;
  if (bw_reg_events_since(s->meta, cursor, 500, &ev, &n, &e) < 0) {
    bw_warn("scan service: events: %s", e.msg);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (!strcmp(ev[i].type, "artifact.pushed")) {
      bw_svc_rule *rules = NULL;
      size_t nr = 0;
      unsigned scanners = 0;
      if (bw_svc_rule_list(s->meta, ev[i].namespace_, &rules, &nr, &e) == 0) {
        for (size_t k = 0; k < nr; k++)
          if (rules[k].on_push && bw_service_rule_covers(&rules[k], ev[i].repo, ev[i].tag))
            scanners |= rules[k].scanners;
        free(rules);
      }
      if (scanners && bw_service_enqueue(s, ev[i].repo, ev[i].tag, ev[i].digest, scanners, false, NULL, &e) < 0 &&
          e.code != BW_ENOTFOUND)
        bw_warn("scan service: enqueue %s@%s: %s", ev[i].repo, ev[i].digest, e.msg);
    }
    cursor = ev[i].id;
  }
  if (n) {
    snprintf(buf, sizeof buf, "%lld", (long long)cursor);
    if (bw_svc_state_set(s->meta, "event_cursor", buf, &e) < 0) bw_warn("scan service: cursor: %s", e.msg);
  }
  free(ev);
}

static void *follower_main(void *arg) {
  bw_service *s = arg;
  int64_t last_db_check = 0;
  while (!stopping(s)) {
    follow_events(s);
    int64_t now = bw_meta_now();
    if (now - last_db_check >= s->db_check_interval) {
      last_db_check = now;
      bw_service_reeval_stats st = {0};
      bw_error e = {0};
      if (bw_service_reevaluate(s, &st, &e) < 0) bw_warn("scan service: re-evaluation: %s", e.msg);
      else if (st.evaluated)
        bw_info("scan service: re-evaluated %zu results (%zu gained vulnerabilities, %zu failed)", st.evaluated,
                st.gained, st.failed);
    }
    if (wait_for(s, 200)) break;
  }
  return NULL;
}

/* ---- re-evaluation ---- */

static json_t *vuln_keys(const json_t *doc) {
  json_t *set = json_object();
  json_t *vs = json_object_get(doc, "vulnerabilities"), *v;
  size_t i;
  json_array_foreach(vs, i, v) {
    char key[1024];
    snprintf(key, sizeof key, "%s|%s", json_string_value(json_object_get(v, "id")) ?: "",
             json_string_value(json_object_get(v, "package")) ?: "");
    json_object_set_new(set, key, json_incref(json_object_get(v, "id")) ?: json_null());
  }
  return set;
}

int bw_service_reevaluate(bw_service *s, bw_service_reeval_stats *st, bw_error *err) {
  bw_service_reeval_stats local = {0};
  if (!st) st = &local;
  memset(st, 0, sizeof *st);
  char now_db[64] = "";
  bw_vulndb *db = NULL;
  bw_vulndb_info info = {0};
  bw_error e = {0};
  if (bw_vulndb_open(&db, s->db_path, false, &e) == 0 && bw_vulndb_info_get(db, &info, &e) == 0)
    snprintf(now_db, sizeof now_db, "%s", info.updated_at);
  bw_vulndb_close(db);
  if (!now_db[0]) return 0; /* no DB: nothing to re-evaluate against */
  pthread_mutex_lock(&s->reeval_mu);
  bw_reg_strlist digests = {0};
  int rc = bw_svc_result_digests(s->meta, &digests, err);
  for (size_t i = 0; !rc && i < digests.len; i++) {
    bw_svc_result res;
    char *config = NULL;
    size_t config_len = 0;
    bw_error ie = {0};
    if (bw_svc_result_get(s->meta, digests.items[i], &res, NULL, NULL, NULL, &config, &config_len, &ie) < 0) continue;
    if (!strcmp(res.db_updated_at, now_db) || !(res.scanners & BW_SCANNER_VULN) || !config) {
      free(config);
      continue;
    }
    json_t *old = NULL;
    bw_svc_result tmp;
    svc_report rep;
    st->evaluated++;
    if (svc_load_report(s, res.digest, &tmp, &old, &ie) < 0 ||
        svc_analyze(s, res.repo, res.digest, res.scanners, config, config_len, &rep, &ie) < 0) {
      bw_warn("scan service: re-evaluating %s: %s", res.digest, ie.msg);
      st->failed++;
      json_decref(old);
      free(config);
      continue;
    }
    json_t *before = vuln_keys(old), *after = vuln_keys(rep.doc);
    json_t *ids = json_array();
    const char *k;
    json_t *v;
    size_t gained = 0;
    json_object_foreach(after, k, v) {
      if (json_object_get(before, k)) continue;
      gained++;
      if (json_array_size(ids) < 20) json_array_append(ids, v);
    }
    if (svc_store_result(s, res.repo, res.digest, res.scanners, &rep, &ie) < 0) {
      bw_warn("scan service: storing re-evaluated %s: %s", res.digest, ie.msg);
      st->failed++;
    } else if (gained) {
      st->gained++;
      bw_svc_job j;
      memset(&j, 0, sizeof j);
      snprintf(j.repo, sizeof j.repo, "%s", res.repo);
      snprintf(j.digest, sizeof j.digest, "%s", res.digest);
      json_t *sum = json_deep_copy(json_object_get(rep.doc, "summary"));
      record_event(s, "scan.new_vulnerabilities", &j,
                   json_pack("{s:I, s:o, s:s, s:o}", "count", (json_int_t)gained, "ids", ids, "db_updated_at", now_db,
                             "summary", sum ? sum : json_object()));
      ids = NULL;
    }
    json_decref(ids);
    json_decref(before);
    json_decref(after);
    json_decref(old);
    svc_report_dispose(&rep);
    free(config);
  }
  bw_reg_strlist_dispose(&digests);
  s->m.reeval_runs++;
  s->m.reeval_results += st->evaluated;
  s->m.reeval_gained += st->gained;
  s->m.reeval_failed += st->failed;
  pthread_mutex_unlock(&s->reeval_mu);
  return rc;
}

/* ---- life cycle ---- */

int bw_service_new(bw_service **out, bw_meta *meta, bw_blobstore *blobs, bw_auth *auth, const bw_service_opts *opts,
                   bw_error *err) {
  bw_service *s = calloc(1, sizeof *s);
  if (!s) return bw_error_set(err, BW_ENOMEM, "out of memory");
  s->meta = meta;
  s->blobs = blobs;
  s->auth = auth;
  snprintf(s->data_dir, sizeof s->data_dir, "%s", opts->data_dir ? opts->data_dir : ".");
  if (opts->db_path)
    snprintf(s->db_path, sizeof s->db_path, "%s", opts->db_path);
  else
    snprintf(s->db_path, sizeof s->db_path, "%s/db.sqlite", s->data_dir);
  if (opts->cache_dir)
    snprintf(s->cache_dir, sizeof s->cache_dir, "%s", opts->cache_dir);
  else
    snprintf(s->cache_dir, sizeof s->cache_dir, "%s/cache", s->data_dir);
  s->workers = opts->workers;
  s->db_check_interval = opts->db_check_interval > 0 ? opts->db_check_interval : 60;
  s->max_attempts = opts->max_attempts ? opts->max_attempts : 3;
  s->retry_base = opts->retry_base > 0 ? opts->retry_base : 5;
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cond, NULL);
  pthread_mutex_init(&s->reeval_mu, NULL);
  pthread_mutex_init(&s->malware_mu, NULL);
  *out = s;
  return 0;
}

int bw_service_start(bw_service *s, bw_error *err) {
  int64_t n = 0;
  int rc = bw_svc_job_requeue_running(s->meta, &n, err);
  if (rc < 0) return rc;
  if (n) bw_info("scan service: %lld interrupted jobs back in the queue", (long long)n);
  char buf[32];
  bw_error e = {0};
  if (bw_svc_state_get(s->meta, "event_cursor", buf, sizeof buf, &e) == -BW_ENOTFOUND) {
    /* first start: follow from now on (older pushes are scanned with "scan now") */
    bw_reg_event *ev = NULL;
    size_t k = 0;
    int64_t last = 0;
    for (;;) {
      if ((rc = bw_reg_events_since(s->meta, last, 1000, &ev, &k, err)) < 0) return rc;
      if (k) last = ev[k - 1].id;
      free(ev);
      if (k < 1000) break;
    }
    snprintf(buf, sizeof buf, "%lld", (long long)last);
    if ((rc = bw_svc_state_set(s->meta, "event_cursor", buf, err)) < 0) return rc;
  }
  if (!(s->threads = calloc(s->workers + 1, sizeof *s->threads))) return bw_error_set(err, BW_ENOMEM, "out of memory");
  s->started = true;
  if (pthread_create(&s->threads[s->nthreads], NULL, follower_main, s) == 0) s->nthreads++;
  for (unsigned i = 0; i < s->workers; i++)
    if (pthread_create(&s->threads[s->nthreads], NULL, worker_main, s) == 0) s->nthreads++;
  if (s->nthreads != s->workers + 1) {
    bw_service_stop(s);
    return bw_error_set(err, BW_EIO, "cannot start the scan service threads");
  }
  return 0;
}

void bw_service_stop(bw_service *s) {
  if (!s || !s->started) return;
  pthread_mutex_lock(&s->mu);
  s->stop = true;
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->mu);
  for (size_t i = 0; i < s->nthreads; i++) pthread_join(s->threads[i], NULL);
  free(s->threads);
  s->threads = NULL;
  s->nthreads = 0;
  s->started = false;
}

void bw_service_free(bw_service *s) {
  if (!s) return;
  bw_service_stop(s);
  if (s->malware_ready) bw_malware_shutdown();
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cond);
  pthread_mutex_destroy(&s->reeval_mu);
  pthread_mutex_destroy(&s->malware_mu);
  free(s);
}
