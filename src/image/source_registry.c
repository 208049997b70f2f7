/* The docker:// transport: a Registry HTTP API v2 (OCI Distribution) client on libcurl.
 *
 * Small documents (manifests, configs, tokens) are fetched whole into capped buffers and their
 * sha256 is computed here: Docker-Content-Digest is never trusted. Layers stream through a pull-style
 * reader on the curl multi interface whose write callback fills a bounded buffer and pauses the
 * transfer when it is full, so a layer is never downloaded ahead of its consumer.
 *
 * Auth: anonymous first; on 401 the WWW-Authenticate challenge picks Basic (credentials from the
 * options, else ~/.docker/config.json) or a Bearer token from the challenge's realm. The auth state
 * is shared by every reader of the source (layers stream in parallel), under a mutex. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/common.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/strutil.h"
#include "image/image.h"
#include "image/registry_auth.h"

#define REG_MANIFEST_ACCEPT                                                                        \
  "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "   \
  "application/vnd.docker.distribution.manifest.list.v2+json, "                                    \
  "application/vnd.docker.distribution.manifest.v2+json"

#define REG_STREAM_BUF (256u << 10) /* bytes a layer reader buffers ahead of its consumer */
#define REG_STREAM_BUF_MAX (16u << 20) /* a single curl chunk larger than this is refused */
#define REG_CONNECT_TIMEOUT 30L
#define REG_STALL_SECONDS 120L /* abort a transfer that moved no byte for this long */

typedef struct reg_source {
  bw_source base;
  char *host;    /* API host[:port] (docker.io mapped) */
  char *repo;    /* repository path, "library/debian" */
  char *display; /* "host/repo" for messages */
  char *prefix;  /* "https://host/v2/repo/" */
  bool insecure;
  char *ca_file;
  char *docker_config;
  char *opt_user, *opt_pass;

  pthread_mutex_t mu; /* guards everything below */
  bw_auth_scheme scheme;
  bool creds_loaded;
  char *user, *pass;
  char *bearer; /* "Authorization: Bearer <token>" */
  unsigned gen; /* bumped on every auth change, so concurrent 401s refresh once */
  char **manifests; /* digests known to name manifests (children of an index) */
  size_t nmanifests;
} reg_source;

/* What one request sends, snapshotted from the shared auth state. */
typedef struct reg_auth_snap {
  bw_auth_scheme scheme;
  char *user, *pass, *bearer;
  unsigned gen;
} reg_auth_snap;

/* What one response said: status and headers of the final hop, capped bodies. */
typedef struct reg_resp {
  long status;
  bool headers_done; /* the blank line after a final (non-3xx) response's headers was seen */
  char *content_type;
  bw_buf www_auth;
  bw_buf body;    /* 2xx body, capped by the caller's maximum */
  bw_buf errbody; /* non-2xx body, kept up to BW_LIMIT_ERROR_BODY_BYTES for the message */
  bool over_limit;
  char errbuf[CURL_ERROR_SIZE];
} reg_resp;

/* ---- small helpers ---------------------------------------------------------------------- */

