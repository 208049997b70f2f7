/* OS detection: os-release first (freedesktop os-release(5)), then the distribution release
 * files for images without os-release, or where a release file is more precise than
 * VERSION_ID (Alpine's alpine-release "3.18.0", CentOS's centos-release "7.9.2009").
 * Families are named the way Trivy names them (report/result.h). */
#include "analyze/os_detect.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/common.h"
#include "base/limits.h"
#include "base/log.h"

/* ------------------------------------------------------------------------------------------ */
/* Shell-style KEY=VALUE files (os-release, lsb-release, SuSE-release's "KEY = VALUE" lines). */

typedef int (*kv_cb)(void *ctx, const char *key, size_t kn, const char *val, size_t vn);

static bool kv_is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

static bool kv_key_ok(const char *k, size_t n) {
  if (!n) return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)k[i]) && k[i] != '_') return false;
  return true;
}

/* Decodes every assignment with systemd's env-file rules (what os-release(5) points to):
 * "#" comment lines, whitespace around the key and before the value is ignored, double quotes
 * take \" \\ \$ \` escapes (other backslashes stay), single quotes take nothing, outside quotes
 * a backslash quotes the next character and backslash-newline continues the line, trailing
 * unquoted whitespace is dropped, quoted strings may be concatenated and may span lines.
 * Malformed lines (no "=", bad key) are skipped, like systemd does. Values holding a NUL byte
 * cannot be C strings and are skipped too. Returns the first non-zero cb result, or 0. */
static int kv_parse(const char *buf, size_t len, kv_cb cb, void *ctx, bw_error *err) {
  _cleanup_free_ char *val = malloc(len + 1);
  if (!val) return bw_error_set(err, BW_ENOMEM, "out of memory reading a release file");
  size_t pos = 0;
  while (pos < len) {
    while (pos < len && (kv_is_space(buf[pos]) || buf[pos] == '\n')) pos++;
    if (pos >= len) break;
    const char *eol = memchr(buf + pos, '\n', len - pos);
    size_t line_end = eol ? (size_t)(eol - buf) : len;
    if (buf[pos] == '#' || buf[pos] == ';') {
      pos = line_end;
      continue;
    }
    const char *eq = memchr(buf + pos, '=', line_end - pos);
    if (!eq) {
      pos = line_end;
      continue;
    }
    const char *key = buf + pos;
    size_t kn = (size_t)(eq - key);
    while (kn && kv_is_space(key[kn - 1])) kn--;
    pos = (size_t)(eq - buf) + 1;
    while (pos < len && kv_is_space(buf[pos])) pos++;

    size_t vn = 0, keep = 0;
    bool has_nul = false;
    while (pos < len && buf[pos] != '\n') {
      char ch = buf[pos++];
      if (ch == '"') {
        while (pos < len && buf[pos] != '"') {
          char q = buf[pos++];
          if (q == '\\' && pos < len) {
            char e = buf[pos++];
            if (e == '\n') continue;
            if (e != '"' && e != '\\' && e != '$' && e != '`') val[vn++] = '\\';
            q = e;
          }
          val[vn++] = q;
        }
        if (pos < len) pos++; /* closing quote; an unterminated one ends at EOF */
        keep = vn;
      } else if (ch == '\'') {
        while (pos < len && buf[pos] != '\'') val[vn++] = buf[pos++];
        if (pos < len) pos++;
        keep = vn;
      } else if (ch == '\\') {
        if (pos >= len) break;
        char e = buf[pos++];
        if (e == '\n') continue;
        val[vn++] = e;
        keep = vn;
      } else {
        val[vn++] = ch;
        if (!kv_is_space(ch)) keep = vn;
      }
    }
    vn = keep;
    for (size_t i = 0; i < vn && !has_nul; i++) has_nul = val[i] == '\0';
    if (!kv_key_ok(key, kn) || has_nul) continue;
    val[vn] = '\0';
    int r = cb(ctx, key, kn, val, vn);
    if (r) return r;
  }
  return 0;
}

