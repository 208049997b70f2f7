/* Node.js analysers: installed package.json, package-lock.json, yarn.lock, pnpm-lock.yaml.
 * Hand-written cases (edge and hostile) plus every npm/yarn/pnpm fixture of the shared data set,
 * each of which must parse to exactly its .expected.tsv (name, version, dev). */
#include <stdint.h>

#include "analyze/npm.h"
#include "base/limits.h"
#include "unit/test.h"

typedef int (*parse_fn)(const uint8_t *, size_t, bw_analyze_out *, bw_error *);

typedef struct parsed {
  bw_arena *arena;
  bw_pkglist list;
  bw_error err;
  int rc;
} parsed;

static void run_len(parsed *p, parse_fn fn, const char *path, const void *text, size_t len) {
  memset(p, 0, sizeof *p);
  p->arena = bw_arena_new();
  bw_pkglist_init(&p->list);
  bw_analyze_out out = {.arena = p->arena, .packages = &p->list, .path = path};
  p->rc = fn((const uint8_t *)text, len, &out, &p->err);
}
static void run(parsed *p, parse_fn fn, const char *path, const char *text) {
  run_len(p, fn, path, text, strlen(text));
}
static void done(parsed *p) {
  bw_pkglist_dispose(&p->list);
  bw_arena_free(p->arena);
}
static size_t count(const parsed *p) { return bw_pkglist_len(&p->list); }
/* The package called name (and version, when given). */
static const bw_package *find(const parsed *p, const char *name, const char *version) {
  for (size_t i = 0; i < count(p); i++) {
    const bw_package *q = bw_pkglist_at(&p->list, i);
    if (strcmp(q->name, name) == 0 && (!version || (q->version && strcmp(q->version, version) == 0))) return q;
  }
  return NULL;
}
static int code(const parsed *p) { return p->rc < 0 ? -p->rc : 0; }

/* ---- installed package.json ---------------------------------------------------------------- */

static void test_package_json_wants(void) {
  CHECK(bw_npm_package_json_wants("app/node_modules/express/package.json"));
  CHECK(bw_npm_package_json_wants("node_modules/lodash/package.json"));
  CHECK(bw_npm_package_json_wants("usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json"));
  CHECK(bw_npm_package_json_wants("app/node_modules/express/node_modules/debug/package.json"));
  CHECK(bw_npm_package_json_wants("app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json"));
  CHECK(!bw_npm_package_json_wants("app/package.json"));
  CHECK(!bw_npm_package_json_wants("package.json"));
  CHECK(!bw_npm_package_json_wants("app/node_modules/x/test/fixtures/package.json"));
  CHECK(!bw_npm_package_json_wants("app/node_modules/x/lib/package.json"));
  CHECK(!bw_npm_package_json_wants("app/node_modules/@scope/package.json"));
  CHECK(!bw_npm_package_json_wants("app/node_modules/.bin/package.json"));
  CHECK(!bw_npm_package_json_wants("app/node_modules/@scope/x/y/package.json"));
  CHECK(!bw_npm_package_json_wants("app/node_modules/x/package.json.bak"));
  CHECK(!bw_npm_package_json_wants("app/my_node_modules/x/package.json"));
  CHECK(!bw_npm_package_json_wants("app/node_modules/x/Package.json"));
  CHECK(!bw_npm_package_json_wants("@scope/x/package.json"));
}

