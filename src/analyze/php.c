/* PHP Composer packages (see php.h). Both files are JSON read through bw_json_parse (size, depth
 * and duplicate keys checked). */
#include "analyze/php.h"

#include <stdbool.h>
#include <string.h>

#include "analyze/app_util.h"
#include "base/json.h"
#include "base/limits.h"

#define COMPOSER_MAX_LICENSES 32 /* licences kept from one array */

/* The licence of one package: a string as written, an array of strings joined with " OR "
 * (getcomposer.org/doc/04-schema.md#license: an array is for dual licensing, "the user can
 * choose"). NULL when there is none; *oom on allocation failure. */
static const char *composer_license(bw_arena *a, const json_t *pkg, int *oom) {
  json_t *l = json_object_get(pkg, "license");
  if (json_is_string(l)) return json_string_length(l) ? json_string_value(l) : NULL;
  if (!json_is_array(l)) return NULL;
  const char *parts[COMPOSER_MAX_LICENSES];
  size_t np = 0, i;
  json_t *v;
  json_array_foreach(l, i, v) {
    if (json_is_string(v) && np < COMPOSER_MAX_LICENSES) parts[np++] = json_string_value(v);
  }
  return bw_app_join(a, parts, np, " OR ", oom);
}

/* Appends the packages of one JSON array; dev_names (an object used as a set, may be NULL)
 * marks dev packages by name. */
static int composer_packages(bw_analyze_out *out, const json_t *arr, int dev, const json_t *dev_names,
                             size_t *count, const char *what, bw_error *err) {
  if (!arr || json_is_null(arr)) return 0;
  if (!json_is_array(arr)) return BW_CORRUPT(err, "%s: a package list is not an array", what);
  size_t i;
  json_t *p;
  json_array_foreach(arr, i, p) {
    if (!json_is_object(p)) return BW_CORRUPT(err, "%s: package %zu is not an object", what, i);
    const char *name = bw_json_str(p, "name"), *version = bw_json_str(p, "version");
    if (!name || !version) continue;
    int oom = 0;
    const char *lic = composer_license(out->arena, p, &oom);
    if (oom) return bw_error_set(err, BW_ENOMEM, "out of memory reading %s", what);
    int is_dev = dev || (dev_names && json_object_get(dev_names, name));
    int rc = bw_app_add(out, BW_PKG_COMPOSER, name, strlen(name), version, strlen(version), lic, is_dev, count,
                        what, NULL, err);
    if (rc) return rc;
  }
  return 0;
}

int bw_composer_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  json_t *root = NULL;
  int rc = bw_json_parse(&root, (const char *)buf, len, BW_LIMIT_LOCKFILE_BYTES, "composer.lock", err);
  if (rc) return rc;
  size_t start = bw_pkglist_len(out->packages), count = 0;
  if (!json_is_object(root)) rc = BW_CORRUPT(err, "composer.lock is not a JSON object");
  if (!rc) rc = composer_packages(out, json_object_get(root, "packages"), 0, NULL, &count, "composer.lock", err);
  if (!rc)
    rc = composer_packages(out, json_object_get(root, "packages-dev"), 1, NULL, &count, "composer.lock", err);
  json_decref(root);
  if (rc) {
    out->packages->v.len = start;
    return rc;
  }
  bw_app_dedupe(out->packages, start);
  return 0;
}

int bw_composer_installed_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  static const char what[] = "composer installed.json";
  json_t *root = NULL;
  int rc = bw_json_parse(&root, (const char *)buf, len, BW_LIMIT_LOCKFILE_BYTES, what, err);
  if (rc) return rc;
  size_t start = bw_pkglist_len(out->packages), count = 0;
  json_t *set = NULL;
  if (json_is_array(root)) { /* Composer 1.x */
    rc = composer_packages(out, root, 0, NULL, &count, what, err);
  } else if (json_is_object(root)) { /* Composer 2.x */
    json_t *names = json_object_get(root, "dev-package-names");
    if (json_is_array(names)) {
      /* a JSON object as a set: O(1) lookups however many names there are */
      if (!(set = json_object())) rc = bw_error_set(err, BW_ENOMEM, "out of memory reading %s", what);
      size_t i;
      json_t *v;
      json_array_foreach(names, i, v) {
        if (rc) break;
        if (json_is_string(v) && json_object_set_new(set, json_string_value(v), json_true()))
          rc = bw_error_set(err, BW_ENOMEM, "out of memory reading %s", what);
      }
    }
    if (!rc) rc = composer_packages(out, json_object_get(root, "packages"), 0, set, &count, what, err);
  } else {
    rc = BW_CORRUPT(err, "%s is neither an array nor an object", what);
  }
  json_decref(set);
  json_decref(root);
  if (rc) {
    out->packages->v.len = start;
    return rc;
  }
  bw_app_dedupe(out->packages, start);
  return 0;
}

static bool composer_lock_wants(const char *path) {
  const char *b = strrchr(path, '/');
  return strcmp(b ? b + 1 : path, "composer.lock") == 0;
}
static bool composer_installed_wants(const char *path) {
  static const char suffix[] = "vendor/composer/installed.json";
  size_t n = strlen(path), sl = sizeof suffix - 1;
  return n >= sl && memcmp(path + n - sl, suffix, sl) == 0 && (n == sl || path[n - sl - 1] == '/');
}

const bw_analyzer bw_analyzer_composer_lock = {
    .name = "composer-lock",
    .wants = composer_lock_wants,
    .parse = bw_composer_lock_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
const bw_analyzer bw_analyzer_composer_installed = {
    .name = "composer-installed",
    .wants = composer_installed_wants,
    .parse = bw_composer_installed_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
