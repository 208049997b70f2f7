/* Leaked secrets: a stream analyser that reads every text file of a layer line by line. An
 * Aho-Corasick automaton over the rules' literal keywords (secrets_ac.c) looks at each byte once;
 * only a line it hits goes to the precise matchers of the rules whose keywords it holds. Values are
 * redacted in the evidence before anything leaves this file, and nothing here logs a value. */
#include "baseline/secrets.h"

#include <ctype.h>
#include <math.h>
#include <fnmatch.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/limits.h"
#include "base/log.h"
#include "baseline/secrets_ac.h"
#include "layer/record.h"
#include "vuln/vulndb.h"

/* ---------------------------------------------------------------------------------------------
 * Rules */

typedef struct scan scan;
typedef struct rule rule;
/* A matcher looks at one line (not NUL-terminated) and reports values with add_match. */
typedef void (*match_fn)(scan *sc, const rule *r, const uint8_t *ln, size_t len);

struct rule {
  const char *id, *category, *title, *remediation;
  uint32_t severity;
  const char *keywords[12]; /* NULL-terminated; matched case-insensitively */
  match_fn fn;
  /* user rules */
  regex_t re;
  bool has_re;
};

/* Per-file facts some rules need. */
enum {
  F_SERVICE_ACCOUNT = 1u, /* "service_account" seen: a private_key is a GCP key */
  F_AUTHS = 2u,           /* "auths" seen: an "auth" value is a registry credential */
  F_KUBECONFIG = 4u,      /* "kind: Config" seen */
  F_ENV = 8u,             /* the path is an env / config file: generic assignments are checked */
  F_NPMRC = 16u,
  F_PYPIRC = 32u,
  F_GITCRED = 64u,
  F_DOCKERCFG = 128u,
  F_KUBEPATH = 256u,
  F_PKGPATH = 512u, /* under usr/ but not usr/local/: installed by a package manager */
};

typedef struct match {
  uint16_t rule;
  bool full_mask;   /* private keys: nothing of the value is shown */
  size_t vs, ve;    /* the value's span in the line */
} match;

#define MAX_LINE_MATCHES 16
#define R_NBUILTIN_ 26 /* = R_NBUILTIN (checked below) */
#define NEAR_LINES 3 /* an id's secret is looked for this many lines after it */

typedef struct found {
  uint16_t rule;
  uint32_t line;
  char *evidence;
} found;

typedef struct config config;
struct scan {
  const config *cfg;
  char *path;
  uint32_t flags;
  bool oversize;
  uint8_t *carry;
  size_t carry_len;
  uint32_t line; /* 1-based number of the line being processed */
  /* context across lines */
  uint32_t ali_line, aws_line, tc_line; /* last line that held such an id (0 = none) */
  uint32_t pem_line;                    /* a BEGIN marker waiting for its body */
  uint16_t pem_rule;
  uint8_t pem_wait;                     /* lines left to find the body */
  char pem_marker[64];
  bool csv_pending;                     /* an "Access Key Id,Secret Access Key" header */
  /* this line */
  match m[MAX_LINE_MATCHES];
  size_t nm;
  uint64_t hit[8]; /* rules whose keywords the line holds (bitset, up to 512 rules) */
  /* results */
  found *found;
  size_t nfound;
  bool capped;
};

typedef struct allow {
  char *path_glob;
  regex_t re;
  bool has_re;
} allow;

struct config {
  const rule *rules; /* nrules: the built-in ones first */
  rule *user;        /* owned copy holding builtin + user rules when configured */
  size_t nrules;
  bw_ac *ac;
  uint16_t *kw_rule; /* keyword id -> rule */
  char **kw_owned;
  size_t nkw;
  allow *allows;
  size_t nallow;
};

/* ---------------------------------------------------------------------------------------------
 * Small helpers */

