/* The Java archive analyser (java.h): Maven identities of jar/war/ear files and of the archives
 * nested in them, read from memory with the bounded zip reader (zip.h).
 *
 * Per archive, only what identifies it is read: every pom.properties, the pom.xml beside each
 * (licences), META-INF/MANIFEST.MF, Tomcat's org/apache/catalina/util/ServerInfo.properties and
 * the nested archives. Class files are never inflated.
 *
 * Identity, following Trivy's jar parser (pkg/dependency/parser/java/jar) where it is offline,
 * with the differences marked (*):
 *  1. Every valid pom.properties (groupId, artifactId and version all set) is a package: a
 *     shaded/fat jar reports each library it embeds. The one whose artifactId and version match
 *     the file name ("log4j-core-2.14.0.jar") is the archive itself, and then nothing more is
 *     looked at.
 *  2. Tomcat (*): catalina classes carry ServerInfo.properties (server.info "Apache
 *     Tomcat/9.0.70", server.number 9.0.70.0), and Tomcat's jars have no pom.properties. Its
 *     version makes org.apache.tomcat:tomcat-catalina, or org.apache.tomcat.embed:tomcat-embed-core
 *     when the manifest names the embedded build (Bundle-SymbolicName org.apache.tomcat-embed-core),
 *     the names advisory databases (GHSA) use.
 *  3. Otherwise the manifest's main section (72-byte continuation lines unfolded):
 *     artifact: an Implementation-Title or Bundle-Name that is a plain lowercase artifact name
 *       and not the Bundle-SymbolicName (*), else the file name's artifact (*), else Trivy's
 *       choice (Implementation-Title, Specification-Title, Bundle-Name as written);
 *     version: Implementation-Version, the file name's version when the artifact came from it,
 *       Bundle-Version, Specification-Version;
 *     group: with Trivy's choice of artifact, Trivy's choice of group (Implementation-Vendor-Id,
 *       Bundle-SymbolicName without its last dot-part, Implementation-Vendor,
 *       Specification-Vendor; no group = no package, as in Trivy). Otherwise only what the jar
 *       states (*): Bundle-SymbolicName "<group>.<artifact>", else Implementation-Vendor-Id, else
 *       none, and the package is named by its artifact alone. Tomcat's bundles
 *       (Bundle-SymbolicName org.apache.tomcat-<x>) are org.apache.tomcat[.embed]:tomcat-<x> (*).
 *     With pom.properties present but none matching the file name, the manifest's identity is
 *     added only when no pom.properties explains it (same version, and a group that is a prefix
 *     of the other's, or the same artifact) (*: Trivy adds it always, so Debian's log4j-core.jar
 *     also becomes "org.apache:Apache Log4j Core").
 *  4. With no manifest identity, the file name alone ("heuristic-1.0.0-SNAPSHOT.jar"); Trivy asks
 *     Maven Central for the group here, offline we leave it unknown.
 * Trivy's online steps (Maven Central look-ups by SHA-1 and by artifactId) are not done: the
 * scanner works offline. */
#include "analyze/java.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/zip.h"
#include "base/common.h"
#include "base/limits.h"
#include "base/strutil.h"
#include "base/vec.h"

#define MAX_NAME_PART 256  /* a groupId, artifactId or version longer than this is not one */
#define MAX_LICENSES 4096  /* licence text kept for one package */
#define MAX_MEMBER_SHOWN 512

typedef struct span {
  const char *p;
  size_t n;
} span;

static bool span_eq(span a, const char *s) { return a.p && a.n == strlen(s) && memcmp(a.p, s, a.n) == 0; }
static bool spans_eq(span a, span b) { return a.p && b.p && a.n == b.n && memcmp(a.p, b.p, a.n) == 0; }

static const char *const archive_exts[] = {"jar", "war", "ear", "par", "hpi", "jpi"};

/* Extension of [name, name+n) when it is an archive's; the dot's index in *dot. */
static bool archive_ext(const char *name, size_t n, size_t *dot) {
  const char *d = memrchr(name, '.', n);
  if (!d || (size_t)(name + n - d) != 4) return false;
  for (size_t i = 0; i < BW_ARRAY_LEN(archive_exts); i++)
    if (strncasecmp(d + 1, archive_exts[i], 3) == 0) {
      *dot = (size_t)(d - name);
      return true;
    }
  return false;
}

bool bw_java_wants(const char *path) {
  size_t dot, n = strlen(path);
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  /* "x/.jar" is no archive name; the base must have a stem */
  return archive_ext(path, n, &dot) && path + dot > base;
}

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' || c == '_' || c == '-';
}

bool bw_java_split_file_name(const char *name, size_t len, const char **artifact, size_t *artifact_len,
                             const char **version, size_t *version_len) {
  const char *slash = memrchr(name, '/', len);
  if (slash) {
    len -= (size_t)(slash + 1 - name);
    name = slash + 1;
  }
  size_t stem;
  if (!archive_ext(name, len, &stem)) return false;
  /* ^([a-zA-Z0-9._-]*[^-*])-(\d\S*).jar$ : group 1 is greedy, so the last split that fits wins */
  for (size_t i = stem; i-- > 1;) {
    if (name[i] != '-' || i + 1 >= stem || !is_digit(name[i + 1])) continue;
    if (name[i - 1] == '-' || name[i - 1] == '*') continue;
    bool ok = true;
    for (size_t k = 0; k + 1 < i && ok; k++) ok = is_plain(name[k]);
    for (size_t k = i + 1; k < stem && ok; k++) ok = !is_ws(name[k]);
    if (!ok) continue;
    *artifact = name;
    *artifact_len = i;
    *version = name + i + 1;
    *version_len = stem - i - 1;
    return true;
  }
  return false;
}

