/* Access control for the registry and the REST API: users, namespaces (public/private), roles per
 * namespace, robot accounts with scoped, expiring tokens; Basic auth and Docker token auth
 * (https://distribution.github.io/distribution/spec/auth/token/). Data lives in the metadata store
 * (auth/auth_store.h); this module decides. Thread-safe: one bw_auth serves every server thread. */
#ifndef BW_AUTH_AUTH_H
#define BW_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/meta.h"

/* Roles per namespace, ordered by power. */
typedef enum bw_role {
  BW_ROLE_NONE = 0,
  BW_ROLE_GUEST = 1,      /* pull */
  BW_ROLE_DEVELOPER = 2,  /* pull, push */
  BW_ROLE_MAINTAINER = 3, /* pull, push, delete */
  BW_ROLE_ADMIN = 4,      /* everything in the namespace, incl. members */
} bw_role;

/* Actions on a repository (a bit set). */
enum { BW_ACT_PULL = 1, BW_ACT_PUSH = 2, BW_ACT_DELETE = 4 };

typedef enum bw_principal_kind { BW_PRINCIPAL_ANONYMOUS = 0, BW_PRINCIPAL_USER, BW_PRINCIPAL_ROBOT } bw_principal_kind;

#define BW_AUTH_NAME_MAX 128
#define BW_AUTH_SCOPES_MAX 16

/* Who is asking, as authenticated from one request. Plain data: copyable, nothing to free. */
typedef struct bw_principal {
  bw_principal_kind kind;
  char name[BW_AUTH_NAME_MAX]; /* user name, or "robot$<name>"; "" for anonymous */
  int64_t id;                  /* store id of the user or robot; 0 for anonymous */
  bool sysadmin;               /* the system administrator (the user `admin` and those made admins) */
  /* A Bearer token narrows the principal to what the token grants: when token_scoped, only
   * scopes[0..nscopes) apply ("repository:NAME:pull,push" as granted, NAME may be a glob ending in "*"
   * for robots), on top of the identity's own rights (intersection). */
  bool token_scoped;
  size_t nscopes;
  char scopes[BW_AUTH_SCOPES_MAX][256];
} bw_principal;

typedef struct bw_auth bw_auth;

/* Opens the access control over store m. The token signing key (HMAC-SHA256 secret, or an EC key)
 * is kept at key_path (created with mode 0600 on first use). `service` is the token audience
 * ("bulwark"); realm the absolute URL of the token endpoint ("http://127.0.0.1:5000/token").
 * Caller owns *out (bw_auth_free); m must outlive it. */
int bw_auth_new(bw_auth **out, bw_meta *m, const char *key_path, const char *service, const char *realm,
                bw_error *err);
void bw_auth_free(bw_auth *a);

/* First start: when no user exists, creates the user `admin` (sysadmin) with `password` when
 * non-NULL/non-empty, else a generated one returned in *generated (caller frees; NULL when not
 * generated or when users already exist). */
int bw_auth_bootstrap(bw_auth *a, const char *password, char **generated, bw_error *err);

/* Authenticates an Authorization header value. NULL or "" = anonymous (success).
 *   "Basic base64(name:password)"  a user's password, or a robot's secret (name "robot$NAME")
 *   "Bearer TOKEN"                 a token this server signed (bw_auth_issue_token), not expired
 * Returns 0 and fills *out, or -BW_EAUTH with a message safe to show the client (never says which
 * of name and password was wrong). Disabled users and expired robots fail. */
int bw_auth_authenticate(bw_auth *a, const char *authorization, bw_principal *out, bw_error *err);

/* The subset of `wanted` (BW_ACT_*) that p may do on repository `repo` ("team/sub/app"; the first
 * path component is the namespace). Public namespaces allow PULL to everyone incl. anonymous;
 * a sysadmin may do everything; a missing namespace allows nothing except to a sysadmin. */
unsigned bw_auth_allowed(bw_auth *a, const bw_principal *p, const char *repo, unsigned wanted);

/* Called by the registry before the first push into a namespace: creates it (private, owner p)
 * when it does not exist and p is a sysadmin; 0 when it exists afterwards, -BW_ENOTFOUND when it
 * does not and p may not create it. */
int bw_auth_namespace_ensure(bw_auth *a, const bw_principal *p, const char *ns, bw_error *err);

