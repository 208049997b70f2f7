#include "layer/record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/common.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/sha256.h"

bw_layer_record *bw_layer_record_new(void) {
  bw_layer_record *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->arena = bw_arena_new();
  if (!r->arena) {
    free(r);
    return NULL;
  }
  bw_pkglist_init(&r->packages);
  bw_vec_init(&r->dbs, sizeof(bw_record_db), 0);
  bw_vec_init(&r->files, sizeof(bw_record_file), 0);
  bw_vec_init(&r->links, sizeof(bw_record_link), BW_LIMIT_SYMLINKS);
  bw_vec_init(&r->whiteouts, sizeof(char *), 0);
  bw_vec_init(&r->opaques, sizeof(char *), 0);
  bw_vec_init(&r->warnings, sizeof(char *), 10000);
  bw_vec_init(&r->orphans, sizeof(char *), 10000);
  bw_vec_init(&r->findings, sizeof(bw_record_finding), BW_LIMIT_FINDINGS_PER_LAYER);
  bw_vec_init(&r->modes, sizeof(bw_record_mode), BW_LIMIT_MODES_PER_LAYER);
  bw_vec_init(&r->path_hashes, sizeof(uint64_t), BW_LIMIT_TAR_ENTRIES);
  return r;
}

void bw_layer_record_free(bw_layer_record *r) {
  if (!r) return;
  bw_pkglist_dispose(&r->packages);
  bw_vec_dispose(&r->dbs);
  bw_vec_dispose(&r->files);
  bw_vec_dispose(&r->links);
  bw_vec_dispose(&r->whiteouts);
  bw_vec_dispose(&r->opaques);
  bw_vec_dispose(&r->warnings);
  bw_vec_dispose(&r->orphans);
  bw_vec_dispose(&r->findings);
  bw_vec_dispose(&r->modes);
  bw_vec_dispose(&r->path_hashes);
  bw_arena_free(r->arena);
  free(r);
}

uint64_t bw_path_hash(const char *path) {
  uint64_t h = 1469598103934665603ull;
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) h = (h ^ *p) * 1099511628211ull;
  return h;
}

void bw_layer_record_warn(bw_layer_record *r, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  bw_warn("layer %.19s: %s", r->diff_id ? r->diff_id : "?", msg);
  const char **slot = bw_vec_push(&r->warnings);
  if (slot) *slot = bw_arena_strdup(r->arena, msg);
}

/* ---- encoding: little-endian u32/u64, strings as u32 length (UINT32_MAX = NULL) + bytes ---- */

#define REC_MAGIC "BWLR"

static int put_u32(bw_buf *b, uint32_t v, bw_error *err) {
  unsigned char p[4] = {v, v >> 8, v >> 16, v >> 24};
  return bw_buf_append(b, p, 4, err);
}
static int put_u64(bw_buf *b, uint64_t v, bw_error *err) {
  int rc = put_u32(b, (uint32_t)v, err);
  return rc < 0 ? rc : put_u32(b, (uint32_t)(v >> 32), err);
}
static int put_bytes(bw_buf *b, const void *p, size_t n, bw_error *err) {
  if (n >= UINT32_MAX) return bw_error_set(err, BW_ELIMIT, "record field too large");
  int rc = put_u32(b, (uint32_t)n, err);
  return rc < 0 ? rc : bw_buf_append(b, p, n, err);
}
static int put_str(bw_buf *b, const char *s, bw_error *err) {
  return s ? put_bytes(b, s, strlen(s), err) : put_u32(b, UINT32_MAX, err);
}

