/* Fuzzes the WWW-Authenticate challenge parser (a registry's 401 answer is untrusted input) and,
 * on the same bytes, the base64 decoder used for config.json credentials. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/registry_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_www_auth a;
  bw_error err = {0};
  int r = bw_www_auth_parse(&a, (const char *)data, size, &err);
  if (r == 0) {
    /* Parsed values are C strings: touching them checks their bounds under ASan. */
    if (a.realm) (void)strlen(a.realm);
    if (a.service) (void)strlen(a.service);
    if (a.scope) (void)strlen(a.scope);
    if (a.scheme != BW_AUTH_SCHEME_NONE && a.scheme != BW_AUTH_SCHEME_BASIC &&
        a.scheme != BW_AUTH_SCHEME_BEARER)
      abort();
  } else if (err.code == 0 || err.msg[0] == 0) {
    abort(); /* every rejection must say why */
  }
  bw_www_auth_dispose(&a);

  char *out = NULL;
  size_t n = 0;
  bw_error_clear(&err);
  if (bw_base64_decode((const char *)data, size, &out, &n, &err) == 0) {
    if (n > size || out[n] != 0) abort();
    free(out);
  }
  return 0;
}