static bool is_alnum(uint8_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_upnum(uint8_t c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }
static bool is_b64(uint8_t c) { return is_alnum(c) || c == '+' || c == '/'; }
static bool is_b64url(uint8_t c) { return is_alnum(c) || c == '-' || c == '_'; }
static bool is_word(uint8_t c) { return is_alnum(c) || c == '_'; }
static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

/* Longest value or token a matcher looks at: bounds the work per keyword occurrence, so a line
 * made of one keyword repeated costs linear time, not quadratic. */
#define MAX_VALUE 4096

static size_t run(const uint8_t *s, size_t i, size_t len, bool (*pred)(uint8_t)) {
  size_t j = i, end = len - i > MAX_VALUE ? i + MAX_VALUE : len;
  while (j < end && pred(s[j])) j++;
  return j - i;
}

/* Case-insensitive search of a NUL-terminated needle from `from`; returns len when absent. */
static size_t find_ci(const uint8_t *s, size_t len, size_t from, const char *needle) {
  size_t n = strlen(needle);
  if (n == 0 || n > len) return len;
  for (size_t i = from; i + n <= len; i++) {
    if (lower(s[i]) != (uint8_t)needle[0]) continue;
    size_t k = 1;
    while (k < n && lower(s[i + k]) == (uint8_t)needle[k]) k++;
    if (k == n) return i;
  }
  return len;
}
static bool has_ci(const uint8_t *s, size_t len, const char *needle) { return find_ci(s, len, 0, needle) < len; }
static bool eq_ci(const uint8_t *s, size_t len, const char *w) { return strlen(w) == len && has_ci(s, len, w); }

/* Shannon entropy in bits per character. */
static double entropy(const uint8_t *s, size_t n) {
  if (n == 0) return 0;
  unsigned cnt[256] = {0};
  for (size_t i = 0; i < n; i++) cnt[s[i]]++;
  double h = 0;
  for (int c = 0; c < 256; c++) {
    if (!cnt[c]) continue;
    double p = (double)cnt[c] / (double)n;
    h -= p * log2(p);
  }
  return h;
}

/* Values that are placeholders, templates or examples, not secrets. */
static bool placeholder(const uint8_t *v, size_t n) {
  if (n == 0) return true;
  static const char *const contains[] = {"${", "{{", "$(", "<", ">", "%s", "%(", "example", "changeme", "change_me",
                                         "change-me", "placeholder", "dummy", "xxx", "***", "your", "redacted",
                                         "sample", "fake", "test", "replace", "insert", "todo", "secret_here",
                                         "password_here", "...", "(", "0000000000", NULL};
  for (size_t i = 0; contains[i]; i++)
    if (has_ci(v, n, contains[i])) return true;
  if (v[0] == '$' || v[0] == '%' || v[0] == '@' || v[0] == '&') return true;
  static const char *const words[] = {"password", "passwd", "pass", "pwd", "secret", "none", "null", "nil", "true",
                                      "false", "empty", "string", "token", "key", "value", "user", "username",
                                      "admin", "root", "guest", "default", "undefined", "required", "optional",
                                      NULL};
  for (size_t i = 0; words[i]; i++)
    if (eq_ci(v, n, words[i])) return true;
  size_t same = 0;
  for (size_t i = 0; i < n; i++) same += v[i] == v[0];
  return same == n; /* "aaaaaaaa", "********" */
}

static bool all_digits(const uint8_t *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (v[i] < '0' || v[i] > '9') return false;
  return true;
}

extern const rule builtin_rules[];
static void add_match_m(scan *sc, const rule *r, size_t vs, size_t ve, bool full) {
  if (sc->nm == MAX_LINE_MATCHES || ve <= vs) return;
  /* built-in rules sit at the same index in every configuration */
  size_t idx = (r >= builtin_rules && r < builtin_rules + R_NBUILTIN_) ? (size_t)(r - builtin_rules)
                                                                         : (size_t)(r - sc->cfg->rules);
  sc->m[sc->nm++] = (match){.rule = (uint16_t)idx, .full_mask = full, .vs = vs, .ve = ve};
}
static void add_match(scan *sc, const rule *r, size_t vs, size_t ve) { add_match_m(sc, r, vs, ve, false); }

/* The key of an assignment around position `at` (inside the key): the identifier-ish run of
 * characters, then an optional closing quote, spaces, '=' / ':' / ':=' / '=>', spaces, an optional
 * quote and the value (to the closing quote, or to a space/','/';' when unquoted). */
typedef struct kv {
  size_t ks, ke, vs, ve;
  bool quoted;
} kv;

static bool key_char(uint8_t c) { return is_word(c) || c == '-' || c == '.'; }

static bool parse_kv(const uint8_t *ln, size_t len, size_t at, kv *out) {
  size_t ks = at, ke = at;
  while (ks > 0 && key_char(ln[ks - 1])) ks--;
  while (ke < len && key_char(ln[ke])) ke++;
  size_t i = ke;
  if (i < len && (ln[i] == '"' || ln[i] == '\'')) i++;
  while (i < len && (ln[i] == ' ' || ln[i] == '\t')) i++;
  if (i >= len) return false;
  if (ln[i] == ':' && i + 1 < len && ln[i + 1] == '=') i += 2;
  else if (ln[i] == '=' && i + 1 < len && ln[i + 1] == '>') i += 2;
  else if (ln[i] == '=' || ln[i] == ':') i++;
  else return false;
  while (i < len && (ln[i] == ' ' || ln[i] == '\t')) i++;
  if (i >= len) return false;
  out->ks = ks;
  out->ke = ke;
  size_t vend = len - i > MAX_VALUE ? i + MAX_VALUE : len;
  if (ln[i] == '"' || ln[i] == '\'') {
    uint8_t q = ln[i++];
    size_t j = i;
    while (j < vend && ln[j] != q) j++;
    if (j >= vend) return false;
    out->vs = i;
    out->ve = j;
    out->quoted = true;
  } else {
    size_t j = i;
    while (j < vend && ln[j] != ' ' && ln[j] != '\t' && ln[j] != ',' && ln[j] != ';' && ln[j] != '"' &&
           ln[j] != '\'' && ln[j] != '\r' && ln[j] != '}' && ln[j] != ']')
      j++;
    out->vs = i;
    out->ve = j;
    out->quoted = false;
  }
  return out->ve > out->vs;
}

/* Every assignment whose key contains the keyword kw; calls fn on each. */
typedef void (*kv_fn)(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k);
static void each_kv(scan *sc, const rule *r, const uint8_t *ln, size_t len, const char *kw, kv_fn fn) {
  size_t from = 0, n = strlen(kw);
  for (;;) {
    size_t at = find_ci(ln, len, from, kw);
    if (at >= len) return;
    kv k;
    size_t in_key = kw[0] == '"' ? at + 1 : at;
    if (parse_kv(ln, len, in_key, &k) && k.vs > at) fn(sc, r, ln, len, &k);
    from = at + n;
  }
}

/* Every assignment of the line (key = value, key: value). */
static void each_assign(scan *sc, const rule *r, const uint8_t *ln, size_t len, kv_fn fn) {
  for (size_t i = 1; i < len; i++) {
    if (ln[i] != '=' && ln[i] != ':') continue;
    size_t e = i;
    while (e > 0 && (ln[e - 1] == ' ' || ln[e - 1] == '\t')) e--;
    if (e > 0 && (ln[e - 1] == '"' || ln[e - 1] == '\'')) e--;
    if (e == 0 || !key_char(ln[e - 1])) continue;
    kv k;
    if (parse_kv(ln, len, e - 1, &k)) {
      fn(sc, r, ln, len, &k);
      i = k.ve;
    }
  }
}

/* A token that starts with a literal prefix (case-sensitive), with no word character before it. */
typedef bool (*tok_fn)(scan *sc, const rule *r, const uint8_t *ln, size_t len, size_t at, size_t plen);
static void each_token(scan *sc, const rule *r, const uint8_t *ln, size_t len, const char *prefix, tok_fn fn) {
  size_t n = strlen(prefix);
  for (size_t i = 0; i + n <= len; i++) {
    if (ln[i] != (uint8_t)prefix[0] || memcmp(ln + i, prefix, n) != 0) continue;
    if (i > 0 && is_alnum(ln[i - 1])) continue;
    if (fn(sc, r, ln, len, i, n)) i += n - 1;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Matchers of the built-in rules */

enum {
  R_ALI_ID, R_ALI_SECRET, R_AWS_ID, R_AWS_SECRET, R_TC_ID, R_TC_SECRET, R_HUAWEI, R_GCP, R_AZURE, R_GITHUB,
  R_GITLAB, R_SLACK, R_SLACK_HOOK, R_STRIPE, R_PYPI_TOKEN, R_DOCKER, R_KUBE, R_NPM, R_PYPIRC, R_JWT, R_PEM,
  R_SSH, R_PGP, R_URL, R_GENERIC, R_FLAGS, R_NBUILTIN
};

static bool tok_ali(scan *sc, const rule *r, const uint8_t *ln, size_t len, size_t at, size_t plen) {
  size_t n = run(ln, at + plen, len, is_alnum);
  if (n < 12 || n > 30) return false;
  size_t e = at + plen + n;
  if (has_ci(ln + at, e - at, "example")) return false;
  add_match(sc, r, at, e);
  sc->ali_line = sc->line;
  /* The console's AccessKey CSV: "LTAI...,<secret>" */
  if (e + 31 <= len && ln[e] == ',' && run(ln, e + 1, len, is_alnum) == 30)
    add_match(sc, &builtin_rules[R_ALI_SECRET], e + 1, e + 31);
  return true;
}
static void m_ali_id(scan *sc, const rule *r, const uint8_t *ln, size_t len) { each_token(sc, r, ln, len, "LTAI", tok_ali); }

static bool secret_value(const uint8_t *v, size_t n, size_t want, bool (*pred)(uint8_t), double min_h) {
  if (n != want || run(v, 0, n, pred) != n) return false;
  if (placeholder(v, n)) return false;
  return entropy(v, n) >= min_h;
}

static bool key_has(const uint8_t *ln, const kv *k, const char *w) { return has_ci(ln + k->ks, k->ke - k->ks, w); }

/* A key naming a secret: "...secret...", "sk", "..._sk". */
static bool secretish_key(const uint8_t *ln, const kv *k) {
  size_t n = k->ke - k->ks;
  const uint8_t *s = ln + k->ks;
  if (has_ci(s, n, "secret")) return true;
  return n >= 2 && lower(s[n - 2]) == 's' && lower(s[n - 1]) == 'k' && (n == 2 || !is_alnum(s[n - 3]));
}

static void kv_ali_secret(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  (void)len;
  if (secret_value(ln + k->vs, k->ve - k->vs, 30, is_alnum, 3.0)) add_match(sc, r, k->vs, k->ve);
}
static void kv_ali_near(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  if (secretish_key(ln, k)) kv_ali_secret(sc, r, ln, len, k);
}
static void m_ali_secret(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  static const char *const kws[] = {"accesskeysecret", "access_key_secret", "access-key-secret", "alicloud_secret",
                                    "alibaba_cloud_secret", "aliyun_secret", NULL};
  for (size_t i = 0; kws[i]; i++) each_kv(sc, r, ln, len, kws[i], kv_ali_secret);
}

static bool tok_aws(scan *sc, const rule *r, const uint8_t *ln, size_t len, size_t at, size_t plen) {
  size_t n = run(ln, at + plen, len, is_upnum);
  if (n != 16) return false;
  if (has_ci(ln + at, 20, "example")) return false;
  add_match(sc, r, at, at + 20);
  sc->aws_line = sc->line;
  /* The console's credentials CSV: "AKIA...,<secret>" */
  size_t e = at + 20;
  if (e + 41 <= len && ln[e] == ',' && run(ln, e + 1, len, is_b64) == 40 && !has_ci(ln + e + 1, 40, "example"))
    add_match(sc, &builtin_rules[R_AWS_SECRET], e + 1, e + 41);
  return true;
}
static void m_aws_id(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  static const char *const p[] = {"AKIA", "ASIA", "ABIA", "ACCA", NULL};
  for (size_t i = 0; p[i]; i++) each_token(sc, r, ln, len, p[i], tok_aws);
}
static void kv_aws_secret(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  (void)len;
  const uint8_t *v = ln + k->vs;
  size_t n = k->ve - k->vs;
  if (has_ci(v, n, "example")) return;
  if (secret_value(v, n, 40, is_b64, 3.5)) add_match(sc, r, k->vs, k->ve);
}
static void kv_aws_near(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  if (secretish_key(ln, k)) kv_aws_secret(sc, r, ln, len, k);
}
static void m_aws_secret(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  static const char *const kws[] = {"secret_access_key", "secretaccesskey", "aws_secret_key", "aws-secret-access-key",
                                    "secret-access-key", NULL};
  for (size_t i = 0; kws[i]; i++) each_kv(sc, r, ln, len, kws[i], kv_aws_secret);
}

static bool tok_tc(scan *sc, const rule *r, const uint8_t *ln, size_t len, size_t at, size_t plen) {
  size_t n = run(ln, at + plen, len, is_alnum);
  if (n != 32 || has_ci(ln + at, 36, "example")) return false;
  add_match(sc, r, at, at + 36);
  sc->tc_line = sc->line;
  return true;
}
static void m_tc_id(scan *sc, const rule *r, const uint8_t *ln, size_t len) { each_token(sc, r, ln, len, "AKID", tok_tc); }
static void kv_tc_secret(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  (void)len;
  bool named = key_has(ln, k, "tencent") || key_has(ln, k, "qcloud") || key_has(ln, k, "tccli");
  bool near = sc->tc_line && sc->line - sc->tc_line <= NEAR_LINES;
  if (!named && !near) return;
  if (!secretish_key(ln, k) && !key_has(ln, k, "secretkey")) return;
  if (secret_value(ln + k->vs, k->ve - k->vs, 32, is_alnum, 3.0)) add_match(sc, r, k->vs, k->ve);
}
static void m_tc_secret(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  static const char *const kws[] = {"secretkey", "secret_key", "secret-key", NULL};
  for (size_t i = 0; kws[i]; i++) each_kv(sc, r, ln, len, kws[i], kv_tc_secret);
}

/* Huawei Cloud: AK (20 upper-case alphanumerics) and SK (40 alphanumerics) under Huawei names,
 * or the two columns after the credentials.csv header. */
static void kv_huawei(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  (void)len;
  const uint8_t *v = ln + k->vs;
  size_t n = k->ve - k->vs;
  if (secret_value(v, n, 20, is_upnum, 3.0) || secret_value(v, n, 40, is_alnum, 3.5)) add_match(sc, r, k->vs, k->ve);
}
static void m_huawei(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  if (has_ci(ln, len, "access key id,secret access key")) {
    sc->csv_pending = true;
    return;
  }
  static const char *const kws[] = {"huaweicloud_sdk_ak", "huaweicloud_sdk_sk", "hw_access_key", "hw_secret_key",
                                    "huawei_access_key", "huawei_secret_key", "huaweicloud_access_key",
                                    "huaweicloud_secret_key", NULL};
  for (size_t i = 0; kws[i]; i++) each_kv(sc, r, ln, len, kws[i], kv_huawei);
}
static void csv_keys(scan *sc, const uint8_t *ln, size_t len) {
  /* fields: [user,] AK, SK */
  size_t fs[4], fe[4], nf = 0, s = 0;
  for (size_t i = 0; i <= len && nf < 4; i++) {
    if (i == len || ln[i] == ',' || ln[i] == '\r') {
      fs[nf] = s;
      fe[nf++] = i;
      s = i + 1;
      if (i < len && ln[i] == '\r') break;
    }
  }
  for (size_t f = 0; f + 1 < nf; f++) {
    const uint8_t *a = ln + fs[f], *b = ln + fs[f + 1];
    size_t an = fe[f] - fs[f], bn = fe[f + 1] - fs[f + 1];
    if (an == 20 && memcmp(a, "AKIA", 4) != 0 && memcmp(a, "ASIA", 4) != 0 && secret_value(a, an, 20, is_upnum, 3.0) &&
        secret_value(b, bn, 40, is_alnum, 3.5)) {
      add_match(sc, &builtin_rules[R_HUAWEI], fs[f], fe[f]);
      add_match(sc, &builtin_rules[R_HUAWEI], fs[f + 1], fe[f + 1]);
      return;
    }
  }
}

/* A JSON "private_key": "-----BEGIN ... PRIVATE KEY-----\n<base64>..." (a service-account key). */
static void m_gcp(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  size_t at = find_ci(ln, len, 0, "\"private_key\"");
  if (at >= len) return;
  kv k;
  if (!parse_kv(ln, len, at + 1, &k) || !k.quoted) return;
  const uint8_t *v = ln + k.vs;
  size_t n = k.ve - k.vs;
  if (n < 100 || !has_ci(v, n, "-----begin") || !has_ci(v, n, "private key-----")) return;
  size_t body = find_ci(v, n, 0, "key-----") + 8;
  if (!(sc->flags & F_SERVICE_ACCOUNT)) return; /* the PEM rule reports it */
  add_match_m(sc, r, k.vs + body, k.ve, true);
}

static void m_azure(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  static const struct {
    const char *kw;
    size_t min, max;
  } keys[] = {{"accountkey=", 86, 88}, {"sharedaccesskey=", 43, 44}};
  for (size_t t = 0; t < 2; t++) {
    size_t from = 0;
    for (;;) {
      size_t at = find_ci(ln, len, from, keys[t].kw);
      if (at >= len) break;
      size_t vs = at + strlen(keys[t].kw), n = run(ln, vs, len, is_b64);
      while (vs + n < len && ln[vs + n] == '=' && n < keys[t].max) n++;
      from = vs;
      if (n < keys[t].min || n > keys[t].max) continue;
      if (memcmp(ln + vs, "Eby8vdM02xNOcqFl", n < 16 ? n : 16) == 0) continue; /* the storage emulator's public key */
      if (entropy(ln + vs, n) < 4.0) continue;
      add_match(sc, r, vs, vs + n);
    }
  }
}

static bool tok_gh(scan *sc, const rule *r, const uint8_t *ln, size_t len, size_t at, size_t plen) {
  bool pat = plen > 4;
  size_t n = run(ln, at + plen, len, pat ? is_word : is_alnum);
  if (pat ? n < 50 || n > 255 : n < 36 || n > 40) return false;
  if (placeholder(ln + at + plen, n) || entropy(ln + at + plen, n) < 3.5) return false;
  add_match(sc, r, at, at + plen + n);
  return true;
}
static void m_github(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  static const char *const p[] = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", NULL};
  for (size_t i = 0; p[i]; i++) each_token(sc, r, ln, len, p[i], tok_gh);
}
static bool tok_gl(scan *sc, const rule *r, const uint8_t *ln, size_t len, size_t at, size_t plen) {
  size_t n = run(ln, at + plen, len, is_b64url);
  if (n < 20 || n > 64 || placeholder(ln + at + plen, n) || entropy(ln + at + plen, n) < 3.0) return false;
  add_match(sc, r, at, at + plen + n);
  return true;
}
static void m_gitlab(scan *sc, const rule *r, const uint8_t *ln, size_t len) { each_token(sc, r, ln, len, "glpat-", tok_gl); }

static bool slack_char(uint8_t c) { return is_alnum(c) || c == '-'; }
static bool tok_slack(scan *sc, const rule *r, const uint8_t *ln, size_t len, size_t at, size_t plen) {
  size_t n = run(ln, at + plen, len, slack_char);
  if (n < 20 || n > 255) return false;
  size_t digits = 0;
  for (size_t i = 0; i < n; i++) digits += ln[at + plen + i] >= '0' && ln[at + plen + i] <= '9';
  if (digits < 8 || placeholder(ln + at + plen, n)) return false;
  add_match(sc, r, at, at + plen + n);
  return true;
}
static void m_slack(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  static const char *const p[] = {"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", NULL};
  for (size_t i = 0; p[i]; i++) each_token(sc, r, ln, len, p[i], tok_slack);
}
static void m_slack_hook(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  size_t from = 0;
  for (;;) {
    size_t at = find_ci(ln, len, from, "hooks.slack.com/services/");
    if (at >= len) return;
    size_t i = at + 25, t = run(ln, i, len, is_upnum);
    from = i;
    if (t < 8 || i + t >= len || ln[i + t] != '/') continue;
    size_t j = i + t + 1, b = run(ln, j, len, is_upnum);
    if (b < 8 || j + b >= len || ln[j + b] != '/') continue;
    size_t s = j + b + 1, k = run(ln, s, len, is_alnum);
    if (k < 20 || k > 64 || placeholder(ln + s, k) || entropy(ln + s, k) < 3.0) continue;
    add_match(sc, r, i, s + k);
  }
}
static bool tok_stripe(scan *sc, const rule *r, const uint8_t *ln, size_t len, size_t at, size_t plen) {
  size_t n = run(ln, at + plen, len, is_alnum);
  if (n < 24 || n > 247 || placeholder(ln + at + plen, n) || entropy(ln + at + plen, n) < 3.5) return false;
  add_match(sc, r, at, at + plen + n);
  return true;
}
static void m_stripe(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  each_token(sc, r, ln, len, "sk_live_", tok_stripe);
  each_token(sc, r, ln, len, "rk_live_", tok_stripe);
}
static bool tok_pypi(scan *sc, const rule *r, const uint8_t *ln, size_t len, size_t at, size_t plen) {
  (void)plen;
  size_t n = run(ln, at + 5, len, is_b64url);
  if (n < 60) return false;
  add_match(sc, r, at, at + 5 + n);
  return true;
}
static void m_pypi_token(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  each_token(sc, r, ln, len, "pypi-AgEIcHlwaS5vcmc", tok_pypi);
}

/* base64 / base64url decoding into out (at most cap bytes); returns the length or -1. */
static int b64_val(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}
static long b64_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap) {
  while (n > 0 && s[n - 1] == '=') n--;
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64_val(s[i]);
    if (v < 0) return -1;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o == cap) return (long)o;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  return (long)o;
}

/* docker config.json: "auth": "<base64 of user:password>" (and identity / registry tokens). */
static void kv_docker(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  (void)len;
  const uint8_t *v = ln + k->vs;
  size_t n = k->ve - k->vs;
  if (!k->quoted || n < 8 || n > 4096) return;
  if (key_has(ln, k, "token")) {
    if (n >= 16 && n <= 2048 && !placeholder(v, n) && entropy(v, n) >= 3.0) add_match(sc, r, k->vs, k->ve);
    return;
  }
  if (k->ke - k->ks != 4) return; /* exactly "auth" */
  uint8_t dec[512];
  long dn = b64_decode(v, n, dec, sizeof dec);
  if (dn < 3) return;
  const uint8_t *colon = memchr(dec, ':', (size_t)dn);
  if (!colon || colon == dec || (long)(colon - dec) == dn - 1) return;
  for (long i = 0; i < dn; i++)
    if (dec[i] < 0x20 || dec[i] > 0x7e) return;
  const uint8_t *pw = colon + 1;
  size_t pn = (size_t)(dec + dn - pw);
  if (placeholder(pw, pn)) return;
  add_match(sc, r, k->vs, k->ve);
}
static void m_docker(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  if (!(sc->flags & (F_AUTHS | F_DOCKERCFG))) return;
  each_kv(sc, r, ln, len, "\"auth\"", kv_docker);
  each_kv(sc, r, ln, len, "identitytoken", kv_docker);
  each_kv(sc, r, ln, len, "registrytoken", kv_docker);
}

/* kubeconfig: client-key-data (a base64 PEM private key) anywhere; token: in a kubeconfig. */
static void kv_kube(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  (void)len;
  const uint8_t *v = ln + k->vs;
  size_t n = k->ve - k->vs;
  if (key_has(ln, k, "client-key-data")) {
    if (n >= 40 && run(v, 0, n, is_b64) + 2 >= n && memcmp(v, "LS0t", 4) == 0) add_match_m(sc, r, k->vs, k->ve, true);
    return;
  }
  if (k->ke - k->ks != 5 && !key_has(ln, k, "id-token") && !key_has(ln, k, "refresh-token")) return;
  if (!(sc->flags & (F_KUBECONFIG | F_KUBEPATH))) return;
  if (n >= 16 && n <= 2048 && !placeholder(v, n) && entropy(v, n) >= 3.0) add_match(sc, r, k->vs, k->ve);
}
static void m_kube(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  each_kv(sc, r, ln, len, "client-key-data", kv_kube);
  each_kv(sc, r, ln, len, "token", kv_kube);
}

/* .npmrc: _authToken=, _auth=, _password= */
static void kv_npm(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  (void)len;
  const uint8_t *v = ln + k->vs;
  size_t n = k->ve - k->vs;
  size_t kn = k->ke - k->ks;
  const uint8_t *key = ln + k->ks;
  /* the key is "_authToken", "_auth", "_password" or ends with ":_authToken" (//registry/:_authToken) */
  bool ok = false;
  static const char *const names[] = {"_authtoken", "_auth", "_password", NULL};
  for (size_t i = 0; names[i]; i++) {
    size_t wn = strlen(names[i]);
    if (kn >= wn && eq_ci(key + kn - wn, wn, names[i]) && (kn == wn || key[kn - wn - 1] == ':' || key[kn - wn - 1] == '/'))
      ok = true;
  }
  /* parse_kv stops the key at ':'; "//host/:_authToken" has the key "_authToken" after ':' */
  if (!ok || n < 8 || n > 1024 || placeholder(v, n) || entropy(v, n) < 2.5) return;
  add_match(sc, r, k->vs, k->ve);
}
static void m_npm(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  if (ln[0] == '#' || ln[0] == ';') return;
  each_kv(sc, r, ln, len, "_authtoken", kv_npm);
  size_t at = find_ci(ln, len, 0, "_auth");
  if (at < len && find_ci(ln, len, 0, "_authtoken") >= len) each_kv(sc, r, ln, len, "_auth", kv_npm);
  each_kv(sc, r, ln, len, "_password", kv_npm);
}

/* .pypirc: password = ... */
static void kv_pypirc(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  (void)len;
  if (!eq_ci(ln + k->ks, k->ke - k->ks, "password")) return;
  const uint8_t *v = ln + k->vs;
  size_t n = k->ve - k->vs;
  if (n < 6 || n > 256 || placeholder(v, n)) return;
  add_match(sc, r, k->vs, k->ve);
}
static void m_pypirc(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  if (!(sc->flags & F_PYPIRC) || ln[0] == '#' || ln[0] == ';') return;
  each_kv(sc, r, ln, len, "password", kv_pypirc);
}

/* JWT: eyJ<header>.eyJ<payload>.<signature>, the header decoding to a JSON object with "alg". */
static bool tok_jwt(scan *sc, const rule *r, const uint8_t *ln, size_t len, size_t at, size_t plen) {
  (void)plen;
  size_t h = run(ln, at, len, is_b64url);
  if (h < 10 || at + h >= len || ln[at + h] != '.') return false;
  size_t p0 = at + h + 1, p = run(ln, p0, len, is_b64url);
  if (p < 10 || p0 + p >= len || ln[p0 + p] != '.' || memcmp(ln + p0, "eyJ", 3) != 0) return false;
  size_t s0 = p0 + p + 1, s = run(ln, s0, len, is_b64url);
  if (s < 16 || s > 1024) return false; /* an RSA-4096 signature is 683 characters */
  uint8_t dec[256];
  long dn = b64_decode(ln + at, h, dec, sizeof dec);
  if (dn < 8 || dec[0] != '{' || !has_ci(dec, (size_t)dn, "\"alg\"")) return false;
  if (placeholder(ln + s0, s) || entropy(ln + s0, s) < 3.0) return false;
  add_match(sc, r, at, s0 + s);
  return true;
}
static void m_jwt(scan *sc, const rule *r, const uint8_t *ln, size_t len) { each_token(sc, r, ln, len, "eyJ", tok_jwt); }

/* PEM / OpenSSH / PGP private keys: the BEGIN marker, confirmed by a base64 body (inline after an
 * escaped "\n", or on the following lines). Evidence is the marker only. */
static bool body_line(const uint8_t *ln, size_t len, bool pgp) {
  while (len > 0 && (ln[len - 1] == '\r' || ln[len - 1] == ' ')) len--;
  size_t i = 0;
  while (i < len && (ln[i] == ' ' || ln[i] == '\t' || ln[i] == '"')) i++;
  if (len - i >= 10 && memcmp(ln + i, "Proc-Type:", 10) == 0) return !pgp;
  size_t n = run(ln, i, len, is_b64);
  return n >= (pgp ? 40 : 40) && n + 2 >= len - i - (len > i && ln[len - 1] == '"' ? 1 : 0);
}
static void m_pem(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  (void)r;
  size_t from = 0;
  for (;;) {
    size_t at = find_ci(ln, len, from, "-----begin ");
    if (at >= len) return;
    from = at + 11;
    size_t end = find_ci(ln, len, from, "-----");
    if (end >= len) return;
    const uint8_t *name = ln + from;
    size_t nn = end - from;
    uint16_t rid;
    if (eq_ci(name, nn, "openssh private key")) rid = R_SSH;
    else if (eq_ci(name, nn, "pgp private key block")) rid = R_PGP;
    else if (nn >= 11 && eq_ci(name + nn - 11, 11, "private key") && nn <= 32) rid = R_PEM;
    else continue;
    size_t after = end + 5;
    if (nn > sizeof sc->pem_marker - 17) continue;
    /* inline body: "...-----\n<base64>" (JSON, YAML strings) */
    if (after + 2 < len && ln[after] == '\\' && ln[after + 1] == 'n') {
      size_t b = after + 2, n = run(ln, b, len, is_b64);
      bool ssh_ok = rid != R_SSH || (n >= 4 && memcmp(ln + b, "b3Bl", 4) == 0);
      if (n >= 40 && ssh_ok) {
        size_t e = b + n;
        while (e < len && (is_b64(ln[e]) || ln[e] == '\\' || ln[e] == '=' || ln[e] == '-' || ln[e] == ' ' ||
                           (ln[e] >= 'A' && ln[e] <= 'Z')))
          e++;
        add_match_m(sc, &builtin_rules[rid], after, e, true);
      }
      continue;
    }
    sc->pem_line = sc->line;
    sc->pem_rule = rid;
    sc->pem_wait = rid == R_PGP ? 4 : 1;
    snprintf(sc->pem_marker, sizeof sc->pem_marker, "-----BEGIN %.*s-----", (int)nn, (const char *)name);
    for (char *c = sc->pem_marker; *c; c++) *c = (char)toupper((unsigned char)*c);
  }
}

/* scheme://user:password@host */
static bool scheme_char(uint8_t c) { return is_alnum(c) || c == '+' || c == '.' || c == '-'; }
static bool userinfo_char(uint8_t c) { return c > 0x20 && c < 0x7f && c != ':' && c != '@' && c != '/' && c != '"' && c != '\'' && c != '`'; }
static bool pass_char(uint8_t c) {
  return c > 0x20 && c < 0x7f && c != '@' && c != '/' && c != '"' && c != '\'' && c != '`' && c != '\\';
}
static bool comment_line(const uint8_t *ln, size_t len) {
  size_t i = 0;
  while (i < len && (ln[i] == ' ' || ln[i] == '\t')) i++;
  return i < len && (ln[i] == '#' || ln[i] == ';' || ln[i] == '*' || (ln[i] == '/' && i + 1 < len && ln[i + 1] == '/') ||
                     (ln[i] == '-' && i + 1 < len && ln[i + 1] == '-'));
}

static void m_url(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  /* documentation in comments of package-provided code ("http://joe:secret@host" in Tcl's http) */
  if ((sc->flags & F_PKGPATH) && comment_line(ln, len)) return;
  static const char *const schemes[] = {"mysql", "mariadb", "postgres", "postgresql", "mongodb", "mongodb+srv",
                                        "redis", "rediss", "amqp", "amqps", "ftp", "ftps", "sftp", "http", "https",
                                        "smtp", "smtps", "ldap", "ldaps", "mssql", "sqlserver", "jdbc:mysql",
                                        "jdbc:postgresql", "git", "ssh", "svn", "nats", "kafka", "mqtt", NULL};
  size_t from = 0;
  for (;;) {
    size_t at = find_ci(ln, len, from, "://");
    if (at >= len) return;
    from = at + 3;
    size_t s = at;
    while (s > 0 && scheme_char(ln[s - 1])) s--;
    bool known = false;
    for (size_t i = 0; schemes[i] && !known; i++) known = eq_ci(ln + s, at - s, schemes[i]);
    if (!known) continue;
    size_t u = at + 3, un = run(ln, u, len, userinfo_char);
    if (un == 0 || u + un >= len || ln[u + un] != ':') continue;
    size_t p = u + un + 1, pn = run(ln, p, len, pass_char);
    /* the password ends at the last '@' before the host */
    size_t last_at = 0;
    bool have_at = false;
    for (size_t i = p; i < p + pn + 1 && i < len; i++)
      if (ln[i] == '@') {
        last_at = i;
        have_at = true;
        break;
      }
    if (!have_at || last_at == p) continue;
    pn = last_at - p;
    if (pn > 256) continue;
    const uint8_t *pw = ln + p;
    if (placeholder(pw, pn) || eq_ci(pw, pn, "x-oauth-basic")) continue;
    if (pn == un && memcmp(pw, ln + u, pn) == 0) continue; /* user:user */
    bool pct_ok = true;
    for (size_t i = 0; i < pn; i++)
      if (pw[i] == '%' && !(i + 2 < pn + 1 && i + 2 <= pn && isxdigit(pw[i + 1]) && isxdigit(pw[i + 2]))) pct_ok = false;
    if (!pct_ok || pw[0] == '{' || pw[0] == '[' || pw[0] == '*') continue;
    size_t h = last_at + 1, hn = run(ln, h, len, userinfo_char);
    if (hn == 0) continue;
    const uint8_t *host = ln + h;
    if (has_ci(host, hn, "example.") || eq_ci(host, hn, "host") || eq_ci(host, hn, "hostname") ||
        has_ci(host, hn, "your") || has_ci(host, hn, "server.com"))
      continue;
    add_match(sc, r, p, p + pn);
  }
}

/* Generic assignments in env and config files: a key ending in password/secret/token/api key with a
 * high-entropy value that is not a placeholder, a path, a URL or a number. */
static bool generic_key(const uint8_t *key, size_t kn) {
  static const char *const tails[] = {"password", "passwd", "pwd", "pass", "secret", "secret_key", "secretkey",
                                      "api_key", "apikey", "api-key", "access_token", "auth_token", "token",
                                      "private_key", "client_secret", "secret-key", "access-token", NULL};
  for (size_t i = 0; tails[i]; i++) {
    size_t tn = strlen(tails[i]);
    if (kn < tn || !eq_ci(key + kn - tn, tn, tails[i])) continue;
    if (kn == tn || !is_alnum(key[kn - tn - 1]) || (key[kn - tn - 1] >= 'a' && key[kn - tn - 1] <= 'z' && key[kn - tn] >= 'A' && key[kn - tn] <= 'Z'))
      return true;
  }
  return false;
}
static void kv_generic(scan *sc, const rule *r, const uint8_t *ln, size_t len, const kv *k) {
  (void)len;
  const uint8_t *v = ln + k->vs;
  size_t n = k->ve - k->vs;
  if (!generic_key(ln + k->ks, k->ke - k->ks)) return;
  if (n < 8 || n > 256 || placeholder(v, n) || all_digits(v, n)) return;
  if (v[0] == '/' || v[0] == '.' || v[0] == '~' || has_ci(v, n, "://") || has_ci(v, n, " ")) return;
  if (entropy(v, n) < 3.0) return;
  add_match(sc, r, k->vs, k->ve);
}
static void m_generic(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  if (!(sc->flags & F_ENV)) return;
  size_t i = 0;
  while (i < len && (ln[i] == ' ' || ln[i] == '\t')) i++;
  if (i < len && (ln[i] == '#' || ln[i] == ';' || (ln[i] == '/' && i + 1 < len && ln[i + 1] == '/'))) return;
  static const char *const kws[] = {"password", "passwd", "pwd", "secret", "api_key", "apikey", "api-key", "token", NULL};
  for (size_t j = 0; kws[j]; j++) each_kv(sc, r, ln, len, kws[j], kv_generic);
}

static void m_flags(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  (void)r;
  if (has_ci(ln, len, "service_account")) sc->flags |= F_SERVICE_ACCOUNT;
  if (has_ci(ln, len, "\"auths\"")) sc->flags |= F_AUTHS;
  size_t k = find_ci(ln, len, 0, "kind:");
  if (k < len) {
    size_t i = k + 5;
    while (i < len && ln[i] == ' ') i++;
    if (i + 6 <= len && memcmp(ln + i, "Config", 6) == 0 && (i + 6 == len || !is_alnum(ln[i + 6]))) sc->flags |= F_KUBECONFIG;
  }
}

#define REM_ROTATE "Revoke and rotate the credential, remove it from the image (and from every layer: rebuild " \
                   "without it), and pass it at run time through a secret store or the environment."

_Static_assert(R_NBUILTIN == R_NBUILTIN_, "R_NBUILTIN_");
/* Positional entries; the user-rule fields (re, has_re) stay zero. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const rule builtin_rules[R_NBUILTIN] = {
    [R_ALI_ID] = {"BW-SEC-001", "alibaba-access-key-id", "Alibaba Cloud AccessKey ID", REM_ROTATE, BW_SEV_HIGH,
                  {"LTAI"}, m_ali_id},
    [R_ALI_SECRET] = {"BW-SEC-002", "alibaba-access-key-secret", "Alibaba Cloud AccessKey secret", REM_ROTATE,
                      BW_SEV_CRITICAL,
                      {"accesskeysecret", "access_key_secret", "access-key-secret", "alicloud_secret",
                       "alibaba_cloud_secret", "aliyun_secret"},
                      m_ali_secret},
    [R_AWS_ID] = {"BW-SEC-003", "aws-access-key-id", "AWS access key ID", REM_ROTATE, BW_SEV_HIGH,
                  {"AKIA", "ASIA", "ABIA", "ACCA"}, m_aws_id},
    [R_AWS_SECRET] = {"BW-SEC-004", "aws-secret-access-key", "AWS secret access key", REM_ROTATE, BW_SEV_CRITICAL,
                      {"secret_access_key", "secretaccesskey", "aws_secret_key", "secret-access-key"}, m_aws_secret},
    [R_TC_ID] = {"BW-SEC-005", "tencent-secret-id", "Tencent Cloud SecretId", REM_ROTATE, BW_SEV_HIGH, {"AKID"},
                 m_tc_id},
    [R_TC_SECRET] = {"BW-SEC-006", "tencent-secret-key", "Tencent Cloud SecretKey", REM_ROTATE, BW_SEV_CRITICAL,
                     {"secretkey", "secret_key", "secret-key"}, m_tc_secret},
    [R_HUAWEI] = {"BW-SEC-007", "huawei-access-key", "Huawei Cloud access key (AK/SK)", REM_ROTATE, BW_SEV_CRITICAL,
                  {"huaweicloud_", "hw_access_key", "hw_secret_key", "huawei_", "access key id,secret access key"},
                  m_huawei},
    [R_GCP] = {"BW-SEC-008", "gcp-service-account-key", "Google Cloud service account private key",
               "Delete the key in the Cloud console (IAM > Service accounts > Keys), remove the JSON file from the "
               "image and use workload identity or a secret mounted at run time.",
               BW_SEV_CRITICAL, {"\"private_key\""}, m_gcp},
    [R_AZURE] = {"BW-SEC-009", "azure-storage-key", "Azure storage account key",
                 "Rotate the storage account key (Access keys > Rotate), remove the connection string from the image "
                 "and use a managed identity or a secret injected at run time.",
                 BW_SEV_CRITICAL, {"accountkey=", "sharedaccesskey="}, m_azure},
    [R_GITHUB] = {"BW-SEC-010", "github-token", "GitHub token",
                  "Revoke the token (GitHub Settings > Developer settings), remove it from the image and pass it at "
                  "build time with a BuildKit secret mount.",
                  BW_SEV_CRITICAL, {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"}, m_github},
    [R_GITLAB] = {"BW-SEC-011", "gitlab-token", "GitLab personal access token",
                  "Revoke the token in GitLab (User settings > Access tokens) and remove it from the image.",
                  BW_SEV_CRITICAL, {"glpat-"}, m_gitlab},
    [R_SLACK] = {"BW-SEC-012", "slack-token", "Slack token",
                 "Revoke the token in the Slack app settings and remove it from the image.", BW_SEV_HIGH,
                 {"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"}, m_slack},
    [R_SLACK_HOOK] = {"BW-SEC-013", "slack-webhook", "Slack incoming webhook URL",
                      "Regenerate the webhook in the Slack app settings and remove it from the image.", BW_SEV_MEDIUM,
                      {"hooks.slack.com/services/"}, m_slack_hook},
    [R_STRIPE] = {"BW-SEC-014", "stripe-key", "Stripe live secret key",
                  "Roll the key in the Stripe dashboard (Developers > API keys) and remove it from the image.",
                  BW_SEV_CRITICAL, {"sk_live_", "rk_live_"}, m_stripe},
    [R_PYPI_TOKEN] = {"BW-SEC-015", "pypi-token", "PyPI upload token",
                      "Revoke the token on pypi.org (Account settings > API tokens) and remove it from the image.",
                      BW_SEV_HIGH, {"pypi-ageichlwas5vcmc"}, m_pypi_token},
    [R_DOCKER] = {"BW-SEC-016", "docker-registry-auth", "Container registry credentials in a Docker config",
                  "Log out (docker logout) before the layer is committed, or mount the config as a build secret; "
                  "change the registry password or token.",
                  BW_SEV_HIGH, {"\"auth\"", "identitytoken", "registrytoken"}, m_docker},
    [R_KUBE] = {"BW-SEC-017", "kubeconfig-credentials", "Kubernetes credentials in a kubeconfig",
                "Remove the kubeconfig from the image, revoke the client certificate or token, and mount "
                "credentials at run time (a service account token).",
                BW_SEV_CRITICAL, {"client-key-data", "token"}, m_kube},
    [R_NPM] = {"BW-SEC-018", "npm-token", "npm registry token in .npmrc",
               "Revoke the token (npm token revoke), and use an .npmrc that reads ${NPM_TOKEN} from a build secret.",
               BW_SEV_HIGH, {"_auth", "_password"}, m_npm},
    [R_PYPIRC] = {"BW-SEC-019", "pypirc-password", "Package index password in .pypirc",
                  "Change the password, remove .pypirc from the image and use an API token from a build secret.",
                  BW_SEV_HIGH, {"password"}, m_pypirc},
    [R_JWT] = {"BW-SEC-020", "jwt", "JSON Web Token",
               "Invalidate the token (rotate the signing key if it is long-lived) and remove it from the image.",
               BW_SEV_MEDIUM, {"eyJ"}, m_jwt},
    [R_PEM] = {"BW-SEC-021", "private-key", "Private key",
               "Remove the private key from the image, generate a new key pair (the old one is compromised) and mount "
               "the key at run time.",
               BW_SEV_CRITICAL, {"-----begin "}, m_pem},
    [R_SSH] = {"BW-SEC-022", "openssh-private-key", "OpenSSH private key",
               "Remove the key from the image, generate a new key pair and remove the old public key from every "
               "authorized_keys.",
               BW_SEV_CRITICAL, {0}, NULL},
    [R_PGP] = {"BW-SEC-023", "pgp-private-key", "PGP private key block",
               "Revoke the key (publish a revocation certificate), remove it from the image and generate a new one.",
               BW_SEV_CRITICAL, {0}, NULL},
    [R_URL] = {"BW-SEC-024", "url-password", "Password in a URL or connection string",
               "Change the password and read credentials from the environment or a secret store instead of the URL "
               "(for git, use a credential helper rather than .git-credentials).",
               BW_SEV_HIGH, {"://"}, m_url},
    [R_GENERIC] = {"BW-SEC-025", "generic-secret", "Password or secret assigned in a configuration file",
                   "Move the value out of the file into a secret store or run-time environment and change it.",
                   BW_SEV_MEDIUM, {"password", "passwd", "pwd", "secret", "api_key", "apikey", "api-key", "token"},
                   m_generic},
    [R_FLAGS] = {NULL, NULL, NULL, NULL, 0, {"service_account", "\"auths\"", "kind:"}, m_flags},
};
#pragma GCC diagnostic pop

/* ---------------------------------------------------------------------------------------------
 * Configuration: the rule set and its automaton (built-in rules + user rules), and allow entries */

static config g_builtin;
static config *g_cfg;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static bool g_builtin_ok;


static int build_ac(config *c, bw_error *err) {
  size_t n = 0;
  for (size_t r = 0; r < c->nrules; r++)
    for (size_t k = 0; k < 12 && c->rules[r].keywords[k]; k++) n++;
  const char **kw = calloc(n ? n : 1, sizeof *kw);
  c->kw_rule = calloc(n ? n : 1, sizeof *c->kw_rule);
  if (!kw || !c->kw_rule) {
    free(kw);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  size_t i = 0;
  for (size_t r = 0; r < c->nrules; r++)
    for (size_t k = 0; k < 12 && c->rules[r].keywords[k]; k++) {
      kw[i] = c->rules[r].keywords[k];
      c->kw_rule[i++] = (uint16_t)r;
    }
  c->nkw = n;
  c->ac = bw_ac_build(kw, n, err);
  free(kw);
  return c->ac ? 0 : -err->code;
}

static void builtin_init(void) {
  g_builtin.rules = builtin_rules;
  g_builtin.nrules = R_NBUILTIN;
  bw_error err = {0};
  g_builtin_ok = build_ac(&g_builtin, &err) == 0;
  if (!g_builtin_ok) bw_warn("secrets: %s", err.msg);
}

int bw_secrets_configure_buf(const char *name, const uint8_t *text, size_t n, bw_error *err);

static const config *current(void) {
  pthread_once(&g_once, builtin_init);
  if (g_cfg) return g_cfg;
  return g_builtin_ok ? &g_builtin : NULL;
}

static void config_free(config *c) {
  if (!c) return;
  bw_ac_free(c->ac);
  free(c->kw_rule);
  for (size_t r = R_NBUILTIN; r < c->nrules; r++) {
    rule *u = &c->user[r];
    free((char *)u->id), free((char *)u->title), free((char *)u->category), free((char *)u->remediation);
    for (size_t k = 0; k < 12 && u->keywords[k]; k++) free((char *)u->keywords[k]);
    if (u->has_re) regfree(&u->re);
  }
  free(c->user);
  for (size_t a = 0; a < c->nallow; a++) {
    free(c->allows[a].path_glob);
    if (c->allows[a].has_re) regfree(&c->allows[a].re);
  }
  free(c->allows);
  free(c);
}

/* ---------------------------------------------------------------------------------------------
 * The per-line work */

static bool allowed_value(const config *c, const char *path, const uint8_t *v, size_t n) {
  if (!c->nallow) return false;
  char buf[1024];
  size_t m = n < sizeof buf - 1 ? n : sizeof buf - 1;
  memcpy(buf, v, m);
  buf[m] = 0;
  for (size_t a = 0; a < c->nallow; a++) {
    const allow *al = &c->allows[a];
    if (!al->has_re) continue;
    if (al->path_glob && fnmatch(al->path_glob, path, 0) != 0) continue;
    if (regexec(&al->re, buf, 0, NULL, 0) == 0) return true;
  }
  return false;
}

/* User rules: POSIX extended regex on the line; the value is group 1 when there is one. */
static void m_user(scan *sc, const rule *r, const uint8_t *ln, size_t len) {
  char *s = malloc(len + 1);
  if (!s) return;
  memcpy(s, ln, len);
  for (size_t i = 0; i < len; i++)
    if (!s[i]) s[i] = ' ';
  s[len] = 0;
  size_t off = 0;
  while (off < len) {
    regmatch_t m[2];
    if (regexec(&r->re, s + off, 2, m, off ? REG_NOTBOL : 0) != 0) break;
    regmatch_t v = (r->re.re_nsub >= 1 && m[1].rm_so >= 0) ? m[1] : m[0];
    if (m[0].rm_eo <= m[0].rm_so) {
      off += (size_t)m[0].rm_so + 1;
      continue;
    }
    add_match(sc, r, off + (size_t)v.rm_so, off + (size_t)v.rm_eo);
    off += (size_t)m[0].rm_eo;
  }
  free(s);
}

static void record(scan *sc, uint16_t rid, const char *evidence) {
  if (sc->nfound >= BW_LIMIT_SECRET_FINDINGS_PER_FILE) {
    sc->capped = true;
    return;
  }
  if (!sc->found && !(sc->found = calloc(BW_LIMIT_SECRET_FINDINGS_PER_FILE, sizeof *sc->found))) return;
  char *e = strdup(evidence);
  if (!e) return;
  sc->found[sc->nfound++] = (found){.rule = rid, .line = sc->line, .evidence = e};
}

/* How much of a value the evidence shows: 4 characters of a long value, fewer of a short one. */
static size_t shown(size_t n) { return n >= 20 ? 4 : n >= 12 ? 2 : 0; }

static void emit_line(scan *sc, const uint8_t *ln, size_t len) {
  if (!sc->nm) return;
  /* Overlaps: the earlier rule (more specific) wins. */
  for (size_t i = 0; i < sc->nm; i++)
    for (size_t j = 0; j < sc->nm; j++) {
      if (i == j || sc->m[i].ve == 0 || sc->m[j].ve == 0) continue;
      match *a = &sc->m[i], *b = &sc->m[j];
      bool overlap = a->vs < b->ve && b->vs < a->ve;
      bool same = a->vs == b->vs && a->ve == b->ve && a->rule == b->rule;
      if ((overlap && a->rule < b->rule) || (same && i < j)) b->ve = 0;
    }
  /* Allow-list. */
  for (size_t i = 0; i < sc->nm; i++)
    if (sc->m[i].ve && allowed_value(sc->cfg, sc->path, ln + sc->m[i].vs, sc->m[i].ve - sc->m[i].vs)) sc->m[i].ve = 0;
  /* The redacted line: every matched span masked (also those of other rules on this line). */
  char *red = malloc(len + 8 * MAX_LINE_MATCHES + 1);
  if (!red) return;
  size_t o = 0, first = SIZE_MAX;
  for (size_t i = 0; i < len;) {
    const match *mm = NULL;
    for (size_t j = 0; j < sc->nm; j++)
      if (sc->m[j].ve && sc->m[j].vs == i && (!mm || sc->m[j].ve > mm->ve)) mm = &sc->m[j];
    bool inside = false;
    for (size_t j = 0; j < sc->nm && !mm; j++)
      if (sc->m[j].ve && sc->m[j].vs < i && i < sc->m[j].ve) inside = true;
    if (inside) {
      i++;
      continue;
    }
    if (mm) {
      if (first == SIZE_MAX) first = o;
      size_t n = mm->ve - mm->vs, k = mm->full_mask ? 0 : shown(n);
      for (size_t c = 0; c < k; c++) red[o++] = (char)(ln[i + c] >= 0x20 && ln[i + c] < 0x7f ? ln[i + c] : '?');
      memcpy(red + o, "****", 4);
      o += 4;
      i = mm->ve;
      continue;
    }
    uint8_t c = ln[i++];
    red[o++] = (char)(c == '\t' ? ' ' : (c >= 0x20 && c < 0x7f) ? c : (c >= 0x80 ? c : '?'));
  }
  red[o] = 0;
  if (first == SIZE_MAX) {
    free(red);
    return;
  }
  /* A window of the line around the first value, trimmed. */
  size_t lead = 0;
  while (lead < first && red[lead] == ' ') lead++;
  size_t ws = first > lead + 60 ? first - 60 : lead;
  while (ws > lead && ((uint8_t)red[ws] & 0xC0) == 0x80) ws--; /* not inside a UTF-8 sequence */
  size_t we = o;
  while (we > ws && (red[we - 1] == ' ' || red[we - 1] == '\r')) we--;
  if (we - ws > BW_LIMIT_SECRET_EVIDENCE) we = ws + BW_LIMIT_SECRET_EVIDENCE;
  /* never end inside a UTF-8 sequence */
  while (we > ws && we < o && ((uint8_t)red[we] & 0xC0) == 0x80) we--;
  char ev[BW_LIMIT_SECRET_EVIDENCE + 8];
  snprintf(ev, sizeof ev, "%s%.*s%s", ws > lead ? "..." : "", (int)(we - ws), red + ws, we < o ? "..." : "");
  free(red);
  /* One finding per rule per line. */
  for (size_t i = 0; i < sc->nm; i++) {
    if (!sc->m[i].ve) continue;
    bool dup = false;
    for (size_t j = 0; j < i; j++) dup |= sc->m[j].ve && sc->m[j].rule == sc->m[i].rule;
    if (!dup) record(sc, sc->m[i].rule, ev);
  }
}

static void process_line(scan *sc, const uint8_t *ln, size_t len) {
  const config *c = sc->cfg;
  sc->nm = 0;
  /* A BEGIN marker waiting for its body. */
  if (sc->pem_wait) {
    bool pgp = sc->pem_rule == R_PGP;
    bool ok = body_line(ln, len, pgp);
    if (ok && sc->pem_rule == R_SSH) {
      size_t i = 0;
      while (i < len && (ln[i] == ' ' || ln[i] == '\t')) i++;
      ok = len - i >= 4 && memcmp(ln + i, "b3Bl", 4) == 0;
    }
    if (ok) {
      uint32_t keep = sc->line;
      sc->line = sc->pem_line;
      record(sc, sc->pem_rule, sc->pem_marker);
      sc->line = keep;
      sc->pem_wait = 0;
    } else {
      sc->pem_wait--;
    }
  }
  if (sc->csv_pending) {
    sc->csv_pending = false;
    csv_keys(sc, ln, len);
  }
  memset(sc->hit, 0, sizeof sc->hit);
  bool any = false;
  uint32_t st = 0;
  size_t pos = 0;
  while (pos < len) {
    size_t i = bw_ac_next(c->ac, &st, ln + pos, len - pos);
    if (i == len - pos) break;
    const uint32_t *o;
    size_t no = bw_ac_outputs(c->ac, st, &o);
    for (size_t j = 0; j < no; j++) {
      uint16_t r = c->kw_rule[o[j]];
      sc->hit[r >> 6] |= 1ull << (r & 63);
      any = true;
    }
    pos += i + 1;
  }
  if (any && (sc->hit[R_FLAGS >> 6] >> (R_FLAGS & 63) & 1)) m_flags(sc, &c->rules[R_FLAGS], ln, len);
  for (size_t r = 0; any && r < c->nrules; r++) {
    if (r == R_FLAGS || !(sc->hit[r >> 6] >> (r & 63) & 1)) continue;
    const rule *ru = &c->rules[r];
    if (ru->has_re) m_user(sc, ru, ln, len);
    else if (ru->fn) ru->fn(sc, ru, ln, len);
  }
  {
    if (sc->ali_line && sc->line - sc->ali_line <= NEAR_LINES)
      each_assign(sc, &c->rules[R_ALI_SECRET], ln, len, kv_ali_near);
    if (sc->aws_line && sc->line - sc->aws_line <= NEAR_LINES)
      each_assign(sc, &c->rules[R_AWS_SECRET], ln, len, kv_aws_near);
  }
  emit_line(sc, ln, len);
}

/* Lines in buf[0, len): every line is terminated by '\n' except maybe the last (a file's end, or a
 * piece of an over-long line). Lines without a keyword cost one table load per byte. */
static void scan_region(scan *sc, const uint8_t *buf, size_t len) {
  const bw_ac *ac = sc->cfg->ac;
  size_t pos = 0;
  while (pos < len) {
    bool forced = sc->pem_wait || sc->csv_pending || (sc->ali_line && sc->line - sc->ali_line <= NEAR_LINES) ||
                  (sc->aws_line && sc->line - sc->aws_line <= NEAR_LINES);
    if (!forced) {
      uint32_t st = 0;
      size_t i = bw_ac_next(ac, &st, buf + pos, len - pos);
      if (i == len - pos) {
        for (const uint8_t *p = buf + pos, *e = buf + len; (p = memchr(p, '\n', (size_t)(e - p))); p++) sc->line++;
        return;
      }
      size_t hitpos = pos + i;
      const uint8_t *ls = hitpos > pos ? memrchr(buf + pos, '\n', hitpos - pos) : NULL;
      size_t start = ls ? (size_t)(ls - buf) + 1 : pos;
      for (const uint8_t *p = buf + pos, *e = buf + start; (p = memchr(p, '\n', (size_t)(e - p))); p++) sc->line++;
      pos = start;
    }
    const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - buf) : len;
    process_line(sc, buf + pos, end - pos);
    if (!nl) return;
    sc->line++;
    pos = end + 1;
  }
}

static void carry_flush(scan *sc) {
  if (sc->carry_len) scan_region(sc, sc->carry, sc->carry_len);
  sc->carry_len = 0;
}

static void carry_add(scan *sc, const uint8_t *p, size_t n) {
  while (n > 0) {
    size_t room = BW_LIMIT_SECRET_LINE_BYTES - sc->carry_len;
    if (room == 0) {
      carry_flush(sc); /* a piece of an over-long line */
      continue;
    }
    size_t k = n < room ? n : room;
    memcpy(sc->carry + sc->carry_len, p, k);
    sc->carry_len += k;
    p += k;
    n -= k;
  }
}

/* ---------------------------------------------------------------------------------------------
 * The stream analyser */

static bool prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }
static bool suffix(const char *s, size_t n, const char *x) {
  size_t k = strlen(x);
  return n >= k && memcmp(s + n - k, x, k) == 0;
}

