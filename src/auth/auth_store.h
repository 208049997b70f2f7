/* The access-control part of the metadata store (store/meta.h): users, namespaces (public flag,
 * owner), members with roles, robot accounts (hashed secret, scopes, expiry, disabled flag).
 * Only data: no policy here (auth/auth.c decides, validates names and hashes secrets). The SQLite
 * driver is store/meta_sqlite_auth.c; a PostgreSQL driver will implement the same functions.
 *
 * Records are plain data with fixed buffers (nothing to free inside them); lists are one malloc'd
 * array (caller frees). Every function returns 0 or a negative -BW_E* code with err filled:
 * -BW_ENOTFOUND for a missing name/id, -BW_ECONFLICT for a duplicate, -BW_EIO for the store.
 * Each call is atomic; robot creation (robot + scopes) runs in one savepoint, so it also works
 * inside a caller's bw_meta_begin/commit. */
#ifndef BW_AUTH_AUTH_STORE_H
#define BW_AUTH_AUTH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/error.h"
#include "store/meta.h"

#define BW_AUTH_HASH_MAX 256 /* a crypt(3) hash string incl. its NUL (yescrypt: ~73) */
#define BW_AUTH_GLOB_MAX 256 /* a robot scope's repository glob incl. its NUL */

typedef struct bw_user_rec {
  int64_t id;
  char name[BW_AUTH_NAME_MAX];
  char password_hash[BW_AUTH_HASH_MAX];
  bool sysadmin;
  bool disabled;
  int64_t created_at;
} bw_user_rec;

typedef struct bw_ns_rec {
  int64_t id;
  char name[BW_AUTH_NAME_MAX];
  bool public_;
  int64_t owner_id;                  /* 0 when the owner was deleted */
  char owner[BW_AUTH_NAME_MAX];      /* the owner's user name, "" when none */
  int64_t created_at;
} bw_ns_rec;

typedef struct bw_member_rec {
  int64_t user_id;
  char user[BW_AUTH_NAME_MAX];
  bw_role role;
} bw_member_rec;

typedef struct bw_robot_scope {
  char repo_glob[BW_AUTH_GLOB_MAX]; /* "team/app", "team/app-*" (fnmatch, '*' crosses '/') */
  unsigned actions;                 /* BW_ACT_* */
} bw_robot_scope;

typedef struct bw_robot_rec {
  int64_t id;
  char name[BW_AUTH_NAME_MAX];      /* without the "robot$" prefix */
  int64_t namespace_id;
  char namespace_name[BW_AUTH_NAME_MAX];
  char secret_hash[BW_AUTH_HASH_MAX];
  char description[256];
  int64_t expires_at;               /* seconds since the epoch; 0 = never */
  bool disabled;
  int64_t created_by;               /* user id, 0 when unknown/deleted */
  int64_t created_at;
  size_t nscopes;
  bw_robot_scope scopes[BW_AUTH_SCOPES_MAX];
} bw_robot_rec;

/* Users */
int bw_store_user_count(bw_meta *m, int64_t *n, bw_error *err);
/* Number of enabled sysadmins (the last one may not be removed). */
int bw_store_user_count_sysadmins(bw_meta *m, int64_t *n, bw_error *err);
/* Adds a user; *id (may be NULL) receives its id. -BW_ECONFLICT when the name exists. */
int bw_store_user_add(bw_meta *m, const char *name, const char *password_hash, bool sysadmin, int64_t *id,
                      bw_error *err);
int bw_store_user_get(bw_meta *m, const char *name, bw_user_rec *out, bw_error *err);
int bw_store_user_get_by_id(bw_meta *m, int64_t id, bw_user_rec *out, bw_error *err);
int bw_store_user_set_password(bw_meta *m, const char *name, const char *password_hash, bw_error *err);
int bw_store_user_set_sysadmin(bw_meta *m, const char *name, bool sysadmin, bw_error *err);
int bw_store_user_set_disabled(bw_meta *m, const char *name, bool disabled, bw_error *err);
/* Removes the user, its memberships; namespaces it owned keep existing without an owner. */
int bw_store_user_delete(bw_meta *m, const char *name, bw_error *err);
/* All users ordered by name (*out malloc'd, caller frees; NULL when *n == 0). */
int bw_store_user_list(bw_meta *m, bw_user_rec **out, size_t *n, bw_error *err);

/* Namespaces */
int bw_store_ns_add(bw_meta *m, const char *name, bool public_, int64_t owner_id, int64_t *id, bw_error *err);
int bw_store_ns_get(bw_meta *m, const char *name, bw_ns_rec *out, bw_error *err);
int bw_store_ns_set_public(bw_meta *m, const char *name, bool public_, bw_error *err);
/* Removes the namespace with its members and robots (repositories are the registry's). */
int bw_store_ns_delete(bw_meta *m, const char *name, bw_error *err);
/* All namespaces ordered by name (caller frees *out). */
int bw_store_ns_list(bw_meta *m, bw_ns_rec **out, size_t *n, bw_error *err);

/* Members: role of user_id in namespace ns_id. set = insert or update; role BW_ROLE_NONE is
 * invalid (use remove). get gives BW_ROLE_NONE (and returns 0) for a non-member. */
int bw_store_member_set(bw_meta *m, int64_t ns_id, int64_t user_id, bw_role role, bw_error *err);
int bw_store_member_remove(bw_meta *m, int64_t ns_id, int64_t user_id, bw_error *err);
int bw_store_member_get(bw_meta *m, int64_t ns_id, int64_t user_id, bw_role *role, bw_error *err);
/* Members of ns_id ordered by user name (caller frees *out). */
int bw_store_member_list(bw_meta *m, int64_t ns_id, bw_member_rec **out, size_t *n, bw_error *err);

/* What an authorization decision needs about (user, namespace) in one lookup: user_id 0 (or a
 * missing user) leaves user_found false; a missing namespace leaves ns_found false; role is the
 * user's role in the namespace (BW_ROLE_NONE when either is missing or not a member). */
typedef struct bw_access_rec {
  bool user_found, sysadmin, disabled;
  bool ns_found, ns_public;
  int64_t ns_id;
  bw_role role;
} bw_access_rec;
int bw_store_access_get(bw_meta *m, int64_t user_id, const char *ns, bw_access_rec *out, bw_error *err);

/* Robots. add takes r->name, namespace_id, secret_hash, description, expires_at, created_by,
 * scopes; fills r->id and r->created_at. Robot names are unique over the whole registry. */
int bw_store_robot_add(bw_meta *m, bw_robot_rec *r, bw_error *err);
int bw_store_robot_get(bw_meta *m, const char *name, bw_robot_rec *out, bw_error *err);
int bw_store_robot_get_by_id(bw_meta *m, int64_t id, bw_robot_rec *out, bw_error *err);
int bw_store_robot_set_disabled(bw_meta *m, const char *name, bool disabled, bw_error *err);
int bw_store_robot_delete(bw_meta *m, const char *name, bw_error *err);
/* Robots of namespace ns_id (0: all), ordered by name, with scopes (caller frees *out). */
int bw_store_robot_list(bw_meta *m, int64_t ns_id, bw_robot_rec **out, size_t *n, bw_error *err);

#endif