static void test_package_json_basic(void) {
  parsed p;
  run(&p, bw_npm_package_json_parse, "app/node_modules/express/node_modules/body-parser/package.json",
      "{\n  \"name\": \"body-parser\",\n  \"description\": \"Node.js body parsing middleware\",\n"
      "  \"version\": \"1.19.0\",\n  \"contributors\": [{\"name\": \"x\", \"email\": \"y\"}],\n"
      "  \"license\": \"MIT\",\n  \"dependencies\": {\"bytes\": \"3.1.0\"},\n  \"n\": -1.5e+3, \"t\": true,\n"
      "  \"f\": false, \"z\": null, \"e\": [], \"o\": {}, \"s\": \"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\"\n}\n");
  CHECK(p.rc == 0);
  CHECK(count(&p) == 1);
  const bw_package *b = find(&p, "body-parser", "1.19.0");
  CHECK(b != NULL);
  if (b) {
    CHECK(b->type == BW_PKG_NPM);
    CHECK_STR(b->licenses, "MIT");
    CHECK_STR(b->parents, "express");
    CHECK(b->dev == 0);
    CHECK(b->path == NULL); /* the dispatcher names the file */
  }
  done(&p);

  /* scoped package deep in a global install; license object; BOM; escaped key */
  run(&p, bw_npm_package_json_parse,
      "usr/lib/node_modules/npm/node_modules/@npmcli/arborist/node_modules/@isaacs/cliui/package.json",
      "\xef\xbb\xbf{\"n\\u0061me\":\"@isaacs/cliui\",\"version\":\"8.0.2\",\"license\":{\"type\":\"ISC\",\"url\":\"u\"}}");
  CHECK(p.rc == 0);
  const bw_package *s = find(&p, "@isaacs/cliui", "8.0.2");
  CHECK(s != NULL);
  if (s) {
    CHECK_STR(s->licenses, "ISC");
    CHECK_STR(s->parents, "npm>@npmcli/arborist");
  }
  done(&p);

  /* legacy licenses array, top level (no parents), pnpm store path restarts the chain */
  run(&p, bw_npm_package_json_parse, "node_modules/old/package.json",
      "{\"name\":\"old\",\"version\":\"0.1.0\",\"licenses\":[{\"type\":\"MIT\",\"url\":\"x\"},\"Apache-2.0\",7]}");
  CHECK(p.rc == 0);
  s = find(&p, "old", "0.1.0");
  CHECK(s && s->licenses && strcmp(s->licenses, "MIT OR Apache-2.0") == 0);
  CHECK(s && s->parents == NULL);
  done(&p);
  run(&p, bw_npm_package_json_parse, "app/node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json",
      "{\"name\":\"ms\",\"version\":\"2.1.3\"}");
  CHECK(p.rc == 0 && count(&p) == 1);
  CHECK(count(&p) == 1 && bw_pkglist_at(&p.list, 0)->parents == NULL && bw_pkglist_at(&p.list, 0)->licenses == NULL);
  done(&p);

  /* no version / no name: not a package, not an error */
  run(&p, bw_npm_package_json_parse, "node_modules/x/package.json", "{\"name\":\"x\",\"private\":true}");
  CHECK(p.rc == 0 && count(&p) == 0);
  done(&p);
  run(&p, bw_npm_package_json_parse, "node_modules/x/package.json", "{\"version\":\"1.0.0\"}");
  CHECK(p.rc == 0 && count(&p) == 0);
  done(&p);
  run(&p, bw_npm_package_json_parse, "node_modules/x/package.json", "{\"name\":{\"a\":1},\"version\":\"1.0.0\"}");
  CHECK(p.rc == 0 && count(&p) == 0);
  done(&p);
}

static void test_package_json_hostile(void) {
  static const char *const corrupt[] = {
      "",
      "[]",
      "{\"name\":\"x\",\"version\":\"1.0.0\",}",
      "{\"name\":\"x\",\"version\":\"1.0.0\"",
      "{\"name\":\"x\",\"version\":\"1.0.0\"} {}",
      "{\"name\":\"x\",\"version\":\"1.0.0\",\"a\":01}",
      "{\"name\":\"x\",\"version\":\"1.0.0\",\"a\":1.}",
      "{\"name\":\"x\",\"version\":\"1.0.0\",\"a\":tru}",
      "{\"name\":\"x\",\"version\":\"1.0.0\",\"a\":\"\x01\"}",
      "{\"name\":\"x\",\"version\":\"1.0.0\",\"a\":\"\\x\"}",
      "{\"name\":\"x\",\"version\":\"1.0.0\",\"a\":\"\\u12\"}",
      "{\"name\":\"x\",\"version\":\"1.0.0\",\"a\":[1 2]}",
      "{\"name\":\"x\",\"version\":\"1.0.0\",\"a\" 1}",
      "{\"name\":\"x\",\"name\":\"y\",\"version\":\"1.0.0\"}",    /* repeated used key */
      "{\"name\":\"x\",\"version\":\"1.0.0\",\"license\":\"A\",\"license\":\"B\"}",
      "{\"name\":\"../../etc\",\"version\":\"1.0.0\"}",          /* not a package name */
      "{\"name\":\"a b\",\"version\":\"1.0.0\"}",
      "{\"name\":\"\",\"version\":\"1.0.0\"}",
      "{\"name\":\"x\\u0000y\",\"version\":\"1.0.0\"}",
      "{\"name\":\"x\",\"version\":\"1.0.0\\n\"}",
      "{\"name\":\"\\ud800\",\"version\":\"1.0.0\"}",               /* lone surrogate */
      "{\"name\":\"x\",\"version\":\"1.0.0\",\"a\":\"\\",
  };
  for (size_t i = 0; i < sizeof corrupt / sizeof *corrupt; i++) {
    parsed p;
    run(&p, bw_npm_package_json_parse, "node_modules/x/package.json", corrupt[i]);
    if (code(&p) != BW_ECORRUPT) fprintf(stderr, "case %zu: rc %d (%s)\n", i, p.rc, p.err.msg);
    CHECK(code(&p) == BW_ECORRUPT);
    CHECK(count(&p) == 0);
    done(&p);
  }
  /* repeats of keys we do not read are not our business (Node keeps the last) */
  parsed p;
  run(&p, bw_npm_package_json_parse, "node_modules/x/package.json",
      "{\"name\":\"x\",\"scripts\":{},\"scripts\":{},\"version\":\"1.0.0\"}");
  CHECK(p.rc == 0 && count(&p) == 1);
  done(&p);

  /* nesting: 64 levels fine, 65 over the cap */
  char deep[400];
  for (int levels = 63; levels <= 64; levels++) {
    size_t o = 0;
    o += (size_t)snprintf(deep + o, sizeof deep - o, "{\"name\":\"x\",\"version\":\"1.0.0\",\"d\":");
    for (int i = 0; i < levels; i++) deep[o++] = '[';
    for (int i = 0; i < levels; i++) deep[o++] = ']';
    deep[o++] = '}';
    deep[o] = 0;
    run(&p, bw_npm_package_json_parse, "node_modules/x/package.json", deep);
    CHECK(levels == 63 ? p.rc == 0 : code(&p) == BW_ELIMIT);
    done(&p);
  }
  /* a huge README string is skipped without copying; the file over the cap is refused */
  size_t big = BW_LIMIT_PACKAGE_JSON_BYTES - 100;
  char *buf = malloc(BW_LIMIT_PACKAGE_JSON_BYTES + 2);
  if (buf) {
    size_t o = (size_t)snprintf(buf, 64, "{\"readme\":\"");
    memset(buf + o, 'a', big - o);
    o = big;
    o += (size_t)snprintf(buf + o, 64, "\",\"name\":\"x\",\"version\":\"1.0.0\"}");
    run_len(&p, bw_npm_package_json_parse, "node_modules/x/package.json", buf, o);
    CHECK(p.rc == 0 && count(&p) == 1);
    done(&p);
    memset(buf, ' ', BW_LIMIT_PACKAGE_JSON_BYTES + 1);
    run_len(&p, bw_npm_package_json_parse, "node_modules/x/package.json", buf, BW_LIMIT_PACKAGE_JSON_BYTES + 1);
    CHECK(code(&p) == BW_ELIMIT);
    CHECK(strstr(p.err.msg, "BW_LIMIT_PACKAGE_JSON_BYTES") != NULL);
    done(&p);
    free(buf);
  }
  /* a package name longer than npm allows */
  char longname[BW_LIMIT_NPM_NAME_BYTES + 64];
  memset(longname, 'a', sizeof longname);
  int off = snprintf(longname, 16, "{\"name\":\"");
  longname[off] = 'a';
  snprintf(longname + sizeof longname - 30, 30, "\",\"version\":\"1\"}");
  run(&p, bw_npm_package_json_parse, "node_modules/x/package.json", longname);
  CHECK(code(&p) == BW_ECORRUPT);
  done(&p);
}

