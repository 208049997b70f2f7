/* sshd_config: PermitRootLogin, PasswordAuthentication, PermitEmptyPasswords as sshd reads them —
 * keywords case-insensitive, "Keyword value" or "Keyword=value", the first value obtained wins,
 * Include expanded in place (globs relative to /etc/ssh, matches in lexical order), and settings in
 * a Match block apply only to the connections it matches (reported at a lower severity). Debian's
 * compiled-in defaults (PermitRootLogin prohibit-password, PermitEmptyPasswords no) are safe;
 * PasswordAuthentication defaults to yes but is reported only when set explicitly. */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "baseline/internal.h"
#include "baseline/services_table.h"
#include "vuln/vulndb.h"

enum { OPT_ROOT, OPT_PASSWORD, OPT_EMPTY, NOPT };
static const char *const opt_name[NOPT] = {"PermitRootLogin", "PasswordAuthentication", "PermitEmptyPasswords"};

typedef struct sshd_ctx {
  bl_sink *s;
  const bl_fs *fs;
  bool set[NOPT];     /* global value obtained (first wins) */
  bool in_match;
  char match[128];    /* the current Match condition, for evidence */
  unsigned files;
  int rc;
} sshd_ctx;

static int parse_file(sshd_ctx *c, const bl_file *f, unsigned depth);

typedef struct inc_ctx {
  sshd_ctx *c;
  const char *pattern;
  unsigned depth;
} inc_ctx;

static int include_each(void *arg, const bl_file *f) {
  inc_ctx *ic = arg;
  if (fnmatch(ic->pattern, f->path, FNM_PATHNAME) != 0) return 0;
  return parse_file(ic->c, f, ic->depth + 1);
}

static int include(sshd_ctx *c, const char *w, size_t wn, unsigned depth) {
  if (depth + 1 >= BW_LIMIT_CONFIG_INCLUDE_DEPTH) return bl_warn(c->s, "sshd_config: Include nested too deep: ignored");
  char pat[512];
  const char *p = w;
  while (wn && p[0] == '/') p++, wn--;
  bool abs = p != w;
  snprintf(pat, sizeof pat, "%s%.*s", abs ? "" : "etc/ssh/", (int)wn, p);
  /* list below the longest directory prefix without glob characters */
  char prefix[512];
  snprintf(prefix, sizeof prefix, "%s", pat);
  char *g = strpbrk(prefix, "*?[");
  if (g) {
    *g = 0;
    char *slash = strrchr(prefix, '/');
    if (slash) slash[1] = 0;
    else prefix[0] = 0;
  }
  inc_ctx ic = {c, pat, depth};
  bool saved_in = c->in_match;
  char saved[128];
  snprintf(saved, sizeof saved, "%s", c->match);
  int rc = c->fs->list(c->fs->ctx, prefix, include_each, &ic);
  /* a Match inside an included file ends with that file */
  c->in_match = saved_in;
  snprintf(c->match, sizeof c->match, "%s", saved);
  return rc;
}

static int setting(sshd_ctx *c, const bl_file *f, uint32_t line, int opt, const char *v, size_t vn) {
  bool risky = bl_ieq(v, vn, "yes");
  if (!c->in_match) {
    if (c->set[opt]) return 0; /* the first obtained value wins */
    c->set[opt] = true;
  }
  if (!risky) return 0;
  static const int check[NOPT] = {SVC_SSH_ROOT, SVC_SSH_PASSWORD, SVC_SSH_EMPTY};
  const bl_check *ck = &bl_service_checks[check[opt]];
  int sev = -1;
  if (c->in_match) sev = ck->severity > BW_SEV_LOW ? ck->severity - 1 : ck->severity;
  return bl_emit(c->s, ck, sev, f->path, line, f->layer, "%s %.*s%s%s", opt_name[opt], (int)vn, v,
                 c->in_match ? " in Match " : "", c->in_match ? c->match : "");
}

static int parse_file(sshd_ctx *c, const bl_file *f, unsigned depth) {
  if (++c->files > BW_LIMIT_CONFIG_INCLUDES) {
    if (c->files == BW_LIMIT_CONFIG_INCLUDES + 1)
      return bl_warn(c->s, "sshd_config: more than %u included files: the rest ignored", BW_LIMIT_CONFIG_INCLUDES);
    return 0;
  }
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *line;
  size_t n;
  int rc = 0;
  while (rc == 0 && bl_lines_next(&l, &line, &n)) {
    const char *k, *v;
    size_t kn, vn;
    /* "Keyword value", "Keyword=value", "Keyword = value" */
    const char *p = line, *e = line + n;
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    if (p == e || *p == '#') continue;
    k = p;
    while (p < e && *p != ' ' && *p != '\t' && *p != '=') p++;
    kn = (size_t)(p - k);
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    if (p < e && *p == '=') p++;
    const char *rest = p;
    size_t rn = (size_t)(e - p);
    if (bl_ieq(k, kn, "Match")) {
      const char *cond = rest;
      size_t cn = rn;
      while (cn && (cond[cn - 1] == ' ' || cond[cn - 1] == '\t')) cn--;
      c->in_match = !bl_ieq(cond, cn, "all");
      snprintf(c->match, sizeof c->match, "%.*s", (int)(cn < 100 ? cn : 100), cond);
      continue;
    }
    if (bl_ieq(k, kn, "Include")) {
      while (rc == 0 && bl_word(&rest, &rn, &v, &vn)) rc = include(c, v, vn, depth);
      continue;
    }
    if (!bl_word(&rest, &rn, &v, &vn)) continue;
    if (vn >= 2 && (v[0] == '"' || v[0] == '\'') && v[vn - 1] == v[0]) v++, vn -= 2;
    for (int o = 0; o < NOPT; o++)
      if (bl_ieq(k, kn, opt_name[o])) rc = setting(c, f, l.lineno, o, v, vn);
  }
  return rc;
}

int bl_sshd(bl_sink *s, const bl_fs *fs, const char *main_path) {
  bl_file f;
  if (!fs->read(fs->ctx, main_path, &f)) return 0;
  sshd_ctx c = {.s = s, .fs = fs};
  return parse_file(&c, &f, 0);
}
