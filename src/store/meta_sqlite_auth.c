/* SQLite driver: users, namespaces, roles, robots (auth/auth_store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_store.h"
#include "store/meta_sqlite_internal.h"

static const char *const migrations[] = {
    /* 0: the access-control tables */
    "CREATE TABLE users("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " password_hash TEXT NOT NULL,"
    " sysadmin INTEGER NOT NULL DEFAULT 0,"
    " disabled INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE namespaces("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " public INTEGER NOT NULL DEFAULT 0,"
    " owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE namespace_members("
    " namespace_id INTEGER NOT NULL REFERENCES namespaces(id) ON DELETE CASCADE,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " role INTEGER NOT NULL CHECK(role BETWEEN 1 AND 4),"
    " PRIMARY KEY(namespace_id, user_id));"
    "CREATE INDEX namespace_members_user ON namespace_members(user_id);"
    "CREATE TABLE robots("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " namespace_id INTEGER NOT NULL REFERENCES namespaces(id) ON DELETE CASCADE,"
    " secret_hash TEXT NOT NULL,"
    " description TEXT NOT NULL DEFAULT '',"
    " expires_at INTEGER NOT NULL DEFAULT 0,"
    " disabled INTEGER NOT NULL DEFAULT 0,"
    " created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX robots_namespace ON robots(namespace_id);"
    "CREATE TABLE robot_scopes("
    " robot_id INTEGER NOT NULL REFERENCES robots(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " repo_glob TEXT NOT NULL,"
    " actions INTEGER NOT NULL,"
    " PRIMARY KEY(robot_id, idx));",
    NULL};
const meta_schema_part meta_schema_auth = {"auth", migrations};

/* --- small helpers (all called with m->mu held) --- */

static int prep(bw_meta *m, const char *sql, sqlite3_stmt **st, bw_error *err) {
  if (sqlite3_prepare_v2(m->db, sql, -1, st, NULL) != SQLITE_OK) return meta_sqlite_fail(m, err, "prepare");
  return 0;
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap) {
  const unsigned char *t = sqlite3_column_text(st, i);
  snprintf(out, cap, "%s", t ? (const char *)t : "");
}

/* Runs a statement without rows; *changes gets the number of changed rows (may be NULL). */
static int run(bw_meta *m, sqlite3_stmt *st, const char *what, int *changes, bw_error *err) {
  int rc = sqlite3_step(st);
  int r = 0;
  if (rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, what);
  else if (changes) *changes = sqlite3_changes(m->db);
  sqlite3_finalize(st);
  return r;
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem, bw_error *err) {
  if (n < *cap) return 0;
  size_t nc = *cap ? *cap * 2 : 8;
  void *p = realloc(*arr, nc * elem);
  if (!p) return bw_error_set(err, BW_ENOMEM, "out of memory");
  *arr = p;
  *cap = nc;
  return 0;
}

/* --- users --- */

#define USER_COLS "id, name, password_hash, sysadmin, disabled, created_at"

static void user_row(sqlite3_stmt *st, bw_user_rec *u) {
  memset(u, 0, sizeof *u);
  u->id = sqlite3_column_int64(st, 0);
  col_text(st, 1, u->name, sizeof u->name);
  col_text(st, 2, u->password_hash, sizeof u->password_hash);
  u->sysadmin = sqlite3_column_int(st, 3) != 0;
  u->disabled = sqlite3_column_int(st, 4) != 0;
  u->created_at = sqlite3_column_int64(st, 5);
}

static int count(bw_meta *m, const char *sql, int64_t *n, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, sql, &st, err);
  if (!r) {
    if (sqlite3_step(st) == SQLITE_ROW) *n = sqlite3_column_int64(st, 0);
    else r = meta_sqlite_fail(m, err, "count");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_store_user_count(bw_meta *m, int64_t *n, bw_error *err) {
  return count(m, "SELECT count(*) FROM users", n, err);
}

int bw_store_user_count_sysadmins(bw_meta *m, int64_t *n, bw_error *err) {
  return count(m, "SELECT count(*) FROM users WHERE sysadmin AND NOT disabled", n, err);
}

int bw_store_user_add(bw_meta *m, const char *name, const char *password_hash, bool sysadmin, int64_t *id,
                      bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, "INSERT INTO users(name, password_hash, sysadmin, created_at) VALUES(?1, ?2, ?3, ?4)", &st, err);
  if (!r) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, sysadmin);
    sqlite3_bind_int64(st, 4, bw_meta_now());
    r = run(m, st, "add user", NULL, err);
    if (r == -BW_ECONFLICT) {
      bw_error_clear(err);
      r = bw_error_set(err, BW_ECONFLICT, "user %s already exists", name);
    }
    if (!r && id) *id = sqlite3_last_insert_rowid(m->db);
  }
  meta_unlock(m);
  return r;
}