/* ---- package-lock.json ------------------------------------------------------------------------- */

static void test_npm_lock_cases(void) {
  parsed p;
  /* v2: links to workspaces resolve to their target; dev only when every copy is dev; optional,
   * devOptional and peer packages are not dev; licences kept */
  run(&p, bw_npm_lock_parse, "app/package-lock.json",
      "{\"lockfileVersion\":3,\"packages\":{"
      "\"\":{\"name\":\"app\",\"version\":\"1.0.0\",\"workspaces\":[\"packages/*\"]},"
      "\"node_modules/a\":{\"version\":\"1.0.0\",\"dev\":true,\"license\":\"MIT\"},"
      "\"node_modules/b/node_modules/a\":{\"version\":\"1.0.0\"},"
      "\"node_modules/c\":{\"version\":\"2.0.0\",\"dev\":true},"
      "\"node_modules/c2\":{\"version\":\"2.0.0\",\"optional\":true},"
      "\"node_modules/c3\":{\"version\":\"2.0.0\",\"devOptional\":true},"
      "\"node_modules/c4\":{\"version\":\"2.0.0\",\"peer\":true},"
      "\"node_modules/b\":{\"version\":\"3.0.0\",\"licenses\":[{\"type\":\"MIT\"},{\"type\":\"GPL-2.0\"}]},"
      "\"node_modules/ws\":{\"resolved\":\"packages/ws\",\"link\":true},"
      "\"packages/ws\":{\"name\":\"@me/ws\",\"version\":\"0.1.0\"},"
      "\"packages/ws/node_modules/d\":{\"version\":\"4.0.0\"},"
      "\"node_modules/alias\":{\"name\":\"real\",\"version\":\"5.0.0\"},"
      "\"node_modules/broken\":{\"link\":true},"
      "\"node_modules/dangling\":{\"resolved\":\"../../etc\",\"link\":true},"
      "\"node_modules/@s/x\":{\"version\":\"6.0.0\"}"
      "},\"dependencies\":{\"ignored\":{\"version\":\"9.9.9\"}}}");
  CHECK(p.rc == 0);
  CHECK(count(&p) == 10);
  const bw_package *q;
  CHECK((q = find(&p, "a", "1.0.0")) && q->dev == 0 && q->licenses && !strcmp(q->licenses, "MIT"));
  CHECK((q = find(&p, "c", "2.0.0")) && q->dev == 1);
  CHECK((q = find(&p, "c2", "2.0.0")) && q->dev == 0);
  CHECK((q = find(&p, "c3", "2.0.0")) && q->dev == 0);
  CHECK((q = find(&p, "c4", "2.0.0")) && q->dev == 0);
  CHECK((q = find(&p, "b", "3.0.0")) && q->licenses && !strcmp(q->licenses, "MIT OR GPL-2.0"));
  CHECK(find(&p, "@me/ws", "0.1.0") != NULL);
  CHECK(find(&p, "d", "4.0.0") != NULL);
  CHECK(find(&p, "real", "5.0.0") != NULL && find(&p, "alias", NULL) == NULL);
  CHECK(find(&p, "@s/x", "6.0.0") != NULL);
  CHECK(find(&p, "ignored", NULL) == NULL && find(&p, "app", NULL) == NULL);
  CHECK(find(&p, "broken", NULL) == NULL && find(&p, "dangling", NULL) == NULL);
  done(&p);

  /* v1: nesting, aliases, local sources skipped, dev */
  run(&p, bw_npm_lock_parse, "app/npm-shrinkwrap.json",
      "{\"lockfileVersion\":1,\"dependencies\":{"
      "\"x\":{\"version\":\"1.0.0\",\"dependencies\":{\"y\":{\"version\":\"2.0.0\",\"dev\":true}}},"
      "\"y\":{\"version\":\"2.0.0\",\"dev\":true},"
      "\"z\":{\"version\":\"npm:@real/z@3.0.0\"},"
      "\"local\":{\"version\":\"file:../local\"}}}");
  CHECK(p.rc == 0 && count(&p) == 3);
  CHECK((q = find(&p, "y", "2.0.0")) && q->dev == 1);
  CHECK(find(&p, "@real/z", "3.0.0") != NULL);
  CHECK(find(&p, "local", NULL) == NULL);
  done(&p);

  /* keys with ".." are data, never paths: a name taken from one is not a package name */
  run(&p, bw_npm_lock_parse, "package-lock.json",
      "{\"lockfileVersion\":2,\"packages\":{\"node_modules/../../../etc/passwd\":{\"version\":\"1.0.0\"}}}");
  CHECK(code(&p) == BW_ECORRUPT && count(&p) == 0);
  done(&p);
  run(&p, bw_npm_lock_parse, "package-lock.json",
      "{\"lockfileVersion\":2,\"packages\":{\"../outside\":{\"name\":\"o\",\"version\":\"1.0.0\"},"
      "\"node_modules/o\":{\"resolved\":\"../outside\",\"link\":true},"
      "\"node_modules/ok\":{\"version\":\"1.0.0\"}}}");
  CHECK(p.rc == 0 && count(&p) == 2 && find(&p, "o", "1.0.0") && find(&p, "ok", "1.0.0"));
  done(&p);

  static const char *const corrupt[] = {
      "", "{", "[1]", "{\"packages\":[]}", "{\"a\":1,\"a\":2}",
      "{\"lockfileVersion\":2,\"packages\":{\"node_modules/x\":7}}",
      "{\"lockfileVersion\":1,\"dependencies\":{\"x\":\"1.0.0\"}}",
      "{\"lockfileVersion\":2,\"packages\":{\"node_modules/x\":{\"version\":\"1 0\"}}}",
      "{\"lockfileVersion\":1,\"dependencies\":{\"a/b\":{\"version\":\"1.0.0\"}}}",
  };
  for (size_t i = 0; i < sizeof corrupt / sizeof *corrupt; i++) {
    run(&p, bw_npm_lock_parse, "package-lock.json", corrupt[i]);
    if (code(&p) != BW_ECORRUPT) fprintf(stderr, "lock case %zu: rc %d (%s)\n", i, p.rc, p.err.msg);
    CHECK(code(&p) == BW_ECORRUPT && count(&p) == 0);
    done(&p);
  }
  /* deep nesting, a huge version string */
  char deep[200];
  size_t o = 0;
  for (int i = 0; i < 70; i++) deep[o++] = '[';
  for (int i = 0; i < 70; i++) deep[o++] = ']';
  deep[o] = 0;
  run(&p, bw_npm_lock_parse, "package-lock.json", deep);
  CHECK(code(&p) == BW_ELIMIT);
  done(&p);
  size_t hn = 2u << 20;
  char *huge = malloc(hn + 200);
  if (huge) {
    o = (size_t)snprintf(huge, 200, "{\"lockfileVersion\":2,\"packages\":{\"node_modules/x\":{\"version\":\"");
    memset(huge + o, '1', hn);
    o += hn;
    o += (size_t)snprintf(huge + o, 200, "\"}}}");
    run_len(&p, bw_npm_lock_parse, "package-lock.json", huge, o);
    CHECK(code(&p) == BW_ECORRUPT && count(&p) == 0);
    done(&p);
    free(huge);
  }
}

