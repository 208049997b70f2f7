#include "image/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/sha256.h"

/* --- file range reader --- */
typedef struct {
  bw_reader base;
  int fd;
  int64_t remaining; /* -1 = to EOF */
  char *path;
} file_reader;

static ssize_t file_read(bw_reader *r, void *buf, size_t n, bw_error *err) {
  file_reader *f = (file_reader *)r;
  if (f->remaining == 0) return 0;
  if (f->remaining > 0 && (int64_t)n > f->remaining) n = (size_t)f->remaining;
  for (;;) {
    ssize_t got = read(f->fd, buf, n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return bw_error_sys(err, BW_EIO, "reading %s", f->path);
    if (got == 0 && f->remaining > 0)
      return bw_error_set(err, BW_ECORRUPT, "%s: unexpected end of file (%lld bytes missing)", f->path,
                          (long long)f->remaining);
    if (f->remaining > 0) f->remaining -= got;
    return got;
  }
}

static void file_close(bw_reader *r) {
  file_reader *f = (file_reader *)r;
  if (f->fd >= 0) close(f->fd);
  free(f->path);
  free(f);
}

int bw_reader_file(bw_reader **out, const char *path, int64_t offset, int64_t length, bw_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bw_error_sys(err, errno == ENOENT ? BW_ENOTFOUND : BW_EIO, "cannot open %s", path);
  if (offset > 0 && lseek(fd, offset, SEEK_SET) < 0) {
    close(fd);
    return bw_error_sys(err, BW_EIO, "cannot seek in %s", path);
  }
#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise(fd, offset, length > 0 ? length : 0, POSIX_FADV_SEQUENTIAL);
#endif
  file_reader *f = calloc(1, sizeof *f);
  char *p = strdup(path);
  if (!f || !p) {
    free(f);
    free(p);
    close(fd);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  f->base.read = file_read;
  f->base.close = file_close;
  f->fd = fd;
  f->remaining = length;
  f->path = p;
  *out = &f->base;
  return 0;
}

/* --- memory reader --- */
typedef struct {
  bw_reader base;
  const unsigned char *p;
  size_t left;
} mem_reader;

static ssize_t mem_read(bw_reader *r, void *buf, size_t n, bw_error *err) {
  mem_reader *m = (mem_reader *)r;
  if (n > m->left) n = m->left;
  memcpy(buf, m->p, n);
  m->p += n;
  m->left -= n;
  return (ssize_t)n;
}

static void mem_close(bw_reader *r) { free(r); }

int bw_reader_mem(bw_reader **out, const void *data, size_t len, bw_error *err) {
  mem_reader *m = calloc(1, sizeof *m);
  if (!m) return bw_error_set(err, BW_ENOMEM, "out of memory");
  m->base.read = mem_read;
  m->base.close = mem_close;
  m->p = data;
  m->left = len;
  *out = &m->base;
  return 0;
}

/* --- digest-verifying reader --- */
typedef struct {
  bw_reader base;
  bw_reader *inner;
  bw_sha256 *h;
  char digest[BW_DIGEST_STR_LEN + 1];
  int64_t expected, seen;
  int done;
  const char *what;
} verify_reader;

static ssize_t verify_read(bw_reader *r, void *buf, size_t n, bw_error *err) {
  verify_reader *v = (verify_reader *)r;
  if (v->done) return 0;
  ssize_t got = bw_reader_read(v->inner, buf, n, err);
  if (got < 0) return got;
  if (got > 0) {
    bw_sha256_update(v->h, buf, (size_t)got);
    v->seen += got;
    if (v->expected >= 0 && v->seen > v->expected)
      return bw_error_set(err, BW_ECORRUPT, "blob %s is larger than the %lld bytes its descriptor declares",
                          v->digest, (long long)v->expected);
    return got;
  }
  v->done = 1;
  if (v->expected >= 0 && v->seen != v->expected)
    return bw_error_set(err, BW_ECORRUPT, "blob %s: got %lld bytes, descriptor declares %lld", v->digest,
                        (long long)v->seen, (long long)v->expected);
  char actual[BW_DIGEST_STR_LEN + 1];
  bw_sha256_final_str(v->h, actual);
  if (strcmp(actual, v->digest) != 0)
    return bw_error_set(err, BW_ECORRUPT, "%s mismatch: expected %s, content hashes to %s", v->what, v->digest,
                        actual);
  return 0;
}

static void verify_close(bw_reader *r) {
  verify_reader *v = (verify_reader *)r;
  bw_reader_close(v->inner);
  bw_sha256_free(v->h);
  free(v);
}

int bw_reader_verify(bw_reader **out, bw_reader *inner, const char *digest, int64_t expected_size,
                     bw_error *err) {
  return bw_reader_verify_as(out, inner, "digest", digest, expected_size, err);
}

int bw_reader_verify_as(bw_reader **out, bw_reader *inner, const char *what, const char *digest,
                        int64_t expected_size, bw_error *err) {
  int rc = bw_digest_check(digest, err);
  if (rc < 0) {
    bw_reader_close(inner);
    return rc;
  }
  verify_reader *v = calloc(1, sizeof *v);
  if (v) v->h = bw_sha256_new();
  if (!v || !v->h) {
    if (v) free(v);
    bw_reader_close(inner);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  v->base.read = verify_read;
  v->base.close = verify_close;
  v->inner = inner;
  memcpy(v->digest, digest, sizeof v->digest);
  v->expected = expected_size;
  v->what = what; /* a static string */
  *out = &v->base;
  return 0;
}

int bw_reader_slurp(bw_reader *r, size_t max, char **out, size_t *len, bw_error *err) {
  bw_buf b;
  bw_buf_init(&b, max);
  char chunk[65536];
  for (;;) {
    ssize_t got = bw_reader_read(r, chunk, sizeof chunk, err);
    if (got < 0) {
      bw_buf_dispose(&b);
      return (int)got;
    }
    if (got == 0) break;
    int rc = bw_buf_append(&b, chunk, (size_t)got, err);
    if (rc < 0) {
      bw_buf_dispose(&b);
      return rc;
    }
  }
  *out = bw_buf_steal(&b, len);
  return 0;
}