/* ---------- text formats ---------- */

/* A value we may report: trimmed, non-empty, short, printable, not an unexpanded variable
 * ("%bundleName" localisation keys, "${project.version}"). */
static bool sane_value(span *v, size_t max) {
  bw_trim(&v->p, &v->n);
  if (!v->p || v->n == 0 || v->n > max || v->p[0] == '%') return false;
  for (size_t i = 0; i < v->n; i++) {
    unsigned char c = (unsigned char)v->p[i];
    if (c < 0x20 || c == 0x7f) return false;
    if (c == '$' && i + 1 < v->n && v->p[i + 1] == '{') return false;
  }
  return true;
}

/* Java .properties lines "key=value", "key: value", "key value" (no continuation lines or
 * escapes: pom.properties and ServerInfo.properties use neither). Calls cb for each pair. */
static void properties_each(const char *s, size_t n, void (*cb)(void *, span, span), void *ctx) {
  size_t i = 0;
  while (i < n) {
    size_t e = i;
    while (e < n && s[e] != '\n' && s[e] != '\r') e++;
    size_t k = i;
    while (k < e && (s[k] == ' ' || s[k] == '\t' || s[k] == '\f')) k++;
    if (k < e && s[k] != '#' && s[k] != '!') {
      size_t ke = k;
      while (ke < e && s[ke] != '=' && s[ke] != ':' && s[ke] != ' ' && s[ke] != '\t') ke++;
      size_t v = ke;
      while (v < e && (s[v] == ' ' || s[v] == '\t')) v++;
      if (v < e && (s[v] == '=' || s[v] == ':')) v++;
      cb(ctx, (span){s + k, ke - k}, (span){s + v, e - v});
    }
    i = e + 1;
  }
}

typedef struct pomprops {
  span group, artifact, version;
} pomprops;

static void pom_cb(void *ctx, span k, span v) {
  pomprops *p = ctx;
  if (span_eq(k, "groupId")) p->group = v;
  else if (span_eq(k, "artifactId")) p->artifact = v;
  else if (span_eq(k, "version")) p->version = v;
}

typedef struct serverinfo {
  span info, number;
} serverinfo;

static void serverinfo_cb(void *ctx, span k, span v) {
  serverinfo *s = ctx;
  if (span_eq(k, "server.info")) s->info = v;
  else if (span_eq(k, "server.number")) s->number = v;
}

/* The Tomcat version ServerInfo.properties states: "Apache Tomcat/9.0.70 (Debian)" -> 9.0.70,
 * else server.number "9.0.70.0" without its always-zero fourth part. */
static bool tomcat_version(serverinfo *si, span *out) {
  span v = si->info;
  const char *slash = v.p ? memchr(v.p, '/', v.n) : NULL;
  if (slash) {
    span t = {slash + 1, (size_t)(v.p + v.n - slash - 1)};
    size_t e = 0;
    while (e < t.n && !is_ws(t.p[e])) e++;
    t.n = e;
    if (t.n && is_digit(t.p[0]) && sane_value(&t, MAX_NAME_PART)) {
      *out = t;
      return true;
    }
  }
  v = si->number;
  if (sane_value(&v, MAX_NAME_PART) && is_digit(v.p[0])) {
    size_t dots = 0;
    for (size_t i = 0; i < v.n; i++) dots += v.p[i] == '.';
    if (dots == 3 && v.n > 2 && v.p[v.n - 2] == '.' && v.p[v.n - 1] == '0') v.n -= 2;
    *out = v;
    return true;
  }
  return false;
}

/* The manifest headers we use, from its main section (up to the first empty line). */
enum {
  M_IMPL_TITLE,
  M_IMPL_VERSION,
  M_IMPL_VENDOR,
  M_IMPL_VENDOR_ID,
  M_SPEC_TITLE,
  M_SPEC_VERSION,
  M_SPEC_VENDOR,
  M_BUNDLE_NAME,
  M_BUNDLE_VERSION,
  M_BUNDLE_SYMBOLIC,
  M_BUNDLE_LICENSE,
  M_COUNT
};
static const char *const manifest_keys[M_COUNT] = {
    "Implementation-Title", "Implementation-Version", "Implementation-Vendor", "Implementation-Vendor-Id",
    "Specification-Title",  "Specification-Version",  "Specification-Vendor",  "Bundle-Name",
    "Bundle-Version",       "Bundle-SymbolicName",    "Bundle-License"};

typedef struct manifest {
  char *text; /* the unfolded main section (malloc'd); the spans point into it */
  span v[M_COUNT];
} manifest;

/* Unfolds continuation lines (a line starting with one space continues the previous one) of the
 * main section and records the headers we use (names compare case-insensitively, as the JAR
 * specification says). */
static int manifest_parse(manifest *m, const char *s, size_t n, bw_error *err) {
  memset(m, 0, sizeof *m);
  m->text = malloc(n + 1);
  if (!m->text) return bw_error_set(err, BW_ENOMEM, "out of memory reading a manifest");
  size_t o = 0, i = 0;
  bool first = true;
  while (i < n) {
    size_t e = i;
    while (e < n && s[e] != '\n' && s[e] != '\r') e++;
    size_t next = e < n && s[e] == '\r' && e + 1 < n && s[e + 1] == '\n' ? e + 2 : e + 1;
    if (e == i) break; /* empty line: end of the main section */
    if (s[i] == ' ' && !first) {
      memcpy(m->text + o, s + i + 1, e - i - 1);
      o += e - i - 1;
    } else {
      if (!first) m->text[o++] = '\n';
      memcpy(m->text + o, s + i, e - i);
      o += e - i;
      first = false;
    }
    i = next;
  }
  m->text[o] = 0;
  for (size_t p = 0; p < o;) {
    size_t e = p;
    while (e < o && m->text[e] != '\n') e++;
    const char *colon = memchr(m->text + p, ':', e - p);
    if (colon) {
      size_t kn = (size_t)(colon - (m->text + p));
      for (int k = 0; k < M_COUNT; k++) {
        if (strlen(manifest_keys[k]) == kn && strncasecmp(m->text + p, manifest_keys[k], kn) == 0) {
          span v = {colon + 1, (size_t)(m->text + e - colon - 1)};
          if (sane_value(&v, MAX_LICENSES)) m->v[k] = v;
          break;
        }
      }
    }
    p = e + 1;
  }
  return 0;
}