static pthread_once_t reg_curl_once = PTHREAD_ONCE_INIT;
static CURLcode reg_curl_init_rc = CURLE_OK;
static void reg_curl_init(void) { reg_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

static void reg_snap_dispose(reg_auth_snap *a) {
  free(a->user);
  free(a->pass);
  free(a->bearer);
  memset(a, 0, sizeof *a);
}

static int reg_snap_take(reg_source *rs, reg_auth_snap *a, bw_error *err) {
  memset(a, 0, sizeof *a);
  pthread_mutex_lock(&rs->mu);
  a->scheme = rs->scheme;
  a->gen = rs->gen;
  bool oom = false;
  if (rs->scheme == BW_AUTH_SCHEME_BASIC && rs->user) {
    a->user = strdup(rs->user);
    a->pass = strdup(rs->pass ? rs->pass : "");
    oom = !a->user || !a->pass;
  } else if (rs->scheme == BW_AUTH_SCHEME_BEARER && rs->bearer) {
    a->bearer = strdup(rs->bearer);
    oom = !a->bearer;
  }
  pthread_mutex_unlock(&rs->mu);
  if (oom) {
    reg_snap_dispose(a);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  return 0;
}

static void reg_resp_init(reg_resp *r, size_t max) {
  memset(r, 0, sizeof *r);
  bw_buf_init(&r->www_auth, BW_LIMIT_AUTH_PARAM_BYTES * 4);
  bw_buf_init(&r->body, max);
  bw_buf_init(&r->errbody, BW_LIMIT_ERROR_BODY_BYTES);
}

static void reg_resp_dispose(reg_resp *r) {
  free(r->content_type);
  bw_buf_dispose(&r->www_auth);
  bw_buf_dispose(&r->body);
  bw_buf_dispose(&r->errbody);
}

static bool reg_is_2xx(long s) { return s >= 200 && s < 300; }

/* Header callback: tracks the status line and the headers of the current hop only. */
static size_t reg_header_cb(char *p, size_t size, size_t nmemb, void *ud) {
  reg_resp *r = ud;
  size_t n = size * nmemb;
  const char *s = p;
  size_t len = n;
  bw_trim(&s, &len);
  if (len >= 5 && strncmp(s, "HTTP/", 5) == 0) {
    /* A new response (redirect hop or auth retry): forget the previous hop's headers. */
    free(r->content_type);
    r->content_type = NULL;
    r->www_auth.len = 0;
    r->headers_done = false;
    r->status = 0;
    size_t i = 5;
    while (i < len && s[i] != ' ') i++;
    while (i < len && s[i] == ' ') i++;
    uint64_t code = 0;
    if (i + 3 <= len && bw_parse_u64(s + i, 3, &code)) r->status = (long)code;
    return n;
  }
  if (len == 0) {
    if (!(r->status >= 300 && r->status < 400)) r->headers_done = true;
    return n;
  }
  const char *colon = memchr(s, ':', len);
  if (!colon) return n;
  size_t nlen = (size_t)(colon - s);
  const char *v = colon + 1;
  size_t vlen = len - nlen - 1;
  bw_trim(&v, &vlen);
  if (nlen == 12 && strncasecmp(s, "Content-Type", 12) == 0) {
    free(r->content_type);
    r->content_type = strndup(v, vlen);
  } else if (nlen == 16 && strncasecmp(s, "WWW-Authenticate", 16) == 0) {
    /* Several WWW-Authenticate headers are one comma-separated list (RFC 7235 4.1). */
    bw_error e = {0};
    if (r->www_auth.len) bw_buf_append(&r->www_auth, ", ", 2, &e);
    bw_buf_append(&r->www_auth, v, vlen, &e);
  }
  return n;
}

static size_t reg_body_cb(char *p, size_t size, size_t nmemb, void *ud) {
  reg_resp *r = ud;
  size_t n = size * nmemb;
  bw_error e = {0};
  if (!reg_is_2xx(r->status)) {
    /* An error body only feeds the message: keep its head, drop the rest. */
    size_t room = r->errbody.max - r->errbody.len;
    bw_buf_append(&r->errbody, p, n < room ? n : room, &e);
    return n;
  }
  if (bw_buf_append(&r->body, p, n, &e) < 0) {
    r->over_limit = true;
    return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
  }
  return n;
}

/* The "errors" of a registry error body ({"errors":[{"code","message"}]}), printable, or "". */
static void reg_error_detail(const bw_buf *body, char *out, size_t outn) {
  out[0] = 0;
  if (!body->len) return;
  json_t *j = NULL;
  bw_error ignored = {0};
  if (bw_json_parse(&j, body->data, body->len, BW_LIMIT_ERROR_BODY_BYTES, "error body", &ignored) < 0)
    return;
  json_t *errs = j ? json_object_get(j, "errors") : NULL;
  json_t *e0 = json_is_array(errs) ? json_array_get(errs, 0) : NULL;
  const char *code = json_string_value(json_object_get(e0, "code"));
  const char *msg = json_string_value(json_object_get(e0, "message"));
  if (code || msg)
    snprintf(out, outn, " (%s%s%s)", code ? code : "", code && msg ? ": " : "", msg ? msg : "");
  json_decref(j);
  /* The text came from the server: keep it on one printable line. */
  for (char *c = out; *c; c++)
    if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f) *c = '?';
}

static bool reg_errbody_has(const bw_buf *body, const char *code) {
  return body->len && memmem(body->data, body->len, code, strlen(code)) != NULL;
}

static int reg_curl_error(reg_source *rs, CURLcode rc, const reg_resp *resp, const char *what,
                          size_t max, bw_error *err) {
  const char *detail = resp->errbuf[0] ? resp->errbuf : curl_easy_strerror(rc);
  switch (rc) {
  case CURLE_WRITE_ERROR:
    if (resp->over_limit)
      return bw_error_set(err, BW_ELIMIT, "%s: %s is larger than the %zu-byte limit", rs->display,
                          what, max);
    break;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_USE_SSL_FAILED:
    return bw_error_set(err, BW_EIO,
                        "%s: TLS connection failed fetching %s: %s; if this registry speaks plain "
                        "HTTP (or uses a self-signed certificate) pass --insecure",
                        rs->display, what, detail);
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return bw_error_set(err, BW_EIO, "%s: cannot resolve the registry host: %s; check the image "
                        "reference", rs->display, detail);
  case CURLE_COULDNT_CONNECT:
    return bw_error_set(err, BW_EIO, "%s: cannot connect to the registry: %s; is it running and is "
                        "the port right?", rs->display, detail);
  case CURLE_OPERATION_TIMEDOUT:
    return bw_error_set(err, BW_EIO, "%s: timed out fetching %s: %s", rs->display, what, detail);
  case CURLE_TOO_MANY_REDIRECTS:
    return bw_error_set(err, BW_EIO, "%s: more than %d redirects fetching %s", rs->display,
                        BW_LIMIT_REDIRECTS, what);
  case CURLE_UNSUPPORTED_PROTOCOL:
    return bw_error_set(err, BW_EIO, "%s: refused a redirect to another protocol fetching %s: %s%s",
                        rs->display, what, detail,
                        rs->insecure ? "" : " (without --insecure only https redirects are followed)");
  default:
    break;
  }
  return bw_error_set(err, BW_EIO, "%s: fetching %s failed: %s", rs->display, what, detail);
}

typedef enum { REG_KIND_MANIFEST, REG_KIND_BLOB, REG_KIND_TOKEN } reg_kind;

static int reg_status_error(reg_source *rs, const reg_resp *resp, reg_kind kind, const char *what,
                            bw_error *err) {
  char detail[512];
  reg_error_detail(&resp->errbody, detail, sizeof detail);
  long st = resp->status;
  if (st == 404) {
    if (reg_errbody_has(&resp->errbody, "NAME_UNKNOWN"))
      return bw_error_set(err, BW_ENOTFOUND, "%s: repository not found%s: check the repository name",
                          rs->display, detail);
    if (kind == REG_KIND_MANIFEST)
      return bw_error_set(err, BW_ENOTFOUND, "%s: manifest unknown: check the tag: %s is not in the "
                          "registry%s", rs->display, what, detail);
    return bw_error_set(err, BW_ENOTFOUND, "%s: %s not found in the registry%s", rs->display, what,
                        detail);
  }
  if (st == 403)
    return bw_error_set(err, BW_EAUTH, "%s: access denied to %s%s: the credentials lack pull "
                        "permission (check --username/--password or docker login)",
                        rs->display, what, detail);
  if (st == 429)
    return bw_error_set(err, BW_EIO, "%s: rate limited (HTTP 429) fetching %s%s: retry later or "
                        "log in with --username/--password", rs->display, what, detail);
  return bw_error_set(err, BW_EIO, "%s: registry answered HTTP %ld fetching %s%s", rs->display, st,
                      what, detail);
}

/* Sets up an easy handle for url with the transport policy shared by every request. */
static int reg_easy_setup(reg_source *rs, CURL *h, const char *url, struct curl_slist *hdrs,
                          const reg_auth_snap *a, reg_resp *resp, bw_error *err) {
  CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                              \
  do {                                                                                             \
    if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val);                                        \
  } while (0)
  SET(CURLOPT_URL, url);
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_USERAGENT, "bulwark/" BW_VERSION);
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
  /* Without --insecure a redirect may not downgrade to plain HTTP. */
  SET(CURLOPT_REDIR_PROTOCOLS_STR, rs->insecure ? "http,https" : "https");
  SET(CURLOPT_FOLLOWLOCATION, 1L);
  SET(CURLOPT_MAXREDIRS, (long)BW_LIMIT_REDIRECTS);
  /* Credentials (Basic and our Authorization header) stay on the original host: libcurl drops
   * them on cross-host redirects unless CURLOPT_UNRESTRICTED_AUTH, which we never set. */
  SET(CURLOPT_CONNECTTIMEOUT, REG_CONNECT_TIMEOUT);
  SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
  SET(CURLOPT_LOW_SPEED_TIME, REG_STALL_SECONDS);
  SET(CURLOPT_HEADERFUNCTION, reg_header_cb);
  SET(CURLOPT_HEADERDATA, resp);
  SET(CURLOPT_ERRORBUFFER, resp->errbuf);
  if (rs->insecure) {
    SET(CURLOPT_SSL_VERIFYPEER, 0L);
    SET(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (rs->ca_file) SET(CURLOPT_CAINFO, rs->ca_file);
  if (hdrs) SET(CURLOPT_HTTPHEADER, hdrs);
  if (a && a->scheme == BW_AUTH_SCHEME_BASIC && a->user) {
    SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    SET(CURLOPT_USERNAME, a->user);
    SET(CURLOPT_PASSWORD, a->pass);
  }
#undef SET
  if (rc != CURLE_OK)
    return bw_error_set(err, BW_EIO, "%s: configuring libcurl: %s", rs->display, curl_easy_strerror(rc));
  return 0;
}

/* Builds the request headers: an optional Accept line and the bearer token. */
static int reg_headers(struct curl_slist **out, const char *accept, const reg_auth_snap *a,
                       bw_error *err) {
  struct curl_slist *l = NULL, *t;
  if (accept) {
    if (!(t = curl_slist_append(l, accept))) goto oom;
    l = t;
  }
  if (a && a->scheme == BW_AUTH_SCHEME_BEARER && a->bearer) {
    if (!(t = curl_slist_append(l, a->bearer))) goto oom;
    l = t;
  }
  *out = l;
  return 0;
oom:
  curl_slist_free_all(l);
  return bw_error_set(err, BW_ENOMEM, "out of memory");
}

/* One GET of a small document into resp (no auth handling). */
static int reg_perform_small(reg_source *rs, const char *url, const char *accept,
                             const reg_auth_snap *a, reg_resp *resp, const char *what, size_t max,
                             bw_error *err) {
  CURL *h = curl_easy_init();
  if (!h) return bw_error_set(err, BW_ENOMEM, "%s: cannot create a libcurl handle", rs->display);
  struct curl_slist *hdrs = NULL;
  int r = reg_headers(&hdrs, accept, a, err);
  if (r == 0) r = reg_easy_setup(rs, h, url, hdrs, a, resp, err);
  if (r == 0 && (curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, reg_body_cb) != CURLE_OK ||
                 curl_easy_setopt(h, CURLOPT_WRITEDATA, resp) != CURLE_OK))
    r = bw_error_set(err, BW_EIO, "%s: configuring libcurl", rs->display);
  if (r == 0) {
    bw_debug("registry: GET %s", url);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) r = reg_curl_error(rs, rc, resp, what, max, err);
  }
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
  return r;
}

