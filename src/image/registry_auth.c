#include "image/registry_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/common.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/strutil.h"

/* ---- WWW-Authenticate ------------------------------------------------------------------ */

/* RFC 7230 tchar: the characters of a token (scheme and parameter names, unquoted values). */
static bool auth_is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 7235 token68 characters (before the trailing '=' padding). */
static bool auth_is_token68(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != 0 && strchr("-._~+/", c) != NULL;
}

typedef struct auth_cursor {
  const char *buf;
  size_t len, pos;
} auth_cursor;

static bool auth_at_end(const auth_cursor *c) { return c->pos >= c->len; }
static unsigned char auth_peek(const auth_cursor *c) { return (unsigned char)c->buf[c->pos]; }

static void auth_skip_ows(auth_cursor *c) {
  while (!auth_at_end(c) && (auth_peek(c) == ' ' || auth_peek(c) == '\t')) c->pos++;
}

/* Skips whitespace and empty list elements (RFC 7230 #rule allows ", ,"). */
static void auth_skip_ows_commas(auth_cursor *c) {
  while (!auth_at_end(c) && (auth_peek(c) == ' ' || auth_peek(c) == '\t' || auth_peek(c) == ','))
    c->pos++;
}

static size_t auth_token_end(const auth_cursor *c, size_t from) {
  while (from < c->len && auth_is_tchar((unsigned char)c->buf[from])) from++;
  return from;
}

/* Reads a token or a quoted string value into a malloc'd string. */
static int auth_read_value(auth_cursor *c, char **out, bw_error *err) {
  bw_buf b;
  bw_buf_init(&b, BW_LIMIT_AUTH_PARAM_BYTES);
  if (!auth_at_end(c) && auth_peek(c) == '"') {
    c->pos++;
    for (;;) {
      if (auth_at_end(c)) {
        bw_buf_dispose(&b);
        return BW_CORRUPT(err, "WWW-Authenticate: unterminated quoted string");
      }
      unsigned char ch = auth_peek(c);
      if (ch == '"') {
        c->pos++;
        break;
      }
      if (ch == '\\') { /* quoted-pair: the next byte stands for itself */
        c->pos++;
        if (auth_at_end(c)) {
          bw_buf_dispose(&b);
          return BW_CORRUPT(err, "WWW-Authenticate: unterminated quoted string");
        }
        ch = auth_peek(c);
      }
      if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
        bw_buf_dispose(&b);
        return BW_CORRUPT(err, "WWW-Authenticate: control byte 0x%02x in a quoted string", ch);
      }
      int r = bw_buf_append(&b, &ch, 1, err);
      if (r < 0) {
        bw_buf_dispose(&b);
        return bw_error_wrap(err, "WWW-Authenticate parameter");
      }
      c->pos++;
    }
  } else {
    size_t end = auth_token_end(c, c->pos);
    if (end == c->pos) {
      bw_buf_dispose(&b);
      return BW_CORRUPT(err, "WWW-Authenticate: parameter without a value at offset %zu", c->pos);
    }
    int r = bw_buf_append(&b, c->buf + c->pos, end - c->pos, err);
    if (r < 0) {
      bw_buf_dispose(&b);
      return bw_error_wrap(err, "WWW-Authenticate parameter");
    }
    c->pos = end;
  }
  *out = bw_buf_steal(&b, NULL);
  if (!*out) return bw_error_set(err, BW_ENOMEM, "out of memory");
  return 0;
}

static bool auth_name_is(const char *s, size_t n, const char *want) {
  return strlen(want) == n && strncasecmp(s, want, n) == 0;
}

/* Stores a parameter of a challenge we care about; first realm/service wins, scopes accumulate. */
static int auth_store_param(bw_www_auth *t, const char *name, size_t nlen, char **value, bw_error *err) {
  char **slot = NULL;
  if (auth_name_is(name, nlen, "realm"))
    slot = &t->realm;
  else if (auth_name_is(name, nlen, "service"))
    slot = &t->service;
  else if (auth_name_is(name, nlen, "scope")) {
    if (!t->scope) {
      t->scope = bw_steal(value);
      return 0;
    }
    size_t a = strlen(t->scope), b = strlen(*value), total;
    if (__builtin_add_overflow(a, b, &total) || total + 1 > BW_LIMIT_AUTH_PARAM_BYTES)
      return bw_error_set(err, BW_ELIMIT, "WWW-Authenticate: scopes exceed %u bytes",
                          BW_LIMIT_AUTH_PARAM_BYTES);
    char *j = malloc(total + 2);
    if (!j) return bw_error_set(err, BW_ENOMEM, "out of memory");
    memcpy(j, t->scope, a);
    j[a] = ' ';
    memcpy(j + a + 1, *value, b + 1);
    free(t->scope);
    t->scope = j;
    return 0;
  }
  if (slot && !*slot) *slot = bw_steal(value);
  return 0;
}