static void manifest_dispose(manifest *m) { free(m->text); }

/* Licence names of a pom.xml: the text of project/licenses/license/name elements. A tiny tag
 * walker (comments, processing instructions, CDATA, namespace prefixes), not a full XML parser:
 * enough for Maven's own POM layout. Names are joined with " AND " into buf. */
static void pom_licenses(const char *s, size_t n, char *buf, size_t cap) {
  static const char *const want[4] = {"project", "licenses", "license", "name"};
  size_t depth = 0;            /* elements open */
  size_t matched = 0;          /* how many of want[] the open elements match, from the root */
  size_t o = 0;
  bool capture = false, space = false, any = false;
  buf[0] = 0;
  size_t i = 0;
  while (i < n) {
    if (s[i] != '<') {
      if (capture) {
        size_t e = i;
        while (e < n && s[e] != '<') e++;
        for (size_t k = i; k < e && o + 2 < cap; k++) {
          char c = s[k];
          if (c == '&') { /* the five predefined entities; others are kept as written */
            static const struct { const char *ent; char c; } ents[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
            for (size_t x = 0; x < BW_ARRAY_LEN(ents); x++) {
              size_t l = strlen(ents[x].ent);
              if (e - k >= l && memcmp(s + k, ents[x].ent, l) == 0) {
                c = ents[x].c;
                k += l - 1;
                break;
              }
            }
          }
          if (is_ws(c) || (unsigned char)c < 0x20) {
            space = o > 0 && buf[o - 1] != ' ';
            continue;
          }
          if (space && o + 2 < cap) buf[o++] = ' ';
          space = false;
          buf[o++] = c;
        }
        i = e;
      } else {
        const char *lt = memchr(s + i, '<', n - i);
        i = lt ? (size_t)(lt - s) : n;
      }
      continue;
    }
    if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
      const char *end = memmem(s + i + 4, n - i - 4, "-->", 3);
      i = end ? (size_t)(end - s) + 3 : n;
      continue;
    }
    if (n - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
      const char *end = memmem(s + i + 9, n - i - 9, "]]>", 3);
      size_t e = end ? (size_t)(end - s) : n;
      for (size_t k = i + 9; capture && k < e && o + 2 < cap; k++) buf[o++] = is_ws(s[k]) ? ' ' : s[k];
      i = end ? e + 3 : n;
      continue;
    }
    const char *gt = memchr(s + i, '>', n - i);
    if (!gt) break;
    size_t e = (size_t)(gt - s);
    if (s[i + 1] == '?' || s[i + 1] == '!') {
      i = e + 1;
      continue;
    }
    bool closing = s[i + 1] == '/';
    bool empty = !closing && e > i && s[e - 1] == '/';
    size_t ns = i + 1 + closing;
    size_t ne = ns;
    while (ne < e && !is_ws(s[ne]) && s[ne] != '/') ne++;
    const char *colon = memchr(s + ns, ':', ne - ns);
    if (colon) ns = (size_t)(colon - s) + 1;
    size_t nl = ne - ns;
    if (closing) {
      if (depth > 0) {
        if (capture) {
          capture = false;
          while (o > 0 && buf[o - 1] == ' ') o--;
          buf[o] = 0;
        }
        if (matched == depth) matched--;
        depth--;
      }
    } else if (!empty) {
      if (matched == depth && depth < 4 && strlen(want[depth]) == nl && memcmp(s + ns, want[depth], nl) == 0) {
        matched++;
        if (matched == 4) {
          if (any && o + 6 < cap) {
            memcpy(buf + o, " AND ", 5);
            o += 5;
          }
          capture = true;
          space = false;
          any = true;
        }
      }
      depth++;
    }
    i = e + 1;
  }
  /* an " AND " followed by an empty name */
  if (o >= 5 && memcmp(buf + o - 5, " AND ", 5) == 0) o -= 5;
  buf[o < cap ? o : cap - 1] = 0;
}

/* Bundle-License (OSGi core 3.2.1.9): comma-separated clauses "name;link=...;description=...".
 * Names are kept; URLs of well-known licences become their SPDX id; other URLs and the
 * <<EXTERNAL>> marker say nothing about which licence it is and are dropped. */