/* ---- authentication --------------------------------------------------------------------- */

/* A token goes into a header line: only visible ASCII, so no header injection. */
static bool reg_token_ok(const char *t) {
  if (!t || !*t) return false;
  for (const unsigned char *p = (const unsigned char *)t; *p; p++)
    if (*p <= 0x20 || *p >= 0x7f) return false;
  return true;
}

static int reg_load_creds(reg_source *rs, bw_error *err) {
  if (rs->creds_loaded) return 0;
  rs->creds_loaded = true;
  if (rs->opt_user) {
    rs->user = strdup(rs->opt_user);
    rs->pass = strdup(rs->opt_pass ? rs->opt_pass : "");
    if (!rs->user || !rs->pass) return bw_error_set(err, BW_ENOMEM, "out of memory");
    return 0;
  }
  int r = bw_docker_config_load(rs->docker_config, rs->host, &rs->user, &rs->pass, err);
  if (r == 0 && rs->user) bw_debug("registry: using docker config credentials for %s", rs->host);
  return r;
}

static int reg_auth_required(reg_source *rs, const char *extra, bw_error *err) {
  if (rs->user)
    return bw_error_set(err, BW_EAUTH, "%s: authentication failed for user \"%s\"%s: check "
                        "--username/--password or docker login", rs->display, rs->user, extra);
  return bw_error_set(err, BW_EAUTH, "%s: authentication required%s: pass --username/--password or "
                      "docker login", rs->display, extra);
}

