/* yarn.lock, both formats.
 *
 * Classic (yarn 1, "# yarn lockfile v1") is yarn's own indented format: an entry header at
 * column 0 lists the patterns it satisfies ("lodash@^4.0.0, lodash@^4.17.4:" - quoted when they
 * hold spaces or start with '@'), then fields at two spaces ("version \"4.17.21\"") and nested
 * blocks ("dependencies:") at four. yarn itself rejects odd indentation and tabs; so do we.
 *
 * Berry (yarn 2+) is YAML with a "__metadata" key first; each entry has "version" and
 * "resolution" ("name@npm:1.2.3"), which names the package actually installed (an alias key
 * "foo@npm:bar@^1" resolves to "bar@npm:1.0.0").
 *
 * Entries from local sources are the project's own code, not third-party packages: workspace:,
 * patch: (a locally patched copy of a package listed on its own), file:, link:, portal:, exec:.
 * yarn.lock says nothing about dev dependencies (that needs package.json), so dev stays 0. */
#include <string.h>

#include "analyze/npm.h"
#include "analyze/npm_internal.h"
#include "base/limits.h"

typedef struct span {
  const char *p;
  size_t n;
} span;

static bool local_protocol(const char *p, size_t n) {
  static const char *const local[] = {"workspace", "patch", "file", "link", "portal", "exec"};
  for (size_t i = 0; i < sizeof local / sizeof *local; i++)
    if (strlen(local[i]) == n && memcmp(local[i], p, n) == 0) return true;
  return false;
}

/* "name@range" (name may be "@scope/name") -> the installed package's name, and whether the range
 * comes from a local source. An "npm:" alias range names the real package: "foo@npm:bar@^1". */
static bool yarn_pattern(span pat, span *name, bool *local) {
  *local = false;
  if (pat.n < 2) return false;
  const char *at = memchr(pat.p + 1, '@', pat.n - 1);
  if (!at) return false;
  *name = (span){pat.p, (size_t)(at - pat.p)};
  const char *r = at + 1;
  size_t rn = pat.n - name->n - 1;
  if (rn >= 4 && memcmp(r, "npm:", 4) == 0) {
    const char *real = r + 4;
    size_t realn = rn - 4;
    const char *at2 = realn > 1 ? memchr(real + 1, '@', realn - 1) : NULL;
    if (at2) *name = (span){real, (size_t)(at2 - real)};
    return true;
  }
  size_t k = 0;
  while (k < rn && ((r[k] >= 'a' && r[k] <= 'z') || r[k] == '+')) k++;
  if (k > 0 && k < rn && r[k] == ':') *local = local_protocol(r, k);
  return true;
}

/* ---- classic ---------------------------------------------------------------------------- */

typedef struct yc {
  const char *s;
  size_t n;
  size_t lineno;
  bw_arena *arena;
} yc;

/* One token of a line at [*i, end): a "quoted string" (JSON escapes, ASCII only) or a bare word
 * ending at one of `stops` or the end. The decoded text goes to the arena. */
static int yc_token(yc *c, const char *line, size_t end, size_t *i, const char *stops, span *out, bw_error *err) {
  if (*i < end && line[*i] == '"') {
    char *d = bw_arena_alloc(c->arena, end - *i);
    if (!d) return bw_error_set(err, BW_ENOMEM, "out of memory reading yarn.lock");
    size_t o = 0, k = *i + 1;
    for (;;) {
      if (k >= end) return BW_CORRUPT(err, "yarn.lock line %zu: unterminated string", c->lineno);
      char ch = line[k];
      if (ch == '"') break;
      if (ch == '\\') {
        if (k + 1 >= end) return BW_CORRUPT(err, "yarn.lock line %zu: unterminated string", c->lineno);
        char x = line[k + 1];
        k += 2;
        switch (x) {
        case '"': case '\\': case '/': d[o++] = x; break;
        case 'n': d[o++] = '\n'; break;
        case 't': d[o++] = '\t'; break;
        case 'r': d[o++] = '\r'; break;
        case 'b': d[o++] = '\b'; break;
        case 'f': d[o++] = '\f'; break;
        case 'u': {
          unsigned v = 0;
          for (int h = 0; h < 4; h++, k++) {
            char hc = k < end ? line[k] : 0;
            int dv = hc >= '0' && hc <= '9' ? hc - '0' : hc >= 'a' && hc <= 'f' ? hc - 'a' + 10
                   : hc >= 'A' && hc <= 'F' ? hc - 'A' + 10 : -1;
            if (dv < 0) return BW_CORRUPT(err, "yarn.lock line %zu: bad \\u escape", c->lineno);
            v = v << 4 | (unsigned)dv;
          }
          if (v == 0 || v >= 0x80) return BW_CORRUPT(err, "yarn.lock line %zu: \\u escape outside ASCII", c->lineno);
          d[o++] = (char)v;
          break;
        }
        default: return BW_CORRUPT(err, "yarn.lock line %zu: bad escape", c->lineno);
        }
        continue;
      }
      d[o++] = ch;
      k++;
    }
    *out = (span){d, o};
    *i = k + 1;
    return 0;
  }
  size_t k = *i;
  while (k < end && !strchr(stops, line[k])) k++;
  if (k == *i) return BW_CORRUPT(err, "yarn.lock line %zu: expected a key or value", c->lineno);
  *out = (span){line + *i, k - *i};
  *i = k;
  return 0;
}

