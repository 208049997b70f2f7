#include "report/spdx_license.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/common.h"
#include "base/strutil.h"

/* SPDX licence list ids (https://spdx.org/licenses/) that distribution packages commonly declare,
 * deprecated ids included (they stay valid). An id missing here is not an error: the operand just
 * becomes a LicenseRef. tests/e2e/sbom_schema_test.sh checks every entry against the official
 * list (npm spdx-license-ids). */
static const char *const spdx_ids[] = {
    "0BSD", "AFL-2.1", "AFL-3.0", "AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.0",
    "Apache-1.1", "Apache-2.0", "APSL-2.0", "Artistic-1.0", "Artistic-1.0-Perl", "Artistic-2.0",
    "Beerware", "blessing", "BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-Patent", "BSD-3-Clause",
    "BSD-3-Clause-Clear", "BSD-4-Clause", "BSD-4-Clause-UC", "BSD-Source-Code", "BSL-1.0",
    "bzip2-1.0.6", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC0-1.0", "CDDL-1.0",
    "CDDL-1.1", "CECILL-2.1", "ClArtistic", "CPL-1.0", "curl", "ECL-2.0", "EPL-1.0", "EPL-2.0",
    "EUPL-1.1", "EUPL-1.2", "FSFAP", "FSFUL", "FSFULLR", "FTL", "GFDL-1.1", "GFDL-1.1-only",
    "GFDL-1.1-or-later", "GFDL-1.2", "GFDL-1.2-only", "GFDL-1.2-or-later", "GFDL-1.3",
    "GFDL-1.3-only", "GFDL-1.3-or-later", "GPL-1.0", "GPL-1.0-only", "GPL-1.0-or-later", "GPL-2.0",
    "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0", "GPL-3.0-only", "GPL-3.0-or-later", "HPND",
    "HPND-sell-variant", "ICU", "IJG", "Info-ZIP", "IPA", "ISC", "LGPL-2.0", "LGPL-2.0-only",
    "LGPL-2.0-or-later", "LGPL-2.1", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0",
    "LGPL-3.0-only", "LGPL-3.0-or-later", "Libpng", "libpng-2.0", "libtiff", "LPPL-1.3c", "MirOS",
    "MIT", "MIT-0", "MIT-CMU", "MPL-1.0", "MPL-1.1", "MPL-2.0", "MPL-2.0-no-copyleft-exception",
    "MS-PL", "NCSA", "Net-SNMP", "NTP", "OFL-1.1", "OLDAP-2.8", "OpenSSL", "PHP-3.0", "PHP-3.01",
    "PostgreSQL", "PSF-2.0", "Python-2.0", "Ruby", "Sendmail", "SGI-B-2.0", "Sleepycat", "TCL", "TTWL",
    "Unicode-DFS-2016", "Unlicense", "UPL-1.0", "Vim", "W3C", "WTFPL", "X11", "XFree86-1.1", "Zlib",
    "zlib-acknowledgement", "ZPL-2.0", "ZPL-2.1",
};

/* SPDX licence exception ids (the right side of WITH). */
static const char *const spdx_exceptions[] = {
    "Autoconf-exception-2.0", "Autoconf-exception-3.0", "Bison-exception-2.2",
    "Classpath-exception-2.0", "Font-exception-2.0", "GCC-exception-2.0", "GCC-exception-3.1",
    "Libtool-exception", "Linux-syscall-note", "LLVM-exception", "OCaml-LGPL-linking-exception",
    "openvpn-openssl-exception", "Qt-GPL-exception-1.0", "Qt-LGPL-exception-1.1",
    "WxWindows-exception-3.1",
};

/* Short names Fedora (before its 2022 move to SPDX) and Debian copyright files (DEP-5) use, with
 * the SPDX expression each one stands for. Ambiguous names ("BSD", "LGPLv2") are left out. */
