/* Shared by the files of src/auth only. */
#ifndef BW_AUTH_AUTH_INTERNAL_H
#define BW_AUTH_AUTH_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "auth/auth.h"
#include "auth/auth_store.h"
#include "auth/token.h"

/* Credentials verified recently: yescrypt costs tens of milliseconds by design, and clients that
 * send Basic credentials on every request (or ask /token once per scope) would pay it each time.
 * An entry holds a keyed MAC of (name, password) and the hash it verified against; it counts only
 * while the stored hash is still that one (a password change misses at once) and for
 * BW_AUTH_CRED_CACHE_TTL seconds. */
#define BW_AUTH_CRED_CACHE 256
#define BW_AUTH_CRED_CACHE_TTL 300
typedef struct bw_cred_entry {
  unsigned char mac[32];
  char hash[BW_AUTH_HASH_MAX];
  int64_t until;
} bw_cred_entry;

struct bw_auth {
  bw_meta *m;
  pthread_mutex_t cache_mu;
  bw_cred_entry *cache; /* BW_AUTH_CRED_CACHE entries, direct-mapped by mac[0] */
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
