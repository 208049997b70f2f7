/* Image reference parsing, with skopeo's transport names. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/sha256.h"
#include "base/strutil.h"
#include "image/image.h"

void bw_image_ref_dispose(bw_image_ref *r) {
  free(r->path);
  free(r->tag);
  free(r->index);
  free(r->host);
  free(r->repo);
  free(r->digest);
  memset(r, 0, sizeof *r);
}

static char *dup_n(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = 0;
  }
  return p;
}

/* "PATH[:REST]" split at the first ':' (as containers/image does on Linux). */
static int split_path(bw_image_ref *out, const char *s, bool rest_is_tag, bw_error *err) {
  const char *colon = strchr(s, ':');
  size_t n = colon ? (size_t)(colon - s) : strlen(s);
  if (n == 0) return bw_error_set(err, BW_EINVAL, "image reference has an empty path");
  out->path = dup_n(s, n);
  if (colon && colon[1]) {
    if (rest_is_tag && colon[1] == '@') out->index = strdup(colon + 2);
    else out->tag = strdup(colon + 1);
  }
  return 0;
}

static bool valid_repo_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/';
}

static int parse_docker(bw_image_ref *out, const char *s, bw_error *err) {
  out->transport = BW_TRANSPORT_DOCKER;
  const char *slash = strchr(s, '/');
  const char *name = s;
  /* The first component is a host when it has a '.' or ':' or is localhost (docker's rule). */
  if (slash) {
    size_t hn = (size_t)(slash - s);
    bool is_host = memchr(s, '.', hn) || memchr(s, ':', hn) || (hn == 9 && !memcmp(s, "localhost", 9));
    if (is_host) {
      out->host = dup_n(s, hn);
      name = slash + 1;
    }
  }
  if (!out->host) out->host = strdup("docker.io");
  const char *at = strchr(name, '@');
  size_t rn = at ? (size_t)(at - name) : strlen(name);
  if (at) {
    out->digest = strdup(at + 1);
    int rc = bw_digest_check(out->digest, err);
    if (rc < 0) return bw_error_wrap(err, "image reference %s", s);
  }
  /* a tag is after the last ':' that follows the last '/' */
  const char *last_slash = memrchr(name, '/', rn);
  const char *colon = memchr(last_slash ? last_slash : name, ':', rn - (size_t)((last_slash ? last_slash : name) - name));
  if (colon) {
    out->tag = dup_n(colon + 1, rn - (size_t)(colon + 1 - name));
    rn = (size_t)(colon - name);
  }
  if (rn == 0) return bw_error_set(err, BW_EINVAL, "image reference %s has no repository", s);
  for (size_t i = 0; i < rn; i++)
    if (!valid_repo_char(name[i]))
      return bw_error_set(err, BW_EINVAL,
                          "image reference %s: repository names use lowercase letters, digits and . _ - /", s);
  if (!strcmp(out->host, "docker.io") && !memchr(name, '/', rn)) {
    out->repo = malloc(rn + 9);
    if (out->repo) {
      memcpy(out->repo, "library/", 8);
      memcpy(out->repo + 8, name, rn);
      out->repo[rn + 8] = 0;
    }
  } else {
    out->repo = dup_n(name, rn);
  }
  if (!out->tag && !out->digest) out->tag = strdup("latest");
  return 0;
}

int bw_image_ref_parse(bw_image_ref *out, const char *s, bw_error *err) {
  memset(out, 0, sizeof *out);
  if (!s || !*s) return bw_error_set(err, BW_EINVAL, "empty image reference");
  if (strlen(s) > BW_LIMIT_REF_BYTES)
    return bw_error_set(err, BW_ELIMIT, "image reference longer than %d bytes", BW_LIMIT_REF_BYTES);
  int rc;
  if (bw_str_startswith(s, "oci:")) {
    out->transport = BW_TRANSPORT_OCI;
    rc = split_path(out, s + 4, false, err);
  } else if (bw_str_startswith(s, "oci-archive:")) {
    out->transport = BW_TRANSPORT_OCI_ARCHIVE;
    rc = split_path(out, s + 12, false, err);
  } else if (bw_str_startswith(s, "docker-archive:")) {
    out->transport = BW_TRANSPORT_DOCKER_ARCHIVE;
    rc = split_path(out, s + 15, true, err);
  } else if (bw_str_startswith(s, "dir:")) {
    out->transport = BW_TRANSPORT_DIR;
    out->path = strdup(s + 4);
    rc = out->path && *out->path ? 0 : bw_error_set(err, BW_EINVAL, "dir: needs a path to a root filesystem");
  } else if (bw_str_startswith(s, "docker://")) {
    rc = parse_docker(out, s + 9, err);
  } else if (strstr(s, "://")) {
    return bw_error_set(err, BW_EINVAL,
                        "unknown transport in \"%s\": use oci:, oci-archive:, docker-archive:, dir: or docker://", s);
  } else if (s[0] == '/' || s[0] == '.' || access(s, F_OK) == 0) {
    return bw_error_set(err, BW_EINVAL,
                        "\"%s\" is a local path: say what it holds with oci:PATH (OCI layout directory), "
                        "oci-archive:PATH, docker-archive:PATH (docker save) or dir:PATH (root filesystem)",
                        s);
  } else {
    rc = parse_docker(out, s, err);
  }
  if (rc < 0) bw_image_ref_dispose(out);
  return rc;
}
