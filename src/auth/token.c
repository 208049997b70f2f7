/* JWT (compact JWS, HS256) signing and strict verification. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/password.h"
#include "auth/token.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/strutil.h"

/* --- base64url --- */

static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t bw_b64url_encode(const void *in, size_t n, char *out) {
  const unsigned char *p = in;
  size_t o = 0, i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    out[o++] = b64u[v >> 18];
    out[o++] = b64u[(v >> 12) & 63];
    out[o++] = b64u[(v >> 6) & 63];
    out[o++] = b64u[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)p[i] << 16;
    out[o++] = b64u[v >> 18];
    out[o++] = b64u[(v >> 12) & 63];
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
    out[o++] = b64u[v >> 18];
    out[o++] = b64u[(v >> 12) & 63];
    out[o++] = b64u[(v >> 6) & 63];
  }
  out[o] = '\0';
  return o;
}

static int b64u_val(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

long bw_b64url_decode(const char *in, size_t len, unsigned char *out) {
  if (len % 4 == 1) return -1;
  size_t o = 0, i = 0;
  for (; i + 4 <= len; i += 4) {
    int a = b64u_val(in[i]), b = b64u_val(in[i + 1]), c = b64u_val(in[i + 2]), d = b64u_val(in[i + 3]);
    if ((a | b | c | d) < 0) return -1;
    uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
    out[o++] = (unsigned char)(v >> 16);
    out[o++] = (unsigned char)(v >> 8);
    out[o++] = (unsigned char)v;
  }
  size_t rest = len - i;
  if (rest == 2) {
    int a = b64u_val(in[i]), b = b64u_val(in[i + 1]);
    if ((a | b) < 0 || (b & 15)) return -1; /* unused bits must be zero: one encoding per value */
    out[o++] = (unsigned char)(a << 2 | b >> 4);
  } else if (rest == 3) {
    int a = b64u_val(in[i]), b = b64u_val(in[i + 1]), c = b64u_val(in[i + 2]);
    if ((a | b | c) < 0 || (c & 3)) return -1;
    uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
    out[o++] = (unsigned char)(v >> 16);
    out[o++] = (unsigned char)(v >> 8);
  }
  out[o] = 0;
  return (long)o;
}

/* --- actions --- */

int bw_actions_parse(const char *s, size_t n, unsigned *out) {
  unsigned a = 0;
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && s[j] != ',') j++;
    size_t w = j - i;
    if (w == 4 && !memcmp(s + i, "pull", 4)) a |= BW_ACT_PULL;
    else if (w == 4 && !memcmp(s + i, "push", 4)) a |= BW_ACT_PUSH;
    else if (w == 6 && !memcmp(s + i, "delete", 6)) a |= BW_ACT_DELETE;
    else if (w == 1 && s[i] == '*') a |= BW_ACT_PULL | BW_ACT_PUSH | BW_ACT_DELETE;
    else if (w != 0) return -1; /* empty words ("pull,,push", trailing ',') are tolerated */
    i = j + 1;
  }
  *out = a;
  return 0;
}

void bw_actions_format(unsigned actions, char *out, size_t cap) {
  snprintf(out, cap, "%s%s%s%s%s", actions & BW_ACT_PULL ? "pull" : "",
           (actions & BW_ACT_PULL) && (actions & (BW_ACT_PUSH | BW_ACT_DELETE)) ? "," : "",
           actions & BW_ACT_PUSH ? "push" : "", (actions & BW_ACT_PUSH) && (actions & BW_ACT_DELETE) ? "," : "",
           actions & BW_ACT_DELETE ? "delete" : "");
}

/* --- key --- */

static int key_read(int fd, const char *path, uint8_t key[BW_TOKEN_KEY_BYTES], bw_error *err) {
  struct stat st;
  if (fstat(fd, &st) < 0) return bw_error_sys(err, BW_EIO, "token key %s", path);
  if (!S_ISREG(st.st_mode)) return bw_error_set(err, BW_EINVAL, "token key %s is not a regular file", path);
  if (st.st_mode & 077)
    return bw_error_set(err, BW_EINVAL, "token key %s is readable by others (mode %03o); chmod 600 it", path,
                        (unsigned)(st.st_mode & 0777));
  if (st.st_size != BW_TOKEN_KEY_BYTES)
    return bw_error_set(err, BW_ECORRUPT, "token key %s: %lld bytes, want %d", path, (long long)st.st_size,
                        BW_TOKEN_KEY_BYTES);
  size_t got = 0;
  while (got < BW_TOKEN_KEY_BYTES) {
    ssize_t k = read(fd, key + got, BW_TOKEN_KEY_BYTES - got);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return bw_error_sys(err, BW_EIO, "reading token key %s", path);
    got += (size_t)k;
  }
  return 0;
}

