/* SQLite driver: users, namespaces, roles, robots (auth/auth_store.h). */
#include "store/meta_sqlite_internal.h"

static const char *const migrations[] = {NULL};
const meta_schema_part meta_schema_auth = {"auth", migrations};
