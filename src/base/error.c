#include "base/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

BW_PRINTF(4, 0) static int error_vset(bw_error *err, int code, int sys, const char *fmt, va_list ap) {
  if (!err) return -code;
  if (err->code != 0) return -err->code; /* first error wins */
  err->code = code;
  err->sys_errno = sys;
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  if (sys) {
    size_t n = strlen(err->msg);
    snprintf(err->msg + n, sizeof err->msg - n, ": %s", strerror(sys));
  }
  return -code;
}

int bw_error_set(bw_error *err, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = error_vset(err, code, 0, fmt, ap);
  va_end(ap);
  return r;
}

int bw_error_sys(bw_error *err, int code, const char *fmt, ...) {
  int sys = errno;
  va_list ap;
  va_start(ap, fmt);
  int r = error_vset(err, code, sys, fmt, ap);
  va_end(ap);
  return r;
}

int bw_error_corrupt_at(bw_error *err, const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int fresh = err && err->code == 0;
  int r = error_vset(err, BW_ECORRUPT, 0, fmt, ap);
  va_end(ap);
  if (fresh) {
    err->file = file;
    err->line = line;
  }
  return r;
}

int bw_error_wrap(bw_error *err, const char *fmt, ...) {
  if (!err) return -BW_EINVAL;
  char prefix[BW_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  char old[BW_ERROR_MSG_MAX];
  memcpy(old, err->msg, sizeof old);
  /* "prefix: old", truncated; by hand because gcc -Wformat-truncation rejects the snprintf. */
  const char *parts[3] = {prefix, ": ", old};
  size_t n = 0;
  for (int i = 0; i < 3; i++) {
    size_t k = strnlen(parts[i], sizeof err->msg - 1 - n);
    memcpy(err->msg + n, parts[i], k);
    n += k;
  }
  err->msg[n] = 0;
  if (err->code == 0) err->code = BW_EIO;
  return -err->code;
}

void bw_error_clear(bw_error *err) {
  if (err) memset(err, 0, sizeof *err);
}

const char *bw_error_code_name(int code) {
  if (code < 0) code = -code;
  switch (code) {
  case BW_OK: return "OK";
  case BW_ENOTFOUND: return "NOTFOUND";
  case BW_EINVAL: return "INVAL";
  case BW_ECORRUPT: return "CORRUPT";
  case BW_ELIMIT: return "LIMIT";
  case BW_EIO: return "IO";
  case BW_EUNSUPPORTED: return "UNSUPPORTED";
  case BW_EAUTH: return "AUTH";
  case BW_ECONFLICT: return "CONFLICT";
  case BW_ENOMEM: return "NOMEM";
  default: return "UNKNOWN";
  }
}