static bool kv_key_is(const char *key, size_t kn, const char *want) {
  return strlen(want) == kn && memcmp(key, want, kn) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* os-release */

/* os-release ID -> family. IDs not listed are reported as they are (see osr_finish). */
static const struct {
  const char *id, *family;
} os_families[] = {
    {"debian", "debian"},
    {"ubuntu", "ubuntu"},
    {"alpine", "alpine"},
    {"rhel", "redhat"},
    {"centos", "centos"},
    {"rocky", "rocky"},
    {"almalinux", "alma"},
    {"ol", "oracle"},
    {"fedora", "fedora"},
    {"amzn", "amazon"},
    {"opensuse-leap", "opensuse-leap"},
    {"opensuse", "opensuse-leap"}, /* Leap 42.x said ID=opensuse */
    {"opensuse-tumbleweed", "opensuse-tumbleweed"},
    {"sles", "sles"},
    {"photon", "photon"},
    {"wolfi", "wolfi"},
    {"chainguard", "chainguard"},
    {"alinux", "alinux"}, /* Alibaba Cloud Linux */
    {"anolis", "anolis"},
    {"mariner", "cbl-mariner"},
    {"azurelinux", "azurelinux"}, /* CBL-Mariner's successor (3.0) */
};

static const char *os_family_of_id(const char *id) {
  for (size_t i = 0; i < BW_ARRAY_LEN(os_families); i++)
    if (strcasecmp(id, os_families[i].id) == 0) return os_families[i].family;
  return NULL;
}

typedef struct osr_state {
  bw_arena *arena;
  const char *id, *version_id, *pretty, *name, *codename, *ubuntu_codename;
} osr_state;

static int osr_set(osr_state *s, const char **slot, const char *val, size_t vn) {
  *slot = bw_arena_strndup(s->arena, val, vn);
  return *slot ? 0 : -BW_ENOMEM;
}

static int osr_cb(void *ctx, const char *key, size_t kn, const char *val, size_t vn) {
  osr_state *s = ctx;
  if (kv_key_is(key, kn, "ID")) return osr_set(s, &s->id, val, vn);
  if (kv_key_is(key, kn, "VERSION_ID")) return osr_set(s, &s->version_id, val, vn);
  if (kv_key_is(key, kn, "PRETTY_NAME")) return osr_set(s, &s->pretty, val, vn);
  if (kv_key_is(key, kn, "NAME")) return osr_set(s, &s->name, val, vn);
  if (kv_key_is(key, kn, "VERSION_CODENAME")) return osr_set(s, &s->codename, val, vn);
  if (kv_key_is(key, kn, "UBUNTU_CODENAME")) return osr_set(s, &s->ubuntu_codename, val, vn);
  return 0;
}

/* An unknown ID is kept only when it looks like one (os-release(5): lower-case letters,
 * digits, "_-."), so that hostile bytes never become a family name. */
static bool osr_id_ok(const char *id) {
  size_t n = strlen(id);
  if (!n || n > 64) return false;
  for (size_t i = 0; i < n; i++)
    if (!islower((unsigned char)id[i]) && !isdigit((unsigned char)id[i]) && !strchr("_-.", id[i]))
      return false;
  return true;
}

static const char *nonempty(const char *s) { return s && *s ? s : NULL; }

/* Fills out from a parsed os-release; *known tells whether the family is one we recognise. */
static void osr_finish(bw_os_info *out, const osr_state *s, bool *known) {
  memset(out, 0, sizeof *out);
  const char *id = nonempty(s->id);
  const char *fam = id ? os_family_of_id(id) : NULL;
  *known = fam != NULL;
  out->family = fam ? fam : (id && osr_id_ok(id) ? id : NULL);
  out->version = nonempty(s->version_id);
  out->name = nonempty(s->pretty) ? s->pretty : nonempty(s->name);
  out->codename = nonempty(s->codename) ? s->codename : nonempty(s->ubuntu_codename);
  /* Google's distroless images keep Debian's os-release but say PRETTY_NAME="Distroless". */
  if (nonempty(s->pretty) && strncasecmp(s->pretty, "distroless", 10) == 0) out->distroless = 1;
}

static int osr_parse(bw_os_info *out, bool *known, bw_arena *arena, const uint8_t *buf, size_t len,
                     bw_error *err) {
  memset(out, 0, sizeof *out);
  *known = false;
  if (len > BW_LIMIT_SMALL_FILE_BYTES)
    return bw_error_set(err, BW_ELIMIT, "os-release is %zu bytes, over %u (BW_LIMIT_SMALL_FILE_BYTES)", len,
                        (unsigned)BW_LIMIT_SMALL_FILE_BYTES);
  osr_state s = {.arena = arena};
  int r = kv_parse((const char *)buf, len, osr_cb, &s, err);
  if (r) return r == -BW_ENOMEM ? bw_error_set(err, BW_ENOMEM, "out of memory reading os-release") : r;
  osr_finish(out, &s, known);
  return 0;
}

/* Parses one os-release file into out (strings in arena; out is cleared first). The family is
 * the ID mapped to Trivy's family names, or the raw ID when it is not one we know (NULL when
 * there is no usable ID); version = VERSION_ID, name = PRETTY_NAME (else NAME), codename =
 * VERSION_CODENAME (else UBUNTU_CODENAME); distroless = 1 when PRETTY_NAME says "Distroless".
 * Malformed lines are skipped. Errors: BW_ELIMIT (over BW_LIMIT_SMALL_FILE_BYTES), BW_ENOMEM. */
int bw_os_release_parse(bw_os_info *out, bw_arena *arena, const uint8_t *buf, size_t len, bw_error *err) {
  bool known;
  return osr_parse(out, &known, arena, buf, len, err);
}

/* ------------------------------------------------------------------------------------------ */
/* Distribution release files */

typedef struct rel_ctx {
  bw_arena *arena;
  const uint8_t *buf;
  size_t len;
  const char *file_family; /* the family a dedicated file (rocky-release, ...) stands for */
} rel_ctx;

/* First non-blank line, trimmed. */
static bool rel_first_line(const rel_ctx *c, const char **p, size_t *n) {
  const char *s = (const char *)c->buf, *end = s + c->len;
  while (s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    const char *a = s, *b = e;
    while (a < b && (kv_is_space(*a))) a++;
    while (b > a && (kv_is_space(b[-1]))) b--;
    if (b > a) {
      *p = a;
      *n = (size_t)(b - a);
      return memchr(a, '\0', *n) == NULL;
    }
    s = e + (nl != NULL);
  }
  return false;
}

static bool rel_version_char(char c) {
  return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '-';
}

/* The version token that starts with a digit at p (up to whitespace or "("). */
static size_t rel_version_token(const char *p, size_t n) {
  if (!n || !isdigit((unsigned char)p[0])) return 0;
  size_t i = 0;
  while (i < n && rel_version_char(p[i])) i++;
  return i;
}

/* "<Name> release <version> (<codename>)": the version after the word "release". */
static const char *rel_release_version(bw_arena *a, const char *line, size_t n) {
  for (size_t i = 0; i + 8 <= n; i++) {
    if (strncasecmp(line + i, "release ", 8) != 0 || (i && line[i - 1] != ' ')) continue;
    size_t j = i + 8;
    while (j < n && line[j] == ' ') j++;
    size_t vn = rel_version_token(line + j, n - j);
    return vn ? bw_arena_strndup(a, line + j, vn) : NULL;
  }
  return NULL;
}

/* The Red Hat family's release-file text names the distribution before " release". */
static const char *rel_redhat_family(const char *line, size_t n) {
  static const struct {
    const char *prefix, *family;
  } names[] = {
      {"red hat enterprise linux", "redhat"}, {"centos", "centos"},   {"rocky", "rocky"},
      {"almalinux", "alma"},                  {"alma linux", "alma"}, {"oracle", "oracle"},
      {"fedora", "fedora"},                   {"amazon linux", "amazon"}, {"anolis", "anolis"},
      {"alibaba cloud linux", "alinux"},      {"alinux", "alinux"},
  };
  for (size_t i = 0; i < BW_ARRAY_LEN(names); i++) {
    size_t pn = strlen(names[i].prefix);
    if (n >= pn && strncasecmp(line, names[i].prefix, pn) == 0) return names[i].family;
  }
  return NULL;
}

/* centos-release, rocky-release, ..., redhat-release, system-release. */
static bool rel_redhat(const rel_ctx *c, bw_os_info *o) {
  const char *line;
  size_t n;
  if (!rel_first_line(c, &line, &n)) return false;
  const char *fam = rel_redhat_family(line, n);
  if (!fam) fam = c->file_family; /* redhat-release with other text is RHEL-like (Trivy) */
  if (!fam) return false;
  o->family = fam;
  o->version = rel_release_version(c->arena, line, n);
  o->name = bw_arena_strndup(c->arena, line, n);
  return true;
}

static bool rel_alpine(const rel_ctx *c, bw_os_info *o) {
  const char *line;
  size_t n;
  if (!rel_first_line(c, &line, &n)) return false;
  size_t vn = rel_version_token(line, n); /* "3.18.0", "3.19_alpha20230901" */
  if (!vn) return false;
  o->family = "alpine";
  o->version = bw_arena_strndup(c->arena, line, vn);
  return true;
}

/* debian_version: "12.5" (reported as "12", Trivy's major, as VERSION_ID says), "9.13",
 * or "trixie/sid" on testing and unstable (kept whole). */
static bool rel_debian(const rel_ctx *c, bw_os_info *o) {
  const char *line;
  size_t n;
  if (!rel_first_line(c, &line, &n)) return false;
  size_t d = 0;
  while (d < n && isdigit((unsigned char)line[d])) d++;
  size_t vn = d && (d == n || line[d] == '.') ? d : n;
  for (size_t i = 0; i < vn; i++)
    if (!rel_version_char(line[i]) && line[i] != '/') return false;
  o->family = "debian";
  o->version = bw_arena_strndup(c->arena, line, vn);
  return true;
}

static bool rel_photon(const rel_ctx *c, bw_os_info *o) {
  const char *line;
  size_t n;
  if (!rel_first_line(c, &line, &n)) return false;
  /* "VMware Photon OS 4.0", "VMware Photon 1.0": the version is the last word */
  size_t s = n;
  while (s && line[s - 1] != ' ') s--;
  size_t vn = rel_version_token(line + s, n - s);
  if (!vn || !memmem(line, n, "Photon", 6)) return false;
  o->family = "photon";
  o->version = bw_arena_strndup(c->arena, line + s, vn);
  o->name = bw_arena_strndup(c->arena, line, n);
  return true;
}

typedef struct lsb_state {
  bw_arena *arena;
  const char *id, *release, *codename, *description;
} lsb_state;

static int lsb_cb(void *ctx, const char *key, size_t kn, const char *val, size_t vn) {
  lsb_state *s = ctx;
  const char **slot = kv_key_is(key, kn, "DISTRIB_ID")            ? &s->id
                      : kv_key_is(key, kn, "DISTRIB_RELEASE")     ? &s->release
                      : kv_key_is(key, kn, "DISTRIB_CODENAME")    ? &s->codename
                      : kv_key_is(key, kn, "DISTRIB_DESCRIPTION") ? &s->description
                                                                  : NULL;
  if (!slot) return 0;
  *slot = bw_arena_strndup(s->arena, val, vn);
  return *slot ? 0 : -BW_ENOMEM;
}

/* lsb-release is only trusted for Ubuntu: Debian and others write it too, less reliably. */
static bool rel_lsb(const rel_ctx *c, bw_os_info *o) {
  lsb_state s = {.arena = c->arena};
  bw_error e = {0};
  if (kv_parse((const char *)c->buf, c->len, lsb_cb, &s, &e) || !s.id || strcasecmp(s.id, "ubuntu") != 0)
    return false;
  o->family = "ubuntu";
  o->version = nonempty(s.release);
  o->codename = nonempty(s.codename);
  o->name = nonempty(s.description);
  return true;
}

typedef struct suse_state {
  bw_arena *arena;
  const char *version, *patchlevel;
} suse_state;

static int suse_cb(void *ctx, const char *key, size_t kn, const char *val, size_t vn) {
  suse_state *s = ctx;
  const char **slot = kv_key_is(key, kn, "VERSION") ? &s->version : kv_key_is(key, kn, "PATCHLEVEL") ? &s->patchlevel : NULL;
  if (!slot) return 0;
  *slot = bw_arena_strndup(s->arena, val, vn);
  return *slot ? 0 : -BW_ENOMEM;
}

/* SuSE-release (SLES 11/12, openSUSE 13.x / Leap 42.x):
 *   SUSE Linux Enterprise Server 11 (x86_64)     openSUSE 42.3 (x86_64)
 *   VERSION = 11                                 VERSION = 42.3
 *   PATCHLEVEL = 4                               CODENAME = Malachite
 * SLES is reported as VERSION_ID would say it: "11.4", or "12" for no service pack. */
static bool rel_suse(const rel_ctx *c, bw_os_info *o) {
  const char *line;
  size_t n;
  if (!rel_first_line(c, &line, &n)) return false;
  const char *fam = NULL;
  const char *first = bw_arena_strndup(c->arena, line, n);
  if (!first) return false;
  if (strcasestr(first, "opensuse"))
    fam = strcasestr(first, "tumbleweed") ? "opensuse-tumbleweed" : "opensuse-leap";
  else if (strcasestr(first, "suse linux enterprise server"))
    fam = "sles";
  if (!fam) return false;
  suse_state s = {.arena = c->arena};
  bw_error e = {0};
  if (kv_parse((const char *)c->buf, c->len, suse_cb, &s, &e)) return false;
  o->family = fam;
  o->name = first;
  if (nonempty(s.version) && rel_version_token(s.version, strlen(s.version)) == strlen(s.version)) {
    o->version = s.version;
    if (strcmp(fam, "sles") == 0 && nonempty(s.patchlevel) && strcmp(s.patchlevel, "0") != 0 &&
        rel_version_token(s.patchlevel, strlen(s.patchlevel)) == strlen(s.patchlevel))
      o->version = bw_arena_printf(c->arena, "%s.%s", s.version, s.patchlevel);
  }
  return true;
}

/* The release files in the order they are tried: the most specific first (Oracle Linux ships a
 * redhat-release that says "Red Hat Enterprise Linux", Ubuntu ships a debian_version that says
 * "bookworm/sid"), the generic ones last. */
static const struct {
  const char *path;
  const char *family; /* what the file stands for when its text names nothing we know */
  bool (*detect)(const rel_ctx *c, bw_os_info *o);
} rel_files[] = {
    {"etc/alpine-release", "alpine", rel_alpine},
    {"etc/oracle-release", "oracle", rel_redhat},
    {"etc/rocky-release", "rocky", rel_redhat},
    {"etc/almalinux-release", "alma", rel_redhat},
    {"etc/centos-release", "centos", rel_redhat},
    {"etc/fedora-release", "fedora", rel_redhat},
    {"etc/photon-release", "photon", rel_photon},
    {"etc/SuSE-release", NULL, rel_suse},
    {"etc/system-release", NULL, rel_redhat}, /* Amazon Linux; a symlink elsewhere */
    {"etc/redhat-release", "redhat", rel_redhat},
    {"etc/lsb-release", NULL, rel_lsb},
    {"etc/debian_version", "debian", rel_debian},
};

/* The first release file that detects a family (only `want` when non-NULL). */
static bool rel_scan(bw_os_info *o, const char *want, bw_arena *arena, bw_file_lookup lookup, void *ctx) {
  for (size_t i = 0; i < BW_ARRAY_LEN(rel_files); i++) {
    const uint8_t *buf;
    size_t len;
    if (!lookup(ctx, rel_files[i].path, &buf, &len) || len > BW_LIMIT_SMALL_FILE_BYTES) continue;
    if (want && rel_files[i].family && strcmp(rel_files[i].family, want) != 0 &&
        strcmp(rel_files[i].family, "redhat") != 0)
      continue; /* cheap skip: a dedicated file of another family */
    rel_ctx c = {.arena = arena, .buf = buf, .len = len, .file_family = rel_files[i].family};
    bw_os_info tmp;
    memset(&tmp, 0, sizeof tmp);
    if (!rel_files[i].detect(&c, &tmp)) continue;
    if (want && strcmp(tmp.family, want) != 0) continue;
    *o = tmp;
    return true;
  }
  return false;
}

/* ------------------------------------------------------------------------------------------ */

bool bw_os_wants(const char *path) {
  if (strcmp(path, "usr/lib/os-release") == 0) return true;
  if (strncmp(path, "etc/", 4) != 0) return false;
  if (strcmp(path, "etc/os-release") == 0) return true;
  for (size_t i = 0; i < BW_ARRAY_LEN(rel_files); i++)
    if (strcmp(path, rel_files[i].path) == 0) return true;
  return false;
}

/* Families whose release file carries a more precise version than VERSION_ID. */
static bool os_release_file_is_precise(const char *family) {
  return strcmp(family, "alpine") == 0 || strcmp(family, "centos") == 0;
}

/* Detects the OS of the merged image (see os_detect.h). os-release (etc/, then usr/lib/) wins
 * when its ID is a family we know; the family's release file then fills what os-release lacks
 * (VERSION_ID on Debian testing, codename) and replaces VERSION_ID for Alpine and CentOS.
 * Without a known os-release ID the release files decide; failing those, an unknown os-release
 * ID is reported as it is. An oversized os-release is skipped with a warning, oversized or
 * unrecognised release files quietly. Errors: BW_ENOMEM only. */
int bw_os_detect(bw_os_info *out, bw_arena *arena, bw_file_lookup lookup, void *ctx, bw_error *err) {
  memset(out, 0, sizeof *out);
  bw_os_info osr;
  memset(&osr, 0, sizeof osr);
  bool have_osr = false, known = false;
  static const char *const osr_paths[] = {"etc/os-release", "usr/lib/os-release"};
  for (size_t i = 0; i < BW_ARRAY_LEN(osr_paths) && !have_osr; i++) {
    const uint8_t *buf;
    size_t len;
    if (!lookup(ctx, osr_paths[i], &buf, &len)) continue;
    bw_error e = {0};
    int r = osr_parse(&osr, &known, arena, buf, len, &e);
    if (r == -BW_ENOMEM) return bw_error_set(err, BW_ENOMEM, "%s: %s", osr_paths[i], e.msg);
    if (r) {
      bw_warn("%s: %s (ignored)", osr_paths[i], e.msg);
      continue;
    }
    have_osr = true;
  }

  bw_os_info rel;
  memset(&rel, 0, sizeof rel);
  if (known) {
    *out = osr;
    if (rel_scan(&rel, out->family, arena, lookup, ctx)) {
      if (rel.version && (!out->version || os_release_file_is_precise(out->family))) out->version = rel.version;
      if (!out->codename) out->codename = rel.codename;
      if (!out->name) out->name = rel.name;
    }
  } else if (rel_scan(&rel, NULL, arena, lookup, ctx)) {
    *out = rel;
    out->distroless = osr.distroless;
  } else if (have_osr) {
    *out = osr;
  }
  return 0;
}
