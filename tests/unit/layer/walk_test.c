/* The layer pass over hostile and ordinary tar streams, through the real decompressors and
 * digest checks. */
#include "layer/walk.h"

#include "analyze/os_detect.h"
#include "base/sha256.h"
#include "layer/decompress.h"
#include "layer/merge.h"
#include "unit/layer/tarbuild.h"
#include "unit/test.h"

static bw_layer_record *walk(const unsigned char *buf, size_t len, int *rc, bw_error *err) {
  bw_layer_record *rec = bw_layer_record_new();
  rec->diff_id = "sha256:test";
  bw_reader *r = NULL, *d = NULL;
  bw_reader_mem(&r, buf, len, err);
  bw_decompress_open(&d, r, err);
  *rc = bw_layer_walk_tar(rec, d, err);
  bw_reader_close(d);
  return rec;
}

static bool has_warning(bw_layer_record *rec, const char *needle) {
  for (size_t i = 0; i < rec->warnings.len; i++)
    if (strstr(*bw_vec_at(&rec->warnings, const char *, i), needle)) return true;
  return false;
}

static bool has_file(bw_layer_record *rec, const char *path) {
  for (size_t i = 0; i < rec->files.len; i++)
    if (!strcmp(bw_vec_at(&rec->files, bw_record_file, i)->path, path)) return true;
  return false;
}