/* A lockfile over BW_LIMIT_LOCKFILE_BYTES is refused before parsing, by every lockfile parser,
 * and the analysers declare the cap so the layer walker skips it with a warning. */
/* Optional packages for other operating systems are in the lockfile but never installed on Linux. */
static void test_npm_lock_other_os(void) {
  parsed p;
  run(&p, bw_npm_lock_parse, "app/package-lock.json",
      "{\"lockfileVersion\":3,\"packages\":{"
      "\"node_modules/fsevents\":{\"version\":\"2.3.3\",\"optional\":true,\"os\":[\"darwin\"]},"
      "\"node_modules/@esbuild/win32-x64\":{\"version\":\"0.19.0\",\"optional\":true,\"os\":[\"win32\"]},"
      "\"node_modules/@esbuild/linux-x64\":{\"version\":\"0.19.0\",\"optional\":true,\"os\":[\"linux\"]},"
      "\"node_modules/not-windows\":{\"version\":\"1.0.0\",\"optional\":true,\"os\":[\"!win32\"]},"
      "\"node_modules/no-linux\":{\"version\":\"1.0.0\",\"optional\":true,\"os\":[\"!linux\"]},"
      "\"node_modules/required-darwin\":{\"version\":\"1.0.0\",\"os\":[\"darwin\"]}"
      "}}");
  CHECK(p.rc == 0);
  CHECK(find(&p, "fsevents", NULL) == NULL);
  CHECK(find(&p, "@esbuild/win32-x64", NULL) == NULL);
  CHECK(find(&p, "no-linux", NULL) == NULL);
  CHECK(find(&p, "@esbuild/linux-x64", "0.19.0") != NULL);
  CHECK(find(&p, "not-windows", "1.0.0") != NULL);
  CHECK(find(&p, "required-darwin", "1.0.0") != NULL); /* not optional: npm would have failed, keep it */
  CHECK(count(&p) == 3);
  done(&p);
}

