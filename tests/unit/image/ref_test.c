#include "base/json.h"
#include "base/limits.h"
#include "image/image.h"
#include "image/manifest.h"
#include "unit/test.h"

static void ref(const char *s, bw_transport t, const char *path, const char *tag, const char *host, const char *repo) {
  bw_image_ref r;
  bw_error err = {0};
  int rc = bw_image_ref_parse(&r, s, &err);
  CHECK(rc == 0);
  if (rc) {
    fprintf(stderr, "  %s: %s\n", s, err.msg);
    return;
  }
  CHECK(r.transport == t);
  if (path) CHECK_STR(r.path, path);
  if (tag) CHECK_STR(r.tag, tag);
  else CHECK(r.tag == NULL || t == BW_TRANSPORT_DOCKER);
  if (host) CHECK_STR(r.host, host);
  if (repo) CHECK_STR(r.repo, repo);
  bw_image_ref_dispose(&r);
}

static void bad_ref(const char *s, int code) {
  bw_image_ref r;
  bw_error err = {0};
  CHECK(bw_image_ref_parse(&r, s, &err) == -code);
  CHECK(err.msg[0] != 0);
}

static void select_platform(const char *platform, const char *want_digest, int want_rc) {
  static const char *index =
      "{\"schemaVersion\":2,\"manifests\":["
      "{\"digest\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\","
      "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
      "{\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","
      "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
      "{\"digest\":\"sha256:3333333333333333333333333333333333333333333333333333333333333333\","
      "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}}]}";
  json_t *doc = NULL;
  bw_error err = {0};
  CHECK(bw_json_parse(&doc, index, strlen(index), BW_LIMIT_MANIFEST_BYTES, "index", &err) == 0);
  CHECK(bw_manifest_kind(doc, NULL) == BW_DOC_INDEX);
  const char *d = NULL;
  int rc = bw_index_select(&d, doc, platform, &err);
  CHECK(rc == want_rc);
  if (want_digest) CHECK_STR(d, want_digest);
  else CHECK(strstr(err.msg, "linux/amd64") != NULL); /* the error lists what there is */
  json_decref(doc);
}

int main(void) {
  ref("oci:/tmp/layout:1.0", BW_TRANSPORT_OCI, "/tmp/layout", "1.0", NULL, NULL);
  ref("oci:/tmp/layout", BW_TRANSPORT_OCI, "/tmp/layout", NULL, NULL, NULL);
  ref("oci-archive:img.tar:latest", BW_TRANSPORT_OCI_ARCHIVE, "img.tar", "latest", NULL, NULL);
  ref("docker-archive:img.tar:team/app:2", BW_TRANSPORT_DOCKER_ARCHIVE, "img.tar", "team/app:2", NULL, NULL);
  ref("dir:/srv/rootfs", BW_TRANSPORT_DIR, "/srv/rootfs", NULL, NULL, NULL);
  ref("docker://localhost:5000/team/app:1.2", BW_TRANSPORT_DOCKER, NULL, "1.2", "localhost:5000", "team/app");
  ref("debian:12", BW_TRANSPORT_DOCKER, NULL, "12", "docker.io", "library/debian");
  ref("quay.io/org/img", BW_TRANSPORT_DOCKER, NULL, "latest", "quay.io", "org/img");
  {
    bw_image_ref r;
    bw_error err = {0};
    CHECK(bw_image_ref_parse(&r, "docker://127.0.0.1:5000/a@sha256:1111111111111111111111111111111111111111111111111111111111111111",
                             &err) == 0);
    CHECK(r.tag == NULL && r.digest && !strncmp(r.digest, "sha256:1111", 11));
    CHECK_STR(r.repo, "a");
    bw_image_ref_dispose(&r);
    CHECK(bw_image_ref_parse(&r, "docker-archive:x.tar:@1", &err) == 0);
    CHECK_STR(r.index, "1");
    bw_image_ref_dispose(&r);
  }
  bad_ref("", BW_EINVAL);
  bad_ref("ftp://x/y", BW_EINVAL);
  bad_ref("/tmp", BW_EINVAL); /* a local path without a transport: the error says which to use */
  bad_ref("./layout", BW_EINVAL);
  bad_ref("docker://host.io/Upper/Case", BW_EINVAL);
  bad_ref("docker://host.io/a@sha256:xyz", BW_EINVAL);
  bad_ref("docker://host.io/a@md5:abcd", BW_EINVAL);

  select_platform(NULL, "sha256:1111111111111111111111111111111111111111111111111111111111111111", 0);
  select_platform("linux/arm64", "sha256:2222222222222222222222222222222222222222222222222222222222222222", 0);
  select_platform("linux/arm64/v8", "sha256:2222222222222222222222222222222222222222222222222222222222222222", 0);
  select_platform("linux/s390x", NULL, -BW_ENOTFOUND);
  return test_finish();
}