/* Paths that hold package-provided text no user secret lives in (documentation, translations,
 * package manager bookkeeping, test data of installed libraries). */
static bool skip_path(const char *path) {
  static const char *const dirs[] = {"usr/share/doc/", "usr/share/man/", "usr/share/info/", "usr/share/locale/",
                                     "usr/share/i18n/", "usr/share/zoneinfo/", "usr/share/common-licenses/",
                                     "usr/share/mime/", "usr/share/icons/", "usr/share/fonts/",
                                     "usr/share/X11/locale/", "usr/lib/locale/", "usr/share/ca-certificates/",
                                     "usr/share/perl/", "usr/share/lintian/", "usr/share/bash-completion/",
                                     "usr/share/vim/", "usr/include/", "usr/share/gtk-doc/", "usr/share/help/",
                                     "usr/share/javadoc/", "usr/lib/jvm/", "usr/share/javascript/", "usr/lib/gcc/",
                                     "var/lib/apt/", "var/lib/dpkg/", "var/cache/apt/", "var/cache/man/", NULL};
  if (path[0] == 'u' || path[0] == 'v') {
    for (size_t i = 0; dirs[i]; i++)
      if (prefix(path, dirs[i])) return true;
    /* toolchains and interpreter standard libraries (their sources and test data, not the user's):
     * usr/lib/go-1.19/, usr/share/go-1.19/, usr/lib/llvm-14/, usr/lib/python3.11/ (but not its
     * site-packages / dist-packages) */
    static const char *const tool[] = {"usr/lib/go-", "usr/share/go-", "usr/lib/llvm-", "usr/lib/python3.", NULL};
    for (size_t i = 0; tool[i]; i++)
      if (prefix(path, tool[i]) && !strstr(path, "/site-packages/") && !strstr(path, "/dist-packages/")) return true;
  }
  size_t n = strlen(path);
  static const char *const exts[] = {".mo", ".po", ".pyc", ".gz", ".xz", ".bz2", ".zst", ".png", ".jpg", ".gif",
                                     ".svg", ".ttf", ".woff", ".woff2", ".map", ".md5sums", ".symbols", ".shlibs",
                                     ".triggers", ".pem.sig", NULL};
  for (size_t i = 0; exts[i]; i++)
    if (suffix(path, n, exts[i])) return true;
  /* test and example trees of installed libraries (their keys are fixtures, not the user's) */
  bool lib = prefix(path, "usr/lib/") || prefix(path, "usr/share/") || prefix(path, "usr/local/lib/") ||
             strstr(path, "/site-packages/") || strstr(path, "/dist-packages/") || strstr(path, "node_modules/");
  if (lib && (strstr(path, "/test/") || strstr(path, "/tests/") || strstr(path, "/testing/") ||
              strstr(path, "/testdata/") || strstr(path, "/__tests__/") || strstr(path, "/idle_test/") ||
              strstr(path, "/examples/") || strstr(path, "/example/") || strstr(path, "/fixtures/")))
    return true;
  /* test sources of installed toolchains and libraries (Go's crypto tests hold PEM keys) */
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (lib && (suffix(base, strlen(base), "_test.go") || suffix(base, strlen(base), "_test.py") ||
              (prefix(base, "test_") && suffix(base, strlen(base), ".py"))))
    return true;
  /* and their documentation (PyJWT's README carries a sample token) */
  if (lib && (strcmp(base, "PKG-INFO") == 0 || strcmp(base, "METADATA") == 0 || suffix(base, strlen(base), ".md") ||
              suffix(base, strlen(base), ".rst") || suffix(base, strlen(base), ".html")))
    return true;
  return false;
}