static void test_lockfile_cap(void) {
  size_t n = (size_t)BW_LIMIT_LOCKFILE_BYTES + 1;
  char *buf = malloc(n);
  if (!buf) return;
  memset(buf, ' ', n);
  buf[0] = '{';
  buf[n - 1] = '}';
  parse_fn fns[] = {bw_npm_lock_parse, bw_yarn_lock_parse, bw_pnpm_lock_parse};
  for (size_t i = 0; i < 3; i++) {
    parsed p;
    run_len(&p, fns[i], "app/lockfile", buf, n);
    CHECK(code(&p) == BW_ELIMIT);
    CHECK(strstr(p.err.msg, "BW_LIMIT_LOCKFILE_BYTES") != NULL);
    done(&p);
  }
  free(buf);
  CHECK(bw_analyzer_npm_lock.max_bytes == BW_LIMIT_LOCKFILE_BYTES);
  CHECK(bw_analyzer_yarn_lock.max_bytes == BW_LIMIT_LOCKFILE_BYTES);
  CHECK(bw_analyzer_pnpm_lock.max_bytes == BW_LIMIT_LOCKFILE_BYTES);
  CHECK(bw_analyzer_npm_package.max_bytes == BW_LIMIT_PACKAGE_JSON_BYTES);
}

static void test_lock_wants(void) {
  CHECK(bw_analyzer_npm_lock.wants("app/package-lock.json"));
  CHECK(bw_analyzer_npm_lock.wants("package-lock.json"));
  CHECK(bw_analyzer_npm_lock.wants("srv/npm-shrinkwrap.json"));
  CHECK(!bw_analyzer_npm_lock.wants("app/node_modules/.package-lock.json"));
  CHECK(!bw_analyzer_npm_lock.wants("app/node_modules/x/package-lock.json"));
  CHECK(!bw_analyzer_npm_lock.wants("node_modules/x/npm-shrinkwrap.json"));
  CHECK(!bw_analyzer_npm_lock.wants("app/package-lock.json.orig"));
  CHECK(bw_analyzer_npm_lock.wants("app/my_node_modules/package-lock.json"));
  CHECK(bw_analyzer_yarn_lock.wants("app/yarn.lock"));
  CHECK(!bw_analyzer_yarn_lock.wants("app/node_modules/x/yarn.lock"));
  CHECK(bw_analyzer_pnpm_lock.wants("app/pnpm-lock.yaml"));
  CHECK(!bw_analyzer_pnpm_lock.wants("app/pnpm-lock.yml"));
  CHECK(!bw_analyzer_pnpm_lock.wants("node_modules/x/pnpm-lock.yaml"));
  CHECK(!bw_analyzer_npm_package.wants("app/package-lock.json"));
}

/* ---- yarn.lock ------------------------------------------------------------------------------- */

