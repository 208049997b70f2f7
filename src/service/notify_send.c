/* Rendering, signing and sending one notification (service/notify.h). */
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/limits.h"
#include "service/notify.h"

void bw_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[32]) {
  unsigned int len = 32;
  static const unsigned char empty[1];
  HMAC(EVP_sha256(), klen ? key : empty, (int)klen, mlen ? msg : empty, mlen, out, &len);
}

void bw_notify_signature(const char *secret, int64_t ts, const char *body, size_t blen, char *out, size_t cap) {
  char tsbuf[32];
  int tl = snprintf(tsbuf, sizeof tsbuf, "%lld.", (long long)ts);
  unsigned char mac[32];
  /* HMAC over "<ts>.<body>" (the one-shot HMAC(): HMAC_CTX is deprecated in OpenSSL 3) */
  char *msg = malloc((size_t)tl + blen + 1);
  if (!msg) {
    snprintf(out, cap, "t=%lld", (long long)ts);
    return;
  }
  memcpy(msg, tsbuf, (size_t)tl);
  memcpy(msg + tl, body, blen);
  bw_hmac_sha256(secret, strlen(secret), msg, (size_t)tl + blen, mac);
  free(msg);
  char hex[65];
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  snprintf(out, cap, "t=%lld, v1=%s", (long long)ts, hex);
}

static void url_encode(const char *in, char *out, size_t cap) {
  static const char hexd[] = "0123456789ABCDEF";
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < cap; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
        *p == '.' || *p == '~') {
      out[o++] = (char)*p;
    } else {
      out[o++] = '%', out[o++] = hexd[*p >> 4], out[o++] = hexd[*p & 15];
    }
  }
  out[o] = '\0';
}

void bw_notify_dingtalk_sign(const char *secret, int64_t ts_ms, char *out, size_t cap) {
  char msg[512];
  snprintf(msg, sizeof msg, "%lld\n%s", (long long)ts_ms, secret);
  unsigned char mac[32], b64[64];
  bw_hmac_sha256(secret, strlen(secret), msg, strlen(msg), mac);
  EVP_EncodeBlock(b64, mac, 32);
  url_encode((const char *)b64, out, cap);
}