static bool binary_head(const uint8_t *h, size_t n) {
  if (memchr(h, 0, n)) return true;
  static const struct {
    const char *m;
    size_t n;
  } magics[] = {{"\x7f" "ELF", 4}, {"PK\x03\x04", 4}, {"\x1f\x8b", 2}, {"\x89PNG", 4}, {"\xff\xd8\xff", 3},
                {"GIF8", 4}, {"BZh", 3}, {"\xfd" "7zXZ", 5}, {"\x28\xb5\x2f\xfd", 4}, {"7z\xbc\xaf", 4},
                {"\xca\xfe\xba\xbe", 4}, {"%PDF", 4}, {"\xfe\xed\xfa", 3}, {"\xcf\xfa\xed\xfe", 4},
                {"\xff\xfe", 2}, {"\xfe\xff", 2}, {"wOFF", 4}, {"OggS", 4}, {"RIFF", 4}, {"!<arch>", 7}};
  for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
    if (n >= magics[i].n && memcmp(h, magics[i].m, magics[i].n) == 0) return true;
  size_t ctl = 0;
  for (size_t i = 0; i < n; i++)
    if (h[i] < 0x20 && h[i] != '\n' && h[i] != '\r' && h[i] != '\t' && h[i] != '\f' && h[i] != 0x1b) ctl++;
  return ctl * 10 > n;
}

