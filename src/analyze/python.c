/* Python packages: installed distributions' core metadata and three lockfile formats (see
 * python.h). Core metadata is RFC 822 headers (packaging.python.org "Core metadata
 * specifications"): read up to the first blank line, the way Python's email parser (what
 * importlib.metadata uses) reads them: the first occurrence of a field wins, continuation lines
 * start with a space or tab, and a line that is neither a field nor a continuation ends them. */
#include "analyze/python.h"

#include <stdbool.h>
#include <string.h>

#include "analyze/app_util.h"
#include "analyze/toml.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/strutil.h"

/* ---- core metadata ------------------------------------------------------------------------- */

enum { M_NAME, M_VERSION, M_LICENSE, M_LICENSE_EXPR, M_COUNT };
static const char *const meta_fields[M_COUNT] = {"Name", "Version", "License", "License-Expression"};

typedef struct meta_span {
  const char *p;
  size_t n;
  bool set, continued;
} meta_span;

#define META_MAX_CLASSIFIERS 64 /* licence classifiers kept; real packages have one or two */
#define META_LICENSE_MAX 256    /* a License field longer than this is licence text, not a name */

static bool meta_key_is(const char *k, size_t kn, const char *want) {
  size_t wn = strlen(want);
  if (kn != wn) return false;
  for (size_t i = 0; i < kn; i++) {
    char a = k[i], b = want[i];
    if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

static bool meta_line_is_field(const char *line, size_t n, size_t *colon) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)line[i];
    if (c == ':') {
      *colon = i;
      return i > 0;
    }
    if (c <= 32 || c >= 127) return false; /* RFC 822 field names are printable ASCII, no space */
  }
  return false;
}

int bw_python_metadata_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  if (len > BW_LIMIT_APP_META_BYTES)
    return bw_error_set(err, BW_ELIMIT, "Python metadata is %zu bytes, over %u (BW_LIMIT_APP_META_BYTES)", len,
                        (unsigned)BW_LIMIT_APP_META_BYTES);
  const char *s = (const char *)buf;
  meta_span f[M_COUNT];
  memset(f, 0, sizeof f);
  meta_span cls[META_MAX_CLASSIFIERS];
  size_t ncls = 0;
  int last = -1; /* field the previous line set, for continuation lines */

  for (size_t pos = 0, lineno = 1; pos < len; lineno++) {
    const char *line = s + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - line) : len - pos;
    pos += n + (nl != NULL);
    if (n && line[n - 1] == '\r') n--;
    if (memchr(line, 0, n)) return BW_CORRUPT(err, "Python metadata line %zu: NUL byte", lineno);
    if (n == 0) break; /* the blank line before the description body */
    if (line[0] == ' ' || line[0] == '\t') {
      if (last >= 0) f[last].continued = true;
      continue;
    }
    size_t colon = 0;
    if (!meta_line_is_field(line, n, &colon)) break; /* not a header: the body starts here */
    const char *v = line + colon + 1;
    size_t vn = n - colon - 1;
    bw_trim(&v, &vn);
    last = -1;
    for (int i = 0; i < M_COUNT; i++) {
      if (!meta_key_is(line, colon, meta_fields[i])) continue;
      if (!f[i].set) { /* the first occurrence wins, as in email.message.Message.get */
        f[i] = (meta_span){v, vn, true, false};
        last = i;
      }
      break;
    }
    static const char lic_prefix[] = "License :: ";
    if (meta_key_is(line, colon, "Classifier") && vn > sizeof lic_prefix - 1 &&
        memcmp(v, lic_prefix, sizeof lic_prefix - 1) == 0 && ncls < META_MAX_CLASSIFIERS) {
      /* "License :: OSI Approved :: MIT License" -> "MIT License" */
      size_t k = vn;
      while (k >= 4 && !(v[k - 4] == ' ' && v[k - 3] == ':' && v[k - 2] == ':' && v[k - 1] == ' ')) k--;
      cls[ncls++] = (meta_span){v + k, vn - k, true, false};
    }
  }
  if (!f[M_NAME].n || !f[M_VERSION].n)
    return BW_CORRUPT(err, "Python metadata has no %s field", f[M_NAME].n ? "Version" : "Name");

  const char *lic = NULL;
  int oom = 0;
  if (f[M_LICENSE_EXPR].n) {
    lic = bw_arena_strndup(out->arena, f[M_LICENSE_EXPR].p, f[M_LICENSE_EXPR].n);
    oom = !lic;
  } else if (f[M_LICENSE].n && !f[M_LICENSE].continued && f[M_LICENSE].n <= META_LICENSE_MAX &&
             !(f[M_LICENSE].n == 7 && memcmp(f[M_LICENSE].p, "UNKNOWN", 7) == 0)) {
    lic = bw_arena_strndup(out->arena, f[M_LICENSE].p, f[M_LICENSE].n);
    oom = !lic;
  } else if (ncls) {
    const char *parts[META_MAX_CLASSIFIERS];
    for (size_t i = 0; i < ncls; i++) {
      parts[i] = bw_arena_strndup(out->arena, cls[i].p, cls[i].n);
      if (!parts[i]) oom = 1;
    }
    if (!oom) lic = bw_app_join(out->arena, parts, ncls, " AND ", &oom);
  }
  char *name = bw_pep503_name(out->arena, f[M_NAME].p, f[M_NAME].n);
  if (oom || !name) return bw_error_set(err, BW_ENOMEM, "out of memory reading Python metadata");
  size_t count = 0, start = bw_pkglist_len(out->packages);
  int rc = bw_app_add(out, BW_PKG_PYPI, name, strlen(name), f[M_VERSION].p, f[M_VERSION].n, lic, 0, &count,
                      "Python metadata", NULL, err);
  if (rc) out->packages->v.len = start;
  return rc;
}

