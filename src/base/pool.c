#include "base/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

typedef struct {
  bw_pool_job job;
  void *ctx;
  size_t n;
  atomic_size_t next;
} pool_state;

static void *pool_worker(void *arg) {
  pool_state *s = arg;
  for (;;) {
    size_t i = atomic_fetch_add(&s->next, 1);
    if (i >= s->n) break;
    s->job(s->ctx, i);
  }
  return NULL;
}

unsigned bw_pool_cpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}

void bw_pool_run(size_t n, bw_pool_job job, void *ctx, unsigned threads) {
  if (threads == 0) threads = bw_pool_cpus();
  if (threads > n) threads = (unsigned)n;
  pool_state s = {.job = job, .ctx = ctx, .n = n};
  atomic_init(&s.next, 0);
  if (threads <= 1) {
    pool_worker(&s);
    return;
  }
  pthread_t tids[64];
  if (threads > 64) threads = 64;
  unsigned started = 0;
  for (unsigned t = 1; t < threads; t++)
    if (pthread_create(&tids[started], NULL, pool_worker, &s) == 0) started++;
  pool_worker(&s); /* the caller works too */
  for (unsigned t = 0; t < started; t++) pthread_join(tids[t], NULL);
}
