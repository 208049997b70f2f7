/* Package URLs (https://github.com/package-url/purl-spec, "How to build a purl string"):
 *   pkg:<type>/<namespace segments>/<name>@<version>?<key>=<value>&... (keys sorted)
 * Every component is percent-encoded except the unreserved characters A-Z a-z 0-9 . - _ ~ and
 * ':' (the spec forbids encoding ':'), so "5.2.15-2+b2" becomes "5.2.15-2%2Bb2" and a Debian
 * epoch stays readable in the version, as in the spec's own example
 * pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64.
 * Type rules, following the spec's type definitions and Trivy where the spec leaves a choice:
 *   deb  namespace = OS family, name lowercased, version as dpkg has it (epoch included),
 *        distro=<family>-<version>
 *   rpm  namespace = OS family, version "V-R", epoch (when > 0) as the epoch= qualifier,
 *        distro=<family>-<version>
 *   apk  namespace = OS family, name lowercased, distro=<version> (as Trivy writes it)
 *   maven group:artifact -> namespace/name; npm @scope/name -> namespace/name, lowercased;
 *   pypi lowercased in PEP 503 form (runs of '-', '_', '.' -> '-'); golang lowercased, path before
 *   the last '/' is the namespace; composer vendor/name lowercased; cargo, gem, nuget: the name as is. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "report/report_util.h"
#include "report/result.h"

static bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == '~' || c == ':';
}

/* Percent-encodes [s, s+n). The spec encodes the UTF-8 bytes of a string; a byte that is not
 * part of valid UTF-8 (hostile metadata) is encoded as U+FFFD so that every purl decodes. */
static int put_enc(bw_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    size_t l = bw_report_utf8_seq(u + i, n - i);
    int rc = 0;
    if (l == 0) {
      rc = bw_buf_append(b, "%EF%BF%BD", 9, NULL);
      i++;
    } else if (l == 1 && unreserved(u[i])) {
      rc = bw_buf_append(b, &s[i], 1, NULL);
      i++;
    } else {
      for (size_t k = 0; k < l && !rc; k++, i++) {
        char e[3] = {'%', hex[u[i] >> 4], hex[u[i] & 15]};
        rc = bw_buf_append(b, e, 3, NULL);
      }
    }
    if (rc) return rc;
  }
  return 0;
}

static int put(bw_buf *b, const char *s) { return bw_buf_append(b, s, strlen(s), NULL); }

/* A lowercased (ASCII) copy; for pypi the PEP 503 normal form (runs of '-', '_', '.' become one
 * '-'), which is the spec's "underscore replaced with dash" and also what PyPI itself compares,
 * so "zope.interface" and "Zope_Interface" give the same purl. Caller frees. */
static char *lower_dup(const char *s, bool pypi) {
  char *d = strdup(s);
  if (!d) return NULL;
  size_t k = 0;
  bool prev_sep = false;
  for (size_t i = 0; d[i]; i++) { /* in place: k <= i */
    char c = d[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    bool sep = pypi && (c == '_' || c == '.' || c == '-');
    if (sep && prev_sep) continue;
    prev_sep = sep;
    d[k++] = sep ? '-' : c;
  }
  d[k] = 0;
  return d;
}

/* Namespace segments split at '/', empty segments dropped, each encoded. */
static int put_namespace(bw_buf *b, const char *ns, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && ns[j] != '/') j++;
    if (j > i) {
      int rc = put_enc(b, ns + i, j - i);
      if (!rc) rc = put(b, "/");
      if (rc) return rc;
    }
    i = j + 1;
  }
  return 0;
}

/* rpm epoch when the package has none recorded separately: the "E:" prefix of its version. */
static long rpm_epoch(const bw_package *p, const char **rest) {
  *rest = p->version;
  if (p->epoch >= 0) {
    const char *c = p->version ? strchr(p->version, ':') : NULL;
    if (c) *rest = c + 1;
    return p->epoch;
  }
  if (!p->version) return -1;
  const char *c = strchr(p->version, ':');
  if (!c || c == p->version) return -1;
  long e = 0;
  for (const char *q = p->version; q < c; q++) {
    if (*q < '0' || *q > '9' || e > 100000000) return -1;
    e = e * 10 + (*q - '0');
  }
  *rest = c + 1;
  return e;
}

