#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static bw_log_level log_level = BW_LOG_WARN;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void bw_log_set_level(bw_log_level level) { log_level = level; }
bw_log_level bw_log_get_level(void) { return log_level; }

void bw_log(bw_log_level level, const char *fmt, ...) {
  if (level < log_level) return;
  static const char *names[] = {"debug", "info", "warning", "error", ""};
  char line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&log_lock);
  fprintf(stderr, "bulwark: %s: %s\n", names[level], line);
  pthread_mutex_unlock(&log_lock);
}