static bool sec_wants(const char *path, uint32_t mode, uint64_t size, const uint8_t *head, size_t head_len) {
  (void)mode;
  (void)size;
  if (skip_path(path) || binary_head(head, head_len)) return false;
  const config *c = current();
  if (!c) return false;
  for (size_t a = 0; a < c->nallow; a++)
    if (c->allows[a].path_glob && !c->allows[a].has_re && fnmatch(c->allows[a].path_glob, path, 0) == 0) return false;
  return true;
}

static uint32_t path_flags(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(path), bn = strlen(base);
  uint32_t f = 0;
  if (strcmp(base, ".npmrc") == 0 || strcmp(base, "npmrc") == 0) f |= F_NPMRC;
  if (strcmp(base, ".pypirc") == 0) f |= F_PYPIRC;
  if (strcmp(base, ".git-credentials") == 0) f |= F_GITCRED;
  if (strcmp(base, "config.json") == 0 && (strstr(path, ".docker/") || strstr(path, "containers/"))) f |= F_DOCKERCFG;
  if (strstr(path, ".kube/") || strstr(base, "kubeconfig")) f |= F_KUBEPATH;
  /* env and config files get the generic assignment rule */
  bool env = strcmp(base, ".env") == 0 || prefix(base, ".env.") || suffix(base, bn, ".env");
  static const char *const cfg_ext[] = {".conf", ".cfg", ".cnf", ".ini", ".properties", ".yaml", ".yml", ".toml",
                                        ".json", ".xml", ".env", NULL};
  bool cfg = false;
  for (size_t i = 0; cfg_ext[i]; i++) cfg |= suffix(base, bn, cfg_ext[i]);
  bool pkg = prefix(path, "usr/") && !prefix(path, "usr/local/");
  if (env || (cfg && !pkg) || (f & (F_PYPIRC | F_NPMRC))) f |= F_ENV;
  if (pkg) f |= F_PKGPATH;
  (void)n;
  return f;
}