static int user_get(bw_meta *m, const char *name, int64_t id, bw_user_rec *out, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, name ? "SELECT " USER_COLS " FROM users WHERE name=?1" : "SELECT " USER_COLS " FROM users WHERE id=?2",
               &st, err);
  if (!r) {
    if (name) sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    else sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) user_row(st, out);
    else if (rc == SQLITE_DONE)
      r = name ? bw_error_set(err, BW_ENOTFOUND, "user %s not found", name)
               : bw_error_set(err, BW_ENOTFOUND, "user #%lld not found", (long long)id);
    else r = meta_sqlite_fail(m, err, "get user");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_store_user_get(bw_meta *m, const char *name, bw_user_rec *out, bw_error *err) {
  return user_get(m, name, 0, out, err);
}

int bw_store_user_get_by_id(bw_meta *m, int64_t id, bw_user_rec *out, bw_error *err) {
  return user_get(m, NULL, id, out, err);
}

/* UPDATE/DELETE ... WHERE name=?1 with an optional text or int ?2; ENOTFOUND when no row. */
static int by_name(bw_meta *m, const char *sql, const char *name, const char *text2, int int2, const char *what,
                   const char *kind, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, sql, &st, err);
  if (!r) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (text2) sqlite3_bind_text(st, 2, text2, -1, SQLITE_STATIC);
    else sqlite3_bind_int(st, 2, int2);
    int changes = 0;
    r = run(m, st, what, &changes, err);
    if (!r && changes == 0) r = bw_error_set(err, BW_ENOTFOUND, "%s %s not found", kind, name);
  }
  meta_unlock(m);
  return r;
}

int bw_store_user_set_password(bw_meta *m, const char *name, const char *password_hash, bw_error *err) {
  return by_name(m, "UPDATE users SET password_hash=?2 WHERE name=?1", name, password_hash, 0, "set password", "user",
                 err);
}

int bw_store_user_set_sysadmin(bw_meta *m, const char *name, bool sysadmin, bw_error *err) {
  return by_name(m, "UPDATE users SET sysadmin=?2 WHERE name=?1", name, NULL, sysadmin, "set sysadmin", "user", err);
}

int bw_store_user_set_disabled(bw_meta *m, const char *name, bool disabled, bw_error *err) {
  return by_name(m, "UPDATE users SET disabled=?2 WHERE name=?1", name, NULL, disabled, "set disabled", "user", err);
}

int bw_store_user_delete(bw_meta *m, const char *name, bw_error *err) {
  return by_name(m, "DELETE FROM users WHERE name=?1 AND ?2=0", name, NULL, 0, "delete user", "user", err);
}

int bw_store_user_list(bw_meta *m, bw_user_rec **out, size_t *n, bw_error *err) {
  *out = NULL;
  *n = 0;
  size_t cap = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, "SELECT " USER_COLS " FROM users ORDER BY name", &st, err);
  int rc = SQLITE_DONE;
  while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((r = grow((void **)out, &cap, *n, sizeof **out, err))) break;
    user_row(st, &(*out)[(*n)++]);
  }
  if (!r && rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "list users");
  sqlite3_finalize(st);
  meta_unlock(m);
  if (r) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return r;
}

/* --- namespaces --- */

#define NS_COLS "n.id, n.name, n.public, coalesce(n.owner_id, 0), coalesce(u.name, ''), n.created_at"
#define NS_FROM " FROM namespaces n LEFT JOIN users u ON u.id = n.owner_id"

static void ns_row(sqlite3_stmt *st, bw_ns_rec *ns) {
  memset(ns, 0, sizeof *ns);
  ns->id = sqlite3_column_int64(st, 0);
  col_text(st, 1, ns->name, sizeof ns->name);
  ns->public_ = sqlite3_column_int(st, 2) != 0;
  ns->owner_id = sqlite3_column_int64(st, 3);
  col_text(st, 4, ns->owner, sizeof ns->owner);
  ns->created_at = sqlite3_column_int64(st, 5);
}

