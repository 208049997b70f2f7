/* .NET packages (see dotnet.h). Both files are JSON read through bw_json_parse (size, depth and
 * duplicate keys checked). */
#include "analyze/dotnet.h"

#include <stdbool.h>
#include <strings.h>
#include <string.h>

#include "analyze/app_util.h"
#include "base/json.h"
#include "base/limits.h"

static const char runtimepack[] = "runtimepack.";
#define RUNTIMEPACK_LEN (sizeof runtimepack - 1)

/* lo.IsEmpty on a decoded `any`: absent or null is empty; anything else ({} included) is not */
static bool deps_has(const json_t *lib, const char *key) {
  json_t *v = json_object_get(lib, key);
  return v && !json_is_null(v);
}

/* The entry of library `key` in the runtime target's table: the same key, or the same with the
 * "runtimepack." prefix added or removed (Trivy compares them prefix-stripped). */
static json_t *deps_target_entry(json_t *target, const char *key, bw_arena *a) {
  json_t *e = json_object_get(target, key);
  if (e) return e;
  if (strncmp(key, runtimepack, RUNTIMEPACK_LEN) == 0) return json_object_get(target, key + RUNTIMEPACK_LEN);
  const char *pref = bw_arena_printf(a, "%s%s", runtimepack, key);
  return pref ? json_object_get(target, pref) : NULL;
}

int bw_dotnet_deps_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  static const char what[] = ".deps.json";
  json_t *root = NULL;
  int rc = bw_json_parse(&root, (const char *)buf, len, BW_LIMIT_LOCKFILE_BYTES, what, err);
  if (rc) return rc;
  size_t start = bw_pkglist_len(out->packages), count = 0;
  json_t *libs = json_is_object(root) ? json_object_get(root, "libraries") : NULL;
  if (!json_is_object(root)) rc = BW_CORRUPT(err, "%s is not a JSON object", what);
  else if (libs && !json_is_object(libs)) rc = BW_CORRUPT(err, "%s: libraries is not an object", what);
  json_t *target = NULL;
  if (!rc) {
    json_t *rt = json_object_get(root, "runtimeTarget");
    const char *rt_name = json_is_object(rt) ? bw_json_str(rt, "name") : NULL;
    json_t *targets = json_object_get(root, "targets");
    if (rt_name && json_is_object(targets)) target = json_object_get(targets, rt_name);
    if (target && !json_is_object(target)) target = NULL;
  }
  const char *key;
  json_t *lib;
  if (!rc && libs) json_object_foreach(libs, key, lib) {
      if (!json_is_object(lib)) continue;
      const char *type = bw_json_str(lib, "type");
      if (!type) continue;
      bool is_rtpack = strcasecmp(type, "runtimepack") == 0;
      if (strcasecmp(type, "package") != 0 && !is_rtpack) continue; /* "project", "reference", ... */
      const char *slash = strchr(key, '/');
      if (!slash) continue;
      if (target) {
        json_t *e = deps_target_entry(target, key, out->arena);
        /* absent from the target: kept, rather than wrongly dropped (as Trivy does) */
        if (json_is_object(e) && !deps_has(e, "runtime") && !deps_has(e, "runtimeTargets") && !deps_has(e, "native"))
          continue;
      }
      const char *name = key;
      if (strncmp(name, runtimepack, RUNTIMEPACK_LEN) == 0) name += RUNTIMEPACK_LEN;
      size_t name_len = (size_t)(slash - name);
      if (slash < name) name_len = 0;
      rc = bw_app_add(out, BW_PKG_NUGET, name, name_len, slash + 1, strlen(slash + 1), NULL, 0, &count, what, NULL,
                      err);
      if (rc) break;
    }
  json_decref(root);
  if (rc) {
    out->packages->v.len = start;
    return rc;
  }
  bw_app_dedupe(out->packages, start);
  return 0;
}

int bw_nuget_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  static const char what[] = "packages.lock.json";
  json_t *root = NULL;
  int rc = bw_json_parse(&root, (const char *)buf, len, BW_LIMIT_LOCKFILE_BYTES, what, err);
  if (rc) return rc;
  size_t start = bw_pkglist_len(out->packages), count = 0;
  json_t *deps = json_is_object(root) ? json_object_get(root, "dependencies") : NULL;
  if (!json_is_object(root)) rc = BW_CORRUPT(err, "%s is not a JSON object", what);
  else if (deps && !json_is_object(deps)) rc = BW_CORRUPT(err, "%s: dependencies is not an object", what);
  const char *fw, *name;
  json_t *pkgs, *p;
  if (!rc && deps) json_object_foreach(deps, fw, pkgs) {
      if (!json_is_object(pkgs)) {
        rc = BW_CORRUPT(err, "%s: dependencies of %s is not an object", what, fw);
        break;
      }
      json_object_foreach(pkgs, name, p) {
        if (!json_is_object(p)) continue;
        const char *type = bw_json_str(p, "type"), *version = bw_json_str(p, "resolved");
        if (!version || (type && strcasecmp(type, "Project") == 0)) continue;
        rc = bw_app_add(out, BW_PKG_NUGET, name, strlen(name), version, strlen(version), NULL, 0, &count, what, NULL,
                        err);
        if (rc) break;
      }
      if (rc) break;
    }
  json_decref(root);
  if (rc) {
    out->packages->v.len = start;
    return rc;
  }
  bw_app_dedupe(out->packages, start);
  return 0;
}

static const char *dotnet_base(const char *path) {
  const char *b = strrchr(path, '/');
  return b ? b + 1 : path;
}
static bool dotnet_deps_wants(const char *path) {
  const char *b = dotnet_base(path);
  size_t n = strlen(b);
  return n > 10 && memcmp(b + n - 10, ".deps.json", 10) == 0;
}
static bool nuget_lock_wants(const char *path) { return strcmp(dotnet_base(path), "packages.lock.json") == 0; }

const bw_analyzer bw_analyzer_dotnet_deps = {
    .name = "dotnet-deps",
    .wants = dotnet_deps_wants,
    .parse = bw_dotnet_deps_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
const bw_analyzer bw_analyzer_nuget_lock = {
    .name = "nuget-lock",
    .wants = nuget_lock_wants,
    .parse = bw_nuget_lock_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