static int encode(bw_buf *b, const bw_layer_record *r, bw_error *err) {
  int rc = 0;
#define TRY(x)                                                                                                        \
  do {                                                                                                                \
    if ((rc = (x)) < 0) return rc;                                                                                    \
  } while (0)
  TRY(bw_buf_append(b, REC_MAGIC, 4, err));
  TRY(put_u32(b, BW_RECORD_VERSION, err));
  TRY(put_str(b, r->digest, err));
  TRY(put_str(b, r->diff_id, err));
  TRY(put_u64(b, r->entries, err));
  TRY(put_u64(b, r->bytes, err));
  size_t n = bw_pkglist_len(&r->packages);
  TRY(put_u32(b, (uint32_t)n, err));
  for (size_t i = 0; i < n; i++) {
    const bw_package *p = bw_pkglist_at(&r->packages, i);
    TRY(put_u32(b, (uint32_t)p->type, err));
    TRY(put_u32(b, (uint32_t)p->epoch, err));
    TRY(put_u32(b, (uint32_t)p->dev, err));
    const char *strs[] = {p->name, p->version, p->rpm_version, p->rpm_release, p->arch, p->source_name,
                          p->source_version, p->licenses, p->maintainer, p->path, p->digest, p->parents};
    for (size_t k = 0; k < BW_ARRAY_LEN(strs); k++) TRY(put_str(b, strs[k], err));
  }
  TRY(put_u32(b, (uint32_t)r->dbs.len, err));
  for (size_t i = 0; i < r->dbs.len; i++) {
    const bw_record_db *d = bw_vec_at(&r->dbs, bw_record_db, i);
    TRY(put_str(b, d->path, err));
    TRY(put_str(b, d->analyzer, err));
    TRY(put_u64(b, d->first, err));
    TRY(put_u64(b, d->count, err));
  }
  TRY(put_u32(b, (uint32_t)r->files.len, err));
  for (size_t i = 0; i < r->files.len; i++) {
    const bw_record_file *f = bw_vec_at(&r->files, bw_record_file, i);
    TRY(put_str(b, f->path, err));
    TRY(put_bytes(b, f->data, f->len, err));
    TRY(put_u32(b, f->mode, err));
  }
  TRY(put_u32(b, (uint32_t)r->links.len, err));
  for (size_t i = 0; i < r->links.len; i++) {
    const bw_record_link *l = bw_vec_at(&r->links, bw_record_link, i);
    TRY(put_str(b, l->path, err));
    TRY(put_str(b, l->target, err));
    TRY(put_u32(b, (uint32_t)l->hard, err));
  }
  const bw_vec *lists[] = {&r->whiteouts, &r->opaques, &r->warnings, &r->orphans};
  for (size_t k = 0; k < BW_ARRAY_LEN(lists); k++) {
    TRY(put_u32(b, (uint32_t)lists[k]->len, err));
    for (size_t i = 0; i < lists[k]->len; i++) TRY(put_str(b, *bw_vec_at(lists[k], const char *, i), err));
  }
  TRY(put_u32(b, r->scanners, err));
  TRY(put_str(b, r->content_fp, err));
  TRY(put_u64(b, r->content_skipped, err));
  TRY(put_u32(b, (uint32_t)r->findings.len, err));
  for (size_t i = 0; i < r->findings.len; i++) {
    const bw_record_finding *f = bw_vec_at(&r->findings, bw_record_finding, i);
    TRY(put_u32(b, f->kind, err));
    TRY(put_u32(b, f->severity, err));
    TRY(put_u32(b, f->line, err));
    TRY(put_u64(b, f->size, err));
    const char *strs[] = {f->rule, f->category, f->title, f->path, f->evidence, f->remediation, f->sha256};
    for (size_t k = 0; k < BW_ARRAY_LEN(strs); k++) TRY(put_str(b, strs[k], err));
  }
  TRY(put_u32(b, (uint32_t)r->modes.len, err));
  for (size_t i = 0; i < r->modes.len; i++) {
    const bw_record_mode *m = bw_vec_at(&r->modes, bw_record_mode, i);
    TRY(put_str(b, m->path, err));
    TRY(put_u32(b, m->mode, err));
    TRY(put_u32(b, m->uid, err));
    TRY(put_u32(b, m->gid, err));
  }
  TRY(put_u32(b, (uint32_t)r->path_hashes.len, err));
  for (size_t i = 0; i < r->path_hashes.len; i++) TRY(put_u64(b, *bw_vec_at(&r->path_hashes, uint64_t, i), err));
#undef TRY
  return 0;
}

