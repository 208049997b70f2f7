/* Debian licences: dpkg's database records none, so, as Trivy does, they are read from
 * usr/share/doc/<package>/copyright: the License: fields of a machine-readable (DEP-5) file, or
 * else the /usr/share/common-licenses/<NAME> files a free-form file cites. */
#include <string.h>

#include "analyze/analyzer.h"
#include "base/buf.h"
#include "base/limits.h"
#include "base/strutil.h"

#define COPYRIGHT_MAX_LICENSES 32
#define COPYRIGHT_MAX_NAME 128

static bool copyright_wants(const char *path) {
  static const char prefix[] = "usr/share/doc/";
  if (strncmp(path, prefix, sizeof prefix - 1) != 0) return false;
  const char *name = path + sizeof prefix - 1;
  const char *slash = strchr(name, '/');
  return slash && slash != name && !strcmp(slash, "/copyright");
}

typedef struct {
  const char *names[COPYRIGHT_MAX_LICENSES];
  size_t lens[COPYRIGHT_MAX_LICENSES];
  size_t n;
} license_set;

static void add_license(license_set *set, const char *s, size_t n) {
  bw_trim(&s, &n);
  while (n && (s[n - 1] == '.' || s[n - 1] == ',' || s[n - 1] == '\'' || s[n - 1] == '"')) n--;
  if (!n || n > COPYRIGHT_MAX_NAME || set->n == COPYRIGHT_MAX_LICENSES) return;
  for (size_t i = 0; i < set->n; i++)
    if (set->lens[i] == n && !memcmp(set->names[i], s, n)) return;
  set->names[set->n] = s;
  set->lens[set->n++] = n;
}

static bool ci_prefix(const char *p, size_t avail, const char *word) {
  size_t n = strlen(word);
  if (avail < n) return false;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != word[i]) return false;
  }
  return true;
}

int bw_dpkg_copyright_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  const char *s = (const char *)buf, *end = s + len;
  license_set set = {0};
  /* DEP-5: the first paragraph has a Format: field naming the copyright-format spec */
  const char *first_blank = NULL;
  for (const char *p = s; p + 1 < end; p++)
    if (p[0] == '\n' && p[1] == '\n') {
      first_blank = p;
      break;
    }
  const char *head_end = first_blank ? first_blank : end;
  bool dep5 = false;
  for (const char *p = s; p < head_end; p++) {
    if ((p == s || p[-1] == '\n') && ci_prefix(p, (size_t)(head_end - p), "format:")) {
      const char *eol = memchr(p, '\n', (size_t)(head_end - p));
      size_t n = eol ? (size_t)(eol - p) : (size_t)(head_end - p);
      dep5 = memmem(p, n, "copyright-format", 16) || memmem(p, n, "dep5", 4) || memmem(p, n, "DEP-5", 5);
      break;
    }
  }
  for (const char *p = s; p < end;) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
    if (dep5) {
      if (ci_prefix(p, n, "license:")) add_license(&set, p + 8, n - 8);
    } else {
      static const char marker[] = "/usr/share/common-licenses/";
      const char *m = memmem(p, n, marker, sizeof marker - 1);
      while (m) {
        const char *name = m + sizeof marker - 1, *q = name;
        while (q < p + n && ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
                             *q == '.' || *q == '-' || *q == '+' || *q == '_'))
          q++;
        add_license(&set, name, (size_t)(q - name));
        m = memmem(q, (size_t)(p + n - q), marker, sizeof marker - 1);
      }
    }
    p = eol ? eol + 1 : end;
  }
  if (set.n == 0) return 0;
  /* the package name is the doc directory's name */
  const char *path = out->path ? out->path : "usr/share/doc/unknown/copyright";
  const char *name = path + strlen("usr/share/doc/");
  const char *slash = strchr(name, '/');
  bw_buf joined;
  bw_buf_init(&joined, COPYRIGHT_MAX_LICENSES * (COPYRIGHT_MAX_NAME + 5));
  int rc = 0;
  for (size_t i = 0; i < set.n && rc == 0; i++) {
    if (i) rc = bw_buf_append(&joined, " AND ", 5, err);
    if (rc == 0) rc = bw_buf_append(&joined, set.names[i], set.lens[i], err);
  }
  bw_package *pkg = rc == 0 ? bw_pkglist_add(out->packages, err) : NULL;
  if (pkg) {
    pkg->type = BW_PKG_DEB;
    pkg->name = bw_arena_strndup(out->arena, name, slash ? (size_t)(slash - name) : strlen(name));
    pkg->licenses = bw_arena_strndup(out->arena, joined.data, joined.len);
    if (!pkg->name || !pkg->licenses) rc = bw_error_set(err, BW_ENOMEM, "out of memory");
  } else if (rc == 0) {
    rc = -err->code;
  }
  bw_buf_dispose(&joined);
  return rc;
}

const bw_analyzer bw_analyzer_dpkg_copyright = {
    .name = "dpkg-copyright",
    .wants = copyright_wants,
    .parse = bw_dpkg_copyright_parse,
    .max_bytes = BW_LIMIT_SMALL_FILE_BYTES,
    .annotates = true,
};