static const struct {
  const char *name, *spdx;
} legacy[] = {
    /* Fedora */
    {"GPL+", "GPL-1.0-or-later"},
    {"GPLv2", "GPL-2.0-only"},
    {"GPLv2+", "GPL-2.0-or-later"},
    {"GPLv3", "GPL-3.0-only"},
    {"GPLv3+", "GPL-3.0-or-later"},
    {"LGPLv2+", "LGPL-2.0-or-later"},
    {"LGPLv2.1", "LGPL-2.1-only"},
    {"LGPLv2.1+", "LGPL-2.1-or-later"},
    {"LGPLv3", "LGPL-3.0-only"},
    {"LGPLv3+", "LGPL-3.0-or-later"},
    {"AGPLv3", "AGPL-3.0-only"},
    {"AGPLv3+", "AGPL-3.0-or-later"},
    {"ASL 1.1", "Apache-1.1"},
    {"ASL 2.0", "Apache-2.0"},
    {"MPLv1.1", "MPL-1.1"},
    {"MPLv2.0", "MPL-2.0"},
    {"Boost", "BSL-1.0"},
    {"OpenLDAP", "OLDAP-2.8"},
    {"Artistic 2.0", "Artistic-2.0"},
    {"Artistic clarified", "ClArtistic"},
    /* Debian DEP-5 short names */
    {"GPL-1", "GPL-1.0-only"},
    {"GPL-1+", "GPL-1.0-or-later"},
    {"GPL-2", "GPL-2.0-only"},
    {"GPL-2+", "GPL-2.0-or-later"},
    {"GPL-3", "GPL-3.0-only"},
    {"GPL-3+", "GPL-3.0-or-later"},
    {"LGPL-2", "LGPL-2.0-only"},
    {"LGPL-2+", "LGPL-2.0-or-later"},
    {"LGPL-2.1+", "LGPL-2.1-or-later"},
    {"LGPL-3", "LGPL-3.0-only"},
    {"LGPL-3+", "LGPL-3.0-or-later"},
    {"AGPL-3", "AGPL-3.0-only"},
    {"AGPL-3+", "AGPL-3.0-or-later"},
    {"GFDL-1.2+", "GFDL-1.2-or-later"},
    {"GFDL-1.3+", "GFDL-1.3-or-later"},
    {"Apache-2", "Apache-2.0"},
    {"Artistic", "Artistic-1.0"},
    {"Expat", "MIT"},
};

const char *bw_spdx_known_id(int kind, size_t i) {
  if (kind == 0) return i < sizeof spdx_ids / sizeof *spdx_ids ? spdx_ids[i] : NULL;
  return i < sizeof spdx_exceptions / sizeof *spdx_exceptions ? spdx_exceptions[i] : NULL;
}

static const char *find_id(const char *const *tab, size_t n, const char *s, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(tab[i]) == len && strncasecmp(tab[i], s, len) == 0) return tab[i];
  return NULL;
}

static const char *find_license(const char *s, size_t len) {
  return find_id(spdx_ids, sizeof spdx_ids / sizeof *spdx_ids, s, len);
}

static const char *find_exception(const char *s, size_t len) {
  return find_id(spdx_exceptions, sizeof spdx_exceptions / sizeof *spdx_exceptions, s, len);
}

void bw_spdx_refs_init(bw_spdx_refs *r, bw_arena *a) {
  memset(r, 0, sizeof *r);
  r->arena = a;
  bw_strset_init(&r->ids, a);
  bw_strset_init(&r->texts, a);
}

static bool is_idchar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-';
}

#define REF_MAX 64 /* characters of the text kept in a generated LicenseRef id */