int bw_notify_sev_parse(const char *s) {
  static const char *const names[] = {"NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
  if (!s || !*s) return 0;
  for (int i = 0; i < 5; i++)
    if (!strcasecmp(s, names[i])) return i;
  return -1;
}

const char *bw_notify_sev_name(int sev) {
  static const char *const names[] = {"NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
  return sev >= 0 && sev < 5 ? names[sev] : "NONE";
}

static const char *jstr(json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

/* "#### title\n" markdown for DingTalk / text for Slack. */
static char *message_text(json_t *ev, bool markdown, const char *keyword, const char *base_url, char *title,
                          size_t tcap) {
  const char *type = jstr(ev, "type"), *repo = jstr(ev, "repository"), *tag = jstr(ev, "tag"),
             *digest = jstr(ev, "digest");
  snprintf(title, tcap, "%s%s%s %s%s%s", keyword && *keyword ? keyword : "", keyword && *keyword ? " " : "", type,
           repo, *tag ? ":" : "", tag);
  json_t *data = json_object_get(ev, "data");
  json_t *summary = json_object_get(data, "summary");
  json_t *vulns = json_object_get(summary, "vulnerabilities");
  char counts[256] = "";
  if (json_is_object(vulns)) {
    snprintf(counts, sizeof counts, "CRITICAL %lld, HIGH %lld, MEDIUM %lld, LOW %lld, UNKNOWN %lld",
             (long long)json_integer_value(json_object_get(vulns, "CRITICAL")),
             (long long)json_integer_value(json_object_get(vulns, "HIGH")),
             (long long)json_integer_value(json_object_get(vulns, "MEDIUM")),
             (long long)json_integer_value(json_object_get(vulns, "LOW")),
             (long long)json_integer_value(json_object_get(vulns, "UNKNOWN")));
  }
  char top[1024] = "";
  json_t *findings = json_object_get(data, "top_findings");
  size_t i;
  json_t *f;
  size_t off = 0;
  json_array_foreach(findings, i, f) {
    if (i >= 5 || off >= sizeof top - 1) break;
    int w = snprintf(top + off, sizeof top - off, "%s %s %s %s\n", markdown ? "-" : "•", jstr(f, "severity"),
                     jstr(f, "id"), jstr(f, "package"));
    if (w > 0) off += (size_t)w;
  }
  const char *link = jstr(data, "report_url");
  char linkbuf[1024] = "";
  if (!*link && base_url && *base_url && *digest)
    snprintf(linkbuf, sizeof linkbuf, "%s/v2/%s/manifests/%s", base_url, repo, digest), link = linkbuf;
  char *out = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&out, &len);
  if (!fp) return NULL;
  if (markdown) {
    fprintf(fp, "#### %s\n\n", title);
    fprintf(fp, "- repository: %s\n- tag: %s\n- digest: %s\n- actor: %s\n- time: %s\n", repo, *tag ? tag : "-",
            *digest ? digest : "-", *jstr(ev, "actor") ? jstr(ev, "actor") : "-", jstr(ev, "time"));
    if (*counts) fprintf(fp, "- severity counts: %s\n", counts);
    if (*jstr(summary, "risk")) fprintf(fp, "- risk: **%s**\n", jstr(summary, "risk"));
    if (*top) fprintf(fp, "\n**Top findings**\n\n%s", top);
    if (*link) fprintf(fp, "\n[details](%s)\n", link);
  } else {
    fprintf(fp, "*%s*\n%s%s%s by %s at %s\n", title, repo, *digest ? "@" : "", digest,
            *jstr(ev, "actor") ? jstr(ev, "actor") : "-", jstr(ev, "time"));
    if (*counts) fprintf(fp, "severity counts: %s\n", counts);
    if (*top) fprintf(fp, "%s", top);
    if (*link) fprintf(fp, "<%s|details>\n", link);
  }
  fclose(fp);
  return out;
}

int bw_notify_render(const bw_webhook *w, const char *event_json, int64_t now_ms, const char *base_url, char **body,
                     char **url, const char **content_type, bw_error *err) {
  *body = NULL, *url = NULL, *content_type = "application/json";
  json_t *ev = NULL, *opts = NULL;
  int r = bw_json_parse(&ev, event_json, strlen(event_json), BW_LIMIT_NOTIFY_PAYLOAD_BYTES, "event", err);
  if (r) return r;
  if (*w->options) {
    json_error_t je;
    opts = json_loads(w->options, 0, &je);
  }
  json_t *out = NULL;
  char delivery[64];
  snprintf(delivery, sizeof delivery, "%lld-%lld", (long long)json_integer_value(json_object_get(ev, "id")),
           (long long)w->id);
  if (!strcmp(w->kind, "dingtalk") || !strcmp(w->kind, "slack")) {
    bool ding = !strcmp(w->kind, "dingtalk");
    char title[512];
    char *text = message_text(ev, ding, jstr(opts, "keyword"), base_url, title, sizeof title);
    if (!text) {
      r = bw_error_set(err, BW_ENOMEM, "out of memory");
    } else if (ding) {
      json_t *mob = json_object_get(opts, "at_mobiles");
      out = json_pack("{s:s, s:{s:s, s:s}, s:{s:O, s:b}}", "msgtype", "markdown", "markdown", "title", title, "text",
                      text, "at", "atMobiles", json_is_array(mob) ? mob : json_array(), "isAtAll",
                      json_is_true(json_object_get(opts, "at_all")));
      if (!json_is_array(mob)) { /* the json_array() above was borrowed by O: drop our reference */
        json_t *a = json_object_get(json_object_get(out, "at"), "atMobiles");
        json_decref(a);
      }
    } else {
      out = json_pack("{s:s}", "text", text);
    }
    free(text);
  } else if (json_is_true(json_object_get(opts, "cloudevents"))) {
    char src[512], ctype[96], subject[600];
    snprintf(src, sizeof src, "/bulwark/%s", jstr(ev, "namespace"));
    snprintf(ctype, sizeof ctype, "io.bulwark.%s", jstr(ev, "type"));
    snprintf(subject, sizeof subject, "%s%s%s", jstr(ev, "repository"), *jstr(ev, "digest") ? "@" : "",
             jstr(ev, "digest"));
    out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "specversion", "1.0", "id", delivery, "source", src,
                    "type", ctype, "time", jstr(ev, "time"), "subject", subject, "datacontenttype",
                    "application/json", "data", ev);
    *content_type = "application/cloudevents+json";
  } else {
    out = json_pack("{s:s, s:s, s:O}", "schema", "bulwark.event/v1", "delivery", delivery, "event", ev);
  }
  if (!r && !out) r = bw_error_set(err, BW_ENOMEM, "cannot render the notification");
  if (!r && !(*body = json_dumps(out, JSON_COMPACT))) r = bw_error_set(err, BW_ENOMEM, "out of memory");
  if (!r) {
    size_t cap = strlen(w->url) + 256;
    if (!(*url = malloc(cap))) {
      r = bw_error_set(err, BW_ENOMEM, "out of memory");
    } else if (!strcmp(w->kind, "dingtalk") && *w->secret) {
      char sign[192];
      bw_notify_dingtalk_sign(w->secret, now_ms, sign, sizeof sign);
      snprintf(*url, cap, "%s%ctimestamp=%lld&sign=%s", w->url, strchr(w->url, '?') ? '&' : '?', (long long)now_ms,
               sign);
    } else {
      snprintf(*url, cap, "%s", w->url);
    }
  }
  if (r) free(*body), free(*url), *body = NULL, *url = NULL;
  json_decref(out);
  json_decref(ev);
  json_decref(opts);
  return r;
}

typedef struct capture {
  char buf[512];
  size_t len;
} capture;

static size_t on_body(char *p, size_t sz, size_t n, void *ud) {
  capture *c = ud;
  size_t k = sz * n, room = sizeof c->buf - 1 - c->len;
  memcpy(c->buf + c->len, p, k < room ? k : room);
  c->len += k < room ? k : room;
  c->buf[c->len] = '\0';
  return sz * n; /* keep reading (and discarding) so the connection stays usable */
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
  (void)dt, (void)dn, (void)ut, (void)un;
  const atomic_bool *cancel = ud;
  return cancel && atomic_load(cancel) ? 1 : 0; /* non-zero aborts the transfer */
}

int bw_notify_deliver(const bw_webhook *w, int64_t event_id, const char *event_json, const char *base_url,
                      const atomic_bool *cancel, void *curl, bw_delivery *d) {
  memset(d, 0, sizeof *d);
  d->target_id = w->id, d->event_id = event_id;
  int64_t t0 = now_ms();
  d->at = t0 / 1000;
  bw_error err = {0};
  char *body = NULL, *url = NULL;
  const char *ctype = NULL;
  if (bw_notify_render(w, event_json, t0, base_url, &body, &url, &ctype, &err)) {
    snprintf(d->excerpt, sizeof d->excerpt, "render: %s", err.msg);
    return -1;
  }
  CURL *h = curl ? curl : curl_easy_init();
  if (curl) curl_easy_reset(h); /* keeps the connection cache: keep-alive to the same receiver */
  struct curl_slist *hdrs = NULL;
  char line[1024];
  snprintf(line, sizeof line, "Content-Type: %s", ctype);
  hdrs = curl_slist_append(hdrs, line);
  if (!strcmp(w->kind, "http")) {
    json_t *ev = json_loads(event_json, 0, NULL);
    snprintf(line, sizeof line, "X-Bulwark-Event: %s", jstr(ev, "type"));
    json_decref(ev);
    hdrs = curl_slist_append(hdrs, line);
    snprintf(line, sizeof line, "X-Bulwark-Delivery: %lld-%lld", (long long)event_id, (long long)w->id);
    hdrs = curl_slist_append(hdrs, line);
    if (*w->secret) {
      char sig[160];
      bw_notify_signature(w->secret, t0 / 1000, body, strlen(body), sig, sizeof sig);
      snprintf(line, sizeof line, "X-Bulwark-Signature: %s", sig);
      hdrs = curl_slist_append(hdrs, line);
    }
  }
  if (*w->headers) {
    json_t *hj = json_loads(w->headers, 0, NULL);
    const char *k;
    json_t *v;
    json_object_foreach(hj, k, v) {
      if (!json_is_string(v) || strpbrk(k, "\r\n:") || strpbrk(json_string_value(v), "\r\n")) continue;
      snprintf(line, sizeof line, "%s: %s", k, json_string_value(v));
      hdrs = curl_slist_append(hdrs, line);
    }
    json_decref(hj);
  }
  hdrs = curl_slist_append(hdrs, "Expect:");
  capture cap = {.len = 0};
  cap.buf[0] = '\0';
  int rc = -1;
  if (!h || !hdrs) {
    snprintf(d->excerpt, sizeof d->excerpt, "out of memory");
  } else {
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "bulwark-webhook/1");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &cap);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)cancel);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (*w->ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, w->ca_file);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    d->status = (int)status;
    if (cc != CURLE_OK) {
      snprintf(d->excerpt, sizeof d->excerpt, "%s", curl_easy_strerror(cc));
    } else {
      snprintf(d->excerpt, sizeof d->excerpt, "%s", cap.buf);
      rc = status >= 200 && status < 300 ? 0 : -1;
      if (!rc && !strcmp(w->kind, "dingtalk")) { /* DingTalk answers 200 with {"errcode":N} */
        json_t *resp = json_loads(cap.buf, 0, NULL);
        if (resp && json_integer_value(json_object_get(resp, "errcode")) != 0) rc = -1;
        json_decref(resp);
      }
    }
  }
  d->latency_ms = now_ms() - t0;
  curl_slist_free_all(hdrs);
  if (h && !curl) curl_easy_cleanup(h);
  free(body);
  free(url);
  return rc;
}

char *bw_notify_sample_event(const bw_webhook *w) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  char when[32], repo[300];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(repo, sizeof repo, "%s/sample", w->ns);
  json_t *ev = json_pack(
      "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:b, s:{s:{s:i, s:i, s:i, s:i, s:i}, s:s}, s:[{s:s, s:s, s:s}]}}",
      "id", (json_int_t)0, "type", "scan.completed", "time", when, "namespace", w->ns, "repository", repo, "tag",
      "test", "digest", "sha256:0000000000000000000000000000000000000000000000000000000000000000", "media_type",
      "application/vnd.oci.image.manifest.v1+json", "actor", "bulwark", "data", "test", 1, "summary",
      "vulnerabilities", "CRITICAL", 1, "HIGH", 2, "MEDIUM", 3, "LOW", 4, "UNKNOWN", 0, "risk", "CRITICAL",
      "top_findings", "id", "CVE-2024-0001", "severity", "CRITICAL", "package", "openssl");
  char *s = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
  json_decref(ev);
  return s;
}
