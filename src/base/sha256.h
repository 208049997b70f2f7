/* Streaming SHA-256 (OpenSSL libcrypto) and "sha256:<hex>" digest helpers. */
#ifndef BW_BASE_SHA256_H
#define BW_BASE_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BW_DIGEST_STR_LEN 71 /* "sha256:" + 64 hex, without NUL */

typedef struct bw_sha256 bw_sha256;

/* Returns a new hashing context (caller frees with bw_sha256_free), NULL on OOM. */
bw_sha256 *bw_sha256_new(void);
void bw_sha256_free(bw_sha256 *h);
void bw_sha256_update(bw_sha256 *h, const void *p, size_t n);
/* Writes "sha256:<64 hex>" and a NUL into out (at least BW_DIGEST_STR_LEN + 1 bytes). */
void bw_sha256_final_str(bw_sha256 *h, char out[BW_DIGEST_STR_LEN + 1]);
void bw_sha256_buf_str(const void *p, size_t n, char out[BW_DIGEST_STR_LEN + 1]);

/* True when s is "sha256:" followed by exactly 64 lowercase hex digits. Other algorithms are
 * rejected: a digest we cannot compute is a digest we cannot trust. */
bool bw_digest_valid(const char *s);
/* 0 when s is a valid sha256 digest, else a BW_EINVAL error naming what is wrong. */
int bw_digest_check(const char *s, bw_error *err);

#endif
