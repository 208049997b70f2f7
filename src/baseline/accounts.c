/* Accounts and passwords: /etc/passwd, /etc/shadow, /etc/group as captured in the image, weak
 * passwords (crack.c), and the password policy of /etc/login.defs and pam_pwquality. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/strutil.h"
#include "baseline/internal.h"
#include "vuln/vulndb.h"

enum { ACC_EMPTY, ACC_UID0, ACC_SYSSHELL, ACC_HASH_IN_PASSWD, ACC_DUP_UID, ACC_GROUP_PW };
enum { PWD_WEAK, PWD_WEAK_SCHEME, PWD_MAX_DAYS, PWD_MIN_LEN };

const bl_check bl_account_checks[] = {
    [ACC_EMPTY] = {"BW-ACC-001", "account", BW_SEV_HIGH, "Account with an empty password",
                   "Lock the account (RUN passwd -l NAME, or put '!' or '*' in its password field) or set a "
                   "strong password at deploy time; an empty field lets anyone log in as it."},
    [ACC_UID0] = {"BW-ACC-002", "account", BW_SEV_HIGH, "Account other than root with uid 0",
                  "Give the account its own uid (usermod -u) or remove it: every uid-0 account is root."},
    [ACC_SYSSHELL] = {"BW-ACC-003", "account", BW_SEV_MEDIUM, "System account with a login shell and a password",
                      "Set the shell of system accounts to /usr/sbin/nologin (usermod -s) and lock their "
                      "password (passwd -l)."},
    [ACC_HASH_IN_PASSWD] = {"BW-ACC-004", "account", BW_SEV_MEDIUM, "Password hash in world-readable /etc/passwd",
                            "Move hashes to /etc/shadow (pwconv) so that only root can read them."},
    [ACC_DUP_UID] = {"BW-ACC-005", "account", BW_SEV_LOW, "Accounts sharing a uid",
                     "Give every account its own uid: files and processes of one are the other's."},
    [ACC_GROUP_PW] = {"BW-ACC-006", "account", BW_SEV_LOW, "Group with a password",
                      "Remove group passwords (gpasswd -r GROUP): anyone knowing it can join the group with "
                      "newgrp."},
};
const size_t bl_n_account_checks = sizeof bl_account_checks / sizeof bl_account_checks[0];

const bl_check bl_password_checks[] = {
    [PWD_WEAK] = {"BW-PWD-001", "password", BW_SEV_HIGH, "Weak password",
                  "Lock the account (passwd -l) or set a long random password at deploy time; never bake "
                  "account passwords into an image."},
    [PWD_WEAK_SCHEME] = {"BW-PWD-002", "password", BW_SEV_MEDIUM, "Password hashed with a weak scheme",
                         "Re-hash with yescrypt or sha512crypt (set ENCRYPT_METHOD in /etc/login.defs and "
                         "change the password): DES and md5crypt hashes crack in minutes."},
    [PWD_MAX_DAYS] = {"BW-PWD-003", "password", BW_SEV_LOW, "Passwords never expire (PASS_MAX_DAYS)",
                      "Set PASS_MAX_DAYS 90 (or less) in /etc/login.defs and chage -M 90 for accounts with "
                      "passwords, or better, lock every password in the image."},
    [PWD_MIN_LEN] = {"BW-PWD-004", "password", BW_SEV_LOW, "Minimum password length below 8",
                     "Set minlen = 14 in /etc/security/pwquality.conf (and PASS_MIN_LEN in /etc/login.defs)."},
};
const size_t bl_n_password_checks = sizeof bl_password_checks / sizeof bl_password_checks[0];

typedef struct acct {
  const char *name, *pw, *shell, *hash; /* hash: from shadow when pw is "x", else pw */
  uint64_t uid, gid;
  uint32_t line, shadow_line;
  bool shadowed;
} acct;

typedef struct shadow_ent {
  const char *name, *hash;
  uint32_t line;
} shadow_ent;

/* Splits a colon-separated line into at most max fields (arena copies); returns the count. */
static size_t split_colon(bw_arena *a, const char *l, size_t n, const char **f, size_t max) {
  size_t k = 0, b = 0;
  for (size_t i = 0; i <= n && k < max; i++) {
    if (i == n || l[i] == ':') {
      f[k] = bw_arena_strndup(a, l + b, i - b);
      if (!f[k]) return (size_t)-1;
      k++;
      b = i + 1;
    }
  }
  return k;
}

static int shadow_cmp(const void *x, const void *y) {
  return strcmp(((const shadow_ent *)x)->name, ((const shadow_ent *)y)->name);
}

static bool usable_hash(const char *h) {
  return h && h[0] && h[0] != '!' && h[0] != '*' && strcmp(h, "x") != 0;
}