/* Asks the challenge's realm for a token (called with rs->mu held). */
static int reg_fetch_token(reg_source *rs, const bw_www_auth *ch, bw_error *err) {
  if (!ch->realm || !(strncasecmp(ch->realm, "https://", 8) == 0 ||
                      strncasecmp(ch->realm, "http://", 7) == 0))
    return bw_error_set(err, BW_EAUTH, "%s: Bearer challenge without a usable http(s) realm (\"%.200s\")",
                        rs->display, ch->realm ? ch->realm : "");
  CURL *esc = curl_easy_init();
  if (!esc) return bw_error_set(err, BW_ENOMEM, "out of memory");
  bw_buf url;
  bw_buf_init(&url, BW_LIMIT_AUTH_PARAM_BYTES * 8);
  int r = bw_buf_append(&url, ch->realm, strlen(ch->realm), err);
  char sep = strchr(ch->realm, '?') ? '&' : '?';
  if (r == 0 && ch->service) {
    char *e = curl_easy_escape(esc, ch->service, 0);
    r = e ? bw_buf_printf(&url, err, "%cservice=%s", sep, e)
          : bw_error_set(err, BW_ENOMEM, "out of memory");
    curl_free(e);
    sep = '&';
  }
  /* Without a scope in the challenge, ask for what we need: pull on this repository. */
  _cleanup_free_ char *defscope = NULL;
  const char *scope = ch->scope;
  if (!scope) {
    size_t n = strlen(rs->repo) + sizeof "repository::pull";
    if (!(defscope = malloc(n))) r = bw_error_set(err, BW_ENOMEM, "out of memory");
    else snprintf(defscope, n, "repository:%s:pull", rs->repo);
    scope = defscope;
  }
  for (const char *p = scope; r == 0 && p && *p;) {
    size_t n = strcspn(p, " ");
    if (n) {
      char *e = curl_easy_escape(esc, p, (int)n);
      r = e ? bw_buf_printf(&url, err, "%cscope=%s", sep, e)
            : bw_error_set(err, BW_ENOMEM, "out of memory");
      curl_free(e);
      sep = '&';
    }
    p += n;
    while (*p == ' ') p++;
  }
  curl_easy_cleanup(esc);
  if (r < 0) {
    bw_buf_dispose(&url);
    return r;
  }

  reg_auth_snap a = {.scheme = BW_AUTH_SCHEME_BASIC, .user = rs->user, .pass = rs->pass};
  reg_resp resp;
  reg_resp_init(&resp, BW_LIMIT_TOKEN_BYTES);
  r = reg_perform_small(rs, url.data, NULL, rs->user ? &a : NULL, &resp, "a token from the auth "
                        "server", BW_LIMIT_TOKEN_BYTES, err);
  if (r == 0 && (resp.status == 401 || resp.status == 403)) {
    char extra[600];
    snprintf(extra, sizeof extra, " (the token server at %.300s refused: HTTP %ld)", ch->realm,
             resp.status);
    r = reg_auth_required(rs, extra, err);
  } else if (r == 0 && !reg_is_2xx(resp.status)) {
    r = reg_status_error(rs, &resp, REG_KIND_TOKEN, "a token from the auth server", err);
  }
  if (r == 0) {
    json_t *j = NULL;
    r = bw_json_parse(&j, resp.body.data ? resp.body.data : "", resp.body.len, BW_LIMIT_TOKEN_BYTES,
                      "the auth server's token response", err);
    const char *tok = json_string_value(json_object_get(j, "token"));
    if (!tok || !*tok) tok = json_string_value(json_object_get(j, "access_token"));
    if (r < 0) {
      bw_error_wrap(err, "%s", rs->display);
    } else if (!reg_token_ok(tok)) {
      r = BW_CORRUPT(err, "%s: the auth server's answer holds no usable \"token\" or "
                     "\"access_token\"", rs->display);
    } else {
      bw_buf hdr;
      bw_buf_init(&hdr, 0);
      r = bw_buf_printf(&hdr, err, "Authorization: Bearer %s", tok);
      if (r == 0) {
        free(rs->bearer);
        rs->bearer = bw_buf_steal(&hdr, NULL);
      }
      bw_buf_dispose(&hdr);
    }
    json_decref(j);
  }
  reg_resp_dispose(&resp);
  bw_buf_dispose(&url);
  return r;
}

/* Reacts to a 401: parses the challenge and updates the shared auth state so that a retry can
 * succeed. `*refreshed` counts the credentials this request obtained; a second 401 after we
 * supplied credentials ourselves is a final authentication failure. */
static int reg_handle_401(reg_source *rs, const reg_resp *resp, unsigned seen_gen, int *refreshed,
                          bw_error *err) {
  pthread_mutex_lock(&rs->mu);
  int r = 0;
  if (rs->gen != seen_gen) goto out; /* another request already changed the credentials: retry */
  bw_www_auth ch;
  bw_error perr = {0};
  r = bw_www_auth_parse(&ch, resp->www_auth.data ? resp->www_auth.data : "", resp->www_auth.len, &perr);
  if (r < 0) {
    r = bw_error_set(err, BW_EAUTH, "%s: unreadable authentication challenge: %s", rs->display,
                     perr.msg);
    goto out;
  }
  if ((r = reg_load_creds(rs, err)) < 0) goto out_ch;
  if (*refreshed > 0) {
    r = reg_auth_required(rs, "", err);
    goto out_ch;
  }
  if (ch.scheme == BW_AUTH_SCHEME_BASIC) {
    if (!rs->user) {
      r = reg_auth_required(rs, "", err);
      goto out_ch;
    }
    rs->scheme = BW_AUTH_SCHEME_BASIC;
  } else if (ch.scheme == BW_AUTH_SCHEME_BEARER) {
    if ((r = reg_fetch_token(rs, &ch, err)) < 0) goto out_ch;
    rs->scheme = BW_AUTH_SCHEME_BEARER;
  } else {
    r = reg_auth_required(rs, " (no Basic or Bearer challenge offered)", err);
    goto out_ch;
  }
  rs->gen++;
  (*refreshed)++;
out_ch:
  bw_www_auth_dispose(&ch);
out:
  pthread_mutex_unlock(&rs->mu);
  return r;
}

/* GET of a small document with auth handling. On success *out is malloc'd (caller frees) and
 * *ctype (if asked) is the Content-Type without parameters, malloc'd or NULL. */
