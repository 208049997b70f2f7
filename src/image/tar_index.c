#include "image/tar_index.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"

#define TAR_BLOCK 512
#define TAR_MAX_MEMBERS ((size_t)BW_LIMIT_INDEX_ENTRIES * 64)

/* Reads a tar numeric field: octal text or GNU base-256. */
static int tar_number(const uint8_t *f, size_t n, int64_t *out) {
  if (f[0] & 0x80) {
    if (f[0] != 0x80) return -1; /* negative base-256 */
    uint64_t v = 0;
    for (size_t i = 1; i < n; i++) {
      if (v >> 55) return -1;
      v = (v << 8) | f[i];
    }
    if (v > INT64_MAX) return -1;
    *out = (int64_t)v;
    return 0;
  }
  uint64_t v = 0;
  size_t i = 0;
  while (i < n && (f[i] == ' ' || f[i] == 0)) i++;
  for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
    if (v >> 60) return -1;
    v = v * 8 + (uint64_t)(f[i] - '0');
  }
  for (; i < n; i++)
    if (f[i] != ' ' && f[i] != 0) return -1;
  *out = (int64_t)v;
  return 0;
}

static bool block_is_zero(const uint8_t *b) {
  for (int i = 0; i < TAR_BLOCK; i++)
    if (b[i]) return false;
  return true;
}

static char *norm_name(const char *s, size_t n) {
  while (n >= 2 && s[0] == '.' && s[1] == '/') s += 2, n -= 2;
  while (n && s[0] == '/') s++, n--;
  char *p = malloc(n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = 0;
  }
  return p;
}

/* Pulls the "path=" record out of a pax extended header. */
static char *pax_path(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t len = 0, j = i;
    while (j < n && p[j] >= '0' && p[j] <= '9' && len < 1000000) len = len * 10 + (size_t)(p[j++] - '0');
    if (j >= n || p[j] != ' ' || len == 0 || len > n - i) return NULL;
    const char *kv = (const char *)p + j + 1;
    size_t kvn = i + len - (j + 1);
    if (kvn > 5 && !memcmp(kv, "path=", 5)) return norm_name(kv + 5, kvn - 6 > kvn ? 0 : kvn - 6);
    i += len;
  }
  return NULL;
}

typedef struct {
  int (*read_at)(void *ctx, int64_t off, void *buf, size_t n); /* exact read or -1 */
  void *ctx;
} tar_src;