static bool login_shell(const char *sh) {
  if (!sh || !sh[0]) return true; /* empty = /bin/sh */
  const char *b = strrchr(sh, '/');
  b = b ? b + 1 : sh;
  static const char *const no[] = {"nologin", "false", "sync", "shutdown", "halt", "true", "git-shell", NULL};
  for (size_t i = 0; no[i]; i++)
    if (!strcmp(b, no[i])) return false;
  return true;
}

/* A "KEY value" setting of login.defs ([0] when absent). */
static bool defs_get(const bl_file *f, const char *key, char *out, size_t outsz, uint32_t *line) {
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *s;
  size_t n;
  bool found = false;
  while (bl_lines_next(&l, &s, &n)) {
    const char *w, *v;
    size_t wn, vn;
    if (!bl_word(&s, &n, &w, &wn) || w[0] == '#') continue;
    if (wn != strlen(key) || memcmp(w, key, wn) || !bl_word(&s, &n, &v, &vn)) continue;
    snprintf(out, outsz, "%.*s", (int)vn, v);
    *line = l.lineno;
    found = true; /* the last one wins, as shadow-utils reads it */
  }
  return found;
}

/* "minlen = N" of a pwquality.conf. */
static bool pwq_minlen(const bl_file *f, long *val, uint32_t *line) {
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *s;
  size_t n;
  bool found = false;
  while (bl_lines_next(&l, &s, &n)) {
    bw_trim(&s, &n);
    if (n < 6 || s[0] == '#' || strncmp(s, "minlen", 6)) continue;
    const char *p = s + 6;
    size_t m = n - 6;
    bw_trim(&p, &m);
    if (!m || p[0] != '=') continue;
    p++, m--;
    bw_trim(&p, &m);
    uint64_t v;
    if (bw_parse_u64(p, m, &v) && v < 100000) {
      *val = (long)v;
      *line = l.lineno;
      found = true;
    }
  }
  return found;
}

static const char *scheme_name(const char *h) {
  if (!strncmp(h, "$1$", 3)) return "md5crypt ($1$)";
  if (strlen(h) == 13 && h[0] != '$') return "traditional DES crypt";
  if (h[0] == '_' && strlen(h) == 20) return "BSDi extended DES crypt";
  return NULL;
}

typedef struct policy_ctx {
  bl_sink *s;
  int rc;
} policy_ctx;

static int pwq_each(void *arg, const bl_file *f) {
  policy_ctx *c = arg;
  long v;
  uint32_t line;
  if (!bw_str_endswith(f->path, ".conf") || !pwq_minlen(f, &v, &line) || v >= 8) return 0;
  return c->rc = bl_emit(c->s, &bl_password_checks[PWD_MIN_LEN], -1, f->path, line, f->layer, "minlen = %ld", v);
}

static int policy(bl_sink *s, const bl_fs *fs) {
  bl_file f;
  int rc = 0;
  char v[64];
  uint32_t line;
  if (fs->read(fs->ctx, "etc/login.defs", &f)) {
    if (defs_get(&f, "PASS_MAX_DAYS", v, sizeof v, &line)) {
      uint64_t d;
      if (bw_parse_u64(v, strlen(v), &d) && d > 90)
        rc = bl_emit(s, &bl_password_checks[PWD_MAX_DAYS], -1, f.path, line, f.layer, "PASS_MAX_DAYS %s%s", v,
                     d >= 10000 ? " (never)" : "");
    }
    if (rc == 0 && defs_get(&f, "PASS_MIN_LEN", v, sizeof v, &line)) {
      uint64_t d;
      if (bw_parse_u64(v, strlen(v), &d) && d < 8)
        rc = bl_emit(s, &bl_password_checks[PWD_MIN_LEN], -1, f.path, line, f.layer, "PASS_MIN_LEN %s", v);
    }
  }
  if (rc == 0 && fs->read(fs->ctx, "etc/security/pwquality.conf", &f)) {
    long mv;
    if (pwq_minlen(&f, &mv, &line) && mv < 8)
      rc = bl_emit(s, &bl_password_checks[PWD_MIN_LEN], -1, f.path, line, f.layer, "minlen = %ld", mv);
  }
  if (rc == 0) {
    policy_ctx c = {.s = s};
    fs->list(fs->ctx, "etc/security/pwquality.conf.d/", pwq_each, &c);
    rc = c.rc;
  }
  return rc;
}

static int uid_cmp(const void *x, const void *y) {
  const acct *a = *(const acct *const *)x, *b = *(const acct *const *)y;
  if (a->uid != b->uid) return a->uid < b->uid ? -1 : 1;
  return a->line < b->line ? -1 : a->line > b->line;
}

