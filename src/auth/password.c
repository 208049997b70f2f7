/* Password hashing with libcrypt (libxcrypt): crypt_gensalt_rn + crypt_r. */
#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>

#include "auth/password.h"
#include "base/limits.h"

_Static_assert(BW_LIMIT_PASSWORD_BYTES < CRYPT_MAX_PASSPHRASE_SIZE, "libcrypt refuses longer passphrases");

int bw_random_bytes(void *buf, size_t n, bw_error *err) {
  unsigned char *p = buf;
  while (n > 0) {
    ssize_t k = getrandom(p, n, 0);
    if (k < 0) {
      if (errno == EINTR) continue;
      return bw_error_sys(err, BW_EIO, "getrandom");
    }
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

int bw_random_secret(char *out, size_t cap, size_t len, bw_error *err) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  if (cap <= len) return bw_error_set(err, BW_EINVAL, "secret buffer too small");
  size_t i = 0;
  while (i < len) {
    unsigned char r[64];
    int e = bw_random_bytes(r, sizeof r, err);
    if (e) return e;
    for (size_t k = 0; k < sizeof r && i < len; k++)
      if (r[k] < 248) out[i++] = alphabet[r[k] % 62]; /* 248 = 4 * 62: no modulo bias */
    explicit_bzero(r, sizeof r);
  }
  out[len] = '\0';
  return 0;
}

bool bw_ct_streq(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la != lb) return false;
  return CRYPTO_memcmp(a, b, la) == 0;
}

int bw_password_hash(const char *password, char *out, size_t cap, bw_error *err) {
  size_t plen = strlen(password);
  if (plen == 0) return bw_error_set(err, BW_EINVAL, "the password is empty");
  if (plen > BW_LIMIT_PASSWORD_BYTES)
    return bw_error_set(err, BW_ELIMIT, "the password is longer than %u bytes", (unsigned)BW_LIMIT_PASSWORD_BYTES);
  unsigned char rnd[16];
  int e = bw_random_bytes(rnd, sizeof rnd, err);
  if (e) return e;
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn("$y$", 0, (const char *)rnd, (int)sizeof rnd, setting, (int)sizeof setting))
    return bw_error_sys(err, BW_EIO, "crypt_gensalt_rn($y$)");
  explicit_bzero(rnd, sizeof rnd);
  struct crypt_data *cd = calloc(1, sizeof *cd);
  if (!cd) return bw_error_set(err, BW_ENOMEM, "out of memory");
  const char *h = crypt_r(password, setting, cd);
  int r = 0;
  if (!h || h[0] == '*') r = bw_error_sys(err, BW_EIO, "crypt_r(yescrypt) failed");
  else if (strlen(h) >= cap) r = bw_error_set(err, BW_ELIMIT, "password hash longer than %zu bytes", cap - 1);
  else memcpy(out, h, strlen(h) + 1);
  explicit_bzero(cd, sizeof *cd);
  free(cd);
  return r;
}

bool bw_password_verify(const char *password, const char *hash) {
  if (!password || !hash || !hash[0]) return false;
  if (strlen(password) > BW_LIMIT_PASSWORD_BYTES) return false;
  if (crypt_checksalt(hash) != CRYPT_SALT_OK) return false;
  struct crypt_data *cd = calloc(1, sizeof *cd);
  if (!cd) return false;
  const char *h = crypt_r(password, hash, cd);
  bool ok = h && h[0] != '*' && bw_ct_streq(h, hash);
  explicit_bzero(cd, sizeof *cd);
  free(cd);
  return ok;
}

static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void) {
  bw_error err = {0};
  char pw[33];
  if (bw_random_secret(pw, sizeof pw, 32, &err) == 0) (void)bw_password_hash(pw, dummy_hash, sizeof dummy_hash, &err);
}

void bw_password_dummy_verify(const char *password) {
  /* a yescrypt hash of a random password made once per process: same cost as a real check */
  pthread_once(&dummy_once, dummy_init);
  (void)bw_password_verify(password ? password : "", dummy_hash);
}