/* ---- poetry.lock ----------------------------------------------------------------------------- */

int bw_poetry_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  if (len > BW_LIMIT_LOCKFILE_BYTES)
    return bw_error_set(err, BW_ELIMIT, "poetry.lock is %zu bytes, over %u (BW_LIMIT_LOCKFILE_BYTES)", len,
                        (unsigned)BW_LIMIT_LOCKFILE_BYTES);
  bw_toml_value *root = NULL;
  int rc = bw_toml_parse(&root, (const char *)buf, len, out->arena, "poetry.lock", err);
  if (rc) return rc;
  const bw_toml_value *pkgs = bw_toml_get(root, "package");
  if (!pkgs) return 0;
  if (pkgs->kind != BW_TOML_ARRAY) return BW_CORRUPT(err, "poetry.lock: package is not an array of tables");
  size_t start = bw_pkglist_len(out->packages), count = 0;
  for (const bw_toml_value *p = pkgs->first; p && !rc; p = p->next) {
    if (p->kind != BW_TOML_TABLE) {
      rc = BW_CORRUPT(err, "poetry.lock: a package entry is not a table");
      break;
    }
    const char *name = bw_toml_get_str(p, "name"), *version = bw_toml_get_str(p, "version");
    if (!name || !version) continue;
    /* poetry 1.x: category = "main" | "dev"; poetry 2.x: groups = ["main", "dev", ...] */
    int dev = 0;
    const char *category = bw_toml_get_str(p, "category");
    const bw_toml_value *groups = bw_toml_get(p, "groups");
    if (category && strcmp(category, "dev") == 0) dev = 1;
    if (groups && groups->kind == BW_TOML_ARRAY && groups->count) {
      dev = 1;
      for (const bw_toml_value *g = groups->first; g; g = g->next)
        if (g->kind == BW_TOML_STRING && strcmp(g->str, "main") == 0) dev = 0;
    }
    char *norm = bw_pep503_name(out->arena, name, strlen(name));
    if (!norm) rc = bw_error_set(err, BW_ENOMEM, "out of memory reading poetry.lock");
    else rc = bw_app_add(out, BW_PKG_PYPI, norm, strlen(norm), version, strlen(version), NULL, dev, &count,
                         "poetry.lock", NULL, err);
  }
  if (rc) {
    out->packages->v.len = start;
    return rc;
  }
  bw_app_dedupe(out->packages, start);
  return 0;
}

/* ---- Pipfile.lock ---------------------------------------------------------------------------- */

int bw_pipenv_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  json_t *root = NULL;
  int rc = bw_json_parse(&root, (const char *)buf, len, BW_LIMIT_LOCKFILE_BYTES, "Pipfile.lock", err);
  if (rc) return rc;
  size_t start = bw_pkglist_len(out->packages), count = 0;
  if (!json_is_object(root)) rc = BW_CORRUPT(err, "Pipfile.lock is not a JSON object");
  static const char *const sections[] = {"default", "develop"};
  for (int sec = 0; sec < 2 && !rc; sec++) {
    json_t *deps = json_object_get(root, sections[sec]);
    if (!deps || json_is_null(deps)) continue;
    if (!json_is_object(deps)) {
      rc = BW_CORRUPT(err, "Pipfile.lock: %s is not an object", sections[sec]);
      break;
    }
    const char *name;
    json_t *dep;
    json_object_foreach(deps, name, dep) {
      const char *version = json_is_object(dep) ? bw_json_str(dep, "version") : NULL;
      if (!version) continue; /* editable, git and path entries have no version */
      while (*version == '=') version++;
      char *norm = bw_pep503_name(out->arena, name, strlen(name));
      if (!norm) rc = bw_error_set(err, BW_ENOMEM, "out of memory reading Pipfile.lock");
      else rc = bw_app_add(out, BW_PKG_PYPI, norm, strlen(norm), version, strlen(version), NULL, sec == 1, &count,
                           "Pipfile.lock", NULL, err);
      if (rc) break;
    }
  }
  json_decref(root);
  if (rc) {
    out->packages->v.len = start;
    return rc;
  }
  bw_app_dedupe(out->packages, start);
  return 0;
}

