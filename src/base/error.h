/* One error type for the whole library (DESIGN.md §4).
 * Functions that can fail return 0 or a negative -BW_E* code and fill a caller-owned bw_error. */
#ifndef BW_BASE_ERROR_H
#define BW_BASE_ERROR_H

#include <stddef.h>

#define BW_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum {
  BW_OK = 0,
  BW_ENOTFOUND = 1,
  BW_EINVAL = 2,
  BW_ECORRUPT = 3,
  BW_ELIMIT = 4,
  BW_EIO = 5,
  BW_EUNSUPPORTED = 6,
  BW_EAUTH = 7,
  BW_ECONFLICT = 8,
  BW_ENOMEM = 9,
};

#define BW_ERROR_MSG_MAX 1024

typedef struct bw_error {
  int code;        /* positive BW_E* code, 0 when unset */
  int sys_errno;   /* errno at the failure, 0 when not a system error */
  const char *file; /* source location of a BW_CORRUPT rejection, else NULL */
  int line;
  char msg[BW_ERROR_MSG_MAX];
} bw_error;

/* Sets err (if err is non-NULL and not already set) and returns -code.
 * The first error wins: callers add context with bw_error_wrap, never overwrite. */
int bw_error_set(bw_error *err, int code, const char *fmt, ...) BW_PRINTF(3, 4);
/* Like bw_error_set, with errno appended as ": strerror". */
int bw_error_sys(bw_error *err, int code, const char *fmt, ...) BW_PRINTF(3, 4);
/* Records the source location too; used for hostile-input rejections. */
int bw_error_corrupt_at(bw_error *err, const char *file, int line, const char *fmt, ...) BW_PRINTF(4, 5);
/* Prefixes context ("layer sha256:..: ") to an existing message; returns -err->code. */
int bw_error_wrap(bw_error *err, const char *fmt, ...) BW_PRINTF(2, 3);
void bw_error_clear(bw_error *err);
/* Name of a code ("CORRUPT", "LIMIT", ...). Static string. */
const char *bw_error_code_name(int code);

#define BW_CORRUPT(err, ...) bw_error_corrupt_at((err), __FILE__, __LINE__, __VA_ARGS__)

#endif
