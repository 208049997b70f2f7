/* Builds small tar (optionally gzip/zstd) streams in memory with libarchive's writer, so layer
 * tests describe their hostile entries directly. */
#ifndef BW_TEST_TARBUILD_H
#define BW_TEST_TARBUILD_H

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  struct archive *a;
  unsigned char *buf;
  size_t cap, used;
} tarbuild;

/* filter: 0 none, 1 gzip, 2 zstd */
static inline void tb_open(tarbuild *t, int filter) {
  t->cap = 8u << 20;
  t->buf = malloc(t->cap);
  t->used = 0;
  t->a = archive_write_new();
  archive_write_set_format_pax_restricted(t->a);
  if (filter == 1) archive_write_add_filter_gzip(t->a);
  if (filter == 2) archive_write_add_filter_zstd(t->a);
  archive_write_set_bytes_in_last_block(t->a, 1);
  archive_write_open_memory(t->a, t->buf, t->cap, &t->used);
}

static inline void tb_entry_mode(tarbuild *t, const char *path, unsigned type, const char *data, const char *link,
                                 unsigned perm) {
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, path);
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, perm);
  size_t n = data ? strlen(data) : 0;
  if (type == AE_IFLNK) archive_entry_set_symlink(e, link);
  if (type == AE_IFREG && link) archive_entry_set_hardlink(e, link);
  else archive_entry_set_size(e, (la_int64_t)n);
  archive_write_header(t->a, e);
  if (n) archive_write_data(t->a, data, n);
  archive_entry_free(e);
}

static inline void tb_entry(tarbuild *t, const char *path, unsigned type, const char *data, const char *link) {
  tb_entry_mode(t, path, type, data, link, type == AE_IFDIR ? 0755 : 0644);
}

static inline void tb_file(tarbuild *t, const char *path, const char *data) { tb_entry(t, path, AE_IFREG, data, NULL); }
static inline void tb_symlink(tarbuild *t, const char *path, const char *target) { tb_entry(t, path, AE_IFLNK, NULL, target); }

static inline void tb_close(tarbuild *t) {
  archive_write_close(t->a);
  archive_write_free(t->a);
}

#endif
