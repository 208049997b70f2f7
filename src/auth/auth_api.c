/* The REST API's access-control part (/api/v1/namespaces, /users, /robots), HTTP-library-free. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "auth/auth_internal.h"
#include "auth/auth_store.h"
#include "auth/password.h"
#include "base/json.h"
#include "base/limits.h"

#define MAX_SEGS 6

typedef struct req {
  bw_auth *a;
  const bw_principal *p;
  const char *method;
  const char *query;
  json_t *body; /* object or NULL */
  int *status;
  char **json;
  bw_user_rec me; /* fresh record of a user principal */
  bool is_user;   /* an enabled user (not anonymous, not a robot) */
  bool sysadmin;
} req;

static int reply(req *r, int status, json_t *v) {
  *r->status = status;
  *r->json = v ? json_dumps(v, JSON_COMPACT) : strdup("{}");
  json_decref(v);
  return 0;
}

static int fail(req *r, int status, const char *code, const char *fmt, ...) BW_PRINTF(4, 5);
static int fail(req *r, int status, const char *code, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return reply(r, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

/* Maps a store/auth error to an HTTP error reply. */
static int fail_err(req *r, const bw_error *e) {
  switch (e->code) {
  case BW_ENOTFOUND: return fail(r, 404, "NOT_FOUND", "%s", e->msg);
  case BW_EINVAL: return fail(r, 400, "INVALID", "%s", e->msg);
  case BW_ELIMIT: return fail(r, 400, "LIMIT", "%s", e->msg);
  case BW_ECONFLICT: return fail(r, 409, "CONFLICT", "%s", e->msg);
  case BW_EAUTH: return fail(r, 401, "UNAUTHORIZED", "%s", e->msg);
  default: return fail(r, 500, "INTERNAL", "internal error");
  }
}

static int need_user(req *r) {
  if (r->p->kind == BW_PRINCIPAL_ANONYMOUS) return fail(r, 401, "UNAUTHORIZED", "authentication required"), -1;
  if (!r->is_user) return fail(r, 403, "DENIED", "robot accounts cannot manage access"), -1;
  return 0;
}

/* Changes need a user authenticated with credentials (Basic): a registry token (Bearer) is scoped
 * to repositories, and a leaked pull token must not manage users. */
static int need_writer(req *r) {
  if (need_user(r)) return -1;
  if (r->p->token_scoped)
    return fail(r, 403, "DENIED", "changes need Basic credentials, not a registry token"), -1;
  return 0;
}

static bool is_write(const char *m) { return strcmp(m, "GET") && strcmp(m, "HEAD"); }

static int method_not_allowed(req *r, const char *allowed) {
  return fail(r, 405, "METHOD_NOT_ALLOWED", "%s is not allowed here (use %s)", r->method, allowed);
}

/* The caller's role in namespace ns (sysadmins count as admin). */
static bw_role my_role(req *r, const bw_ns_rec *ns) {
  if (!r->is_user) return BW_ROLE_NONE;
  if (r->sysadmin) return BW_ROLE_ADMIN;
  bw_role role = BW_ROLE_NONE;
  bw_error e = {0};
  bw_store_member_get(r->a->m, ns->id, r->me.id, &role, &e);
  return role;
}

static json_t *ns_json(const bw_ns_rec *n, bw_role mine) {
  return json_pack("{s:s, s:b, s:s?, s:I, s:s?}", "name", n->name, "public", n->public_, "owner",
                   n->owner[0] ? n->owner : NULL, "created_at", (json_int_t)n->created_at, "role",
                   mine ? bw_role_name(mine) : NULL);
}

static json_t *robot_json(const bw_robot_rec *rb) {
  json_t *scopes = json_array();
  for (size_t i = 0; i < rb->nscopes; i++) {
    json_t *acts = json_array();
    if (rb->scopes[i].actions & BW_ACT_PULL) json_array_append_new(acts, json_string("pull"));
    if (rb->scopes[i].actions & BW_ACT_PUSH) json_array_append_new(acts, json_string("push"));
    if (rb->scopes[i].actions & BW_ACT_DELETE) json_array_append_new(acts, json_string("delete"));
    json_array_append_new(scopes, json_pack("{s:s, s:o}", "repository", rb->scopes[i].repo_glob, "actions", acts));
  }
  char full[BW_AUTH_NAME_MAX + 8];
  snprintf(full, sizeof full, "robot$%s", rb->name);
  return json_pack("{s:s, s:s, s:s, s:o, s:I, s:b, s:b, s:I}", "name", full, "namespace", rb->namespace_name,
                   "description", rb->description, "scopes", scopes, "expires_at", (json_int_t)rb->expires_at,
                   "expired", rb->expires_at && bw_meta_now() >= rb->expires_at, "disabled", rb->disabled,
                   "created_at", (json_int_t)rb->created_at);
}

/* Looks up namespace name; replies 404 (also when the caller may not see it) and returns -1. */
static int visible_ns(req *r, const char *name, bw_ns_rec *ns, bw_role *mine) {
  bw_error e = {0};
  if (bw_store_ns_get(r->a->m, name, ns, &e)) {
    if (e.code != BW_ENOTFOUND) return fail_err(r, &e), -1;
    return fail(r, 404, "NOT_FOUND", "namespace %s not found", name), -1;
  }
  *mine = my_role(r, ns);
  if (!ns->public_ && *mine == BW_ROLE_NONE) return fail(r, 404, "NOT_FOUND", "namespace %s not found", name), -1;
  return 0;
}

static const char *query_param(const char *q, const char *key, char *out, size_t cap) {
  size_t kl = strlen(key);
  while (q && *q) {
    size_t n = strcspn(q, "&");
    if (n > kl && !strncmp(q, key, kl) && q[kl] == '=') {
      size_t vl = n - kl - 1;
      if (vl >= cap) return NULL;
      memcpy(out, q + kl + 1, vl);
      out[vl] = '\0';
      return out;
    }
    q += n;
    if (*q == '&') q++;
  }
  return NULL;
}

/* --- namespaces --- */

static int namespaces(req *r) {
  bw_error e = {0};
  if (!strcmp(r->method, "GET")) {
    bw_ns_rec *list = NULL;
    size_t n = 0;
    if (bw_store_ns_list(r->a->m, &list, &n, &e)) return fail_err(r, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
      bw_role mine = my_role(r, &list[i]);
      if (list[i].public_ || mine != BW_ROLE_NONE) json_array_append_new(arr, ns_json(&list[i], mine));
    }
    free(list);
    return reply(r, 200, arr);
  }
  if (strcmp(r->method, "POST")) return method_not_allowed(r, "GET, POST");
  if (need_writer(r)) return 0;
  if (!r->sysadmin) return fail(r, 403, "DENIED", "only a system administrator creates namespaces");
  const char *name = bw_json_str(r->body, "name");
  json_t *pub = json_object_get(r->body, "public");
  if (!name) return fail(r, 400, "INVALID", "body: {\"name\": NAME, \"public\": false}");
  if (pub && !json_is_boolean(pub)) return fail(r, 400, "INVALID", "\"public\" must be true or false");
  const char *owner = bw_json_str(r->body, "owner");
  if (bw_auth_namespace_add(r->a, name, json_is_true(pub), owner ? owner : r->me.name, &e)) return fail_err(r, &e);
  bw_ns_rec ns;
  if (bw_store_ns_get(r->a->m, name, &ns, &e)) return fail_err(r, &e);
  return reply(r, 201, ns_json(&ns, BW_ROLE_ADMIN));
}

static int namespace_one(req *r, const char *name) {
  bw_ns_rec ns;
  bw_role mine;
  bw_error e = {0};
  if (visible_ns(r, name, &ns, &mine)) return 0;
  if (!strcmp(r->method, "GET")) return reply(r, 200, ns_json(&ns, mine));
  if (!strcmp(r->method, "PUT") || !strcmp(r->method, "PATCH")) {
    if (need_writer(r)) return 0;
    if (mine != BW_ROLE_ADMIN) return fail(r, 403, "DENIED", "only an admin of %s changes it", name);
    json_t *pub = json_object_get(r->body, "public");
    if (!json_is_boolean(pub)) return fail(r, 400, "INVALID", "body: {\"public\": true|false}");
    if (bw_store_ns_set_public(r->a->m, name, json_is_true(pub), &e)) return fail_err(r, &e);
    ns.public_ = json_is_true(pub);
    return reply(r, 200, ns_json(&ns, mine));
  }
  if (!strcmp(r->method, "DELETE")) {
    if (need_writer(r)) return 0;
    if (!r->sysadmin) return fail(r, 403, "DENIED", "only a system administrator deletes namespaces");
    if (bw_store_ns_delete(r->a->m, name, &e)) return fail_err(r, &e);
    return reply(r, 200, json_pack("{s:s}", "deleted", name));
  }
  return method_not_allowed(r, "GET, PUT, DELETE");
}

static int members(req *r, const char *name, const char *user) {
  bw_ns_rec ns;
  bw_role mine;
  bw_error e = {0};
  if (visible_ns(r, name, &ns, &mine)) return 0;
  if (!strcmp(r->method, "GET")) {
    if (mine == BW_ROLE_NONE) return fail(r, 403, "DENIED", "only members of %s see its members", name);
    bw_member_rec *list = NULL;
    size_t n = 0;
    if (bw_store_member_list(r->a->m, ns.id, &list, &n, &e)) return fail_err(r, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
      if (!user || !strcmp(user, list[i].user))
        json_array_append_new(arr, json_pack("{s:s, s:s}", "user", list[i].user, "role", bw_role_name(list[i].role)));
    free(list);
    if (user) {
      json_t *one = json_incref(json_array_get(arr, 0));
      json_decref(arr);
      if (!one) return fail(r, 404, "NOT_FOUND", "%s is not a member of %s", user, name);
      return reply(r, 200, one);
    }
    return reply(r, 200, arr);
  }
  bool put = !strcmp(r->method, "PUT") || (!user && !strcmp(r->method, "POST"));
  bool del = user && !strcmp(r->method, "DELETE");
  if (!put && !del) return method_not_allowed(r, user ? "GET, PUT, DELETE" : "GET, POST");
  if (need_writer(r)) return 0;
  if (mine != BW_ROLE_ADMIN) return fail(r, 403, "DENIED", "only an admin of %s manages its members", name);
  if (!user) user = bw_json_str(r->body, "user");
  if (!user) return fail(r, 400, "INVALID", "body: {\"user\": NAME, \"role\": ROLE}");
  if (del) {
    if (bw_auth_member_remove(r->a, name, user, &e)) return fail_err(r, &e);
    return reply(r, 200, json_pack("{s:s, s:s}", "user", user, "role", "none"));
  }
  bw_role role;
  if (bw_role_parse(bw_json_str(r->body, "role"), &role, &e)) return fail_err(r, &e);
  if (bw_auth_member_set(r->a, name, user, role, &e)) return fail_err(r, &e);
  return reply(r, 200, json_pack("{s:s, s:s}", "user", user, "role", bw_role_name(role)));
}

/* --- users --- */

static json_t *user_json(const bw_user_rec *u) {
  return json_pack("{s:s, s:b, s:b, s:I}", "name", u->name, "admin", u->sysadmin, "disabled", u->disabled,
                   "created_at", (json_int_t)u->created_at);
}

static int users(req *r, const char *name, const char *sub) {
  bw_error e = {0};
  if (need_user(r)) return 0;
  if (sub) { /* /users/{name}/password */
    if (strcmp(sub, "password")) return fail(r, 404, "NOT_FOUND", "no such resource");
    if (strcmp(r->method, "PUT")) return method_not_allowed(r, "PUT");
    if (need_writer(r)) return 0;
    bool self = !strcmp(name, r->me.name);
    if (!r->sysadmin && !self) return fail(r, 403, "DENIED", "only a system administrator sets others' passwords");
    const char *pw = bw_json_str(r->body, "password");
    if (!pw) return fail(r, 400, "INVALID", "body: {\"password\": NEW, \"current_password\": OLD}");
    if (!r->sysadmin) {
      const char *cur = bw_json_str(r->body, "current_password");
      if (!cur || !bw_password_verify(cur, r->me.password_hash))
        return fail(r, 403, "DENIED", "current_password is wrong");
    }
    if (bw_auth_user_passwd(r->a, name, pw, &e)) return fail_err(r, &e);
    return reply(r, 200, json_pack("{s:s}", "name", name));
  }
  if (name) {
    bool self = !strcmp(name, r->me.name);
    if (!strcmp(r->method, "GET")) {
      if (!r->sysadmin && !self) return fail(r, 403, "DENIED", "only a system administrator sees other users");
      bw_user_rec u;
      if (bw_store_user_get(r->a->m, name, &u, &e)) return fail_err(r, &e);
      return reply(r, 200, user_json(&u));
    }
    if (!strcmp(r->method, "DELETE")) {
      if (need_writer(r)) return 0;
      if (!r->sysadmin) return fail(r, 403, "DENIED", "only a system administrator removes users");
      if (bw_auth_user_rm(r->a, name, &e)) return fail_err(r, &e);
      return reply(r, 200, json_pack("{s:s}", "deleted", name));
    }
    if (!strcmp(r->method, "PUT") || !strcmp(r->method, "PATCH")) { /* {admin, disabled} */
      if (need_writer(r)) return 0;
      if (!r->sysadmin) return fail(r, 403, "DENIED", "only a system administrator changes users");
      json_t *adm = json_object_get(r->body, "admin"), *dis = json_object_get(r->body, "disabled");
      if ((adm && !json_is_boolean(adm)) || (dis && !json_is_boolean(dis)) || (!adm && !dis))
        return fail(r, 400, "INVALID", "body: {\"admin\": BOOL, \"disabled\": BOOL}");
      bw_user_rec u;
      if (bw_store_user_get(r->a->m, name, &u, &e)) return fail_err(r, &e);
      if ((adm && json_is_false(adm) && u.sysadmin) || (dis && json_is_true(dis) && u.sysadmin)) {
        int64_t admins = 0;
        if (bw_store_user_count_sysadmins(r->a->m, &admins, &e)) return fail_err(r, &e);
        if (admins <= 1 && !u.disabled) return fail(r, 409, "CONFLICT", "%s is the last system administrator", name);
      }
      if ((adm && bw_store_user_set_sysadmin(r->a->m, name, json_is_true(adm), &e)) ||
          (dis && bw_store_user_set_disabled(r->a->m, name, json_is_true(dis), &e)))
        return fail_err(r, &e);
      if (bw_store_user_get(r->a->m, name, &u, &e)) return fail_err(r, &e);
      return reply(r, 200, user_json(&u));
    }
    return method_not_allowed(r, "GET, PUT, DELETE");
  }
  if (!r->sysadmin) return fail(r, 403, "DENIED", "only a system administrator manages users");
  if (!strcmp(r->method, "GET")) {
    bw_user_rec *list = NULL;
    size_t n = 0;
    if (bw_store_user_list(r->a->m, &list, &n, &e)) return fail_err(r, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, user_json(&list[i]));
    free(list);
    return reply(r, 200, arr);
  }
  if (strcmp(r->method, "POST")) return method_not_allowed(r, "GET, POST");
  if (need_writer(r)) return 0;
  const char *uname = bw_json_str(r->body, "name"), *pw = bw_json_str(r->body, "password");
  json_t *adm = json_object_get(r->body, "admin");
  if (!uname || (adm && !json_is_boolean(adm)))
    return fail(r, 400, "INVALID", "body: {\"name\": NAME, \"password\": PW (omit to generate), \"admin\": false}");
  char gen[25] = "";
  if (!pw || !*pw) {
    if (bw_random_secret(gen, sizeof gen, 24, &e)) return fail_err(r, &e);
    pw = gen;
  }
  if (bw_auth_user_add(r->a, uname, pw, json_is_true(adm), &e)) return fail_err(r, &e);
  bw_user_rec u;
  if (bw_store_user_get(r->a->m, uname, &u, &e)) return fail_err(r, &e);
  json_t *o = user_json(&u);
  if (gen[0]) json_object_set_new(o, "password", json_string(gen)); /* shown once */
  explicit_bzero(gen, sizeof gen);
  return reply(r, 201, o);
}

/* --- robots --- */

static int robots(req *r, const char *name) {
  bw_error e = {0};
  if (need_user(r)) return 0;
  if (name) {
    if (!strncmp(name, "robot$", 6)) name += 6;
    bw_robot_rec *rb = malloc(sizeof *rb);
    if (!rb) return fail(r, 500, "INTERNAL", "out of memory");
    if (bw_store_robot_get(r->a->m, name, rb, &e)) {
      free(rb);
      return fail_err(r, &e);
    }
    bw_ns_rec ns = {.id = rb->namespace_id};
    bw_role mine = my_role(r, &ns);
    int ret;
    if (mine != BW_ROLE_ADMIN) ret = fail(r, 404, "NOT_FOUND", "robot %s not found", name);
    else if (!strcmp(r->method, "GET")) ret = reply(r, 200, robot_json(rb));
    else if (!strcmp(r->method, "DELETE")) {
      if (need_writer(r)) ret = 0;
      else if (bw_store_robot_delete(r->a->m, name, &e)) ret = fail_err(r, &e);
      else ret = reply(r, 200, json_pack("{s:s+}", "deleted", "robot$", name));
    } else if (!strcmp(r->method, "PUT") || !strcmp(r->method, "PATCH")) { /* {disabled} */
      json_t *dis = json_object_get(r->body, "disabled");
      if (need_writer(r)) ret = 0;
      else if (!json_is_boolean(dis)) ret = fail(r, 400, "INVALID", "body: {\"disabled\": BOOL}");
      else if (bw_store_robot_set_disabled(r->a->m, name, json_is_true(dis), &e)) ret = fail_err(r, &e);
      else {
        rb->disabled = json_is_true(dis);
        ret = reply(r, 200, robot_json(rb));
      }
    } else ret = method_not_allowed(r, "GET, PUT, DELETE");
    free(rb);
    return ret;
  }
  if (!strcmp(r->method, "GET")) {
    char nsq[80];
    bw_ns_rec ns = {0};
    bw_role mine = BW_ROLE_NONE;
    if (query_param(r->query, "namespace", nsq, sizeof nsq)) {
      if (visible_ns(r, nsq, &ns, &mine)) return 0;
      if (mine != BW_ROLE_ADMIN) return fail(r, 403, "DENIED", "only an admin of %s sees its robots", nsq);
    }
    bw_robot_rec *list = NULL;
    size_t n = 0;
    if (bw_store_robot_list(r->a->m, ns.id, &list, &n, &e)) return fail_err(r, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
      bw_ns_rec rn = {.id = list[i].namespace_id};
      if (my_role(r, &rn) == BW_ROLE_ADMIN) json_array_append_new(arr, robot_json(&list[i]));
    }
    free(list);
    return reply(r, 200, arr);
  }
  if (strcmp(r->method, "POST")) return method_not_allowed(r, "GET, POST");
  if (need_writer(r)) return 0;
  const char *rname = bw_json_str(r->body, "name"), *nsname = bw_json_str(r->body, "namespace");
  json_t *scopes = json_object_get(r->body, "scopes");
  if (!rname || !nsname || !json_is_array(scopes))
    return fail(r, 400, "INVALID",
                "body: {\"name\", \"namespace\", \"scopes\": [\"NS/REPO_GLOB:pull,push\" or "
                "{\"repository\", \"actions\": [...]}], \"expires_in\": SECONDS or \"expires_at\": EPOCH, "
                "\"description\"}");
  bw_ns_rec ns;
  bw_role mine;
  if (visible_ns(r, nsname, &ns, &mine)) return 0;
  if (mine != BW_ROLE_ADMIN) return fail(r, 403, "DENIED", "only an admin of %s creates its robots", nsname);
  size_t n = json_array_size(scopes);
  if (n == 0 || n > BW_AUTH_SCOPES_MAX) return fail(r, 400, "INVALID", "1 to %d scopes", BW_AUTH_SCOPES_MAX);
  char specs[BW_AUTH_SCOPES_MAX][BW_AUTH_GLOB_MAX + 32];
  const char *ptrs[BW_AUTH_SCOPES_MAX];
  for (size_t i = 0; i < n; i++) {
    json_t *s = json_array_get(scopes, i);
    if (json_is_string(s)) {
      snprintf(specs[i], sizeof specs[i], "%s", json_string_value(s));
    } else if (json_is_object(s) && json_is_string(json_object_get(s, "repository")) &&
               json_is_array(json_object_get(s, "actions"))) {
      char acts[64] = "";
      size_t k;
      json_t *x;
      json_array_foreach(json_object_get(s, "actions"), k, x) {
        if (!json_is_string(x) || strlen(json_string_value(x)) > 8 || k > 4)
          return fail(r, 400, "INVALID", "actions: pull, push, delete");
        size_t al = strlen(acts);
        snprintf(acts + al, sizeof acts - al, "%s%s", k ? "," : "", json_string_value(x));
      }
      snprintf(specs[i], sizeof specs[i], "%s:%s", bw_json_str(s, "repository"), acts);
    } else {
      return fail(r, 400, "INVALID", "a scope is \"NS/REPO_GLOB:ACTIONS\" or {\"repository\", \"actions\"}");
    }
    ptrs[i] = specs[i];
  }
  int64_t expires_at = 0;
  json_t *ein = json_object_get(r->body, "expires_in"), *eat = json_object_get(r->body, "expires_at");
  if (ein && (!json_is_integer(ein) || json_integer_value(ein) <= 0 || json_integer_value(ein) > 100LL * 365 * 86400))
    return fail(r, 400, "INVALID", "expires_in: seconds, positive");
  if (eat && (!json_is_integer(eat) || json_integer_value(eat) < 0))
    return fail(r, 400, "INVALID", "expires_at: seconds since the epoch");
  if (ein) expires_at = bw_meta_now() + (int64_t)json_integer_value(ein);
  else if (eat) expires_at = (int64_t)json_integer_value(eat);
  const char *desc = bw_json_str(r->body, "description");
  if (desc && strlen(desc) > 200) return fail(r, 400, "INVALID", "description: at most 200 bytes");
  char *secret = NULL;
  if (bw_auth_robot_add(r->a, rname, nsname, ptrs, n, expires_at, desc, r->me.id, &secret, &e)) return fail_err(r, &e);
  if (!strncmp(rname, "robot$", 6)) rname += 6;
  bw_robot_rec *rb = malloc(sizeof *rb);
  json_t *o = NULL;
  if (rb && bw_store_robot_get(r->a->m, rname, rb, &e) == 0) o = robot_json(rb);
  free(rb);
  if (!o) {
    explicit_bzero(secret, strlen(secret));
    free(secret);
    return fail_err(r, &e);
  }
  json_object_set_new(o, "secret", json_string(secret)); /* the only time it is shown */
  explicit_bzero(secret, strlen(secret));
  free(secret);
  return reply(r, 201, o);
}

/* --- routing --- */

int bw_auth_api(bw_auth *a, const bw_principal *p, const char *method, const char *path, const char *query,
                const char *body, size_t body_len, int *status, char **json, bw_error *err) {
  *status = 500;
  *json = NULL;
  if (!path || path[0] != '/') return -BW_ENOTFOUND;
  /* split into segments (at most MAX_SEGS, each a name-sized component) */
  char buf[512];
  size_t pl = strnlen(path, sizeof buf);
  if (pl >= sizeof buf) return -BW_ENOTFOUND;
  memcpy(buf, path, pl + 1);
  if (pl > 1 && buf[pl - 1] == '/') buf[--pl] = '\0'; /* one trailing slash is tolerated */
  char *segs[MAX_SEGS + 1];
  size_t ns = 0;
  for (char *s = buf + 1; ns <= MAX_SEGS;) {
    segs[ns++] = s;
    char *sl = strchr(s, '/');
    if (!sl) break;
    *sl = '\0';
    s = sl + 1;
  }
  if (ns > MAX_SEGS) return -BW_ENOTFOUND;
  if (strcmp(segs[0], "namespaces") && strcmp(segs[0], "users") && strcmp(segs[0], "robots")) return -BW_ENOTFOUND;

  req r = {.a = a, .p = p, .method = method ? method : "GET", .query = query, .status = status, .json = json};
  bw_principal anon = {0};
  if (!r.p) r.p = &anon;
  if (r.p->kind == BW_PRINCIPAL_USER) {
    bw_error e = {0};
    if (bw_store_user_get_by_id(a->m, r.p->id, &r.me, &e) == 0 && !r.me.disabled) {
      r.is_user = true;
      r.sysadmin = r.me.sysadmin;
    }
  }
  for (size_t i = 1; i < ns; i++) /* "robot%24NAME" as URL-encoding clients send it */
    if (!strncmp(segs[i], "robot%24", 8)) {
      segs[i] += 2;
      memcpy(segs[i], "robot$", 6);
    }
  for (size_t i = 1; i < ns; i++) /* path parameters are names (robots may carry "robot$") */
    if (!bw_auth_name_valid(!strncmp(segs[i], "robot$", 6) ? segs[i] + 6 : segs[i]) &&
        strcmp(segs[i], "members") && strcmp(segs[i], "password")) {
      fail(&r, 404, "NOT_FOUND", "no such resource");
      goto done;
    }
  if (is_write(r.method) && body && body_len) {
    if (body_len > BW_LIMIT_AUTH_API_BODY_BYTES) {
      fail(&r, 413, "LIMIT", "request body larger than %u bytes", (unsigned)BW_LIMIT_AUTH_API_BODY_BYTES);
      goto done;
    }
    bw_error je = {0};
    if (bw_json_parse(&r.body, body, body_len, BW_LIMIT_AUTH_API_BODY_BYTES, "request body", &je)) {
      fail(&r, 400, "INVALID", "%s", je.msg);
      goto done;
    }
    if (!json_is_object(r.body)) {
      fail(&r, 400, "INVALID", "the request body must be a JSON object");
      goto done;
    }
  }
  if (!strcmp(segs[0], "namespaces")) {
    if (ns == 1) namespaces(&r);
    else if (ns == 2) namespace_one(&r, segs[1]);
    else if (!strcmp(segs[2], "members") && ns <= 4) members(&r, segs[1], ns == 4 ? segs[3] : NULL);
    else fail(&r, 404, "NOT_FOUND", "no such resource");
  } else if (!strcmp(segs[0], "users")) {
    if (ns <= 3) users(&r, ns >= 2 ? segs[1] : NULL, ns == 3 ? segs[2] : NULL);
    else fail(&r, 404, "NOT_FOUND", "no such resource");
  } else {
    if (ns <= 2) robots(&r, ns == 2 ? segs[1] : NULL);
    else fail(&r, 404, "NOT_FOUND", "no such resource");
  }
done:
  json_decref(r.body);
  explicit_bzero(&r.me, sizeof r.me);
  if (!*json) return bw_error_set(err, BW_ENOMEM, "out of memory");
  return 0;
}
