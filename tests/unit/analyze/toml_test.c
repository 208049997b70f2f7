/* The TOML reader behind poetry.lock: the TOML 1.0 constructs lockfiles use (toml.io/en/v1.0.0),
 * the rules that make a document invalid, and the caps. */
#include "analyze/toml.h"

#include "base/limits.h"
#include "unit/test.h"

static bw_arena *arena;
static bw_error err;

static const bw_toml_value *parse(const char *text) {
  bw_toml_value *root = NULL;
  memset(&err, 0, sizeof err);
  int rc = bw_toml_parse(&root, text, strlen(text), arena, "test.toml", &err);
  if (rc) fprintf(stderr, "  (parse: %s)\n", err.msg);
  return rc ? NULL : root;
}
static int parse_rc(const char *text, size_t len) {
  bw_toml_value *root = NULL;
  memset(&err, 0, sizeof err);
  int rc = bw_toml_parse(&root, text, len, arena, "test.toml", &err);
  if (rc == 0 && root) return 0;
  return rc;
}
#define REJECTS(text, code)                                                               \
  do {                                                                                    \
    int rc_ = parse_rc(text, strlen(text));                                               \
    CHECK(rc_ == -(code));                                                                \
    if (rc_ != -(code)) fprintf(stderr, "  accepted or wrong code (%d): %s\n", rc_, text); \
  } while (0)

static void test_strings(void) {
  const bw_toml_value *r = parse("a = \"tab\\there \\\"q\\\" \\\\ \\u00e9 \\U0001F600\"\n"
                                 "b = 'C:\\path\\no-escapes'\n"
                                 "c = \"\"\"\nline1\nline2 \\\n    joined\"\"\"\n"
                                 "d = '''\nraw \\n\n'''\n"
                                 "e = \"\"\"quote at end\"\"\"\"\n"
                                 "f = \"\" # empty\n"
                                 "g = \"\\e\\x41\"\n");
  CHECK(r != NULL);
  CHECK_STR(bw_toml_get_str(r, "a"), "tab\there \"q\" \\ \xc3\xa9 \xf0\x9f\x98\x80");
  CHECK_STR(bw_toml_get_str(r, "b"), "C:\\path\\no-escapes");
  CHECK_STR(bw_toml_get_str(r, "c"), "line1\nline2 joined");
  CHECK_STR(bw_toml_get_str(r, "d"), "raw \\n\n");
  CHECK_STR(bw_toml_get_str(r, "e"), "quote at end\"");
  CHECK_STR(bw_toml_get_str(r, "f"), "");
  CHECK_STR(bw_toml_get_str(r, "g"), "\x1b" "A");
  CHECK(bw_toml_get_str(r, "missing") == NULL);
}

static void test_scalars_arrays_inline(void) {
  const bw_toml_value *r = parse("n = -17\nf = 6.626e-34\nt = true\nd = 1979-05-27 07:32:00Z\n"
                                 "arr = [ 1, \"two\",\n  [3], # comment\n  {x = 4}, ]\n"
                                 "it = { version = \"*\", markers = \"platform_system == \\\"Windows\\\"\" }\n"
                                 "dotted.key.here = \"v\"\n"
                                 "\"quoted key\" = 1\n'lit.key' = 2\n");
  CHECK(r != NULL);
  const bw_toml_value *v = bw_toml_get(r, "n");
  CHECK(v && v->kind == BW_TOML_SCALAR && strcmp(v->str, "-17") == 0);
  v = bw_toml_get(r, "d");
  CHECK(v && v->kind == BW_TOML_SCALAR && strcmp(v->str, "1979-05-27 07:32:00Z") == 0);
  v = bw_toml_get(r, "t");
  CHECK(v && strcmp(v->str, "true") == 0);
  v = bw_toml_get(r, "arr");
  CHECK(v && v->kind == BW_TOML_ARRAY && v->count == 4);
  if (v && v->count == 4) {
    CHECK(v->first->next->kind == BW_TOML_STRING);
    CHECK(v->first->next->next->kind == BW_TOML_ARRAY);
    CHECK(v->last->kind == BW_TOML_TABLE && bw_toml_get(v->last, "x") != NULL);
  }
  v = bw_toml_get(r, "it");
  CHECK(v && v->kind == BW_TOML_TABLE);
  CHECK_STR(bw_toml_get_str(v, "markers"), "platform_system == \"Windows\"");
  v = bw_toml_get(bw_toml_get(bw_toml_get(r, "dotted"), "key"), "here");
  CHECK(v && strcmp(v->str, "v") == 0);
  CHECK(bw_toml_get(r, "quoted key") != NULL);
  CHECK(bw_toml_get(r, "lit.key") != NULL);
}