static void bundle_licenses(span v, char *buf, size_t cap) {
  static const struct {
    const char *frag, *id;
  } urls[] = {
      {"apache.org/licenses/license-2.0", "Apache-2.0"},
      {"opensource.org/licenses/apache-2.0", "Apache-2.0"},
      {"opensource.org/licenses/mit", "MIT"},
      {"opensource.org/licenses/bsd-3-clause", "BSD-3-Clause"},
      {"opensource.org/licenses/bsd-2-clause", "BSD-2-Clause"},
      {"eclipse.org/legal/epl-v10", "EPL-1.0"},
      {"eclipse.org/legal/epl-2.0", "EPL-2.0"},
      {"eclipse.org/org/documents/epl-v10", "EPL-1.0"},
      {"eclipse.org/org/documents/epl-2.0", "EPL-2.0"},
      {"eclipse.org/org/documents/edl-v10", "BSD-3-Clause"},
      {"mozilla.org/mpl/2.0", "MPL-2.0"},
  };
  size_t o = 0;
  buf[0] = 0;
  size_t i = 0;
  while (i <= v.n) {
    /* a clause ends at a comma outside quotes */
    size_t e = i;
    bool q = false;
    while (e < v.n && (q || v.p[e] != ',')) {
      if (v.p[e] == '"') q = !q;
      e++;
    }
    size_t ne = i;
    q = false;
    while (ne < e && (q || v.p[ne] != ';')) {
      if (v.p[ne] == '"') q = !q;
      ne++;
    }
    span name = {v.p + i, ne - i};
    bw_trim(&name.p, &name.n);
    if (name.n >= 2 && name.p[0] == '"' && name.p[name.n - 1] == '"') name.p++, name.n -= 2;
    const char *id = NULL;
    size_t idn = 0;
    bool url = name.n > 7 && (strncasecmp(name.p, "http://", 7) == 0 || strncasecmp(name.p, "https://", 8) == 0);
    if (url) {
      for (size_t k = 0; k < BW_ARRAY_LEN(urls) && !id; k++) {
        size_t fl = strlen(urls[k].frag);
        for (size_t j = 0; j + fl <= name.n; j++)
          if (strncasecmp(name.p + j, urls[k].frag, fl) == 0) {
            id = urls[k].id;
            idn = strlen(id);
            break;
          }
      }
    } else if (name.n && !span_eq(name, "<<EXTERNAL>>")) {
      id = name.p;
      idn = name.n;
    }
    if (id && o + idn + 6 < cap) {
      /* already listed? (parts are separated by " AND ") */
      bool dup = false;
      for (size_t p = 0; p < o && !dup;) {
        const char *sep = strstr(buf + p, " AND ");
        size_t pl = sep ? (size_t)(sep - (buf + p)) : o - p;
        dup = pl == idn && memcmp(buf + p, id, idn) == 0;
        p += pl + 5;
      }
      if (!dup) {
        if (o) {
          memcpy(buf + o, " AND ", 5);
          o += 5;
        }
        memcpy(buf + o, id, idn);
        o += idn;
        buf[o] = 0;
      }
    }
    i = e + 1;
  }
}

/* ---------- the walk ---------- */

typedef struct walk {
  bw_analyze_out *out;
  bw_zip_budget budget;
  size_t packages;
  size_t archives; /* nested archives opened */
  unsigned warnings;
  bool budget_hit;
} walk;

static void wwarn(walk *w, const char *fmt, ...) BW_PRINTF(2, 3);
static void wwarn(walk *w, const char *fmt, ...) {
  if (w->warnings > BW_LIMIT_ARCHIVE_WARNINGS) return;
  if (w->warnings++ == BW_LIMIT_ARCHIVE_WARNINGS) {
    bw_analyze_warn(w->out, "more than %d problems in this file: the rest are not reported",
                    BW_LIMIT_ARCHIVE_WARNINGS);
    return;
  }
  char msg[BW_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  bw_analyze_warn(w->out, "%s", msg);
}

/* A member name fit for messages and paths: control bytes become '?', at most max bytes. */
static void shown_name(const char *s, size_t n, char *out, size_t max) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 1 < max; i++) {
    unsigned char c = (unsigned char)s[i];
    out[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
  }
  out[o] = 0;
}

/* One archive being identified (one nesting level). */
typedef struct level {
  walk *w;
  const bw_zip *z;
  const uint8_t *buf;
  size_t len;
  const char *pkgpath; /* NULL for the file itself, else "<file>!<member>..." in the arena */
  const char *rel;     /* the archive inside the file ("" for the file itself), for messages */
  size_t first;        /* index of this level's first package */
  long own;            /* index of the package that is this archive, -1 when none yet */
} level;

/* Reads a member for this level; 1 = skipped with a warning, 0 = read, <0 = fatal (OOM). */
static int read_member(level *lv, const bw_zip_entry *e, size_t max, const uint8_t **data, size_t *len,
                       uint8_t **owned, bw_error *err) {
  bw_error rerr = {0};
  int rc = bw_zip_read(lv->z, e, max, &lv->w->budget, data, len, owned, &rerr);
  if (rc == 0) return 0;
  if (rerr.code == BW_ENOMEM) return bw_error_set(err, BW_ENOMEM, "%s", rerr.msg);
  bool budget = rerr.code == BW_ELIMIT && strstr(rerr.msg, "BW_LIMIT_ARCHIVE_INFLATED");
  if (budget && lv->w->budget_hit) return 1;
  lv->w->budget_hit |= budget;
  char name[MAX_MEMBER_SHOWN];
  shown_name(e->name, e->name_len, name, sizeof name);
  wwarn(lv->w, "member %s%s%s: %s: skipped", lv->rel, *lv->rel ? "!" : "", name, rerr.msg);
  return 1;
}

static char *arena_span(bw_arena *a, span s) { return bw_arena_strndup(a, s.p, s.n); }

/* Appends a package; its index in *index when not NULL. own: it is this archive (gets the digest).
 * dedup: first look for the same name and version among this level's packages (O(n): only for
 * the one or two identities beyond the pom.properties, which are deduplicated by sorting). */
