/* The scan service's REST handler on untrusted requests: "METHOD\nPATH\nQUERY\nBODY" against a
 * scratch metadata store, as a system administrator (so every route's parsing is reached) and as
 * anonymous. Checks: every request is answered (0 and an HTTP status) or disowned (-BW_ENOTFOUND),
 * and every answer is a JSON document. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "service/service.h"
#include "store/meta.h"

static bw_meta *meta;
static bw_auth *auth;
static bw_service *svc;
static char dir[] = "/tmp/bw-service-fuzz-XXXXXX";

static void teardown(void) {
  bw_service_free(svc);
  bw_auth_free(auth);
  bw_meta_close(meta);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd)) return;
}

static void setup(void) {
  if (!mkdtemp(dir)) abort();
  atexit(teardown);
  char path[128], key[128];
  snprintf(path, sizeof path, "%s/meta.db", dir);
  snprintf(key, sizeof key, "%s/token.key", dir);
  bw_error err = {0};
  bw_service_opts o = {.data_dir = dir, .workers = 0};
  if (bw_meta_open(&meta, path, &err) < 0 || bw_auth_new(&auth, meta, key, "bulwark", "http://x/token", &err) < 0 ||
      bw_service_new(&svc, meta, NULL, auth, &o, &err) < 0)
    abort();
}

static void one(const bw_principal *p, const char *method, const char *path, const char *query, const char *body,
                size_t blen) {
  int status = 0;
  char *json = NULL;
  bw_error err = {0};
  int rc = bw_service_api(svc, p, method, path, query, body, blen, &status, &json, &err);
  if (rc == -BW_ENOTFOUND) {
    if (json) abort();
    return;
  }
  if (rc != 0 || status < 200 || status > 599 || !json) abort();
  json_t *doc = json_loads(json, 0, NULL);
  if (!doc) abort();
  json_decref(doc);
  free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!svc) setup();
  char *s = malloc(size + 1);
  if (!s) return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  char *f[4] = {s, "", "", ""};
  for (int i = 1; i < 4; i++) {
    char *nl = strchr(f[i - 1], '\n');
    if (!nl) break;
    *nl = '\0';
    f[i] = nl + 1;
  }
  size_t blen = strlen(f[3]);
  bw_principal admin = {.kind = BW_PRINCIPAL_USER, .name = "admin", .id = 1, .sysadmin = true};
  bw_principal anon = {.kind = BW_PRINCIPAL_ANONYMOUS};
  one(&admin, f[0], f[1], f[2], blen ? f[3] : NULL, blen);
  one(&anon, f[0], f[1], f[2], blen ? f[3] : NULL, blen);
  free(s);
  return 0;
}
