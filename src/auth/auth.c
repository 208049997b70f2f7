/* Access control: authentication (Basic, Bearer), the authorization matrix, tokens, management. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/auth.h"
#include "auth/auth_internal.h"
#include "auth/auth_store.h"
#include "auth/password.h"
#include "auth/token.h"
#include "base/limits.h"
#include "image/registry_auth.h"

#define ALL_ACTS (BW_ACT_PULL | BW_ACT_PUSH | BW_ACT_DELETE)
#define SECRET_LEN 40

/* --- names --- */

static bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* One OCI path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool component_valid(const char *s, size_t n) {
  size_t i = 0;
  if (n == 0) return false;
  for (;;) {
    if (i >= n || !alnum(s[i])) return false;
    while (i < n && alnum(s[i])) i++;
    if (i == n) return true;
    if (s[i] == '.') i++;
    else if (s[i] == '_') i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
    else if (s[i] == '-') {
      while (i < n && s[i] == '-') i++;
    } else return false;
  }
}

bool bw_auth_name_valid(const char *name) {
  if (!name) return false;
  size_t n = strnlen(name, 66);
  return n <= 64 && component_valid(name, n);
}

bool bw_auth_repo_valid(const char *repo) {
  if (!repo) return false;
  size_t n = strnlen(repo, BW_LIMIT_REPO_NAME_BYTES + 1);
  if (n == 0 || n > BW_LIMIT_REPO_NAME_BYTES) return false;
  const char *s = repo, *end = repo + n;
  bool first = true;
  while (s <= end) {
    const char *sl = memchr(s, '/', (size_t)(end - s));
    const char *ce = sl ? sl : end;
    if (!component_valid(s, (size_t)(ce - s))) return false;
    if (first && ce - s > 64) return false; /* the namespace is a name */
    first = false;
    if (!sl) break;
    s = sl + 1;
  }
  return true;
}

/* A robot scope glob: like a repository but components may hold '*' (and nothing else special);
 * the first component is a literal namespace. */
bool bw_auth_glob_valid(const char *glob) {
  size_t n = strnlen(glob, BW_AUTH_GLOB_MAX);
  if (n == 0 || n >= BW_AUTH_GLOB_MAX) return false;
  const char *s = glob, *end = glob + n;
  bool first = true;
  while (s <= end) {
    const char *sl = memchr(s, '/', (size_t)(end - s));
    const char *ce = sl ? sl : end;
    size_t cn = (size_t)(ce - s);
    if (first) {
      if (cn > 64 || !component_valid(s, cn)) return false;
    } else if (!memchr(s, '*', cn)) {
      if (!component_valid(s, cn)) return false;
    } else {
      if (cn == 0) return false;
      for (size_t i = 0; i < cn; i++)
        if (!alnum(s[i]) && !strchr("._-*", s[i])) return false;
    }
    first = false;
    if (!sl) break;
    s = sl + 1;
  }
  return true;
}

static bool glob_match(const char *glob, const char *repo) {
  if (!strchr(glob, '*')) return strcmp(glob, repo) == 0;
  return fnmatch(glob, repo, 0) == 0;
}

const char *bw_role_name(bw_role r) {
  switch (r) {
  case BW_ROLE_GUEST: return "guest";
  case BW_ROLE_DEVELOPER: return "developer";
  case BW_ROLE_MAINTAINER: return "maintainer";
  case BW_ROLE_ADMIN: return "admin";
  default: return "none";
  }
}

int bw_role_parse(const char *s, bw_role *out, bw_error *err) {
  static const bw_role roles[] = {BW_ROLE_GUEST, BW_ROLE_DEVELOPER, BW_ROLE_MAINTAINER, BW_ROLE_ADMIN};
  for (size_t i = 0; s && i < sizeof roles / sizeof roles[0]; i++)
    if (!strcmp(s, bw_role_name(roles[i]))) {
      *out = roles[i];
      return 0;
    }
  return bw_error_set(err, BW_EINVAL, "unknown role \"%.64s\" (admin, maintainer, developer or guest)", s ? s : "");
}

