/* WWW-Authenticate challenge parsing and Docker config.json credential lookup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"
#include "image/registry_auth.h"
#include "unit/test.h"

static int parse(const char *s, bw_www_auth *a, bw_error *e) {
  bw_error_clear(e);
  return bw_www_auth_parse(a, s, strlen(s), e);
}

static void test_docker_hub_challenge(void) {
  bw_www_auth a;
  bw_error e;
  int r = parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                "scope=\"repository:library/debian:pull\"",
                &a, &e);
  CHECK(r == 0);
  CHECK(a.scheme == BW_AUTH_SCHEME_BEARER);
  CHECK_STR(a.realm, "https://auth.docker.io/token");
  CHECK_STR(a.service, "registry.docker.io");
  CHECK_STR(a.scope, "repository:library/debian:pull");
  bw_www_auth_dispose(&a);
}

static void test_case_whitespace_and_commas(void) {
  bw_www_auth a;
  bw_error e;
  /* Scheme and names are case-insensitive; BWS around '=', empty list elements, quoted commas. */
  int r = parse(" , bEaReR   REALM = \"http://127.0.0.1:9/t?x=1\" ,, Service=reg.example ,"
                "scope=\"repository:team/app:pull,push\"  ",
                &a, &e);
  CHECK(r == 0);
  CHECK(a.scheme == BW_AUTH_SCHEME_BEARER);
  CHECK_STR(a.realm, "http://127.0.0.1:9/t?x=1");
  CHECK_STR(a.service, "reg.example");
  CHECK_STR(a.scope, "repository:team/app:pull,push");
  bw_www_auth_dispose(&a);
}

static void test_escapes_and_repeated_scope(void) {
  bw_www_auth a;
  bw_error e;
  int r = parse("Bearer realm=\"a\\\"b\\\\c\",scope=\"repository:a:pull\",scope=\"repository:b:pull\","
                "realm=\"ignored-second-realm\"",
                &a, &e);
  CHECK(r == 0);
  CHECK_STR(a.realm, "a\"b\\c");
  CHECK_STR(a.scope, "repository:a:pull repository:b:pull");
  CHECK(a.service == NULL);
  bw_www_auth_dispose(&a);
}

static void test_several_challenges(void) {
  bw_www_auth a;
  bw_error e;
  /* Bearer is preferred even when Basic comes first; unknown schemes and token68 are skipped. */
  int r = parse("Negotiate YWJj==, Basic realm=\"Registry Realm\", Digest realm=\"d\", nonce=\"n\", "
                "Bearer realm=\"https://t.example/token\",service=\"svc\"",
                &a, &e);
  CHECK(r == 0);
  CHECK(a.scheme == BW_AUTH_SCHEME_BEARER);
  CHECK_STR(a.realm, "https://t.example/token");
  CHECK_STR(a.service, "svc");
  bw_www_auth_dispose(&a);

  r = parse("Negotiate, Basic realm=\"Registry Realm\"", &a, &e);
  CHECK(r == 0);
  CHECK(a.scheme == BW_AUTH_SCHEME_BASIC);
  CHECK_STR(a.realm, "Registry Realm");
  bw_www_auth_dispose(&a);

  r = parse("Basic", &a, &e);
  CHECK(r == 0);
  CHECK(a.scheme == BW_AUTH_SCHEME_BASIC);
  CHECK(a.realm == NULL);
  bw_www_auth_dispose(&a);

  r = parse("Digest realm=\"x\", qop=\"auth\"", &a, &e);
  CHECK(r == 0);
  CHECK(a.scheme == BW_AUTH_SCHEME_NONE);
  bw_www_auth_dispose(&a);

  r = parse("", &a, &e);
  CHECK(r == 0);
  CHECK(a.scheme == BW_AUTH_SCHEME_NONE);
  bw_www_auth_dispose(&a);
}

