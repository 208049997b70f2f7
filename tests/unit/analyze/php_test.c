/* PHP Composer analysers: composer.lock and vendor/composer/installed.json in both of Composer's
 * forms (1.x: a JSON array of packages; 2.x: {"packages": [...], "dev": true,
 * "dev-package-names": [...]}, getcomposer.org's documented layout), hand-written with public
 * facts (psr/log 3.0.0 MIT, phpunit/phpunit 10.1.2 BSD-3-Clause, monolog/monolog 3.3.1 MIT), and
 * the shared Trivy fixture, which must parse to exactly its expected list, licences included. */
#include "analyze/php.h"

#include "unit/analyze/app_fixture.h"

#define INSTALLED "var/www/vendor/composer/installed.json"

static void test_lock(void) {
  parsed p;
  parse_str(&p, bw_composer_lock_parse, "composer.lock",
            "{\"_readme\": [\"This file locks the dependencies\"], \"content-hash\": \"abc\",\n"
            " \"packages\": [\n"
            "  {\"name\": \"monolog/monolog\", \"version\": \"3.3.1\", \"license\": [\"MIT\"], \"type\": \"library\"},\n"
            "  {\"name\": \"symfony/polyfill-php72\", \"version\": \"v1.27.0\", \"license\": \"MIT or BSD-2-Clause\"},\n"
            "  {\"name\": \"dual/licensed\", \"version\": \"1.0.0\", \"license\": [\"LGPL-2.1-only\", \"GPL-3.0-or-later\"]},\n"
            "  {\"name\": \"no/version\"},\n"
            "  {\"name\": \"shared/both\", \"version\": \"2.0.0\"}],\n"
            " \"packages-dev\": [\n"
            "  {\"name\": \"phpunit/phpunit\", \"version\": \"10.1.2\", \"license\": [\"BSD-3-Clause\"]},\n"
            "  {\"name\": \"shared/both\", \"version\": \"2.0.0\"}],\n"
            " \"packages-dev\": null}\n");
  /* the duplicate key above makes the document invalid (a parser differential otherwise) */
  CHECK(p.rc == -BW_ECORRUPT && npkg(&p) == 0);
  done(&p);
  parse_str(&p, bw_composer_lock_parse, "composer.lock",
            "{\"packages\": [\n"
            "  {\"name\": \"monolog/monolog\", \"version\": \"3.3.1\", \"license\": [\"MIT\"], \"type\": \"library\"},\n"
            "  {\"name\": \"symfony/polyfill-php72\", \"version\": \"v1.27.0\", \"license\": \"MIT or BSD-2-Clause\"},\n"
            "  {\"name\": \"dual/licensed\", \"version\": \"1.0.0\", \"license\": [\"LGPL-2.1-only\", \"GPL-3.0-or-later\"]},\n"
            "  {\"name\": \"no/version\"},\n"
            "  {\"name\": \"shared/both\", \"version\": \"2.0.0\"}],\n"
            " \"packages-dev\": [\n"
            "  {\"name\": \"phpunit/phpunit\", \"version\": \"10.1.2\", \"license\": [\"BSD-3-Clause\"]},\n"
            "  {\"name\": \"shared/both\", \"version\": \"2.0.0\"}]}\n");
  CHECK(p.rc == 0);
  CHECK(npkg(&p) == 5);
  const bw_package *m = find(&p, "monolog/monolog"), *s = find(&p, "symfony/polyfill-php72"),
                   *d = find(&p, "dual/licensed"), *u = find(&p, "phpunit/phpunit"), *b = find(&p, "shared/both");
  CHECK(m && m->type == BW_PKG_COMPOSER && strcmp(m->version, "3.3.1") == 0 && m->dev == 0);
  CHECK(m && m->licenses && strcmp(m->licenses, "MIT") == 0);
  CHECK(s && strcmp(s->version, "v1.27.0") == 0 && s->licenses && strcmp(s->licenses, "MIT or BSD-2-Clause") == 0);
  CHECK(d && d->licenses && strcmp(d->licenses, "LGPL-2.1-only OR GPL-3.0-or-later") == 0);
  CHECK(u && u->dev == 1);
  CHECK(b && b->dev == 0);
  CHECK(!find(&p, "no/version"));
  done(&p);
}

