#include "layer/walk.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/analyzer.h"
#include "analyze/dispatch.h"
#include "base/limits.h"
#include "base/log.h"
#include "layer/decompress.h"
#include "layer/safepath.h"

#define WALK_BUF (1u << 20)

typedef struct {
  bw_reader *in;
  unsigned char *buf;
  bw_error *err; /* the stream's own error (digest mismatch, truncation) wins over libarchive's */
  int failed;
} walk_stream;

static la_ssize_t walk_read_cb(struct archive *a, void *ctx, const void **out) {
  walk_stream *s = ctx;
  ssize_t got = bw_reader_read(s->in, s->buf, WALK_BUF, s->err);
  if (got < 0) {
    s->failed = 1;
    archive_set_error(a, EIO, "%s", s->err->msg);
    return -1;
  }
  *out = s->buf;
  return got;
}

static const char *add_str(bw_layer_record *rec, const char *s) { return bw_arena_strdup(rec->arena, s); }

/* The directories a layer declares, as a set of 64-bit FNV-1a hashes (open addressing). A file
 * whose parent the layer never declared is an "orphan": legitimate layers list parents first,
 * so an orphan is how a hostile layer writes through a symlink an earlier layer planted. */
typedef struct {
  uint64_t *slots;
  size_t cap, used;
} dir_set;

static uint64_t fnv1a(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h | 1; /* 0 marks an empty slot */
}

static bool dir_set_add(dir_set *d, uint64_t h) {
  if (d->used * 2 >= d->cap) {
    size_t ncap = d->cap ? d->cap * 2 : 1024;
    uint64_t *n = calloc(ncap, sizeof *n);
    if (!n) return false;
    for (size_t i = 0; i < d->cap; i++) {
      if (!d->slots[i]) continue;
      size_t j = d->slots[i] & (ncap - 1);
      while (n[j]) j = (j + 1) & (ncap - 1);
      n[j] = d->slots[i];
    }
    free(d->slots);
    d->slots = n;
    d->cap = ncap;
  }
  size_t j = h & (d->cap - 1);
  while (d->slots[j] && d->slots[j] != h) j = (j + 1) & (d->cap - 1);
  if (!d->slots[j]) {
    d->slots[j] = h;
    d->used++;
  }
  return true;
}

static bool dir_set_has(const dir_set *d, uint64_t h) {
  if (!d->cap) return false;
  size_t j = h & (d->cap - 1);
  while (d->slots[j]) {
    if (d->slots[j] == h) return true;
    j = (j + 1) & (d->cap - 1);
  }
  return false;
}

static void note_orphan(bw_layer_record *rec, const dir_set *dirs, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash || dir_set_has(dirs, fnv1a(path, (size_t)(slash - path)))) return;
  const char **slot = bw_vec_push(&rec->orphans); /* capped: past the cap, no more checks */
  if (slot) *slot = add_str(rec, path);
}

/* Records a whiteout entry; returns 1 when the entry was one. */
static int handle_whiteout(bw_layer_record *rec, const char *path, bw_error *err) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  if (strncmp(base, ".wh.", 4) != 0) return 0;
  size_t dn = slash ? (size_t)(slash - path) : 0;
  const char **slot;
  if (!strcmp(base, ".wh..wh..opq")) {
    slot = bw_vec_push(&rec->opaques);
    if (!slot || !(*slot = bw_arena_strndup(rec->arena, path, dn))) return bw_error_set(err, BW_ENOMEM, "out of memory");
    return 1;
  }
  if (!strncmp(base, ".wh..wh.", 8)) return 1; /* aufs metadata (.wh..wh.plnk, ...): not a deletion */
  slot = bw_vec_push(&rec->whiteouts);
  if (!slot) return bw_error_set(err, BW_ENOMEM, "out of memory");
  *slot = dn ? bw_arena_printf(rec->arena, "%.*s/%s", (int)dn, path, base + 4) : add_str(rec, base + 4);
  return *slot ? 1 : bw_error_set(err, BW_ENOMEM, "out of memory");
}

