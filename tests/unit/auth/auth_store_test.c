/* The access-control part of the metadata store (SQLite driver): CRUD, uniqueness, cascades
 * (a removed user loses its memberships and ownerships, a removed namespace its members and
 * robots), robots with scopes round-tripping, savepoint rollback inside a caller's transaction,
 * and the migration applied once across reopenings. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth_store.h"
#include "unit/test.h"

int main(void) {
  char dir[] = "/tmp/bw-authstore-test-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char db[256];
  snprintf(db, sizeof db, "%s/meta.db", dir);
  bw_error err = {0};
  bw_meta *m = NULL;
  CHECK(bw_meta_open(&m, db, &err) == 0);
  if (!m) return test_finish();

  int64_t n = -1, alice = 0, bob = 0, team = 0;
  CHECK(bw_store_user_count(m, &n, &err) == 0 && n == 0);
  CHECK(bw_store_user_add(m, "alice", "$y$hash-a", false, &alice, &err) == 0 && alice > 0);
  CHECK(bw_store_user_add(m, "bob", "$y$hash-b", true, &bob, &err) == 0 && bob > alice);
  bw_error_clear(&err);
  CHECK(bw_store_user_add(m, "alice", "x", false, NULL, &err) == -BW_ECONFLICT);
  CHECK(strstr(err.msg, "alice already exists") != NULL);
  bw_error_clear(&err);
  CHECK(bw_store_user_count(m, &n, &err) == 0 && n == 2);
  CHECK(bw_store_user_count_sysadmins(m, &n, &err) == 0 && n == 1);
  bw_user_rec u;
  CHECK(bw_store_user_get(m, "alice", &u, &err) == 0 && u.id == alice && !u.sysadmin && !u.disabled);
  CHECK_STR(u.password_hash, "$y$hash-a");
  CHECK(bw_store_user_get_by_id(m, bob, &u, &err) == 0 && !strcmp(u.name, "bob") && u.sysadmin);
  CHECK(bw_store_user_get(m, "carol", &u, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  CHECK(bw_store_user_set_password(m, "alice", "$y$hash-a2", &err) == 0);
  CHECK(bw_store_user_set_sysadmin(m, "alice", true, &err) == 0);
  CHECK(bw_store_user_set_disabled(m, "alice", true, &err) == 0);
  CHECK(bw_store_user_get(m, "alice", &u, &err) == 0 && u.sysadmin && u.disabled &&
        !strcmp(u.password_hash, "$y$hash-a2"));
  CHECK(bw_store_user_count_sysadmins(m, &n, &err) == 0 && n == 1); /* disabled ones do not count */
  CHECK(bw_store_user_set_disabled(m, "alice", false, &err) == 0);
  CHECK(bw_store_user_set_password(m, "carol", "x", &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);

  CHECK(bw_store_ns_add(m, "team", false, alice, &team, &err) == 0);
  CHECK(bw_store_ns_add(m, "library", true, 0, NULL, &err) == 0);
  CHECK(bw_store_ns_add(m, "team", true, 0, NULL, &err) == -BW_ECONFLICT);
  bw_error_clear(&err);
  bw_ns_rec ns;
  CHECK(bw_store_ns_get(m, "team", &ns, &err) == 0 && ns.id == team && !ns.public_ && ns.owner_id == alice);
  CHECK_STR(ns.owner, "alice");
  CHECK(bw_store_ns_set_public(m, "team", true, &err) == 0);
  CHECK(bw_store_ns_get(m, "team", &ns, &err) == 0 && ns.public_);
  bw_ns_rec *nl = NULL;
  size_t k = 0;
  CHECK(bw_store_ns_list(m, &nl, &k, &err) == 0 && k == 2);
  CHECK(k == 2 && !strcmp(nl[0].name, "library") && !strcmp(nl[1].name, "team") && nl[0].owner[0] == 0);
  free(nl);

  bw_role role;
  CHECK(bw_store_member_set(m, team, alice, BW_ROLE_ADMIN, &err) == 0);
  CHECK(bw_store_member_set(m, team, bob, BW_ROLE_GUEST, &err) == 0);
  CHECK(bw_store_member_set(m, team, bob, BW_ROLE_DEVELOPER, &err) == 0); /* update */
  CHECK(bw_store_member_get(m, team, bob, &role, &err) == 0 && role == BW_ROLE_DEVELOPER);
  CHECK(bw_store_member_set(m, team, bob, BW_ROLE_NONE, &err) == -BW_EINVAL);
  bw_error_clear(&err);
  CHECK(bw_store_member_set(m, team, 9999, BW_ROLE_GUEST, &err) == -BW_ECONFLICT); /* no such user */
  bw_error_clear(&err);
  bw_member_rec *ml = NULL;
  CHECK(bw_store_member_list(m, team, &ml, &k, &err) == 0 && k == 2);
  CHECK(k == 2 && !strcmp(ml[0].user, "alice") && ml[0].role == BW_ROLE_ADMIN && ml[1].role == BW_ROLE_DEVELOPER);
  free(ml);
  CHECK(bw_store_member_remove(m, team, bob, &err) == 0);
  CHECK(bw_store_member_remove(m, team, bob, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  CHECK(bw_store_member_get(m, team, bob, &role, &err) == 0 && role == BW_ROLE_NONE);

  /* the one-lookup access record */
  bw_access_rec acc;
  CHECK(bw_store_access_get(m, alice, "team", &acc, &err) == 0);
  CHECK(acc.user_found && acc.sysadmin && !acc.disabled && acc.ns_found && acc.ns_public && acc.ns_id == team &&
        acc.role == BW_ROLE_ADMIN);
  CHECK(bw_store_access_get(m, bob, "team", &acc, &err) == 0);
  CHECK(acc.user_found && acc.sysadmin && acc.ns_found && acc.role == BW_ROLE_NONE);
  CHECK(bw_store_access_get(m, 0, "library", &acc, &err) == 0);
  CHECK(!acc.user_found && acc.ns_found && acc.ns_public && acc.role == BW_ROLE_NONE);
  CHECK(bw_store_access_get(m, alice, "nope", &acc, &err) == 0);
  CHECK(acc.user_found && !acc.ns_found && acc.ns_id == 0 && acc.role == BW_ROLE_NONE);
  CHECK(bw_store_access_get(m, 777, "nope", &acc, &err) == 0 && !acc.user_found && !acc.ns_found);

  /* robots with scopes */
  bw_robot_rec *r = calloc(1, sizeof *r), *g = calloc(1, sizeof *g);
  snprintf(r->name, sizeof r->name, "ci");
  r->namespace_id = team;
  snprintf(r->secret_hash, sizeof r->secret_hash, "$y$robot");
  snprintf(r->description, sizeof r->description, "pipeline");
  r->expires_at = 2000000000;
  r->created_by = alice;
  r->nscopes = 2;
  snprintf(r->scopes[0].repo_glob, sizeof r->scopes[0].repo_glob, "team/app");
  r->scopes[0].actions = BW_ACT_PULL | BW_ACT_PUSH;
  snprintf(r->scopes[1].repo_glob, sizeof r->scopes[1].repo_glob, "team/lib-*");
  r->scopes[1].actions = BW_ACT_PULL;
  CHECK(bw_store_robot_add(m, r, &err) == 0 && r->id > 0 && r->created_at > 0);
  CHECK(bw_store_robot_get(m, "ci", g, &err) == 0);
  CHECK(g->id == r->id && g->namespace_id == team && !strcmp(g->namespace_name, "team") && g->expires_at == 2000000000);
  CHECK(g->nscopes == 2 && !strcmp(g->scopes[1].repo_glob, "team/lib-*") && g->scopes[0].actions == 3);
  CHECK_STR(g->description, "pipeline");
  CHECK(g->created_by == alice);
  CHECK(bw_store_robot_get_by_id(m, r->id, g, &err) == 0 && !strcmp(g->name, "ci"));
  /* a duplicate inside a caller's transaction: the savepoint rolls back only the robot, the
   * caller's earlier change survives its commit */
  CHECK(bw_meta_begin(m, &err) == 0);
  CHECK(bw_store_user_add(m, "carol", "$y$c", false, NULL, &err) == 0);
  CHECK(bw_store_robot_add(m, r, &err) == -BW_ECONFLICT);
  bw_error_clear(&err);
  CHECK(bw_meta_commit(m, &err) == 0);
  CHECK(bw_store_user_get(m, "carol", &u, &err) == 0);
  bw_robot_rec *rl = NULL;
  CHECK(bw_store_robot_list(m, 0, &rl, &k, &err) == 0 && k == 1 && rl[0].nscopes == 2);
  free(rl);
  CHECK(bw_store_robot_list(m, team + 1000, &rl, &k, &err) == 0 && k == 0);
  free(rl);
  CHECK(bw_store_robot_set_disabled(m, "ci", true, &err) == 0);
  CHECK(bw_store_robot_get(m, "ci", g, &err) == 0 && g->disabled);
  /* a robot of a namespace that does not exist */
  r->namespace_id = 424242;
  snprintf(r->name, sizeof r->name, "orphan");
  CHECK(bw_store_robot_add(m, r, &err) == -BW_ECONFLICT);
  bw_error_clear(&err);
  CHECK(bw_store_robot_get(m, "orphan", g, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);

  /* cascades: removing alice keeps her namespace without an owner; removing the namespace takes
   * its robots and members with it */
  CHECK(bw_store_user_delete(m, "alice", &err) == 0);
  CHECK(bw_store_user_delete(m, "alice", &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  CHECK(bw_store_ns_get(m, "team", &ns, &err) == 0 && ns.owner_id == 0 && ns.owner[0] == 0);
  CHECK(bw_store_member_list(m, team, &ml, &k, &err) == 0 && k == 0);
  free(ml);
  CHECK(bw_store_robot_get(m, "ci", g, &err) == 0 && g->created_by == 0);
  CHECK(bw_store_member_set(m, team, bob, BW_ROLE_GUEST, &err) == 0);
  CHECK(bw_store_ns_delete(m, "team", &err) == 0);
  CHECK(bw_store_robot_get(m, "ci", g, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  CHECK(bw_store_member_get(m, team, bob, &role, &err) == 0 && role == BW_ROLE_NONE);
  free(r);
  free(g);

  /* reopening applies nothing twice and keeps the data */
  bw_meta_close(m);
  CHECK(bw_meta_open(&m, db, &err) == 0);
  CHECK(bw_store_user_count(m, &n, &err) == 0 && n == 2);
  bw_meta_close(m);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  return test_finish();
}