typedef struct yc_entry {
  bool open, skip, has_version;
  span name, version;
} yc_entry;

static int yc_flush(npm_emitter *e, yc_entry *en, bw_error *err) {
  int rc = 0;
  if (en->open && !en->skip && en->has_version && en->version.n)
    rc = npm_emit(e, en->name.p, en->name.n, en->version.p, en->version.n, 0, NULL, NULL, err);
  memset(en, 0, sizeof *en);
  return rc;
}

static int yarn_classic(npm_emitter *e, const char *s, size_t n, bw_error *err) {
  yc c = {s, n, 0, e->out->arena};
  yc_entry en = {0};
  bool nested = false; /* the last field opened a block ("dependencies:") */
  for (size_t pos = 0; pos < n;) {
    const char *line = s + pos;
    const char *nl = memchr(line, '\n', n - pos);
    size_t ln = nl ? (size_t)(nl - line) : n - pos;
    pos += ln + (nl != NULL);
    c.lineno++;
    if (ln && line[ln - 1] == '\r') ln--;
    if (ln > BW_LIMIT_FIELD_BYTES)
      return bw_error_set(err, BW_ELIMIT, "yarn.lock line %zu is longer than %u bytes (BW_LIMIT_FIELD_BYTES)",
                          c.lineno, (unsigned)BW_LIMIT_FIELD_BYTES);
    size_t ind = 0;
    while (ind < ln && line[ind] == ' ') ind++;
    if (ind < ln && line[ind] == '\t') return BW_CORRUPT(err, "yarn.lock line %zu: tab in indentation", c.lineno);
    size_t end = ln;
    while (end > ind && line[end - 1] == ' ') end--;
    if (end == ind || line[ind] == '#') continue; /* blank or comment */
    if (ind % 2) return BW_CORRUPT(err, "yarn.lock line %zu: odd indentation", c.lineno);
    if (memchr(line, 0, ln)) return BW_CORRUPT(err, "yarn.lock line %zu: NUL byte", c.lineno);

    if (ind == 0) { /* entry header: patterns, then ':' */
      int rc = yc_flush(e, &en, err);
      if (rc) return rc;
      if (line[end - 1] != ':') return BW_CORRUPT(err, "yarn.lock line %zu: entry does not end with ':'", c.lineno);
      size_t i = 0;
      span first = {0};
      for (bool more = true; more;) {
        span pat;
        if ((rc = yc_token(&c, line, end, &i, ",: ", &pat, err))) return rc;
        if (!first.p) first = pat;
        while (i < end && line[i] == ' ') i++;
        if (i < end && line[i] == ',') {
          i++;
          while (i < end && line[i] == ' ') i++;
        } else if (i == end - 1 && line[i] == ':') {
          more = false;
        } else {
          return BW_CORRUPT(err, "yarn.lock line %zu: expected ',' or ':' after a pattern", c.lineno);
        }
      }
      bool local;
      if (!yarn_pattern(first, &en.name, &local))
        return BW_CORRUPT(err, "yarn.lock line %zu: pattern is not name@range", c.lineno);
      en.open = true;
      en.skip = local;
      nested = false;
      continue;
    }
    if (!en.open) return BW_CORRUPT(err, "yarn.lock line %zu: indented line outside an entry", c.lineno);
    if (ind > 2) {
      if (!nested) return BW_CORRUPT(err, "yarn.lock line %zu: unexpected indentation", c.lineno);
      continue; /* dependency lists and other nested blocks: not needed */
    }
    size_t i = ind;
    span key, val;
    int rc = yc_token(&c, line, end, &i, ": ", &key, err);
    if (rc) return rc;
    if (i < end && line[i] == ':') {
      if (i + 1 != end) return BW_CORRUPT(err, "yarn.lock line %zu: text after ':'", c.lineno);
      nested = true;
      continue;
    }
    nested = false;
    while (i < end && line[i] == ' ') i++;
    if (i == end) return BW_CORRUPT(err, "yarn.lock line %zu: key without a value", c.lineno);
    if ((rc = yc_token(&c, line, end, &i, "", &val, err))) return rc;
    if (key.n == 7 && memcmp(key.p, "version", 7) == 0) {
      if (en.has_version) return BW_CORRUPT(err, "yarn.lock line %zu: version given twice", c.lineno);
      en.has_version = true;
      en.version = val;
    }
  }
  return yc_flush(e, &en, err);
}

