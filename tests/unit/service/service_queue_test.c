/* The scan service's store part (rules, job queue, results, state) and its pure helpers (globs,
 * rule scope, scanners, compare). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyzer.h"
#include "service/service.h"
#include "store/service_meta.h"
#include "unit/test.h"

static char dir[256];
static const char *D1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
static const char *D2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

static bw_meta *open_meta(void) {
  char path[300];
  snprintf(path, sizeof path, "%s/meta.db", dir);
  bw_meta *m = NULL;
  bw_error err = {0};
  CHECK(bw_meta_open(&m, path, &err) == 0);
  return m;
}

static void test_queue(void) {
  bw_meta *m = open_meta();
  if (!m) return;
  bw_error err = {0};
  int64_t id1 = 0, id2 = 0, id3 = 0;
  bool created = false;
  /* two tags of one digest are one job */
  CHECK(bw_svc_job_enqueue(m, D1, "team/app", "1", BW_SCANNER_VULN, "1.0", false, &id1, &created, &err) == 0 && created);
  CHECK(bw_svc_job_enqueue(m, D1, "team/app", "2", BW_SCANNER_VULN, "1.0", false, &id2, &created, &err) == 0 && !created);
  CHECK(id1 == id2 && id1 > 0);
  /* another engine version or scanner set is another job */
  CHECK(bw_svc_job_enqueue(m, D1, "team/app", "1", BW_SCANNER_VULN, "1.1", false, &id3, &created, &err) == 0 && created);
  CHECK(id3 != id1);
  CHECK(bw_svc_job_enqueue(m, D2, "team/b", "", BW_SCANNER_VULN | BW_SCANNER_BASELINE, "1.0", false, NULL, &created,
                           &err) == 0 && created);
  int64_t counts[5];
  CHECK(bw_svc_job_counts(m, counts, &err) == 0 && counts[BW_JOB_QUEUED] == 3);

  /* claim order is FIFO; running, attempts 1 */
  bw_svc_job j;
  CHECK(bw_svc_job_claim(m, &j, &err) == 0 && j.id == id1 && j.state == BW_JOB_RUNNING && j.attempts == 1);
  CHECK_STR(j.tag, "1");
  CHECK(bw_svc_job_finish(m, j.id, NULL, 0, &err) == 0);
  CHECK(bw_svc_job_finish(m, j.id, NULL, 0, &err) == -BW_ENOTFOUND); /* not running any more */
  bw_error_clear(&err);
  CHECK(bw_svc_job_get(m, id1, &j, &err) == 0 && j.state == BW_JOB_DONE && j.finished_at > 0);

  /* a transient failure goes back to the queue, not before retry_at */
  CHECK(bw_svc_job_claim(m, &j, &err) == 0 && j.id == id3);
  CHECK(bw_svc_job_finish(m, j.id, "disk hiccup", bw_meta_now() + 3600, &err) == 0);
  CHECK(bw_svc_job_get(m, id3, &j, &err) == 0 && j.state == BW_JOB_QUEUED);
  CHECK_STR(j.error, "disk hiccup");
  CHECK(bw_svc_job_claim(m, &j, &err) == 0 && j.digest[7] == '2'); /* id3 waits: D2 comes first */
  int64_t running = j.id;
  CHECK(bw_svc_job_claim(m, &j, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);

  /* a crash leaves a job running: the next start puts it back */
  bw_meta_close(m);
  m = open_meta();
  if (!m) return;
  int64_t n = 0;
  CHECK(bw_svc_job_requeue_running(m, &n, &err) == 0 && n == 1);
  CHECK(bw_svc_job_get(m, running, &j, &err) == 0 && j.state == BW_JOB_QUEUED);
  CHECK(bw_svc_job_claim(m, &j, &err) == 0 && j.id == running && j.attempts == 2);
  CHECK(bw_svc_job_finish(m, j.id, "not an image", 0, &err) == 0);
  CHECK(bw_svc_job_get(m, running, &j, &err) == 0 && j.state == BW_JOB_FAILED);

  /* force re-queues a finished job; cancel */
  CHECK(bw_svc_job_enqueue(m, D1, "team/app", "1", BW_SCANNER_VULN, "1.0", true, &id2, &created, &err) == 0 && created);
  CHECK(id2 == id1);
  CHECK(bw_svc_job_cancel(m, id1, &err) == 0);
  CHECK(bw_svc_job_cancel(m, id1, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  bw_svc_job *list = NULL;
  size_t k = 0;
  CHECK(bw_svc_job_list(m, D1, BW_JOB_CANCELED, 0, &list, &k, &err) == 0 && k == 1);
  free(list);
  CHECK(bw_svc_job_list(m, NULL, -1, 0, &list, &k, &err) == 0 && k == 3);
  CHECK(k == 3 && list[0].id > list[2].id); /* newest first */
  free(list);
  CHECK(bw_svc_job_state_parse("failed") == BW_JOB_FAILED && bw_svc_job_state_parse("x") == -1);

  /* rules */
  bw_svc_rule r;
  memset(&r, 0, sizeof r);
  snprintf(r.namespace_, sizeof r.namespace_, "team");
  snprintf(r.tags, sizeof r.tags, "v*,latest");
  snprintf(r.tag_regex, sizeof r.tag_regex, "v[0-9]+");
  r.scanners = BW_SCANNER_VULN;
  r.on_push = true;
  CHECK(bw_svc_rule_add(m, &r, &err) == 0 && r.id > 0);
  bw_svc_rule *rules = NULL;
  CHECK(bw_svc_rule_list(m, "team", &rules, &k, &err) == 0 && k == 1);
  if (k) CHECK_STR(rules[0].tags, "v*,latest");
  if (k) CHECK_STR(rules[0].tag_regex, "v[0-9]+");
  free(rules);
  CHECK(bw_svc_rule_list(m, "other", &rules, &k, &err) == 0 && k == 0);
  free(rules);
  CHECK(bw_svc_rule_delete(m, r.id, &err) == 0);
  CHECK(bw_svc_rule_delete(m, r.id, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);

  /* results and state */
  bw_svc_result res;
  memset(&res, 0, sizeof res);
  snprintf(res.digest, sizeof res.digest, "%s", D1);
  snprintf(res.repo, sizeof res.repo, "team/app");
  snprintf(res.engine, sizeof res.engine, "1.0");
  snprintf(res.summary, sizeof res.summary, "{\"malware\":0}");
  res.scanners = BW_SCANNER_VULN;
  CHECK(bw_svc_result_put(m, &res, "{\"r\":1}", 7, false, "cfg", 3, &err) == 0);
  bw_svc_result got;
  char *rep = NULL, *cfg = NULL;
  size_t rl = 0, cl = 0;
  bool comp = true;
  CHECK(bw_svc_result_get(m, D1, &got, &rep, &rl, &comp, &cfg, &cl, &err) == 0 && !comp && rl == 7 && cl == 3);
  CHECK_STR(rep, "{\"r\":1}");
  CHECK_STR(cfg, "cfg");
  CHECK_STR(got.summary, "{\"malware\":0}");
  free(rep);
  free(cfg);
  CHECK(bw_svc_result_get(m, D2, &got, NULL, NULL, NULL, NULL, NULL, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  char v[32];
  CHECK(bw_svc_state_get(m, "event_cursor", v, sizeof v, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  CHECK(bw_svc_state_set(m, "event_cursor", "42", &err) == 0 && bw_svc_state_set(m, "event_cursor", "43", &err) == 0);
  CHECK(bw_svc_state_get(m, "event_cursor", v, sizeof v, &err) == 0);
  CHECK_STR(v, "43");

  /* event data */
  CHECK(bw_reg_event_add_data(m, "scan.completed", "team/app", "1", D1, "", "bulwark-scanner", "{\"job\":1}", NULL, &err) == 0);
  bw_reg_event *ev = NULL;
  CHECK(bw_reg_events_since(m, 0, 0, &ev, &k, &err) == 0 && k == 1);
  if (k) CHECK_STR(ev[0].data, "{\"job\":1}");
  free(ev);
  bw_meta_close(m);
}

static void test_helpers(void) {
  CHECK(bw_service_globs_match("", "anything"));
  CHECK(bw_service_globs_match("v*,latest", "latest") && bw_service_globs_match("v*,latest", "v1.2"));
  CHECK(!bw_service_globs_match("v*,latest", "1.0"));
  bw_svc_rule r;
  memset(&r, 0, sizeof r);
  snprintf(r.namespace_, sizeof r.namespace_, "team");
  CHECK(bw_service_rule_covers(&r, "team/app", "1") && bw_service_rule_covers(&r, "team/a/b", ""));
  CHECK(!bw_service_rule_covers(&r, "teams/app", "1") && !bw_service_rule_covers(&r, "other/team", "1"));
  snprintf(r.repositories, sizeof r.repositories, "app*");
  CHECK(bw_service_rule_covers(&r, "team/app2", "1") && !bw_service_rule_covers(&r, "team/web", "1"));
  snprintf(r.tags, sizeof r.tags, "v*");
  CHECK(bw_service_rule_covers(&r, "team/app", "v1") && !bw_service_rule_covers(&r, "team/app", "1"));
  CHECK(!bw_service_rule_covers(&r, "team/app", "")); /* a push by digest has no tag to match */
  /* a regex must match the whole tag, and with globs a tag must pass both */
  CHECK(bw_service_regex_check("v[0-9]+(\\.[0-9]+)*") == NULL && bw_service_regex_check("v[0-9") != NULL);
  snprintf(r.tag_regex, sizeof r.tag_regex, "v[0-9]+(\\.[0-9]+)*");
  CHECK(bw_service_rule_covers(&r, "team/app", "v1.2.3") && !bw_service_rule_covers(&r, "team/app", "v1.2-rc1"));
  CHECK(!bw_service_rule_covers(&r, "team/app", "xv1") && !bw_service_rule_covers(&r, "team/app", "vnext"));
  r.tags[0] = '\0';
  CHECK(bw_service_rule_covers(&r, "team/app", "v10") && !bw_service_rule_covers(&r, "team/app", "latest"));
  CHECK(!bw_service_rule_covers(&r, "team/app", ""));
  r.tag_regex[0] = '\0';
  CHECK(bw_service_scanners_parse("vuln,malware") == (BW_SCANNER_VULN | BW_SCANNER_MALWARE));
  CHECK(bw_service_scanners_parse("vuln,nope") == 0);
  char s[64];
  bw_service_scanners_str(BW_SCANNER_VULN | BW_SCANNER_BASELINE | BW_SCANNER_MALWARE, s, sizeof s);
  CHECK_STR(s, "vuln,baseline,malware");
  bw_service_scanners_str(BW_SCANNER_MALWARE, s, sizeof s);
  CHECK_STR(s, "malware");
}

static void test_compare(void) {
  json_t *from = json_loads("{\"vulnerabilities\":["
                            "{\"id\":\"CVE-1\",\"package\":\"openssl\"},{\"id\":\"CVE-1\",\"package\":\"libssl3\"},"
                            "{\"id\":\"CVE-2\",\"package\":\"zlib\"}],"
                            "\"baseline\":[{\"id\":\"root-user\",\"path\":\"\"}],\"malware\":[]}",
                            0, NULL);
  json_t *to = json_loads("{\"vulnerabilities\":["
                          "{\"id\":\"CVE-1\",\"package\":\"openssl\"},{\"id\":\"CVE-3\",\"package\":\"curl\"}],"
                          "\"baseline\":[{\"id\":\"root-user\",\"path\":\"\"}],"
                          "\"malware\":[{\"rule\":\"webshell\",\"path\":\"var/www/x.php\"}]}",
                          0, NULL);
  json_t *c = bw_service_compare(from, to);
  json_t *v = json_object_get(c, "vulnerabilities");
  CHECK(json_array_size(json_object_get(v, "fixed")) == 2); /* CVE-1 on libssl3, CVE-2 */
  CHECK(json_array_size(json_object_get(v, "new")) == 1);
  CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(v, "new"), 0), "id")), "CVE-3");
  CHECK(json_array_size(json_object_get(v, "unchanged")) == 1);
  json_t *b = json_object_get(c, "baseline");
  CHECK(json_array_size(json_object_get(b, "unchanged")) == 1 && json_array_size(json_object_get(b, "new")) == 0);
  json_t *mw = json_object_get(c, "malware");
  CHECK(json_array_size(json_object_get(mw, "new")) == 1 && json_array_size(json_object_get(mw, "fixed")) == 0);
  json_decref(c);
  /* a report without tabs compares as empty */
  json_t *empty = json_object();
  c = bw_service_compare(empty, to);
  CHECK(json_array_size(json_object_get(json_object_get(c, "vulnerabilities"), "new")) == 2);
  json_decref(c);
  json_decref(empty);
  json_decref(from);
  json_decref(to);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/bw-service-test-XXXXXX");
  if (!mkdtemp(dir)) return 1;
  test_queue();
  test_helpers();
  test_compare();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd)) return 1;
  return test_finish();
}