static void test_tables(void) {
  /* poetry.lock's shape: [[package]] then [package.extras] / [package.dependencies] tables that
   * belong to the last element; an implicit table defined later; CRLF line ends */
  const bw_toml_value *r = parse("[[package]]\r\nname = \"a\"\r\n\r\n[package.dependencies]\r\nb = \">=1\"\r\n"
                                 "[[package]]\nname = \"b\"\n[package.extras]\nx = [\"y\"]\n"
                                 "[x.y.z]\nk = 1\n[x]\nm = 2\n[x.y]\nn = 3\n"
                                 "[metadata]\nlock-version = \"2.1\"\n");
  CHECK(r != NULL);
  const bw_toml_value *pk = bw_toml_get(r, "package");
  CHECK(pk && pk->kind == BW_TOML_ARRAY && pk->count == 2);
  if (pk && pk->count == 2) {
    CHECK_STR(bw_toml_get_str(pk->first, "name"), "a");
    CHECK_STR(bw_toml_get_str(bw_toml_get(pk->first, "dependencies"), "b"), ">=1");
    CHECK_STR(bw_toml_get_str(pk->last, "name"), "b");
    CHECK(bw_toml_get(pk->last, "extras") != NULL);
    CHECK(bw_toml_get(pk->first, "extras") == NULL);
  }
  const bw_toml_value *x = bw_toml_get(r, "x");
  CHECK(x && bw_toml_get(x, "m") && bw_toml_get(bw_toml_get(x, "y"), "n") &&
        bw_toml_get(bw_toml_get(bw_toml_get(x, "y"), "z"), "k"));
  CHECK_STR(bw_toml_get_str(bw_toml_get(r, "metadata"), "lock-version"), "2.1");
  /* empty and comment-only documents */
  CHECK(parse("") != NULL);
  CHECK(parse("# only a comment\n\n   \n") != NULL);
  CHECK(parse("\xEF\xBB\xBF" "a = 1\n") != NULL);
}

static void test_invalid(void) {
  REJECTS("a = 1\na = 2\n", BW_ECORRUPT);                   /* duplicate key */
  REJECTS("[a]\n[a]\n", BW_ECORRUPT);                       /* table defined twice */
  REJECTS("a = {b = 1}\n[a]\n", BW_ECORRUPT);               /* inline tables are sealed */
  REJECTS("a = {b = 1}\na.c = 2\n", BW_ECORRUPT);
  REJECTS("a = [1]\n[[a]]\n", BW_ECORRUPT);                 /* static arrays are sealed */
  REJECTS("[a.b]\nc = 1\n[a]\nb.d = 2\n", BW_ECORRUPT);     /* dotted keys into a header table */
  REJECTS("a.b = 1\n[a]\n", BW_ECORRUPT);                   /* a dotted table redefined */
  REJECTS("a = \"unterminated\n", BW_ECORRUPT);
  REJECTS("a = \"\"\"never closed\n\n", BW_ECORRUPT);
  REJECTS("a = 'also never\n", BW_ECORRUPT);
  REJECTS("a = \"bad \\q escape\"\n", BW_ECORRUPT);
  REJECTS("a = \"\\uD800\"\n", BW_ECORRUPT);               /* surrogate */
  REJECTS("a = \"\\u0000\"\n", BW_ECORRUPT);               /* NUL escape: not supported */
  REJECTS("a = \"ctl \x01\"\n", BW_ECORRUPT);
  REJECTS("a = [1, 2\n", BW_ECORRUPT);
  REJECTS("a = {b = 1\n", BW_ECORRUPT);
  REJECTS("a = \n", BW_ECORRUPT);
  REJECTS("a = bare\n", BW_ECORRUPT);
  REJECTS("= 1\n", BW_ECORRUPT);
  REJECTS("a = 1 b = 2\n", BW_ECORRUPT);
  REJECTS("[a\n", BW_ECORRUPT);
  REJECTS("[[a]\n", BW_ECORRUPT);
  REJECTS("a = 1\rb = 2\n", BW_ECORRUPT);                  /* lone carriage return */
  REJECTS("a = \"\"\"x\"\"\" \"\n", BW_ECORRUPT);
  CHECK(parse_rc("a = 1\0\n", 7) == -BW_ECORRUPT);         /* NUL byte */
}

