/* The scan service (issue 8): joins the registry and the scan engine. Scan rules decide which
 * pushed or stored images are scanned; jobs (a durable queue in the metadata store,
 * store/service_meta.h) are claimed by a pool of worker threads that read the image from the
 * registry's own stores, run the engine (inventory with the shared layer-record cache, matching,
 * baseline, malware) and keep the report by manifest digest. An event-follower thread turns
 * artifact.pushed events into jobs, so a push never waits for a scan. After an advisory DB update
 * every stored result is re-evaluated from the layer-record cache and the stored config, reading no
 * blob; images that gained vulnerabilities get a scan.new_vulnerabilities event.
 * Details: docs/internals/service.md. */
#ifndef BW_SERVICE_SERVICE_H
#define BW_SERVICE_SERVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/buf.h"
#include "base/error.h"
#include "store/blob.h"
#include "store/meta.h"
#include "store/service_meta.h"

typedef struct bw_service_opts {
  const char *data_dir;     /* the server's data directory (blobs under it) */
  const char *db_path;      /* advisory DB; NULL = <data>/db.sqlite */
  const char *cache_dir;    /* layer-record cache; NULL = <data>/cache */
  unsigned workers;         /* scan worker threads (0 = none: the queue only fills) */
  int64_t db_check_interval; /* seconds between checks of the advisory DB's updated_at (0 = 60) */
  unsigned max_attempts;    /* attempts of a job failing transiently (0 = 3) */
  int64_t retry_base;       /* backoff: retry_base * 2^(attempt-1) seconds (0 = 5) */
} bw_service_opts;

typedef struct bw_service bw_service;

/* Creates the service over the stores (which must outlive it). auth may be NULL (CLI use: no REST). */
int bw_service_new(bw_service **out, bw_meta *meta, bw_blobstore *blobs, bw_auth *auth, const bw_service_opts *opts,
                   bw_error *err);
/* Puts jobs found running back in the queue, starts the workers, the event follower and the DB
 * watcher. */
int bw_service_start(bw_service *s, bw_error *err);
/* Stops and joins every thread (a running scan finishes first). */
void bw_service_stop(bw_service *s);
void bw_service_free(bw_service *s);

/* The engine version that, with the digest and scanner set, names a job ("0.1.0"). */
const char *bw_service_engine(void);

/* "vuln,baseline,malware" -> BW_SCANNER_* (0 on a bad word); and back ("vuln,baseline"). */
unsigned bw_service_scanners_parse(const char *list);
void bw_service_scanners_str(unsigned mask, char *out, size_t cap);
/* True when s matches the shell glob (*, ?, [..]) list "a*,b" ("" matches everything). */
bool bw_service_globs_match(const char *globs, const char *s);
/* NULL when re is a valid POSIX extended regex for a rule's tag filter, else why not (static text). */
const char *bw_service_regex_check(const char *re);
/* Whether tag passes r's tag filter: a tag glob (when any) and the regex matching the whole tag (when
 * set). A rule without either passes every tag. */
bool bw_service_tag_matches(const bw_svc_rule *r, const char *tag);
/* Whether rule r covers repo/tag (tag "" = a push by digest: only rules without a tag filter). */
bool bw_service_rule_covers(const bw_svc_rule *r, const char *repo, const char *tag);

/* Enqueues the image manifests named by repo@digest (an index: each of its platform manifests
 * stored in repo), unless a current result exists and !force. *queued (may be NULL) += jobs made. */
int bw_service_enqueue(bw_service *s, const char *repo, const char *tag, const char *digest, unsigned scanners,
                       bool force, size_t *queued, bw_error *err);
/* "Scan now" on a rule: every stored image in its scope. *queued = jobs made, *skipped = digests
 * with a current result. */
int bw_service_scan_rule(bw_service *s, const bw_svc_rule *r, bool force, size_t *queued, size_t *skipped,
                         bw_error *err);
/* Runs one claimed job to its end (used by the workers; tests call it directly). 0 when a job ran,
 * -BW_ENOTFOUND when the queue had none ready. */
int bw_service_run_one(bw_service *s, bw_error *err);

/* Re-evaluates every stored result against the current advisory DB, reading no blob. Fills
 * counts (may be NULL): results re-evaluated, results that gained vulnerabilities, failures. */
typedef struct bw_service_reeval_stats {
  size_t evaluated, gained, failed;
} bw_service_reeval_stats;
int bw_service_reevaluate(bw_service *s, bw_service_reeval_stats *st, bw_error *err);

/* Appends the scan metrics (Prometheus text: jobs by state, enqueue outcomes, analyses, layer
 * cache use, scan durations, re-evaluations) to out; a bw_registry_metrics_fn (ctx = the service). */
void bw_service_metrics(void *ctx, bw_buf *out);

/* The REST handler (bw_registry_api_fn; ctx = the service). */
int bw_service_api(void *ctx, const bw_principal *p, const char *method, const char *path, const char *query,
                   const char *body, size_t body_len, int *status, char **json, bw_error *err);

/* The before/after view of two reports (bulwark.report/v1): per tab (vulnerabilities, baseline,
 * malware) {fixed, new, unchanged}, findings keyed by (id or rule, package or path). New ref. */
json_t *bw_service_compare(const json_t *from, const json_t *to);

/* The embedded OpenAPI 3 document (docs/api/openapi.json). */
extern const char bw_service_openapi_json[];

#endif
