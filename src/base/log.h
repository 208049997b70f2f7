/* Logging to stderr. Library code never prints to stdout. */
#ifndef BW_BASE_LOG_H
#define BW_BASE_LOG_H

#include "base/error.h"

typedef enum { BW_LOG_DEBUG, BW_LOG_INFO, BW_LOG_WARN, BW_LOG_ERROR, BW_LOG_QUIET } bw_log_level;

void bw_log_set_level(bw_log_level level);
bw_log_level bw_log_get_level(void);
void bw_log(bw_log_level level, const char *fmt, ...) BW_PRINTF(2, 3);
#define bw_debug(...) bw_log(BW_LOG_DEBUG, __VA_ARGS__)
#define bw_info(...) bw_log(BW_LOG_INFO, __VA_ARGS__)
#define bw_warn(...) bw_log(BW_LOG_WARN, __VA_ARGS__)

#endif