static void test_malformed(void) {
  static const char *bad[] = {
      "Bearer realm=\"unterminated",
      "Bearer realm=\"x\", service=",
      "Bearer realm=\"x\",scope=,service=\"y\"",
      "Bearer realm=\"x\" service=\"y\"",
      "Bearer realm=\"a\rb\"",
      "Bearer realm=\"x\"\n",
      "Bearer realm=\"x\\",
      "=\"x\"",
      "Bearer realm=https://unquoted/url",
      "Bearer@ realm=\"x\"",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    bw_www_auth a;
    bw_error e;
    int r = parse(bad[i], &a, &e);
    if (r != -BW_ECORRUPT) fprintf(stderr, "accepted: %s\n", bad[i]);
    CHECK(r == -BW_ECORRUPT);
    CHECK(e.code == BW_ECORRUPT && e.msg[0] != 0);
    bw_www_auth_dispose(&a);
  }
  /* A NUL byte inside the length is data, not an end. */
  bw_www_auth a;
  bw_error e = {0};
  CHECK(bw_www_auth_parse(&a, "Bearer realm=\"a\0b\"", 18, &e) == -BW_ECORRUPT);
  bw_www_auth_dispose(&a);
}

static void test_value_cap(void) {
  size_t n = BW_LIMIT_AUTH_PARAM_BYTES + 64;
  char *s = malloc(n + 32);
  memcpy(s, "Bearer realm=\"", 14);
  memset(s + 14, 'a', n);
  memcpy(s + 14 + n, "\"", 2);
  bw_www_auth a;
  bw_error e;
  CHECK(parse(s, &a, &e) == -BW_ELIMIT);
  bw_www_auth_dispose(&a);
  free(s);
}

static void test_base64(void) {
  static const struct {
    const char *in, *out;
  } ok[] = {{"", ""}, {"Zg==", "f"}, {"Zm8=", "fo"}, {"Zm9v", "foo"}, {"Zg", "f"}, {"Zm9vYg", "foob"},
            {"YWxpY2U6czNjcjpldA==", "alice:s3cr:et"}};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    char *out = NULL;
    size_t n = 99;
    bw_error e = {0};
    CHECK(bw_base64_decode(ok[i].in, strlen(ok[i].in), &out, &n, &e) == 0);
    CHECK_STR(out, ok[i].out);
    CHECK(n == strlen(ok[i].out));
    free(out);
  }
  static const char *bad[] = {"Z", "Zm9v!", "Zg=", "Zm 9v", "=Zg=", "Zg==="};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *out = NULL;
    bw_error e = {0};
    int r = bw_base64_decode(bad[i], strlen(bad[i]), &out, NULL, &e);
    if (r != -BW_ECORRUPT) fprintf(stderr, "base64 accepted: %s\n", bad[i]);
    CHECK(r == -BW_ECORRUPT);
    CHECK(out == NULL);
  }
}

static int lookup(const char *json, const char *host, char **u, char **p, const char **helper) {
  bw_error e = {0};
  return bw_docker_config_lookup(json, strlen(json), host, u, p, helper, &e);
}

