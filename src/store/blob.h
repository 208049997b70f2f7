/* The blob store: content-addressed bytes (layers, configs) and the upload sessions that produce
 * them. One interface, drivers behind it: the filesystem today, S3 later.
 *
 * Filesystem layout under the root (the server's data directory):
 *   blobs/sha256/<first two hex>/<64 hex>   a complete blob, verified against its name
 *   uploads/<id>                            bytes of an upload in progress (append-only)
 * A blob is written to uploads/<id> while its sha256 is computed, verified against the digest the
 * client claims, fsynced, renamed into place and the directory fsynced: a blob is whole and correct
 * or absent. The digest used is always the one computed here, never one a client sent.
 *
 * Thread safety: one bw_blobstore serves every server thread. An upload session is used by one
 * request at a time: opening a writer on a session another request holds fails with -BW_ECONFLICT. */
#ifndef BW_STORE_BLOB_H
#define BW_STORE_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/sha256.h"

typedef struct bw_blobstore bw_blobstore;
typedef struct bw_blob_writer bw_blob_writer;

/* Opens the filesystem driver rooted at dir (created with blobs/ and uploads/ when missing).
 * Caller owns *out (bw_blob_close). */
int bw_blob_open_fs(bw_blobstore **out, const char *dir, bw_error *err);
void bw_blob_close(bw_blobstore *bs);

/* Size and modification time (seconds) of a stored blob; -BW_ENOTFOUND when absent; -BW_EINVAL
 * for a malformed digest. */
int bw_blob_stat(bw_blobstore *bs, const char *digest, int64_t *size, int64_t *mtime, bw_error *err);
/* Opens a stored blob for reading (for sendfile): *fd (caller closes) and *size. */
int bw_blob_open_read(bw_blobstore *bs, const char *digest, int *fd, int64_t *size, bw_error *err);
/* Removes a stored blob (-BW_ENOTFOUND when absent). */
int bw_blob_delete(bw_blobstore *bs, const char *digest, bw_error *err);
/* Calls fn for every stored blob (digest, size, mtime); stops and returns fn's nonzero result. */
typedef int (*bw_blob_visit)(void *ctx, const char *digest, int64_t size, int64_t mtime);
int bw_blob_list(bw_blobstore *bs, bw_blob_visit fn, void *ctx, bw_error *err);
/* Stores a whole blob from memory (tests, small documents), verifying expect when non-NULL;
 * out (may be NULL) receives the computed digest. */
int bw_blob_put(bw_blobstore *bs, const void *p, size_t n, const char *expect,
                char out[BW_DIGEST_STR_LEN + 1], bw_error *err);

/* ---- uploads ---- */
/* True when id is a valid session id for this store ([A-Za-z0-9_-]{1,63}). */
bool bw_blob_upload_id_valid(const char *id);
/* Opens the session's writer, creating the session when create is true (-BW_ECONFLICT if it
 * exists then). An existing session continues at its current size (the bytes on disk are the
 * truth: what a crashed server wrote is there and was part of what the client sent). The running
 * hash is kept in memory between requests; after a restart it is recomputed from the file.
 * -BW_ENOTFOUND when !create and the session has no file; -BW_ECONFLICT when another request
 * holds it. Caller ends it with bw_blob_writer_release or bw_blob_writer_commit. */
int bw_blob_writer_open(bw_blobstore *bs, const char *id, bool create, bw_blob_writer **out, bw_error *err);
int64_t bw_blob_writer_offset(const bw_blob_writer *w);
/* Appends n bytes (hashing them). On failure the session is left at a consistent size. */
int bw_blob_writer_write(bw_blob_writer *w, const void *p, size_t n, bw_error *err);
/* Releases the writer; the session stays for later requests. */
void bw_blob_writer_release(bw_blob_writer *w);
/* Finishes the session: computes the digest, compares it with expect (-BW_ECORRUPT "digest
 * mismatch" when it differs; the session's bytes are then discarded), fsyncs, renames into place.
 * Fills digest_out and *size. Frees w in every case. */
int bw_blob_writer_commit(bw_blob_writer *w, const char *expect, char digest_out[BW_DIGEST_STR_LEN + 1],
                          int64_t *size, bw_error *err);
/* Current size of a session's bytes; -BW_ENOTFOUND when it has none. */
int bw_blob_upload_size(bw_blobstore *bs, const char *id, int64_t *size, bw_error *err);
/* Discards a session's bytes (cancel, expiry). Ok when already gone. */
int bw_blob_upload_remove(bw_blobstore *bs, const char *id, bw_error *err);
/* Calls fn for every session that has bytes on disk (id); stops at fn's nonzero result. */
int bw_blob_upload_list(bw_blobstore *bs, int (*fn)(void *ctx, const char *id), void *ctx, bw_error *err);
/* Bytes stored under blobs/ (walks the tree). */
int bw_blob_usage(bw_blobstore *bs, int64_t *bytes, bw_error *err);

#endif
