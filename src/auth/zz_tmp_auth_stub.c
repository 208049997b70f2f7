/* TEMPORARY: bw_auth_api until branch h-auth provides it (the rest of auth/ comes from h-auth).
 * Deleted once h-auth is merged with it. */
#include "auth/auth.h"

int bw_auth_api(bw_auth *a, const bw_principal *p, const char *method, const char *path, const char *query,
                const char *body, size_t body_len, int *status, char **json, bw_error *err) {
  (void)a, (void)p, (void)method, (void)path, (void)query, (void)body, (void)body_len, (void)status, (void)json;
  return bw_error_set(err, BW_ENOTFOUND, "not found");
}