static void test_yarn_cases(void) {
  parsed p;
  run(&p, bw_yarn_lock_parse, "yarn.lock",
      "# yarn lockfile v1\r\n\r\n"
      "\"@scope/a@^1.0.0\", \"@scope/a@^1.1.0\":\r\n  version \"1.2.0\"\r\n  dependencies:\r\n    b \"^2\"\r\n\r\n"
      "b@^2:\n  version \"2.0.1\"\n  resolved \"https://r/b.tgz\"\n"
      "\"alias@npm:real@^3\":\n  version \"3.0.0\"\n"
      "\"ws@file:./ws\":\n  version \"0.0.1\"\n"
      "\"gitdep@git+https://x/y.git#abc\":\n  version \"4.0.0\"\n"
      "b@^2.0.1:\n  version \"2.0.1\"\n");
  CHECK(p.rc == 0);
  CHECK(count(&p) == 4);
  CHECK(find(&p, "@scope/a", "1.2.0") && find(&p, "b", "2.0.1") && find(&p, "real", "3.0.0"));
  CHECK(find(&p, "gitdep", "4.0.0") != NULL && find(&p, "ws", NULL) == NULL);
  done(&p);

  static const char *const corrupt[] = {
      "a@1:\n version \"1\"\n",                /* odd indentation */
      "a@1:\n\tversion \"1\"\n",               /* tab */
      "a@1\n  version \"1\"\n",                /* header without ':' */
      "  version \"1\"\n",                     /* field outside an entry */
      "a@1:\n  version \"1\"\n  version \"2\"\n",
      "a@1:\n  version \"1\n",                 /* unterminated */
      "a@1:\n  version \"\\q\"\n",
      "a@1:\n  version\n",
      "a@1:\n    b \"1\"\n",                   /* nested without an opener */
      "a@1 b@2:\n  version \"1\"\n",
      "noversionsep:\n  version \"1\"\n",
      "\"../../x@1\":\n  version \"1\"\n",     /* not a package name */
  };
  for (size_t i = 0; i < sizeof corrupt / sizeof *corrupt; i++) {
    run(&p, bw_yarn_lock_parse, "yarn.lock", corrupt[i]);
    if (code(&p) != BW_ECORRUPT) fprintf(stderr, "yarn case %zu: rc %d (%s)\n", i, p.rc, p.err.msg);
    CHECK(code(&p) == BW_ECORRUPT && count(&p) == 0);
    done(&p);
  }

  /* berry: resolution names the package; workspace and patch entries skipped */
  run(&p, bw_yarn_lock_parse, "yarn.lock",
      "# comment\n\n__metadata:\n  version: 6\n  cacheKey: 8\n\n"
      "\"foo@npm:bar@^1\":\n  version: 1.10.0\n  resolution: \"bar@npm:1.10.0\"\n\n"
      "\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n\n"
      "\"f@patch:f@npm%3A1.0.0#~builtin<compat/f>\":\n  version: 1.0.0\n"
      "  resolution: \"f@patch:f@npm%3A1.0.0#~builtin<compat/f>::version=1.0.0\"\n");
  CHECK(p.rc == 0 && count(&p) == 1 && find(&p, "bar", "1.10.0"));
  done(&p);
  static const char *const berry_bad[] = {
      "__metadata:\n  version: 6\n\"a@npm:1\": [unclosed\n",
      "__metadata:\n  version: 6\n\"a@npm:1\": &x\n  version: 1.0.0\n\"b@npm:1\": *x\n",
      "__metadata:\n  version: 6\n\"a@npm:1\":\n  version: 1.0.0\n  version: 2.0.0\n",
      "__metadata:\n  version: 6\n\"a@npm:1\": 7\n",
      "__metadata:\n  version: 6\n\"a@npm:1\":\n  version: \"1\\0\"\n  resolution: \"a@npm:1\"\n",
  };
  for (size_t i = 0; i < sizeof berry_bad / sizeof *berry_bad; i++) {
    run(&p, bw_yarn_lock_parse, "yarn.lock", berry_bad[i]);
    if (code(&p) != BW_ECORRUPT) fprintf(stderr, "berry case %zu: rc %d (%s)\n", i, p.rc, p.err.msg);
    CHECK(code(&p) == BW_ECORRUPT && count(&p) == 0);
    done(&p);
  }
}

/* ---- pnpm-lock.yaml ------------------------------------------------------------------------- */

