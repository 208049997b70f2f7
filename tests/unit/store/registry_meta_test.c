/* The registry's metadata store (SQLite driver) and the filesystem blob store. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "store/blob.h"
#include "store/registry_meta.h"
#include "unit/test.h"

static char dir[256];

static void test_meta(void) {
  char path[300];
  snprintf(path, sizeof path, "%s/meta.db", dir);
  bw_meta *m = NULL;
  bw_error err = {0};
  CHECK(bw_meta_open(&m, path, &err) == 0);
  if (!m) return;
  int64_t id1 = 0, id2 = 0;
  CHECK(bw_reg_repo_id(m, "team/app", false, &id1, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  CHECK(bw_reg_repo_id(m, "team/app", true, &id1, &err) == 0);
  CHECK(bw_reg_repo_id(m, "team/app", false, &id2, &err) == 0 && id1 == id2);
  CHECK(bw_reg_repo_id(m, "other/x/y", true, &id2, &err) == 0 && id2 != id1);

  bw_reg_strlist l = {0};
  CHECK(bw_reg_repo_list(m, NULL, NULL, 0, &l, &err) == 0 && l.len == 2);
  CHECK_STR(l.len ? l.items[0] : NULL, "other/x/y");
  bw_reg_strlist_dispose(&l);
  CHECK(bw_reg_repo_list(m, "team", NULL, 0, &l, &err) == 0 && l.len == 1);
  bw_reg_strlist_dispose(&l);
  CHECK(bw_reg_repo_list(m, NULL, "other/x/y", 1, &l, &err) == 0 && l.len == 1);
  CHECK_STR(l.len ? l.items[0] : NULL, "team/app");
  bw_reg_strlist_dispose(&l);

  /* blobs */
  const char *cfg = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
  const char *lay = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
  int64_t size = 0;
  CHECK(bw_reg_blob_link(m, "team/app", cfg, 10, &err) == 0);
  CHECK(bw_reg_blob_link(m, "team/app", lay, 20, &err) == 0);
  CHECK(bw_reg_blob_link(m, "team/app", lay, 20, &err) == 0); /* idempotent */
  CHECK(bw_reg_blob_linked(m, "team/app", lay, &size, &err) == 0 && size == 20);
  CHECK(bw_reg_blob_linked(m, "other/x/y", lay, &size, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);

  /* manifest with tag, refs, event */
  bw_reg_manifest mf;
  memset(&mf, 0, sizeof mf);
  snprintf(mf.repo, sizeof mf.repo, "team/app");
  const char *body = "{\"schemaVersion\":2}";
  bw_sha256_buf_str(body, strlen(body), mf.digest);
  snprintf(mf.media_type, sizeof mf.media_type, "application/vnd.oci.image.manifest.v1+json");
  mf.size = (int64_t)strlen(body);
  bw_reg_ref refs[2];
  memset(refs, 0, sizeof refs);
  snprintf(refs[0].digest, sizeof refs[0].digest, "%s", cfg);
  snprintf(refs[1].digest, sizeof refs[1].digest, "%s", lay);
  CHECK(bw_reg_manifest_put(m, &mf, body, strlen(body), refs, 2, "v1", "alice", &err) == 0);
  bw_reg_manifest got;
  char *bytes = NULL;
  size_t len = 0;
  CHECK(bw_reg_manifest_get(m, "team/app", "v1", &got, &bytes, &len, &err) == 0);
  CHECK_STR(got.digest, mf.digest);
  CHECK(bytes && len == strlen(body) && !memcmp(bytes, body, len));
  free(bytes);
  CHECK(bw_reg_manifest_get(m, "team/app", mf.digest, &got, NULL, NULL, &err) == 0);
  CHECK(bw_reg_manifest_get(m, "team/app", "v2", &got, NULL, NULL, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);

  /* a referrer */
  bw_reg_manifest ref = mf;
  const char *rbody = "{\"schemaVersion\":2,\"subject\":1}";
  bw_sha256_buf_str(rbody, strlen(rbody), ref.digest);
  snprintf(ref.subject, sizeof ref.subject, "%s", mf.digest);
  snprintf(ref.artifact_type, sizeof ref.artifact_type, "application/vnd.example.sbom");
  CHECK(bw_reg_manifest_put(m, &ref, rbody, strlen(rbody), NULL, 0, NULL, "alice", &err) == 0);
  bw_reg_manifest *v = NULL;
  size_t n = 0;
  CHECK(bw_reg_referrers(m, "team/app", mf.digest, NULL, &v, &n, &err) == 0 && n == 1);
  free(v);
  CHECK(bw_reg_referrers(m, "team/app", mf.digest, "application/other", &v, &n, &err) == 0 && n == 0);
  free(v);

  /* gc: nothing dangling while tagged; the referrer stays with its subject */
  CHECK(bw_reg_gc_dangling_manifests(m, &v, &n, &err) == 0 && n == 0);
  free(v);
  CHECK(bw_reg_tag_list(m, "team/app", NULL, 0, &l, &err) == 0 && l.len == 1);
  bw_reg_strlist_dispose(&l);
  CHECK(bw_reg_tag_delete(m, "team/app", "v1", "bob", &err) == 0);
  /* untagged but the subject of a referrer: kept */
  CHECK(bw_reg_gc_dangling_manifests(m, &v, &n, &err) == 0 && n == 0);
  free(v);
  CHECK(bw_reg_manifest_delete(m, "team/app", mf.digest, "bob", &err) == 0);
  /* now the referrer's subject is gone: the referrer is dangling */
  CHECK(bw_reg_gc_dangling_manifests(m, &v, &n, &err) == 0 && n == 1);
  if (n == 1) CHECK_STR(v[0].digest, ref.digest);
  free(v);

  /* links no manifest uses are pruned when old enough */
  bw_reg_strlist pruned = {0};
  CHECK(bw_reg_gc_prune_links(m, bw_meta_now() - 3600, &pruned, &err) == 0 && pruned.len == 0);
  CHECK(bw_reg_gc_prune_links(m, bw_meta_now() + 10, &pruned, &err) == 0 && pruned.len == 2);
  bw_reg_strlist_dispose(&pruned);

  /* events: push v1, push referrer, delete tag, delete manifest */
  bw_reg_event *ev = NULL;
  CHECK(bw_reg_events_since(m, 0, 0, &ev, &n, &err) == 0 && n == 4);
  if (n == 4) {
    CHECK_STR(ev[0].type, "artifact.pushed");
    CHECK_STR(ev[0].tag, "v1");
    CHECK_STR(ev[0].actor, "alice");
    CHECK_STR(ev[0].namespace_, "team");
    CHECK_STR(ev[2].type, "artifact.deleted");
    CHECK(ev[1].id > ev[0].id && ev[3].id > ev[2].id);
    int64_t since = ev[1].id;
    free(ev);
    CHECK(bw_reg_events_since(m, since, 10, &ev, &n, &err) == 0 && n == 2);
  }
  free(ev);

  /* uploads */
  bw_reg_upload u;
  CHECK(bw_reg_upload_create(m, "abc", "team/app", &err) == 0);
  CHECK(bw_reg_upload_create(m, "abc", "team/app", &err) == -BW_ECONFLICT);
  bw_error_clear(&err);
  CHECK(bw_reg_upload_touch(m, "abc", 42, &err) == 0);
  CHECK(bw_reg_upload_get(m, "abc", &u, &err) == 0 && u.offset == 42);
  int64_t cnt = 0;
  CHECK(bw_reg_upload_count(m, &cnt, &err) == 0 && cnt == 1);
  CHECK(bw_reg_upload_expired(m, bw_meta_now() + 1, &l, &err) == 0 && l.len == 1);
  bw_reg_strlist_dispose(&l);
  CHECK(bw_reg_upload_expired(m, bw_meta_now() - 1, &l, &err) == 0 && l.len == 0);
  bw_reg_strlist_dispose(&l);
  CHECK(bw_reg_upload_delete(m, "abc", &err) == 0);
  CHECK(bw_reg_upload_delete(m, "abc", &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  CHECK(bw_reg_upload_get(m, "abc", &u, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  bw_meta_close(m);

  /* state survives a reopen */
  CHECK(bw_meta_open(&m, path, &err) == 0);
  if (m) {
    CHECK(bw_reg_events_since(m, 0, 0, &ev, &n, &err) == 0 && n == 4);
    free(ev);
    bw_meta_close(m);
  }
}

static void test_blobs(void) {
  bw_blobstore *bs = NULL;
  bw_error err = {0};
  CHECK(bw_blob_open_fs(&bs, dir, &err) == 0);
  if (!bs) return;
  char dg[BW_DIGEST_STR_LEN + 1], want[BW_DIGEST_STR_LEN + 1];
  const char *data = "hello blob";
  bw_sha256_buf_str(data, strlen(data), want);
  CHECK(bw_blob_put(bs, data, strlen(data), want, dg, &err) == 0);
  CHECK_STR(dg, want);
  int64_t size = 0;
  CHECK(bw_blob_stat(bs, want, &size, NULL, &err) == 0 && size == 10);
  char p[512];
  snprintf(p, sizeof p, "%s/blobs/sha256/%.2s/%s", dir, want + 7, want + 7);
  CHECK(access(p, R_OK) == 0);
  /* wrong expected digest: nothing stored */
  const char *other = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
  CHECK(bw_blob_put(bs, "x", 1, other, NULL, &err) == -BW_ECORRUPT);
  bw_error_clear(&err);
  CHECK(bw_blob_stat(bs, other, NULL, NULL, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  CHECK(bw_blob_stat(bs, "sha256:../../x", NULL, NULL, &err) == -BW_EINVAL);
  bw_error_clear(&err);

  /* a session in three writes, one writer at a time, resumed by a new store (restart) */
  bw_blob_writer *w = NULL, *w2 = NULL;
  CHECK(bw_blob_writer_open(bs, "sess1", true, &w, &err) == 0);
  CHECK(bw_blob_writer_open(bs, "sess1", false, &w2, &err) == -BW_ECONFLICT);
  bw_error_clear(&err);
  CHECK(bw_blob_writer_write(w, "abc", 3, &err) == 0);
  bw_blob_writer_release(w);
  CHECK(bw_blob_writer_open(bs, "sess1", false, &w, &err) == 0 && bw_blob_writer_offset(w) == 3);
  CHECK(bw_blob_writer_write(w, "def", 3, &err) == 0);
  bw_blob_writer_release(w);
  bw_blob_close(bs);
  CHECK(bw_blob_open_fs(&bs, dir, &err) == 0);
  CHECK(bw_blob_writer_open(bs, "sess1", false, &w, &err) == 0 && bw_blob_writer_offset(w) == 6);
  CHECK(bw_blob_writer_write(w, "ghi", 3, &err) == 0);
  bw_sha256_buf_str("abcdefghi", 9, want);
  CHECK(bw_blob_writer_commit(w, want, dg, &size, &err) == 0 && size == 9);
  CHECK_STR(dg, want);
  CHECK(bw_blob_upload_size(bs, "sess1", &size, &err) == -BW_ENOTFOUND);
  bw_error_clear(&err);
  CHECK(bw_blob_writer_open(bs, "../x", true, &w, &err) == -BW_EINVAL);
  bw_error_clear(&err);
  int64_t used = 0;
  CHECK(bw_blob_usage(bs, &used, &err) == 0 && used == 19);
  CHECK(bw_blob_delete(bs, want, &err) == 0);
  CHECK(bw_blob_delete(bs, want, &err) == -BW_ENOTFOUND);
  bw_blob_close(bs);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/bw-store-test-XXXXXX");
  if (!mkdtemp(dir)) return 1;
  test_meta();
  test_blobs();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd)) return 1;
  return test_finish();
}
