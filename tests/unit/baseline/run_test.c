/* bw_baseline_run over real layer records: two tar layers walked by the layer pass and merged, so
 * captures, symlinks (nginx sites-enabled), whiteouts, replaced setuid files and layer attribution
 * go through the same code as a scan. */
#include <archive.h>
#include <archive_entry.h>

#include "image/image.h"
#include "layer/merge.h"
#include "layer/walk.h"
#include "unit/layer/tarbuild.h"
#include "unit/test.h"
#include "baseline/baseline.h"
#include "report/result.h"
#include "vuln/vulndb.h"

static void tb_mode(tarbuild *t, const char *path, const char *data, unsigned perm) {
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, path);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, perm);
  archive_entry_set_size(e, (la_int64_t)strlen(data));
  archive_write_header(t->a, e);
  archive_write_data(t->a, data, strlen(data));
  archive_entry_free(e);
}

static bw_layer_record *walk(tarbuild *t, const char *diff_id) {
  bw_error err = {0};
  bw_reader *r = NULL;
  bw_reader_mem(&r, t->buf, t->used, &err);
  bw_layer_record *rec = bw_layer_record_new();
  rec->scanners = 2; /* BW_SCANNER_BASELINE */
  rec->diff_id = diff_id;
  CHECK(bw_layer_walk_tar(rec, r, &err) == 0);
  bw_reader_close(r);
  return rec;
}

static const bw_baseline_finding *get(const bw_scan_result *res, const char *id, const char *path) {
  for (size_t i = 0; i < res->baseline.len; i++) {
    const bw_baseline_finding *f = bw_vec_at(&res->baseline, bw_baseline_finding, i);
    if (!strcmp(f->id, id) && (!path || (f->path && !strcmp(f->path, path)))) return f;
  }
  return NULL;
}

int main(void) {
  tarbuild t0, t1;
  tb_open(&t0, 0);
  tb_file(&t0, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\n");
  tb_file(&t0, "etc/shadow", "root:*:20000:0:99999:7:::\nnobody:*:20000:0:99999:7:::\n");
  tb_file(&t0, "etc/nginx/nginx.conf", "http {\n  include /etc/nginx/sites-enabled/*;\n}\n");
  tb_file(&t0, "etc/nginx/sites-available/default", "server {\n  listen 80;\n  autoindex on;\n}\n");
  tb_file(&t0, "etc/nginx/sites-available/unused", "server {\n  autoindex on;\n}\n");
  tb_symlink(&t0, "etc/nginx/sites-enabled/default", "../sites-available/default");
  tb_file(&t0, "etc/redis/redis.conf", "bind 0.0.0.0\n");
  tb_mode(&t0, "usr/local/bin/helper", "\x7f" "ELF", 04755);
  tb_mode(&t0, "usr/bin/passwd", "\x7f" "ELF", 04755);
  tb_close(&t0);
  tb_open(&t1, 0);
  tb_file(&t1, "etc/redis/.wh.redis.conf", "");
  tb_mode(&t1, "usr/local/bin/helper", "\x7f" "ELF", 0755);
  tb_file(&t1, "etc/ssh/sshd_config", "# planted\nPermitRootLogin yes\n");
  tb_close(&t1);

  bw_layer_record *recs[2] = {walk(&t0, "sha256:aaaa"), walk(&t1, "sha256:bbbb")};
  bw_layer_desc layers[2] = {{.diff_id = "sha256:aaaa"}, {.diff_id = "sha256:bbbb"}};
  bw_image img = {.layers = layers, .nlayers = 2};
  bw_image_view *view = calloc(1, sizeof *view);
  bw_error err = {0};
  CHECK(bw_merge(view, recs, 2, &err) == 0);
  bw_scan_result res;
  memset(&res, 0, sizeof res);
  res.image = &img;
  res.view = view;
  res.records = recs;
  res.nrecords = 2;
  res.arena = bw_arena_new();
  bw_baseline_opts opts = {.crack_seconds = 1, .threads = 1};
  CHECK(bw_baseline_run(&res, &opts, &err) == 0);
  for (size_t i = 0; i < res.baseline.len; i++) {
    const bw_baseline_finding *f = bw_vec_at(&res.baseline, bw_baseline_finding, i);
    fprintf(stderr, "  %s %s:%u %s %s\n", f->id, f->path ? f->path : "-", f->line, f->layer ? f->layer : "-", f->evidence);
  }
  const bw_baseline_finding *f = get(&res, "BW-SVC-004", NULL);
  CHECK(f && !strcmp(f->path, "etc/nginx/sites-enabled/default") && f->line == 3 && !strcmp(f->layer, "sha256:aaaa"));
  CHECK(!get(&res, "BW-SVC-004", "etc/nginx/sites-available/unused")); /* not enabled */
  f = get(&res, "BW-SVC-005", "etc/nginx/nginx.conf");
  CHECK(f && !strcmp(f->layer, "sha256:aaaa"));
  f = get(&res, "BW-ACL-001", "etc/ssh/sshd_config");
  CHECK(f && f->line == 2 && !strcmp(f->layer, "sha256:bbbb"));
  CHECK(!get(&res, "BW-ACL-003", NULL) && !get(&res, "BW-SVC-002", NULL)); /* redis.conf deleted by layer 2 */
  CHECK(!get(&res, "BW-PRM-001", NULL)); /* the setuid helper was replaced; passwd is Debian's own */
  CHECK(!get(&res, "BW-ACC-001", NULL) && !get(&res, "BW-PWD-003", NULL));
  CHECK(res.baseline.len == 3);

  bw_vec_dispose(&res.baseline);
  bw_vec_dispose(&res.warnings);
  bw_arena_free(res.arena);
  bw_image_view_dispose(view);
  free(view);
  bw_layer_record_free(recs[0]);
  bw_layer_record_free(recs[1]);
  free(t0.buf);
  free(t1.buf);
  return test_finish();
}
