/* The scan service's part of the metadata store (store/meta.h): scan rules, the durable job queue
 * and scan results by manifest digest. Functions only: callers never see SQL.
 *
 * Model:
 *   rule    scope (namespace, repository globs, tag globs), scanners (BW_SCANNER_* mask), triggers
 *           (on_push: artifact.pushed events enqueue jobs; manual: "scan now" over stored images)
 *   job     one analysis of a manifest digest with a scanner set by an engine version:
 *           UNIQUE(digest, scanners, engine), so two tags of one digest are one job and a digest is
 *           analysed once, ever, unless the engine version (or the scanner set) changes.
 *           States queued -> running -> done | failed, or canceled; a failed attempt that may be
 *           transient goes back to queued with not_before in the future (backoff). A job found
 *           running when the service starts (the server died mid-scan) goes back to queued.
 *   result  the last report of a manifest digest (bulwark.report/v1 JSON, zstd-compressed or plain),
 *           its summary JSON, the scanners, engine version and advisory DB time it was made with,
 *           and the image config bytes so that re-evaluation reads no blob.
 * Errors: -BW_ENOTFOUND for a missing row, -BW_EIO for store failures. */
#ifndef BW_STORE_SERVICE_META_H
#define BW_STORE_SERVICE_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/sha256.h"
#include "store/meta.h"
#include "store/registry_meta.h"

#define BW_SVC_GLOBS_MAX 1024 /* comma-separated globs incl. NUL */
#define BW_SVC_ENGINE_MAX 32
#define BW_SVC_ERROR_MAX 512
#define BW_SVC_REGEX_MAX 256 /* a rule's tag regex incl. NUL */

typedef struct bw_svc_rule {
  int64_t id;
  char namespace_[BW_REG_NAME_MAX];
  char repositories[BW_SVC_GLOBS_MAX]; /* comma-separated globs of full names ("team/app*"); "" = all */
  char tags[BW_SVC_GLOBS_MAX];         /* comma-separated tag globs; "" = every tag */
  char tag_regex[BW_SVC_REGEX_MAX];    /* POSIX extended regex a tag must match whole; "" = none */
  unsigned scanners;                   /* BW_SCANNER_* */
  bool on_push, manual;
  char created_by[128];
  int64_t created_at;
} bw_svc_rule;

int bw_svc_rule_add(bw_meta *m, bw_svc_rule *r, bw_error *err); /* fills r->id, r->created_at */
int bw_svc_rule_get(bw_meta *m, int64_t id, bw_svc_rule *out, bw_error *err);
int bw_svc_rule_delete(bw_meta *m, int64_t id, bw_error *err);
/* Rules of ns (NULL: all), by id. *out malloc'd (caller frees). */
int bw_svc_rule_list(bw_meta *m, const char *ns, bw_svc_rule **out, size_t *n, bw_error *err);

typedef enum bw_svc_job_state {
  BW_JOB_QUEUED = 0,
  BW_JOB_RUNNING,
  BW_JOB_DONE,
  BW_JOB_FAILED,
  BW_JOB_CANCELED,
} bw_svc_job_state;
const char *bw_svc_job_state_name(bw_svc_job_state s);
int bw_svc_job_state_parse(const char *s); /* -1 when unknown */

typedef struct bw_svc_job {
  int64_t id;
  char digest[BW_DIGEST_STR_LEN + 1];
  char repo[BW_REG_NAME_MAX]; /* where the manifest was seen first (read from there) */
  char tag[BW_REG_TAG_MAX];
  unsigned scanners;
  char engine[BW_SVC_ENGINE_MAX];
  bw_svc_job_state state;
  char error[BW_SVC_ERROR_MAX];
  int attempts;
  int64_t created_at, started_at, finished_at, not_before;
} bw_svc_job;

/* Enqueues (digest, scanners, engine) read from repo/tag. When such a job exists nothing changes
 * (*created false) unless force is true and it is finished (done/failed/canceled): then it is
 * queued again. *id (may be NULL) receives the job's id either way. */
int bw_svc_job_enqueue(bw_meta *m, const char *digest, const char *repo, const char *tag, unsigned scanners,
                       const char *engine, bool force, int64_t *id, bool *created, bw_error *err);
/* Claims the oldest queued job whose not_before has passed: running, attempts+1, started_at now.
 * -BW_ENOTFOUND when there is none. */
int bw_svc_job_claim(bw_meta *m, bw_svc_job *out, bw_error *err);
/* Ends a running job: done (error NULL), failed (error), or back to queued at retry_at when
 * retry_at > 0 (a transient failure; the error is kept for the record). */
int bw_svc_job_finish(bw_meta *m, int64_t id, const char *error, int64_t retry_at, bw_error *err);
/* Queued -> canceled; -BW_ENOTFOUND when no such queued job. */
int bw_svc_job_cancel(bw_meta *m, int64_t id, bw_error *err);
/* Every running job back to queued (service start); *n (may be NULL) how many. */
int bw_svc_job_requeue_running(bw_meta *m, int64_t *n, bw_error *err);
/* Jobs filtered by digest and/or state (NULL/-1: any), newest first, at most max (0: 1000). */
int bw_svc_job_list(bw_meta *m, const char *digest, int state, size_t max, bw_svc_job **out, size_t *n,
                    bw_error *err);
int bw_svc_job_get(bw_meta *m, int64_t id, bw_svc_job *out, bw_error *err);
/* Jobs per state (counts[BW_JOB_CANCELED + 1]). */
int bw_svc_job_counts(bw_meta *m, int64_t counts[5], bw_error *err);

typedef struct bw_svc_result {
  char digest[BW_DIGEST_STR_LEN + 1];
  char repo[BW_REG_NAME_MAX];
  unsigned scanners;
  char engine[BW_SVC_ENGINE_MAX];
  char db_updated_at[64];
  char summary[1024]; /* the report's summary object as JSON */
  int64_t created_at, updated_at;
} bw_svc_result;

/* Stores (replacing) the result of r->digest: report bytes (compressed says zstd), config bytes. */
int bw_svc_result_put(bw_meta *m, const bw_svc_result *r, const void *report, size_t report_len, bool compressed,
                      const void *config, size_t config_len, bw_error *err);
/* Fills *out; when report is non-NULL also the stored report bytes (malloc'd) and *compressed;
 * when config is non-NULL the config bytes (malloc'd). -BW_ENOTFOUND when no result. */
int bw_svc_result_get(bw_meta *m, const char *digest, bw_svc_result *out, char **report, size_t *report_len,
                      bool *compressed, char **config, size_t *config_len, bw_error *err);
/* Digests of every stored result (sorted). */
int bw_svc_result_digests(bw_meta *m, bw_reg_strlist *out, bw_error *err);
/* Repositories holding a manifest with this digest (sorted). */
int bw_svc_digest_repos(bw_meta *m, const char *digest, bw_reg_strlist *out, bw_error *err);

/* Small persistent values of the service ("event_cursor", "db_updated_at"). get: -BW_ENOTFOUND
 * when unset. */
int bw_svc_state_get(bw_meta *m, const char *key, char *out, size_t cap, bw_error *err);
int bw_svc_state_set(bw_meta *m, const char *key, const char *value, bw_error *err);

#endif