static void test_hostile_paths(int filter) {
  tarbuild t;
  tb_open(&t, filter);
  tb_file(&t, "../../etc/os-release", "ID=evil\n");
  tb_file(&t, "/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  tb_symlink(&t, "usr/lib/os-release", "../../../../../../etc/shadow");
  tb_file(&t, "etc/.wh.passwd", "");
  tb_file(&t, "var/lib/dpkg/status.d/.wh..wh..opq", "");
  tb_file(&t, "a/.wh..wh.plnk", "");
  tb_close(&t);
  bw_error err = {0};
  int rc;
  bw_layer_record *rec = walk(t.buf, t.used, &rc, &err);
  CHECK(rc == 0);
  CHECK(has_warning(rec, "../../etc/os-release"));
  CHECK(has_warning(rec, "escapes the image root"));
  CHECK(has_file(rec, "etc/os-release"));  /* the absolute path is taken inside the root */
  CHECK(rec->whiteouts.len == 1);
  CHECK_STR(*bw_vec_at(&rec->whiteouts, const char *, 0), "etc/passwd");
  CHECK(rec->opaques.len == 1);
  CHECK_STR(*bw_vec_at(&rec->opaques, const char *, 0), "var/lib/dpkg/status.d");
  CHECK(rec->links.len == 1);
  bw_layer_record_free(rec);
  free(t.buf);
}

static void test_truncated_gzip(void) {
  tarbuild t;
  tb_open(&t, 1);
  char big[20000];
  for (size_t i = 0; i < sizeof big - 1; i++) big[i] = (char)('a' + (i * 7919) % 26);
  big[sizeof big - 1] = 0;
  tb_file(&t, "etc/os-release", big);
  tb_file(&t, "usr/share/x", big);
  tb_close(&t);
  bw_error err = {0};
  int rc;
  bw_layer_record *rec = walk(t.buf, t.used / 2, &rc, &err);
  CHECK(rc == -BW_ECORRUPT);
  CHECK(strstr(err.msg, "truncated gzip") != NULL);
  bw_layer_record_free(rec);
  free(t.buf);
}

static void test_digest_mismatch(void) {
  tarbuild t;
  tb_open(&t, 0);
  tb_file(&t, "etc/os-release", "ID=alpine\n");
  tb_close(&t);
  bw_error err = {0};
  bw_reader *r = NULL, *v = NULL;
  bw_reader_mem(&r, t.buf, t.used, &err);
  bw_reader_verify(&v, r, "sha256:0000000000000000000000000000000000000000000000000000000000000000", -1, &err);
  bw_layer_record *rec = bw_layer_record_new();
  int rc = bw_layer_walk_tar(rec, v, &err);
  CHECK(rc == -BW_ECORRUPT);
  CHECK(strstr(err.msg, "digest mismatch") != NULL);
  bw_reader_close(v);
  bw_layer_record_free(rec);

  /* and the right digest passes */
  char digest[BW_DIGEST_STR_LEN + 1];
  bw_sha256_buf_str(t.buf, t.used, digest);
  bw_error_clear(&err);
  bw_reader_mem(&r, t.buf, t.used, &err);
  bw_reader_verify(&v, r, digest, (int64_t)t.used, &err);
  rec = bw_layer_record_new();
  CHECK(bw_layer_walk_tar(rec, v, &err) == 0);
  CHECK(has_file(rec, "etc/os-release"));
  bw_reader_close(v);
  bw_layer_record_free(rec);
  free(t.buf);
}

/* A header claiming a 10 GB file with no data behind it: an error naming the entry, no huge
 * allocation. */
static void test_huge_claim(void) {
  tarbuild t;
  tb_open(&t, 0);
  tb_file(&t, "etc/hostname", "box\n");
  tb_close(&t);
  /* rewrite the size field of the first header to 10 GiB in octal, and fix the checksum */
  unsigned char *h = t.buf;
  size_t off = 0;
  /* pax_restricted may write an extended header first; find the ustar header for etc/hostname */
  while (off + 512 <= t.used && memcmp(h + off, "etc/hostname", 12) != 0) off += 512;
  CHECK(off + 512 <= t.used);
  if (off + 512 > t.used) return;
  memcpy(h + off + 124, "120000000000", 11); /* 10 GiB octal = 0o120000000000 */
  h[off + 124 + 11] = ' ';
  memset(h + off + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < 512; i++) sum += h[off + i];
  char cs[8];
  snprintf(cs, sizeof cs, "%06o", sum);
  memcpy(h + off + 148, cs, 7);
  bw_error err = {0};
  int rc;
  bw_layer_record *rec = walk(t.buf, t.used, &rc, &err);
  CHECK(rc < 0);
  CHECK(strstr(err.msg, "etc/hostname") != NULL);
  bw_layer_record_free(rec);
  free(t.buf);
}

static bool lookup(void *ctx, const char *path, const uint8_t **buf, size_t *len) {
  return bw_view_read(ctx, path, buf, len);
}

/* Three layers: a file, its whiteout, an opaque directory. */
static void test_merge_whiteouts(void) {
  tarbuild t1, t2, t3;
  tb_open(&t1, 1);
  tb_file(&t1, "usr/lib/os-release", "ID=debian\n");
  tb_symlink(&t1, "etc/os-release", "../usr/lib/os-release");
  tb_close(&t1);
  tb_open(&t2, 2);
  tb_file(&t2, "usr/lib/.wh.os-release", "");
  tb_close(&t2);
  tb_open(&t3, 0);
  tb_file(&t3, "usr/.wh..wh..opq", "");
  tb_file(&t3, "usr/lib/os-release", "ID=alpine\n");
  tb_close(&t3);
  bw_error err = {0};
  int rc;
  bw_layer_record *recs[3];
  recs[0] = walk(t1.buf, t1.used, &rc, &err);
  CHECK(rc == 0);
  recs[1] = walk(t2.buf, t2.used, &rc, &err);
  CHECK(rc == 0);
  recs[2] = walk(t3.buf, t3.used, &rc, &err);
  CHECK(rc == 0);
  const uint8_t *buf;
  size_t len;
  bw_image_view v;
  CHECK(bw_merge(&v, recs, 1, &err) == 0);
  CHECK(lookup(&v, "etc/os-release", &buf, &len) && !memcmp(buf, "ID=debian", 9));
  bw_image_view_dispose(&v);
  CHECK(bw_merge(&v, recs, 2, &err) == 0);
  CHECK(!lookup(&v, "etc/os-release", &buf, &len));
  bw_image_view_dispose(&v);
  CHECK(bw_merge(&v, recs, 3, &err) == 0);
  CHECK(lookup(&v, "etc/os-release", &buf, &len) && !memcmp(buf, "ID=alpine", 9));
  bw_image_view_dispose(&v);
  for (int i = 0; i < 3; i++) bw_layer_record_free(recs[i]);
  free(t1.buf);
  free(t2.buf);
  free(t3.buf);
}

static void test_record_cache_roundtrip(void) {
  tarbuild t;
  tb_open(&t, 1);
  tb_file(&t, "etc/os-release", "ID=debian\n");
  tb_symlink(&t, "lib", "usr/lib");
  tb_file(&t, "x/.wh.y", "");
  tb_close(&t);
  bw_error err = {0};
  int rc;
  bw_layer_record *rec = walk(t.buf, t.used, &rc, &err);
  rec->digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
  char dir[] = "/tmp/bw-cache-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  CHECK(bw_layer_record_save(rec, dir, &err) == 0);
  bw_layer_record *back = NULL;
  CHECK(bw_layer_record_load(&back, dir, rec->digest, &err) == 0);
  if (back) {
    CHECK_STR(back->digest, rec->digest);
    CHECK(back->files.len == 1 && back->links.len == 1 && back->whiteouts.len == 1);
    CHECK(has_file(back, "etc/os-release"));
    CHECK(back->entries == rec->entries);
  }
  bw_error_clear(&err);
  CHECK(bw_layer_record_load(&back, dir, "sha256:2222222222222222222222222222222222222222222222222222222222222222", &err) ==
        -BW_ENOTFOUND);
  bw_layer_record_free(back);
  bw_layer_record_free(rec);
  free(t.buf);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
}

/* Risky modes are recorded, findings and modes survive the cache, and liveness follows later
 * layers (replaced file, whiteout, opaque parent). */
static void test_modes_findings_liveness(void) {
  tarbuild t1, t2;
  tb_open(&t1, 1);
  tb_entry_mode(&t1, "usr/local/bin/sh", AE_IFREG, "#!/bin/sh\n", NULL, 04755);
  tb_entry_mode(&t1, "srv/drop", AE_IFDIR, NULL, NULL, 0777);
  tb_entry_mode(&t1, "tmp", AE_IFDIR, NULL, NULL, 01777); /* sticky: not risky */
  tb_file(&t1, "app/.env", "KEY=1\n");
  tb_file(&t1, "app/keep.txt", "x\n");
  tb_file(&t1, "opt/gone/a.php", "x\n");
  tb_close(&t1);
  tb_open(&t2, 0);
  tb_file(&t2, "app/.env", "KEY=\n"); /* replaced */
  tb_file(&t2, "opt/.wh..wh..opq", "");
  tb_close(&t2);
  bw_error err = {0};
  int rc;
  bw_layer_record *recs[2];
  recs[0] = walk(t1.buf, t1.used, &rc, &err);
  CHECK(rc == 0);
  recs[1] = walk(t2.buf, t2.used, &rc, &err);
  CHECK(rc == 0);
  CHECK(recs[0]->modes.len == 2);
  bool suid = false, ww = false;
  for (size_t i = 0; i < recs[0]->modes.len; i++) {
    const bw_record_mode *m = bw_vec_at(&recs[0]->modes, bw_record_mode, i);
    if (!strcmp(m->path, "usr/local/bin/sh")) suid = (m->mode & 04000) && S_ISREG(m->mode);
    if (!strcmp(m->path, "srv/drop")) ww = (m->mode & 0002) && S_ISDIR(m->mode);
  }
  CHECK(suid && ww);
  /* findings as a content scanner would add them, through the cache */
  bw_layer_record *rec = recs[0];
  rec->digest = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
  rec->scanners = 2;
  const char *paths[] = {"app/.env", "app/keep.txt", "opt/gone/a.php"};
  for (size_t i = 0; i < 3; i++) {
    bw_record_finding *f = bw_vec_push(&rec->findings);
    *f = (bw_record_finding){.kind = i == 2 ? BW_FINDING_MALWARE : BW_FINDING_SECRET, .severity = 3, .rule = "R",
                             .category = "c", .path = paths[i], .line = 1, .evidence = "KEY=****"};
  }
  char dir[] = "/tmp/bw-cache-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  CHECK(bw_layer_record_save(rec, dir, &err) == 0);
  bw_layer_record *back = NULL;
  CHECK(bw_layer_record_load(&back, dir, rec->digest, &err) == 0);
  if (back) {
    CHECK(back->scanners == 2 && back->findings.len == 3 && back->modes.len == 2);
    CHECK(back->path_hashes.len == rec->path_hashes.len);
    CHECK_STR(bw_vec_at(&back->findings, bw_record_finding, 2)->path, "opt/gone/a.php");
    CHECK(bw_vec_at(&back->findings, bw_record_finding, 2)->kind == BW_FINDING_MALWARE);
    bw_layer_record_free(recs[0]);
    recs[0] = back;
  }
  bw_image_view v;
  CHECK(bw_merge(&v, recs, 2, &err) == 0);
  CHECK(!bw_view_path_live(&v, 0, "app/.env"));      /* replaced by layer 2 */
  CHECK(bw_view_path_live(&v, 0, "app/keep.txt"));   /* untouched */
  CHECK(!bw_view_path_live(&v, 0, "opt/gone/a.php")); /* opaque parent in layer 2 */
  CHECK(bw_view_path_live(&v, 1, "app/.env"));       /* the newest copy */
  CHECK(bw_view_path_live(&v, 0, "usr/local/bin/sh"));
  bw_image_view_dispose(&v);
  bw_layer_record_free(recs[0]);
  bw_layer_record_free(recs[1]);
  free(t1.buf);
  free(t2.buf);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
}

int main(void) {
  test_hostile_paths(0);
  test_hostile_paths(1);
  test_hostile_paths(2);
  test_truncated_gzip();
  test_digest_mismatch();
  test_huge_claim();
  test_merge_whiteouts();
  test_record_cache_roundtrip();
  test_modes_findings_liveness();
  return test_finish();
}
