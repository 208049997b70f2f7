/* Blob store, filesystem driver (store/blob.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/common.h"
#include "store/blob.h"

/* The running hash of an upload between requests (one per session, in memory). */
typedef struct hash_state {
  char id[64];
  bw_sha256 *h;
  int64_t offset; /* bytes hashed */
  bool busy;      /* a writer holds it */
  struct hash_state *next;
} hash_state;

struct bw_blobstore {
  char *root;
  pthread_mutex_t mu;
  hash_state *states;
};

struct bw_blob_writer {
  bw_blobstore *bs;
  hash_state *st;
  int fd;
  int64_t offset;
  char path[4096];
};

static int mkdir_p(const char *path, bw_error *err) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(tmp, 0755) && errno != EEXIST) return bw_error_sys(err, BW_EIO, "mkdir %s", tmp);
    *p = '/';
  }
  if (mkdir(tmp, 0755) && errno != EEXIST) return bw_error_sys(err, BW_EIO, "mkdir %s", tmp);
  return 0;
}

static int fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int r = fsync(fd);
  close(fd);
  return r;
}

int bw_blob_open_fs(bw_blobstore **out, const char *dir, bw_error *err) {
  *out = NULL;
  bw_blobstore *bs = calloc(1, sizeof *bs);
  if (!bs || !(bs->root = strdup(dir))) {
    free(bs);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  pthread_mutex_init(&bs->mu, NULL);
  char p[4096];
  snprintf(p, sizeof p, "%s/blobs/sha256", dir);
  int r = mkdir_p(p, err);
  snprintf(p, sizeof p, "%s/uploads", dir);
  if (!r) r = mkdir_p(p, err);
  if (r) {
    bw_blob_close(bs);
    return bw_error_wrap(err, "blob store %s", dir);
  }
  *out = bs;
  return 0;
}

void bw_blob_close(bw_blobstore *bs) {
  if (!bs) return;
  for (hash_state *s = bs->states, *n; s; s = n) {
    n = s->next;
    bw_sha256_free(s->h);
    free(s);
  }
  pthread_mutex_destroy(&bs->mu);
  free(bs->root);
  free(bs);
}

static int blob_path(bw_blobstore *bs, const char *digest, char *out, size_t cap, bw_error *err) {
  if (!bw_digest_valid(digest)) return bw_digest_check(digest, err);
  snprintf(out, cap, "%s/blobs/sha256/%.2s/%s", bs->root, digest + 7, digest + 7);
  return 0;
}

int bw_blob_stat(bw_blobstore *bs, const char *digest, int64_t *size, int64_t *mtime, bw_error *err) {
  char p[4096];
  int r = blob_path(bs, digest, p, sizeof p, err);
  if (r) return r;
  struct stat sb;
  if (stat(p, &sb)) {
    if (errno == ENOENT) return bw_error_set(err, BW_ENOTFOUND, "blob %s not found", digest);
    return bw_error_sys(err, BW_EIO, "stat blob %s", digest);
  }
  if (size) *size = sb.st_size;
  if (mtime) *mtime = sb.st_mtime;
  return 0;
}

int bw_blob_open_read(bw_blobstore *bs, const char *digest, int *fd, int64_t *size, bw_error *err) {
  *fd = -1;
  char p[4096];
  int r = blob_path(bs, digest, p, sizeof p, err);
  if (r) return r;
  int f = open(p, O_RDONLY | O_CLOEXEC);
  if (f < 0) {
    if (errno == ENOENT) return bw_error_set(err, BW_ENOTFOUND, "blob %s not found", digest);
    return bw_error_sys(err, BW_EIO, "open blob %s", digest);
  }
  struct stat sb;
  if (fstat(f, &sb)) {
    close(f);
    return bw_error_sys(err, BW_EIO, "stat blob %s", digest);
  }
  *fd = f;
  *size = sb.st_size;
  return 0;
}

int bw_blob_delete(bw_blobstore *bs, const char *digest, bw_error *err) {
  char p[4096];
  int r = blob_path(bs, digest, p, sizeof p, err);
  if (r) return r;
  if (unlink(p)) {
    if (errno == ENOENT) return bw_error_set(err, BW_ENOTFOUND, "blob %s not found", digest);
    return bw_error_sys(err, BW_EIO, "remove blob %s", digest);
  }
  return 0;
}

static bool is_hex64(const char *s) {
  size_t i = 0;
  for (; s[i]; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  return i == 64;
}

int bw_blob_list(bw_blobstore *bs, bw_blob_visit fn, void *ctx, bw_error *err) {
  char top[4096];
  snprintf(top, sizeof top, "%s/blobs/sha256", bs->root);
  DIR *d = opendir(top);
  if (!d) return bw_error_sys(err, BW_EIO, "open %s", top);
  struct dirent *de;
  int r = 0;
  while (!r && (de = readdir(d))) {
    if (strlen(de->d_name) != 2 || de->d_name[0] == '.') continue;
    char sub[4096 + 8];
    snprintf(sub, sizeof sub, "%s/%s", top, de->d_name);
    DIR *d2 = opendir(sub);
    if (!d2) continue;
    struct dirent *e2;
    while (!r && (e2 = readdir(d2))) {
      if (!is_hex64(e2->d_name) || strncmp(e2->d_name, de->d_name, 2)) continue;
      char fp[4096 + 80];
      snprintf(fp, sizeof fp, "%s/%s", sub, e2->d_name);
      struct stat sb;
      if (stat(fp, &sb) || !S_ISREG(sb.st_mode)) continue;
      char dg[BW_DIGEST_STR_LEN + 1];
      snprintf(dg, sizeof dg, "sha256:%s", e2->d_name);
      r = fn(ctx, dg, sb.st_size, sb.st_mtime);
    }
    closedir(d2);
  }
  closedir(d);
  return r;
}

static int usage_visit(void *ctx, const char *digest, int64_t size, int64_t mtime) {
  (void)digest, (void)mtime;
  *(int64_t *)ctx += size;
  return 0;
}

int bw_blob_usage(bw_blobstore *bs, int64_t *bytes, bw_error *err) {
  *bytes = 0;
  return bw_blob_list(bs, usage_visit, bytes, err);
}

/* ---- uploads ---- */

bool bw_blob_upload_id_valid(const char *id) {
  size_t n = 0;
  for (; id[n]; n++) {
    char c = id[n];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  }
  return n >= 1 && n <= 63;
}

static void upload_path(bw_blobstore *bs, const char *id, char *out, size_t cap) {
  snprintf(out, cap, "%s/uploads/%s", bs->root, id);
}

/* Finds or makes the session's hash state and marks it busy. Call with bs->mu held. */
static int state_take(bw_blobstore *bs, const char *id, hash_state **out, bw_error *err) {
  for (hash_state *s = bs->states; s; s = s->next) {
    if (strcmp(s->id, id)) continue;
    if (s->busy) return bw_error_set(err, BW_ECONFLICT, "upload %s is in use by another request", id);
    s->busy = true;
    *out = s;
    return 0;
  }
  hash_state *s = calloc(1, sizeof *s);
  if (!s || !(s->h = bw_sha256_new())) {
    free(s);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  snprintf(s->id, sizeof s->id, "%s", id);
  s->busy = true;
  s->next = bs->states;
  bs->states = s;
  *out = s;
  return 0;
}

/* Removes a state (held by the caller) from the list and frees it. */
static void state_drop(bw_blobstore *bs, hash_state *st) {
  pthread_mutex_lock(&bs->mu);
  for (hash_state **pp = &bs->states; *pp; pp = &(*pp)->next) {
    if (*pp == st) {
      *pp = st->next;
      break;
    }
  }
  pthread_mutex_unlock(&bs->mu);
  bw_sha256_free(st->h);
  free(st);
}

int bw_blob_writer_open(bw_blobstore *bs, const char *id, bool create, bw_blob_writer **out, bw_error *err) {
  *out = NULL;
  if (!bw_blob_upload_id_valid(id)) return bw_error_set(err, BW_EINVAL, "invalid upload id");
  bw_blob_writer *w = calloc(1, sizeof *w);
  if (!w) return bw_error_set(err, BW_ENOMEM, "out of memory");
  w->bs = bs;
  w->fd = -1;
  upload_path(bs, id, w->path, sizeof w->path);
  pthread_mutex_lock(&bs->mu);
  int r = state_take(bs, id, &w->st, err);
  pthread_mutex_unlock(&bs->mu);
  if (r) {
    free(w);
    return r;
  }
  int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT | O_EXCL : 0);
  w->fd = open(w->path, flags, 0644);
  if (w->fd < 0) {
    int e = errno;
    r = e == ENOENT   ? bw_error_set(err, BW_ENOTFOUND, "upload %s not found", id)
        : e == EEXIST ? bw_error_set(err, BW_ECONFLICT, "upload %s exists", id)
                      : bw_error_sys(err, BW_EIO, "open upload %s", id);
    state_drop(bs, w->st);
    free(w);
    return r;
  }
  struct stat sb;
  if (fstat(w->fd, &sb)) {
    r = bw_error_sys(err, BW_EIO, "stat upload %s", id);
    goto fail;
  }
  w->offset = sb.st_size;
  if (w->st->offset != w->offset) {
    /* after a restart (or a write that failed half-way): hash the bytes on disk again */
    bw_sha256_free(w->st->h);
    if (!(w->st->h = bw_sha256_new())) {
      r = bw_error_set(err, BW_ENOMEM, "out of memory");
      goto fail;
    }
    w->st->offset = 0;
    char buf[1 << 16];
    int64_t left = w->offset;
    while (left > 0) {
      ssize_t k = pread(w->fd, buf, left < (int64_t)sizeof buf ? (size_t)left : sizeof buf, w->st->offset);
      if (k <= 0) {
        r = bw_error_sys(err, BW_EIO, "read upload %s", id);
        goto fail;
      }
      bw_sha256_update(w->st->h, buf, (size_t)k);
      w->st->offset += k;
      left -= k;
    }
  }
  if (lseek(w->fd, 0, SEEK_END) < 0) {
    r = bw_error_sys(err, BW_EIO, "seek upload %s", id);
    goto fail;
  }
  *out = w;
  return 0;
fail:
  close(w->fd);
  state_drop(bs, w->st);
  free(w);
  return r;
}

int64_t bw_blob_writer_offset(const bw_blob_writer *w) { return w->offset; }

int bw_blob_writer_write(bw_blob_writer *w, const void *p, size_t n, bw_error *err) {
  const char *c = p;
  size_t done = 0;
  while (done < n) {
    ssize_t k = write(w->fd, c + done, n - done);
    if (k < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      /* keep the file and the hash in step: cut back to what was hashed */
      bw_sha256_update(w->st->h, c, done);
      w->offset += (int64_t)done;
      w->st->offset = w->offset;
      if (ftruncate(w->fd, w->offset)) w->st->offset = -1;
      errno = e;
      return bw_error_sys(err, BW_EIO, "write upload");
    }
    done += (size_t)k;
  }
  bw_sha256_update(w->st->h, p, n);
  w->offset += (int64_t)n;
  w->st->offset = w->offset;
  return 0;
}

void bw_blob_writer_release(bw_blob_writer *w) {
  if (!w) return;
  if (w->fd >= 0) close(w->fd);
  pthread_mutex_lock(&w->bs->mu);
  w->st->busy = false;
  pthread_mutex_unlock(&w->bs->mu);
  free(w);
}

int bw_blob_writer_commit(bw_blob_writer *w, const char *expect, char digest_out[BW_DIGEST_STR_LEN + 1],
                          int64_t *size, bw_error *err) {
  bw_blobstore *bs = w->bs;
  int r = 0;
  char dg[BW_DIGEST_STR_LEN + 1];
  bw_sha256_final_str(w->st->h, dg);
  if (expect && strcmp(expect, dg)) {
    r = bw_error_set(err, BW_ECORRUPT, "digest mismatch: the content has digest %s, not %s", dg, expect);
    unlink(w->path);
    goto out;
  }
  if (fsync(w->fd)) {
    r = bw_error_sys(err, BW_EIO, "fsync upload");
    goto out;
  }
  char dir[4096], dst[4096 + 80];
  snprintf(dir, sizeof dir, "%s/blobs/sha256/%.2s", bs->root, dg + 7);
  if ((r = mkdir_p(dir, err))) goto out;
  snprintf(dst, sizeof dst, "%s/%s", dir, dg + 7);
  if (rename(w->path, dst)) {
    r = bw_error_sys(err, BW_EIO, "store blob %s", dg);
    goto out;
  }
  fsync_dir(dir);
  char up[4096];
  snprintf(up, sizeof up, "%s/uploads", bs->root);
  fsync_dir(up);
  if (digest_out) memcpy(digest_out, dg, sizeof dg);
  if (size) *size = w->offset;
out:
  close(w->fd);
  state_drop(bs, w->st);
  free(w);
  return r;
}

int bw_blob_upload_size(bw_blobstore *bs, const char *id, int64_t *size, bw_error *err) {
  if (!bw_blob_upload_id_valid(id)) return bw_error_set(err, BW_EINVAL, "invalid upload id");
  char p[4096];
  upload_path(bs, id, p, sizeof p);
  struct stat sb;
  if (lstat(p, &sb) || !S_ISREG(sb.st_mode)) return bw_error_set(err, BW_ENOTFOUND, "upload %s not found", id);
  *size = sb.st_size;
  return 0;
}

int bw_blob_upload_remove(bw_blobstore *bs, const char *id, bw_error *err) {
  if (!bw_blob_upload_id_valid(id)) return bw_error_set(err, BW_EINVAL, "invalid upload id");
  char p[4096];
  upload_path(bs, id, p, sizeof p);
  if (unlink(p) && errno != ENOENT) return bw_error_sys(err, BW_EIO, "remove upload %s", id);
  pthread_mutex_lock(&bs->mu);
  for (hash_state **pp = &bs->states; *pp; pp = &(*pp)->next) {
    hash_state *s = *pp;
    if (!strcmp(s->id, id) && !s->busy) {
      *pp = s->next;
      bw_sha256_free(s->h);
      free(s);
      break;
    }
  }
  pthread_mutex_unlock(&bs->mu);
  return 0;
}

int bw_blob_put(bw_blobstore *bs, const void *p, size_t n, const char *expect, char out[BW_DIGEST_STR_LEN + 1],
                bw_error *err) {
  char id[64];
  static unsigned counter;
  snprintf(id, sizeof id, "put-%ld-%u", (long)getpid(), __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
  bw_blob_writer *w = NULL;
  int r = bw_blob_writer_open(bs, id, true, &w, err);
  if (r) return r;
  if ((r = bw_blob_writer_write(w, p, n, err))) {
    unlink(w->path);
    close(w->fd);
    w->fd = -1;
    state_drop(bs, w->st);
    free(w);
    return r;
  }
  char dg[BW_DIGEST_STR_LEN + 1];
  int64_t sz;
  r = bw_blob_writer_commit(w, expect, dg, &sz, err);
  if (!r && out) memcpy(out, dg, sizeof dg);
  return r;
}

int bw_blob_upload_list(bw_blobstore *bs, int (*fn)(void *ctx, const char *id), void *ctx, bw_error *err) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/uploads", bs->root);
  DIR *d = opendir(dir);
  if (!d) return bw_error_sys(err, BW_EIO, "open %s", dir);
  struct dirent *de;
  int r = 0;
  while (!r && (de = readdir(d)))
    if (bw_blob_upload_id_valid(de->d_name)) r = fn(ctx, de->d_name);
  closedir(d);
  return r;
}
