/* Registry authentication helpers: the WWW-Authenticate challenge parser (RFC 7235 grammar, as
 * registries send it) and the credential lookup in Docker's ~/.docker/config.json.
 * Both parsers are pure functions of untrusted bytes; the file reader is separate. */
#ifndef BW_IMAGE_REGISTRY_AUTH_H
#define BW_IMAGE_REGISTRY_AUTH_H

#include <stddef.h>

#include "base/error.h"

typedef enum {
  BW_AUTH_SCHEME_NONE = 0, /* no challenge we understand */
  BW_AUTH_SCHEME_BASIC,
  BW_AUTH_SCHEME_BEARER,
} bw_auth_scheme;

/* The challenge we act on. Strings are malloc'd and owned by the struct (bw_www_auth_dispose);
 * NULL when the parameter was absent. */
typedef struct bw_www_auth {
  bw_auth_scheme scheme;
  char *realm;
  char *service;
  char *scope; /* several scope parameters are joined with one space */
} bw_www_auth;

/* Parses a WWW-Authenticate header value [buf, buf+len), which may hold several challenges
 * ("Bearer realm=\"..\",service=\"..\",scope=\"..\", Basic realm=\"..\""). Picks the first Bearer
 * challenge, else the first Basic one; other schemes are skipped. Parameter names and schemes are
 * case-insensitive; values are tokens or quoted strings with backslash escapes (commas inside quotes
 * are kept). On success fills *out (scheme NONE when no Bearer/Basic challenge was found; the caller
 * disposes it either way). Malformed syntax (unterminated quote, missing value, control bytes) is
 * BW_ECORRUPT; values past BW_LIMIT_AUTH_PARAM_BYTES are BW_ELIMIT; BW_ENOMEM on OOM. */
int bw_www_auth_parse(bw_www_auth *out, const char *buf, size_t len, bw_error *err);
void bw_www_auth_dispose(bw_www_auth *a);

/* Decodes standard base64 (with or without '=' padding, no whitespace) from [in, in+len) into a
 * malloc'd NUL-terminated buffer (caller frees *out). BW_ECORRUPT on a bad character or length. */
int bw_base64_decode(const char *in, size_t len, char **out, size_t *out_len, bw_error *err);

/* Looks up credentials for registry `host` (host[:port]) in the text of a Docker config.json.
 * Matches keys of "auths" by host after dropping a scheme and a path ("https://host/v1/" = "host"),
 * case-insensitively; Docker Hub hosts (docker.io, index.docker.io, registry-1.docker.io) all match
 * the key "https://index.docker.io/v1/" and each other. Uses the base64 "auth" field ("user:pass"),
 * else "username"/"password" fields. On success *user and *pass are malloc'd (caller frees) or both
 * NULL when no entry matches. Credential helpers (credsStore, credHelpers) are not run: when one
 * covers the host and no inline credentials exist, *helper is set to a static description for a
 * warning (may be NULL). BW_ECORRUPT on malformed JSON or a bad "auth" field. */
int bw_docker_config_lookup(const char *json, size_t len, const char *host, char **user, char **pass,
                            const char **helper, bw_error *err);

/* Reads the Docker config file and looks up credentials for host (see bw_docker_config_lookup).
 * path NULL means $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json. A missing file is not
 * an error (*user = *pass = NULL). The file is capped at BW_LIMIT_SMALL_FILE_BYTES. Credential
 * helpers are reported with a warning in the log. Caller frees *user and *pass. */
int bw_docker_config_load(const char *path, const char *host, char **user, char **pass, bw_error *err);

/* Maps Docker Hub aliases to the API host: "docker.io" and "index.docker.io" become
 * "registry-1.docker.io"; other hosts are returned unchanged. Static or borrowed string. */
const char *bw_registry_api_host(const char *host);

#endif