int bw_store_ns_add(bw_meta *m, const char *name, bool public_, int64_t owner_id, int64_t *id, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, "INSERT INTO namespaces(name, public, owner_id, created_at) VALUES(?1, ?2, ?3, ?4)", &st, err);
  if (!r) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, public_);
    if (owner_id > 0) sqlite3_bind_int64(st, 3, owner_id);
    else sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, bw_meta_now());
    r = run(m, st, "add namespace", NULL, err);
    if (r == -BW_ECONFLICT) {
      bw_error_clear(err);
      r = bw_error_set(err, BW_ECONFLICT, "namespace %s already exists", name);
    }
    if (!r && id) *id = sqlite3_last_insert_rowid(m->db);
  }
  meta_unlock(m);
  return r;
}

int bw_store_ns_get(bw_meta *m, const char *name, bw_ns_rec *out, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, "SELECT " NS_COLS NS_FROM " WHERE n.name=?1", &st, err);
  if (!r) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) ns_row(st, out);
    else if (rc == SQLITE_DONE) r = bw_error_set(err, BW_ENOTFOUND, "namespace %s not found", name);
    else r = meta_sqlite_fail(m, err, "get namespace");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_store_ns_set_public(bw_meta *m, const char *name, bool public_, bw_error *err) {
  return by_name(m, "UPDATE namespaces SET public=?2 WHERE name=?1", name, NULL, public_, "set public", "namespace",
                 err);
}

int bw_store_ns_delete(bw_meta *m, const char *name, bw_error *err) {
  return by_name(m, "DELETE FROM namespaces WHERE name=?1 AND ?2=0", name, NULL, 0, "delete namespace", "namespace",
                 err);
}

int bw_store_ns_list(bw_meta *m, bw_ns_rec **out, size_t *n, bw_error *err) {
  *out = NULL;
  *n = 0;
  size_t cap = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, "SELECT " NS_COLS NS_FROM " ORDER BY n.name", &st, err);
  int rc = SQLITE_DONE;
  while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((r = grow((void **)out, &cap, *n, sizeof **out, err))) break;
    ns_row(st, &(*out)[(*n)++]);
  }
  if (!r && rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "list namespaces");
  sqlite3_finalize(st);
  meta_unlock(m);
  if (r) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return r;
}

/* --- members --- */

int bw_store_member_set(bw_meta *m, int64_t ns_id, int64_t user_id, bw_role role, bw_error *err) {
  if (role < BW_ROLE_GUEST || role > BW_ROLE_ADMIN) return bw_error_set(err, BW_EINVAL, "invalid role %d", (int)role);
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m,
               "INSERT INTO namespace_members(namespace_id, user_id, role) VALUES(?1, ?2, ?3)"
               " ON CONFLICT(namespace_id, user_id) DO UPDATE SET role=excluded.role",
               &st, err);
  if (!r) {
    sqlite3_bind_int64(st, 1, ns_id);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int(st, 3, (int)role);
    r = run(m, st, "set member", NULL, err);
  }
  meta_unlock(m);
  return r;
}

int bw_store_member_remove(bw_meta *m, int64_t ns_id, int64_t user_id, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, "DELETE FROM namespace_members WHERE namespace_id=?1 AND user_id=?2", &st, err);
  if (!r) {
    sqlite3_bind_int64(st, 1, ns_id);
    sqlite3_bind_int64(st, 2, user_id);
    int changes = 0;
    r = run(m, st, "remove member", &changes, err);
    if (!r && !changes) r = bw_error_set(err, BW_ENOTFOUND, "not a member of the namespace");
  }
  meta_unlock(m);
  return r;
}

int bw_store_member_get(bw_meta *m, int64_t ns_id, int64_t user_id, bw_role *role, bw_error *err) {
  *role = BW_ROLE_NONE;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, "SELECT role FROM namespace_members WHERE namespace_id=?1 AND user_id=?2", &st, err);
  if (!r) {
    sqlite3_bind_int64(st, 1, ns_id);
    sqlite3_bind_int64(st, 2, user_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      int v = sqlite3_column_int(st, 0);
      *role = v >= BW_ROLE_GUEST && v <= BW_ROLE_ADMIN ? (bw_role)v : BW_ROLE_NONE;
    } else if (rc != SQLITE_DONE) {
      r = meta_sqlite_fail(m, err, "get member");
    }
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_store_member_list(bw_meta *m, int64_t ns_id, bw_member_rec **out, size_t *n, bw_error *err) {
  *out = NULL;
  *n = 0;
  size_t cap = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m,
               "SELECT u.id, u.name, nm.role FROM namespace_members nm JOIN users u ON u.id = nm.user_id"
               " WHERE nm.namespace_id=?1 ORDER BY u.name",
               &st, err);
  int rc = SQLITE_DONE;
  if (!r) sqlite3_bind_int64(st, 1, ns_id);
  while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((r = grow((void **)out, &cap, *n, sizeof **out, err))) break;
    bw_member_rec *e = &(*out)[(*n)++];
    memset(e, 0, sizeof *e);
    e->user_id = sqlite3_column_int64(st, 0);
    col_text(st, 1, e->user, sizeof e->user);
    int v = sqlite3_column_int(st, 2);
    e->role = v >= BW_ROLE_GUEST && v <= BW_ROLE_ADMIN ? (bw_role)v : BW_ROLE_NONE;
  }
  if (!r && rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "list members");
  sqlite3_finalize(st);
  meta_unlock(m);
  if (r) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return r;
}