static void test_installed(void) {
  parsed p;
  /* Composer 2.x */
  parse_str(&p, bw_composer_installed_parse, INSTALLED,
            "{\n    \"packages\": [\n"
            "        {\"name\": \"psr/log\", \"version\": \"3.0.0\", \"version_normalized\": \"3.0.0.0\",\n"
            "         \"type\": \"library\", \"installation-source\": \"dist\", \"license\": [\"MIT\"],\n"
            "         \"install-path\": \"../psr/log\"},\n"
            "        {\"name\": \"phpunit/phpunit\", \"version\": \"10.1.2\", \"license\": [\"BSD-3-Clause\"]}\n"
            "    ],\n    \"dev\": true,\n    \"dev-package-names\": [\"phpunit/phpunit\", 7]\n}\n");
  CHECK(p.rc == 0 && npkg(&p) == 2);
  const bw_package *l = find(&p, "psr/log"), *u = find(&p, "phpunit/phpunit");
  CHECK(l && strcmp(l->version, "3.0.0") == 0 && l->dev == 0 && l->licenses && strcmp(l->licenses, "MIT") == 0);
  CHECK(u && u->dev == 1);
  done(&p);
  /* Composer 1.x: a bare array */
  parse_str(&p, bw_composer_installed_parse, INSTALLED,
            "[{\"name\": \"monolog/monolog\", \"version\": \"1.27.1\", \"license\": [\"MIT\"]},\n"
            " {\"name\": \"psr/log\", \"version\": \"1.1.4\"}]\n");
  CHECK(p.rc == 0 && npkg(&p) == 2);
  CHECK(find(&p, "monolog/monolog") && strcmp(find(&p, "monolog/monolog")->version, "1.27.1") == 0);
  CHECK(find(&p, "psr/log") && find(&p, "psr/log")->licenses == NULL);
  done(&p);
  /* an empty install */
  parse_str(&p, bw_composer_installed_parse, INSTALLED, "{\"packages\": [], \"dev\": false, \"dev-package-names\": []}");
  CHECK(p.rc == 0 && npkg(&p) == 0);
  done(&p);
}

static void test_hostile(void) {
  const char *const bad[] = {
      "\"a string\"",
      "{\"packages\": {\"name\": \"a/b\"}}",
      "{\"packages\": [1]}",
      "{\"packages\": [{\"name\": \"a/b\", \"version\": \"1\"}",
      "{\"packages\": [{\"name\": \"a/b\", \"version\": \"1\\n2\"}]}",
      "",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK_REJECTS(bw_composer_lock_parse, "composer.lock", bad[i], strlen(bad[i]), BW_ECORRUPT);
    CHECK_REJECTS(bw_composer_installed_parse, INSTALLED, bad[i], strlen(bad[i]), BW_ECORRUPT);
  }
  /* a NUL byte in JSON text is invalid JSON; inside a \u0000 escape it cuts the C string */
  CHECK_REJECTS(bw_composer_lock_parse, "composer.lock", "{\"packages\": [\0]}", 17, BW_ECORRUPT);
  parsed p;
  const char *esc = "{\"packages\": [{\"name\": \"a/b\\u0000evil\", \"version\": \"1\"}]}";
  parse_str(&p, bw_composer_lock_parse, "composer.lock", esc);
  CHECK(p.rc == 0 && npkg(&p) == 1 && strcmp(pkg(&p, 0)->name, "a/b") == 0);
  done(&p);
  char deep[300];
  size_t k = 0;
  for (int i = 0; i < 100; i++) deep[k++] = '[';
  for (int i = 0; i < 100; i++) deep[k++] = ']';
  CHECK_REJECTS(bw_composer_installed_parse, INSTALLED, deep, k, BW_ELIMIT);
  size_t big = (size_t)BW_LIMIT_LOCKFILE_BYTES + 1;
  char *b = malloc(big);
  if (b) {
    memset(b, ' ', big);
    CHECK_REJECTS(bw_composer_lock_parse, "composer.lock", b, big, BW_ELIMIT);
    free(b);
  }
}

static void test_wants(void) {
  CHECK(bw_analyzer_composer_lock.wants("var/www/composer.lock"));
  CHECK(bw_analyzer_composer_lock.wants("composer.lock"));
  CHECK(!bw_analyzer_composer_lock.wants("var/www/composer.json"));
  CHECK(bw_analyzer_composer_installed.wants(INSTALLED));
  CHECK(bw_analyzer_composer_installed.wants("vendor/composer/installed.json"));
  CHECK(!bw_analyzer_composer_installed.wants("var/www/myvendor/composer/installed.json"));
  CHECK(!bw_analyzer_composer_installed.wants("var/www/vendor/composer/installed.php"));
}

int main(void) {
  test_lock();
  test_installed();
  test_hostile();
  test_wants();
  check_fixture(bw_composer_lock_parse, "trivy__pkg__dependency__parser__php__composer__testdata__composer_happy.lock",
                NULL, true);
  return test_finish();
}
