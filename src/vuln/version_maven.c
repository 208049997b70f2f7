/* Maven versions, as maven-artifact's ComparableVersion (3.8) parses and orders them. The
 * lower-cased version is split at '.', '-' and digit/letter transitions into a list of items
 * (numbers, qualifiers, and a nested list started by each '-' or transition); "a1" "b1" "m1"
 * mean alpha, beta, milestone; ga, final, release mean "" and cr means rc. Each list drops its
 * trailing "null" items (0, "", empty lists). Qualifiers order alpha < beta < milestone < rc <
 * snapshot < "" < sp < anything else (by text); a qualifier sorts before a number and before a
 * list; a missing item compares as null (0 for numbers, "" for qualifiers; a list by its first
 * item that is not). A qualifier after '.' opens a list as '-' does (1.0.X1 < 1.0-X2, Maven 3.8).
 * Any printable ASCII string
 * parses; other bytes are rejected. */
#include <string.h>

#include "base/limits.h"
#include "vuln/version_internal.h"

enum { IT_INT, IT_STR, IT_LIST };

typedef struct {
  unsigned char kind;
  short rank;      /* IT_STR: 0..6 known qualifier, 7 other */
  const char *p;   /* IT_INT: digits without leading zeros; IT_STR other: its text */
  size_t len;
} item;

/* A list is the items [start, start+count) of its level plus, when has_child, the next level. */
typedef struct {
  int start, count;
  bool has_child;
} level;

typedef struct {
  char low[BW_LIMIT_VERSION_BYTES + 1];
  item it[BW_LIMIT_VERSION_BYTES + 2];
  level lv[2 * BW_LIMIT_VERSION_BYTES + 4]; /* up to 3 lists per 2 bytes ("1a1a...") */
  int nit, nlv;
} mver;

static const char *const qualifiers[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
#define RELEASE_RANK 5

static void add_int(mver *v, const char *p, size_t n) {
  while (n && *p == '0') p++, n--;
  item *t = &v->it[v->nit++];
  t->kind = IT_INT, t->p = p, t->len = n, t->rank = 0;
  v->lv[v->nlv - 1].count++;
}

static void add_str(mver *v, const char *p, size_t n, bool followed_by_digit) {
  if (followed_by_digit && n == 1) {
    if (*p == 'a') p = "alpha", n = 5;
    else if (*p == 'b') p = "beta", n = 4;
    else if (*p == 'm') p = "milestone", n = 9;
  }
  if ((n == 2 && !memcmp(p, "ga", 2)) || (n == 5 && !memcmp(p, "final", 5)) || (n == 7 && !memcmp(p, "release", 7)))
    p = "", n = 0;
  else if (n == 2 && !memcmp(p, "cr", 2))
    p = "rc", n = 2;
  item *t = &v->it[v->nit++];
  t->kind = IT_STR, t->p = p, t->len = n, t->rank = 7;
  for (int k = 0; k < 7; k++)
    if (strlen(qualifiers[k]) == n && !memcmp(qualifiers[k], p, n)) t->rank = (short)k;
  v->lv[v->nlv - 1].count++;
}

static void add_item(mver *v, bool digit, const char *p, size_t n) {
  if (digit) add_int(v, p, n);
  else add_str(v, p, n, false);
}

static void push_list(mver *v) {
  v->lv[v->nlv - 1].has_child = true;
  v->lv[v->nlv] = (level){v->nit, 0, false};
  v->nlv++;
}

static bool item_null(const item *t) {
  return t->kind == IT_INT ? t->len == 0 : t->rank == RELEASE_RANK;
}

static int parse(const char *s, size_t n, mver *v, bw_error *err) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c >= 0x7f) return bw_error_set(err, BW_EINVAL, "non-ASCII byte in Maven version");
    v->low[i] = (char)bw_vlower(c);
  }
  const char *p = v->low;
  v->nit = 0, v->nlv = 1;
  v->lv[0] = (level){0, 0, false};
  bool digit = false;
  size_t st = 0;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (c == '.' || c == '-') {
      if (i == st) add_int(v, "0", 1);
      else add_item(v, digit, p + st, i - st);
      st = i + 1;
      if (c == '-') push_list(v);
    } else if (bw_vdigit((unsigned char)c)) {
      if (!digit && i > st) {
        /* "1.0.X1" < "1.0-X2": a qualifier after '.' opens a list as after '-' */
        if (v->lv[v->nlv - 1].count || v->lv[v->nlv - 1].has_child) push_list(v);
        add_str(v, p + st, i - st, true);
        st = i;
        push_list(v);
      }
      digit = true;
    } else {
      if (digit && i > st) {
        add_int(v, p + st, i - st);
        st = i;
        push_list(v);
      }
      digit = false;
    }
  }
  if (n > st) {
    if (!digit && (v->lv[v->nlv - 1].count || v->lv[v->nlv - 1].has_child)) push_list(v);
    add_item(v, digit, p + st, n - st);
  }
  /* normalize, innermost list first */
  for (int k = v->nlv - 1; k >= 0; k--) {
    level *l = &v->lv[k];
    if (l->has_child && v->lv[k + 1].count == 0 && !v->lv[k + 1].has_child) l->has_child = false;
    while (l->count > 0 && item_null(&v->it[l->start + l->count - 1])) l->count--;
  }
  return 0;
}

