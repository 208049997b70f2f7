/* Ruby gems: installed specifications and Bundler lockfiles (see ruby.h). */
#include "analyze/ruby.h"

#include <stdbool.h>
#include <string.h>

#include "analyze/app_util.h"
#include "base/limits.h"
#include "base/strutil.h"

/* ---- gemspec ------------------------------------------------------------------------------- */

#define GEM_MAX_LICENSES 32 /* licences kept from one s.licenses array */
#define GEM_VAR_MAX 64      /* block variable name */

typedef struct gem_cur {
  const char *p;
  size_t n, i;
} gem_cur;

static void gem_ws(gem_cur *c) {
  while (c->i < c->n && (c->p[c->i] == ' ' || c->p[c->i] == '\t')) c->i++;
}
static bool gem_lit(gem_cur *c, const char *s) {
  size_t l = strlen(s);
  if (c->n - c->i < l || memcmp(c->p + c->i, s, l) != 0) return false;
  c->i += l;
  return true;
}
static bool gem_ident_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* A Ruby string literal ('...' or "...", no interpolation) at the cursor, optionally followed by
 * ".freeze", decoded into the arena. false when the cursor is not on such a literal; *oom set
 * when the arena failed. */
static bool gem_string(gem_cur *c, bw_arena *a, const char **out, int *oom) {
  if (c->i >= c->n || (c->p[c->i] != '"' && c->p[c->i] != '\'')) return false;
  char q = c->p[c->i];
  size_t j = c->i + 1;
  for (; j < c->n && c->p[j] != q; j++) {
    if (c->p[j] == '\0') return false; /* would cut the C string short */
    if (c->p[j] == '\\') j++;
    else if (q == '"' && c->p[j] == '#' && j + 1 < c->n && c->p[j + 1] == '{') return false; /* "#{...}" */
  }
  if (j >= c->n) return false; /* unterminated on this line */
  char *o = bw_arena_alloc(a, j - c->i);
  if (!o) {
    *oom = 1;
    return false;
  }
  size_t k = 0;
  for (size_t i = c->i + 1; i < j; i++) {
    /* backslash escapes: keep the escaped character (names and versions need no more) */
    if (c->p[i] == '\\' && i + 1 < j) i++;
    o[k++] = c->p[i];
  }
  o[k] = 0;
  c->i = j + 1;
  gem_lit(c, ".freeze");
  *out = o;
  return true;
}

typedef struct gem_spec {
  const char *name, *version, *licenses;
  bool have_name, have_version, have_license;
} gem_spec;

/* `line` (trimmed) starts with "<var>."; records a literal name/version/license(s). */
static int gem_assignment(const char *line, size_t n, size_t var_len, gem_spec *g, bw_arena *a) {
  static const char *const attrs[] = {"name", "version", "licenses", "license"};
  gem_cur c = {line, n, var_len + 1};
  int which = -1;
  for (int k = 0; k < 4; k++) {
    gem_cur t = c;
    if (!gem_lit(&t, attrs[k])) continue;
    if (t.i < n && gem_ident_char(line[t.i])) continue; /* s.name_x, s.licenses vs s.license */
    gem_ws(&t);
    if (!gem_lit(&t, "=") || (t.i < n && (line[t.i] == '=' || line[t.i] == '~'))) continue; /* not ==, =~ */
    c = t;
    which = k;
    break;
  }
  if (which < 0) return 0;
  gem_ws(&c);
  int oom = 0;
  const char *v = NULL;
  if (which == 0 && !g->have_name) {
    if (gem_string(&c, a, &v, &oom)) g->name = v, g->have_name = true;
  } else if (which == 1 && !g->have_version) {
    bool wrapped = gem_lit(&c, "Gem::Version.new(");
    if (wrapped) gem_ws(&c);
    if (gem_string(&c, a, &v, &oom)) {
      gem_ws(&c);
      if (!wrapped || gem_lit(&c, ")")) g->version = v, g->have_version = true;
    }
  } else if (which == 2 && !g->have_license) {
    if (!gem_lit(&c, "[")) return 0;
    const char *parts[GEM_MAX_LICENSES];
    size_t np = 0;
    for (;;) {
      gem_ws(&c);
      if (gem_lit(&c, "]")) break;
      if (!gem_string(&c, a, &v, &oom)) return oom ? -BW_ENOMEM : 0; /* not a literal array */
      if (np < GEM_MAX_LICENSES) parts[np++] = v;
      gem_ws(&c);
      if (gem_lit(&c, ",")) continue;
      if (gem_lit(&c, "]")) break;
      return 0;
    }
    g->have_license = true;
    g->licenses = bw_app_join(a, parts, np, " AND ", &oom);
  } else if (which == 3 && !g->have_license) {
    if (gem_string(&c, a, &v, &oom)) g->licenses = *v ? v : NULL, g->have_license = true;
  }
  return oom ? -BW_ENOMEM : 0;
}