/* The Docker token endpoint (GET /token?service=S&scope=S1&scope=S2&account=A): grants, per
 * requested scope "repository:NAME:ACTIONS", the actions p is allowed (possibly none), signs a JWT
 * (iss, sub, aud=service, exp, nbf, iat, jti, access[]) valid `ttl` seconds, and returns the JSON
 * body {"token","access_token","expires_in","issued_at"} in *json (caller frees). */
int bw_auth_issue_token(bw_auth *a, const bw_principal *p, const char *const *scopes, size_t nscopes,
                        char **json, bw_error *err);

/* The WWW-Authenticate value for a 401 on `repo` wanting `actions` (repo NULL: the /v2/ base):
 *   Bearer realm="<realm>",service="<service>",scope="repository:<repo>:pull,push"
 * Caller frees. */
char *bw_auth_challenge(bw_auth *a, const char *repo, unsigned actions);

/* The REST API's access-control part, independent of the HTTP library: users, namespaces (with
 * members/roles) and robots under /api/v1 (DESIGN.md §7):
 *   GET|POST /namespaces, GET|DELETE /namespaces/{ns}, GET|PUT|DELETE /namespaces/{ns}/members[/{user}]
 *   GET|POST /users, PUT /users/{name}/password, DELETE /users/{name}
 *   GET|POST /robots, DELETE /robots/{name}
 * `path` is the part after "/api/v1" (e.g. "/namespaces/team/members"), query without '?', body
 * JSON (may be NULL). Fills *status (HTTP code) and *json (response body, caller frees; errors are
 * {"error":{"code","message"}}). Returns 0 when it handled the path, -BW_ENOTFOUND when the path is
 * not one of its own (the caller routes elsewhere), other negative codes only on internal failure. */
int bw_auth_api(bw_auth *a, const bw_principal *p, const char *method, const char *path, const char *query,
                const char *body, size_t body_len, int *status, char **json, bw_error *err);

/* --- Added for the CLI and the REST API (both go through these, so validation is in one place) --- */

/* Names of users, namespaces and robots: one OCI path component, [a-z0-9]+ joined by '.', '_', "__"
 * or runs of '-', at most 64 bytes. Repositories: such components joined by '/', at most 255 bytes. */
bool bw_auth_name_valid(const char *name);
bool bw_auth_repo_valid(const char *repo);
/* "admin", "maintainer", "developer", "guest" ("none" for BW_ROLE_NONE). */
const char *bw_role_name(bw_role r);
/* Parses a role name; -BW_EINVAL for anything else (incl. "none"). */
int bw_role_parse(const char *s, bw_role *out, bw_error *err);
/* Lifetime of issued tokens in seconds (default 300, 1..86400). */
void bw_auth_set_token_ttl(bw_auth *a, int64_t seconds);

/* Users: add (password hashed with yescrypt; -BW_ECONFLICT when it exists), change the password,
 * remove (refused with -BW_ECONFLICT for the last enabled sysadmin). */
int bw_auth_user_add(bw_auth *a, const char *name, const char *password, bool sysadmin, bw_error *err);
int bw_auth_user_passwd(bw_auth *a, const char *name, const char *password, bw_error *err);
int bw_auth_user_rm(bw_auth *a, const char *name, bw_error *err);

/* Namespaces: add (owner NULL or a user name, who becomes its admin member), members. */
int bw_auth_namespace_add(bw_auth *a, const char *name, bool public_, const char *owner, bw_error *err);
int bw_auth_member_set(bw_auth *a, const char *ns, const char *user, bw_role role, bw_error *err);
int bw_auth_member_remove(bw_auth *a, const char *ns, const char *user, bw_error *err);

/* Robot accounts of namespace ns. name without the "robot$" prefix; scopes "REPO_GLOB:ACTIONS"
 * ("team/app:pull,push", "team/app-*:pull", or "team" alone for all of it; the glob's first component must be ns, '*' matches any run
 * of characters including '/'); expires_at seconds since the epoch, 0 = never; created_by a user id
 * or 0. The generated secret (shown once, only its hash is stored) goes to *secret (caller frees). */
int bw_auth_robot_add(bw_auth *a, const char *name, const char *ns, const char *const *scopes, size_t nscopes,
                      int64_t expires_at, const char *description, int64_t created_by, char **secret,
                      bw_error *err);
int bw_auth_robot_rm(bw_auth *a, const char *name, bw_error *err);

/* True when p may list the whole registry (the "registry:catalog:*" scope): sysadmins, and tokens
 * granting that scope. */
bool bw_auth_catalog_allowed(bw_auth *a, const bw_principal *p);

#endif
