/* A fixed-size thread pool for independent jobs (layers are analysed in parallel). */
#ifndef BW_BASE_POOL_H
#define BW_BASE_POOL_H

#include <stddef.h>

typedef void (*bw_pool_job)(void *ctx, size_t index);

/* Runs job(ctx, i) for i in [0, n) on up to `threads` threads (0 = number of online CPUs) and
 * waits for all of them. Jobs are taken in index order. */
void bw_pool_run(size_t n, bw_pool_job job, void *ctx, unsigned threads);
unsigned bw_pool_cpus(void);

#endif