static int sec_open(void **state, const char *path, uint64_t size, bw_error *err) {
  const config *c = current();
  if (!c) return bw_error_set(err, BW_EINVAL, "secret rules unavailable");
  scan *sc = calloc(1, sizeof *sc);
  if (!sc) return bw_error_set(err, BW_ENOMEM, "out of memory");
  sc->cfg = c;
  sc->line = 1;
  sc->oversize = size > BW_LIMIT_SECRET_FILE_BYTES;
  sc->path = strdup(path);
  sc->carry = sc->oversize ? NULL : malloc(BW_LIMIT_SECRET_LINE_BYTES);
  if (!sc->path || (!sc->oversize && !sc->carry)) {
    free(sc->path), free(sc->carry), free(sc);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  sc->flags = path_flags(path);
  *state = sc;
  return 0;
}

static int sec_feed(void *state, const uint8_t *buf, size_t len, bw_error *err) {
  (void)err;
  scan *sc = state;
  if (sc->oversize) return 0;
  while (len > 0) {
    const uint8_t *nl = memchr(buf, '\n', len);
    if (!nl) {
      carry_add(sc, buf, len);
      return 0;
    }
    size_t first = (size_t)(nl - buf) + 1;
    if (sc->carry_len) {
      carry_add(sc, buf, first); /* completes the carried line */
      carry_flush(sc);
      buf += first;
      len -= first;
      continue;
    }
    const uint8_t *last = memrchr(buf, '\n', len);
    size_t whole = (size_t)(last - buf) + 1;
    scan_region(sc, buf, whole);
    buf += whole;
    len -= whole;
  }
  return 0;
}

static int sec_finish(void *state, bw_analyze_out *out, bw_error *err) {
  scan *sc = state;
  if (sc->oversize) {
    if (out->skipped) (*out->skipped)++;
    return 0;
  }
  carry_flush(sc);
  for (size_t i = 0; i < sc->nfound; i++) {
    const rule *r = &sc->cfg->rules[sc->found[i].rule];
    bw_record_finding *f = bw_analyze_finding(out);
    if (!f) break;
    f->kind = BW_FINDING_SECRET;
    f->severity = r->severity;
    f->rule = bw_arena_strdup(out->arena, r->id);
    f->category = bw_arena_strdup(out->arena, r->category);
    f->title = bw_arena_strdup(out->arena, r->title);
    f->line = sc->found[i].line;
    f->evidence = bw_arena_strdup(out->arena, sc->found[i].evidence);
    f->remediation = bw_arena_strdup(out->arena, r->remediation);
    if (!f->rule || !f->category || !f->title || !f->evidence || !f->remediation)
      return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  if (sc->capped) bw_analyze_warn(out, "more than %u secrets in this file: the rest not reported", BW_LIMIT_SECRET_FINDINGS_PER_FILE);
  return 0;
}

static void sec_close(void *state) {
  scan *sc = state;
  if (!sc) return;
  for (size_t i = 0; i < sc->nfound; i++) free(sc->found[i].evidence);
  free(sc->found);
  free(sc->carry);
  free(sc->path);
  free(sc);
}

const bw_stream_analyzer bw_stream_secrets = {
    .name = "secrets", .scanner = BW_SCANNER_BASELINE, .wants = sec_wants, .open = sec_open,
    .feed = sec_feed, .finish = sec_finish, .close = sec_close,
};

/* ---------------------------------------------------------------------------------------------
 * User configuration (YAML; format in docs/internals/baseline.md) */

static const char *scalar(yaml_document_t *d, yaml_node_t *n) {
  (void)d;
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *m, const char *key) {
  if (!m || m->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
    const char *k = scalar(d, yaml_document_get_node(d, p->key));
    if (k && strcmp(k, key) == 0) return yaml_document_get_node(d, p->value);
  }
  return NULL;
}

static char *dup_or(const char *s, const char *dflt) { return strdup(s ? s : dflt); }

static int load_user_rule(yaml_document_t *d, yaml_node_t *n, size_t idx, rule *u, const char *path, bw_error *err) {
  if (!n || n->type != YAML_MAPPING_NODE) return bw_error_set(err, BW_EINVAL, "%s: rules[%zu] is not a mapping", path, idx);
  const char *id = scalar(d, map_get(d, n, "id")), *re = scalar(d, map_get(d, n, "regex"));
  if (!id || !*id) return bw_error_set(err, BW_EINVAL, "%s: rules[%zu] has no id", path, idx);
  if (!re || !*re) return bw_error_set(err, BW_EINVAL, "%s: rule %s has no regex", path, id);
  const char *sev = scalar(d, map_get(d, n, "severity"));
  int sv = sev ? bw_severity_parse(sev) : BW_SEV_HIGH;
  if (sv < 0) return bw_error_set(err, BW_EINVAL, "%s: rule %s: unknown severity \"%s\"", path, id, sev);
  yaml_node_t *kws = map_get(d, n, "keywords");
  if (!kws || kws->type != YAML_SEQUENCE_NODE || kws->data.sequence.items.top == kws->data.sequence.items.start)
    return bw_error_set(err, BW_EINVAL, "%s: rule %s needs a non-empty keywords list (the prefilter)", path, id);
  size_t nk = 0;
  for (yaml_node_item_t *it = kws->data.sequence.items.start; it < kws->data.sequence.items.top; it++) {
    const char *k = scalar(d, yaml_document_get_node(d, *it));
    if (!k || !*k || strlen(k) > 255) return bw_error_set(err, BW_EINVAL, "%s: rule %s: bad keyword", path, id);
    if (nk == 11) return bw_error_set(err, BW_EINVAL, "%s: rule %s: more than 11 keywords", path, id);
    if (!(u->keywords[nk++] = strdup(k))) return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  u->id = strdup(id);
  u->title = dup_or(scalar(d, map_get(d, n, "title")), id);
  u->category = dup_or(scalar(d, map_get(d, n, "category")), "user-rule");
  u->remediation = dup_or(scalar(d, map_get(d, n, "remediation")), REM_ROTATE);
  u->severity = (uint32_t)sv;
  if (!u->id || !u->title || !u->category || !u->remediation) return bw_error_set(err, BW_ENOMEM, "out of memory");
  int rc = regcomp(&u->re, re, REG_EXTENDED);
  if (rc != 0) {
    char msg[256];
    regerror(rc, &u->re, msg, sizeof msg);
    return bw_error_set(err, BW_EINVAL, "%s: rule %s: bad regex: %s", path, id, msg);
  }
  u->has_re = true;
  return 0;
}

static int load_allow(yaml_document_t *d, yaml_node_t *n, size_t idx, allow *a, const char *path, bw_error *err) {
  if (!n || n->type != YAML_MAPPING_NODE) return bw_error_set(err, BW_EINVAL, "%s: allow[%zu] is not a mapping", path, idx);
  const char *glob = scalar(d, map_get(d, n, "path")), *re = scalar(d, map_get(d, n, "regex"));
  if (!glob && !re) return bw_error_set(err, BW_EINVAL, "%s: allow[%zu] needs a path or a regex", path, idx);
  if (glob && !(a->path_glob = strdup(glob[0] == '/' ? glob + 1 : glob)))
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  if (re) {
    int rc = regcomp(&a->re, re, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char msg[256];
      regerror(rc, &a->re, msg, sizeof msg);
      return bw_error_set(err, BW_EINVAL, "%s: allow[%zu]: bad regex: %s", path, idx, msg);
    }
    a->has_re = true;
  }
  return 0;
}

int bw_secrets_configure(const char *config_path, bw_error *err) {
  pthread_once(&g_once, builtin_init);
  if (!config_path) {
    config_free(g_cfg);
    g_cfg = NULL;
    return 0;
  }
  FILE *f = fopen(config_path, "rb");
  if (!f) return bw_error_sys(err, BW_EIO, "cannot open secret config %s", config_path);
  char *text = malloc(BW_LIMIT_SECRET_CONFIG_BYTES + 1);
  if (!text) {
    fclose(f);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  size_t n = fread(text, 1, BW_LIMIT_SECRET_CONFIG_BYTES + 1, f);
  bool read_err = ferror(f);
  fclose(f);
  if (read_err || n > BW_LIMIT_SECRET_CONFIG_BYTES) {
    free(text);
    return read_err ? bw_error_sys(err, BW_EIO, "cannot read %s", config_path)
                    : bw_error_set(err, BW_EINVAL, "%s: over the %u-byte limit", config_path, BW_LIMIT_SECRET_CONFIG_BYTES);
  }
  int rc = bw_secrets_configure_buf(config_path, (const uint8_t *)text, n, err);
  free(text);
  return rc;
}

int bw_secrets_configure_buf(const char *name, const uint8_t *text, size_t n, bw_error *err) {
  pthread_once(&g_once, builtin_init);
  if (!g_builtin_ok) return bw_error_set(err, BW_EINVAL, "built-in secret rules unavailable");
  yaml_parser_t parser;
  yaml_document_t doc;
  if (!yaml_parser_initialize(&parser)) return bw_error_set(err, BW_ENOMEM, "out of memory");
  yaml_parser_set_input_string(&parser, text, n);
  if (!yaml_parser_load(&parser, &doc)) {
    int rc = bw_error_set(err, BW_EINVAL, "%s: YAML error at line %zu: %s", name, parser.problem_mark.line + 1,
                          parser.problem ? parser.problem : "?");
    yaml_parser_delete(&parser);
    return rc;
  }
  yaml_parser_delete(&parser);
  int rc = 0;
  config *c = calloc(1, sizeof *c);
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  yaml_node_t *rules = map_get(&doc, root, "rules"), *allows = map_get(&doc, root, "allow");
  size_t nr = 0, na = 0;
  if (!c) {
    rc = bw_error_set(err, BW_ENOMEM, "out of memory");
    goto out;
  }
  if (root && root->type != YAML_MAPPING_NODE) {
    rc = bw_error_set(err, BW_EINVAL, "%s: not a mapping with rules: and allow:", name);
    goto out;
  }
  if ((rules && rules->type != YAML_SEQUENCE_NODE) || (allows && allows->type != YAML_SEQUENCE_NODE)) {
    rc = bw_error_set(err, BW_EINVAL, "%s: rules and allow must be lists", name);
    goto out;
  }
  nr = rules ? (size_t)(rules->data.sequence.items.top - rules->data.sequence.items.start) : 0;
  na = allows ? (size_t)(allows->data.sequence.items.top - allows->data.sequence.items.start) : 0;
  if (nr > BW_LIMIT_SECRET_USER_RULES || na > BW_LIMIT_SECRET_USER_RULES) {
    rc = bw_error_set(err, BW_EINVAL, "%s: more than %u rules or allow entries", name, BW_LIMIT_SECRET_USER_RULES);
    goto out;
  }
  c->user = calloc(R_NBUILTIN + nr, sizeof *c->user);
  c->allows = calloc(na ? na : 1, sizeof *c->allows);
  if (!c->user || !c->allows) {
    rc = bw_error_set(err, BW_ENOMEM, "out of memory");
    goto out;
  }
  memcpy(c->user, builtin_rules, R_NBUILTIN * sizeof *c->user);
  c->rules = c->user;
  c->nrules = R_NBUILTIN;
  for (size_t i = 0; i < nr && rc == 0; i++) {
    rc = load_user_rule(&doc, yaml_document_get_node(&doc, rules->data.sequence.items.start[i]), i,
                        &c->user[R_NBUILTIN + i], name, err);
    c->nrules = R_NBUILTIN + i + 1; /* freed by config_free even when half-filled */
  }
  for (size_t i = 0; i < na && rc == 0; i++) {
    rc = load_allow(&doc, yaml_document_get_node(&doc, allows->data.sequence.items.start[i]), i, &c->allows[i], name, err);
    c->nallow = i + 1;
  }
  if (rc == 0) rc = build_ac(c, err);
out:
  yaml_document_delete(&doc);
  if (rc < 0) {
    config_free(c);
    return rc;
  }
  config_free(g_cfg);
  g_cfg = c;
  return 0;
}