static int reg_fetch_small(reg_source *rs, const char *url, const char *accept, reg_kind kind,
                           const char *what, size_t max, char **out, size_t *len, char **ctype,
                           bw_error *err) {
  int refreshed = 0;
  for (int attempt = 0; attempt < 4; attempt++) {
    reg_auth_snap a;
    int r = reg_snap_take(rs, &a, err);
    if (r < 0) return r;
    reg_resp resp;
    reg_resp_init(&resp, max);
    r = reg_perform_small(rs, url, accept, &a, &resp, what, max, err);
    if (r == 0 && resp.status == 401) {
      r = reg_handle_401(rs, &resp, a.gen, &refreshed, err);
      reg_snap_dispose(&a);
      reg_resp_dispose(&resp);
      if (r < 0) return r;
      continue;
    }
    reg_snap_dispose(&a);
    if (r == 0 && !reg_is_2xx(resp.status)) r = reg_status_error(rs, &resp, kind, what, err);
    if (r == 0) {
      if (ctype) {
        *ctype = NULL;
        if (resp.content_type) {
          size_t n = strcspn(resp.content_type, ";");
          const char *s = resp.content_type;
          bw_trim(&s, &n);
          if (n) *ctype = strndup(s, n);
        }
      }
      *out = bw_buf_steal(&resp.body, len);
      if (!*out) r = bw_error_set(err, BW_ENOMEM, "out of memory");
    }
    reg_resp_dispose(&resp);
    return r;
  }
  pthread_mutex_lock(&rs->mu);
  int r = reg_auth_required(rs, " (the registry kept answering 401)", err);
  pthread_mutex_unlock(&rs->mu);
  return r;
}

/* ---- manifests and blobs ---------------------------------------------------------------- */

static bool reg_is_known_manifest(reg_source *rs, const char *digest) {
  pthread_mutex_lock(&rs->mu);
  bool found = false;
  for (size_t i = 0; i < rs->nmanifests && !found; i++) found = strcmp(rs->manifests[i], digest) == 0;
  pthread_mutex_unlock(&rs->mu);
  return found;
}

/* Remembers the digests an index lists: they name manifests, which registries serve under
 * /manifests/ (the distribution registry answers 404 for them under /blobs/). */
static void reg_note_children(reg_source *rs, const char *bytes, size_t len) {
  /* Best effort: the resolver parses (and rejects) the document properly. */
  json_t *j = NULL;
  bw_error ignored = {0};
  if (bw_json_parse(&j, bytes, len, BW_LIMIT_MANIFEST_BYTES, "manifest", &ignored) < 0) return;
  json_t *list = json_object_get(j, "manifests");
  if (json_is_array(list)) {
    pthread_mutex_lock(&rs->mu);
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m) {
      const char *d = json_string_value(json_object_get(m, "digest"));
      if (i >= BW_LIMIT_INDEX_ENTRIES || !bw_digest_valid(d)) continue;
      char **nm = realloc(rs->manifests, (rs->nmanifests + 1) * sizeof *nm);
      char *dup = strdup(d);
      if (!nm || !dup) {
        free(dup);
        if (nm) rs->manifests = nm;
        break;
      }
      rs->manifests = nm;
      rs->manifests[rs->nmanifests++] = dup;
    }
    pthread_mutex_unlock(&rs->mu);
  }
  json_decref(j);
}

static int reg_url(reg_source *rs, const char *kind, const char *ref, char **out, bw_error *err) {
  bw_buf b;
  bw_buf_init(&b, 0);
  int r = bw_buf_printf(&b, err, "%s%s/%s", rs->prefix, kind, ref);
  if (r < 0) {
    bw_buf_dispose(&b);
    return r;
  }
  *out = bw_buf_steal(&b, NULL);
  return *out ? 0 : bw_error_set(err, BW_ENOMEM, "out of memory");
}

static int reg_check_digest(reg_source *rs, const char *what, const char *want, const char *bytes,
                            size_t len, bw_error *err) {
  char got[BW_DIGEST_STR_LEN + 1];
  bw_sha256_buf_str(bytes, len, got);
  if (strcmp(got, want) != 0)
    return BW_CORRUPT(err, "%s: %s: content hashes to %s, not the digest it was asked for",
                      rs->display, what, got);
  return 0;
}

/* Hands a locally collected error to the caller (first error wins), source location included. */
static int reg_error_move(bw_error *err, const bw_error *e) {
  if (err && err->code == 0) *err = *e;
  return -e->code;
}

static int reg_get_blob(bw_source *s, const char *digest, size_t max, char **out, size_t *len,
                        bw_error *err) {
  reg_source *rs = (reg_source *)s;
  *out = NULL;
  if (len) *len = 0;
  int r = bw_digest_check(digest, err);
  if (r < 0) return bw_error_wrap(err, "%s", rs->display);
  char what[BW_DIGEST_STR_LEN + 16];
  _cleanup_free_ char *url = NULL, *body = NULL;
  size_t n = 0;
  bool known = reg_is_known_manifest(rs, digest);
  bool as_manifest = known;
  if (!as_manifest) {
    snprintf(what, sizeof what, "blob %s", digest);
    if ((r = reg_url(rs, "blobs", digest, &url, err)) < 0) return r;
    bw_error e = {0};
    r = reg_fetch_small(rs, url, NULL, REG_KIND_BLOB, what, max, &body, &n, NULL, &e);
    if (r == -BW_ENOTFOUND) {
      /* The source API gives only a digest: an unknown blob may be a manifest (nested index). */
      as_manifest = true;
      free(bw_steal(&url));
    } else if (r < 0) {
      return reg_error_move(err, &e);
    }
  }
  if (as_manifest) {
    snprintf(what, sizeof what, "manifest %s", digest);
    if ((r = reg_url(rs, "manifests", digest, &url, err)) < 0) return r;
    bw_error e = {0};
    r = reg_fetch_small(rs, url, REG_MANIFEST_ACCEPT, REG_KIND_MANIFEST, what, max, &body, &n, NULL, &e);
    if (r == -BW_ENOTFOUND && !known)
      return bw_error_set(err, BW_ENOTFOUND, "%s: blob %s not found in the registry (neither under "
                          "blobs/ nor manifests/)", rs->display, digest);
    if (r < 0) return reg_error_move(err, &e);
  }
  if ((r = reg_check_digest(rs, what, digest, body, n, err)) < 0) return r;
  if (as_manifest) reg_note_children(rs, body, n);
  *out = bw_steal(&body);
  if (len) *len = n;
  return 0;
}

/* ---- streaming layer reader ------------------------------------------------------------- */