/* The LicenseRef id for a licence text, registering it on first sight. NULL on OOM. */
static const char *license_ref(bw_spdx_refs *r, const char *text, size_t len) {
  char *t = bw_arena_strndup(r->arena, text, len);
  if (!t) return NULL;
  const char *have = bw_strset_get(&r->texts, t);
  if (have) return have;

  char id[sizeof "LicenseRef-" + REF_MAX + 8];
  size_t o = strlen("LicenseRef-");
  memcpy(id, "LicenseRef-", o);
  bool dash = true; /* no leading '-' after the prefix, no runs of '-' */
  for (size_t i = 0; i < len && o < sizeof "LicenseRef-" - 1 + REF_MAX; i++) {
    char c = text[i];
    if (c == '+') {
      if (!dash) id[o++] = '-';
      memcpy(id + o, "plus", 4), o += 4;
      dash = false;
    } else if (is_idchar(c) && c != '-') {
      id[o++] = c;
      dash = false;
    } else if (!dash) {
      id[o++] = '-';
      dash = true;
    }
  }
  while (o > strlen("LicenseRef-") && id[o - 1] == '-') o--;
  if (o == strlen("LicenseRef-")) memcpy(id + o, "unknown", 7), o += 7;
  id[o] = 0;

  const char *base = bw_arena_strdup(r->arena, id);
  const char *uid = base ? bw_strset_unique(&r->ids, base, "-") : NULL;
  if (!uid || bw_strset_set(&r->texts, t, uid) != 0) return NULL;
  if (r->len == r->cap) {
    size_t ncap = r->cap ? r->cap * 2 : 16;
    struct bw_spdx_ref *nv = bw_arena_calloc(r->arena, ncap, sizeof *nv);
    if (!nv) return NULL;
    if (r->len) memcpy(nv, r->v, r->len * sizeof *nv);
    r->v = nv;
    r->cap = ncap;
  }
  r->v[r->len].id = uid;
  r->v[r->len].text = t;
  r->len++;
  return uid;
}

/* ---- a small recursive-descent parser over the expression's tokens ---- */

typedef enum { TOK_WORD, TOK_LPAREN, TOK_RPAREN, TOK_AND, TOK_OR, TOK_WITH } tok_kind;
typedef struct {
  tok_kind kind;
  const char *s;
  size_t len;
} tok;

typedef struct {
  bw_spdx_refs *refs;
  const tok *t;
  size_t n, pos;
  bw_buf out;
  bool oom;
  bool dry; /* syntax check only: registers no LicenseRef, so a failed parse leaves no trace */
} parser;

#define EXPR_DEPTH_MAX 32 /* nested parentheses; deeper input is kept whole as one LicenseRef */

static void emit(parser *p, const char *s, size_t n) {
  if (bw_buf_append(&p->out, s, n, NULL) != 0) p->oom = true;
}

static void emit_str(parser *p, const char *s) { emit(p, s, strlen(s)); }

/* The operand phrase tokens [from, to) as text joined by single spaces, mapped to SPDX. */
static bool emit_operand(parser *p, size_t from, size_t to) {
  if (p->dry) return true;
  bw_buf phrase;
  bw_buf_init(&phrase, 0);
  for (size_t i = from; i < to; i++) {
    if ((i > from && bw_buf_append(&phrase, " ", 1, NULL)) ||
        bw_buf_append(&phrase, p->t[i].s, p->t[i].len, NULL)) {
      bw_buf_dispose(&phrase);
      p->oom = true;
      return false;
    }
  }
  const char *s = phrase.data;
  size_t len = phrase.len;
  const char *id = NULL;
  for (size_t i = 0; i < sizeof legacy / sizeof *legacy && !id; i++)
    if (strlen(legacy[i].name) == len && strncasecmp(legacy[i].name, s, len) == 0) id = legacy[i].spdx;
  if (id) {
    emit_str(p, id);
  } else if ((id = find_license(s, len))) {
    emit_str(p, id);
  } else if (len > 1 && s[len - 1] == '+' && (id = find_license(s, len - 1))) {
    emit_str(p, id); /* "GPL-2.0+": license-id "+" is valid syntax */
    emit_str(p, "+");
  } else {
    const char *ref = license_ref(p->refs, s, len);
    if (!ref) p->oom = true;
    else emit_str(p, ref);
  }
  bw_buf_dispose(&phrase);
  return !p->oom;
}

static bool parse_expr(parser *p, int depth);

