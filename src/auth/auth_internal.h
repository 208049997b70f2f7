/* Shared by the files of src/auth only. */
#ifndef BW_AUTH_AUTH_INTERNAL_H
#define BW_AUTH_AUTH_INTERNAL_H

#include <stdint.h>

#include "auth/auth.h"
#include "auth/auth_store.h"
#include "auth/token.h"

struct bw_auth {
  bw_meta *m;
  uint8_t key[BW_TOKEN_KEY_BYTES];
  char service[128];
  char realm[1024];
  int64_t ttl;
};

/* A robot scope glob: "team/app", "team/app-*" (first component a literal namespace). */
bool bw_auth_glob_valid(const char *glob);
/* "GLOB:ACTIONS" for a robot of namespace ns ("team" alone: every repository of it). */
int bw_auth_scope_parse(const char *spec, const char *ns, bw_robot_scope *s, bw_error *err);

#endif