static int emit(level *lv, const char *group, size_t gn, const char *artifact, size_t an, const char *version,
                size_t vn, const char *licenses, bool own, bool dedup, size_t *index, bw_error *err) {
  walk *w = lv->w;
  bw_analyze_out *out = w->out;
  char *name = gn ? bw_arena_printf(out->arena, "%.*s:%.*s", (int)gn, group, (int)an, artifact)
                  : bw_arena_strndup(out->arena, artifact, an);
  char *ver = bw_arena_strndup(out->arena, version, vn);
  if (!name || !ver) return bw_error_set(err, BW_ENOMEM, "out of memory");
  for (size_t i = lv->first; dedup && i < bw_pkglist_len(out->packages); i++) {
    bw_package *p = bw_pkglist_at(out->packages, i);
    if (strcmp(p->name, name) == 0 && strcmp(p->version, ver) == 0) {
      if (own && lv->own < 0) lv->own = (long)i;
      if (index) *index = i;
      return 0;
    }
  }
  if (w->packages >= BW_LIMIT_PACKAGES)
    return bw_error_set(err, BW_ELIMIT, "more than %u packages in one archive (BW_LIMIT_PACKAGES)",
                        (unsigned)BW_LIMIT_PACKAGES);
  bw_package *p = bw_pkglist_add(out->packages, err);
  if (!p) return -err->code;
  w->packages++;
  p->type = BW_PKG_MAVEN;
  p->name = name;
  p->version = ver;
  p->licenses = licenses && *licenses ? bw_arena_strdup(out->arena, licenses) : NULL;
  p->path = lv->pkgpath;
  if (own && lv->own < 0) lv->own = (long)(bw_pkglist_len(out->packages) - 1);
  if (index) *index = bw_pkglist_len(out->packages) - 1;
  return 0;
}