typedef struct {
  const uint8_t *p;
  size_t n, pos;
  bw_arena *a;
  bw_error *err;
} cursor;

static int get_u32(cursor *c, uint32_t *v) {
  if (c->n - c->pos < 4) return BW_CORRUPT(c->err, "layer record truncated at byte %zu", c->pos);
  const uint8_t *p = c->p + c->pos;
  *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  c->pos += 4;
  return 0;
}
static int get_u64(cursor *c, uint64_t *v) {
  uint32_t lo = 0, hi = 0;
  int rc = get_u32(c, &lo);
  if (rc == 0) rc = get_u32(c, &hi);
  if (rc == 0) *v = (uint64_t)hi << 32 | lo;
  return rc;
}
static int get_bytes(cursor *c, const uint8_t **out, size_t *len, int as_str) {
  uint32_t n = 0;
  int rc = get_u32(c, &n);
  if (rc < 0) return rc;
  if (n == UINT32_MAX && as_str) {
    *out = NULL;
    *len = 0;
    return 0;
  }
  if (n > c->n - c->pos) return BW_CORRUPT(c->err, "layer record field overruns the record at byte %zu", c->pos);
  *out = (const uint8_t *)bw_arena_strndup(c->a, (const char *)c->p + c->pos, n);
  if (!*out) return bw_error_set(c->err, BW_ENOMEM, "out of memory");
  *len = n;
  c->pos += n;
  return 0;
}
static int get_str(cursor *c, const char **s) {
  size_t n;
  return get_bytes(c, (const uint8_t **)s, &n, 1);
}
/* A count can't exceed the bytes left (every item takes at least 4). */
static int get_count(cursor *c, uint32_t *n) {
  int rc = get_u32(c, n);
  if (rc == 0 && *n > (c->n - c->pos) / 4) return BW_CORRUPT(c->err, "layer record count %u too large", *n);
  return rc;
}