static int crack_accounts(bl_sink *s, acct *ac, size_t n, const bl_file *shadow, const bl_file *passwd,
                          double budget, unsigned threads) {
  bl_crack_account *ca = calloc(n ? n : 1, sizeof *ca);
  size_t *idx = calloc(n ? n : 1, sizeof *idx);
  if (!ca || !idx) {
    free(ca);
    free(idx);
    return -BW_ENOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (!usable_hash(ac[i].hash)) continue;
    ca[k] = (bl_crack_account){.name = ac[i].name, .hash = ac[i].hash, .privileged = ac[i].uid == 0};
    idx[k++] = i;
  }
  bl_crack_stats st;
  bw_error err = {0};
  int rc = bl_crack(ca, k, budget, threads, &st, &err) < 0 ? -BW_ENOMEM : 0;
  for (size_t i = 0; i < k && rc == 0; i++) {
    const acct *a = &ac[idx[i]];
    const bl_file *f = a->shadowed ? shadow : passwd;
    uint32_t line = a->shadowed ? a->shadow_line : a->line;
    if (ca[i].cracked)
      rc = bl_emit(s, &bl_password_checks[PWD_WEAK], a->uid == 0 ? BW_SEV_CRITICAL : -1, f->path, line, f->layer,
                   "account %s (uid %llu): %s", a->name, (unsigned long long)a->uid,
                   ca[i].cracked == 2 ? "password is the account name or a simple variant of it"
                                      : "password is in the common-password list");
  }
  if (rc == 0 && (st.partial || st.untried))
    rc = bl_warn(s,
                 "weak-password check: %zu of %zu accounts not fully tried within the %g s budget "
                 "(%zu never tried, %zu candidate passwords skipped)",
                 st.partial + st.untried, st.accounts, budget, st.untried, st.candidates_skipped);
  if (rc == 0 && st.unsupported)
    rc = bl_warn(s,
                 "weak-password check: %zu accounts not tried: hash scheme not supported by libcrypt or one "
                 "try costs more than the %g s budget",
                 st.unsupported, budget);
  free(ca);
  free(idx);
  return rc;
}