static int add_link(bw_layer_record *rec, const char *path, const char *target, int hard, bw_error *err) {
  bw_record_link *l = bw_vec_push(&rec->links);
  if (!l) {
    if (rec->links.len >= BW_LIMIT_SYMLINKS) {
      if (rec->links.len == BW_LIMIT_SYMLINKS)
        bw_layer_record_warn(rec, "more than %d links: the rest are not followed", BW_LIMIT_SYMLINKS);
      return 0;
    }
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  l->path = add_str(rec, path);
  l->target = add_str(rec, target);
  l->hard = hard;
  if (!l->path || !l->target) return bw_error_set(err, BW_ENOMEM, "out of memory");
  if (!hard && bw_path_link_escapes(path, target))
    bw_layer_record_warn(rec, "symlink %s -> %.300s points outside the image root: it is resolved inside the root", path,
                         target);
  return 0;
}

/* A hard link to a file this layer captured gets the same bytes (tar hard links point back). */
static int hardlink_capture(bw_layer_record *rec, const char *path, const char *target, bw_error *err) {
  bw_dispatch_plan plan;
  if (!bw_dispatch_plan_for(path, &plan)) return 0;
  for (size_t i = rec->files.len; i-- > 0;) {
    bw_record_file *f = bw_vec_at(&rec->files, bw_record_file, i);
    if (strcmp(f->path, target) != 0) continue;
    bw_record_file copy = *f;
    return bw_dispatch_file(rec, path, copy.mode, copy.data, copy.len, &plan, err);
  }
  return 0;
}

/* Records what the merge and the permission checks need of every entry: the path hash of each
 * (a later layer replacing a file or directory hides the findings about the older one) and the
 * few entries with a risky mode (setuid/setgid, world-writable without the sticky bit). */
static int note_entry(bw_layer_record *rec, const char *path, mode_t type, uint32_t mode, uint32_t uid, uint32_t gid,
                      bw_error *err) {
  uint64_t *h = bw_vec_push(&rec->path_hashes);
  if (!h) return bw_error_set(err, BW_ENOMEM, "out of memory");
  *h = bw_path_hash(path);
  bool special = (type == AE_IFREG && (mode & (S_ISUID | S_ISGID))) ||
                 ((type == AE_IFREG || type == AE_IFDIR) && (mode & S_IWOTH) && !(mode & S_ISVTX));
  if (!special) return 0;
  bw_record_mode *m = bw_vec_push(&rec->modes);
  if (!m) {
    if (rec->modes.len == rec->modes.max) {
      if (!rec->modes_capped)
        bw_layer_record_warn(rec, "more than %u setuid or world-writable entries: the rest not checked",
                             BW_LIMIT_MODES_PER_LAYER);
      rec->modes_capped = true;
      return 0;
    }
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  const char *kept = bw_arena_strdup(rec->arena, path);
  if (!kept) return bw_error_set(err, BW_ENOMEM, "out of memory");
  *m = (bw_record_mode){.path = kept, .mode = (mode & 07777) | (type == AE_IFDIR ? S_IFDIR : S_IFREG), .uid = uid, .gid = gid};
  return 0;
}

/* Reads one regular file entry: whole into memory for the analysers that planned it by name,
 * and/or chunk by chunk for the content analysers that want it by its first bytes. Blocks come
 * straight from libarchive's buffer (no copy unless the file is kept whole). */
static int read_regular(bw_layer_record *rec, struct archive *a, walk_stream *ws, struct archive_entry *e,
                        const char *path, int64_t size, uint8_t **data, size_t *data_cap, bw_error *err) {
  bw_dispatch_plan plan;
  bool whole = bw_dispatch_plan_for(path, &plan);
  if (whole && (size < 0 || (uint64_t)size > BW_LIMIT_ENTRY_BYTES || (uint64_t)size > plan.max_bytes)) {
    bw_layer_record_warn(rec, "entry %s: %lld bytes, over the %zu-byte limit for this file: skipped", path,
                         (long long)size, plan.max_bytes);
    whole = false;
  }
  bool streams = bw_stream_analyzers[0] && size >= 4;
  if (!whole && !streams) return 0;
  if (whole && (size_t)size + 1 > *data_cap) {
    uint8_t *n = realloc(*data, (size_t)size + 1);
    if (!n) return bw_error_set(err, BW_ENOMEM, "out of memory reading entry %s", path);
    *data = n;
    *data_cap = (size_t)size + 1;
  }
  if (whole && archive_entry_sparse_count(e) > 0) memset(*data, 0, (size_t)size);
  uint32_t mode = (uint32_t)archive_entry_mode(e);
  uint8_t head[BW_STREAM_HEAD];
  size_t head_len = 0, got = 0;
  bool decided = !streams, streaming = false;
  bw_stream_session ss = {0};
  int rc = 0;
  for (;;) {
    const void *blk;
    size_t bn;
    la_int64_t boff;
    int r = archive_read_data_block(a, &blk, &bn, &boff);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      if (ws->failed) rc = bw_error_wrap(err, "entry %s", path);
      else rc = BW_CORRUPT(err, "entry %s: %s", path, archive_error_string(a));
      break;
    }
    if (whole) {
      if (boff < 0 || (uint64_t)boff > (uint64_t)size || bn > (size_t)size - (size_t)boff) {
        rc = BW_CORRUPT(err, "entry %s: data beyond its declared size", path);
        break;
      }
      memcpy(*data + boff, blk, bn);
      if ((size_t)boff + bn > got) got = (size_t)boff + bn;
    }
    if (!decided) {
      size_t take = bn < BW_STREAM_HEAD - head_len ? bn : BW_STREAM_HEAD - head_len;
      memcpy(head + head_len, blk, take);
      head_len += take;
      if (head_len == BW_STREAM_HEAD || (int64_t)head_len == size) {
        decided = true;
        streaming = bw_dispatch_stream_begin(&ss, rec, path, mode, (uint64_t)size, head, head_len);
        if (streaming) {
          bw_dispatch_stream_feed(&ss, rec, head, head_len);
          if (bn > take) bw_dispatch_stream_feed(&ss, rec, (const uint8_t *)blk + take, bn - take);
        } else if (!whole) {
          break; /* nobody wants the rest: libarchive skips it */
        }
      }
    } else if (streaming) {
      bw_dispatch_stream_feed(&ss, rec, blk, bn);
    }
  }
  if (rc == 0 && !decided && head_len > 0) {
    streaming = bw_dispatch_stream_begin(&ss, rec, path, mode, (uint64_t)size, head, head_len);
    if (streaming) bw_dispatch_stream_feed(&ss, rec, head, head_len);
  }
  if (streaming) {
    bw_error serr = {0};
    int src = bw_dispatch_stream_end(&ss, rec, rc == 0, &serr);
    if (rc == 0 && src < 0) {
      *err = serr;
      rc = src;
    }
  }
  if (rc < 0 || !whole) return rc;
  if (got != (size_t)size && archive_entry_sparse_count(e) == 0)
    return BW_CORRUPT(err, "entry %s: truncated (%zu of %lld bytes)", path, got, (long long)size);
  (*data)[size] = 0;
  return bw_dispatch_file(rec, path, mode, *data, (size_t)size, &plan, err);
}

int bw_layer_walk_tar(bw_layer_record *rec, bw_reader *tar, bw_error *err) {
  walk_stream s = {.in = tar, .err = err};
  s.buf = malloc(WALK_BUF);
  struct archive *a = archive_read_new();
  uint8_t *data = NULL;
  size_t data_cap = 0;
  int rc = 0;
  char path[BW_LIMIT_PATH_BYTES + 1], last[BW_LIMIT_PATH_BYTES + 1] = "";
  dir_set dirs = {0};
  if (!s.buf || !a) {
    rc = bw_error_set(err, BW_ENOMEM, "out of memory");
    goto out;
  }
  archive_read_support_format_tar(a);
  if (archive_read_open(a, &s, NULL, walk_read_cb, NULL) != ARCHIVE_OK) {
    rc = s.failed ? -err->code : BW_CORRUPT(err, "not a tar stream: %s", archive_error_string(a));
    goto out;
  }
  struct archive_entry *e;
  for (;;) {
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      if (s.failed) rc = bw_error_wrap(err, "after entry %s", last[0] ? last : "(start)");
      else rc = BW_CORRUPT(err, "after entry %s: %s", last[0] ? last : "(start)", archive_error_string(a));
      goto out;
    }
    if (++rec->entries > BW_LIMIT_TAR_ENTRIES) {
      rc = bw_error_set(err, BW_ELIMIT, "more than %llu entries", (unsigned long long)BW_LIMIT_TAR_ENTRIES);
      goto out;
    }
    const char *raw = archive_entry_pathname(e);
    if (!raw) {
      bw_layer_record_warn(rec, "entry with an unreadable name after %s: skipped", last);
      continue;
    }
    bw_error perr = {0};
    if (bw_path_normalize(path, sizeof path, raw, &perr) < 0) {
      bw_layer_record_warn(rec, "entry %.300s: %s: skipped", raw, perr.msg);
      continue;
    }
    memcpy(last, path, strlen(path) + 1);
    if (!path[0]) continue; /* the root itself */
    if (raw[0] == '/')
      bw_layer_record_warn(rec, "entry %.300s: absolute path, taken relative to the image root", raw);
    int w = handle_whiteout(rec, path, err);
    if (w < 0) {
      rc = w;
      goto out;
    }
    if (w) continue;
    mode_t type = archive_entry_filetype(e);
    note_orphan(rec, &dirs, path);
    if ((rc = note_entry(rec, path, type, (uint32_t)archive_entry_mode(e), (uint32_t)archive_entry_uid(e),
                         (uint32_t)archive_entry_gid(e), err)) < 0)
      goto out;
    if (type == AE_IFDIR) {
      if (!dir_set_add(&dirs, fnv1a(path, strlen(path)))) {
        rc = bw_error_set(err, BW_ENOMEM, "out of memory");
        goto out;
      }
      continue;
    }
    const char *hl = archive_entry_hardlink(e);
    if (hl) {
      char target[BW_LIMIT_PATH_BYTES + 1];
      if (bw_path_normalize(target, sizeof target, hl, &perr) < 0) {
        bw_layer_record_warn(rec, "entry %s: hard link target %.200s: %s: skipped", path, hl, perr.msg);
        continue;
      }
      if ((rc = add_link(rec, path, target, 1, err)) < 0 || (rc = hardlink_capture(rec, path, target, err)) < 0)
        goto out;
      continue;
    }
    if (type == AE_IFLNK) {
      const char *t = archive_entry_symlink(e);
      if (t && (rc = add_link(rec, path, t, 0, err)) < 0) goto out;
      continue;
    }
    if (type != AE_IFREG) continue;
    int64_t size = archive_entry_size(e);
    rec->bytes += size > 0 ? (uint64_t)size : 0;
    if ((rc = read_regular(rec, a, &s, e, path, size, &data, &data_cap, err)) < 0) goto out;
  }
  /* drain what follows the end-of-archive marker so a wrapping verifier hashes every byte */
  for (;;) {
    ssize_t n = bw_reader_read(tar, s.buf, WALK_BUF, err);
    if (n < 0) {
      rc = (int)n;
      goto out;
    }
    if (n == 0) break;
  }
out:
  if (a) archive_read_free(a);
  free(s.buf);
  free(data);
  free(dirs.slots);
  return rc;
}

