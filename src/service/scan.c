/* One analysis of a stored image: the same engine passes as `bulwark scan`, over the registry's
 * stores, and the report kept by manifest digest (zstd-compressed JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "analyze/analyzer.h"
#include "analyze/inventory.h"
#include "base/json.h"
#include "base/limits.h"
#include "baseline/baseline.h"
#include "malware/malware.h"
#include "match/match.h"
#include "report/result.h"
#include "store/registry_meta.h"
#include "service/service_internal.h"
#include "vuln/vulndb.h"

void svc_report_dispose(svc_report *r) {
  free(r->json);
  free(r->sbom);
  free(r->config);
  json_decref(r->doc);
  memset(r, 0, sizeof *r);
}

static int ensure_malware(bw_service *s, bw_error *err) {
  pthread_mutex_lock(&s->malware_mu);
  int rc = 0;
  if (!s->malware_ready) {
    bw_malware_opts mo = {.cache_dir = s->cache_dir};
    rc = bw_malware_configure(&mo, err);
    if (!rc) s->malware_ready = true;
  }
  pthread_mutex_unlock(&s->malware_mu);
  return rc;
}

int svc_analyze(bw_service *s, const char *repo, const char *digest, unsigned scanners, const char *config,
                size_t config_len, svc_report *out, bw_error *err) {
  memset(out, 0, sizeof *out);
  if ((scanners & BW_SCANNER_MALWARE) && ensure_malware(s, err) < 0) return -err->code;
  bw_vulndb *db = NULL;
  bw_vulndb_info info = {0};
  if (access(s->db_path, R_OK) == 0) {
    if (bw_vulndb_open(&db, s->db_path, false, err) < 0 || bw_vulndb_info_get(db, &info, err) < 0) {
      bw_vulndb_close(db);
      bw_error_wrap(err, "advisory DB %s", s->db_path);
      return -BW_EIO;
    }
  }
  bw_image *img = NULL;
  int rc = svc_image_open(&img, s->meta, s->data_dir, repo, digest, config, config_len, err);
  if (rc < 0) {
    bw_vulndb_close(db);
    return rc;
  }
  bw_inventory_opts vo = {.cache_dir = s->cache_dir, .threads = 1, .progress = false, .scanners = scanners};
  bw_scan_result res;
  memset(&res, 0, sizeof res);
  bool have_res = false;
  if ((rc = bw_inventory_run(&res, img, &vo, err)) < 0) goto out;
  have_res = true;
  out->layers_read = res.layers_read;
  out->layers_cached = res.layers_cached;
  res.db_updated_at = info.updated_at[0] ? bw_arena_strdup(res.arena, info.updated_at) : NULL;
  res.db_sources = info.sources[0] ? bw_arena_strdup(res.arena, info.sources) : NULL;
  bw_match_opts mo = {0};
  if ((scanners & BW_SCANNER_VULN) && db && (rc = bw_match_run(&res, db, &mo, err)) < 0) goto out;
  if ((scanners & BW_SCANNER_BASELINE) && (rc = bw_baseline_run(&res, NULL, err)) < 0) goto out;
  if ((scanners & BW_SCANNER_MALWARE) && (rc = bw_malware_packages(&res, db, err)) < 0) goto out;
  FILE *f = open_memstream(&out->json, &out->len);
  if (!f) {
    rc = bw_error_sys(err, BW_ENOMEM, "memory stream");
    goto out;
  }
  rc = bw_report_write_json(f, &res, err);
  if (fclose(f) != 0 && rc == 0) rc = bw_error_set(err, BW_ENOMEM, "report stream");
  if (rc < 0) goto out;
  if ((rc = bw_json_parse(&out->doc, out->json, out->len, BW_LIMIT_SERVICE_REPORT_BYTES, "report", err)) < 0) goto out;
  if (!config) {
    FILE *sf = open_memstream(&out->sbom, &out->sbom_len);
    if (!sf) {
      rc = bw_error_sys(err, BW_ENOMEM, "memory stream");
      goto out;
    }
    rc = bw_report_write_cyclonedx(sf, &res, err);
    if (fclose(sf) != 0 && rc == 0) rc = bw_error_set(err, BW_ENOMEM, "sbom stream");
    if (rc < 0) goto out;
  }
  const char *cfg = NULL;
  size_t cl = 0;
  if (svc_image_config(img, &cfg, &cl) == 0) {
    if (!(out->config = malloc(cl + 1))) {
      rc = bw_error_set(err, BW_ENOMEM, "out of memory");
      goto out;
    }
    memcpy(out->config, cfg, cl);
    out->config_len = cl;
  }
  snprintf(out->db_updated_at, sizeof out->db_updated_at, "%s", info.updated_at);
out:
  if (have_res) bw_scan_result_dispose(&res);
  bw_image_free(img);
  bw_vulndb_close(db);
  if (rc < 0) svc_report_dispose(out);
  return rc;
}

int svc_store_result(bw_service *s, const char *repo, const char *digest, unsigned scanners, const svc_report *r,
                     bw_error *err) {
  bw_svc_result res;
  memset(&res, 0, sizeof res);
  snprintf(res.digest, sizeof res.digest, "%s", digest);
  snprintf(res.repo, sizeof res.repo, "%s", repo);
  res.scanners = scanners;
  snprintf(res.engine, sizeof res.engine, "%s", bw_service_engine());
  snprintf(res.db_updated_at, sizeof res.db_updated_at, "%s", r->db_updated_at);
  char *sum = json_dumps(json_object_get(r->doc, "summary"), JSON_COMPACT | JSON_PRESERVE_ORDER);
  snprintf(res.summary, sizeof res.summary, "%s", sum ? sum : "{}");
  free(sum);
  size_t cap = ZSTD_compressBound(r->len);
  void *z = malloc(cap);
  if (!z) return bw_error_set(err, BW_ENOMEM, "out of memory");
  size_t zn = ZSTD_compress(z, cap, r->json, r->len, 3);
  bool compressed = !ZSTD_isError(zn) && zn < r->len;
  int rc = bw_svc_result_put(s->meta, &res, compressed ? z : r->json, compressed ? zn : r->len, compressed, r->config,
                             r->config_len, err);
  free(z);
  return rc;
}

int svc_load_report(bw_service *s, const char *digest, bw_svc_result *res, json_t **doc, bw_error *err) {
  char *bytes = NULL;
  size_t len = 0;
  bool compressed = false;
  *doc = NULL;
  int rc = bw_svc_result_get(s->meta, digest, res, &bytes, &len, &compressed, NULL, NULL, err);
  if (rc < 0) return rc;
  char *plain = bytes;
  size_t plen = len;
  if (compressed) {
    unsigned long long n = ZSTD_getFrameContentSize(bytes, len);
    if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN || n > BW_LIMIT_SERVICE_REPORT_BYTES) {
      free(bytes);
      return BW_CORRUPT(err, "stored report of %s is damaged", digest);
    }
    if (!(plain = malloc((size_t)n + 1))) {
      free(bytes);
      return bw_error_set(err, BW_ENOMEM, "out of memory");
    }
    size_t got = ZSTD_decompress(plain, (size_t)n, bytes, len);
    free(bytes);
    if (ZSTD_isError(got) || got != n) {
      free(plain);
      return BW_CORRUPT(err, "stored report of %s is damaged", digest);
    }
    plen = got;
  }
  rc = bw_json_parse(doc, plain, plen, BW_LIMIT_SERVICE_REPORT_BYTES, "stored report", err);
  free(plain);
  return rc;
}

/* One referrer: blob (the document) + the empty config, linked into repo, and a manifest whose
 * subject is the scanned image. */