int bl_accounts(bl_sink *s, const bl_fs *fs, double crack_seconds, unsigned threads) {
  bl_file passwd, shadow = {0}, group;
  if (!fs->read(fs->ctx, "etc/passwd", &passwd)) return 0;
  bool have_shadow = fs->read(fs->ctx, "etc/shadow", &shadow);
  int rc = 0;
  bw_vec shadows, accts;
  bw_vec_init(&shadows, sizeof(shadow_ent), BW_LIMIT_ACCOUNTS);
  bw_vec_init(&accts, sizeof(acct), BW_LIMIT_ACCOUNTS);
  acct **by_uid = NULL;
  bl_lines l;
  const char *line, *f[9];
  size_t n;
  if (have_shadow) {
    bl_lines_init(&l, shadow.data, shadow.len);
    while (rc == 0 && bl_lines_next(&l, &line, &n)) {
      if (!n || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
      size_t k = split_colon(s->arena, line, n, f, 9);
      if (k == (size_t)-1) rc = -BW_ENOMEM;
      else if (k >= 2 && f[0][0]) {
        shadow_ent *e = bw_vec_push(&shadows);
        if (!e) break; /* cap */
        *e = (shadow_ent){f[0], f[1], l.lineno};
      }
    }
    if (shadows.len > 1) qsort(shadows.data, shadows.len, sizeof(shadow_ent), shadow_cmp);
  }
  uint64_t uid_min = 1000;
  char v[64];
  uint32_t vline;
  bl_file defs;
  if (fs->read(fs->ctx, "etc/login.defs", &defs) && defs_get(&defs, "UID_MIN", v, sizeof v, &vline)) {
    uint64_t u;
    if (bw_parse_u64(v, strlen(v), &u)) uid_min = u;
  }
  bl_lines_init(&l, passwd.data, passwd.len);
  while (rc == 0 && bl_lines_next(&l, &line, &n)) {
    if (!n || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
    size_t k = split_colon(s->arena, line, n, f, 7);
    if (k == (size_t)-1) {
      rc = -BW_ENOMEM;
      break;
    }
    uint64_t uid, gid;
    if (k < 4 || !f[0][0] || !bw_parse_u64(f[2], strlen(f[2]), &uid) || !bw_parse_u64(f[3], strlen(f[3]), &gid))
      continue;
    acct *a = bw_vec_push(&accts);
    if (!a) break;
    *a = (acct){.name = f[0], .pw = f[1], .shell = k >= 7 ? f[6] : "", .uid = uid, .gid = gid, .line = l.lineno};
    if (!strcmp(a->pw, "x")) {
      shadow_ent key = {.name = a->name};
      const shadow_ent *e = shadows.len ? bsearch(&key, shadows.data, shadows.len, sizeof key, shadow_cmp) : NULL;
      if (e) {
        a->hash = e->hash;
        a->shadow_line = e->line;
        a->shadowed = true;
      }
    } else {
      a->hash = a->pw;
    }
  }
  acct *ac = accts.data;
  bool any_password = false;
  for (size_t i = 0; i < accts.len && rc == 0; i++) {
    acct *a = &ac[i];
    const bl_file *hf = a->shadowed ? &shadow : &passwd;
    uint32_t hl = a->shadowed ? a->shadow_line : a->line;
    bool empty = a->hash && !a->hash[0];
    if (usable_hash(a->hash)) any_password = true;
    if (empty)
      rc = bl_emit(s, &bl_account_checks[ACC_EMPTY], a->uid == 0 ? BW_SEV_CRITICAL : -1, hf->path, hl, hf->layer,
                   "account %s (uid %llu, shell %s) has an empty password field", a->name, (unsigned long long)a->uid,
                   a->shell[0] ? a->shell : "/bin/sh");
    if (rc == 0 && a->uid == 0 && strcmp(a->name, "root"))
      rc = bl_emit(s, &bl_account_checks[ACC_UID0], -1, passwd.path, a->line, passwd.layer,
                   "account %s has uid 0 (shell %s)", a->name, a->shell[0] ? a->shell : "/bin/sh");
    if (rc == 0 && a->uid > 0 && a->uid < uid_min && usable_hash(a->hash) && login_shell(a->shell))
      rc = bl_emit(s, &bl_account_checks[ACC_SYSSHELL], -1, passwd.path, a->line, passwd.layer,
                   "system account %s (uid %llu) has shell %s and a usable password", a->name,
                   (unsigned long long)a->uid, a->shell[0] ? a->shell : "/bin/sh");
    if (rc == 0 && !a->shadowed && usable_hash(a->pw))
      rc = bl_emit(s, &bl_account_checks[ACC_HASH_IN_PASSWD], -1, passwd.path, a->line, passwd.layer,
                   "account %s has its password hash in /etc/passwd", a->name);
    const char *weak = usable_hash(a->hash) ? scheme_name(a->hash) : NULL;
    if (rc == 0 && weak)
      rc = bl_emit(s, &bl_password_checks[PWD_WEAK_SCHEME], -1, hf->path, hl, hf->layer, "account %s: %s", a->name,
                   weak);
  }
  /* shared uids other than 0 (reported once per uid, on the second account) */
  if (rc == 0 && accts.len > 1) {
    by_uid = calloc(accts.len, sizeof *by_uid);
    if (!by_uid) rc = -BW_ENOMEM;
    for (size_t i = 0; by_uid && i < accts.len; i++) by_uid[i] = &ac[i];
    if (by_uid) qsort(by_uid, accts.len, sizeof *by_uid, uid_cmp);
    for (size_t i = 1; by_uid && i < accts.len && rc == 0; i++) {
      if (by_uid[i]->uid == 0 || by_uid[i]->uid != by_uid[i - 1]->uid) continue;
      if (i >= 2 && by_uid[i - 2]->uid == by_uid[i]->uid) continue;
      rc = bl_emit(s, &bl_account_checks[ACC_DUP_UID], -1, passwd.path, by_uid[i]->line, passwd.layer,
                   "accounts %s and %s share uid %llu", by_uid[i - 1]->name, by_uid[i]->name,
                   (unsigned long long)by_uid[i]->uid);
    }
  }
  if (rc == 0 && fs->read(fs->ctx, "etc/group", &group)) {
    bl_lines_init(&l, group.data, group.len);
    while (rc == 0 && bl_lines_next(&l, &line, &n)) {
      if (!n || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
      size_t k = split_colon(s->arena, line, n, f, 4);
      if (k == (size_t)-1) rc = -BW_ENOMEM;
      else if (k >= 3 && usable_hash(f[1]))
        rc = bl_emit(s, &bl_account_checks[ACC_GROUP_PW], -1, group.path, l.lineno, group.layer,
                     "group %s has a password hash", f[0]);
    }
  }
  if (rc == 0) rc = crack_accounts(s, ac, accts.len, &shadow, &passwd, crack_seconds, threads);
  /* aging and length rules matter only when some account has a password at all */
  if (rc == 0 && any_password) rc = policy(s, fs);
  free(by_uid);
  bw_vec_dispose(&shadows);
  bw_vec_dispose(&accts);
  return rc;
}