void bw_www_auth_dispose(bw_www_auth *a) {
  if (!a) return;
  free(a->realm);
  free(a->service);
  free(a->scope);
  memset(a, 0, sizeof *a);
}

int bw_www_auth_parse(bw_www_auth *out, const char *buf, size_t len, bw_error *err) {
  memset(out, 0, sizeof *out);
  bw_www_auth bearer = {0}, basic = {0};
  bool have_bearer = false, have_basic = false;
  auth_cursor c = {buf, len, 0};
  int r = 0;

  auth_skip_ows_commas(&c);
  while (!auth_at_end(&c)) {
    /* A challenge: auth-scheme [ 1*SP ( token68 / #auth-param ) ] */
    size_t s0 = c.pos, s1 = auth_token_end(&c, c.pos);
    if (s1 == s0) {
      r = BW_CORRUPT(err, "WWW-Authenticate: expected an auth scheme at offset %zu", c.pos);
      goto fail;
    }
    c.pos = s1;
    bw_www_auth *target = NULL;
    if (auth_name_is(buf + s0, s1 - s0, "Bearer") && !have_bearer) {
      have_bearer = true;
      bearer.scheme = BW_AUTH_SCHEME_BEARER;
      target = &bearer;
    } else if (auth_name_is(buf + s0, s1 - s0, "Basic") && !have_basic) {
      have_basic = true;
      basic.scheme = BW_AUTH_SCHEME_BASIC;
      target = &basic;
    }
    if (!auth_at_end(&c) && auth_peek(&c) != ' ' && auth_peek(&c) != '\t' && auth_peek(&c) != ',') {
      r = BW_CORRUPT(err, "WWW-Authenticate: unexpected byte 0x%02x after the scheme", auth_peek(&c));
      goto fail;
    }
    auth_skip_ows(&c);

    /* token68 form ("Negotiate abc==") carries no parameters we use: skip it. */
    size_t q = c.pos;
    while (q < len && auth_is_token68((unsigned char)buf[q])) q++;
    if (q > c.pos) {
      size_t e = q;
      while (e < len && buf[e] == '=') e++;
      size_t w = e;
      while (w < len && (buf[w] == ' ' || buf[w] == '\t')) w++;
      if (w == len || buf[w] == ',') {
        c.pos = w;
        auth_skip_ows_commas(&c);
        continue;
      }
    }

    bool first = true;
    for (;;) {
      auth_skip_ows(&c);
      if (auth_at_end(&c)) break;
      if (auth_peek(&c) == ',') {
        auth_skip_ows_commas(&c);
        if (auth_at_end(&c)) break;
        /* A list element is either another parameter (token BWS "=") or the next challenge. */
        size_t t = auth_token_end(&c, c.pos);
        while (t < len && (buf[t] == ' ' || buf[t] == '\t')) t++;
        if (t >= len || buf[t] != '=') break;
      } else if (!first) {
        r = BW_CORRUPT(err, "WWW-Authenticate: expected ',' between parameters at offset %zu", c.pos);
        goto fail;
      }
      first = false;
      size_t n0 = c.pos, n1 = auth_token_end(&c, c.pos);
      if (n1 == n0) {
        r = BW_CORRUPT(err, "WWW-Authenticate: unexpected byte 0x%02x at offset %zu", auth_peek(&c),
                       c.pos);
        goto fail;
      }
      c.pos = n1;
      auth_skip_ows(&c);
      if (auth_at_end(&c) || auth_peek(&c) != '=') {
        r = BW_CORRUPT(err, "WWW-Authenticate: parameter without '=' at offset %zu", c.pos);
        goto fail;
      }
      c.pos++;
      auth_skip_ows(&c);
      _cleanup_free_ char *value = NULL;
      r = auth_read_value(&c, &value, err);
      if (r < 0) goto fail;
      if (target && (r = auth_store_param(target, buf + n0, n1 - n0, &value, err)) < 0) goto fail;
    }
  }

  if (have_bearer) {
    *out = bearer;
    bw_www_auth_dispose(&basic);
  } else if (have_basic) {
    *out = basic;
  }
  return 0;

fail:
  bw_www_auth_dispose(&bearer);
  bw_www_auth_dispose(&basic);
  return r;
}