static void test_pnpm_cases(void) {
  parsed p;
  run(&p, bw_pnpm_lock_parse, "pnpm-lock.yaml",
      "lockfileVersion: 5.4\n\nspecifiers:\n  a: ^1\n\npackages:\n\n"
      "  /a/1.0.0:\n    resolution: {integrity: x}\n    dev: false\n\n"
      "  /@babel/core/7.21.8_@types+node@20.1.0:\n    resolution: {integrity: y}\n    dev: true\n\n"
      "  registry.example.com/c/3.0.0:\n    resolution: {integrity: z}\n\n"
      "  github.com/u/r/abcdef:\n    resolution: {tarball: t}\n    name: r\n    version: 0.3.0\n    dev: true\n");
  CHECK(p.rc == 0 && count(&p) == 4);
  const bw_package *q;
  CHECK((q = find(&p, "a", "1.0.0")) && q->dev == 0);
  CHECK((q = find(&p, "@babel/core", "7.21.8")) && q->dev == 1);
  CHECK((q = find(&p, "c", "3.0.0")) && q->dev == 0);
  CHECK((q = find(&p, "r", "0.3.0")) && q->dev == 1);
  done(&p);

  run(&p, bw_pnpm_lock_parse, "pnpm-lock.yaml",
      "lockfileVersion: '6.0'\npackages:\n  /@s/x@1.0.0(react@18.2.0):\n    dev: true\n"
      "  /y@2.0.0:\n    dev: false\n");
  CHECK(p.rc == 0 && count(&p) == 2);
  CHECK((q = find(&p, "@s/x", "1.0.0")) && q->dev == 1);
  done(&p);

  /* two documents (pnpm 11): the second is the project's */
  run(&p, bw_pnpm_lock_parse, "pnpm-lock.yaml",
      "---\nlockfileVersion: '9.0'\nimporters:\n  .:\n    packageManagerDependencies:\n"
      "      pnpm: {specifier: ^11, version: 11.0.0}\npackages:\n  pnpm@11.0.0: {}\nsnapshots:\n  pnpm@11.0.0: {}\n"
      "---\nlockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a: {specifier: ^1, version: 1.0.0}\n"
      "      al: {specifier: npm:b@^2, version: b@2.0.0}\n"
      "    devDependencies:\n      d: {specifier: ^1, version: 1.0.0}\n"
      "packages:\n  a@1.0.0: {}\n  b@2.0.0: {}\n  c@3.0.0: {}\n  d@1.0.0: {}\n  e@1.0.0: {}\n"
      "snapshots:\n  a@1.0.0:\n    optionalDependencies:\n      c: 3.0.0\n  b@2.0.0: {}\n  c@3.0.0: {}\n"
      "  d@1.0.0:\n    dependencies:\n      e: 1.0.0\n      c: 3.0.0\n  e@1.0.0: {}\n");
  CHECK(p.rc == 0 && count(&p) == 5);
  CHECK(find(&p, "pnpm", NULL) == NULL);
  CHECK((q = find(&p, "a", "1.0.0")) && q->dev == 0);
  CHECK((q = find(&p, "b", "2.0.0")) && q->dev == 0);
  CHECK((q = find(&p, "c", "3.0.0")) && q->dev == 0);
  CHECK((q = find(&p, "d", "1.0.0")) && q->dev == 1);
  CHECK((q = find(&p, "e", "1.0.0")) && q->dev == 1);
  done(&p);

  static const char *const corrupt[] = {
      "lockfileVersion: '9.0'\npackages: [1]\n",
      "packages:\n  /a/1.0.0: {}\n",                           /* no lockfileVersion */
      "lockfileVersion: '6.0'\npackages:\n  nonsense: {}\n",
      "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}\n  a@1.0.0(x@1): {}\n",
      "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {version: 1.0.0, version: 2.0.0}\n",
      "lockfileVersion: '9.0'\npackages:\n  ../../a@1.0.0: {}\n",
      "lockfileVersion: '9.0'\npackages: &a\n  a@1.0.0: {}\nsnapshots: *a\n",
      "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {\n",
      "- 1\n- 2\n",
  };
  for (size_t i = 0; i < sizeof corrupt / sizeof *corrupt; i++) {
    run(&p, bw_pnpm_lock_parse, "pnpm-lock.yaml", corrupt[i]);
    if (code(&p) != BW_ECORRUPT) fprintf(stderr, "pnpm case %zu: rc %d (%s)\n", i, p.rc, p.err.msg);
    CHECK(code(&p) == BW_ECORRUPT && count(&p) == 0);
    done(&p);
  }
  /* nesting past the cap; more nodes than the cap (each "[]," is one node) */
  char deep[300];
  size_t o = 0;
  for (int i = 0; i < 70; i++) deep[o++] = '[';
  for (int i = 0; i < 70; i++) deep[o++] = ']';
  deep[o++] = '\n';
  deep[o] = 0;
  run(&p, bw_pnpm_lock_parse, "pnpm-lock.yaml", deep);
  CHECK(code(&p) == BW_ELIMIT);
  done(&p);
  /* more values than the cap, in YAML and in JSON (each "1," is one) */
  size_t nodes = BW_LIMIT_LOCKFILE_NODES + 10;
  char *many = malloc(nodes * 2 + 4);
  if (many) {
    o = 0;
    many[o++] = '[';
    for (size_t i = 0; i < nodes; i++) many[o++] = '1', many[o++] = ',';
    many[o - 1] = ']';
    run_len(&p, bw_pnpm_lock_parse, "pnpm-lock.yaml", many, o);
    CHECK(code(&p) == BW_ELIMIT && strstr(p.err.msg, "BW_LIMIT_LOCKFILE_NODES"));
    done(&p);
    run_len(&p, bw_npm_lock_parse, "package-lock.json", many, o);
    CHECK(code(&p) == BW_ELIMIT && strstr(p.err.msg, "BW_LIMIT_LOCKFILE_NODES"));
    done(&p);
    free(many);
  }
}

