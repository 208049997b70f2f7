/* A pushed manifest as the registry checks it (bw_registry_manifest_parse): the first byte picks
 * the Content-Type the client claims, the rest is the body. Checks the invariants the server
 * relies on: every reference is a valid sha256 digest with a size >= 0, the counts are capped. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/sha256.h"
#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const types[] = {
      NULL,
      "",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8",
      "text/plain",
      "application/vnd.oci.image.manifest.v1+json;x",
  };
  if (!size) return 0;
  const char *ct = types[data[0] % (sizeof types / sizeof types[0])];
  bw_registry_manifest_info mi;
  bw_error err = {0};
  if (bw_registry_manifest_parse((const char *)data + 1, size - 1, ct, &mi, &err) == 0) {
    if (mi.nrefs > (size_t)BW_LIMIT_INDEX_ENTRIES + 1) abort();
    for (size_t i = 0; i < mi.nrefs; i++) {
      if (!bw_digest_valid(mi.refs[i].digest) || mi.refs[i].size < 0) abort();
    }
    if (mi.subject[0] && !bw_digest_valid(mi.subject)) abort();
    if (!mi.media_type[0]) abort();
    bw_registry_manifest_info_dispose(&mi);
  }
  return 0;
}
