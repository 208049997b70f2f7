/* Image config checks on real config JSON shapes (OCI image config as umoci/BuildKit/docker write
 * it) and the permission checks on recorded modes. */
#include <stdio.h>
#include <sys/stat.h>

#include "../test.h"
#include "memfs.h"
#include "vuln/vulndb.h"

static json_t *parse(const char *s) {
  json_error_t e;
  json_t *j = json_loads(s, 0, &e);
  if (!j) fprintf(stderr, "bad fixture JSON: %s\n", e.text);
  return j;
}

static void risky(void) {
  json_t *cfg = parse(
      "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"root\","
      "\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"DB_PASSWORD=hunter2-very-secret\","
      "\"POSTGRES_PASSWORD_FILE=/run/secrets/pg\",\"PWD=/app\",\"GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\","
      "\"DATABASE_URL=postgres://app:pa55word-xyz@db:5432/app\",\"GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\"],"
      "\"ExposedPorts\":{\"22/tcp\":{},\"8080/tcp\":{}},\"Labels\":{\"maintainer\":\"x\",\"com.example.api-key\":\"k-123456789\"}},"
      "\"history\":["
      "{\"created_by\":\"/bin/sh -c #(nop) ADD file:abc in / \"},"
      "{\"created_by\":\"ENV DB_PASSWORD=hunter2-very-secret\",\"empty_layer\":true},"
      "{\"created_by\":\"RUN |1 NPM_TOKEN=npm_secret_value_123 /bin/sh -c npm ci # buildkit\"},"
      "{\"created_by\":\"RUN /bin/sh -c apt-get update && apt-get install -y curl sudo # buildkit\"},"
      "{\"created_by\":\"RUN /bin/sh -c curl -fsSL -u deploy:CurlPass99 -H 'Authorization: Bearer tok-abcdef123' https://get.example.com/install.sh | sudo bash # buildkit\"},"
      "{\"created_by\":\"ADD https://example.com/app.tar.gz /opt/ # buildkit\"},"
      "{\"created_by\":\"RUN /bin/sh -c apk add python3 # buildkit\"},"
      "{\"created_by\":\"RUN /bin/sh -c apt-get install -y x && rm -rf /var/lib/apt/lists/* # buildkit\"}]}");
  CHECK(cfg != NULL);
  const char *layers[] = {"sha256:L0", NULL, "sha256:L2", "sha256:L3", "sha256:L4", "sha256:L5", "sha256:L6", "sha256:L7"};
  tsink t;
  tsink_init(&t);
  CHECK(bl_image_config(&t.s, cfg, layers, 8) == 0);
  dump(&t);
  CHECK(count_id(&t, "BW-IMG-001") == 1 && strstr(find_id(&t, "BW-IMG-001")->evidence, "USER root"));
  CHECK(count_id(&t, "BW-IMG-002") == 1);
  CHECK(count_id(&t, "BW-IMG-003") == 3); /* DB_PASSWORD, DATABASE_URL's password, GITHUB_TOKEN */
  CHECK(strstr(find_id(&t, "BW-IMG-003")->evidence, "DB_PASSWORD=hu****") != NULL);
  CHECK(count_id(&t, "BW-IMG-004") == 1);
  CHECK(count_id(&t, "BW-IMG-005") == 2); /* the NPM_TOKEN build arg, curl -u; the ENV step is the ENV finding */
  const bw_baseline_finding *f = find_id(&t, "BW-IMG-005");
  CHECK(f && f->layer && !strcmp(f->layer, "sha256:L2"));
  CHECK(count_id(&t, "BW-IMG-006") == 1 && !strcmp(find_id(&t, "BW-IMG-006")->layer, "sha256:L5"));
  CHECK(count_id(&t, "BW-IMG-007") == 1); /* "| sudo bash"; installing the sudo package is not using it */
  CHECK(count_id(&t, "BW-IMG-008") == 1 && !strcmp(find_id(&t, "BW-IMG-008")->layer, "sha256:L4"));
  CHECK(count_id(&t, "BW-IMG-009") == 2); /* apt-get without cleaning, apk add without --no-cache */
  CHECK(count_id(&t, "BW-IMG-010") == 1);
  const char *secrets[] = {"hunter2", "pa55word", "ghp_abcdef", "npm_secret", "k-123456789", "CurlPass99", "tok-abcdef"};
  for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) CHECK(nowhere(&t, secrets[i]));
  tsink_dispose(&t);
  json_decref(cfg);
}