static void test_config_lookup(void) {
  const char *cfg = "{\"auths\": {"
                    "  \"https://index.docker.io/v1/\": {\"auth\": \"YWxpY2U6czNjcjpldA==\"},"
                    "  \"localhost:5000\": {\"auth\": \"Ym9iOnB3\"},"
                    "  \"http://MyReg.example:5000/v2/\": {\"username\": \"carol\", \"password\": \"pc\"},"
                    "  \"https://exact.example\": {\"auth\": \"Y2Fyb2w6\"},"
                    "  \"exact.example\": {\"auth\": \"Ym9iOnB3\"}"
                    "}}";
  char *u = NULL, *p = NULL;
  const char *helper = NULL;
  static const char *hub[] = {"docker.io", "registry-1.docker.io", "index.docker.io"};
  for (size_t i = 0; i < 3; i++) {
    CHECK(lookup(cfg, hub[i], &u, &p, &helper) == 0);
    CHECK_STR(u, "alice");
    CHECK_STR(p, "s3cr:et"); /* only the first ':' separates */
    free(u);
    free(p);
  }
  CHECK(lookup(cfg, "localhost:5000", &u, &p, &helper) == 0);
  CHECK_STR(u, "bob");
  CHECK_STR(p, "pw");
  free(u);
  free(p);

  CHECK(lookup(cfg, "localhost:5001", &u, &p, &helper) == 0);
  CHECK(u == NULL && p == NULL && helper == NULL);

  CHECK(lookup(cfg, "myreg.example:5000", &u, &p, &helper) == 0);
  CHECK_STR(u, "carol");
  CHECK_STR(p, "pc");
  free(u);
  free(p);

  /* The key spelled exactly like the host wins over a normalised one. */
  CHECK(lookup(cfg, "exact.example", &u, &p, &helper) == 0);
  CHECK_STR(u, "bob");
  free(u);
  free(p);

  /* Credential helpers are reported, not run. */
  const char *store = "{\"auths\": {\"ghcr.io\": {}}, \"credsStore\": \"desktop\"}";
  CHECK(lookup(store, "ghcr.io", &u, &p, &helper) == 0);
  CHECK(u == NULL && helper != NULL && strstr(helper, "credsStore"));
  const char *helpers = "{\"credHelpers\": {\"https://reg.example\": \"ecr-login\"}}";
  CHECK(lookup(helpers, "reg.example", &u, &p, &helper) == 0);
  CHECK(u == NULL && helper != NULL && strstr(helper, "credHelpers"));
  CHECK(lookup(helpers, "other.example", &u, &p, &helper) == 0);
  CHECK(u == NULL && helper == NULL);

  /* Hostile or broken files. */
  CHECK(lookup("{\"auths\": {\"h\": {\"auth\": \"bm9jb2xvbg==\"}}}", "h", &u, &p, &helper) ==
        -BW_ECORRUPT);
  CHECK(lookup("{\"auths\": {\"h\": {\"auth\": \"!!!\"}}}", "h", &u, &p, &helper) == -BW_ECORRUPT);
  CHECK(lookup("{\"auths\": ", "h", &u, &p, &helper) == -BW_ECORRUPT);
  CHECK(lookup("[]", "h", &u, &p, &helper) == -BW_ECORRUPT);
  CHECK(lookup("{\"auths\": {\"h\": \"str\"}}", "h", &u, &p, &helper) == 0);
  CHECK(u == NULL);
  CHECK(lookup("{\"auths\": {\"\": {\"auth\": \"Ym9iOnB3\"}}}", "h", &u, &p, &helper) == 0);
  CHECK(u == NULL);
}

static void test_config_load(void) {
  char dir[] = "/tmp/bw_regauth_XXXXXX";
  if (!mkdtemp(dir)) {
    SKIP("mkdtemp failed");
    return;
  }
  char path[256];
  snprintf(path, sizeof path, "%s/config.json", dir);
  char *u = NULL, *p = NULL;
  bw_error e = {0};
  /* Missing file: anonymous, no error. */
  CHECK(bw_docker_config_load(path, "localhost:5000", &u, &p, &e) == 0);
  CHECK(u == NULL && e.code == 0);

  FILE *f = fopen(path, "w");
  fputs("{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"Ym9iOnB3\"}}}", f);
  fclose(f);
  CHECK(bw_docker_config_load(path, "127.0.0.1:5000", &u, &p, &e) == 0);
  CHECK_STR(u, "bob");
  CHECK_STR(p, "pw");
  free(u);
  free(p);

  /* DOCKER_CONFIG names the folder when no path is given. */
  setenv("DOCKER_CONFIG", dir, 1);
  CHECK(bw_docker_config_load(NULL, "127.0.0.1:5000", &u, &p, &e) == 0);
  CHECK_STR(u, "bob");
  free(u);
  free(p);
  unsetenv("DOCKER_CONFIG");

  /* A broken file must not block anonymous pulls: warning, no credentials, no error. */
  f = fopen(path, "w");
  fputs("{not json", f);
  fclose(f);
  CHECK(bw_docker_config_load(path, "127.0.0.1:5000", &u, &p, &e) == 0);
  CHECK(u == NULL && e.code == 0);
  unlink(path);
  rmdir(dir);
}

static void test_api_host(void) {
  CHECK_STR(bw_registry_api_host("docker.io"), "registry-1.docker.io");
  CHECK_STR(bw_registry_api_host("index.docker.io"), "registry-1.docker.io");
  CHECK_STR(bw_registry_api_host("ghcr.io"), "ghcr.io");
  CHECK_STR(bw_registry_api_host("127.0.0.1:5000"), "127.0.0.1:5000");
}

int main(void) {
  test_docker_hub_challenge();
  test_case_whitespace_and_commas();
  test_escapes_and_repeated_scope();
  test_several_challenges();
  test_malformed();
  test_value_cap();
  test_base64();
  test_config_lookup();
  test_config_load();
  test_api_host();
  return test_finish();
}
