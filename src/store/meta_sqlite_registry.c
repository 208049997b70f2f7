/* SQLite driver: repositories, blobs, manifests, tags, uploads, events (store/registry_meta.h). */
#include "store/meta_sqlite_internal.h"

static const char *const migrations[] = {NULL};
const meta_schema_part meta_schema_registry = {"registry", migrations};