int bw_token_key_load(const char *path, uint8_t key[BW_TOKEN_KEY_BYTES], bw_error *err) {
  for (int attempt = 0; attempt < 2; attempt++) {
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      int r = key_read(fd, path, key, err);
      close(fd);
      return r;
    }
    if (errno != ENOENT || attempt) return bw_error_sys(err, BW_EIO, "token key %s", path);
    /* create: random key into a private temporary file, fsync, then link() it into place, which
     * fails when another process won the race (then both read the winner's key) */
    uint8_t k[BW_TOKEN_KEY_BYTES];
    int r = bw_random_bytes(k, sizeof k, err);
    if (r) return r;
    char tmp[4096];
    unsigned char sfx[6];
    if ((r = bw_random_bytes(sfx, sizeof sfx, err))) return r;
    char sfxs[16];
    bw_b64url_encode(sfx, sizeof sfx, sfxs);
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%s", path, sfxs) >= sizeof tmp)
      return bw_error_set(err, BW_EINVAL, "token key path too long");
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return bw_error_sys(err, BW_EIO, "creating token key %s", tmp);
    bool ok = write(fd, k, sizeof k) == (ssize_t)sizeof k && fsync(fd) == 0;
    explicit_bzero(k, sizeof k);
    if (close(fd) != 0) ok = false;
    if (!ok) {
      r = bw_error_sys(err, BW_EIO, "writing token key %s", tmp);
      unlink(tmp);
      return r;
    }
    if (link(tmp, path) != 0 && errno != EEXIST) {
      r = bw_error_sys(err, BW_EIO, "creating token key %s", path);
      unlink(tmp);
      return r;
    }
    unlink(tmp);
  }
  return bw_error_set(err, BW_EIO, "token key %s: cannot create", path);
}

/* --- sign --- */

static void hmac(const uint8_t key[BW_TOKEN_KEY_BYTES], const char *msg, size_t n, unsigned char mac[32]) {
  unsigned int maclen = 32;
  HMAC(EVP_sha256(), key, BW_TOKEN_KEY_BYTES, (const unsigned char *)msg, n, mac, &maclen);
}

int bw_token_sign(const uint8_t key[BW_TOKEN_KEY_BYTES], const char *iss, const char *aud, bw_token_claims *c,
                  char **out, bw_error *err) {
  *out = NULL;
  if (!c->jti[0]) {
    unsigned char r[18];
    int e = bw_random_bytes(r, sizeof r, err);
    if (e) return e;
    bw_b64url_encode(r, sizeof r, c->jti);
  }
  json_t *access = json_array();
  for (size_t i = 0; access && i < c->naccess; i++) {
    json_t *acts = json_array();
    if (c->access[i].actions & BW_ACT_PULL) json_array_append_new(acts, json_string("pull"));
    if (c->access[i].actions & BW_ACT_PUSH) json_array_append_new(acts, json_string("push"));
    if (c->access[i].actions & BW_ACT_DELETE) json_array_append_new(acts, json_string("delete"));
    json_array_append_new(access, json_pack("{s:s, s:s, s:o}", "type", c->access[i].type, "name",
                                            c->access[i].name, "actions", acts));
  }
  json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o}", "iss", iss, "sub", c->sub, "aud", aud, "exp",
                             (json_int_t)c->exp, "nbf", (json_int_t)c->nbf, "iat", (json_int_t)c->iat, "jti", c->jti,
                             "access", access);
  char *payload = claims ? json_dumps(claims, JSON_COMPACT) : NULL;
  json_decref(claims);
  if (!payload) return bw_error_set(err, BW_ENOMEM, "cannot encode token claims");
  static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  size_t plen = strlen(payload);
  size_t cap = (sizeof header / 3 + 2) * 4 + (plen / 3 + 2) * 4 + 48 + 4;
  char *tok = malloc(cap);
  if (!tok) {
    free(payload);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  size_t n = bw_b64url_encode(header, sizeof header - 1, tok);
  tok[n++] = '.';
  n += bw_b64url_encode(payload, plen, tok + n);
  free(payload);
  unsigned char mac[32];
  hmac(key, tok, n, mac);
  tok[n++] = '.';
  n += bw_b64url_encode(mac, sizeof mac, tok + n);
  *out = tok;
  return 0;
}

/* --- verify --- */

#define BAD(...) bw_error_set(err, BW_EAUTH, "invalid token: " __VA_ARGS__)

static int part_json(const char *p, size_t n, const char *what, json_t **out, bw_error *err) {
  unsigned char *buf = malloc(n * 3 / 4 + 4);
  if (!buf) return bw_error_set(err, BW_ENOMEM, "out of memory");
  long dl = bw_b64url_decode(p, n, buf);
  if (dl < 0) {
    free(buf);
    return BAD("%s is not base64url", what);
  }
  bw_error jerr = {0};
  int r = bw_json_parse(out, (const char *)buf, (size_t)dl, BW_LIMIT_JWT_BYTES, what, &jerr);
  free(buf);
  if (r) return BAD("%s", jerr.msg);
  if (!json_is_object(*out)) {
    json_decref(*out);
    *out = NULL;
    return BAD("%s is not a JSON object", what);
  }
  return 0;
}

static int get_int(json_t *o, const char *k, int64_t *v, bw_error *err) {
  json_t *x = json_object_get(o, k);
  if (!json_is_integer(x)) return BAD("claim %s missing or not an integer", k);
  *v = (int64_t)json_integer_value(x);
  return 0;
}