static int tar_walk(bw_tar_index *out, tar_src *src, int64_t total, bw_error *err) {
  memset(out, 0, sizeof *out);
  size_t cap = 0;
  int64_t off = 0;
  char *pending_name = NULL;
  uint8_t h[TAR_BLOCK];
  int rc = 0;
  while (off + TAR_BLOCK <= total) {
    if (src->read_at(src->ctx, off, h, TAR_BLOCK) < 0) {
      rc = bw_error_sys(err, BW_EIO, "reading tar header at offset %lld", (long long)off);
      break;
    }
    if (block_is_zero(h)) break;
    if (off == 0 && ((h[0] == 0x1f && h[1] == 0x8b) || (h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f))) {
      rc = bw_error_set(err, BW_EUNSUPPORTED, "archive is compressed: decompress it first (e.g. gunzip)");
      break;
    }
    int64_t size;
    if (tar_number(h + 124, 12, &size) < 0 || size < 0) {
      rc = BW_CORRUPT(err, "tar header at offset %lld has a bad size field", (long long)off);
      break;
    }
    /* checksum: the header must be a tar header at all */
    int64_t want;
    if (tar_number(h + 148, 8, &want) < 0) {
      rc = BW_CORRUPT(err, "tar header at offset %lld has a bad checksum field", (long long)off);
      break;
    }
    int64_t sum = 0;
    for (int i = 0; i < TAR_BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    if (sum != want) {
      rc = BW_CORRUPT(err, "tar header at offset %lld fails its checksum (not a tar file?)", (long long)off);
      break;
    }
    int64_t data = off + TAR_BLOCK, padded;
    if (__builtin_add_overflow(size, (int64_t)TAR_BLOCK - 1, &padded) || size > total - data) {
      rc = BW_CORRUPT(err, "tar member at offset %lld claims %lld bytes past the end of the archive", (long long)off,
                      (long long)size);
      break;
    }
    padded = (padded / TAR_BLOCK) * TAR_BLOCK;
    char type = (char)h[156];
    if (type == 'x' || type == 'L') {
      if (size > BW_LIMIT_PATH_BYTES * 4) {
        rc = bw_error_set(err, BW_ELIMIT, "tar extended header at offset %lld is too large", (long long)off);
        break;
      }
      uint8_t *ext = malloc((size_t)size + 1);
      if (!ext || src->read_at(src->ctx, data, ext, (size_t)size) < 0) {
        free(ext);
        rc = bw_error_set(err, BW_EIO, "reading tar extended header");
        break;
      }
      free(pending_name);
      pending_name = type == 'x' ? pax_path(ext, (size_t)size) : norm_name((char *)ext, strnlen((char *)ext, (size_t)size));
      free(ext);
    } else if (type == '0' || type == 0 || type == '7') {
      char *name = pending_name;
      pending_name = NULL;
      if (!name) {
        char full[256 + 156];
        size_t pn = strnlen((char *)h + 345, 155), nn = strnlen((char *)h, 100);
        size_t k = 0;
        if (pn && !memcmp(h + 257, "ustar", 5)) {
          memcpy(full, h + 345, pn);
          k = pn;
          full[k++] = '/';
        }
        memcpy(full + k, h, nn);
        name = norm_name(full, k + nn);
      }
      if (!name) {
        rc = bw_error_set(err, BW_ENOMEM, "out of memory");
        break;
      }
      if (out->n == TAR_MAX_MEMBERS) {
        free(name);
        rc = bw_error_set(err, BW_ELIMIT, "archive has more than %zu members", TAR_MAX_MEMBERS);
        break;
      }
      if (out->n == cap) {
        cap = cap ? cap * 2 : 64;
        bw_tar_member *m = realloc(out->members, cap * sizeof *m);
        if (!m) {
          free(name);
          rc = bw_error_set(err, BW_ENOMEM, "out of memory");
          break;
        }
        out->members = m;
      }
      out->members[out->n++] = (bw_tar_member){.name = name, .offset = data, .size = size};
    } else {
      free(pending_name);
      pending_name = NULL;
    }
    off = data + padded;
  }
  free(pending_name);
  if (rc < 0) bw_tar_index_dispose(out);
  return rc;
}

static int fd_read_at(void *ctx, int64_t off, void *buf, size_t n) {
  int fd = *(int *)ctx;
  size_t done = 0;
  while (done < n) {
    ssize_t r = pread(fd, (char *)buf + done, n - done, off + (int64_t)done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    done += (size_t)r;
  }
  return 0;
}

typedef struct {
  const uint8_t *p;
  size_t n;
} mem_src;

static int mem_read_at(void *ctx, int64_t off, void *buf, size_t n) {
  mem_src *m = ctx;
  if (off < 0 || (uint64_t)off > m->n || n > m->n - (size_t)off) return -1;
  memcpy(buf, m->p + off, n);
  return 0;
}

int bw_tar_index_open(bw_tar_index *out, const char *path, bw_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bw_error_sys(err, errno == ENOENT ? BW_ENOTFOUND : BW_EIO, "cannot open %s", path);
  off_t total = lseek(fd, 0, SEEK_END);
  tar_src src = {fd_read_at, &fd};
  int rc = tar_walk(out, &src, total, err);
  close(fd);
  if (rc < 0) bw_error_wrap(err, "%s", path);
  return rc;
}

int bw_tar_index_parse(bw_tar_index *out, const uint8_t *buf, size_t len, bw_error *err) {
  mem_src m = {buf, len};
  tar_src src = {mem_read_at, &m};
  return tar_walk(out, &src, (int64_t)len, err);
}

void bw_tar_index_dispose(bw_tar_index *idx) {
  for (size_t i = 0; i < idx->n; i++) free(idx->members[i].name);
  free(idx->members);
  memset(idx, 0, sizeof *idx);
}

const bw_tar_member *bw_tar_index_find(const bw_tar_index *idx, const char *name) {
  while (name[0] == '.' && name[1] == '/') name += 2;
  /* last one wins, as tar extraction would */
  for (size_t i = idx->n; i-- > 0;)
    if (!strcmp(idx->members[i].name, name)) return &idx->members[i];
  return NULL;
}