static unsigned role_actions(bw_role r) {
  switch (r) {
  case BW_ROLE_GUEST: return BW_ACT_PULL;
  case BW_ROLE_DEVELOPER: return BW_ACT_PULL | BW_ACT_PUSH;
  case BW_ROLE_MAINTAINER:
  case BW_ROLE_ADMIN: return ALL_ACTS;
  default: return 0;
  }
}

/* --- the object --- */

/* MAC of "bw-cred" NUL name NUL password under the signing key (a cache key that reveals nothing). */
static bool cred_mac(const uint8_t *key, const char *name, const char *pw, unsigned char *mac, unsigned *ml) {
  size_t nl = strlen(name), pl = strlen(pw);
  size_t n = 8 + nl + 1 + pl;
  unsigned char *msg = malloc(n);
  if (!msg) return false; /* no cache for this check */
  memcpy(msg, "bw-cred", 8);
  memcpy(msg + 8, name, nl + 1);
  memcpy(msg + 9 + nl, pw, pl);
  HMAC(EVP_sha256(), key, BW_TOKEN_KEY_BYTES, msg, n, mac, ml);
  explicit_bzero(msg, n);
  free(msg);
  return true;
}

int bw_auth_new(bw_auth **out, bw_meta *m, const char *key_path, const char *service, const char *realm,
                bw_error *err) {
  *out = NULL;
  bw_auth *a = calloc(1, sizeof *a);
  if (!a) return bw_error_set(err, BW_ENOMEM, "out of memory");
  a->m = m;
  a->ttl = 300;
  a->cache = calloc(BW_AUTH_CRED_CACHE, sizeof *a->cache);
  if (!a->cache) {
    free(a);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  pthread_mutex_init(&a->cache_mu, NULL);
  snprintf(a->service, sizeof a->service, "%s", service && *service ? service : "bulwark");
  snprintf(a->realm, sizeof a->realm, "%s", realm ? realm : "");
  int r = 0;
  if (strchr(a->service, '"') || strchr(a->realm, '"'))
    r = bw_error_set(err, BW_EINVAL, "service and realm may not contain '\"'");
  if (!r) r = bw_token_key_load(key_path, a->key, err);
  if (r) {
    bw_auth_free(a);
    return r;
  }
  *out = a;
  return 0;
}

void bw_auth_free(bw_auth *a) {
  if (!a) return;
  explicit_bzero(a->key, sizeof a->key);
  if (a->cache) {
    explicit_bzero(a->cache, BW_AUTH_CRED_CACHE * sizeof *a->cache);
    free(a->cache);
    pthread_mutex_destroy(&a->cache_mu);
  }
  free(a);
}

void bw_auth_set_token_ttl(bw_auth *a, int64_t seconds) {
  if (seconds >= 1 && seconds <= 86400) a->ttl = seconds;
}

/* --- management --- */

int bw_auth_user_add(bw_auth *a, const char *name, const char *password, bool sysadmin, bw_error *err) {
  if (!bw_auth_name_valid(name))
    return bw_error_set(err, BW_EINVAL, "invalid user name \"%.64s\" (lowercase letters, digits, '.', '_', '-'; "
                                        "at most 64)", name ? name : "");
  char hash[BW_AUTH_HASH_MAX];
  int r = bw_password_hash(password ? password : "", hash, sizeof hash, err);
  if (r) return r;
  return bw_store_user_add(a->m, name, hash, sysadmin, NULL, err);
}

int bw_auth_user_passwd(bw_auth *a, const char *name, const char *password, bw_error *err) {
  char hash[BW_AUTH_HASH_MAX];
  int r = bw_password_hash(password ? password : "", hash, sizeof hash, err);
  if (r) return r;
  return bw_store_user_set_password(a->m, name, hash, err);
}

int bw_auth_user_rm(bw_auth *a, const char *name, bw_error *err) {
  int r = bw_meta_begin(a->m, err);
  if (r) return r;
  bw_user_rec u;
  int64_t admins = 0;
  r = bw_store_user_get(a->m, name, &u, err);
  if (!r && u.sysadmin && !u.disabled) {
    r = bw_store_user_count_sysadmins(a->m, &admins, err);
    if (!r && admins <= 1) r = bw_error_set(err, BW_ECONFLICT, "%s is the last system administrator", name);
  }
  if (!r) r = bw_store_user_delete(a->m, name, err);
  if (r) {
    bw_meta_rollback(a->m);
    return r;
  }
  return bw_meta_commit(a->m, err);
}

int bw_auth_namespace_add(bw_auth *a, const char *name, bool public_, const char *owner, bw_error *err) {
  if (!bw_auth_name_valid(name))
    return bw_error_set(err, BW_EINVAL, "invalid namespace name \"%.64s\" (lowercase letters, digits, '.', '_', "
                                        "'-'; at most 64)", name ? name : "");
  int r = bw_meta_begin(a->m, err);
  if (r) return r;
  bw_user_rec u = {0};
  int64_t id = 0;
  if (owner && *owner) r = bw_store_user_get(a->m, owner, &u, err);
  if (!r) r = bw_store_ns_add(a->m, name, public_, u.id, &id, err);
  if (!r && u.id) r = bw_store_member_set(a->m, id, u.id, BW_ROLE_ADMIN, err);
  if (r) {
    bw_meta_rollback(a->m);
    return r;
  }
  return bw_meta_commit(a->m, err);
}

int bw_auth_member_set(bw_auth *a, const char *ns, const char *user, bw_role role, bw_error *err) {
  bw_ns_rec n;
  bw_user_rec u;
  int r = bw_store_ns_get(a->m, ns, &n, err);
  if (!r) r = bw_store_user_get(a->m, user, &u, err);
  if (!r) r = bw_store_member_set(a->m, n.id, u.id, role, err);
  return r;
}

int bw_auth_member_remove(bw_auth *a, const char *ns, const char *user, bw_error *err) {
  bw_ns_rec n;
  bw_user_rec u;
  int r = bw_store_ns_get(a->m, ns, &n, err);
  if (!r) r = bw_store_user_get(a->m, user, &u, err);
  if (!r) r = bw_store_member_remove(a->m, n.id, u.id, err);
  if (r == -BW_ENOTFOUND && err && !strcmp(err->msg, "not a member of the namespace")) {
    bw_error_clear(err);
    r = bw_error_set(err, BW_ENOTFOUND, "%s is not a member of %s", user, ns);
  }
  return r;
}

/* Parses "GLOB:ACTIONS" into s, checking the glob belongs to ns. */
int bw_auth_scope_parse(const char *spec, const char *ns, bw_robot_scope *s, bw_error *err) {
  const char *colon = strrchr(spec, ':');
  if (!colon) return bw_error_set(err, BW_EINVAL, "scope \"%.300s\": want REPO_GLOB:ACTIONS (team/app:pull,push)", spec);
  size_t gl = (size_t)(colon - spec);
  if (gl >= sizeof s->repo_glob) return bw_error_set(err, BW_EINVAL, "scope \"%.300s\": repository glob too long", spec);
  memcpy(s->repo_glob, spec, gl);
  s->repo_glob[gl] = '\0';
  if (!bw_auth_glob_valid(s->repo_glob))
    return bw_error_set(err, BW_EINVAL, "scope \"%.300s\": invalid repository glob (NS/REPO, '*' allowed after NS/)",
                        spec);
  size_t nl = strlen(ns);
  if (strncmp(s->repo_glob, ns, nl) || (s->repo_glob[nl] != '/' && s->repo_glob[nl] != '\0'))
    return bw_error_set(err, BW_EINVAL, "scope \"%.300s\": a robot of namespace %s only gets repositories in %s/",
                        spec, ns, ns);
  if (s->repo_glob[nl] == '\0') /* "team" alone means every repository of the namespace */
    snprintf(s->repo_glob + nl, sizeof s->repo_glob - nl, "/*");
  if (bw_actions_parse(colon + 1, strlen(colon + 1), &s->actions) || !s->actions)
    return bw_error_set(err, BW_EINVAL, "scope \"%.300s\": actions are pull, push, delete or * (comma-separated)",
                        spec);
  return 0;
}

int bw_auth_robot_add(bw_auth *a, const char *name, const char *ns, const char *const *scopes, size_t nscopes,
                      int64_t expires_at, const char *description, int64_t created_by, char **secret,
                      bw_error *err) {
  *secret = NULL;
  if (name && !strncmp(name, "robot$", 6)) name += 6;
  if (!bw_auth_name_valid(name))
    return bw_error_set(err, BW_EINVAL, "invalid robot name \"%.64s\" (lowercase letters, digits, '.', '_', '-')",
                        name ? name : "");
  if (nscopes == 0) return bw_error_set(err, BW_EINVAL, "a robot needs at least one scope");
  if (nscopes > BW_AUTH_SCOPES_MAX) return bw_error_set(err, BW_ELIMIT, "at most %d scopes", BW_AUTH_SCOPES_MAX);
  if (expires_at < 0) return bw_error_set(err, BW_EINVAL, "invalid expiry");
  bw_robot_rec *rb = calloc(1, sizeof *rb);
  if (!rb) return bw_error_set(err, BW_ENOMEM, "out of memory");
  bw_ns_rec n;
  int r = bw_store_ns_get(a->m, ns ? ns : "", &n, err);
  for (size_t i = 0; !r && i < nscopes; i++) r = bw_auth_scope_parse(scopes[i], n.name, &rb->scopes[i], err);
  char sec[SECRET_LEN + 1];
  if (!r) r = bw_random_secret(sec, sizeof sec, SECRET_LEN, err);
  if (!r) r = bw_password_hash(sec, rb->secret_hash, sizeof rb->secret_hash, err);
  if (!r) {
    snprintf(rb->name, sizeof rb->name, "%s", name);
    snprintf(rb->description, sizeof rb->description, "%s", description ? description : "");
    rb->namespace_id = n.id;
    rb->expires_at = expires_at;
    rb->created_by = created_by;
    rb->nscopes = nscopes;
    r = bw_store_robot_add(a->m, rb, err);
  }
  free(rb);
  if (!r && !(*secret = strdup(sec))) r = bw_error_set(err, BW_ENOMEM, "out of memory");
  explicit_bzero(sec, sizeof sec);
  return r;
}

int bw_auth_robot_rm(bw_auth *a, const char *name, bw_error *err) {
  if (name && !strncmp(name, "robot$", 6)) name += 6;
  return bw_store_robot_delete(a->m, name ? name : "", err);
}

int bw_auth_bootstrap(bw_auth *a, const char *password, char **generated, bw_error *err) {
  if (generated) *generated = NULL;
  int64_t n = 0;
  int r = bw_store_user_count(a->m, &n, err);
  if (r || n > 0) return r;
  char gen[25];
  const char *pw = password;
  if (!pw || !*pw) {
    if ((r = bw_random_secret(gen, sizeof gen, 24, err))) return r;
    pw = gen;
  }
  r = bw_auth_user_add(a, "admin", pw, true, err);
  if (r == -BW_ECONFLICT) { /* another process bootstrapped at the same time */
    bw_error_clear(err);
    return 0;
  }
  if (!r && pw == gen && generated && !(*generated = strdup(gen))) r = bw_error_set(err, BW_ENOMEM, "out of memory");
  explicit_bzero(gen, sizeof gen);
  return r;
}

/* --- authentication --- */

static int deny(bw_error *err, const char *msg) { return bw_error_set(err, BW_EAUTH, "%s", msg); }

static int principal_user(bw_principal *out, const bw_user_rec *u) {
  out->kind = BW_PRINCIPAL_USER;
  out->id = u->id;
  out->sysadmin = u->sysadmin;
  snprintf(out->name, sizeof out->name, "%s", u->name);
  return 0;
}

static void principal_robot(bw_principal *out, const bw_robot_rec *rb) {
  out->kind = BW_PRINCIPAL_ROBOT;
  out->id = rb->id;
  snprintf(out->name, sizeof out->name, "robot$%s", rb->name);
}

static bool robot_alive(const bw_robot_rec *rb) {
  return !rb->disabled && (rb->expires_at == 0 || bw_meta_now() < rb->expires_at);
}

/* bw_password_verify with the cache of recent successes (see bw_cred_entry). */
static bool verify_cached(bw_auth *a, const char *name, const char *pw, const char *hash) {
  unsigned char mac[32];
  unsigned int ml = sizeof mac;
  if (!cred_mac(a->key, name, pw, mac, &ml)) return bw_password_verify(pw, hash);
  int64_t now = bw_meta_now();
  bw_cred_entry *e = &a->cache[mac[0] % BW_AUTH_CRED_CACHE];
  pthread_mutex_lock(&a->cache_mu);
  bool hit = CRYPTO_memcmp(e->mac, mac, sizeof mac) == 0 && now < e->until && bw_ct_streq(e->hash, hash);
  pthread_mutex_unlock(&a->cache_mu);
  if (hit) return true;
  if (!bw_password_verify(pw, hash)) return false;
  if (strlen(hash) < sizeof e->hash) {
    pthread_mutex_lock(&a->cache_mu);
    memcpy(e->mac, mac, sizeof mac);
    memcpy(e->hash, hash, strlen(hash) + 1);
    e->until = now + BW_AUTH_CRED_CACHE_TTL;
    pthread_mutex_unlock(&a->cache_mu);
  }
  return true;
}

static int auth_basic(bw_auth *a, const char *b64, bw_principal *out, bw_error *err) {
  char *dec = NULL;
  size_t dl = 0;
  bw_error e2 = {0};
  while (*b64 == ' ') b64++;
  if (bw_base64_decode(b64, strlen(b64), &dec, &dl, &e2) < 0) return deny(err, "malformed Basic credentials");
  char *colon = memchr(dec, ':', dl);
  if (!colon || memchr(dec, '\0', dl) || colon == dec) {
    explicit_bzero(dec, dl);
    free(dec);
    return deny(err, "malformed Basic credentials");
  }
  *colon = '\0';
  const char *name = dec, *pw = colon + 1;
  int r = 0;
  if (!strncmp(name, "robot$", 6)) {
    bw_robot_rec *rb = malloc(sizeof *rb);
    if (!rb) r = bw_error_set(err, BW_ENOMEM, "out of memory");
    else if (!bw_auth_name_valid(name + 6) || bw_store_robot_get(a->m, name + 6, rb, &e2) < 0) {
      if (e2.code && e2.code != BW_ENOTFOUND) r = bw_error_set(err, e2.code, "%s", e2.msg);
      else {
        bw_password_dummy_verify(pw);
        r = deny(err, "invalid user name or password");
      }
    } else if (!verify_cached(a, name, pw, rb->secret_hash)) {
      r = deny(err, "invalid user name or password");
    } else if (!robot_alive(rb)) {
      r = deny(err, rb->disabled ? "robot account disabled" : "robot account expired");
    } else {
      principal_robot(out, rb);
    }
    free(rb);
  } else {
    bw_user_rec u;
    if (!bw_auth_name_valid(name) || bw_store_user_get(a->m, name, &u, &e2) < 0) {
      if (e2.code && e2.code != BW_ENOTFOUND) r = bw_error_set(err, e2.code, "%s", e2.msg);
      else {
        bw_password_dummy_verify(pw);
        r = deny(err, "invalid user name or password");
      }
    } else if (!verify_cached(a, name, pw, u.password_hash)) {
      r = deny(err, "invalid user name or password");
    } else if (u.disabled) {
      r = deny(err, "account disabled");
    } else {
      principal_user(out, &u);
    }
    explicit_bzero(u.password_hash, sizeof u.password_hash);
  }
  explicit_bzero(dec, dl);
  free(dec);
  return r;
}

/* Fills out from a verified token's subject (which must still exist and be enabled). */
int bw_auth_principal_from_claims(bw_auth *a, const bw_token_claims *c, bw_principal *out, bw_error *err) {
  bw_error e2 = {0};
  if (!c->sub[0]) {
    out->kind = BW_PRINCIPAL_ANONYMOUS;
  } else if (!strncmp(c->sub, "robot$", 6)) {
    bw_robot_rec *rb = malloc(sizeof *rb);
    if (!rb) return bw_error_set(err, BW_ENOMEM, "out of memory");
    int r = bw_store_robot_get(a->m, c->sub + 6, rb, &e2);
    if (r == 0 && robot_alive(rb)) principal_robot(out, rb);
    free(rb);
    if (r && e2.code != BW_ENOTFOUND) return bw_error_set(err, e2.code, "%s", e2.msg);
    if (out->kind != BW_PRINCIPAL_ROBOT) return deny(err, "invalid token: robot account gone, disabled or expired");
  } else {
    bw_user_rec u;
    int r = bw_store_user_get(a->m, c->sub, &u, &e2);
    if (r && e2.code != BW_ENOTFOUND) return bw_error_set(err, e2.code, "%s", e2.msg);
    if (r || u.disabled) return deny(err, "invalid token: account gone or disabled");
    principal_user(out, &u);
  }
  out->token_scoped = true;
  for (size_t i = 0; i < c->naccess && i < BW_AUTH_SCOPES_MAX; i++) {
    char acts[32];
    if (!strcmp(c->access[i].type, "registry")) snprintf(acts, sizeof acts, "*");
    else bw_actions_format(c->access[i].actions, acts, sizeof acts);
    snprintf(out->scopes[out->nscopes++], sizeof out->scopes[0], "%s:%s:%s", c->access[i].type, c->access[i].name,
             acts);
  }
  return 0;
}

int bw_auth_authenticate(bw_auth *a, const char *authorization, bw_principal *out, bw_error *err) {
  memset(out, 0, sizeof *out);
  if (!authorization || !*authorization) return 0;
  size_t n = strnlen(authorization, BW_LIMIT_AUTH_HEADER_BYTES + 1);
  if (n > BW_LIMIT_AUTH_HEADER_BYTES) return deny(err, "Authorization header too long");
  int r;
  if (!strncasecmp(authorization, "Basic ", 6)) {
    r = auth_basic(a, authorization + 6, out, err);
  } else if (!strncasecmp(authorization, "Bearer ", 7)) {
    const char *t = authorization + 7;
    while (*t == ' ') t++;
    bw_token_claims *c = malloc(sizeof *c);
    if (!c) return bw_error_set(err, BW_ENOMEM, "out of memory");
    bw_error e2 = {0};
    r = bw_token_verify(a->key, a->service, a->service, t, strlen(t), bw_meta_now(), c, &e2);
    if (r) r = deny(err, "invalid or expired token");
    else r = bw_auth_principal_from_claims(a, c, out, err);
    free(c);
  } else {
    r = deny(err, "unsupported authorization scheme (use Basic or Bearer)");
  }
  if (r) memset(out, 0, sizeof *out);
  return r;
}

/* --- authorization --- */

/* The actions a token's scopes grant on repo. */
static unsigned token_actions(const bw_principal *p, const char *repo) {
  unsigned acts = 0;
  for (size_t i = 0; i < p->nscopes && i < BW_AUTH_SCOPES_MAX; i++) {
    const char *s = p->scopes[i];
    if (strncmp(s, "repository:", 11)) continue;
    const char *name = s + 11, *colon = strrchr(name, ':');
    if (!colon) continue;
    char glob[256];
    size_t gl = (size_t)(colon - name);
    if (gl >= sizeof glob) continue;
    memcpy(glob, name, gl);
    glob[gl] = '\0';
    unsigned bits;
    if (glob_match(glob, repo) && !bw_actions_parse(colon + 1, strlen(colon + 1), &bits)) acts |= bits;
  }
  return acts;
}

unsigned bw_auth_allowed(bw_auth *a, const bw_principal *p, const char *repo, unsigned wanted) {
  wanted &= ALL_ACTS;
  if (!p || !wanted || !bw_auth_repo_valid(repo)) return 0;
  if (p->token_scoped) wanted &= token_actions(p, repo);
  if (!wanted) return 0;
  char ns[72];
  const char *sl = strchr(repo, '/');
  size_t nl = sl ? (size_t)(sl - repo) : strlen(repo);
  memcpy(ns, repo, nl);
  ns[nl] = '\0';
  bw_error e = {0};
  bw_access_rec acc;
  /* one lookup for the user, the namespace and the role: the store is the truth, so a user
   * disabled, demoted or removed since the request's authentication loses the rights at once */
  if (bw_store_access_get(a->m, p->kind == BW_PRINCIPAL_USER ? p->id : 0, ns, &acc, &e)) return 0;
  unsigned got = 0;
  switch (p->kind) {
  case BW_PRINCIPAL_USER:
    if (acc.user_found && !acc.disabled) {
      if (acc.sysadmin) return wanted;
      got |= role_actions(acc.role);
    }
    break;
  case BW_PRINCIPAL_ROBOT: {
    bw_robot_rec *rb = malloc(sizeof *rb);
    bool ok = rb && bw_store_robot_get_by_id(a->m, p->id, rb, &e) == 0 && robot_alive(rb);
    if (ok && acc.ns_found && rb->namespace_id == acc.ns_id)
      for (size_t i = 0; i < rb->nscopes; i++)
        if (glob_match(rb->scopes[i].repo_glob, repo)) got |= rb->scopes[i].actions;
    free(rb);
    if (!ok) return 0; /* a dead robot gets nothing, not even anonymous rights */
    break;
  }
  default: break;
  }
  if (acc.ns_found && acc.ns_public) got |= BW_ACT_PULL;
  return wanted & got;
}

bool bw_auth_catalog_allowed(bw_auth *a, const bw_principal *p) {
  if (!p || p->kind != BW_PRINCIPAL_USER) return false;
  if (p->token_scoped) {
    bool granted = false;
    for (size_t i = 0; i < p->nscopes && i < BW_AUTH_SCOPES_MAX; i++)
      if (!strncmp(p->scopes[i], "registry:catalog:", 17)) granted = true;
    if (!granted) return false;
  }
  bw_user_rec u;
  bw_error e = {0};
  return bw_store_user_get_by_id(a->m, p->id, &u, &e) == 0 && !u.disabled && u.sysadmin;
}

int bw_auth_namespace_ensure(bw_auth *a, const bw_principal *p, const char *ns, bw_error *err) {
  if (!bw_auth_name_valid(ns)) return bw_error_set(err, BW_EINVAL, "invalid namespace name \"%.64s\"", ns ? ns : "");
  bw_ns_rec n;
  bw_error e = {0};
  int r = bw_store_ns_get(a->m, ns, &n, &e);
  if (r == 0) return 0;
  if (r != -BW_ENOTFOUND) return bw_error_set(err, e.code, "%s", e.msg);
  bw_user_rec u;
  bw_error_clear(&e);
  if (!p || p->kind != BW_PRINCIPAL_USER || bw_store_user_get_by_id(a->m, p->id, &u, &e) != 0 || u.disabled ||
      !u.sysadmin)
    return bw_error_set(err, BW_ENOTFOUND, "namespace %s does not exist", ns);
  r = bw_auth_namespace_add(a, ns, false, u.name, err);
  if (r == -BW_ECONFLICT) { /* created meanwhile by another request */
    bw_error_clear(err);
    return 0;
  }
  return r;
}

/* --- tokens --- */

static int add_access(bw_token_claims *c, const char *type, const char *name, unsigned acts, bw_error *err) {
  for (size_t i = 0; i < c->naccess; i++)
    if (!strcmp(c->access[i].type, type) && !strcmp(c->access[i].name, name)) {
      c->access[i].actions |= acts;
      return 0;
    }
  if (c->naccess >= BW_AUTH_SCOPES_MAX)
    return bw_error_set(err, BW_ELIMIT, "at most %d scopes per token", BW_AUTH_SCOPES_MAX);
  bw_token_access *e = &c->access[c->naccess++];
  snprintf(e->type, sizeof e->type, "%s", type);
  snprintf(e->name, sizeof e->name, "%s", name);
  e->actions = acts;
  return 0;
}

/* One scope "repository:NAME:ACTIONS" (or registry:catalog:*). */
static int grant_scope(bw_auth *a, const bw_principal *p, const char *s, size_t n, bw_token_claims *c,
                       bw_error *err) {
  char buf[512];
  if (n >= sizeof buf) return bw_error_set(err, BW_EINVAL, "scope too long");
  memcpy(buf, s, n);
  buf[n] = '\0';
  char *c1 = strchr(buf, ':'), *c2 = strrchr(buf, ':');
  if (!c1 || c1 == c2) return bw_error_set(err, BW_EINVAL, "malformed scope \"%.200s\"", buf);
  *c1 = *c2 = '\0';
  const char *type = buf, *name = c1 + 1, *acts = c2 + 1;
  unsigned want;
  if (bw_actions_parse(acts, strlen(acts), &want))
    return bw_error_set(err, BW_EINVAL, "unknown action in scope \"%.200s\"", s);
  if (!strcmp(type, "repository")) {
    if (!bw_auth_repo_valid(name)) return bw_error_set(err, BW_EINVAL, "invalid repository name in scope");
    unsigned got = bw_auth_allowed(a, p, name, want);
    return got ? add_access(c, "repository", name, got, err) : 0;
  }
  if (!strcmp(type, "registry") && !strcmp(name, "catalog"))
    return bw_auth_catalog_allowed(a, p) ? add_access(c, "registry", "catalog", ALL_ACTS, err) : 0;
  return 0; /* other resource types (plugins, ...): nothing granted */
}

int bw_auth_issue_token(bw_auth *a, const bw_principal *p, const char *const *scopes, size_t nscopes,
                        char **json, bw_error *err) {
  *json = NULL;
  bw_token_claims *c = calloc(1, sizeof *c);
  if (!c) return bw_error_set(err, BW_ENOMEM, "out of memory");
  int r = 0;
  size_t count = 0;
  for (size_t i = 0; !r && i < nscopes; i++) {
    /* a scope parameter may hold several space-separated scopes */
    const char *s = scopes[i];
    while (!r && s && *s) {
      while (*s == ' ') s++;
      size_t k = strcspn(s, " ");
      if (k) {
        if (++count > BW_LIMIT_TOKEN_SCOPES)
          r = bw_error_set(err, BW_ELIMIT, "more than %u scopes requested", (unsigned)BW_LIMIT_TOKEN_SCOPES);
        else r = grant_scope(a, p, s, k, c, err);
      }
      s += k;
    }
  }
  char *tok = NULL;
  int64_t now = bw_meta_now();
  if (!r) {
    snprintf(c->sub, sizeof c->sub, "%s", p && p->kind != BW_PRINCIPAL_ANONYMOUS ? p->name : "");
    c->iat = now;
    c->nbf = now;
    c->exp = now + a->ttl;
    r = bw_token_sign(a->key, a->service, a->service, c, &tok, err);
  }
  free(c);
  if (r) return r;
  char issued[32];
  time_t t = (time_t)now;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(issued, sizeof issued, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_t *o = json_pack("{s:s, s:s, s:I, s:s}", "token", tok, "access_token", tok, "expires_in", (json_int_t)a->ttl,
                        "issued_at", issued);
  free(tok);
  *json = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return *json ? 0 : bw_error_set(err, BW_ENOMEM, "out of memory");
}

char *bw_auth_challenge(bw_auth *a, const char *repo, unsigned actions) {
  char acts[32];
  bw_actions_format(actions & ALL_ACTS, acts, sizeof acts);
  char *out = NULL;
  int n;
  if (repo && bw_auth_repo_valid(repo) && acts[0])
    n = asprintf(&out, "Bearer realm=\"%s\",service=\"%s\",scope=\"repository:%s:%s\"", a->realm, a->service, repo,
                 acts);
  else n = asprintf(&out, "Bearer realm=\"%s\",service=\"%s\"", a->realm, a->service);
  return n < 0 ? NULL : out;
}