/* ---- shared fixtures ------------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* "name\tversion\tdev" rows of the TSV (header skipped), sorted; *n rows. */
static char **tsv_rows(const char *path, size_t *n) {
  size_t len;
  char *t = (char *)test_read_file(path, &len);
  *n = 0;
  if (!t) return NULL;
  char **rows = calloc(len / 2 + 2, sizeof *rows);
  char *save = NULL;
  bool header = true;
  for (char *line = strtok_r(t, "\n", &save); line && rows; line = strtok_r(NULL, "\n", &save)) {
    if (header) {
      header = false;
      continue;
    }
    char *f[4] = {0};
    char *p = line;
    for (int k = 0; k < 4; k++) {
      f[k] = p;
      char *tab = p ? strchr(p, '\t') : NULL;
      if (tab) *tab = 0;
      p = tab ? tab + 1 : NULL;
    }
    /* columns: name, version, relationship, dev */
    size_t need = strlen(f[0]) + strlen(f[1] ? f[1] : "") + 8;
    rows[*n] = malloc(need);
    snprintf(rows[*n], need, "%s\t%s\t%d", f[0], f[1] ? f[1] : "", f[3] && !strcmp(f[3], "true"));
    (*n)++;
  }
  free(t);
  if (rows) qsort(rows, *n, sizeof *rows, cmp_str);
  return rows;
}

static void check_fixture(parse_fn fn, const char *file) {
  char path[1024], tsv[1100];
  snprintf(path, sizeof path, "%s/fixtures/lockfile/%s", BW_SHARED_DATA, file);
  snprintf(tsv, sizeof tsv, "%s.expected.tsv", path);
  size_t len;
  unsigned char *buf = test_read_file(path, &len);
  if (!buf) {
    SKIP("fixture %s missing (shared data not present at %s)", file, BW_SHARED_DATA);
    return;
  }
  size_t ne;
  char **exp = tsv_rows(tsv, &ne);
  parsed p;
  run_len(&p, fn, "app/lockfile", buf, len);
  if (p.rc) fprintf(stderr, "%s: %s\n", file, p.err.msg);
  CHECK(p.rc == 0);
  size_t na = count(&p);
  char **act = calloc(na + 1, sizeof *act);
  for (size_t i = 0; act && i < na; i++) {
    const bw_package *q = bw_pkglist_at(&p.list, i);
    size_t need = strlen(q->name) + (q->version ? strlen(q->version) : 0) + 8;
    act[i] = malloc(need);
    snprintf(act[i], need, "%s\t%s\t%d", q->name, q->version ? q->version : "", q->dev);
    CHECK(q->type == BW_PKG_NPM);
  }
  if (act) qsort(act, na, sizeof *act, cmp_str);
  bool same = exp && act && ne == na;
  for (size_t i = 0; same && i < na; i++) same = strcmp(exp[i], act[i]) == 0;
  CHECK(same);
  if (!same) { /* the difference, as a merge of the two sorted lists */
    fprintf(stderr, "%s: %zu expected, %zu parsed\n", file, ne, na);
    size_t i = 0, k = 0;
    while (exp && act && (i < ne || k < na)) {
      int c = i == ne ? 1 : k == na ? -1 : strcmp(exp[i], act[k]);
      if (c < 0) fprintf(stderr, "  - %s\n", exp[i++]);
      else if (c > 0) fprintf(stderr, "  + %s\n", act[k++]);
      else i++, k++;
    }
  }
  for (size_t i = 0; exp && i < ne; i++) free(exp[i]);
  for (size_t i = 0; act && i < na; i++) free(act[i]);
  free(exp);
  free(act);
  done(&p);
  free(buf);
}

static void test_fixtures(void) {
  const char *pre = "trivy__pkg__dependency__parser__nodejs__";
  static const struct {
    const char *file;
    int kind; /* 0 npm, 1 yarn, 2 pnpm */
  } fx[] = {
      {"npm__testdata__package-lock_v1.json", 0}, {"npm__testdata__package-lock_v2.json", 0},
      {"npm__testdata__package-lock_v3.json", 0}, {"yarn__testdata__yarn_happy.lock", 1},
      {"yarn__testdata__yarn_v2_happy.lock", 1},  {"pnpm__testdata__pnpm-lock_v6.yaml", 2},
      {"pnpm__testdata__pnpm-lock_v9.yaml", 2},
  };
  parse_fn fns[] = {bw_npm_lock_parse, bw_yarn_lock_parse, bw_pnpm_lock_parse};
  for (size_t i = 0; i < sizeof fx / sizeof *fx; i++) {
    char name[256];
    snprintf(name, sizeof name, "%s%s", pre, fx[i].file);
    check_fixture(fns[fx[i].kind], name);
  }
}

int main(void) {
  test_package_json_wants();
  test_package_json_basic();
  test_package_json_hostile();
  test_npm_lock_cases();
  test_npm_lock_other_os();
  test_lockfile_cap();
  test_lock_wants();
  test_yarn_cases();
  test_pnpm_cases();
  test_fixtures();
  return test_finish();
}