static int get_str(json_t *o, const char *k, char *out, size_t cap, bw_error *err) {
  json_t *x = json_object_get(o, k);
  if (!json_is_string(x)) return BAD("claim %s missing or not a string", k);
  size_t n = json_string_length(x);
  if (n >= cap || memchr(json_string_value(x), '\0', n)) return BAD("claim %s too long or not text", k);
  memcpy(out, json_string_value(x), n + 1);
  return 0;
}

static int claims_parse(json_t *o, const char *iss, const char *aud, int64_t now, bw_token_claims *c,
                        bw_error *err) {
  char tmp[256];
  int r;
  if ((r = get_str(o, "iss", tmp, sizeof tmp, err))) return r;
  if (strcmp(tmp, iss)) return BAD("wrong issuer");
  if ((r = get_str(o, "aud", tmp, sizeof tmp, err))) return r;
  if (strcmp(tmp, aud)) return BAD("wrong audience");
  if ((r = get_str(o, "sub", c->sub, sizeof c->sub, err))) return r;
  if ((r = get_str(o, "jti", c->jti, sizeof c->jti, err))) return r;
  if ((r = get_int(o, "exp", &c->exp, err)) || (r = get_int(o, "nbf", &c->nbf, err)) ||
      (r = get_int(o, "iat", &c->iat, err)))
    return r;
  if (now >= c->exp) return BAD("expired");
  if (now < c->nbf) return BAD("not valid yet");
  json_t *acc = json_object_get(o, "access");
  if (!acc) return 0;
  if (!json_is_array(acc)) return BAD("access is not an array");
  if (json_array_size(acc) > BW_AUTH_SCOPES_MAX) return BAD("more than %d access entries", BW_AUTH_SCOPES_MAX);
  size_t i;
  json_t *e;
  json_array_foreach(acc, i, e) {
    if (!json_is_object(e)) return BAD("access entry is not an object");
    bw_token_access *a = &c->access[c->naccess];
    memset(a, 0, sizeof *a);
    if ((r = get_str(e, "type", a->type, sizeof a->type, err)) || (r = get_str(e, "name", a->name, sizeof a->name, err)))
      return r;
    if (strcmp(a->type, "repository") && strcmp(a->type, "registry")) return BAD("unknown access type");
    if (!a->name[0]) return BAD("empty access name");
    json_t *acts = json_object_get(e, "actions");
    if (!json_is_array(acts) || json_array_size(acts) > 8) return BAD("access actions is not a short array");
    size_t k;
    json_t *s;
    json_array_foreach(acts, k, s) {
      unsigned bits;
      if (!json_is_string(s) || bw_actions_parse(json_string_value(s), json_string_length(s), &bits) ||
          (bits == 0))
        return BAD("unknown action");
      a->actions |= bits;
    }
    c->naccess++;
  }
  return 0;
}

int bw_token_verify(const uint8_t key[BW_TOKEN_KEY_BYTES], const char *iss, const char *aud, const char *tok,
                    size_t len, int64_t now, bw_token_claims *out, bw_error *err) {
  memset(out, 0, sizeof *out);
  if (len == 0) return BAD("empty");
  if (len > BW_LIMIT_JWT_BYTES) return BAD("longer than %u bytes", (unsigned)BW_LIMIT_JWT_BYTES);
  const char *d1 = memchr(tok, '.', len);
  const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok)) : NULL;
  if (!d1 || !d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok))) return BAD("not three dot-separated parts");
  size_t hlen = (size_t)(d1 - tok), plen = (size_t)(d2 - d1 - 1), slen = len - (size_t)(d2 + 1 - tok);
  if (!hlen || !plen) return BAD("empty header or payload");
  /* the signature: exactly 32 bytes (43 characters) */
  unsigned char sig[48];
  if (slen != 43 || bw_b64url_decode(d2 + 1, slen, sig) != 32) return BAD("bad signature encoding");
  json_t *h = NULL;
  int r = part_json(tok, hlen, "header", &h, err);
  if (r) return r;
  const char *alg = bw_json_str(h, "alg");
  json_t *typ = json_object_get(h, "typ");
  if (!alg || strcmp(alg, "HS256")) r = BAD("algorithm must be HS256");
  else if (typ && (!json_is_string(typ) || strcmp(json_string_value(typ), "JWT"))) r = BAD("typ must be JWT");
  else if (json_object_get(h, "crit")) r = BAD("critical header parameters are not supported");
  json_decref(h);
  if (r) return r;
  unsigned char mac[32];
  hmac(key, tok, (size_t)(d2 - tok), mac);
  if (CRYPTO_memcmp(mac, sig, 32) != 0) return BAD("bad signature");
  json_t *p = NULL;
  if ((r = part_json(d1 + 1, plen, "payload", &p, err))) return r;
  r = claims_parse(p, iss, aud, now, out, err);
  json_decref(p);
  if (r) memset(out, 0, sizeof *out);
  return r;
}
