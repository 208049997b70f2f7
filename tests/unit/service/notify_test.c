/* Notifications: HMAC-SHA256 (RFC 4231 vectors), the X-Bulwark-Signature and DingTalk signs,
 * rendering, target validation, and the store part (fan-out exactly once, order, states). */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/notify.h"
#include "store/notify_meta.h"
#include "store/registry_meta.h"
#include "unit/test.h"

static void hex(const unsigned char *p, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void test_hmac_rfc4231(void) {
  unsigned char k1[20], k3[20], d3[50], k4[25], d4[50], k6[131];
  memset(k1, 0x0b, sizeof k1);
  memset(k3, 0xaa, sizeof k3);
  memset(d3, 0xdd, sizeof d3);
  for (int i = 0; i < 25; i++) k4[i] = (unsigned char)(i + 1);
  memset(d4, 0xcd, sizeof d4);
  memset(k6, 0xaa, sizeof k6);
  const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
  const char *m7 = "This is a test using a larger than block-size key and a larger than block-size data. The key needs "
                   "to be hashed before being used by the HMAC algorithm.";
  struct {
    const void *k;
    size_t kl;
    const void *m;
    size_t ml;
    const char *want;
  } v[] = {
      {k1, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", 4, "what do ya want for nothing?", 28, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {k3, 20, d3, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {k4, 25, d4, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {k6, 131, m6, strlen(m6), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {k6, 131, m7, strlen(m7), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    unsigned char mac[32];
    char h[65];
    bw_hmac_sha256(v[i].k, v[i].kl, v[i].m, v[i].ml, mac);
    hex(mac, 32, h);
    CHECK_STR(h, v[i].want);
  }
}

static void test_signs(void) {
  /* expected values computed independently with Python's hmac/base64/urllib.parse.quote_plus */
  char out[256];
  bw_notify_signature("whsec", 1700000000, "{\"a\":1}", 7, out, sizeof out);
  CHECK_STR(out, "t=1700000000, v1=8ad37ba156048ae0e0a5533c75cdf26fee88b07f93cb57ee4c80adb053012032");
  bw_notify_dingtalk_sign("SEC0123456789abcdef", 1700000000123LL, out, sizeof out);
  CHECK_STR(out, "V9VP5gL2WDsEZvZQHnbd9k4n%2Bp56ibcLMh%2BWKMZRQas%3D");
}

static void test_render(void) {
  bw_webhook w;
  bw_error err = {0};
  const char *spec = "{\"namespace\":\"team\",\"kind\":\"dingtalk\",\"url\":\"http://127.0.0.1:1/robot/send?access_token=x\","
                     "\"secret\":\"SEC0123456789abcdef\",\"events\":[\"scan.*\"],\"min_severity\":\"high\","
                     "\"options\":{\"keyword\":\"bulwark\",\"at_mobiles\":[\"13800000000\"],\"at_all\":false}}";
  CHECK(bw_webhook_from_json(spec, strlen(spec), &w, &err) == 0);
  CHECK(w.min_severity == 3 && !strcmp(w.events, "scan.*") && !strcmp(w.kind, "dingtalk"));
  w.id = 7;
  char *ev = bw_notify_sample_event(&w), *body = NULL, *url = NULL;
  const char *ct = NULL;
  CHECK(ev && bw_notify_render(&w, ev, 1700000000123LL, "http://reg", &body, &url, &ct, &err) == 0);
  CHECK_STR(url, "http://127.0.0.1:1/robot/send?access_token=x&timestamp=1700000000123"
                 "&sign=V9VP5gL2WDsEZvZQHnbd9k4n%2Bp56ibcLMh%2BWKMZRQas%3D");
  json_t *j = body ? json_loads(body, 0, NULL) : NULL;
  CHECK_STR(json_string_value(json_object_get(j, "msgtype")), "markdown");
  const char *title = json_string_value(json_object_get(json_object_get(j, "markdown"), "title"));
  const char *text = json_string_value(json_object_get(json_object_get(j, "markdown"), "text"));
  CHECK(title && strstr(title, "bulwark") && strstr(title, "scan.completed"));
  CHECK(text && strstr(text, "CRITICAL 1, HIGH 2") && strstr(text, "CVE-2024-0001"));
  CHECK_STR(json_string_value(json_array_get(json_object_get(json_object_get(j, "at"), "atMobiles"), 0)), "13800000000");
  json_decref(j);
  free(body), free(url);
  /* generic http, CloudEvents */
  snprintf(w.kind, sizeof w.kind, "http");
  snprintf(w.options, sizeof w.options, "{\"cloudevents\":true}");
  CHECK(bw_notify_render(&w, ev, 1, NULL, &body, &url, &ct, &err) == 0);
  j = body ? json_loads(body, 0, NULL) : NULL;
  CHECK_STR(json_string_value(json_object_get(j, "specversion")), "1.0");
  CHECK_STR(json_string_value(json_object_get(j, "id")), "0-7");
  CHECK_STR(ct, "application/cloudevents+json");
  CHECK_STR(json_string_value(json_object_get(json_object_get(j, "data"), "type")), "scan.completed");
  json_decref(j);
  free(body), free(url), free(ev);
  /* validation */
  const char *bad[] = {"{\"namespace\":\"team\",\"url\":\"ftp://x\"}", "{\"namespace\":\"Bad NS\",\"url\":\"http://x\"}",
                       "{\"namespace\":\"team\",\"url\":\"http://x\",\"kind\":\"smtp\"}",
                       "{\"namespace\":\"team\",\"url\":\"http://x\",\"headers\":{\"X-A\":\"a\\r\\nB: c\"}}",
                       "{\"namespace\":\"team\",\"url\":\"http://x\",\"min_severity\":\"EXTREME\"}", "[1]", "{"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    bw_error_clear(&err);
    CHECK(bw_webhook_from_json(bad[i], strlen(bad[i]), &w, &err) != 0);
  }
}

static void test_store(void) {
  char dir[] = "/tmp/bw-notify-test.XXXXXX", path[300];
  if (!mkdtemp(dir)) return;
  snprintf(path, sizeof path, "%s/meta.db", dir);
  bw_meta *m = NULL;
  bw_error err = {0};
  CHECK(bw_meta_open(&m, path, &err) == 0);
  if (!m) return;
  int64_t e1 = 0, cursor = -1;
  CHECK(bw_reg_event_add(m, "artifact.pushed", "team/app", "1", "sha256:aa", "x", "admin", &e1, &err) == 0);
  CHECK(bw_notify_cursor_get(m, &cursor, &err) == 0 && cursor == e1); /* starts after existing events */
  bw_webhook a = {.enabled = true}, b = {.enabled = true};
  snprintf(a.ns, sizeof a.ns, "team"), snprintf(a.kind, sizeof a.kind, "http"), snprintf(a.url, sizeof a.url, "http://a");
  b = a;
  CHECK(bw_webhook_add(m, &a, &err) == 0 && bw_webhook_add(m, &b, &err) == 0 && a.id != b.id);
  bw_outbox_new rows[] = {{a.id, 10, "{\"id\":10}"}, {a.id, 11, "{\"id\":11}"}, {b.id, 10, "{\"id\":10}"}};
  CHECK(bw_notify_fanout(m, rows, 3, 11, &err) == 0);
  CHECK(bw_notify_fanout(m, rows, 3, 11, &err) == 0); /* a replay adds nothing */
  int64_t c[3];
  CHECK(bw_notify_counts(m, -1, c, &err) == 0 && c[0] == 3 && c[1] == 0);
  CHECK(bw_notify_cursor_get(m, &cursor, &err) == 0 && cursor == 11);
  int64_t ids[8];
  size_t n = 0;
  CHECK(bw_notify_due_targets(m, INT64_MAX, ids, 8, &n, &err) == 0 && n == 2);
  bw_outbox_row *pend = NULL;
  CHECK(bw_notify_pending(m, a.id, 10, &pend, &n, &err) == 0 && n == 2 && pend[0].event_id == 10 &&
        pend[1].event_id == 11);
  bw_delivery d = {.target_id = a.id, .event_id = 10, .attempt = 1, .status = 500, .latency_ms = 3, .at = 1};
  snprintf(d.excerpt, sizeof d.excerpt, "boom");
  /* a failed attempt pushes the head's next attempt into the future: the target is not due now */
  CHECK(pend && bw_notify_attempt(m, pend[0].id, BW_OUTBOX_PENDING, 1, INT64_MAX / 2, &d, &err) == 0);
  CHECK(bw_notify_due_targets(m, (int64_t)time(NULL) * 1000 + 60000, ids, 8, &n, &err) == 0 && n == 1 && ids[0] == b.id);
  d.status = 200, d.attempt = 2;
  CHECK(pend && bw_notify_attempt(m, pend[0].id, BW_OUTBOX_DELIVERED, 2, 0, &d, &err) == 0);
  bw_outbox_rows_free(pend, 2);
  CHECK(bw_notify_counts(m, a.id, c, &err) == 0 && c[0] == 1 && c[1] == 1);
  bw_delivery *log = NULL;
  CHECK(bw_notify_deliveries(m, a.id, 10, &log, &n, &err) == 0 && n == 2 && log[0].status == 200 &&
        log[1].status == 500 && !strcmp(log[1].excerpt, "boom"));
  free(log);
  char *data = (char *)1;
  CHECK(bw_notify_event_data(m, e1, &data, &err) == 0 && data == NULL); /* no data yet */
  /* the scan service's migration adds events.data (on older stores the column may be missing: the
   * notifier checks at run time); data written there is picked up */
  sqlite3 *raw = NULL;
  CHECK(sqlite3_open(path, &raw) == SQLITE_OK);
  sqlite3_exec(raw, "ALTER TABLE events ADD COLUMN data TEXT", NULL, NULL, NULL); /* fails when present */
  CHECK(sqlite3_exec(raw, "UPDATE events SET data='{\"summary\":{}}'", NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_close(raw);
  CHECK(bw_notify_event_data(m, e1, &data, &err) == 0 && data && !strcmp(data, "{\"summary\":{}}"));
  free(data);
  CHECK(bw_webhook_rm(m, a.id, &err) == 0 && bw_notify_counts(m, a.id, c, &err) == 0 && c[0] + c[1] + c[2] == 0);
  CHECK(bw_webhook_rm(m, a.id, &err) == -BW_ENOTFOUND);
  bw_meta_close(m);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
}

int main(void) {
  test_hmac_rfc4231();
  test_signs();
  test_render();
  test_store();
  return test_finish();
}
