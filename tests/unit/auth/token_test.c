/* JWT signing and strict verification: round trip; tampered, expired, not-yet-valid, alg-none,
 * wrong-algorithm, oversized and malformed tokens rejected; the key file. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/token.h"
#include "base/limits.h"
#include "unit/test.h"

static const uint8_t KEY[32] = "0123456789abcdef0123456789abcdef";
static const int64_t NOW = 1700000000;

/* Builds header.payload.signature from raw JSON with KEY (or no signature when sign is false). */
static char *forge(const char *header, const char *payload, const uint8_t *key, bool sign) {
  size_t hl = strlen(header), pl = strlen(payload);
  char *t = malloc(hl * 2 + pl * 2 + 128);
  size_t n = bw_b64url_encode(header, hl, t);
  t[n++] = '.';
  n += bw_b64url_encode(payload, pl, t + n);
  unsigned char mac[32];
  unsigned ml = 32;
  HMAC(EVP_sha256(), key, 32, (unsigned char *)t, n, mac, &ml);
  t[n++] = '.';
  if (sign) n += bw_b64url_encode(mac, 32, t + n);
  t[n] = 0;
  return t;
}

static int verify(const char *tok, bw_token_claims *c) {
  bw_error err = {0};
  int r = bw_token_verify(KEY, "bulwark", "bulwark", tok, strlen(tok), NOW, c, &err);
  if (r) CHECK(err.code == BW_EAUTH && !strncmp(err.msg, "invalid token", 13));
  return r;
}

#define HDR "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define CLAIMS(extra)                                                                                   \
  "{\"iss\":\"bulwark\",\"aud\":\"bulwark\",\"sub\":\"alice\",\"jti\":\"j1\",\"iat\":1700000000,"         \
  "\"nbf\":1699999990,\"exp\":1700000300" extra "}"

