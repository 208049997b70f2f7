#include "base/common.h"

void *bw_xcalloc(size_t n, size_t size) { return calloc(n ? n : 1, size ? size : 1); }
