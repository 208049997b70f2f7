/* The registry's part of the metadata store (store/meta.h): repositories, blob links, manifests,
 * tags, manifest references, upload sessions and push/delete events. Functions only: callers never
 * see SQL (a PostgreSQL driver implements the same functions later).
 *
 * Model:
 *   repository  "team/sub/app"; namespace = first path component ("team")
 *   blob link   a blob (digest, size) visible in one repository: pushed or mounted there. The bytes
 *               live in the blob store (store/blob.h); a blob with no link and no manifest reference
 *               is garbage (bw_reg_gc_*).
 *   manifest    (repository, digest) -> media type, artifactType, subject, size, the exact bytes
 *               (kept here, capped at BW_LIMIT_MANIFEST_BYTES), and its references: the blobs
 *               (config, layers) and manifests (index entries) it names.
 *   tag         (repository, name) -> manifest
 *   upload      an upload session (id, repository, offset, started, last activity); survives restarts
 *   event       artifact.pushed / artifact.deleted with a monotonic id (bw_reg_events_since)
 *
 * Every function is atomic; the ones that change several rows run in their own transaction unless
 * the caller already holds one (bw_meta_begin). Errors: -BW_ENOTFOUND for a missing row, -BW_EIO
 * for store failures, -BW_ECONFLICT for constraint violations. */
#ifndef BW_STORE_REGISTRY_META_H
#define BW_STORE_REGISTRY_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/sha256.h"
#include "store/meta.h"

#define BW_REG_NAME_MAX 256 /* repository name incl. NUL (the spec: name + host <= 255) */
#define BW_REG_TAG_MAX 129  /* [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127} + NUL */
#define BW_REG_TYPE_MAX 256 /* a media type or artifactType incl. NUL */
#define BW_REG_ID_MAX 64    /* an upload session id incl. NUL */
#define BW_REG_EVENT_DATA_MAX 2048 /* an event's data JSON incl. NUL */

typedef struct bw_reg_manifest {
  int64_t id;
  char repo[BW_REG_NAME_MAX];
  char digest[BW_DIGEST_STR_LEN + 1];
  char media_type[BW_REG_TYPE_MAX];
  char artifact_type[BW_REG_TYPE_MAX]; /* "" when none (for the referrers API: artifactType, else config.mediaType) */
  char subject[BW_DIGEST_STR_LEN + 1]; /* "" when the manifest has no subject */
  int64_t size;
  int64_t pushed_at;
} bw_reg_manifest;

/* What a manifest references (written with it, read by gc and by the checks). */
typedef enum bw_reg_ref_kind { BW_REG_REF_BLOB = 0, BW_REG_REF_MANIFEST = 1 } bw_reg_ref_kind;
typedef struct bw_reg_ref {
  char digest[BW_DIGEST_STR_LEN + 1];
  bw_reg_ref_kind kind;
} bw_reg_ref;

typedef struct bw_reg_upload {
  char id[BW_REG_ID_MAX];
  char repo[BW_REG_NAME_MAX];
  int64_t offset;
  int64_t started_at;
  int64_t last_at;
} bw_reg_upload;

typedef struct bw_reg_event {
  int64_t id;
  char type[32]; /* "artifact.pushed" | "artifact.deleted" */
  char repo[BW_REG_NAME_MAX];
  char namespace_[BW_REG_NAME_MAX];
  char tag[BW_REG_TAG_MAX]; /* "" when by digest */
  char digest[BW_DIGEST_STR_LEN + 1];
  char media_type[BW_REG_TYPE_MAX];
  char actor[128];
  int64_t at;
  char data[BW_REG_EVENT_DATA_MAX]; /* JSON object, "" when the event has none (artifact.* events) */
} bw_reg_event;

/* A list of strings (repository names, tags, digests). Caller disposes with bw_reg_strlist_dispose. */
typedef struct bw_reg_strlist {
  char **items;
  size_t len;
} bw_reg_strlist;
void bw_reg_strlist_dispose(bw_reg_strlist *l);

/* ---- repositories ---- */
/* The id of repository `name`, creating it (namespace = first component) when create is true.
 * -BW_ENOTFOUND when it does not exist and create is false. */
int bw_reg_repo_id(bw_meta *m, const char *name, bool create, int64_t *id, bw_error *err);
/* Repository names in lexical order after `last` ("" or NULL: from the start), at most n
 * (0: no limit); ns non-NULL restricts to one namespace. Fills *out. */
int bw_reg_repo_list(bw_meta *m, const char *ns, const char *last, size_t n, bw_reg_strlist *out, bw_error *err);

/* ---- blob links ---- */
/* Records that blob digest (size bytes, already in the blob store) is visible in repo (created if
 * needed). Idempotent. */
int bw_reg_blob_link(bw_meta *m, const char *repo, const char *digest, int64_t size, bw_error *err);
/* 0 and *size when the blob is linked into repo; -BW_ENOTFOUND otherwise. */
int bw_reg_blob_linked(bw_meta *m, const char *repo, const char *digest, int64_t *size, bw_error *err);
/* Removes the link (-BW_ENOTFOUND when there was none). The bytes stay until gc. */
int bw_reg_blob_unlink(bw_meta *m, const char *repo, const char *digest, bw_error *err);

/* ---- manifests and tags ---- */
/* Stores a manifest (mf->repo, digest, media_type, artifact_type, subject, size) with its exact
 * bytes and references, points `tag` at it when tag is non-NULL/non-empty, and records an artifact.pushed event by actor. One transaction. Re-pushing the
 * same digest replaces the row's metadata (the bytes are the same by definition). */
