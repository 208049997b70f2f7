/* Fuzzes the Bearer token parser (bw_token_verify) three ways: the input as a whole token; the
 * input as the payload JSON of a validly signed token (so the claims parser is reached); the input
 * as the header JSON of a signed token. Also the name validators the token path relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/auth.h"
#include "auth/token.h"
#include "base/limits.h"

static const uint8_t KEY[BW_TOKEN_KEY_BYTES] = "fuzz-key-fuzz-key-fuzz-key-fuzz";
static const int64_t NOW = 1700000000;

static void check(const char *tok, size_t n) {
  bw_token_claims c;
  bw_error err = {0};
  int r = bw_token_verify(KEY, "bulwark", "bulwark", tok, n, NOW, &c, &err);
  if (r != 0 && (r != -BW_EAUTH || err.code != BW_EAUTH || !err.msg[0])) {
    if (r != -BW_ENOMEM) __builtin_trap();
  }
  if (r == 0) {
    if (c.naccess > BW_AUTH_SCOPES_MAX || c.exp <= NOW || c.nbf > NOW) __builtin_trap();
    for (size_t i = 0; i < c.naccess; i++)
      if (c.access[i].actions == 0 || (c.access[i].actions & ~7u) || !c.access[i].name[0]) __builtin_trap();
    if (strnlen(c.sub, sizeof c.sub) == sizeof c.sub || strnlen(c.jti, sizeof c.jti) == sizeof c.jti) __builtin_trap();
  }
}

/* header.payload.sig with a correct HMAC */
static void signed_token(const char *hdr, size_t hl, const char *pl, size_t pll) {
  if (hl + pll > BW_LIMIT_JWT_BYTES) return;
  char *t = malloc((hl + pll) * 2 + 128);
  if (!t) return;
  size_t n = bw_b64url_encode(hdr, hl, t);
  t[n++] = '.';
  n += bw_b64url_encode(pl, pll, t + n);
  unsigned char mac[32];
  unsigned ml = 32;
  HMAC(EVP_sha256(), KEY, sizeof KEY, (const unsigned char *)t, n, mac, &ml);
  t[n++] = '.';
  n += bw_b64url_encode(mac, 32, t + n);
  check(t, n);
  free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > BW_LIMIT_JWT_BYTES + 16) return 0;
  check((const char *)data, size);
  static const char hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  static const char claims[] = "{\"iss\":\"bulwark\",\"aud\":\"bulwark\",\"sub\":\"a\",\"jti\":\"j\",\"iat\":1,"
                               "\"nbf\":1,\"exp\":2000000000}";
  signed_token(hdr, sizeof hdr - 1, (const char *)data, size);
  signed_token((const char *)data, size, claims, sizeof claims - 1);
  /* validators on a NUL-terminated copy */
  char *s = malloc(size + 1);
  if (!s) return 0;
  memcpy(s, data, size);
  s[size] = 0;
  (void)bw_auth_repo_valid(s);
  (void)bw_auth_name_valid(s);
  unsigned acts;
  (void)bw_actions_parse(s, size, &acts);
  unsigned char *dec = malloc(size + 4);
  if (dec) {
    long dl = bw_b64url_decode(s, size, dec);
    if (dl > (long)(size * 3 / 4 + 1)) __builtin_trap();
    free(dec);
  }
  free(s);
  return 0;
}