int bw_store_access_get(bw_meta *m, int64_t user_id, const char *ns, bw_access_rec *out, bw_error *err) {
  memset(out, 0, sizeof *out);
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m,
               "SELECT u.id IS NOT NULL, coalesce(u.sysadmin, 0), coalesce(u.disabled, 0), n.id IS NOT NULL,"
               " coalesce(n.public, 0), coalesce(n.id, 0), coalesce(nm.role, 0)"
               " FROM (SELECT 1) AS one"
               " LEFT JOIN users u ON u.id = ?1"
               " LEFT JOIN namespaces n ON n.name = ?2"
               " LEFT JOIN namespace_members nm ON nm.namespace_id = n.id AND nm.user_id = u.id",
               &st, err);
  if (!r) {
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
      out->user_found = sqlite3_column_int(st, 0) != 0;
      out->sysadmin = sqlite3_column_int(st, 1) != 0;
      out->disabled = sqlite3_column_int(st, 2) != 0;
      out->ns_found = sqlite3_column_int(st, 3) != 0;
      out->ns_public = sqlite3_column_int(st, 4) != 0;
      out->ns_id = sqlite3_column_int64(st, 5);
      int v = sqlite3_column_int(st, 6);
      out->role = v >= BW_ROLE_GUEST && v <= BW_ROLE_ADMIN ? (bw_role)v : BW_ROLE_NONE;
    } else {
      r = meta_sqlite_fail(m, err, "access lookup");
    }
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

/* --- robots --- */

#define ROBOT_COLS                                                                                         \
  "r.id, r.name, r.namespace_id, n.name, r.secret_hash, r.description, r.expires_at, r.disabled,"          \
  " coalesce(r.created_by, 0), r.created_at"
#define ROBOT_FROM " FROM robots r JOIN namespaces n ON n.id = r.namespace_id"

static void robot_row(sqlite3_stmt *st, bw_robot_rec *r) {
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  col_text(st, 1, r->name, sizeof r->name);
  r->namespace_id = sqlite3_column_int64(st, 2);
  col_text(st, 3, r->namespace_name, sizeof r->namespace_name);
  col_text(st, 4, r->secret_hash, sizeof r->secret_hash);
  col_text(st, 5, r->description, sizeof r->description);
  r->expires_at = sqlite3_column_int64(st, 6);
  r->disabled = sqlite3_column_int(st, 7) != 0;
  r->created_by = sqlite3_column_int64(st, 8);
  r->created_at = sqlite3_column_int64(st, 9);
}

static int robot_scopes(bw_meta *m, bw_robot_rec *r, bw_error *err) {
  sqlite3_stmt *st = NULL;
  int e = prep(m, "SELECT repo_glob, actions FROM robot_scopes WHERE robot_id=?1 ORDER BY idx", &st, err);
  if (e) return e;
  sqlite3_bind_int64(st, 1, r->id);
  int rc;
  r->nscopes = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && r->nscopes < BW_AUTH_SCOPES_MAX) {
    bw_robot_scope *s = &r->scopes[r->nscopes++];
    col_text(st, 0, s->repo_glob, sizeof s->repo_glob);
    s->actions = (unsigned)sqlite3_column_int(st, 1) & (BW_ACT_PULL | BW_ACT_PUSH | BW_ACT_DELETE);
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) e = meta_sqlite_fail(m, err, "robot scopes");
  sqlite3_finalize(st);
  return e;
}

