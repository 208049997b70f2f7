/* JSON Web Tokens (compact JWS, HS256) for Docker token authentication: the token endpoint signs,
 * the registry verifies (it is the only verifier, so a symmetric key is enough). Parsing is strict:
 * a token is hostile input until its signature checks. */
#ifndef BW_AUTH_TOKEN_H
#define BW_AUTH_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/error.h"

#define BW_TOKEN_KEY_BYTES 32

/* One access entry: {"type":"repository","name":"team/app","actions":["pull","push"]}.
 * type is "repository" (name a repository, or a glob for robots) or "registry" (name "catalog"). */
typedef struct bw_token_access {
  char type[16];
  char name[256];
  unsigned actions; /* BW_ACT_*; "*" = all three */
} bw_token_access;

typedef struct bw_token_claims {
  char sub[BW_AUTH_NAME_MAX]; /* "" for anonymous */
  char jti[48];
  int64_t iat, nbf, exp;
  size_t naccess;
  bw_token_access access[BW_AUTH_SCOPES_MAX];
} bw_token_claims;

/* Loads the 32-byte signing key from path, or creates it (random, mode 0600, written to a temporary
 * file then linked into place, so concurrent first starts agree on one key). A key file readable by
 * group or others, or of another size, is an error. */
int bw_token_key_load(const char *path, uint8_t key[BW_TOKEN_KEY_BYTES], bw_error *err);

/* Signs c as a compact JWS (header {"alg":"HS256","typ":"JWT"}) with iss and aud (c->jti filled
 * with a random id when empty). *out is malloc'd (caller frees). */
int bw_token_sign(const uint8_t key[BW_TOKEN_KEY_BYTES], const char *iss, const char *aud, bw_token_claims *c,
                  char **out, bw_error *err);

/* Verifies token [tok, tok+len): size (BW_LIMIT_JWT_BYTES), three strict base64url parts, header
 * alg exactly HS256 (no "none", no crit), the HMAC (constant-time), then the claims: iss and aud
 * equal the given ones, nbf <= now < exp, iat present, sub/jti strings, access well-formed (at most
 * BW_AUTH_SCOPES_MAX entries, known actions). Fills *out; -BW_EAUTH on any failure (err says why,
 * for logs; tell the client only "invalid token"). */
int bw_token_verify(const uint8_t key[BW_TOKEN_KEY_BYTES], const char *iss, const char *aud, const char *tok,
                    size_t len, int64_t now, bw_token_claims *out, bw_error *err);

/* base64url without padding (RFC 7515 §2). encode: out needs 4*ceil(n/3)+1 bytes; returns the
 * length. decode: strict (no padding, no whitespace, unused bits zero); returns the decoded length
 * or -1; out needs len*3/4+1 bytes. */
size_t bw_b64url_encode(const void *in, size_t n, char *out);
long bw_b64url_decode(const char *in, size_t len, unsigned char *out);

/* "pull,push" <-> BW_ACT_* ("*" = all; unknown words: -1). format writes e.g. "pull,push". */
int bw_actions_parse(const char *s, size_t n, unsigned *out);
void bw_actions_format(unsigned actions, char *out, size_t cap);

#endif