typedef struct reg_layer_reader {
  bw_reader base;
  reg_source *rs; /* borrowed; used only while opening */
  char *display;  /* "host/repo" for messages, owned */
  CURLM *multi;
  CURL *easy;
  struct curl_slist *hdrs;
  reg_auth_snap auth;
  reg_resp resp;
  char *url;
  char what[BW_DIGEST_STR_LEN + 16];
  char *buf;
  size_t cap, start, end; /* buffered bytes are buf[start, end) */
  bool paused, done, over_size, too_big_chunk;
  CURLcode result;
  int64_t expected, received;
} reg_layer_reader;

static size_t reg_layer_write_cb(char *p, size_t size, size_t nmemb, void *ud) {
  reg_layer_reader *lr = ud;
  size_t n = size * nmemb;
  if (!reg_is_2xx(lr->resp.status)) return reg_body_cb(p, size, nmemb, &lr->resp);
  int64_t total;
  if (lr->expected >= 0 &&
      (__builtin_add_overflow(lr->received, (int64_t)n, &total) || total > lr->expected)) {
    lr->over_size = true; /* more bytes than the manifest declares: stop reading a hostile stream */
    return 0;
  }
  size_t used = lr->end - lr->start;
  if (n > lr->cap - used) {
    if (used > 0) {
      lr->paused = true; /* curl keeps the chunk and hands it to us again after unpausing */
      return CURL_WRITEFUNC_PAUSE;
    }
    if (n > REG_STREAM_BUF_MAX) {
      lr->too_big_chunk = true;
      return 0;
    }
    char *nb = realloc(lr->buf, n);
    if (!nb) {
      lr->too_big_chunk = true;
      return 0;
    }
    lr->buf = nb;
    lr->cap = n;
    lr->start = lr->end = 0;
  }
  if (lr->cap - lr->end < n) {
    memmove(lr->buf, lr->buf + lr->start, used);
    lr->start = 0;
    lr->end = used;
  }
  memcpy(lr->buf + lr->end, p, n);
  lr->end += n;
  lr->received += (int64_t)n;
  return n;
}

/* Runs the transfer a step: performs, then waits (bounded) for socket activity. */
static int reg_layer_step(reg_layer_reader *lr, bw_error *err) {
  int running = 0;
  CURLMcode mc = curl_multi_perform(lr->multi, &running);
  if (mc != CURLM_OK)
    return bw_error_set(err, BW_EIO, "%s: %s: libcurl: %s", lr->display, lr->what,
                        curl_multi_strerror(mc));
  int left;
  CURLMsg *msg;
  while ((msg = curl_multi_info_read(lr->multi, &left))) {
    if (msg->msg == CURLMSG_DONE) {
      lr->done = true;
      lr->result = msg->data.result;
    }
  }
  if (!running) lr->done = true;
  if (lr->done || lr->end > lr->start) return 0;
  mc = curl_multi_poll(lr->multi, NULL, 0, 1000, NULL);
  if (mc != CURLM_OK)
    return bw_error_set(err, BW_EIO, "%s: %s: libcurl poll: %s", lr->display, lr->what,
                        curl_multi_strerror(mc));
  return 0;
}

static void reg_layer_teardown(reg_layer_reader *lr) {
  if (lr->multi && lr->easy) curl_multi_remove_handle(lr->multi, lr->easy);
  if (lr->easy) curl_easy_cleanup(lr->easy);
  if (lr->multi) curl_multi_cleanup(lr->multi);
  curl_slist_free_all(lr->hdrs);
  lr->easy = NULL;
  lr->multi = NULL;
  lr->hdrs = NULL;
  reg_snap_dispose(&lr->auth);
  reg_resp_dispose(&lr->resp);
}

static void reg_layer_close(bw_reader *r) {
  reg_layer_reader *lr = (reg_layer_reader *)r;
  if (!lr) return;
  reg_layer_teardown(lr);
  free(lr->buf);
  free(lr->url);
  free(lr->display);
  free(lr);
}

/* The error of a finished transfer. */
static int reg_layer_finish_error(reg_layer_reader *lr, bw_error *err) {
  const char *display = lr->display;
  if (lr->over_size)
    return BW_CORRUPT(err, "%s: %s: the registry sent more than the %lld bytes the manifest declares",
                      display, lr->what, (long long)lr->expected);
  if (lr->too_big_chunk)
    return bw_error_set(err, BW_ELIMIT, "%s: %s: libcurl delivered an oversized chunk", display,
                        lr->what);
  const char *detail = lr->resp.errbuf[0] ? lr->resp.errbuf : curl_easy_strerror(lr->result);
  return bw_error_set(err, BW_EIO, "%s: %s: transfer failed after %lld bytes: %s", display, lr->what,
                      (long long)lr->received, detail);
}

static ssize_t reg_layer_read(bw_reader *r, void *out, size_t n, bw_error *err) {
  reg_layer_reader *lr = (reg_layer_reader *)r;
  if (n == 0) return 0;
  for (;;) {
    if (lr->end > lr->start) {
      size_t m = lr->end - lr->start;
      if (m > n) m = n;
      memcpy(out, lr->buf + lr->start, m);
      lr->start += m;
      if (lr->start == lr->end) lr->start = lr->end = 0;
      if (lr->paused && lr->cap - (lr->end - lr->start) >= CURL_MAX_WRITE_SIZE) {
        lr->paused = false;
        /* May call the write callback at once with the held chunk: there is room for it. */
        CURLcode rc = curl_easy_pause(lr->easy, CURLPAUSE_CONT);
        if (rc != CURLE_OK) {
          lr->done = true;
          lr->result = rc;
        }
      }
      return (ssize_t)m;
    }
    if (lr->done) {
      if (lr->result == CURLE_OK && reg_is_2xx(lr->resp.status)) return 0;
      if (lr->result == CURLE_OK)
        return bw_error_set(err, BW_EIO, "%s: %s: HTTP %ld in the middle of the stream", lr->display,
                            lr->what, lr->resp.status);
      return reg_layer_finish_error(lr, err);
    }
    if (lr->paused) { /* drained while paused: let the held chunk in */
      lr->paused = false;
      CURLcode rc = curl_easy_pause(lr->easy, CURLPAUSE_CONT);
      if (rc != CURLE_OK) {
        lr->done = true;
        lr->result = rc;
      }
      continue;
    }
    int e = reg_layer_step(lr, err);
    if (e < 0) return e;
  }
}