static int attach_one(bw_service *s, const char *repo, const bw_reg_manifest *subject, const char *type,
                      const void *doc, size_t len, bw_error *err) {
  static const char empty[] = "{}";
  char ddig[BW_DIGEST_STR_LEN + 1], edig[BW_DIGEST_STR_LEN + 1];
  int rc = bw_blob_put(s->blobs, doc, len, NULL, ddig, err);
  if (!rc) rc = bw_blob_put(s->blobs, empty, 2, NULL, edig, err);
  if (!rc) rc = bw_reg_blob_link(s->meta, repo, ddig, (int64_t)len, err);
  if (!rc) rc = bw_reg_blob_link(s->meta, repo, edig, 2, err);
  if (rc) return rc;
  json_t *m = json_pack("{s:i, s:s, s:s, s:{s:s, s:s, s:i}, s:[{s:s, s:s, s:I}], s:{s:s, s:s, s:I}}", "schemaVersion", 2,
                        "mediaType", "application/vnd.oci.image.manifest.v1+json", "artifactType", type, "config",
                        "mediaType", "application/vnd.oci.empty.v1+json", "digest", edig, "size", 2, "layers",
                        "mediaType", type, "digest", ddig, "size", (json_int_t)len, "subject", "mediaType",
                        subject->media_type, "digest", subject->digest, "size", (json_int_t)subject->size);
  char *bytes = m ? json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(m);
  if (!bytes) return bw_error_set(err, BW_ENOMEM, "out of memory");
  bw_reg_manifest mf;
  memset(&mf, 0, sizeof mf);
  snprintf(mf.repo, sizeof mf.repo, "%s", repo);
  bw_sha256_buf_str(bytes, strlen(bytes), mf.digest);
  snprintf(mf.media_type, sizeof mf.media_type, "application/vnd.oci.image.manifest.v1+json");
  snprintf(mf.artifact_type, sizeof mf.artifact_type, "%s", type);
  snprintf(mf.subject, sizeof mf.subject, "%s", subject->digest);
  mf.size = (int64_t)strlen(bytes);
  bw_reg_ref refs[2];
  memset(refs, 0, sizeof refs);
  snprintf(refs[0].digest, sizeof refs[0].digest, "%s", edig);
  snprintf(refs[1].digest, sizeof refs[1].digest, "%s", ddig);
  rc = bw_reg_manifest_put(s->meta, &mf, bytes, strlen(bytes), refs, 2, NULL, "bulwark-scanner", err);
  free(bytes);
  return rc;
}

int svc_attach_referrers(bw_service *s, const char *repo, const char *digest, const svc_report *r, bw_error *err) {
  if (!s->blobs || !r->sbom) return 0;
  bw_reg_manifest subject;
  int rc = bw_reg_manifest_get(s->meta, repo, digest, &subject, NULL, NULL, err);
  if (!rc) rc = attach_one(s, repo, &subject, "application/vnd.cyclonedx+json", r->sbom, r->sbom_len, err);
  if (!rc) rc = attach_one(s, repo, &subject, "application/vnd.bulwark.report.v1+json", r->json, r->len, err);
  return rc;
}
