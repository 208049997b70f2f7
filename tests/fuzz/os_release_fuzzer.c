/* Fuzzes os-release parsing and OS detection. The input is parsed as an os-release file; then
 * the first byte picks which release file (etc/os-release, etc/redhat-release, ...) holds the
 * rest of the input for bw_os_detect, with bit 7 also offering it as etc/os-release so that the
 * os-release + release-file refinement paths run too. */
#include <stdint.h>
#include <string.h>

#include "analyze/os_detect.h"

static const char *const paths[] = {
    "etc/os-release",      "usr/lib/os-release", "etc/alpine-release",    "etc/debian_version",
    "etc/redhat-release",  "etc/centos-release", "etc/rocky-release",     "etc/almalinux-release",
    "etc/oracle-release",  "etc/fedora-release", "etc/system-release",    "etc/SuSE-release",
    "etc/photon-release",  "etc/lsb-release",
};

typedef struct fz {
  const uint8_t *buf;
  size_t len;
  const char *path;
  int also_osr;
} fz;

static bool lookup(void *ctx, const char *path, const uint8_t **buf, size_t *len) {
  fz *f = ctx;
  if (strcmp(path, f->path) != 0 && !(f->also_osr && strcmp(path, "etc/os-release") == 0)) return false;
  *buf = f->buf;
  *len = f->len;
  return true;
}

static void check_info(const bw_os_info *os) {
  /* every string must be a readable C string */
  const char *s[] = {os->family, os->version, os->name, os->codename};
  for (size_t i = 0; i < 4; i++)
    if (s[i]) (void)strlen(s[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_arena *arena = bw_arena_new();
  if (!arena) return 0;
  bw_os_info os;
  bw_error err = {0};
  if (bw_os_release_parse(&os, arena, data, size, &err) == 0) check_info(&os);
  if (size >= 1) {
    fz f = {.buf = data + 1, .len = size - 1, .path = paths[(data[0] & 0x7f) % (sizeof paths / sizeof paths[0])],
            .also_osr = (data[0] & 0x80) != 0};
    bw_error e2 = {0};
    if (bw_os_detect(&os, arena, lookup, &f, &e2) == 0) check_info(&os);
  }
  bw_arena_free(arena);
  return 0;
}
