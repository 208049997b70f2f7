/* Leaked secrets (baseline category "secret"): a content scanner in the one layer pass. Every
 * text file within a size cap is matched against the rules with a multi-pattern prefilter, so the
 * cost does not grow with the number of rules; values are redacted before they are recorded. */
#ifndef BW_BASELINE_SECRETS_H
#define BW_BASELINE_SECRETS_H

#include "analyze/analyzer.h"
#include "base/error.h"

/* The stream analyser (scanner BW_SCANNER_BASELINE) registered in analyze/registry.c. */
extern const bw_stream_analyzer bw_stream_secrets;

/* Loads user rules (and allow-list entries) from a config file for every later scan in this
 * process, on top of the built-in rules (format in docs/internals/baseline.md). NULL resets to the
 * built-in rules only. Not thread-safe against running scans: call before scanning. */
int bw_secrets_configure(const char *config_path, bw_error *err);
/* The same from a buffer (name is used in messages); the fuzzer and tests use it. */
int bw_secrets_configure_buf(const char *name, const uint8_t *text, size_t len, bw_error *err);

#endif
