/* Password hashing: yescrypt hashes verify, other libcrypt methods verify, wrong or malformed fail. */
#include <crypt.h>
#include <string.h>

#include "auth/password.h"
#include "base/limits.h"
#include "unit/test.h"

static void other_method(const char *prefix, const char *tag) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  struct crypt_data cd;
  memset(&cd, 0, sizeof cd);
  if (!crypt_gensalt_rn(prefix, 0, NULL, 0, setting, sizeof setting)) {
    SKIP("libcrypt here does not support %s", tag);
    return;
  }
  const char *h = crypt_r("hunter2", setting, &cd);
  CHECK(h && h[0] != '*');
  if (!h || h[0] == '*') return;
  char hash[256];
  snprintf(hash, sizeof hash, "%s", h);
  CHECK(bw_password_verify("hunter2", hash));
  CHECK(!bw_password_verify("hunter3", hash));
  CHECK(!bw_password_verify("", hash));
}

int main(void) {
  bw_error err = {0};
  char h1[256], h2[256];
  CHECK(bw_password_hash("correct horse", h1, sizeof h1, &err) == 0);
  CHECK(!strncmp(h1, "$y$", 3));
  CHECK(bw_password_hash("correct horse", h2, sizeof h2, &err) == 0);
  CHECK(strcmp(h1, h2) != 0); /* a fresh salt each time */
  CHECK(bw_password_verify("correct horse", h1));
  CHECK(bw_password_verify("correct horse", h2));
  CHECK(!bw_password_verify("correct horsE", h1));
  CHECK(!bw_password_verify("correct hors", h1));
  CHECK(!bw_password_verify("", h1));

  /* malformed or disabled hashes never verify (crypt's "*" failure token included) */
  CHECK(!bw_password_verify("x", ""));
  CHECK(!bw_password_verify("x", "*"));
  CHECK(!bw_password_verify("x", "!"));
  CHECK(!bw_password_verify("x", "$y$"));
  CHECK(!bw_password_verify("x", "$zz$abc$def"));
  char truncated[256];
  snprintf(truncated, sizeof truncated, "%.*s", (int)strlen(h1) - 5, h1);
  CHECK(!bw_password_verify("correct horse", truncated));

  /* other methods libcrypt supports: sha512crypt, bcrypt */
  other_method("$6$", "sha512crypt");
  other_method("$2b$", "bcrypt");

  /* limits: empty and oversized passwords are refused */
  bw_error_clear(&err);
  CHECK(bw_password_hash("", h1, sizeof h1, &err) == -BW_EINVAL);
  char *big = malloc(BW_LIMIT_PASSWORD_BYTES + 2);
  memset(big, 'a', BW_LIMIT_PASSWORD_BYTES + 1);
  big[BW_LIMIT_PASSWORD_BYTES + 1] = 0;
  bw_error_clear(&err);
  CHECK(bw_password_hash(big, h1, sizeof h1, &err) == -BW_ELIMIT);
  big[BW_LIMIT_PASSWORD_BYTES] = 0;
  bw_error_clear(&err);
  CHECK(bw_password_hash(big, h1, sizeof h1, &err) == 0);
  CHECK(bw_password_verify(big, h1));
  free(big);
  bw_error_clear(&err);
  CHECK(bw_password_hash("x", h1, 10, &err) == -BW_ELIMIT); /* buffer too small */

  /* secrets: the alphabet, the length, no repeats */
  char s1[41], s2[41];
  CHECK(bw_random_secret(s1, sizeof s1, 40, &err) == 0);
  CHECK(bw_random_secret(s2, sizeof s2, 40, &err) == 0);
  CHECK(strlen(s1) == 40 && strspn(s1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == 40);
  CHECK(strcmp(s1, s2) != 0);
  bw_error_clear(&err);
  CHECK(bw_random_secret(s1, 40, 40, &err) == -BW_EINVAL);

  CHECK(bw_ct_streq("abc", "abc"));
  CHECK(!bw_ct_streq("abc", "abd"));
  CHECK(!bw_ct_streq("abc", "abcd"));
  CHECK(bw_ct_streq("", ""));
  bw_password_dummy_verify("whatever"); /* must not crash */
  return test_finish();
}