int bw_reg_manifest_put(bw_meta *m, const bw_reg_manifest *mf, const void *bytes, size_t len, const bw_reg_ref *refs,
                        size_t nrefs, const char *tag, const char *actor, bw_error *err);
/* Looks up a manifest of repo by tag or digest (ref starting with "sha256:"). Fills *out; when
 * bytes is non-NULL also the content (*bytes malloc'd, caller frees; *len its length).
 * -BW_ENOTFOUND when the repository, tag or digest is unknown. */
int bw_reg_manifest_get(bw_meta *m, const char *repo, const char *ref, bw_reg_manifest *out, char **bytes,
                        size_t *len, bw_error *err);
/* True when a manifest with this digest exists in repo (used for index entries). */
bool bw_reg_manifest_exists(bw_meta *m, const char *repo, const char *digest);
/* Deletes the manifest of repo with this digest and every tag pointing at it; one
 * artifact.deleted event by actor. -BW_ENOTFOUND when unknown. */
int bw_reg_manifest_delete(bw_meta *m, const char *repo, const char *digest, const char *actor, bw_error *err);
/* Deletes tag (the manifest stays); one artifact.deleted event. -BW_ENOTFOUND when unknown. */
int bw_reg_tag_delete(bw_meta *m, const char *repo, const char *tag, const char *actor, bw_error *err);
/* Tags of repo in lexical order after `last`, at most n (0: no limit). -BW_ENOTFOUND when the
 * repository does not exist. */
int bw_reg_tag_list(bw_meta *m, const char *repo, const char *last, size_t n, bw_reg_strlist *out, bw_error *err);
/* Every manifest of repo (tagged or not), oldest first; *out malloc'd array of *n (caller frees). */
int bw_reg_manifest_list(bw_meta *m, const char *repo, bw_reg_manifest **out, size_t *n, bw_error *err);
/* Manifests of repo whose subject is `subject`, filtered by artifact_type when non-NULL/non-empty.
 * *out malloc'd array of *n (caller frees). */
int bw_reg_referrers(bw_meta *m, const char *repo, const char *subject, const char *artifact_type,
                     bw_reg_manifest **out, size_t *n, bw_error *err);

/* ---- upload sessions ---- */
int bw_reg_upload_create(bw_meta *m, const char *id, const char *repo, bw_error *err);
/* -BW_ENOTFOUND when unknown. */
int bw_reg_upload_get(bw_meta *m, const char *id, bw_reg_upload *out, bw_error *err);
/* Records progress (offset) and activity now. */
int bw_reg_upload_touch(bw_meta *m, const char *id, int64_t offset, bw_error *err);
/* -BW_ENOTFOUND when there was no such session (so a caller counting sessions counts once). */
int bw_reg_upload_delete(bw_meta *m, const char *id, bw_error *err);
int bw_reg_upload_count(bw_meta *m, int64_t *n, bw_error *err);
/* Ids of sessions with no activity since `before` (seconds since the epoch). */
int bw_reg_upload_expired(bw_meta *m, int64_t before, bw_reg_strlist *out, bw_error *err);

/* ---- events ---- */
/* Appends an event (type, repo, tag, digest, media type, actor; time now). *id may be NULL. */
int bw_reg_event_add(bw_meta *m, const char *type, const char *repo, const char *tag, const char *digest,
                     const char *media_type, const char *actor, int64_t *id, bw_error *err);
/* The same with a data JSON object (NULL: none; at most BW_REG_EVENT_DATA_MAX - 1 bytes, else
 * -BW_ELIMIT): the scan service records scan.completed / scan.failed / scan.new_vulnerabilities so. */
int bw_reg_event_add_data(bw_meta *m, const char *type, const char *repo, const char *tag, const char *digest,
                          const char *media_type, const char *actor, const char *data, int64_t *id, bw_error *err);
/* Events with id > since in id order, at most max (0: 1000). *out malloc'd array of *n (caller frees). */
int bw_reg_events_since(bw_meta *m, int64_t since, size_t max, bw_reg_event **out, size_t *n, bw_error *err);

/* ---- garbage collection and accounting ---- */
/* Every blob digest that is linked into a repository or referenced by a manifest (distinct, sorted). */
int bw_reg_gc_live_blobs(bw_meta *m, bw_reg_strlist *out, bw_error *err);
/* Manifests gc may remove: untagged, not named by another manifest of the same repository (index
 * entry), not the subject of another manifest, and not a referrer whose subject still exists (a
 * signature or SBOM lives as long as its image). One pass; removing them may expose more (gc loops).
 * *out malloc'd array of *n (caller frees). */
int bw_reg_gc_dangling_manifests(bw_meta *m, bw_reg_manifest **out, size_t *n, bw_error *err);
/* Removes blob links older than `before` (seconds since the epoch) that no manifest of their
 * repository references (layers of deleted manifests, abandoned pushes); appends "repo@digest" of
 * each to *out (initialised by the caller, may hold items already). */
int bw_reg_gc_prune_links(bw_meta *m, int64_t before, bw_reg_strlist *out, bw_error *err);
/* Deletes manifest rows by id without events (gc). */
int bw_reg_gc_delete_manifest(bw_meta *m, int64_t id, bw_error *err);

/* Bytes of distinct linked blobs plus manifests (storage used, for /metrics). */
int bw_reg_storage_bytes(bw_meta *m, int64_t *bytes, bw_error *err);

#endif