int bw_gemspec_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  if (len > BW_LIMIT_APP_META_BYTES)
    return bw_error_set(err, BW_ELIMIT, "gemspec is %zu bytes, over %u (BW_LIMIT_APP_META_BYTES)", len,
                        (unsigned)BW_LIMIT_APP_META_BYTES);
  /* NUL bytes are legitimate: RubyGems separates the extension paths of a "# stub:" line with
   * them (json-2.6.1.gemspec in Ruby 3.1); a literal holding one is not taken (gem_string). */
  const char *s = (const char *)buf;
  char var[GEM_VAR_MAX + 1] = "";
  size_t var_len = 0;
  gem_spec g = {0};
  for (size_t pos = 0; pos < len;) {
    const char *line = s + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - line) : len - pos;
    pos += n + (nl != NULL);
    bw_trim(&line, &n);
    if (!n || line[0] == '#') continue;
    static const char spec_new[] = "Gem::Specification.new";
    const char *sn = memmem(line, n, spec_new, sizeof spec_new - 1);
    if (sn) {
      /* "Gem::Specification.new do |s|" (or "{ |spec|"): the block variable between the bars */
      const char *bar = memchr(sn, '|', n - (size_t)(sn - line));
      size_t rest = bar ? n - (size_t)(bar - line) - 1 : 0;
      const char *bar2 = bar ? memchr(bar + 1, '|', rest) : NULL;
      if (bar2) {
        const char *v = bar + 1;
        size_t vn = (size_t)(bar2 - v);
        bw_trim(&v, &vn);
        bool ok = vn > 0 && vn <= GEM_VAR_MAX;
        for (size_t i = 0; ok && i < vn; i++) ok = gem_ident_char(v[i]);
        if (ok) {
          memcpy(var, v, vn);
          var[vn] = 0;
          var_len = vn;
        }
      }
      continue;
    }
    if (!var_len || n <= var_len + 1 || memcmp(line, var, var_len) != 0 || line[var_len] != '.') continue;
    if (gem_assignment(line, n, var_len, &g, out->arena) < 0)
      return bw_error_set(err, BW_ENOMEM, "out of memory reading a gemspec");
    if (g.have_name && g.have_version && g.have_license) break;
  }
  if (!g.have_name || !g.have_version || !*g.name || !*g.version)
    return BW_CORRUPT(err, "gemspec has no literal %s", g.have_name && *g.name ? "version" : "name");
  size_t count = 0, start = bw_pkglist_len(out->packages);
  int rc = bw_app_add(out, BW_PKG_GEM, g.name, strlen(g.name), g.version, strlen(g.version), g.licenses, 0, &count,
                      "gemspec", NULL, err);
  if (rc) out->packages->v.len = start;
  return rc;
}

/* ---- Gemfile.lock ------------------------------------------------------------------------------ */

int bw_gemfile_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  if (len > BW_LIMIT_LOCKFILE_BYTES)
    return bw_error_set(err, BW_ELIMIT, "Gemfile.lock is %zu bytes, over %u (BW_LIMIT_LOCKFILE_BYTES)", len,
                        (unsigned)BW_LIMIT_LOCKFILE_BYTES);
  const char *s = (const char *)buf;
  if (len && memchr(s, 0, len)) return BW_CORRUPT(err, "Gemfile.lock has a NUL byte");
  size_t start = bw_pkglist_len(out->packages), count = 0;
  bool source = false, specs = false; /* in a source section; in its specs: list */
  int rc = 0;
  for (size_t pos = 0; pos < len && !rc;) {
    const char *line = s + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - line) : len - pos;
    pos += n + (nl != NULL);
    if (n && line[n - 1] == '\r') n--;
    size_t ind = 0;
    while (ind < n && line[ind] == ' ') ind++;
    if (ind == n) continue; /* blank */
    if (ind == 0) {         /* a section header: GEM, GIT, PATH, PLATFORMS, DEPENDENCIES, ... */
      source = (n == 3 && memcmp(line, "GEM", 3) == 0) || (n == 3 && memcmp(line, "GIT", 3) == 0) ||
               (n == 4 && memcmp(line, "PATH", 4) == 0) || (n == 13 && memcmp(line, "PLUGIN SOURCE", 13) == 0);
      specs = false;
      continue;
    }
    if (!source) continue;
    if (ind == 2) {
      specs = n == 8 && memcmp(line + 2, "specs:", 6) == 0;
      continue;
    }
    if (ind != 4 || !specs) continue; /* 6 spaces: the dependencies of the spec above */
    /* "    name (version[-platform])" */
    const char *p = line + 4;
    size_t m = n - 4;
    const char *sp = memchr(p, ' ', m);
    if (!sp) continue;
    size_t name_len = (size_t)(sp - p);
    const char *v = sp + 1;
    size_t vn = m - name_len - 1;
    if (vn < 3 || v[0] != '(' || v[vn - 1] != ')') continue;
    v++;
    vn -= 2;
    const char *dash = memchr(v, '-', vn);
    if (dash) vn = (size_t)(dash - v);
    rc = bw_app_add(out, BW_PKG_GEM, p, name_len, v, vn, NULL, 0, &count, "Gemfile.lock", NULL, err);
  }
  if (rc) {
    out->packages->v.len = start;
    return rc;
  }
  bw_app_dedupe(out->packages, start);
  return 0;
}

/* ---- which files --------------------------------------------------------------------------- */

static bool gemspec_wants(const char *path) {
  size_t n = strlen(path);
  if (n <= 8 || memcmp(path + n - 8, ".gemspec", 8) != 0 || path[n - 9] == '/') return false;
  if (bw_str_startswith(path, "specifications/")) return true;
  const char *p = strstr(path, "/specifications/");
  return p != NULL;
}
static bool gemfile_lock_wants(const char *path) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  return strcmp(b, "Gemfile.lock") == 0 || strcmp(b, "gems.locked") == 0;
}

const bw_analyzer bw_analyzer_gemspec = {
    .name = "gemspec",
    .wants = gemspec_wants,
    .parse = bw_gemspec_parse,
    .max_bytes = BW_LIMIT_APP_META_BYTES,
};
const bw_analyzer bw_analyzer_gemfile_lock = {
    .name = "gemfile-lock",
    .wants = gemfile_lock_wants,
    .parse = bw_gemfile_lock_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
