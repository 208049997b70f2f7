/* Cleanup attributes and ownership helpers (crun/systemd style), shared by every module. */
#ifndef BW_BASE_COMMON_H
#define BW_BASE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define BW_PUBLIC __attribute__((visibility("default")))
#define BW_UNUSED __attribute__((unused))
#define BW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static inline void bw_freep(void *p) { free(*(void **)p); }
static inline void bw_closep(int *fd) {
  if (*fd >= 0) close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(bw_freep)))
#define _cleanup_close_ __attribute__((cleanup(bw_closep)))

/* Declares a cleanup helper `fn##p` for `type *` variables freed by `fn`. */
#define BW_DEFINE_CLEANUP(type, fn)                                                          \
  static inline void fn##p(type **p) {                                                       \
    if (*p) fn(*p);                                                                          \
  }
#define _cleanup_(fn) __attribute__((cleanup(fn)))

/* Moves ownership out of a cleanup variable. */
static inline void *bw_steal_ptr(void *pp) {
  void **p = pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define bw_steal(pp) bw_steal_ptr(pp)

/* Allocation that aborts on OOM would hide limits; these return NULL and callers report BW_ENOMEM. */
void *bw_xcalloc(size_t n, size_t size);

#endif