int bw_layer_record_decode(bw_layer_record **out, const uint8_t *buf, size_t len, bw_error *err) {
  bw_layer_record *r = bw_layer_record_new();
  if (!r) return bw_error_set(err, BW_ENOMEM, "out of memory");
  cursor c = {buf, len, 0, r->arena, err};
  uint32_t u = 0, n = 0;
  int rc = 0;
#define TRY(x)                                                                                                        \
  do {                                                                                                                \
    if ((rc = (x)) < 0) goto fail;                                                                                    \
  } while (0)
  if (len < 8 || memcmp(buf, REC_MAGIC, 4) != 0) {
    rc = BW_CORRUPT(err, "not a layer record");
    goto fail;
  }
  c.pos = 4;
  TRY(get_u32(&c, &u));
  if (u != BW_RECORD_VERSION) {
    rc = bw_error_set(err, BW_ENOTFOUND, "layer record version %u, want %d", u, BW_RECORD_VERSION);
    goto fail;
  }
  TRY(get_str(&c, &r->digest));
  TRY(get_str(&c, &r->diff_id));
  TRY(get_u64(&c, &r->entries));
  TRY(get_u64(&c, &r->bytes));
  TRY(get_count(&c, &n));
  for (uint32_t i = 0; i < n; i++) {
    bw_package *p = bw_pkglist_add(&r->packages, err);
    if (!p) {
      rc = -err->code;
      goto fail;
    }
    uint32_t type = 0, epoch = 0, dev = 0;
    TRY(get_u32(&c, &type));
    TRY(get_u32(&c, &epoch));
    TRY(get_u32(&c, &dev));
    p->dev = dev != 0;
    if (type > BW_PKG_NUGET) {
      rc = BW_CORRUPT(err, "layer record has unknown package type %u", type);
      goto fail;
    }
    p->type = (bw_pkg_type)type;
    p->epoch = (int)epoch;
    const char **strs[] = {&p->name,           &p->version,  &p->rpm_version, &p->rpm_release,
                           &p->arch,           &p->source_name, &p->source_version, &p->licenses,
                           &p->maintainer,     &p->path,     &p->digest,      &p->parents};
    for (size_t k = 0; k < BW_ARRAY_LEN(strs); k++) TRY(get_str(&c, strs[k]));
  }
  TRY(get_count(&c, &n));
  for (uint32_t i = 0; i < n; i++) {
    bw_record_db *d = bw_vec_push(&r->dbs);
    uint64_t first, count;
    if (!d) goto oom;
    TRY(get_str(&c, &d->path));
    TRY(get_str(&c, &d->analyzer));
    TRY(get_u64(&c, &first));
    TRY(get_u64(&c, &count));
    if (first > bw_pkglist_len(&r->packages) || count > bw_pkglist_len(&r->packages) - first) {
      rc = BW_CORRUPT(err, "layer record database range out of bounds");
      goto fail;
    }
    d->first = first;
    d->count = count;
  }
  TRY(get_count(&c, &n));
  for (uint32_t i = 0; i < n; i++) {
    bw_record_file *f = bw_vec_push(&r->files);
    if (!f) goto oom;
    TRY(get_str(&c, &f->path));
    TRY(get_bytes(&c, &f->data, &f->len, 0));
    TRY(get_u32(&c, &f->mode));
  }
  TRY(get_count(&c, &n));
  for (uint32_t i = 0; i < n; i++) {
    bw_record_link *l = bw_vec_push(&r->links);
    if (!l) goto oom;
    TRY(get_str(&c, &l->path));
    TRY(get_str(&c, &l->target));
    TRY(get_u32(&c, &u));
    l->hard = u != 0;
  }
  bw_vec *lists[] = {&r->whiteouts, &r->opaques, &r->warnings, &r->orphans};
  for (size_t k = 0; k < BW_ARRAY_LEN(lists); k++) {
    TRY(get_count(&c, &n));
    for (uint32_t i = 0; i < n; i++) {
      const char **s = bw_vec_push(lists[k]);
      if (!s) goto oom;
      TRY(get_str(&c, s));
    }
  }
  TRY(get_u32(&c, &r->scanners));
  TRY(get_str(&c, &r->content_fp));
  TRY(get_u64(&c, &r->content_skipped));
  TRY(get_count(&c, &n));
  for (uint32_t i = 0; i < n; i++) {
    bw_record_finding *f = bw_vec_push(&r->findings);
    if (!f) goto oom;
    TRY(get_u32(&c, &f->kind));
    TRY(get_u32(&c, &f->severity));
    TRY(get_u32(&c, &f->line));
    TRY(get_u64(&c, &f->size));
    const char **strs[] = {&f->rule, &f->category, &f->title, &f->path, &f->evidence, &f->remediation, &f->sha256};
    for (size_t k = 0; k < BW_ARRAY_LEN(strs); k++) TRY(get_str(&c, strs[k]));
    if (!f->rule || !f->path || (f->kind != BW_FINDING_SECRET && f->kind != BW_FINDING_MALWARE) || f->severity > 4)
      goto bad;
  }
  TRY(get_count(&c, &n));
  for (uint32_t i = 0; i < n; i++) {
    bw_record_mode *m = bw_vec_push(&r->modes);
    if (!m) goto oom;
    TRY(get_str(&c, &m->path));
    TRY(get_u32(&c, &m->mode));
    TRY(get_u32(&c, &m->uid));
    TRY(get_u32(&c, &m->gid));
    if (!m->path) goto bad;
  }
  TRY(get_count(&c, &n));
  if (n > (c.n - c.pos) / 8) goto bad;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t *h = bw_vec_push(&r->path_hashes);
    if (!h) goto oom;
    TRY(get_u64(&c, h));
  }
  /* every string a merge relies on must be present */
  for (size_t i = 0; i < r->files.len; i++)
    if (!bw_vec_at(&r->files, bw_record_file, i)->path) goto bad;
  for (size_t i = 0; i < r->links.len; i++) {
    bw_record_link *l = bw_vec_at(&r->links, bw_record_link, i);
    if (!l->path || !l->target) goto bad;
  }
  for (size_t i = 0; i < r->dbs.len; i++)
    if (!bw_vec_at(&r->dbs, bw_record_db, i)->path) goto bad;
  for (size_t k = 0; k < BW_ARRAY_LEN(lists); k++)
    for (size_t i = 0; i < lists[k]->len; i++)
      if (!*bw_vec_at(lists[k], const char *, i)) goto bad;
  if (c.pos != len) goto bad;