static void test_limits(void) {
  /* nesting: arrays, inline tables, headers and dotted keys all count */
  char deep[4096];
  size_t k = 0;
  k += (size_t)snprintf(deep, sizeof deep, "a = ");
  for (int i = 0; i < 200; i++) deep[k++] = '[';
  for (int i = 0; i < 200; i++) deep[k++] = ']';
  deep[k++] = '\n';
  CHECK(parse_rc(deep, k) == -BW_ELIMIT);
  k = (size_t)snprintf(deep, sizeof deep, "a = ");
  for (int i = 0; i < 100; i++) k += (size_t)snprintf(deep + k, sizeof deep - k, "{b = ");
  k += (size_t)snprintf(deep + k, sizeof deep - k, "1");
  for (int i = 0; i < 100; i++) deep[k++] = '}';
  deep[k++] = '\n';
  CHECK(parse_rc(deep, k) == -BW_ELIMIT);
  k = (size_t)snprintf(deep, sizeof deep, "[a");
  for (int i = 0; i < 100; i++) k += (size_t)snprintf(deep + k, sizeof deep - k, ".a");
  k += (size_t)snprintf(deep + k, sizeof deep - k, "]\n");
  CHECK(parse_rc(deep, k) == -BW_ELIMIT);
  k = 0;
  for (int i = 0; i < 100; i++) k += (size_t)snprintf(deep + k, sizeof deep - k, "a.");
  k += (size_t)snprintf(deep + k, sizeof deep - k, "b = 1\n");
  CHECK(parse_rc(deep, k) == -BW_ELIMIT);
  /* just under the depth cap is fine */
  k = (size_t)snprintf(deep, sizeof deep, "a = ");
  for (int i = 0; i < BW_LIMIT_TOML_DEPTH - 1; i++) deep[k++] = '[';
  for (int i = 0; i < BW_LIMIT_TOML_DEPTH - 1; i++) deep[k++] = ']';
  deep[k++] = '\n';
  CHECK(parse_rc(deep, k) == 0);
  /* value count: one more than the cap, in one array */
  size_t n = (size_t)BW_LIMIT_TOML_VALUES + 1, len = 5 + n * 2 + 2;
  char *big = malloc(len);
  if (big) {
    memcpy(big, "a = [", 5);
    size_t o = 5;
    for (size_t i = 0; i < n; i++) {
      big[o++] = '1';
      big[o++] = ',';
    }
    big[o++] = ']';
    big[o++] = '\n';
    CHECK(parse_rc(big, o) == -BW_ELIMIT);
    free(big);
  }
  /* a string longer than BW_LIMIT_FIELD_BYTES */
  size_t sl = BW_LIMIT_FIELD_BYTES + 16;
  char *ls = malloc(sl + 16);
  if (ls) {
    size_t o = (size_t)snprintf(ls, 16, "a = \"");
    memset(ls + o, 'x', sl);
    o += sl;
    ls[o++] = '"';
    ls[o++] = '\n';
    CHECK(parse_rc(ls, o) == -BW_ELIMIT);
    free(ls);
  }
  /* many keys in one table: linear, and the duplicate is still found at the end */
  size_t keys = 200000;
  char *mk = malloc(keys * 16 + 32);
  if (mk) {
    size_t o = 0;
    for (size_t i = 0; i < keys; i++) o += (size_t)snprintf(mk + o, 16, "k%zu = 1\n", i);
    CHECK(parse_rc(mk, o) == 0);
    o += (size_t)snprintf(mk + o, 16, "k7 = 2\n");
    CHECK(parse_rc(mk, o) == -BW_ECORRUPT);
    free(mk);
  }
}

int main(void) {
  arena = bw_arena_new();
  test_strings();
  test_scalars_arrays_inline();
  test_tables();
  test_invalid();
  test_limits();
  bw_arena_free(arena);
  return test_finish();
}
