#include "base/sha256.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

struct bw_sha256 {
  EVP_MD_CTX *ctx;
};

bw_sha256 *bw_sha256_new(void) {
  bw_sha256 *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  h->ctx = EVP_MD_CTX_new();
  if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(h->ctx);
    free(h);
    return NULL;
  }
  return h;
}

void bw_sha256_free(bw_sha256 *h) {
  if (!h) return;
  EVP_MD_CTX_free(h->ctx);
  free(h);
}

void bw_sha256_update(bw_sha256 *h, const void *p, size_t n) {
  if (n) EVP_DigestUpdate(h->ctx, p, n);
}

static void to_hex_digest(const unsigned char md[32], char out[BW_DIGEST_STR_LEN + 1]) {
  static const char hex[] = "0123456789abcdef";
  memcpy(out, "sha256:", 7);
  for (int i = 0; i < 32; i++) {
    out[7 + 2 * i] = hex[md[i] >> 4];
    out[8 + 2 * i] = hex[md[i] & 15];
  }
  out[BW_DIGEST_STR_LEN] = 0;
}

void bw_sha256_final_str(bw_sha256 *h, char out[BW_DIGEST_STR_LEN + 1]) {
  unsigned char md[32];
  unsigned int n = 0;
  EVP_DigestFinal_ex(h->ctx, md, &n);
  to_hex_digest(md, out);
}

void bw_sha256_buf_str(const void *p, size_t n, char out[BW_DIGEST_STR_LEN + 1]) {
  unsigned char md[32];
  unsigned int mdn = 0;
  EVP_Digest(p, n, md, &mdn, EVP_sha256(), NULL);
  to_hex_digest(md, out);
}

bool bw_digest_valid(const char *s) {
  if (!s || strncmp(s, "sha256:", 7) != 0) return false;
  for (int i = 0; i < 64; i++) {
    char c = s[7 + i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return s[BW_DIGEST_STR_LEN] == 0;
}

int bw_digest_check(const char *s, bw_error *err) {
  if (bw_digest_valid(s)) return 0;
  if (s && strncmp(s, "sha512:", 7) == 0)
    return bw_error_set(err, BW_EUNSUPPORTED, "digest algorithm sha512 is not supported (only sha256)");
  return bw_error_set(err, BW_EINVAL, "malformed digest \"%.80s\" (want sha256:<64 lowercase hex>)",
                      s ? s : "(null)");
}