int bw_layer_read(bw_layer_record **out, bw_source *src, const bw_layer_desc *desc, bool verify_diff_id,
                  uint32_t scanners, bw_error *err) {
  bw_layer_record *rec = bw_layer_record_new();
  if (!rec) return bw_error_set(err, BW_ENOMEM, "out of memory");
  rec->scanners = scanners;
  rec->diff_id = bw_arena_strdup(rec->arena, desc->diff_id);
  rec->digest = bw_arena_strdup(rec->arena, desc->digest ? desc->digest : desc->diff_id);
  bool same = !desc->digest || !strcmp(desc->digest, desc->diff_id);
  bw_reader *r = NULL, *next = NULL;
  int rc = src->ops->open_layer(src, desc, &r, err);
  /* the blob digest is checked on the raw bytes unless it is the diff_id itself (uncompressed
   * layers, docker-archive), which is checked on the decompressed bytes below. Each wrapper
   * takes ownership of the reader it wraps, also when it fails. */
  if (rc == 0 && !same) {
    rc = bw_reader_verify_as(&next, r, "blob digest", desc->digest, desc->size, err);
    r = next;
  }
  if (rc == 0) {
    rc = bw_decompress_open(&next, r, err);
    r = next;
  }
  if (rc == 0 && (same || verify_diff_id)) {
    rc = bw_reader_verify_as(&next, r, "diff_id", desc->diff_id, -1, err);
    r = next;
  }
  if (rc == 0) rc = bw_layer_walk_tar(rec, r, err);
  bw_reader_close(r);
  if (rc < 0) {
    bw_layer_record_free(rec);
    return bw_error_wrap(err, "layer %s", desc->digest ? desc->digest : desc->diff_id);
  }
  *out = rec;
  return 0;
}