/* Starts the transfer of lr->url and drives it until the final response's headers are in (or it
 * ended). */
static int reg_layer_start(reg_source *rs, reg_layer_reader *lr, bw_error *err) {
  int r = reg_snap_take(rs, &lr->auth, err);
  if (r < 0) return r;
  reg_resp_init(&lr->resp, 0);
  lr->start = lr->end = 0;
  lr->received = 0;
  lr->paused = lr->done = lr->over_size = lr->too_big_chunk = false;
  lr->result = CURLE_OK;
  if (!(lr->multi = curl_multi_init()) || !(lr->easy = curl_easy_init()))
    return bw_error_set(err, BW_ENOMEM, "%s: cannot create a libcurl handle", rs->display);
  if ((r = reg_headers(&lr->hdrs, NULL, &lr->auth, err)) < 0) return r;
  if ((r = reg_easy_setup(rs, lr->easy, lr->url, lr->hdrs, &lr->auth, &lr->resp, err)) < 0) return r;
  /* HTTP/1.1 for streams: each reader has its own connection, so HTTP/2 multiplexing buys nothing,
   * and pause/unpause flow control is simplest (and best trodden in libcurl) on HTTP/1.1. */
  if (curl_easy_setopt(lr->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK ||
      curl_easy_setopt(lr->easy, CURLOPT_WRITEFUNCTION, reg_layer_write_cb) != CURLE_OK ||
      curl_easy_setopt(lr->easy, CURLOPT_WRITEDATA, lr) != CURLE_OK ||
      curl_multi_add_handle(lr->multi, lr->easy) != CURLM_OK)
    return bw_error_set(err, BW_EIO, "%s: configuring libcurl", rs->display);
  bw_debug("registry: GET %s (streaming)", lr->url);
  while (!lr->done && !(lr->resp.headers_done && reg_is_2xx(lr->resp.status)))
    if ((r = reg_layer_step(lr, err)) < 0) return r;
  return 0;
}

static int reg_open_layer(bw_source *s, const bw_layer_desc *layer, bw_reader **out, bw_error *err) {
  reg_source *rs = (reg_source *)s;
  *out = NULL;
  int r = bw_digest_check(layer->digest, err);
  if (r < 0) return bw_error_wrap(err, "%s: layer", rs->display);
  reg_layer_reader *lr = calloc(1, sizeof *lr);
  if (!lr) return bw_error_set(err, BW_ENOMEM, "out of memory");
  lr->base.read = reg_layer_read;
  lr->base.close = reg_layer_close;
  lr->rs = rs;
  lr->display = strdup(rs->display);
  lr->expected = layer->size;
  snprintf(lr->what, sizeof lr->what, "layer %s", layer->digest);
  lr->cap = REG_STREAM_BUF;
  lr->buf = malloc(lr->cap);
  if (!lr->buf || !lr->display) {
    reg_layer_close(&lr->base);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  if ((r = reg_url(rs, "blobs", layer->digest, &lr->url, err)) < 0) {
    reg_layer_close(&lr->base);
    return r;
  }
  int refreshed = 0;
  for (int attempt = 0; attempt < 4; attempt++) {
    r = reg_layer_start(rs, lr, err);
    if (r < 0) break;
    if (lr->done && lr->result != CURLE_OK) {
      r = lr->over_size || lr->too_big_chunk ? reg_layer_finish_error(lr, err)
                                             : reg_curl_error(rs, lr->result, &lr->resp, lr->what, 0, err);
      break;
    }
    if (lr->resp.status == 401) {
      r = reg_handle_401(rs, &lr->resp, lr->auth.gen, &refreshed, err);
      reg_layer_teardown(lr);
      if (r < 0) break;
      continue;
    }
    if (!reg_is_2xx(lr->resp.status)) {
      r = reg_status_error(rs, &lr->resp, REG_KIND_BLOB, lr->what, err);
      break;
    }
    lr->rs = NULL; /* the reader no longer touches the source */
    *out = &lr->base;
    return 0;
  }
  if (r == 0) {
    pthread_mutex_lock(&rs->mu);
    r = reg_auth_required(rs, " (the registry kept answering 401)", err);
    pthread_mutex_unlock(&rs->mu);
  }
  reg_layer_close(&lr->base);
  return r;
}

/* ---- the source ------------------------------------------------------------------------- */

static void reg_free(bw_source *s) {
  reg_source *rs = (reg_source *)s;
  if (!rs) return;
  free(rs->host);
  free(rs->repo);
  free(rs->display);
  free(rs->prefix);
  free(rs->ca_file);
  free(rs->docker_config);
  free(rs->opt_user);
  free(rs->opt_pass);
  free(rs->user);
  free(rs->pass);
  free(rs->bearer);
  for (size_t i = 0; i < rs->nmanifests; i++) free(rs->manifests[i]);
  free(rs->manifests);
  pthread_mutex_destroy(&rs->mu);
  free(rs);
}

static const bw_source_ops reg_ops = {
    .get_blob = reg_get_blob,
    .open_layer = reg_open_layer,
    .free = reg_free,
};

/* host[:port] or [v6]:port; nothing that could change the URL's meaning. */
static bool reg_host_ok(const char *h) {
  if (!h || !*h || strlen(h) > 255) return false;
  for (const char *p = h; *p; p++) {
    char c = *p;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '-' || c == ':' || c == '[' || c == ']'))
      return false;
  }
  return true;
}

/* Distribution's repository grammar: lowercase alphanumeric components separated by '/', with
 * single '.', '_', '__' or runs of '-' between alphanumerics inside a component. */
static bool reg_repo_ok(const char *r) {
  size_t n = r ? strlen(r) : 0;
  if (n == 0 || n > 255) return false;
  bool prev_alnum = false;
  for (size_t i = 0; i < n; i++) {
    char c = r[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      prev_alnum = true;
      continue;
    }
    if (c != '/' && c != '.' && c != '_' && c != '-') return false;
    if (!prev_alnum && !(c == '_' && i > 0 && r[i - 1] == '_') && !(c == '-' && i > 0 && r[i - 1] == '-'))
      return false;
    if (i + 1 == n) return false;
    prev_alnum = false;
  }
  return true;
}

