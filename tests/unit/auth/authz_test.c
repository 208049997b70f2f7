/* The authorization matrix: every role x action x public/private namespace, robots scoped to one
 * repository or a glob, an expired robot, Bearer tokens narrowing access; plus authentication,
 * bootstrap, namespace_ensure and the token endpoint. Real store (SQLite in a temporary dir). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "auth/auth.h"
#include "auth/auth_store.h"
#include "base/strutil.h"
#include "unit/test.h"

#define P BW_ACT_PULL
#define U BW_ACT_PUSH
#define D BW_ACT_DELETE
#define ALL (P | U | D)

static bw_auth *A;
static bw_meta *M;

static char *basic(const char *user, const char *pw) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char raw[512];
  snprintf(raw, sizeof raw, "%s:%s", user, pw);
  size_t n = strlen(raw), o = 6;
  char *out = malloc(6 + (n / 3 + 2) * 4 + 1);
  memcpy(out, "Basic ", 6);
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned char)raw[i] << 16 | (i + 1 < n ? (unsigned char)raw[i + 1] << 8 : 0) |
                 (i + 2 < n ? (unsigned char)raw[i + 2] : 0);
    out[o++] = tbl[v >> 18];
    out[o++] = tbl[(v >> 12) & 63];
    out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? tbl[v & 63] : '=';
  }
  out[o] = 0;
  return out;
}

static int login(const char *user, const char *pw, bw_principal *p) {
  char *h = basic(user, pw);
  bw_error err = {0};
  int r = bw_auth_authenticate(A, h, p, &err);
  free(h);
  return r;
}

/* Gets a token for scopes as p, then authenticates with it. */
static int bearer(const bw_principal *p, const char *scope, bw_principal *out, json_t **access) {
  bw_error err = {0};
  char *body = NULL;
  const char *scopes[] = {scope};
  if (bw_auth_issue_token(A, p, scopes, scope ? 1 : 0, &body, &err)) return -1;
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  const char *tok = json_string_value(json_object_get(j, "token"));
  CHECK(tok && !strcmp(tok, json_string_value(json_object_get(j, "access_token"))));
  CHECK(json_integer_value(json_object_get(j, "expires_in")) == 300);
  char hdr[20000];
  snprintf(hdr, sizeof hdr, "Bearer %s", tok ? tok : "");
  int r = bw_auth_authenticate(A, hdr, out, &err);
  if (access) {
    /* decode the payload to see what was granted */
    *access = NULL;
    const char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
    char b64[16384];
    size_t n = (size_t)(d2 - d1 - 1);
    memcpy(b64, d1 + 1, n);
    for (size_t i = 0; i < n; i++) b64[i] = b64[i] == '-' ? '+' : b64[i] == '_' ? '/' : b64[i];
    while (n % 4) b64[n++] = '=';
    char *dec = NULL;
    size_t dl = 0;
    extern int bw_base64_decode(const char *in, size_t len, char **out, size_t *out_len, bw_error *err);
    if (bw_base64_decode(b64, n, &dec, &dl, &err) == 0) {
      json_t *claims = json_loadb(dec, dl, 0, NULL);
      *access = json_incref(json_object_get(claims, "access"));
      json_decref(claims);
    }
    free(dec);
  }
  json_decref(j);
  return r;
}

typedef struct row {
  const char *who; /* user name, or NULL = anonymous */
  unsigned pub;    /* expected on the public namespace "pub" */
  unsigned priv;   /* expected on the private namespace "priv" */
} row;

/* The expected matrix (written out, not computed): roles are granted in both namespaces. */
static const row matrix[] = {
    {NULL, P, 0},           /* anonymous */
    {"nobody", P, 0},       /* a user without a role */
    {"gina", P, P},         /* guest */
    {"dave", P | U, P | U}, /* developer */
    {"mia", ALL, ALL},      /* maintainer */
    {"nadia", ALL, ALL},    /* namespace admin */
    {"root", ALL, ALL},     /* sysadmin, no role anywhere */
};