int main(void) {
  bw_error err = {0};
  bw_token_claims c, out;

  /* base64url */
  char enc[64];
  unsigned char dec[64];
  CHECK(bw_b64url_encode("\xfb\xff", 2, enc) == 3);
  CHECK_STR(enc, "-_8");
  CHECK(bw_b64url_decode("-_8", 3, dec) == 2 && dec[0] == 0xfb && dec[1] == 0xff);
  CHECK(bw_b64url_decode("-_9", 3, dec) == -1); /* non-zero unused bits */
  CHECK(bw_b64url_decode("QQ==", 4, dec) == -1); /* padding */
  CHECK(bw_b64url_decode("Q", 1, dec) == -1);
  CHECK(bw_b64url_decode("QU+B", 4, dec) == -1); /* standard alphabet */

  /* round trip */
  memset(&c, 0, sizeof c);
  snprintf(c.sub, sizeof c.sub, "alice");
  c.iat = c.nbf = NOW;
  c.exp = NOW + 300;
  c.naccess = 2;
  snprintf(c.access[0].type, sizeof c.access[0].type, "repository");
  snprintf(c.access[0].name, sizeof c.access[0].name, "team/app");
  c.access[0].actions = BW_ACT_PULL | BW_ACT_PUSH;
  snprintf(c.access[1].type, sizeof c.access[1].type, "repository");
  snprintf(c.access[1].name, sizeof c.access[1].name, "team/lib");
  c.access[1].actions = BW_ACT_PULL;
  char *tok = NULL;
  CHECK(bw_token_sign(KEY, "bulwark", "bulwark", &c, &tok, &err) == 0);
  CHECK(c.jti[0] != 0);
  CHECK(verify(tok, &out) == 0);
  CHECK_STR(out.sub, "alice");
  CHECK_STR(out.jti, c.jti);
  CHECK(out.exp == NOW + 300 && out.nbf == NOW && out.iat == NOW);
  CHECK(out.naccess == 2);
  CHECK_STR(out.access[0].name, "team/app");
  CHECK(out.access[0].actions == (BW_ACT_PULL | BW_ACT_PUSH));
  CHECK(out.access[1].actions == BW_ACT_PULL);

  /* expiry and not-before, with the clock given */
  CHECK(bw_token_verify(KEY, "bulwark", "bulwark", tok, strlen(tok), NOW + 299, &out, &err) == 0);
  bw_error_clear(&err);
  CHECK(bw_token_verify(KEY, "bulwark", "bulwark", tok, strlen(tok), NOW + 300, &out, &err) == -BW_EAUTH);
  CHECK(strstr(err.msg, "expired") != NULL);
  bw_error_clear(&err);
  CHECK(bw_token_verify(KEY, "bulwark", "bulwark", tok, strlen(tok), NOW - 1, &out, &err) == -BW_EAUTH);
  CHECK(strstr(err.msg, "not valid yet") != NULL);
  /* audience and issuer */
  bw_error_clear(&err);
  CHECK(bw_token_verify(KEY, "bulwark", "other", tok, strlen(tok), NOW, &out, &err) == -BW_EAUTH);
  bw_error_clear(&err);
  CHECK(bw_token_verify(KEY, "other", "bulwark", tok, strlen(tok), NOW, &out, &err) == -BW_EAUTH);
  /* another key */
  uint8_t key2[32];
  memcpy(key2, KEY, 32);
  key2[31] ^= 1;
  bw_error_clear(&err);
  CHECK(bw_token_verify(key2, "bulwark", "bulwark", tok, strlen(tok), NOW, &out, &err) == -BW_EAUTH);

  /* tampering: every single-character change anywhere is rejected */
  size_t tl = strlen(tok);
  int accepted = 0;
  for (size_t i = 0; i < tl; i++) {
    char *t2 = strdup(tok);
    t2[i] = t2[i] == 'A' ? 'B' : 'A';
    if (verify(t2, &out) == 0) accepted++;
    free(t2);
  }
  CHECK(accepted == 0);
  /* a payload swapped in from another validly-encoded token with the old signature */
  char *other = forge(HDR, CLAIMS(",\"access\":[{\"type\":\"repository\",\"name\":\"team/app\",\"actions\":[\"*\"]}]"),
                      key2, true);
  char *dot1 = strchr(tok, '.'), *dot2 = strrchr(tok, '.');
  char *o1 = strchr(other, '.'), *o2 = strrchr(other, '.');
  char spliced[4096];
  snprintf(spliced, sizeof spliced, "%.*s%.*s%s", (int)(dot1 - tok), tok, (int)(o2 - o1), o1, dot2);
  CHECK(verify(spliced, &out) != 0);
  free(other);
  free(tok);

  /* forged tokens: properly signed ones parse; alg none/HS512/missing, crit, bad claims do not */
  char *t = forge(HDR, CLAIMS(""), KEY, true);
  CHECK(verify(t, &out) == 0 && out.naccess == 0 && !strcmp(out.sub, "alice"));
  free(t);
  t = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", CLAIMS(""), KEY, false);
  CHECK(verify(t, &out) != 0);
  free(t);
  t = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", CLAIMS(""), KEY, true);
  CHECK(verify(t, &out) != 0);
  free(t);
  t = forge("{\"alg\":\"HS512\"}", CLAIMS(""), KEY, true);
  CHECK(verify(t, &out) != 0);
  free(t);
  t = forge("{\"typ\":\"JWT\"}", CLAIMS(""), KEY, true);
  CHECK(verify(t, &out) != 0);
  free(t);
  t = forge("{\"alg\":\"hs256\"}", CLAIMS(""), KEY, true);
  CHECK(verify(t, &out) != 0);
  free(t);
  t = forge("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", CLAIMS(""), KEY, true);
  CHECK(verify(t, &out) != 0);
  free(t);
  t = forge("{\"alg\":\"HS256\",\"alg\":\"none\"}", CLAIMS(""), KEY, true); /* duplicate keys */
  CHECK(verify(t, &out) != 0);
  free(t);
  t = forge("[\"HS256\"]", CLAIMS(""), KEY, true);
  CHECK(verify(t, &out) != 0);
  free(t);
  static const char *bad_claims[] = {
      "{\"iss\":\"bulwark\",\"aud\":\"bulwark\",\"sub\":\"a\",\"jti\":\"j\",\"iat\":1,\"nbf\":1}", /* no exp */
      "{\"iss\":\"bulwark\",\"aud\":\"bulwark\",\"sub\":\"a\",\"jti\":\"j\",\"iat\":1,\"nbf\":1,\"exp\":\"2000000000\"}",
      "{\"iss\":\"bulwark\",\"aud\":[\"bulwark\"],\"sub\":\"a\",\"jti\":\"j\",\"iat\":1,\"nbf\":1,\"exp\":2000000000}",
      "{\"iss\":\"bulwark\",\"aud\":\"bulwark\",\"jti\":\"j\",\"iat\":1,\"nbf\":1,\"exp\":2000000000}", /* no sub */
      "{\"iss\":\"bulwark\",\"aud\":\"bulwark\",\"sub\":\"a\",\"jti\":\"j\",\"nbf\":1,\"exp\":2000000000}", /* no iat */
      CLAIMS(",\"access\":{}"),
      CLAIMS(",\"access\":[{\"type\":\"repository\",\"name\":\"a/b\",\"actions\":[\"own\"]}]"),
      CLAIMS(",\"access\":[{\"type\":\"repository\",\"name\":\"a/b\",\"actions\":\"pull\"}]"),
      CLAIMS(",\"access\":[{\"type\":\"repository\",\"name\":\"\",\"actions\":[\"pull\"]}]"),
      CLAIMS(",\"access\":[{\"type\":\"plugin\",\"name\":\"a\",\"actions\":[\"pull\"]}]"),
      CLAIMS(",\"access\":[{\"type\":\"repository\",\"name\":\"a/b\",\"actions\":[\"pull\"]},1]"),
      "{\"iss\":\"bulwark\",\"aud\":\"bulwark\",\"sub\":\"a\\u0000b\",\"jti\":\"j\",\"iat\":1,\"nbf\":1,\"exp\":2000000000}",
  };
  for (size_t i = 0; i < sizeof bad_claims / sizeof bad_claims[0]; i++) {
    t = forge(HDR, bad_claims[i], KEY, true);
    int r = verify(t, &out);
    if (r == 0) fprintf(stderr, "accepted bad claims #%zu\n", i);
    CHECK(r != 0);
    free(t);
  }
  /* more than BW_AUTH_SCOPES_MAX access entries */
  char big[8192] = ",\"access\":[";
  for (int i = 0; i <= BW_AUTH_SCOPES_MAX; i++) {
    char e[96];
    snprintf(e, sizeof e, "%s{\"type\":\"repository\",\"name\":\"a/r%d\",\"actions\":[\"pull\"]}", i ? "," : "", i);
    strncat(big, e, sizeof big - strlen(big) - 1);
  }
  strncat(big, "]", sizeof big - strlen(big) - 1);
  char claims[9000];
  snprintf(claims, sizeof claims, "{\"iss\":\"bulwark\",\"aud\":\"bulwark\",\"sub\":\"a\",\"jti\":\"j\",\"iat\":1,"
                                  "\"nbf\":1,\"exp\":2000000000%s}", big);
  t = forge(HDR, claims, KEY, true);
  CHECK(verify(t, &out) != 0);
  free(t);

  /* structure: parts, sizes */
  CHECK(verify("", &out) != 0);
  CHECK(verify("a.b", &out) != 0);
  CHECK(verify("a.b.c.d", &out) != 0);
  CHECK(verify("..", &out) != 0);
  t = forge(HDR, CLAIMS(""), KEY, true);
  char withpad[4096];
  snprintf(withpad, sizeof withpad, "%s=", t);
  CHECK(verify(withpad, &out) != 0);
  free(t);
  char *huge = malloc(BW_LIMIT_JWT_BYTES + 64);
  memset(huge, 'A', BW_LIMIT_JWT_BYTES + 63);
  huge[100] = '.';
  huge[200] = '.';
  huge[BW_LIMIT_JWT_BYTES + 63] = 0;
  bw_error_clear(&err);
  CHECK(bw_token_verify(KEY, "bulwark", "bulwark", huge, strlen(huge), NOW, &out, &err) == -BW_EAUTH);
  CHECK(strstr(err.msg, "longer than") != NULL);
  free(huge);

  /* actions */
  unsigned a;
  CHECK(bw_actions_parse("pull,push", 9, &a) == 0 && a == (BW_ACT_PULL | BW_ACT_PUSH));
  CHECK(bw_actions_parse("*", 1, &a) == 0 && a == (BW_ACT_PULL | BW_ACT_PUSH | BW_ACT_DELETE));
  CHECK(bw_actions_parse("pull,own", 8, &a) == -1);
  char fmt[32];
  bw_actions_format(BW_ACT_PULL | BW_ACT_DELETE, fmt, sizeof fmt);
  CHECK_STR(fmt, "pull,delete");
  bw_actions_format(BW_ACT_PUSH, fmt, sizeof fmt);
  CHECK_STR(fmt, "push");

  /* the key file: created 0600 once, reloaded, refused when readable by others or of another size */
  char dir[] = "/tmp/bw-token-test-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[256];
  snprintf(path, sizeof path, "%s/token.key", dir);
  uint8_t k1[32], k2[32];
  bw_error_clear(&err);
  CHECK(bw_token_key_load(path, k1, &err) == 0);
  struct stat st;
  CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 32);
  CHECK(bw_token_key_load(path, k2, &err) == 0 && memcmp(k1, k2, 32) == 0);
  chmod(path, 0644);
  bw_error_clear(&err);
  CHECK(bw_token_key_load(path, k2, &err) == -BW_EINVAL);
  chmod(path, 0600);
  int fd = open(path, O_WRONLY | O_APPEND);
  CHECK(fd >= 0 && write(fd, "x", 1) == 1);
  close(fd);
  bw_error_clear(&err);
  CHECK(bw_token_key_load(path, k2, &err) == -BW_ECORRUPT);
  unlink(path);
  rmdir(dir);
  return test_finish();
}
