/* The access-control REST API: who may list, create and change namespaces, members, users and
 * robots; status codes and bodies; hostile paths and bodies. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "auth/auth.h"
#include "auth/auth_store.h"
#include "unit/test.h"

static bw_auth *A;
static bw_meta *M;

/* Calls the API; returns the status and keeps the parsed body in *out (caller decrefs; may be NULL). */
static int call(const bw_principal *p, const char *method, const char *path, const char *query, const char *body,
                json_t **out) {
  int status = 0;
  char *json = NULL;
  bw_error err = {0};
  int r = bw_auth_api(A, p, method, path, query, body, body ? strlen(body) : 0, &status, &json, &err);
  if (r == -BW_ENOTFOUND) return -1;
  CHECK(r == 0 && json);
  json_t *j = json ? json_loads(json, 0, NULL) : NULL;
  CHECK(j != NULL); /* always JSON */
  if (status >= 400) {
    json_t *e = json_object_get(j, "error");
    CHECK(json_is_string(json_object_get(e, "code")) && json_is_string(json_object_get(e, "message")));
  }
  free(json);
  if (out) *out = j;
  else json_decref(j);
  return status;
}

static void as_user(const char *name, bw_principal *p) {
  bw_user_rec u;
  bw_error err = {0};
  memset(p, 0, sizeof *p);
  CHECK(bw_store_user_get(M, name, &u, &err) == 0);
  p->kind = BW_PRINCIPAL_USER;
  p->id = u.id;
  p->sysadmin = u.sysadmin;
  snprintf(p->name, sizeof p->name, "%s", name);
}

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

