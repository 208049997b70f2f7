/* Password hashing (libcrypt: yescrypt for new hashes, any libcrypt method verified), secrets from
 * the kernel's CSPRNG, constant-time comparison. */
#ifndef BW_AUTH_PASSWORD_H
#define BW_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* Hashes password (at most BW_LIMIT_PASSWORD_BYTES bytes, not empty) with yescrypt ("$y$", libcrypt's
 * default cost and a 16-byte salt from getrandom) into out (cap >= 128 recommended). */
int bw_password_hash(const char *password, char *out, size_t cap, bw_error *err);

/* True when password matches hash (any method libcrypt supports: yescrypt, sha512crypt, bcrypt, ...).
 * False for an unsupported, disabled or malformed hash. The final comparison is constant-time. */
bool bw_password_verify(const char *password, const char *hash);

/* Spends about the time of one verification (for unknown user names, so timing does not tell). */
void bw_password_dummy_verify(const char *password);

/* Fills buf with n random bytes (getrandom, blocking until the pool is seeded). */
int bw_random_bytes(void *buf, size_t n, bw_error *err);

/* Writes a random secret of len characters from [A-Za-z0-9] (unbiased) and a NUL into out
 * (cap > len). 32 characters carry ~190 bits. */
int bw_random_secret(char *out, size_t cap, size_t len, bw_error *err);

/* Constant-time equality of two NUL-terminated strings (time depends only on the lengths). */
bool bw_ct_streq(const char *a, const char *b);

#endif
