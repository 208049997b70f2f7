/* What `bulwark serve` and `bulwark gc` share: settings (config file + options) and the stores of
 * a data directory. */
#ifndef BW_CLI_SERVE_COMMON_H
#define BW_CLI_SERVE_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "store/blob.h"
#include "store/meta.h"

typedef struct bw_serve_config {
  const char *listen, *data, *tls_cert, *tls_key, *url;
  unsigned threads;
  int64_t upload_expiry, max_uploads;
  unsigned max_connections;
  /* the scan service (src/service/) */
  unsigned scan_workers;      /* worker threads; default 1 */
  bool scan_workers_set;      /* scan_workers given (0 is a valid value: no worker) */
  const char *db_path;        /* advisory DB; NULL = <data>/db.sqlite */
  int64_t db_update_interval; /* seconds between checks of the advisory DB for re-evaluation (60) */
  char *owned[16]; /* strings read from a config file */
  int nowned;
} bw_serve_config;

/* Defaults: 127.0.0.1:5000, ./var/bulwark, thread per connection, 1 h expiry, limits.h caps. */
void bw_serve_config_init(bw_serve_config *c);
/* Sets one key from text (numbers checked); -1 when the key is unknown or the value bad. The
 * value must outlive c (or be one of c->owned). */
int bw_serve_config_set(bw_serve_config *c, const char *key, const char *value);
/* Reads "key: value" (or "key = value") lines; '#' starts a comment. */
int bw_serve_config_load(bw_serve_config *c, const char *path, bw_error *err);
/* Frees the strings read from a config file. */
void bw_serve_config_dispose(bw_serve_config *c);
/* Copies every field set in over (non-NULL / non-zero) into c. */
void bw_serve_config_merge(bw_serve_config *c, const bw_serve_config *over);

typedef struct bw_serve_stores {
  bw_meta *meta;
  bw_blobstore *blobs;
} bw_serve_stores;

/* Creates the data directory if needed and opens <data>/meta.db and the blob store on <data>. */
int bw_serve_open(bw_serve_stores *s, const char *data, bw_error *err);
void bw_serve_close(bw_serve_stores *s);

int bw_cmd_serve(int argc, char **argv);
int bw_cmd_gc(int argc, char **argv);

#endif
