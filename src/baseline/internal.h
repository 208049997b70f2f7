/* Shared plumbing of the baseline check families (not a public API): the check catalogue entry,
 * the finding sink, a read-only view of the captured files, and line helpers.
 *
 * Every family is a pure function over bytes (or over the image config) writing to a sink, so the
 * unit tests and the fuzz targets drive it without an image. */
#ifndef BW_BASELINE_INTERNAL_H
#define BW_BASELINE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"
#include "base/vec.h"
#include "baseline/baseline.h"

/* One check of the catalogue (docs/internals/baseline.md lists them all). */
typedef struct bl_check {
  const char *id;       /* stable: BW-IMG-001, BW-ACC-002, ... */
  const char *category; /* DESIGN.md §6: image_config, account, password, permission, service, access_control */
  int severity;         /* bw_severity, the default (a check may raise or lower it with evidence) */
  const char *title;
  const char *remediation;
} bl_check;

/* Where findings go. Strings are copied into arena. warnings: char * (arena) or NULL. */
typedef struct bl_sink {
  bw_arena *arena;
  bw_vec *findings; /* bw_baseline_finding */
  bw_vec *warnings; /* char *, may be NULL */
  size_t emitted;
  bool capped;      /* BW_LIMIT_BASELINE_FINDINGS reached (warned once) */
} bl_sink;

/* Appends a finding of check c. severity < 0: the catalogue's. path/layer may be NULL; evidence is
 * printf-style (callers redact secrets before). Returns 0 or -BW_ENOMEM (the cap is not an error). */
int bl_emit(bl_sink *s, const bl_check *c, int severity, const char *path, uint32_t line, const char *layer,
            const char *fmt, ...) BW_PRINTF(7, 8);
int bl_warn(bl_sink *s, const char *fmt, ...) BW_PRINTF(2, 3);

/* A captured file: path as asked (root-relative), the layer holding its content (diff_id, NULL for
 * dir: images and tests), bytes. */
typedef struct bl_file {
  const char *path;
  const char *layer;
  const uint8_t *data;
  size_t len;
} bl_file;

typedef int (*bl_each_fn)(void *arg, const bl_file *f);
/* The captured files of the merged image (or of a test). */
typedef struct bl_fs {
  void *ctx;
  bool (*read)(void *ctx, const char *path, bl_file *out); /* symlinks resolved; false when absent */
  /* Calls each() for every captured file, and every symlink leading to one, whose path starts with
   * prefix, sorted by path; stops at the first non-zero return and returns it. */
  int (*list)(void *ctx, const char *prefix, bl_each_fn each, void *arg);
} bl_fs;

/* The families. Each returns 0 or -BW_ENOMEM. */
int bl_image_config(bl_sink *s, const json_t *config, const char *const *history_layers, size_t nhistory);

typedef struct bl_mode_entry {
  const char *path;
  uint32_t mode, uid, gid;
  const char *layer;
} bl_mode_entry;
int bl_permissions(bl_sink *s, const bl_mode_entry *e, size_t n);

int bl_accounts(bl_sink *s, const bl_fs *fs, double crack_seconds, unsigned threads);

/* Services: dispatch by path (bl_service_kind) for every captured file; sshd is read from
 * etc/ssh/sshd_config with its Includes. */
int bl_services(bl_sink *s, const bl_fs *fs);
/* Non-zero when the checks want this path captured (a service config). */
int bl_service_kind(const char *path);

/* Single-file service parsers (pure; the fuzz targets call them). */
int bl_sshd(bl_sink *s, const bl_fs *fs, const char *main_path);
int bl_redis(bl_sink *s, const bl_file *f);
int bl_mongod(bl_sink *s, const bl_file *f);
int bl_mysql(bl_sink *s, const bl_file *f);
int bl_pg_hba(bl_sink *s, const bl_file *f);
int bl_tomcat_users(bl_sink *s, const bl_file *f);
int bl_elasticsearch(bl_sink *s, const bl_file *f);
int bl_vsftpd(bl_sink *s, const bl_file *f);
int bl_nginx(bl_sink *s, const bl_file *f, bool *tokens_off); /* sets *tokens_off on "server_tokens off" */
int bl_apache(bl_sink *s, const bl_file *f, bool *tokens_set); /* sets *tokens_set on ServerTokens other than Full */
int bl_memcached(bl_sink *s, const bl_file *f);
int bl_zookeeper(bl_sink *s, const bl_file *f);
int bl_hadoop_core_site(bl_sink *s, const bl_file *f);

/* The catalogue, one table per family (for docs and the docs test). */
extern const bl_check bl_image_checks[];
extern const bl_check bl_account_checks[];
extern const bl_check bl_password_checks[];
extern const bl_check bl_permission_checks[];
extern const bl_check bl_service_checks[];
extern const size_t bl_n_image_checks, bl_n_account_checks, bl_n_password_checks, bl_n_permission_checks,
    bl_n_service_checks;

/* Weak-password cracking (crack.c). */
typedef struct bl_crack_account {
  const char *name;
  const char *hash;
  bool privileged; /* uid 0: tried first */
  /* out */
  int cracked;     /* 0 no, 1 in the common list, 2 derived from the account name */
  bool complete;   /* every candidate tried */
  bool unsupported; /* hash scheme libcrypt does not know, or too costly for one try within the budget */
  size_t tried;
} bl_crack_account;
typedef struct bl_crack_stats {
  size_t accounts, complete, partial, untried, unsupported, cracked;
  size_t candidates_tried, candidates_skipped;
  double seconds;
} bl_crack_stats;
int bl_crack(bl_crack_account *acc, size_t n, double budget_s, unsigned threads, bl_crack_stats *st, bw_error *err);
/* Estimated seconds of one crypt_r try of this hash; < 0 when the scheme is not supported. */
double bl_crack_cost(const char *hash);
/* The number of candidates for an account name (common list + name variants). */
size_t bl_crack_ncandidates(void);

/* Line helpers: iterate [p, end) line by line; the line excludes '\n' (and a trailing '\r'). */
typedef struct bl_lines {
  const char *p, *end;
  uint32_t lineno;
} bl_lines;
static inline void bl_lines_init(bl_lines *l, const uint8_t *data, size_t len) {
  l->p = (const char *)data;
  l->end = (const char *)data + len;
  l->lineno = 0;
}
bool bl_lines_next(bl_lines *l, const char **line, size_t *n);

/* Case-insensitive compare of [s, s+n) with the C string w. */
bool bl_ieq(const char *s, size_t n, const char *w);
/* Splits off the first whitespace-delimited word of [*s, *s+*n): returns it in (w, wn) and
 * advances *s past it and the following whitespace. False when no word is left. */
bool bl_word(const char **s, size_t *n, const char **w, size_t *wn);
/* "DB_PASSWORD=s3cret" -> "s3****" (at most the first 2 characters then ****), in the arena. */
const char *bl_redact(bw_arena *a, const char *value, size_t n);
/* Copies [s, s+n) into the arena with control characters replaced and at most max bytes
 * ("..." appended when cut). */
const char *bl_clip(bw_arena *a, const char *s, size_t n, size_t max);
/* A KEY whose value is a secret (DB_PASSWORD, api-key, GITHUB_TOKEN; not PASSWORD_FILE or PWD), and
 * a value that is one (not a path, a $reference or a yes/no flag). */
bool bl_secret_name(const char *k, size_t n);
bool bl_secret_value(const char *v, size_t n);
/* True when a password is in the bundled common-password list (exact match). */
bool bl_common_password(const char *pw, size_t n);

#endif