/* ---- dir: root filesystems ---- */

static __thread struct {
  bw_layer_record *rec;
  bw_error *err;
  size_t root_len;
  int rc;
} rootfs_walk;

static int rootfs_visit(const char *fpath, const struct stat *st, int flag, struct FTW *ftw) {
  bw_layer_record *rec = rootfs_walk.rec;
  const char *rel = fpath + rootfs_walk.root_len;
  while (*rel == '/') rel++;
  if (!*rel) return 0;
  if (++rec->entries > BW_LIMIT_TAR_ENTRIES) {
    rootfs_walk.rc = bw_error_set(rootfs_walk.err, BW_ELIMIT, "more than %llu files", (unsigned long long)BW_LIMIT_TAR_ENTRIES);
    return 1;
  }
  mode_t type = S_ISDIR(st->st_mode) ? AE_IFDIR : S_ISREG(st->st_mode) ? AE_IFREG : AE_IFLNK;
  if ((rootfs_walk.rc = note_entry(rec, rel, type, (uint32_t)st->st_mode, (uint32_t)st->st_uid,
                                   (uint32_t)st->st_gid, rootfs_walk.err)) < 0)
    return 1;
  if (flag == FTW_SL) {
    char target[BW_LIMIT_PATH_BYTES + 1];
    ssize_t n = readlink(fpath, target, sizeof target - 1);
    if (n >= 0) {
      target[n] = 0;
      if ((rootfs_walk.rc = add_link(rec, rel, target, 0, rootfs_walk.err)) < 0) return 1;
    }
    return 0;
  }
  if (flag != FTW_F || !S_ISREG(st->st_mode)) return 0;
  rec->bytes += (uint64_t)st->st_size;
  bw_dispatch_plan plan;
  bool whole = bw_dispatch_plan_for(rel, &plan);
  if (whole && (uint64_t)st->st_size > plan.max_bytes) {
    bw_layer_record_warn(rec, "file %s: %lld bytes, over the %zu-byte limit for this file: skipped", rel,
                         (long long)st->st_size, plan.max_bytes);
    whole = false;
  }
  bool streams = bw_stream_analyzers[0] && st->st_size >= 4;
  if (!whole && !streams) return 0;
  int fd = open(fpath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    bw_layer_record_warn(rec, "file %s: cannot open: %s", rel, strerror(errno));
    return 0;
  }
  /* whole files are read at once; content analysers get 1 MiB chunks of a fixed buffer */
  size_t cap = whole ? (size_t)st->st_size : WALK_BUF;
  uint8_t *buf = malloc(cap + 1);
  if (!buf) {
    close(fd);
    rootfs_walk.rc = bw_error_set(rootfs_walk.err, BW_ENOMEM, "out of memory");
    return 1;
  }
  bw_stream_session ss;
  bool streaming = false, first = true;
  size_t got = 0;
  for (;;) {
    size_t fill = 0;
    /* a file only content analysers might want: its first bytes decide whether to read on */
    size_t want = first && !whole ? BW_STREAM_HEAD : cap;
    while (fill < want) {
      ssize_t n = read(fd, buf + fill, want - fill);
      if (n <= 0) break;
      fill += (size_t)n;
    }
    if (first && !whole && fill == want && want < cap) {
      bool any = false;
      for (size_t i = 0; bw_stream_analyzers[i] && !any; i++)
        any = bw_stream_analyzers[i]->wants(rel, st->st_mode, (uint64_t)st->st_size, buf, fill);
      if (any) { /* read the rest of the first chunk behind the head */
        while (fill < cap) {
          ssize_t n = read(fd, buf + fill, cap - fill);
          if (n <= 0) break;
          fill += (size_t)n;
        }
      }
    }
    if (first && streams) {
      size_t hl = fill < BW_STREAM_HEAD ? fill : BW_STREAM_HEAD;
      streaming = bw_dispatch_stream_begin(&ss, rec, rel, st->st_mode, (uint64_t)st->st_size, buf, hl);
    }
    first = false;
    if (streaming && fill) bw_dispatch_stream_feed(&ss, rec, buf, fill);
    got += fill;
    if (whole || fill < cap || !streaming) break;
  }
  close(fd);
  if (streaming) rootfs_walk.rc = bw_dispatch_stream_end(&ss, rec, true, rootfs_walk.err);
  if (rootfs_walk.rc == 0 && whole) {
    buf[got] = 0;
    rootfs_walk.rc = bw_dispatch_file(rec, rel, st->st_mode, buf, got, &plan, rootfs_walk.err);
  }
  free(buf);
  return rootfs_walk.rc < 0;
}

int bw_layer_read_rootfs(bw_layer_record **out, const char *root, uint32_t scanners, bw_error *err) {
  bw_layer_record *rec = bw_layer_record_new();
  if (!rec) return bw_error_set(err, BW_ENOMEM, "out of memory");
  rec->scanners = scanners;
  rec->diff_id = bw_arena_strdup(rec->arena, "rootfs");
  rootfs_walk.rec = rec;
  rootfs_walk.err = err;
  rootfs_walk.rc = 0;
  size_t rl = strlen(root);
  while (rl > 1 && root[rl - 1] == '/') rl--;
  rootfs_walk.root_len = rl;
  /* FTW_PHYS: never follow a symlink out of the root */
  int r = nftw(root, rootfs_visit, 64, FTW_PHYS);
  int rc = rootfs_walk.rc;
  if (rc == 0 && r != 0) rc = bw_error_sys(err, BW_EIO, "walking %s", root);
  if (rc < 0) {
    bw_layer_record_free(rec);
    return rc;
  }
  *out = rec;
  return 0;
}