/* ---- berry ------------------------------------------------------------------------------ */

static int yarn_berry(npm_emitter *e, const uint8_t *buf, size_t len, bw_error *err) {
  ny_node *root;
  int rc = ny_parse(&root, e->out->arena, buf, len, "yarn.lock", err);
  if (rc) return rc;
  if (!root) return 0;
  if (root->kind != NY_MAP) return BW_CORRUPT(err, "yarn.lock is not a YAML mapping");
  for (size_t i = 0; i < root->n; i++) {
    const char *key = ny_str(root->kids[2 * i]);
    const ny_node *v = root->kids[2 * i + 1];
    if (!key) return BW_CORRUPT(err, "yarn.lock: entry %zu has no text key", i);
    if (strcmp(key, "__metadata") == 0) continue;
    if (v->kind != NY_MAP) return BW_CORRUPT(err, "yarn.lock: entry \"%.80s\" is not a mapping", key);
    const ny_node *ver, *res;
    if ((rc = ny_get(v, "version", &ver, "yarn.lock", err)) || (rc = ny_get(v, "resolution", &res, "yarn.lock", err)))
      return rc;
    const char *version = ny_str(ver), *resolution = ny_str(res);
    if ((ver && !version) || (res && !resolution))
      return BW_CORRUPT(err, "yarn.lock: entry \"%.80s\": version or resolution is not text", key);
    span pat;
    if (resolution) {
      pat = (span){resolution, strlen(resolution)};
    } else { /* the first pattern of "a@npm:^1, a@npm:^1.2" */
      const char *comma = strstr(key, ", ");
      pat = (span){key, comma ? (size_t)(comma - key) : strlen(key)};
    }
    span name;
    bool local;
    if (!yarn_pattern(pat, &name, &local))
      return BW_CORRUPT(err, "yarn.lock: entry \"%.80s\" is not name@range", key);
    if (local || !version || !*version) continue;
    if ((rc = npm_emit(e, name.p, name.n, version, strlen(version), 0, NULL, NULL, err))) return rc;
  }
  return 0;
}

/* Berry lockfiles start (after comments) with the "__metadata:" key. */
static bool is_berry(const char *s, size_t n) {
  for (size_t pos = 0; pos < n;) {
    const char *line = s + pos;
    const char *nl = memchr(line, '\n', n - pos);
    size_t ln = nl ? (size_t)(nl - line) : n - pos;
    pos += ln + (nl != NULL);
    while (ln && (line[ln - 1] == '\r' || line[ln - 1] == ' ')) ln--;
    if (ln == 0 || line[0] == '#') continue;
    return (ln >= 11 && memcmp(line, "__metadata:", 11) == 0) ||
           (ln >= 13 && memcmp(line, "\"__metadata\":", 13) == 0);
  }
  return false;
}

int bw_yarn_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  if (len > BW_LIMIT_LOCKFILE_BYTES)
    return bw_error_set(err, BW_ELIMIT, "yarn.lock is %zu bytes, over %u (BW_LIMIT_LOCKFILE_BYTES)", len,
                        (unsigned)BW_LIMIT_LOCKFILE_BYTES);
  npm_emitter e;
  npm_emitter_init(&e, out, "yarn.lock");
  int rc = is_berry((const char *)buf, len) ? yarn_berry(&e, buf, len, err)
                                            : yarn_classic(&e, (const char *)buf, len, err);
  return npm_emitter_finish(&e, rc);
}

static bool yarn_wants(const char *path) {
  const char *slash = strrchr(path, '/');
  if (strcmp(slash ? slash + 1 : path, "yarn.lock") != 0) return false;
  for (const char *q = strstr(path, "node_modules/"); q; q = strstr(q + 1, "node_modules/"))
    if (q == path || q[-1] == '/') return false; /* shipped inside an installed package */
  return true;
}

const bw_analyzer bw_analyzer_yarn_lock = {
    .name = "yarn-lock",
    .wants = yarn_wants,
    .parse = bw_yarn_lock_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