/* ---- requirements.txt ------------------------------------------------------------------------ */

static bool req_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.';
}

int bw_pip_requirements_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  if (len > BW_LIMIT_LOCKFILE_BYTES)
    return bw_error_set(err, BW_ELIMIT, "requirements.txt is %zu bytes, over %u (BW_LIMIT_LOCKFILE_BYTES)", len,
                        (unsigned)BW_LIMIT_LOCKFILE_BYTES);
  const char *s = (const char *)buf;
  if (len && memchr(s, 0, len)) return BW_CORRUPT(err, "requirements.txt has a NUL byte");
  size_t start = bw_pkglist_len(out->packages), count = 0;
  int rc = 0;
  for (size_t pos = 0; pos < len && !rc;) {
    const char *line = s + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - line) : len - pos;
    pos += n + (nl != NULL);
    /* pip's rules: a comment starts at '#' at the line start or after whitespace */
    for (size_t i = 0; i < n; i++)
      if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        n = i;
        break;
      }
    const char *p = line;
    bw_trim(&p, &n);
    if (!n || p[0] == '-') continue; /* options: -r, -e, --hash, --index-url, ... */
    size_t i = 0;
    while (i < n && req_name_char(p[i])) i++;
    size_t name_len = i;
    if (!name_len) continue;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    if (i < n && p[i] == '[') { /* extras */
      const char *close = memchr(p + i, ']', n - i);
      if (!close) continue;
      i = (size_t)(close - p) + 1;
    }
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    if (n - i < 3 || p[i] != '=' || p[i + 1] != '=') continue;
    i += 2;
    if (i < n && p[i] == '=') i++; /* "===": arbitrary equality, still one exact version */
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    size_t v0 = i;
    while (i < n && p[i] != ' ' && p[i] != '\t' && p[i] != ';' && p[i] != ',' && p[i] != '\\') i++;
    size_t vn = i - v0;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    /* "==1.*" is a range, and "a==1,<2" a compound specifier: not one pinned version */
    if (!vn || memchr(p + v0, '*', vn) || (i < n && p[i] == ',')) continue;
    char *norm = bw_pep503_name(out->arena, p, name_len);
    if (!norm) rc = bw_error_set(err, BW_ENOMEM, "out of memory reading requirements.txt");
    else rc = bw_app_add(out, BW_PKG_PYPI, norm, strlen(norm), p + v0, vn, NULL, 0, &count, "requirements.txt",
                         NULL, err);
  }
  if (rc) {
    out->packages->v.len = start;
    return rc;
  }
  bw_app_dedupe(out->packages, start);
  return 0;
}

/* ---- which files ----------------------------------------------------------------------------- */

static const char *py_base(const char *path) {
  const char *b = strrchr(path, '/');
  return b ? b + 1 : path;
}

static bool python_metadata_wants(const char *path) {
  /* directory names must be non-empty: "x.dist-info/METADATA", not ".dist-info/METADATA" */
  size_t n = strlen(path);
  static const char *const suffixes[] = {".dist-info/METADATA", ".egg-info/PKG-INFO", ".egg-info"};
  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
    size_t sl = strlen(suffixes[i]);
    if (n > sl && memcmp(path + n - sl, suffixes[i], sl) == 0 && path[n - sl - 1] != '/') return true;
  }
  /* an unpacked .egg directory: foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO */
  return strcmp(path, "EGG-INFO/PKG-INFO") == 0 || bw_str_endswith(path, "/EGG-INFO/PKG-INFO");
}
static bool poetry_wants(const char *path) { return strcmp(py_base(path), "poetry.lock") == 0; }
static bool pipenv_wants(const char *path) { return strcmp(py_base(path), "Pipfile.lock") == 0; }
static bool pip_requirements_wants(const char *path) { return strcmp(py_base(path), "requirements.txt") == 0; }

const bw_analyzer bw_analyzer_python_metadata = {
    .name = "python-metadata",
    .wants = python_metadata_wants,
    .parse = bw_python_metadata_parse,
    .max_bytes = BW_LIMIT_APP_META_BYTES,
};
const bw_analyzer bw_analyzer_poetry = {
    .name = "poetry",
    .wants = poetry_wants,
    .parse = bw_poetry_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
const bw_analyzer bw_analyzer_pipenv = {
    .name = "pipenv",
    .wants = pipenv_wants,
    .parse = bw_pipenv_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
const bw_analyzer bw_analyzer_pip_requirements = {
    .name = "pip-requirements",
    .wants = pip_requirements_wants,
    .parse = bw_pip_requirements_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