/* ---- base64 ----------------------------------------------------------------------------- */

static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int bw_base64_decode(const char *in, size_t len, char **out, size_t *out_len, bw_error *err) {
  *out = NULL;
  if (out_len) *out_len = 0;
  /* Up to two '=' pad the last quantum; a padded input must be a whole number of quanta. */
  size_t n = len;
  size_t pads = 0;
  while (n > 0 && in[n - 1] == '=' && pads < 2) {
    n--;
    pads++;
  }
  if (pads && len % 4 != 0) return BW_CORRUPT(err, "base64: padding in a truncated quantum");
  if (n % 4 == 1) return BW_CORRUPT(err, "base64: impossible length %zu", len);
  size_t cap = n / 4 * 3 + 3;
  char *o = malloc(cap + 1);
  if (!o) return bw_error_set(err, BW_ENOMEM, "out of memory");
  size_t olen = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64_value((unsigned char)in[i]);
    if (v < 0) {
      free(o);
      return BW_CORRUPT(err, "base64: invalid character 0x%02x at offset %zu", (unsigned char)in[i], i);
    }
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      o[olen++] = (char)((acc >> bits) & 0xff);
    }
  }
  o[olen] = 0;
  *out = o;
  if (out_len) *out_len = olen;
  return 0;
}

/* ---- Docker config.json ----------------------------------------------------------------- */

static bool is_docker_hub(const char *h, size_t n) {
  return auth_name_is(h, n, "docker.io") || auth_name_is(h, n, "index.docker.io") ||
         auth_name_is(h, n, "registry-1.docker.io");
}

const char *bw_registry_api_host(const char *host) {
  if (host && (strcasecmp(host, "docker.io") == 0 || strcasecmp(host, "index.docker.io") == 0))
    return "registry-1.docker.io";
  return host;
}

/* The host part of a config key: "https://host:port/v1/" -> "host:port". */
static void key_host(const char *key, const char **h, size_t *n) {
  const char *p = key;
  if (strncasecmp(p, "https://", 8) == 0)
    p += 8;
  else if (strncasecmp(p, "http://", 7) == 0)
    p += 7;
  size_t len = strcspn(p, "/");
  *h = p;
  *n = len;
}

/* 2: the key is the host verbatim, 1: same host after normalisation, 0: no match. */
static int key_match(const char *key, const char *host) {
  if (strcmp(key, host) == 0) return 2;
  const char *h;
  size_t n;
  key_host(key, &h, &n);
  if (n == 0) return 0;
  if (auth_name_is(h, n, host)) return 1;
  if (is_docker_hub(h, n) && is_docker_hub(host, strlen(host))) return 1;
  return 0;
}