int main(void) {
  char dir[] = "/tmp/bw-authz-test-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char db[256], key[256];
  snprintf(db, sizeof db, "%s/meta.db", dir);
  snprintf(key, sizeof key, "%s/token.key", dir);
  bw_error err = {0};
  CHECK(bw_meta_open(&M, db, &err) == 0);
  CHECK(bw_auth_new(&A, M, key, "bulwark", "http://127.0.0.1:5000/token", &err) == 0);
  if (!A) return test_finish();

  /* bootstrap: a generated admin password that works; a second call does nothing */
  char *gen = NULL;
  CHECK(bw_auth_bootstrap(A, NULL, &gen, &err) == 0);
  CHECK(gen && strlen(gen) >= 16);
  bw_principal p;
  CHECK(login("admin", gen ? gen : "", &p) == 0 && p.kind == BW_PRINCIPAL_USER && p.sysadmin);
  char *gen2 = NULL;
  CHECK(bw_auth_bootstrap(A, "other", &gen2, &err) == 0 && gen2 == NULL);
  CHECK(login("admin", "other", &p) == -BW_EAUTH);
  free(gen);

  /* users and roles */
  const char *users[] = {"nobody", "gina", "dave", "mia", "nadia"};
  for (size_t i = 0; i < 5; i++) CHECK(bw_auth_user_add(A, users[i], "pw-of-user", false, &err) == 0);
  CHECK(bw_auth_user_add(A, "root", "pw-of-user", true, &err) == 0);
  CHECK(bw_auth_namespace_add(A, "pub", true, NULL, &err) == 0);
  CHECK(bw_auth_namespace_add(A, "priv", false, "nadia", &err) == 0); /* owner becomes admin */
  CHECK(bw_auth_namespace_add(A, "other", false, NULL, &err) == 0);
  CHECK(bw_auth_member_set(A, "pub", "nadia", BW_ROLE_ADMIN, &err) == 0);
  const char *ns2[] = {"pub", "priv"};
  for (int k = 0; k < 2; k++) {
    CHECK(bw_auth_member_set(A, ns2[k], "gina", BW_ROLE_GUEST, &err) == 0);
    CHECK(bw_auth_member_set(A, ns2[k], "dave", BW_ROLE_DEVELOPER, &err) == 0);
    CHECK(bw_auth_member_set(A, ns2[k], "mia", BW_ROLE_MAINTAINER, &err) == 0);
  }
  bw_error_clear(&err);
  CHECK(bw_auth_user_add(A, "dave", "x", false, &err) == -BW_ECONFLICT);
  bw_error_clear(&err);
  CHECK(bw_auth_user_add(A, "Bad Name", "x", false, &err) == -BW_EINVAL);
  bw_error_clear(&err);
  CHECK(bw_auth_namespace_add(A, "../etc", false, NULL, &err) == -BW_EINVAL);

  /* the matrix, over each action alone and all at once, on a nested repository too */
  static const char *repos_pub[] = {"pub/app", "pub/sub/app"}, *repos_priv[] = {"priv/app", "priv/sub/app"};
  for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
    const row *r = &matrix[i];
    memset(&p, 0, sizeof p);
    if (r->who) CHECK(login(r->who, "pw-of-user", &p) == 0);
    for (int k = 0; k < 2; k++) {
      unsigned acts[] = {P, U, D, ALL};
      for (int a = 0; a < 4; a++) {
        unsigned gp = bw_auth_allowed(A, &p, repos_pub[k], acts[a]);
        unsigned gv = bw_auth_allowed(A, &p, repos_priv[k], acts[a]);
        if (gp != (r->pub & acts[a]) || gv != (r->priv & acts[a]))
          fprintf(stderr, "matrix: %s on %s/%s wanting %u: got %u/%u\n", r->who ? r->who : "anonymous", repos_pub[k],
                  repos_priv[k], acts[a], gp, gv);
        CHECK(gp == (r->pub & acts[a]));
        CHECK(gv == (r->priv & acts[a]));
      }
    }
    /* no role in "other" (private): only the sysadmin */
    CHECK(bw_auth_allowed(A, &p, "other/app", ALL) == (r->who && !strcmp(r->who, "root") ? ALL : 0u));
    /* a namespace that does not exist: only the sysadmin */
    CHECK(bw_auth_allowed(A, &p, "ghost/app", ALL) == (r->who && !strcmp(r->who, "root") ? ALL : 0u));
    /* malformed repository names: nothing, for everyone */
    CHECK(bw_auth_allowed(A, &p, "priv/../pub/app", P) == 0);
    CHECK(bw_auth_allowed(A, &p, "Priv/app", P) == 0);
    CHECK(bw_auth_allowed(A, &p, "priv//app", P) == 0);
    CHECK(bw_auth_allowed(A, &p, "", P) == 0);
  }

  /* authentication failures */
  CHECK(login("dave", "wrong", &p) == -BW_EAUTH && p.kind == BW_PRINCIPAL_ANONYMOUS);
  CHECK(login("ghost", "pw-of-user", &p) == -BW_EAUTH);
  CHECK(login("", "pw-of-user", &p) == -BW_EAUTH);
  bw_error_clear(&err);
  CHECK(bw_auth_authenticate(A, "Basic !!!", &p, &err) == -BW_EAUTH);
  bw_error_clear(&err);
  CHECK(bw_auth_authenticate(A, "Basic ZGF2ZQ==", &p, &err) == -BW_EAUTH); /* "dave", no colon */
  bw_error_clear(&err);
  CHECK(bw_auth_authenticate(A, "Digest x", &p, &err) == -BW_EAUTH);
  bw_error_clear(&err);
  CHECK(bw_auth_authenticate(A, "Bearer x.y.z", &p, &err) == -BW_EAUTH);
  CHECK(bw_auth_authenticate(A, NULL, &p, &err) == 0 && p.kind == BW_PRINCIPAL_ANONYMOUS);
  /* a disabled user can neither log in nor use a principal from before */
  bw_principal mia;
  CHECK(login("mia", "pw-of-user", &mia) == 0);
  CHECK(bw_store_user_set_disabled(M, "mia", true, &err) == 0);
  CHECK(login("mia", "pw-of-user", &p) == -BW_EAUTH);
  CHECK(bw_auth_allowed(A, &mia, "priv/app", ALL) == 0);
  CHECK(bw_auth_allowed(A, &mia, "pub/app", ALL) == P); /* like anyone */
  CHECK(bw_store_user_set_disabled(M, "mia", false, &err) == 0);
  /* password change */
  CHECK(bw_auth_user_passwd(A, "gina", "new-pw", &err) == 0);
  CHECK(login("gina", "pw-of-user", &p) == -BW_EAUTH);
  CHECK(login("gina", "new-pw", &p) == 0);

  /* robots: one scoped to priv/app pull+push, one with a glob, one expiring */
  char *sec1 = NULL, *sec2 = NULL, *sec3 = NULL;
  const char *sc1[] = {"priv/app:pull,push"};
  CHECK(bw_auth_robot_add(A, "ci", "priv", sc1, 1, 0, "CI", 0, &sec1, &err) == 0);
  const char *sc2[] = {"priv/team-*:pull", "priv/tools:*"};
  CHECK(bw_auth_robot_add(A, "robot$reader", "priv", sc2, 2, 0, NULL, 0, &sec2, &err) == 0);
  int64_t now = bw_meta_now();
  const char *sc3[] = {"priv:pull"};
  CHECK(bw_auth_robot_add(A, "temp", "priv", sc3, 1, now + 100, NULL, 0, &sec3, &err) == 0);
  bw_error_clear(&err);
  char *bad = NULL;
  const char *sc_other[] = {"pub/app:pull"};
  CHECK(bw_auth_robot_add(A, "sneaky", "priv", sc_other, 1, 0, NULL, 0, &bad, &err) == -BW_EINVAL && !bad);
  bw_error_clear(&err);
  const char *sc_bad[] = {"priv/app:own"};
  CHECK(bw_auth_robot_add(A, "sneaky", "priv", sc_bad, 1, 0, NULL, 0, &bad, &err) == -BW_EINVAL);
  bw_error_clear(&err);
  const char *sc_glob_ns[] = {"pri*/app:pull"};
  CHECK(bw_auth_robot_add(A, "sneaky", "priv", sc_glob_ns, 1, 0, NULL, 0, &bad, &err) == -BW_EINVAL);
  bw_error_clear(&err);
  CHECK(bw_auth_robot_add(A, "ci", "priv", sc1, 1, 0, NULL, 0, &bad, &err) == -BW_ECONFLICT);

  bw_principal r1, r2, r3;
  CHECK(login("robot$ci", sec1 ? sec1 : "", &r1) == 0 && r1.kind == BW_PRINCIPAL_ROBOT);
  CHECK_STR(r1.name, "robot$ci");
  CHECK(login("robot$ci", "wrong", &p) == -BW_EAUTH);
  CHECK(login("ci", sec1 ? sec1 : "", &p) == -BW_EAUTH); /* a robot is not a user */
  CHECK(bw_auth_allowed(A, &r1, "priv/app", ALL) == (P | U));
  CHECK(bw_auth_allowed(A, &r1, "priv/app2", ALL) == 0);    /* sibling */
  CHECK(bw_auth_allowed(A, &r1, "priv/app/sub", ALL) == 0); /* below it */
  CHECK(bw_auth_allowed(A, &r1, "other/app", ALL) == 0);    /* another namespace */
  CHECK(bw_auth_allowed(A, &r1, "pub/app", ALL) == P);      /* public: like anyone */
  CHECK(login("robot$reader", sec2 ? sec2 : "", &r2) == 0);
  CHECK(bw_auth_allowed(A, &r2, "priv/team-a", ALL) == P);
  CHECK(bw_auth_allowed(A, &r2, "priv/team-a/x", ALL) == P);
  CHECK(bw_auth_allowed(A, &r2, "priv/teamb", ALL) == 0);
  CHECK(bw_auth_allowed(A, &r2, "priv/tools", ALL) == ALL);
  CHECK(bw_auth_allowed(A, &r2, "priv/app", ALL) == 0);
  CHECK(login("robot$temp", sec3 ? sec3 : "", &r3) == 0);
  CHECK(bw_auth_allowed(A, &r3, "priv/anything", ALL) == P);
  /* expiry: time passes (BULWARK_FAKE_NOW) */
  char fake[32];
  snprintf(fake, sizeof fake, "%lld", (long long)(now + 101));
  setenv("BULWARK_FAKE_NOW", fake, 1);
  CHECK(login("robot$temp", sec3 ? sec3 : "", &p) == -BW_EAUTH);
  CHECK(bw_auth_allowed(A, &r3, "priv/anything", ALL) == 0);
  CHECK(bw_auth_allowed(A, &r3, "pub/app", ALL) == 0); /* dead robot: nothing at all */
  CHECK(bw_auth_allowed(A, &r1, "priv/app", ALL) == (P | U)); /* the others live on */
  unsetenv("BULWARK_FAKE_NOW");
  /* a removed robot loses everything at once */
  CHECK(bw_auth_robot_rm(A, "robot$reader", &err) == 0);
  CHECK(bw_auth_allowed(A, &r2, "priv/tools", ALL) == 0);
  CHECK(login("robot$reader", sec2 ? sec2 : "", &p) == -BW_EAUTH);

  /* tokens: granted = requested ∩ allowed */
  bw_principal dave, root, tok;
  json_t *acc = NULL;
  CHECK(login("dave", "pw-of-user", &dave) == 0);
  CHECK(login("root", "pw-of-user", &root) == 0);
  CHECK(bearer(&dave, "repository:priv/app:pull", &tok, &acc) == 0);
  CHECK(tok.kind == BW_PRINCIPAL_USER && tok.token_scoped && !strcmp(tok.name, "dave"));
  CHECK(json_array_size(acc) == 1);
  json_decref(acc);
  CHECK(bw_auth_allowed(A, &tok, "priv/app", ALL) == P); /* narrowed to pull */
  CHECK(bw_auth_allowed(A, &tok, "priv/other", ALL) == 0);
  CHECK(bw_auth_allowed(A, &tok, "pub/app", ALL) == 0);
  /* asking for more than allowed: dave may not delete */
  CHECK(bearer(&dave, "repository:priv/app:pull,push,delete", &tok, &acc) == 0);
  CHECK(bw_auth_allowed(A, &tok, "priv/app", ALL) == (P | U));
  json_t *acts = json_object_get(json_array_get(acc, 0), "actions");
  CHECK(json_array_size(acts) == 2);
  json_decref(acc);
  /* nothing allowed: empty access, the token still authenticates but grants nothing */
  CHECK(bearer(&dave, "repository:other/app:pull", &tok, &acc) == 0);
  CHECK(json_array_size(acc) == 0);
  json_decref(acc);
  CHECK(bw_auth_allowed(A, &tok, "other/app", P) == 0);
  /* no scope (docker login): authenticates, grants no repository */
  CHECK(bearer(&dave, NULL, &tok, NULL) == 0 && tok.token_scoped && tok.nscopes == 0);
  CHECK(bw_auth_allowed(A, &tok, "priv/app", P) == 0);
  /* anonymous tokens for public pulls */
  bw_principal anon = {0};
  CHECK(bearer(&anon, "repository:pub/app:pull,push", &tok, NULL) == 0);
  CHECK(tok.kind == BW_PRINCIPAL_ANONYMOUS && bw_auth_allowed(A, &tok, "pub/app", ALL) == P);
  /* a robot's token */
  CHECK(bearer(&r1, "repository:priv/app:pull,push repository:priv/app2:pull", &tok, &acc) == 0);
  CHECK(json_array_size(acc) == 1);
  json_decref(acc);
  CHECK(bw_auth_allowed(A, &tok, "priv/app", ALL) == (P | U));
  CHECK(bw_auth_allowed(A, &tok, "priv/app2", ALL) == 0);
  /* a sysadmin pushing into a namespace that does not exist yet, and the catalog */
  CHECK(bearer(&root, "repository:newns/app:pull,push", &tok, NULL) == 0);
  CHECK(bw_auth_allowed(A, &tok, "newns/app", ALL) == (P | U));
  CHECK(!bw_auth_catalog_allowed(A, &tok));
  CHECK(bearer(&root, "registry:catalog:*", &tok, NULL) == 0 && bw_auth_catalog_allowed(A, &tok));
  CHECK(bearer(&dave, "registry:catalog:*", &tok, NULL) == 0 && !bw_auth_catalog_allowed(A, &tok));
  CHECK(bw_auth_catalog_allowed(A, &root) && !bw_auth_catalog_allowed(A, &dave));
  /* a token's rights end with the identity's: dave demoted to guest */
  CHECK(bearer(&dave, "repository:priv/app:pull,push", &tok, NULL) == 0);
  CHECK(bw_auth_member_set(A, "priv", "dave", BW_ROLE_GUEST, &err) == 0);
  CHECK(bw_auth_allowed(A, &tok, "priv/app", ALL) == P);
  CHECK(bw_auth_member_set(A, "priv", "dave", BW_ROLE_DEVELOPER, &err) == 0);
  /* expired token */
  snprintf(fake, sizeof fake, "%lld", (long long)(bw_meta_now() + 301));
  setenv("BULWARK_FAKE_NOW", fake, 1);
  char *body = NULL;
  const char *one[] = {"repository:priv/app:pull"};
  unsetenv("BULWARK_FAKE_NOW");
  CHECK(bw_auth_issue_token(A, &dave, one, 1, &body, &err) == 0);
  json_t *j = json_loads(body, 0, NULL);
  char hdr[20000];
  snprintf(hdr, sizeof hdr, "Bearer %s", json_string_value(json_object_get(j, "token")));
  setenv("BULWARK_FAKE_NOW", fake, 1);
  bw_error_clear(&err);
  CHECK(bw_auth_authenticate(A, hdr, &p, &err) == -BW_EAUTH);
  unsetenv("BULWARK_FAKE_NOW");
  CHECK(bw_auth_authenticate(A, hdr, &p, &err) == 0);
  /* a deleted user's token stops working */
  CHECK(bw_auth_user_add(A, "temp", "pw", false, &err) == 0);
  bw_principal tp;
  CHECK(login("temp", "pw", &tp) == 0);
  free(body);
  json_decref(j);
  CHECK(bw_auth_issue_token(A, &tp, one, 1, &body, &err) == 0);
  j = json_loads(body, 0, NULL);
  snprintf(hdr, sizeof hdr, "Bearer %s", json_string_value(json_object_get(j, "token")));
  CHECK(bw_auth_user_rm(A, "temp", &err) == 0);
  bw_error_clear(&err);
  CHECK(bw_auth_authenticate(A, hdr, &p, &err) == -BW_EAUTH);
  free(body);
  json_decref(j);
  /* malformed scope requests */
  const char *badscope[] = {"repository:Priv/App:pull"};
  bw_error_clear(&err);
  CHECK(bw_auth_issue_token(A, &dave, badscope, 1, &body, &err) == -BW_EINVAL);
  const char *badact[] = {"repository:priv/app:own"};
  bw_error_clear(&err);
  CHECK(bw_auth_issue_token(A, &dave, badact, 1, &body, &err) == -BW_EINVAL);

  /* namespace_ensure: the sysadmin creates (private, owner), others get ENOTFOUND */
  bw_error_clear(&err);
  CHECK(bw_auth_namespace_ensure(A, &dave, "fresh", &err) == -BW_ENOTFOUND);
  CHECK(bw_auth_namespace_ensure(A, &root, "fresh", &err) == 0);
  CHECK(bw_auth_namespace_ensure(A, &root, "fresh", &err) == 0);
  CHECK(bw_auth_namespace_ensure(A, &dave, "priv", &err) == 0);
  bw_ns_rec ns;
  CHECK(bw_store_ns_get(M, "fresh", &ns, &err) == 0 && !ns.public_ && !strcmp(ns.owner, "root"));
  bw_role role;
  CHECK(bw_store_member_get(M, ns.id, root.id, &role, &err) == 0 && role == BW_ROLE_ADMIN);
  CHECK(bw_auth_allowed(A, &dave, "fresh/app", ALL) == 0);

  /* the challenge */
  char *ch = bw_auth_challenge(A, "priv/app", P | U);
  CHECK_STR(ch, "Bearer realm=\"http://127.0.0.1:5000/token\",service=\"bulwark\",scope=\"repository:priv/app:pull,push\"");
  free(ch);
  ch = bw_auth_challenge(A, NULL, 0);
  CHECK_STR(ch, "Bearer realm=\"http://127.0.0.1:5000/token\",service=\"bulwark\"");
  free(ch);
  ch = bw_auth_challenge(A, "bad\"name", P);
  CHECK_STR(ch, "Bearer realm=\"http://127.0.0.1:5000/token\",service=\"bulwark\"");
  free(ch);

  /* the last sysadmin cannot be removed */
  CHECK(bw_auth_user_rm(A, "root", &err) == 0);
  bw_error_clear(&err);
  CHECK(bw_auth_user_rm(A, "admin", &err) == -BW_ECONFLICT);

  free(sec1);
  free(sec2);
  free(sec3);
  bw_auth_free(A);
  bw_meta_close(M);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  return test_finish();
}