/* A plain lowercase Maven artifact name ("spring-core", "javax.el"), not a title ("Apache Tomcat"). */
static bool artifact_like(span s) {
  if (!s.p || s.n == 0 || s.n > MAX_NAME_PART) return false;
  if (!((s.p[0] >= 'a' && s.p[0] <= 'z') || is_digit(s.p[0]))) return false;
  for (size_t i = 0; i < s.n; i++) {
    char c = s.p[i];
    if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

static bool group_like(span s) {
  if (!s.p || s.n == 0 || s.n > MAX_NAME_PART) return false;
  for (size_t i = 0; i < s.n; i++)
    if (!is_plain(s.p[i])) return false;
  return true;
}

typedef struct ident {
  span group, artifact, version;
  bool valid;
} ident;

/* Bundle-SymbolicName without its parameters ("org.x.y;singleton:=true"). */
static span symbolic_name(const manifest *m) {
  span s = m->v[M_BUNDLE_SYMBOLIC];
  if (!s.p) return s;
  const char *semi = memchr(s.p, ';', s.n);
  if (semi) s.n = (size_t)(semi - s.p);
  bw_trim(&s.p, &s.n);
  return s;
}

/* Step 3 of the file comment. file_a/file_v: the file name's split, .p NULL when none. */
static ident manifest_identity(const manifest *m, span file_a, span file_v) {
  ident id = {0};
  span bsn = symbolic_name(m);
  span title = m->v[M_IMPL_TITLE], bname = m->v[M_BUNDLE_NAME];
  static const char tomcat[] = "org.apache.tomcat-";
  bool trivy = false, from_file = false;
  if (bsn.n > strlen(tomcat) && strncmp(bsn.p, tomcat, strlen(tomcat)) == 0 &&
      artifact_like((span){bsn.p + 11, bsn.n - 11})) {
    /* Tomcat's bundles: Bundle-SymbolicName org.apache.tomcat-<x> is org.apache.tomcat:tomcat-<x> */
    id.artifact = (span){bsn.p + 11, bsn.n - 11};
    bool embed = id.artifact.n > 13 && strncmp(id.artifact.p, "tomcat-embed-", 13) == 0;
    id.group = embed ? (span){"org.apache.tomcat.embed", 23} : (span){"org.apache.tomcat", 17};
  } else if (artifact_like(title) && !spans_eq(title, bsn)) {
    id.artifact = title;
  } else if (artifact_like(bname) && !spans_eq(bname, bsn)) {
    id.artifact = bname;
  } else if (file_a.p) {
    id.artifact = file_a;
    from_file = true;
  } else {
    trivy = true;
    id.artifact = title.p ? title : m->v[M_SPEC_TITLE].p ? m->v[M_SPEC_TITLE] : bname;
  }
  if (!id.artifact.p || !sane_value(&id.artifact, MAX_NAME_PART)) return id;

  span v = m->v[M_IMPL_VERSION];
  if (!v.p && file_v.p && (from_file || spans_eq(id.artifact, file_a))) v = file_v;
  if (!v.p) v = m->v[M_BUNDLE_VERSION];
  if (!v.p) v = m->v[M_SPEC_VERSION];
  if (!v.p || !sane_value(&v, MAX_NAME_PART)) return id;
  id.version = v;

  if (id.group.p) {
    /* set above */
  } else if (trivy) {
    span g = m->v[M_IMPL_VENDOR_ID];
    if (!g.p && bsn.p) {
      g = bsn;
      const char *dot = memrchr(bsn.p, '.', bsn.n);
      if (dot && dot > bsn.p) g.n = (size_t)(dot - bsn.p);
    }
    if (!g.p) g = m->v[M_IMPL_VENDOR];
    if (!g.p) g = m->v[M_SPEC_VENDOR];
    if (!g.p || !sane_value(&g, MAX_NAME_PART)) return id; /* Trivy: no group, no package */
    id.group = g;
  } else if (bsn.n > id.artifact.n + 1 && bsn.p[bsn.n - id.artifact.n - 1] == '.' &&
             memcmp(bsn.p + bsn.n - id.artifact.n, id.artifact.p, id.artifact.n) == 0) {
    id.group = (span){bsn.p, bsn.n - id.artifact.n - 1}; /* com.fasterxml.jackson.core.jackson-databind */
  } else if (group_like(m->v[M_IMPL_VENDOR_ID])) {
    id.group = m->v[M_IMPL_VENDOR_ID];
  }
  id.valid = true;
  return id;
}

static bool prefix_of(span a, span b) { return a.n <= b.n && memcmp(a.p, b.p, a.n) == 0; }

/* A valid pom.properties of this archive (strings in the arena). */
typedef struct pom {
  const char *group, *artifact, *version;
  const char *dir; /* the member's directory, to find the pom.xml beside it */
  size_t dir_len;
  size_t index; /* of its package */
  long dup_of;  /* an earlier pom.properties stating the same library, or -1 */
} pom;

static int cmp_pom(const void *a, const void *b) {
  const pom *x = *(const pom *const *)a, *y = *(const pom *const *)b;
  int c = strcmp(x->group, y->group);
  if (!c) c = strcmp(x->artifact, y->artifact);
  if (!c) c = strcmp(x->version, y->version);
  if (!c) c = (x > y) - (x < y); /* the earlier member first */
  return c;
}

/* Marks every pom.properties that repeats an earlier one (a library stated twice in one archive,
 * a pom.properties copied around) in O(n log n): hostile archives may hold 10^5 of them. */
static int mark_duplicates(bw_vec *poms, bw_error *err) {
  if (poms->len < 2) return 0;
  pom **v = malloc(poms->len * sizeof *v);
  if (!v) return bw_error_set(err, BW_ENOMEM, "out of memory");
  for (size_t i = 0; i < poms->len; i++) v[i] = bw_vec_at(poms, pom, i);
  qsort(v, poms->len, sizeof *v, cmp_pom);
  for (size_t i = 1; i < poms->len; i++) {
    pom *a = v[i - 1], *b = v[i];
    if (strcmp(a->group, b->group) == 0 && strcmp(a->artifact, b->artifact) == 0 && strcmp(a->version, b->version) == 0)
      b->dup_of = a->dup_of >= 0 ? a->dup_of : (long)(a - bw_vec_at(poms, pom, 0));
  }
  free(v);
  return 0;
}

/* pom.xml members, sorted by name, to find the one beside a pom.properties in O(log n). */
static int cmp_member(const void *a, const void *b, void *zip) {
  const bw_zip *z = zip;
  const bw_zip_entry *x = &z->entries[*(const size_t *)a], *y = &z->entries[*(const size_t *)b];
  size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
  int c = memcmp(x->name, y->name, n);
  return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

static long find_member(const bw_zip *z, const bw_vec *sorted, const char *dir, size_t dir_len, const char *base) {
  size_t bl = strlen(base), lo = 0, hi = sorted->len;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const bw_zip_entry *e = &z->entries[*bw_vec_at(sorted, size_t, mid)];
    /* compare e->name with dir + base */
    int c = 0;
    size_t n = e->name_len;
    size_t k = 0;
    for (; k < n && k < dir_len + bl && c == 0; k++) {
      unsigned char want = (unsigned char)(k < dir_len ? dir[k] : base[k - dir_len]);
      c = (int)(unsigned char)e->name[k] - (int)want;
    }
    if (c == 0) c = (n > dir_len + bl) - (n < dir_len + bl);
    if (c == 0) return (long)*bw_vec_at(sorted, size_t, mid);
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

static span S(const char *s) { return (span){s, s ? strlen(s) : 0}; }

static int sha1_digest(level *lv, bw_error *err) {
  bw_package *p = bw_pkglist_at(lv->w->out->packages, (size_t)lv->own);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdn = 0;
  if (EVP_Digest(lv->buf, lv->len, md, &mdn, EVP_sha1(), NULL) != 1 || mdn != 20)
    return bw_error_set(err, BW_ENOMEM, "SHA-1 failed");
  char hex[5 + 40 + 1] = "sha1:";
  static const char hx[] = "0123456789abcdef";
  for (unsigned i = 0; i < mdn; i++) {
    hex[5 + 2 * i] = hx[md[i] >> 4];
    hex[6 + 2 * i] = hx[md[i] & 15];
  }
  hex[45] = 0;
  p->digest = bw_arena_strdup(lv->w->out->arena, hex);
  return p->digest ? 0 : bw_error_set(err, BW_ENOMEM, "out of memory");
}

static int walk_archive(walk *w, const bw_zip *z, const uint8_t *buf, size_t len, const char *fname, size_t fname_len,
                        const char *pkgpath, unsigned depth, bw_error *err);

/* Opens a nested archive member and walks it; problems become warnings. */
static int walk_nested(level *lv, const bw_zip_entry *e, unsigned depth, bw_error *err) {
  walk *w = lv->w;
  char name[MAX_MEMBER_SHOWN];
  shown_name(e->name, e->name_len, name, sizeof name);
  if (depth > BW_LIMIT_ARCHIVE_DEPTH) {
    wwarn(w, "member %s%s%s: archive nested more than %d levels deep (BW_LIMIT_ARCHIVE_DEPTH): not opened", lv->rel,
          *lv->rel ? "!" : "", name, BW_LIMIT_ARCHIVE_DEPTH);
    return 0;
  }
  if (w->archives >= BW_LIMIT_ARCHIVE_NESTED) {
    if (w->archives++ == BW_LIMIT_ARCHIVE_NESTED)
      wwarn(w, "member %s%s%s: more than %u nested archives in this file (BW_LIMIT_ARCHIVE_NESTED): the rest are "
            "not opened", lv->rel, *lv->rel ? "!" : "", name, BW_LIMIT_ARCHIVE_NESTED);
    return 0;
  }
  w->archives++;
  const uint8_t *data;
  size_t dlen;
  uint8_t *owned = NULL;
  int rc = read_member(lv, e, BW_LIMIT_ARCHIVE_BYTES, &data, &dlen, &owned, err);
  if (rc) return rc < 0 ? rc : 0;
  const char *top = w->out->path ? w->out->path : "";
  char *child = bw_arena_printf(w->out->arena, "%s!%s", lv->pkgpath ? lv->pkgpath : top, name);
  if (!child) {
    free(owned);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  bw_zip cz;
  bw_error zerr = {0};
  rc = bw_zip_open(&cz, data, dlen, &zerr);
  if (rc < 0) {
    if (zerr.code == BW_ENOMEM) rc = bw_error_set(err, BW_ENOMEM, "%s", zerr.msg);
    else {
      wwarn(w, "member %s%s%s: %s: skipped", lv->rel, *lv->rel ? "!" : "", name, zerr.msg);
      rc = 0;
    }
  } else {
    rc = walk_archive(w, &cz, data, dlen, e->name, e->name_len, child, depth, err);
  }
  bw_zip_dispose(&cz);
  free(owned);
  return rc;
}

static const char *base_of(const char *s, size_t n, size_t *bn) {
  const char *slash = memrchr(s, '/', n);
  const char *b = slash ? slash + 1 : s;
  *bn = (size_t)(s + n - b);
  return b;
}

static int walk_archive(walk *w, const bw_zip *z, const uint8_t *buf, size_t len, const char *fname, size_t fname_len,
                        const char *pkgpath, unsigned depth, bw_error *err) {
  bw_analyze_out *out = w->out;
  level lv = {.w = w, .z = z, .buf = buf, .len = len, .pkgpath = pkgpath, .first = bw_pkglist_len(out->packages), .own = -1};
  lv.rel = pkgpath ? pkgpath + strlen(out->path ? out->path : "") + 1 : "";

  span file_a = {0}, file_v = {0};
  if (fname && bw_java_split_file_name(fname, fname_len, &file_a.p, &file_a.n, &file_v.p, &file_v.n)) {
    if (!sane_value(&file_a, MAX_NAME_PART) || !sane_value(&file_v, MAX_NAME_PART)) file_a = file_v = (span){0};
  }

  bw_vec poms, pomxml, nested;
  bw_vec_init(&poms, sizeof(pom), BW_LIMIT_PACKAGES);
  bw_vec_init(&pomxml, sizeof(size_t), BW_LIMIT_PACKAGES);
  bw_vec_init(&nested, sizeof(size_t), BW_LIMIT_ARCHIVE_ENTRIES);
  long mf = -1, si = -1;
  manifest m = {0};
  int rc = 0;

  /* Which members matter. */
  for (size_t i = 0; i < z->count && rc == 0; i++) {
    const bw_zip_entry *e = &z->entries[i];
    if (bw_zip_entry_is_dir(e)) continue;
    size_t bn;
    const char *b = base_of(e->name, e->name_len, &bn);
    size_t dot;
    if (bn == 14 && memcmp(b, "pom.properties", 14) == 0) {
      const uint8_t *d;
      size_t dl;
      uint8_t *owned = NULL;
      int r = read_member(&lv, e, BW_LIMIT_ARCHIVE_META_BYTES, &d, &dl, &owned, err);
      if (r < 0) rc = r;
      if (r) continue;
      pomprops pp = {0};
      properties_each((const char *)d, dl, pom_cb, &pp);
      if (sane_value(&pp.group, MAX_NAME_PART) && sane_value(&pp.artifact, MAX_NAME_PART) &&
          sane_value(&pp.version, MAX_NAME_PART)) {
        if (poms.len >= BW_LIMIT_PACKAGES) {
          free(owned);
          rc = bw_error_set(err, BW_ELIMIT, "more than %u pom.properties in one archive (BW_LIMIT_PACKAGES)",
                            (unsigned)BW_LIMIT_PACKAGES);
          break;
        }
        pom *p = bw_vec_push(&poms);
        if (p) {
          p->group = arena_span(out->arena, pp.group);
          p->artifact = arena_span(out->arena, pp.artifact);
          p->version = arena_span(out->arena, pp.version);
          p->dir = e->name;
          p->dir_len = (size_t)(b - e->name);
          p->dup_of = -1;
        }
        if (!p || !p->group || !p->artifact || !p->version) rc = bw_error_set(err, BW_ENOMEM, "out of memory");
      }
      free(owned);
    } else if (bn == 7 && memcmp(b, "pom.xml", 7) == 0) {
      size_t *slot = bw_vec_push(&pomxml);
      if (slot) *slot = i;
    } else if (e->name_len == 20 && strncasecmp(e->name, "META-INF/MANIFEST.MF", 20) == 0) {
      mf = (long)i;
    } else if (e->name_len == 46 && memcmp(e->name, "org/apache/catalina/util/ServerInfo.properties", 46) == 0) {
      si = (long)i;
    } else if (archive_ext(b, bn, &dot) && dot > 0) {
      size_t *slot = bw_vec_push(&nested);
      if (!slot) {
        wwarn(w, "%s: too many nested archives", *lv.rel ? lv.rel : "the file itself");
        continue;
      }
      *slot = i;
    }
  }

  const uint8_t *d;
  size_t dl;
  uint8_t *owned = NULL;
  if (rc == 0 && mf >= 0) {
    int r = read_member(&lv, &z->entries[mf], BW_LIMIT_ARCHIVE_META_BYTES, &d, &dl, &owned, err);
    if (r < 0) rc = r;
    if (r == 0) rc = manifest_parse(&m, (const char *)d, dl, err);
    free(owned);
    owned = NULL;
  }
  serverinfo sinfo = {0};
  span tver = {0};
  bool tomcat = false;
  uint8_t *si_owned = NULL;
  if (rc == 0 && si >= 0) {
    int r = read_member(&lv, &z->entries[si], BW_LIMIT_ARCHIVE_META_BYTES, &d, &dl, &si_owned, err);
    if (r < 0) rc = r;
    if (r == 0) {
      properties_each((const char *)d, dl, serverinfo_cb, &sinfo);
      tomcat = tomcat_version(&sinfo, &tver);
    }
  }
  char bl[MAX_LICENSES];
  bl[0] = 0;
  if (m.v[M_BUNDLE_LICENSE].p) bundle_licenses(m.v[M_BUNDLE_LICENSE], bl, sizeof bl);

  /* 1. pom.properties */
  if (rc == 0) rc = mark_duplicates(&poms, err);
  if (rc == 0 && pomxml.len > 1) qsort_r(pomxml.data, pomxml.len, sizeof(size_t), cmp_member, (void *)z);
  for (size_t i = 0; i < poms.len && rc == 0; i++) {
    pom *p = bw_vec_at(&poms, pom, i);
    bool own = file_a.p && span_eq(file_a, p->artifact) && span_eq(file_v, p->version);
    if (p->dup_of >= 0) {
      p->index = bw_vec_at(&poms, pom, (size_t)p->dup_of)->index;
      if (own && lv.own < 0) lv.own = (long)p->index;
      continue;
    }
    char lic[MAX_LICENSES];
    lic[0] = 0;
    long x = find_member(z, &pomxml, p->dir, p->dir_len, "pom.xml");
    if (x >= 0) {
      const uint8_t *xd;
      size_t xl;
      uint8_t *xo = NULL;
      int r = read_member(&lv, &z->entries[x], BW_LIMIT_ARCHIVE_META_BYTES, &xd, &xl, &xo, err);
      if (r < 0) rc = r;
      if (r == 0) pom_licenses((const char *)xd, xl, lic, sizeof lic);
      free(xo);
    }
    if (own && !lic[0]) memcpy(lic, bl, strlen(bl) + 1);
    if (rc == 0)
      rc = emit(&lv, p->group, strlen(p->group), p->artifact, strlen(p->artifact), p->version, strlen(p->version),
                lic, own, false, &p->index, err);
  }
  bool own_by_file = lv.own >= 0;

  /* 2. Tomcat's ServerInfo.properties */
  bool tomcat_is_own = false;
  if (rc == 0 && tomcat) {
    span bsn = symbolic_name(&m);
    bool embed = bsn.n >= 28 && strncmp(bsn.p, "org.apache.tomcat-embed-core", 28) == 0;
    const char *g = embed ? "org.apache.tomcat.embed" : "org.apache.tomcat";
    const char *a = embed ? "tomcat-embed-core" : "tomcat-catalina";
    bool stated = false;
    for (size_t i = 0; i < poms.len; i++) {
      pom *p = bw_vec_at(&poms, pom, i);
      stated |= strcmp(p->artifact, a) == 0;
    }
    tomcat_is_own = poms.len == 0;
    if (!stated)
      rc = emit(&lv, g, strlen(g), a, strlen(a), tver.p, tver.n, tomcat_is_own ? bl : NULL, tomcat_is_own, true, NULL,
                err);
  }

  /* 3./4. the manifest, then the file name */
  if (rc == 0 && !own_by_file && !tomcat_is_own) {
    ident id = manifest_identity(&m, file_a, file_v);
    long explained = -1;
    for (size_t i = 0; id.valid && i < poms.len && explained < 0; i++) {
      pom *p = bw_vec_at(&poms, pom, i);
      span pg = S(p->group);
      if (!span_eq(id.version, p->version)) continue;
      if ((id.group.n && (prefix_of(id.group, pg) || prefix_of(pg, id.group))) || span_eq(id.artifact, p->artifact))
        explained = (long)i;
    }
    if (id.valid && explained < 0) {
      rc = emit(&lv, id.group.p, id.group.n, id.artifact.p, id.artifact.n, id.version.p, id.version.n, bl, true, true,
                NULL, err);
    } else if (poms.len == 1 || explained >= 0) {
      /* the archive's single pom.properties, or the one its manifest describes, is the archive */
      pom *p = bw_vec_at(&poms, pom, explained >= 0 ? (size_t)explained : 0);
      bw_package *q = bw_pkglist_at(out->packages, p->index);
      lv.own = (long)p->index;
      if (!q->licenses && bl[0] && !(q->licenses = bw_arena_strdup(out->arena, bl)))
        rc = bw_error_set(err, BW_ENOMEM, "out of memory");
    }
  }
  if (rc == 0 && lv.own >= 0) rc = sha1_digest(&lv, err);
  free(si_owned);
  manifest_dispose(&m);

  /* nested archives, one at a time (their bytes are freed before the next is read) */
  for (size_t i = 0; i < nested.len && rc == 0; i++)
    rc = walk_nested(&lv, &z->entries[*bw_vec_at(&nested, size_t, i)], depth + 1, err);

  bw_vec_dispose(&poms);
  bw_vec_dispose(&pomxml);
  bw_vec_dispose(&nested);
  return rc;
}

int bw_java_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  bw_zip z;
  int rc = bw_zip_open(&z, buf, len, err);
  if (rc < 0) {
    bw_zip_dispose(&z);
    return rc;
  }
  walk w = {.out = out, .budget = {.left = BW_LIMIT_ARCHIVE_INFLATED}};
  const char *path = out->path ? out->path : "";
  rc = walk_archive(&w, &z, buf, len, path, strlen(path), NULL, 0, err);
  bw_zip_dispose(&z);
  return rc;
}

const bw_analyzer bw_analyzer_java = {
    .name = "java",
    .wants = bw_java_wants,
    .parse = bw_java_parse,
    .max_bytes = BW_LIMIT_ARCHIVE_BYTES,
};