static bool reg_tag_ok(const char *t) {
  size_t n = t ? strlen(t) : 0;
  if (n == 0 || n > 128) return false;
  for (size_t i = 0; i < n; i++) {
    char c = t[i];
    bool w = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!w && (i == 0 || (c != '.' && c != '-'))) return false;
  }
  return true;
}

static char *reg_strdup_opt(const char *s, bool *oom) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) *oom = true;
  return d;
}

static int reg_source_new(reg_source **out, const bw_image_ref *ref, const bw_image_opts *opts,
                          bw_error *err) {
  const char *host = bw_registry_api_host(ref->host);
  if (!reg_host_ok(host))
    return bw_error_set(err, BW_EINVAL, "invalid registry host \"%.200s\"", ref->host ? ref->host : "");
  bool hub = strcmp(host, "registry-1.docker.io") == 0;
  if (!reg_repo_ok(ref->repo))
    return bw_error_set(err, BW_EINVAL, "%s: invalid repository name \"%.200s\" (lowercase letters, "
                        "digits and . _ - separators)", host, ref->repo ? ref->repo : "");
  reg_source *rs = calloc(1, sizeof *rs);
  if (!rs) return bw_error_set(err, BW_ENOMEM, "out of memory");
  rs->base.ops = &reg_ops;
  pthread_mutex_init(&rs->mu, NULL);
  bw_buf b;
  bw_buf_init(&b, 0);
  /* Docker Hub's official images live under library/. */
  int r = bw_buf_printf(&b, err, "%s%s", hub && !strchr(ref->repo, '/') ? "library/" : "", ref->repo);
  rs->repo = r == 0 ? bw_buf_steal(&b, NULL) : NULL;
  if (r == 0) r = bw_buf_printf(&b, err, "%s/%s", host, rs->repo);
  rs->display = r == 0 ? bw_buf_steal(&b, NULL) : NULL;
  const bw_registry_auth *au = opts ? &opts->auth : NULL;
  rs->insecure = au && au->insecure;
  if (r == 0)
    r = bw_buf_printf(&b, err, "%s://%s/v2/%s/", rs->insecure ? "http" : "https", host, rs->repo);
  rs->prefix = r == 0 ? bw_buf_steal(&b, NULL) : NULL;
  bw_buf_dispose(&b);
  bool oom = false;
  rs->host = reg_strdup_opt(host, &oom);
  if (au) {
    rs->ca_file = reg_strdup_opt(au->ca_file, &oom);
    rs->docker_config = reg_strdup_opt(au->docker_config, &oom);
    rs->opt_user = reg_strdup_opt(au->username, &oom);
    rs->opt_pass = reg_strdup_opt(au->password, &oom);
  }
  if (r == 0 && (oom || !rs->repo || !rs->display || !rs->prefix))
    r = bw_error_set(err, BW_ENOMEM, "out of memory");
  if (r < 0) {
    reg_free(&rs->base);
    return r;
  }
  *out = rs;
  return 0;
}

int bw_source_registry_open(bw_image *img, const bw_image_ref *ref, const bw_image_opts *opts,
                            bw_error *err) {
  pthread_once(&reg_curl_once, reg_curl_init);
  if (reg_curl_init_rc != CURLE_OK)
    return bw_error_set(err, BW_EIO, "libcurl initialisation failed: %s",
                        curl_easy_strerror(reg_curl_init_rc));
  const char *reference = ref->digest ? ref->digest : (ref->tag ? ref->tag : "latest");
  if (ref->digest) {
    int r = bw_digest_check(ref->digest, err);
    if (r < 0) return bw_error_wrap(err, "image reference");
  } else if (!reg_tag_ok(reference)) {
    return bw_error_set(err, BW_EINVAL, "invalid tag \"%.200s\" (letters, digits, _ . -; at most 128)",
                        reference);
  }
  reg_source *rs = NULL;
  int r = reg_source_new(&rs, ref, opts, err);
  if (r < 0) return r;

  _cleanup_free_ char *url = NULL, *bytes = NULL, *ctype = NULL;
  size_t len = 0;
  char what[300];
  if (ref->digest)
    snprintf(what, sizeof what, "manifest %s", reference);
  else
    snprintf(what, sizeof what, "the manifest of tag \"%s\"", reference);
  r = reg_url(rs, "manifests", reference, &url, err);
  if (r == 0)
    r = reg_fetch_small(rs, url, REG_MANIFEST_ACCEPT, REG_KIND_MANIFEST, what,
                        BW_LIMIT_MANIFEST_BYTES, &bytes, &len, &ctype, err);
  char digest[BW_DIGEST_STR_LEN + 1];
  if (r == 0) {
    bw_sha256_buf_str(bytes, len, digest);
    /* Pulling by digest is a promise about content: the bytes must hash to it. */
    if (ref->digest && strcmp(digest, ref->digest) != 0)
      r = BW_CORRUPT(err, "%s: manifest %s: content hashes to %s", rs->display, ref->digest, digest);
  }
  if (r == 0) {
    bw_debug("registry: %s:%s is %s (%s)", rs->display, reference, digest, ctype ? ctype : "no type");
    reg_note_children(rs, bytes, len);
    img->source = &rs->base;
    /* Some registries label manifests application/json: let the resolver sniff mediaType then. */
    const char *mt = ctype && bw_str_startswith(ctype, "application/vnd.") ? ctype : NULL;
    r = bw_image_resolve_manifest(img, &rs->base, bytes, len, mt, opts ? opts->platform : NULL, err);
    if (r < 0) bw_error_wrap(err, "%s:%s", rs->display, reference);
  }
  if (r == 0 && !img->manifest_digest) {
    img->manifest_digest = strdup(digest);
    if (!img->manifest_digest) r = bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  if (r < 0) {
    if (img->source == &rs->base) img->source = NULL;
    reg_free(&rs->base);
    return r;
  }
  return 0;
}