int bw_store_robot_add(bw_meta *m, bw_robot_rec *rb, bw_error *err) {
  if (rb->nscopes > BW_AUTH_SCOPES_MAX)
    return bw_error_set(err, BW_ELIMIT, "a robot has at most %d scopes", BW_AUTH_SCOPES_MAX);
  meta_lock(m);
  int r = 0;
  if (sqlite3_exec(m->db, "SAVEPOINT robot_add", NULL, NULL, NULL) != SQLITE_OK) {
    r = meta_sqlite_fail(m, err, "add robot");
    meta_unlock(m);
    return r;
  }
  sqlite3_stmt *st = NULL;
  rb->created_at = bw_meta_now();
  r = prep(m,
           "INSERT INTO robots(name, namespace_id, secret_hash, description, expires_at, created_by, created_at)"
           " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
           &st, err);
  if (!r) {
    sqlite3_bind_text(st, 1, rb->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, rb->namespace_id);
    sqlite3_bind_text(st, 3, rb->secret_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, rb->description, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, rb->expires_at);
    if (rb->created_by > 0) sqlite3_bind_int64(st, 6, rb->created_by);
    else sqlite3_bind_null(st, 6);
    sqlite3_bind_int64(st, 7, rb->created_at);
    r = run(m, st, "add robot", NULL, err);
    if (r == -BW_ECONFLICT) {
      bw_error_clear(err);
      r = bw_error_set(err, BW_ECONFLICT, "robot %s already exists (or its namespace is gone)", rb->name);
    }
  }
  if (!r) rb->id = sqlite3_last_insert_rowid(m->db);
  for (size_t i = 0; !r && i < rb->nscopes; i++) {
    if ((r = prep(m, "INSERT INTO robot_scopes(robot_id, idx, repo_glob, actions) VALUES(?1, ?2, ?3, ?4)", &st,
                  err)))
      break;
    sqlite3_bind_int64(st, 1, rb->id);
    sqlite3_bind_int(st, 2, (int)i);
    sqlite3_bind_text(st, 3, rb->scopes[i].repo_glob, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, (int)rb->scopes[i].actions);
    r = run(m, st, "add robot scope", NULL, err);
  }
  if (r) sqlite3_exec(m->db, "ROLLBACK TO robot_add", NULL, NULL, NULL);
  sqlite3_exec(m->db, "RELEASE robot_add", NULL, NULL, NULL);
  meta_unlock(m);
  return r;
}

static int robot_get(bw_meta *m, const char *name, int64_t id, bw_robot_rec *out, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, name ? "SELECT " ROBOT_COLS ROBOT_FROM " WHERE r.name=?1" : "SELECT " ROBOT_COLS ROBOT_FROM " WHERE r.id=?2",
               &st, err);
  if (!r) {
    if (name) sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    else sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) robot_row(st, out);
    else if (rc == SQLITE_DONE)
      r = name ? bw_error_set(err, BW_ENOTFOUND, "robot %s not found", name)
               : bw_error_set(err, BW_ENOTFOUND, "robot #%lld not found", (long long)id);
    else r = meta_sqlite_fail(m, err, "get robot");
    sqlite3_finalize(st);
    if (!r) r = robot_scopes(m, out, err);
  }
  meta_unlock(m);
  return r;
}

int bw_store_robot_get(bw_meta *m, const char *name, bw_robot_rec *out, bw_error *err) {
  return robot_get(m, name, 0, out, err);
}

int bw_store_robot_get_by_id(bw_meta *m, int64_t id, bw_robot_rec *out, bw_error *err) {
  return robot_get(m, NULL, id, out, err);
}

int bw_store_robot_set_disabled(bw_meta *m, const char *name, bool disabled, bw_error *err) {
  return by_name(m, "UPDATE robots SET disabled=?2 WHERE name=?1", name, NULL, disabled, "set disabled", "robot", err);
}

int bw_store_robot_delete(bw_meta *m, const char *name, bw_error *err) {
  return by_name(m, "DELETE FROM robots WHERE name=?1 AND ?2=0", name, NULL, 0, "delete robot", "robot", err);
}

int bw_store_robot_list(bw_meta *m, int64_t ns_id, bw_robot_rec **out, size_t *n, bw_error *err) {
  *out = NULL;
  *n = 0;
  size_t cap = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = prep(m, "SELECT " ROBOT_COLS ROBOT_FROM " WHERE ?1=0 OR r.namespace_id=?1 ORDER BY r.name", &st, err);
  int rc = SQLITE_DONE;
  if (!r) sqlite3_bind_int64(st, 1, ns_id);
  while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((r = grow((void **)out, &cap, *n, sizeof **out, err))) break;
    robot_row(st, &(*out)[(*n)++]);
  }
  if (!r && rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "list robots");
  sqlite3_finalize(st);
  for (size_t i = 0; !r && i < *n; i++) r = robot_scopes(m, &(*out)[i], err);
  meta_unlock(m);
  if (r) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return r;
}