/* An element of a list: an item, or (idx < 0) the nested list at level -idx-1. */
typedef struct {
  const mver *v;
  const item *t; /* NULL for a list */
  int lvl;
} elem;

static int elem_vs_null(elem e);
static int elem_cmp(elem l, elem r);

static bool list_elem(const mver *v, int lvl, int i, elem *out) {
  const level *l = &v->lv[lvl];
  if (i < l->count) {
    *out = (elem){v, &v->it[l->start + i], 0};
    return true;
  }
  if (i == l->count && l->has_child) {
    *out = (elem){v, NULL, lvl + 1};
    return true;
  }
  return false;
}

static int qual_cmp(const item *a, const item *b) {
  if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
  if (a->rank == 7) return bw_vstr_cmp(a->p, a->len, b->p, b->len);
  return 0;
}

static int elem_vs_null(elem e) {
  if (e.t) {
    if (e.t->kind == IT_INT) return e.t->len ? 1 : 0;
    return e.t->rank < RELEASE_RANK ? -1 : e.t->rank > RELEASE_RANK;
  }
  /* a list against null: its first item that is not null decides */
  elem it;
  for (int i = 0; list_elem(e.v, e.lvl, i, &it); i++) {
    int c = elem_vs_null(it);
    if (c) return c;
  }
  return 0;
}

static int elem_cmp(elem l, elem r) {
  if (l.t && l.t->kind == IT_INT) {
    if (r.t && r.t->kind == IT_INT) return bw_vnum_cmp(l.t->p, l.t->len, r.t->p, r.t->len);
    return 1; /* a number is newer than a qualifier or a list */
  }
  if (l.t) { /* qualifier */
    if (r.t && r.t->kind == IT_STR) return qual_cmp(l.t, r.t);
    return -1;
  }
  /* list */
  if (r.t) return r.t->kind == IT_INT ? -1 : 1;
  for (int i = 0;; i++) {
    elem a, b;
    bool ha = list_elem(l.v, l.lvl, i, &a), hb = list_elem(r.v, r.lvl, i, &b);
    if (!ha && !hb) return 0;
    int c = !ha ? -elem_vs_null(b) : !hb ? elem_vs_null(a) : elem_cmp(a, b);
    if (c) return c;
  }
}

int bw_vcmp_maven(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  static _Thread_local mver x, y; /* ~10 KiB each: kept off the stack */
  int rc = parse(a, alen, &x, err);
  if (rc == 0) rc = parse(b, blen, &y, err);
  if (rc < 0) return rc;
  *out = elem_cmp((elem){&x, NULL, 0}, (elem){&y, NULL, 0});
  return 0;
}
