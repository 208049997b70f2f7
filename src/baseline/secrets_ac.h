/* A case-insensitive Aho-Corasick automaton over the literal keywords of the secret rules: the
 * prefilter that lets the scanner look at each byte once, whatever the number of rules. Only the
 * lines it hits are handed to the rules' precise matchers. Built once, read-only afterwards (safe to
 * share between threads). */
#ifndef BW_BASELINE_SECRETS_AC_H
#define BW_BASELINE_SECRETS_AC_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct bw_ac bw_ac;

/* Builds the automaton of n keywords (ASCII, matched case-insensitively; each 1..255 bytes).
 * Returns NULL with err filled on OOM, an empty keyword or more than BW_LIMIT_SECRET_AC_STATES states. */
bw_ac *bw_ac_build(const char *const *keywords, size_t n, bw_error *err);
void bw_ac_free(bw_ac *ac);

/* Scans buf[0, len) from *state (0 = the root); calls hit(ctx, keyword, end) for every occurrence
 * (end = offset just past it) and stops early when hit returns non-zero (that value is returned).
 * *state is left where the scan stopped, so a scan can go on in the next buffer. */
typedef int (*bw_ac_hit_fn)(void *ctx, uint32_t keyword, size_t end);
int bw_ac_scan(const bw_ac *ac, uint32_t *state, const uint8_t *buf, size_t len, bw_ac_hit_fn hit, void *ctx);

/* Offset of the first byte in buf[0, len) that ends a keyword, or len when there is none; *state is
 * updated up to and including that byte. The inner loop of bw_ac_scan (one table load per byte). */
size_t bw_ac_next(const bw_ac *ac, uint32_t *state, const uint8_t *buf, size_t len);
/* Keywords ending in a state (after bw_ac_next returned a hit): ids in out[0, n), returns n. */
size_t bw_ac_outputs(const bw_ac *ac, uint32_t state, const uint32_t **out);

#endif