#undef TRY
  *out = r;
  return 0;
bad:
  rc = BW_CORRUPT(err, "layer record is malformed");
  goto fail;
oom:
  rc = bw_error_set(err, BW_ENOMEM, "out of memory");
fail:
  bw_layer_record_free(r);
  return rc;
}

static int cache_path(char *out, size_t n, const char *cache_dir, const char *digest, bw_error *err) {
  int rc = bw_digest_check(digest, err);
  if (rc < 0) return rc;
  snprintf(out, n, "%s/layers/sha256/%s.rec", cache_dir, digest + 7);
  return 0;
}

static int mkdir_p(const char *path, bw_error *err) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST) return bw_error_sys(err, BW_EIO, "cannot create %s", tmp);
    *p = '/';
  }
  if (mkdir(tmp, 0700) != 0 && errno != EEXIST) return bw_error_sys(err, BW_EIO, "cannot create %s", tmp);
  return 0;
}

int bw_layer_record_load(bw_layer_record **out, const char *cache_dir, const char *digest, bw_error *err) {
  char path[4096];
  int rc = cache_path(path, sizeof path, cache_dir, digest, err);
  if (rc < 0) return rc;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bw_error_set(err, BW_ENOTFOUND, "no cached record for %s", digest);
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > BW_LIMIT_CACHE_RECORD_BYTES) {
    close(fd);
    return BW_CORRUPT(err, "cached record %s is unreadable or too large", path);
  }
  uint8_t *buf = malloc((size_t)st.st_size + 1);
  size_t got = 0;
  while (buf && got < (size_t)st.st_size) {
    ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  if (!buf || got != (size_t)st.st_size) {
    free(buf);
    return bw_error_set(err, BW_EIO, "cannot read %s", path);
  }
  rc = bw_layer_record_decode(out, buf, got, err);
  free(buf);
  if (rc == 0 && (!(*out)->digest || strcmp((*out)->digest, digest) != 0)) {
    bw_layer_record_free(*out);
    *out = NULL;
    return BW_CORRUPT(err, "cached record %s belongs to another layer", path);
  }
  return rc;
}

int bw_layer_record_save(const bw_layer_record *r, const char *cache_dir, bw_error *err) {
  char path[4096], dir[4096], tmp[4200];
  int rc = cache_path(path, sizeof path, cache_dir, r->digest, err);
  if (rc < 0) return rc;
  snprintf(dir, sizeof dir, "%s/layers/sha256", cache_dir);
  if ((rc = mkdir_p(dir, err)) < 0) return rc;
  bw_buf b;
  bw_buf_init(&b, BW_LIMIT_CACHE_RECORD_BYTES);
  if ((rc = encode(&b, r, err)) < 0) {
    bw_buf_dispose(&b);
    return rc;
  }
  /* per thread: two scans of images sharing a layer may save the same record at once */
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%ld", path, (long)getpid(), (long)gettid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    bw_buf_dispose(&b);
    return bw_error_sys(err, BW_EIO, "cannot write %s", tmp);
  }
  size_t done = 0;
  while (done < b.len) {
    ssize_t w = write(fd, b.data + done, b.len - done);
    if (w <= 0) break;
    done += (size_t)w;
  }
  int ok = done == b.len && close(fd) == 0;
  bw_buf_dispose(&b);
  /* rename is atomic: a reader sees the old record or the whole new one, never a torn one */
  if (!ok || rename(tmp, path) != 0) {
    unlink(tmp);
    return bw_error_sys(err, BW_EIO, "cannot write %s", path);
  }
  return 0;
}