static bool parse_term(parser *p, int depth) {
  if (p->pos >= p->n) return false;
  if (p->t[p->pos].kind == TOK_LPAREN) {
    if (depth >= EXPR_DEPTH_MAX) return false;
    p->pos++;
    emit_str(p, "(");
    if (!parse_expr(p, depth + 1)) return false;
    if (p->pos >= p->n || p->t[p->pos].kind != TOK_RPAREN) return false;
    p->pos++;
    emit_str(p, ")");
    return true;
  }
  size_t from = p->pos;
  while (p->pos < p->n && p->t[p->pos].kind == TOK_WORD) p->pos++;
  size_t to = p->pos;
  if (to == from) return false;
  if (p->pos < p->n && p->t[p->pos].kind == TOK_WITH) {
    /* "<licence> WITH <exception>": valid only with a listed licence and exception; otherwise
     * the whole phrase is one licence we do not know */
    size_t efrom = ++p->pos;
    while (p->pos < p->n && p->t[p->pos].kind == TOK_WORD) p->pos++;
    size_t eto = p->pos;
    if (eto == efrom) return false;
    const tok *lt = &p->t[from];
    const char *lic = to - from == 1 ? find_license(lt->s, lt->len) : NULL;
    bool plus = false;
    if (!lic && to - from == 1 && lt->len > 1 && lt->s[lt->len - 1] == '+')
      plus = (lic = find_license(lt->s, lt->len - 1)) != NULL;
    const char *exc = eto - efrom == 1 ? find_exception(p->t[efrom].s, p->t[efrom].len) : NULL;
    if (p->dry) return true;
    if (lic && exc) {
      emit_str(p, lic);
      if (plus) emit_str(p, "+");
      emit_str(p, " WITH ");
      emit_str(p, exc);
      return !p->oom;
    }
    const char *start = p->t[from].s, *end = p->t[eto - 1].s + p->t[eto - 1].len;
    const char *ref = license_ref(p->refs, start, (size_t)(end - start));
    if (!ref) return !(p->oom = true);
    emit_str(p, ref);
    return !p->oom;
  }
  return emit_operand(p, from, to);
}

static bool parse_expr(parser *p, int depth) {
  if (!parse_term(p, depth)) return false;
  while (p->pos < p->n && (p->t[p->pos].kind == TOK_AND || p->t[p->pos].kind == TOK_OR)) {
    emit_str(p, p->t[p->pos].kind == TOK_AND ? " AND " : " OR ");
    p->pos++;
    if (!parse_term(p, depth)) return false;
  }
  return true;
}

static bool word_is(const char *s, size_t n, const char *w) {
  return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

const char *bw_spdx_license_expression(bw_spdx_refs *refs, const char *s) {
  if (!s) return "NOASSERTION";
  size_t n = strlen(s);
  /* tokens: words split at whitespace and parentheses; each takes at least one byte */
  _cleanup_free_ tok *t = calloc(n + 1, sizeof *t);
  if (!t) return NULL;
  size_t nt = 0;
  for (size_t i = 0; i < n;) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      i++;
    } else if (c == '(' || c == ')') {
      t[nt++] = (tok){c == '(' ? TOK_LPAREN : TOK_RPAREN, s + i, 1};
      i++;
    } else {
      size_t j = i;
      while (j < n && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' && s[j] != '(' &&
             s[j] != ')')
        j++;
      tok_kind k = word_is(s + i, j - i, "and")    ? TOK_AND
                   : word_is(s + i, j - i, "or")   ? TOK_OR
                   : word_is(s + i, j - i, "with") ? TOK_WITH
                                                   : TOK_WORD;
      t[nt++] = (tok){k, s + i, j - i};
      i = j;
    }
  }
  if (nt == 0) return "NOASSERTION";

  parser dry = {.refs = refs, .t = t, .n = nt, .dry = true};
  bw_buf_init(&dry.out, 0);
  bool ok = parse_expr(&dry, 0) && dry.pos == nt;
  bw_buf_dispose(&dry.out);
  parser p = {.refs = refs, .t = t, .n = nt};
  bw_buf_init(&p.out, 0);
  if (ok) ok = parse_expr(&p, 0) && p.pos == nt;
  const char *res = NULL;
  if (p.oom) {
    res = NULL;
  } else if (ok) {
    res = bw_arena_strndup(refs->arena, p.out.data, p.out.len);
  } else {
    /* not an expression (a stray parenthesis, "GPL and", ...): the whole text is one licence */
    const char *a = s;
    size_t al = n;
    bw_trim(&a, &al);
    res = license_ref(refs, a, al);
  }
  bw_buf_dispose(&p.out);
  return res;
}