int main(void) {
  char dir[] = "/tmp/bw-authapi-test-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char db[256], key[256];
  snprintf(db, sizeof db, "%s/meta.db", dir);
  snprintf(key, sizeof key, "%s/token.key", dir);
  bw_error err = {0};
  CHECK(bw_meta_open(&M, db, &err) == 0);
  CHECK(bw_auth_new(&A, M, key, "bulwark", "http://127.0.0.1:5000/token", &err) == 0);
  if (!A) return test_finish();
  CHECK(bw_auth_bootstrap(A, "admin-pw", NULL, &err) == 0);
  bw_principal admin, anon = {0};
  as_user("admin", &admin);
  json_t *j = NULL;

  /* not our paths */
  CHECK(call(&admin, "GET", "/repositories", NULL, NULL, NULL) == -1);
  CHECK(call(&admin, "GET", "/", NULL, NULL, NULL) == -1);
  CHECK(call(&admin, "GET", "/namespacesX", NULL, NULL, NULL) == -1);

  /* users: the sysadmin creates them */
  CHECK(call(&admin, "POST", "/users", NULL, "{\"name\":\"alice\",\"password\":\"alice-pw\"}", &j) == 201);
  CHECK_STR(str(j, "name"), "alice");
  CHECK(json_is_false(json_object_get(j, "admin")) && !json_object_get(j, "password"));
  json_decref(j);
  CHECK(call(&admin, "POST", "/users", NULL, "{\"name\":\"bob\"}", &j) == 201); /* generated password */
  const char *gen = str(j, "password");
  CHECK(gen && strlen(gen) == 24);
  char bobpw[32];
  snprintf(bobpw, sizeof bobpw, "%s", gen ? gen : "");
  json_decref(j);
  CHECK(call(&admin, "POST", "/users", NULL, "{\"name\":\"carol\",\"password\":\"c\"}", NULL) == 201);
  CHECK(call(&admin, "POST", "/users", NULL, "{\"name\":\"alice\",\"password\":\"x\"}", NULL) == 409);
  CHECK(call(&admin, "POST", "/users", NULL, "{\"name\":\"Alice!\",\"password\":\"x\"}", NULL) == 400);
  CHECK(call(&admin, "POST", "/users", NULL, "{\"name\":\"x\",\"name\":\"y\"}", NULL) == 400); /* duplicate key */
  CHECK(call(&admin, "POST", "/users", NULL, "[1,2]", NULL) == 400);
  CHECK(call(&admin, "POST", "/users", NULL, "{", NULL) == 400);
  CHECK(call(&admin, "GET", "/users", NULL, NULL, &j) == 200 && json_array_size(j) == 4);
  json_decref(j);
  bw_principal alice, bob, carol;
  as_user("alice", &alice);
  as_user("bob", &bob);
  as_user("carol", &carol);
  CHECK(call(&alice, "GET", "/users", NULL, NULL, NULL) == 403);
  CHECK(call(&alice, "POST", "/users", NULL, "{\"name\":\"eve\",\"password\":\"x\"}", NULL) == 403);
  CHECK(call(&anon, "GET", "/users", NULL, NULL, NULL) == 401);
  CHECK(call(&alice, "GET", "/users/alice", NULL, NULL, &j) == 200 && !strcmp(str(j, "name"), "alice"));
  json_decref(j);
  CHECK(call(&alice, "GET", "/users/bob", NULL, NULL, NULL) == 403);
  CHECK(call(&admin, "GET", "/users/nobody", NULL, NULL, NULL) == 404);
  /* passwords: self with the current one, or the sysadmin */
  CHECK(call(&alice, "PUT", "/users/alice/password", NULL, "{\"password\":\"new\"}", NULL) == 403);
  CHECK(call(&alice, "PUT", "/users/alice/password", NULL, "{\"password\":\"new\",\"current_password\":\"nope\"}",
             NULL) == 403);
  CHECK(call(&alice, "PUT", "/users/alice/password", NULL,
             "{\"password\":\"alice-pw2\",\"current_password\":\"alice-pw\"}", NULL) == 200);
  CHECK(call(&alice, "PUT", "/users/bob/password", NULL, "{\"password\":\"x\",\"current_password\":\"alice-pw2\"}",
             NULL) == 403);
  CHECK(call(&admin, "PUT", "/users/bob/password", NULL, "{\"password\":\"bob-pw\"}", NULL) == 200);
  bw_principal p;
  CHECK(bw_auth_authenticate(A, "Basic Ym9iOmJvYi1wdw==", &p, &err) == 0 && !strcmp(p.name, "bob")); /* bob:bob-pw */
  /* admin flag, disabling; the last sysadmin stays */
  CHECK(call(&admin, "PUT", "/users/admin", NULL, "{\"admin\":false}", NULL) == 409);
  CHECK(call(&admin, "PUT", "/users/admin", NULL, "{\"disabled\":true}", NULL) == 409);
  CHECK(call(&admin, "DELETE", "/users/admin", NULL, NULL, NULL) == 409);
  CHECK(call(&admin, "PUT", "/users/carol", NULL, "{\"disabled\":true}", &j) == 200);
  CHECK(json_is_true(json_object_get(j, "disabled")));
  json_decref(j);
  CHECK(call(&carol, "GET", "/users/carol", NULL, NULL, NULL) == 403); /* disabled: not a user any more */
  CHECK(call(&admin, "DELETE", "/users/carol", NULL, NULL, NULL) == 200);
  CHECK(call(&admin, "DELETE", "/users/carol", NULL, NULL, NULL) == 404);
  CHECK(call(&alice, "DELETE", "/users/bob", NULL, NULL, NULL) == 403);

  /* namespaces */
  CHECK(call(&alice, "POST", "/namespaces", NULL, "{\"name\":\"team\"}", NULL) == 403);
  CHECK(call(&anon, "POST", "/namespaces", NULL, "{\"name\":\"team\"}", NULL) == 401);
  CHECK(call(&admin, "POST", "/namespaces", NULL, "{\"name\":\"team\",\"public\":false,\"owner\":\"alice\"}", &j) ==
        201);
  CHECK_STR(str(j, "owner"), "alice");
  json_decref(j);
  CHECK(call(&admin, "POST", "/namespaces", NULL, "{\"name\":\"library\",\"public\":true}", NULL) == 201);
  CHECK(call(&admin, "POST", "/namespaces", NULL, "{\"name\":\"team\"}", NULL) == 409);
  CHECK(call(&admin, "POST", "/namespaces", NULL, "{\"name\":\"a/b\"}", NULL) == 400);
  CHECK(call(&admin, "POST", "/namespaces", NULL, "{\"name\":\"x\",\"public\":\"yes\"}", NULL) == 400);
  /* visibility: anonymous and bob see the public one only; alice sees hers with her role */
  CHECK(call(&anon, "GET", "/namespaces", NULL, NULL, &j) == 200 && json_array_size(j) == 1);
  CHECK_STR(str(json_array_get(j, 0), "name"), "library");
  json_decref(j);
  CHECK(call(&bob, "GET", "/namespaces", NULL, NULL, &j) == 200 && json_array_size(j) == 1);
  json_decref(j);
  CHECK(call(&alice, "GET", "/namespaces", NULL, NULL, &j) == 200 && json_array_size(j) == 2);
  json_decref(j);
  CHECK(call(&alice, "GET", "/namespaces/team", NULL, NULL, &j) == 200);
  CHECK_STR(str(j, "role"), "admin");
  json_decref(j);
  CHECK(call(&bob, "GET", "/namespaces/team", NULL, NULL, NULL) == 404); /* private: not even its existence */
  CHECK(call(&bob, "GET", "/namespaces/nope", NULL, NULL, NULL) == 404);
  CHECK(call(&anon, "GET", "/namespaces/library", NULL, NULL, NULL) == 200);
  /* members: the namespace admin manages them */
  CHECK(call(&alice, "PUT", "/namespaces/team/members/bob", NULL, "{\"role\":\"developer\"}", &j) == 200);
  CHECK_STR(str(j, "role"), "developer");
  json_decref(j);
  CHECK(call(&alice, "PUT", "/namespaces/team/members/bob", NULL, "{\"role\":\"owner\"}", NULL) == 400);
  CHECK(call(&alice, "PUT", "/namespaces/team/members/ghost", NULL, "{\"role\":\"guest\"}", NULL) == 404);
  CHECK(call(&bob, "GET", "/namespaces/team/members", NULL, NULL, &j) == 200 && json_array_size(j) == 2);
  json_decref(j);
  CHECK(call(&bob, "GET", "/namespaces/team/members/bob", NULL, NULL, &j) == 200);
  CHECK_STR(str(j, "role"), "developer");
  json_decref(j);
  CHECK(call(&bob, "PUT", "/namespaces/team/members/bob", NULL, "{\"role\":\"admin\"}", NULL) == 403);
  CHECK(call(&bob, "PUT", "/namespaces/team", NULL, "{\"public\":true}", NULL) == 403);
  CHECK(call(&alice, "PUT", "/namespaces/team", NULL, "{\"public\":true}", &j) == 200);
  CHECK(json_is_true(json_object_get(j, "public")));
  json_decref(j);
  CHECK(call(&alice, "PUT", "/namespaces/team", NULL, "{\"public\":false}", NULL) == 200);
  CHECK(call(&admin, "POST", "/namespaces/team/members", NULL, "{\"user\":\"bob\",\"role\":\"maintainer\"}", NULL) ==
        200);
  CHECK(call(&alice, "DELETE", "/namespaces/team/members/bob", NULL, NULL, NULL) == 200);
  CHECK(call(&alice, "DELETE", "/namespaces/team/members/bob", NULL, NULL, NULL) == 404);
  CHECK(call(&bob, "GET", "/namespaces/team/members", NULL, NULL, NULL) == 404);
  CHECK(call(&bob, "GET", "/namespaces/library/members", NULL, NULL, NULL) == 403);
  CHECK(call(&alice, "PATCH", "/namespaces/team/members", NULL, NULL, NULL) == 405);

  /* robots: the namespace admin creates them; the secret is returned once */
  CHECK(call(&alice, "POST", "/robots", NULL,
             "{\"name\":\"ci\",\"namespace\":\"team\",\"scopes\":[\"team/app:pull,push\","
             "{\"repository\":\"team/lib-*\",\"actions\":[\"pull\"]}],\"expires_in\":3600}",
             &j) == 201);
  CHECK_STR(str(j, "name"), "robot$ci");
  const char *secret = str(j, "secret");
  CHECK(secret && strlen(secret) == 40);
  CHECK(json_array_size(json_object_get(j, "scopes")) == 2);
  CHECK(json_integer_value(json_object_get(j, "expires_at")) > bw_meta_now());
  char hdr[256];
  {
    /* the secret works as Basic credentials: "robot$ci:SECRET" */
    char raw[128];
    snprintf(raw, sizeof raw, "robot$ci:%s", secret ? secret : "");
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(raw), o = 6;
    memcpy(hdr, "Basic ", 6);
    for (size_t i = 0; i < n; i += 3) {
      unsigned v = (unsigned char)raw[i] << 16 | (i + 1 < n ? (unsigned char)raw[i + 1] << 8 : 0) |
                   (i + 2 < n ? (unsigned char)raw[i + 2] : 0);
      hdr[o++] = tbl[v >> 18];
      hdr[o++] = tbl[(v >> 12) & 63];
      hdr[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
      hdr[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    hdr[o] = 0;
  }
  json_decref(j);
  bw_principal robot;
  CHECK(bw_auth_authenticate(A, hdr, &robot, &err) == 0 && robot.kind == BW_PRINCIPAL_ROBOT);
  CHECK(bw_auth_allowed(A, &robot, "team/app", BW_ACT_PULL | BW_ACT_PUSH | BW_ACT_DELETE) ==
        (BW_ACT_PULL | BW_ACT_PUSH));
  CHECK(bw_auth_allowed(A, &robot, "team/lib-x", BW_ACT_PUSH | BW_ACT_PULL) == BW_ACT_PULL);
  CHECK(call(&robot, "GET", "/robots", NULL, NULL, NULL) == 403); /* robots do not manage */
  CHECK(call(&alice, "POST", "/robots", NULL, "{\"name\":\"ci\",\"namespace\":\"team\",\"scopes\":[\"team/x:pull\"]}",
             NULL) == 409);
  CHECK(call(&alice, "POST", "/robots", NULL,
             "{\"name\":\"bad\",\"namespace\":\"team\",\"scopes\":[\"library/x:pull\"]}", NULL) == 400);
  CHECK(call(&alice, "POST", "/robots", NULL, "{\"name\":\"bad\",\"namespace\":\"team\",\"scopes\":[]}", NULL) == 400);
  CHECK(call(&alice, "POST", "/robots", NULL,
             "{\"name\":\"bad\",\"namespace\":\"team\",\"scopes\":[\"team/x:pull\"],\"expires_in\":-5}", NULL) == 400);
  CHECK(call(&bob, "POST", "/robots", NULL, "{\"name\":\"b\",\"namespace\":\"library\",\"scopes\":[\"library/x:pull\"]}",
             NULL) == 403);
  CHECK(call(&alice, "GET", "/robots", NULL, NULL, &j) == 200 && json_array_size(j) == 1);
  CHECK(!json_object_get(json_array_get(j, 0), "secret"));
  json_decref(j);
  CHECK(call(&alice, "GET", "/robots", "namespace=team", NULL, &j) == 200 && json_array_size(j) == 1);
  json_decref(j);
  CHECK(call(&bob, "GET", "/robots", NULL, NULL, &j) == 200 && json_array_size(j) == 0);
  json_decref(j);
  CHECK(call(&bob, "GET", "/robots/robot$ci", NULL, NULL, NULL) == 404);
  CHECK(call(&admin, "GET", "/robots/robot%24ci", NULL, NULL, &j) == 200);
  CHECK_STR(str(j, "namespace"), "team");
  json_decref(j);
  CHECK(call(&alice, "PUT", "/robots/ci", NULL, "{\"disabled\":true}", NULL) == 200);
  CHECK(bw_auth_allowed(A, &robot, "team/app", BW_ACT_PULL) == 0);
  CHECK(call(&alice, "DELETE", "/robots/robot$ci", NULL, NULL, NULL) == 200);
  CHECK(call(&alice, "DELETE", "/robots/ci", NULL, NULL, NULL) == 404);
  bw_error_clear(&err);
  CHECK(bw_auth_authenticate(A, hdr, &robot, &err) == -BW_EAUTH);

  /* a registry token (Bearer) may read but not change */
  bw_principal tok = alice;
  tok.token_scoped = true;
  CHECK(call(&tok, "GET", "/namespaces/team", NULL, NULL, NULL) == 200);
  CHECK(call(&tok, "PUT", "/namespaces/team", NULL, "{\"public\":true}", NULL) == 403);

  /* namespace deletion: sysadmin only */
  CHECK(call(&alice, "DELETE", "/namespaces/team", NULL, NULL, NULL) == 403);
  CHECK(call(&admin, "DELETE", "/namespaces/team", NULL, NULL, NULL) == 200);
  CHECK(call(&admin, "GET", "/namespaces/team", NULL, NULL, NULL) == 404);

  /* hostile paths and bodies */
  CHECK(call(&admin, "GET", "/namespaces/../users", NULL, NULL, NULL) == 404);
  CHECK(call(&admin, "GET", "/namespaces/a/b/c/d/e/f/g", NULL, NULL, NULL) == -1);
  CHECK(call(&admin, "GET", "/namespaces/library/other", NULL, NULL, NULL) == 404);
  CHECK(call(&admin, "GET", "/users/alice/password", NULL, NULL, NULL) == 405);
  CHECK(call(&admin, "GET", "/namespaces/", NULL, NULL, &j) == 200 && json_is_array(j));
  json_decref(j);
  char *big = malloc((64u << 10) + 16);
  memset(big, ' ', (64u << 10) + 15);
  big[0] = '{';
  big[(64u << 10) + 14] = '}';
  big[(64u << 10) + 15] = 0;
  CHECK(call(&admin, "POST", "/users", NULL, big, NULL) == 413);
  free(big);
  char deep[300];
  memset(deep, '[', 200);
  deep[200] = 0;
  CHECK(call(&admin, "POST", "/namespaces", NULL, deep, NULL) == 400);

  bw_auth_free(A);
  bw_meta_close(M);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  return test_finish();
}
