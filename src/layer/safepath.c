#include "layer/safepath.h"

#include <stdio.h>
#include <string.h>

#include "base/limits.h"

/* Core of normalisation. clamp: ".." at the root stays at the root instead of failing. */
static int normalize(char *out, size_t outsz, const char *in, int clamp, bw_error *err) {
  size_t len = 0, depth = 0;
  const char *p = in;
  while (*p) {
    while (*p == '/') p++;
    if (!*p) break;
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 1 && p[0] == '.') {
      /* skip */
    } else if (n == 2 && p[0] == '.' && p[1] == '.') {
      if (len == 0) {
        if (!clamp) return BW_CORRUPT(err, "path \"%.200s\" escapes the image root", in);
      } else {
        while (len > 0 && out[len - 1] != '/') len--;
        if (len > 0) len--; /* drop the separator */
        depth--;
      }
    } else {
      if (++depth > BW_LIMIT_PATH_DEPTH)
        return bw_error_set(err, BW_ELIMIT, "path \"%.200s\" is deeper than %d components", in, BW_LIMIT_PATH_DEPTH);
      size_t need = len + (len ? 1 : 0) + n;
      if (need > BW_LIMIT_PATH_BYTES || need + 1 > outsz)
        return bw_error_set(err, BW_ELIMIT, "path \"%.200s...\" is longer than %d bytes", in, BW_LIMIT_PATH_BYTES);
      if (len) out[len++] = '/';
      memcpy(out + len, p, n);
      len += n;
    }
    p += n;
  }
  out[len] = 0;
  return (int)len;
}

int bw_path_normalize(char *out, size_t outsz, const char *in, bw_error *err) {
  int r = normalize(out, outsz, in, 0, err);
  return r < 0 ? r : 0;
}

int bw_path_link_target(char *out, size_t outsz, const char *link_path, const char *target, bw_error *err) {
  char tmp[2 * BW_LIMIT_PATH_BYTES + 2];
  if (target[0] == '/') {
    snprintf(tmp, sizeof tmp, "%s", target);
  } else {
    const char *slash = strrchr(link_path, '/');
    int dn = slash ? (int)(slash - link_path) : 0;
    if (snprintf(tmp, sizeof tmp, "%.*s/%s", dn, link_path, target) >= (int)sizeof tmp)
      return bw_error_set(err, BW_ELIMIT, "symlink target of %.200s is too long", link_path);
  }
  int r = normalize(out, outsz, tmp, 1, err);
  return r < 0 ? r : 0;
}

int bw_path_resolve(char *out, size_t outsz, const char *path, bw_link_lookup lookup, void *ctx, bw_error *err) {
  char cur[BW_LIMIT_PATH_BYTES + 1];
  int rc = normalize(cur, sizeof cur, path, 1, err);
  if (rc < 0) return rc;
  int hops = 0;
  size_t done = 0; /* cur[0..done) is resolved, without symlinks */
  for (;;) {
    /* next component */
    size_t start = done ? done + 1 : 0;
    if (start >= strlen(cur)) break;
    const char *e = strchr(cur + start, '/');
    size_t end = e ? (size_t)(e - cur) : strlen(cur);
    char prefix[BW_LIMIT_PATH_BYTES + 1];
    memcpy(prefix, cur, end);
    prefix[end] = 0;
    const char *target = lookup(ctx, prefix);
    if (!target) {
      done = end;
      if (!e) break;
      continue;
    }
    if (++hops > BW_LIMIT_SYMLINK_HOPS)
      return bw_error_set(err, BW_ELIMIT, "too many levels of symbolic links resolving %.200s (a link loop?)", path);
    char linked[BW_LIMIT_PATH_BYTES + 1];
    if ((rc = bw_path_link_target(linked, sizeof linked, prefix, target, err)) < 0) return rc;
    char next[2 * BW_LIMIT_PATH_BYTES + 2];
    snprintf(next, sizeof next, "%s%s%s", linked, e && linked[0] ? "/" : "", e ? e + 1 : "");
    if ((rc = normalize(cur, sizeof cur, next, 1, err)) < 0) return rc;
    done = 0; /* the new path may hold links anywhere: start over */
  }
  if (strlen(cur) + 1 > outsz) return bw_error_set(err, BW_ELIMIT, "resolved path too long");
  memcpy(out, cur, strlen(cur) + 1);
  return 0;
}

bool bw_path_link_escapes(const char *link_path, const char *target) {
  char tmp[2 * BW_LIMIT_PATH_BYTES + 2], out[2 * BW_LIMIT_PATH_BYTES + 2];
  if (target[0] == '/') {
    snprintf(tmp, sizeof tmp, "%s", target);
  } else {
    const char *slash = strrchr(link_path, '/');
    int dn = slash ? (int)(slash - link_path) : 0;
    snprintf(tmp, sizeof tmp, "%.*s/%s", dn, link_path, target);
  }
  bw_error err = {0};
  return normalize(out, sizeof out, tmp, 0, &err) < 0 && err.code == BW_ECORRUPT;
}