const char *bw_purl(bw_arena *a, const bw_package *p, const bw_os_info *os) {
  if (!a || !p || !p->name || !*p->name) return NULL;
  const char *type = bw_pkg_type_name(p->type);
  if (strcmp(type, "unknown") == 0) return NULL;

  const char *family = os && os->family && *os->family ? os->family : NULL;
  const char *osver = os && os->version && *os->version ? os->version : NULL;
  char *owned_name = NULL, *owned_family = family ? lower_dup(family, false) : NULL;
  if (family && !owned_family) return NULL;

  const char *ns = NULL, *name = p->name, *version = p->version;
  size_t ns_len = 0;
  char *distro = NULL;
  long epoch = -1;
  char *rpm_ver = NULL;
  bool oom = false;

  switch (p->type) {
  case BW_PKG_DEB:
  case BW_PKG_APK:
    ns = owned_family;
    name = owned_name = lower_dup(p->name, false);
    if (family && osver) {
      size_t need = strlen(family) + strlen(osver) + 2;
      distro = malloc(need);
      if (distro) {
        if (p->type == BW_PKG_DEB)
          snprintf(distro, need, "%s-%s", owned_family, osver);
        else
          snprintf(distro, need, "%s", osver);
      } else {
        oom = true;
      }
    }
    break;
  case BW_PKG_RPM: {
    ns = owned_family;
    const char *rest;
    epoch = rpm_epoch(p, &rest);
    if (p->rpm_version && p->rpm_release) {
      size_t need = strlen(p->rpm_version) + strlen(p->rpm_release) + 2;
      if ((rpm_ver = malloc(need))) snprintf(rpm_ver, need, "%s-%s", p->rpm_version, p->rpm_release);
      else oom = true;
      version = rpm_ver;
    } else {
      version = rest;
    }
    if (family && osver) {
      size_t need = strlen(family) + strlen(osver) + 2;
      if ((distro = malloc(need))) snprintf(distro, need, "%s-%s", owned_family, osver);
      else oom = true;
    }
    break;
  }
  case BW_PKG_NPM:
  case BW_PKG_GOLANG:
  case BW_PKG_PYPI:
  case BW_PKG_COMPOSER: /* the spec: composer names are not case sensitive and must be lowercased */
    name = owned_name = lower_dup(p->name, p->type == BW_PKG_PYPI);
    break;
  case BW_PKG_MAVEN:
  case BW_PKG_CARGO:
  case BW_PKG_GEM:
  case BW_PKG_NUGET:
    break;
  }
  if (!name) oom = true;

  /* maven "group:artifact", npm "@scope/name", golang "host/path/mod", composer "vendor/name" */
  if (!oom && (p->type == BW_PKG_MAVEN || p->type == BW_PKG_NPM || p->type == BW_PKG_GOLANG ||
               p->type == BW_PKG_COMPOSER)) {
    const char *sep = p->type == BW_PKG_MAVEN ? strrchr(name, ':') : strrchr(name, '/');
    if (sep && sep[1]) {
      ns = name;
      ns_len = (size_t)(sep - name);
      name = sep + 1;
    }
  } else if (ns) {
    ns_len = strlen(ns);
  }

  bw_buf b;
  bw_buf_init(&b, 0);
  int rc = oom ? -BW_ENOMEM : 0;
  if (!rc) rc = put(&b, "pkg:");
  if (!rc) rc = put(&b, type);
  if (!rc) rc = put(&b, "/");
  if (!rc && ns) {
    /* maven groups use '.' not '/': one segment; the others may have several */
    if (p->type == BW_PKG_MAVEN) {
      rc = put_enc(&b, ns, ns_len);
      if (!rc) rc = put(&b, "/");
    } else {
      rc = put_namespace(&b, ns, ns_len);
    }
  }
  if (!rc) rc = put_enc(&b, name, strlen(name));
  if (!rc && version && *version) {
    rc = put(&b, "@");
    if (!rc) rc = put_enc(&b, version, strlen(version));
  }
  /* qualifiers, sorted by key: arch, distro, epoch */
  char sep = '?';
  if (!rc && p->arch && *p->arch) {
    rc = bw_buf_append(&b, &sep, 1, NULL);
    if (!rc) rc = put(&b, "arch=");
    if (!rc) rc = put_enc(&b, p->arch, strlen(p->arch));
    sep = '&';
  }
  if (!rc && distro) {
    rc = bw_buf_append(&b, &sep, 1, NULL);
    if (!rc) rc = put(&b, "distro=");
    if (!rc) rc = put_enc(&b, distro, strlen(distro));
    sep = '&';
  }
  if (!rc && epoch > 0) {
    char num[32];
    snprintf(num, sizeof num, "%ld", epoch);
    rc = bw_buf_append(&b, &sep, 1, NULL);
    if (!rc) rc = put(&b, "epoch=");
    if (!rc) rc = put(&b, num);
  }

  const char *res = rc ? NULL : bw_arena_strndup(a, b.data, b.len);
  bw_buf_dispose(&b);
  free(owned_name);
  free(owned_family);
  free(distro);
  free(rpm_ver);
  return res;
}