static void benign(void) {
  /* the shape of the official python image's config: no USER, no HEALTHCHECK, nothing else */
  json_t *cfg = parse(
      "{\"config\":{\"Env\":[\"PATH=/usr/local/bin:/usr/bin\",\"LANG=C.UTF-8\","
      "\"GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\",\"PYTHON_VERSION=3.12.1\",\"PYTHON_SHA256=abc\","
      "\"SECRET_KEY_FILE=/run/secrets/key\",\"TOKEN_TTL=3600\",\"PASSWORD_MIN_LENGTH=12\"],"
      "\"Cmd\":[\"python3\"],\"User\":\"10001\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}},"
      "\"history\":[{\"created_by\":\"RUN /bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends "
      "ca-certificates; rm -rf /var/lib/apt/lists/* # buildkit\"},"
      "{\"created_by\":\"RUN /bin/sh -c apk add --no-cache bash # buildkit\"},"
      "{\"created_by\":\"RUN /bin/sh -c wget -O- https://x/key.asc | gpg --dearmor > k.gpg # buildkit\"}]}");
  tsink t;
  tsink_init(&t);
  CHECK(bl_image_config(&t.s, cfg, NULL, 0) == 0);
  CHECK(t.findings.len == 0);
  if (t.findings.len) dump(&t);
  tsink_dispose(&t);
  json_decref(cfg);
}

static void permissions(void) {
  bl_mode_entry e[] = {
      {"usr/bin/passwd", S_IFREG | 04755, 0, 0, "sha256:base"},
      {"usr/bin/chage", S_IFREG | 02755, 0, 42, "sha256:base"},
      {"usr/local/bin/sh", S_IFREG | 04755, 0, 0, "sha256:top"},
      {"usr/local/bin/passwd", S_IFREG | 04755, 0, 0, "sha256:top"}, /* known name, unusual place */
      {"opt/data", S_IFDIR | 0777, 0, 0, "sha256:top"},
      {"tmp/x", S_IFDIR | 0777, 0, 0, "sha256:top"},            /* scratch space */
      {"srv/shared", S_IFDIR | 01777, 0, 0, "sha256:top"},      /* sticky: not recorded, harmless */
      {"etc/app.conf", S_IFREG | 0666, 0, 0, "sha256:top"},
  };
  tsink t;
  tsink_init(&t);
  CHECK(bl_permissions(&t.s, e, sizeof e / sizeof e[0]) == 0);
  dump(&t);
  CHECK(count_id(&t, "BW-PRM-001") == 2);
  const bw_baseline_finding *f = find_id(&t, "BW-PRM-001");
  CHECK(f && !strcmp(f->path, "usr/local/bin/sh") && f->severity == BW_SEV_CRITICAL && !strcmp(f->layer, "sha256:top") &&
        strstr(f->evidence, "-rwsr-xr-x"));
  CHECK(count_id(&t, "BW-PRM-002") == 1 && !strcmp(find_id(&t, "BW-PRM-002")->path, "opt/data"));
  CHECK(count_id(&t, "BW-PRM-003") == 1 && !strcmp(find_id(&t, "BW-PRM-003")->path, "etc/app.conf"));
  tsink_dispose(&t);
}

static void catalogue(void) {
  /* every id once, in its family's prefix, with a remediation; the docs list every id */
  const bl_check *tabs[] = {bl_image_checks, bl_account_checks, bl_password_checks, bl_permission_checks,
                            bl_service_checks};
  size_t ns[] = {bl_n_image_checks, bl_n_account_checks, bl_n_password_checks, bl_n_permission_checks,
                 bl_n_service_checks};
  size_t doc_len = 0;
  char docpath[4096];
  const char *cut = strstr(__FILE__, "tests/unit/");
  snprintf(docpath, sizeof docpath, "%.*sdocs/internals/baseline.md", cut ? (int)(cut - __FILE__) : 0, __FILE__);
  char *doc = (char *)test_read_file(docpath, &doc_len);
  if (!doc) SKIP("docs/internals/baseline.md not found");
  for (size_t k = 0; k < 5; k++)
    for (size_t i = 0; i < ns[k]; i++) {
      const bl_check *c = &tabs[k][i];
      CHECK(c->id && c->title && c->remediation && strlen(c->remediation) > 20);
      if (doc && !strstr(doc, c->id)) fprintf(stderr, "%s missing from docs\n", c->id);
      if (doc) CHECK(strstr(doc, c->id) != NULL);
      for (size_t k2 = 0; k2 < 5; k2++)
        for (size_t j = 0; j < ns[k2]; j++)
          if (&tabs[k2][j] != c) CHECK(strcmp(tabs[k2][j].id, c->id) != 0);
    }
  free(doc);
}

int main(void) {
  risky();
  benign();
  permissions();
  catalogue();
  return test_finish();
}
