/* Shared by the scan service's files only. */
#ifndef BW_SERVICE_INTERNAL_H
#define BW_SERVICE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "image/image.h"
#include "service/service.h"

/* Counters since the process started, for /metrics (bw_service_metrics). */
#define SVC_DURATION_BUCKETS 9
typedef struct svc_metrics {
  atomic_ullong enqueued, have_result, have_job; /* enqueue requests by outcome */
  atomic_ullong analyses, failures, retries;     /* jobs run: done, failed for good, retried */
  atomic_ullong layers_read, layers_cached;      /* layers of analysed images: read, from the cache */
  atomic_ullong duration_ms_sum;
  atomic_ullong duration_buckets[SVC_DURATION_BUCKETS + 1]; /* cumulative at export; +Inf last */
  atomic_ullong reeval_runs, reeval_results, reeval_gained, reeval_failed;
} svc_metrics;

struct bw_service {
  bw_meta *meta;
  bw_blobstore *blobs;
  bw_auth *auth;
  char data_dir[4096], db_path[4200], cache_dir[4200];
  unsigned workers, max_attempts;
  int64_t db_check_interval, retry_base;
  pthread_mutex_t mu; /* guards stop and the condition */
  pthread_cond_t cond;
  bool stop, started;
  pthread_t *threads;
  size_t nthreads;
  pthread_mutex_t reeval_mu; /* one re-evaluation at a time */
  pthread_mutex_t malware_mu;
  bool malware_ready;
  svc_metrics m;
};

/* The registry-store image source (source_store.c). config non-NULL: re-evaluation mode (that
 * config, no blob read). Caller frees *out with bw_image_free. */
int svc_image_open(bw_image **out, bw_meta *meta, const char *data_dir, const char *repo, const char *digest,
                   const char *config, size_t config_len, bw_error *err);
/* The config bytes the source fetched or was given; -1 when none. */
int svc_image_config(const bw_image *img, const char **config, size_t *len);

/* One analysis: the report (JSON text, malloc'd), its parsed document (new ref) and the config
 * bytes (malloc'd) of repo@digest. config non-NULL: re-evaluation (no blob read). */
typedef struct svc_report {
  char *json;
  size_t len;
  json_t *doc;
  char *config;
  size_t config_len;
  char db_updated_at[64];
  char *sbom; /* CycloneDX JSON (malloc'd; NULL in re-evaluation) */
  size_t sbom_len;
  size_t layers_read, layers_cached; /* how the inventory got its layer records */
} svc_report;
int svc_analyze(bw_service *s, const char *repo, const char *digest, unsigned scanners, const char *config,
                size_t config_len, svc_report *out, bw_error *err);
void svc_report_dispose(svc_report *r);
/* Stores the report as the result of digest. */
int svc_store_result(bw_service *s, const char *repo, const char *digest, unsigned scanners, const svc_report *r,
                     bw_error *err);
/* The stored report of digest, parsed (new ref). */
int svc_load_report(bw_service *s, const char *digest, bw_svc_result *res, json_t **doc, bw_error *err);

void svc_wake(bw_service *s);

/* Attaches the SBOM and the report to repo@digest as OCI referrer artifacts (manifests with a
 * subject, stored in the registry like a pushed artifact). */
int svc_attach_referrers(bw_service *s, const char *repo, const char *digest, const svc_report *r, bw_error *err);

#endif