static int split_auth(const char *key, const char *b64, char **user, char **pass, bw_error *err) {
  _cleanup_free_ char *dec = NULL;
  size_t dlen = 0;
  int r = bw_base64_decode(b64, strlen(b64), &dec, &dlen, err);
  if (r < 0) return bw_error_wrap(err, "docker config: \"auth\" of \"%.200s\"", key);
  const char *colon = memchr(dec, ':', dlen);
  if (!colon || colon == dec || memchr(dec, 0, dlen))
    return BW_CORRUPT(err, "docker config: \"auth\" of \"%.200s\" is not base64 of user:password", key);
  size_t ulen = (size_t)(colon - dec);
  char *u = strndup(dec, ulen);
  char *p = strndup(colon + 1, dlen - ulen - 1);
  if (!u || !p) {
    free(u);
    free(p);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  *user = u;
  *pass = p;
  return 0;
}

int bw_docker_config_lookup(const char *json, size_t len, const char *host, char **user, char **pass,
                            const char **helper, bw_error *err) {
  *user = NULL;
  *pass = NULL;
  if (helper) *helper = NULL;
  json_t *root = NULL;
  int r = bw_json_parse(&root, json, len, BW_LIMIT_SMALL_FILE_BYTES, "docker config", err);
  if (r < 0) return r;
  if (!json_is_object(root)) {
    r = BW_CORRUPT(err, "docker config: top level is not an object");
    goto out;
  }

  json_t *auths = json_object_get(root, "auths");
  json_t *best = NULL;
  const char *best_key = NULL;
  int best_score = 0;
  if (auths && json_is_object(auths)) {
    const char *key;
    json_t *val;
    json_object_foreach(auths, key, val) {
      int s = key_match(key, host);
      if (s > best_score && json_is_object(val)) {
        best = val;
        best_key = key;
        best_score = s;
      }
    }
  }
  if (best) {
    json_t *a = json_object_get(best, "auth");
    json_t *u = json_object_get(best, "username"), *p = json_object_get(best, "password");
    if (json_is_string(a) && json_string_length(a) > 0) {
      r = split_auth(best_key, json_string_value(a), user, pass, err);
      goto out;
    }
    if (json_is_string(u) && json_is_string(p) && json_string_length(u) > 0) {
      *user = strdup(json_string_value(u));
      *pass = strdup(json_string_value(p));
      if (!*user || !*pass) {
        free(*user);
        free(*pass);
        *user = *pass = NULL;
        r = bw_error_set(err, BW_ENOMEM, "out of memory");
      }
      goto out;
    }
    if (helper && json_is_string(json_object_get(best, "identitytoken")))
      *helper = "an identity token (OAuth refresh token)";
  }
  if (helper && !*helper) {
    json_t *helpers = json_object_get(root, "credHelpers");
    if (json_is_object(helpers)) {
      const char *key;
      json_t *val;
      json_object_foreach(helpers, key, val) {
        if (key_match(key, host)) *helper = "a credential helper (credHelpers)";
      }
    }
    json_t *store = json_object_get(root, "credsStore");
    if (!*helper && json_is_string(store) && json_string_length(store) > 0)
      *helper = "a credential store (credsStore)";
  }
out:
  json_decref(root);
  return r;
}

int bw_docker_config_load(const char *path, const char *host, char **user, char **pass, bw_error *err) {
  *user = NULL;
  *pass = NULL;
  _cleanup_free_ char *def = NULL;
  if (!path) {
    const char *dir = getenv("DOCKER_CONFIG");
    if (dir && *dir) {
      def = bw_path_join(dir, "config.json");
    } else {
      const char *home = getenv("HOME");
      if (!home || !*home) return 0;
      def = bw_path_join(home, ".docker/config.json");
    }
    if (!def) return bw_error_set(err, BW_ENOMEM, "out of memory");
    path = def;
  }
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR)
      bw_warn("docker config %s: %s; continuing without its credentials", path, strerror(errno));
    return 0;
  }
  bw_buf b;
  bw_buf_init(&b, BW_LIMIT_SMALL_FILE_BYTES);
  char chunk[8192];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      bw_warn("docker config %s: %s; continuing without its credentials", path, strerror(errno));
      bw_buf_dispose(&b);
      return 0;
    }
    if (n == 0) break;
    bw_error e = {0};
    if (bw_buf_append(&b, chunk, (size_t)n, &e) < 0) {
      bw_warn("docker config %s: %s; continuing without its credentials", path, e.msg);
      bw_buf_dispose(&b);
      return 0;
    }
  }
  /* A broken config file must not block anonymous pulls: warn and go on without it. */
  bw_error e = {0};
  const char *helper = NULL;
  int r = bw_docker_config_lookup(b.data ? b.data : "", b.len, host, user, pass, &helper, &e);
  bw_buf_dispose(&b);
  if (r == -BW_ENOMEM) return bw_error_set(err, BW_ENOMEM, "%s", e.msg);
  if (r < 0) {
    bw_warn("docker config %s: %s; continuing without its credentials", path, e.msg);
    return 0;
  }
  if (!*user && helper)
    bw_warn("docker config %s names %s for %s, which bulwark does not run; pass --username and "
            "--password instead",
            path, helper, host);
  return 0;
}
