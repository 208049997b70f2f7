/* bw_purl edge cases: percent-encoding, epochs, namespaces and qualifiers per purl type, and the
 * SPDX licence-expression normaliser the SPDX writer relies on. Expected strings follow the purl
 * spec's examples and rules (docs/how-to-build, "Character encoding": only A-Z a-z 0-9 . - _ ~
 * and ':' stay as they are) and what Trivy writes for the OS namespace and distro qualifier. */
#include <string.h>

#include "report/result.h"
#include "report/spdx_license.h"
#include "unit/test.h"

static const bw_os_info debian = {.family = "debian", .version = "12", .name = "Debian GNU/Linux 12 (bookworm)"};
static const bw_os_info rocky = {.family = "rocky", .version = "9.3"};
static const bw_os_info alpine = {.family = "alpine", .version = "3.18.0"};
static const bw_os_info unknown_os = {0};

static bw_package pkg(bw_pkg_type t, const char *name, const char *version, const char *arch) {
  bw_package p = {.type = t, .name = name, .version = version, .arch = arch, .epoch = -1};
  return p;
}

static void test_deb(bw_arena *a) {
  bw_package p = pkg(BW_PKG_DEB, "bash", "5.2.15-2+b2", "amd64");
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12");
  /* an epoch stays in a deb version and ':' is never encoded (spec example attr@1:2.4.47-2%2Bb1) */
  p = pkg(BW_PKG_DEB, "login", "1:4.13+dfsg1-1+b1", "amd64");
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:deb/debian/login@1:4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12");
  /* '~' is unreserved */
  p = pkg(BW_PKG_DEB, "libfoo1", "1.2.3~rc1-1~bpo12+1", "arm64");
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:deb/debian/libfoo1@1.2.3~rc1-1~bpo12%2B1?arch=arm64&distro=debian-12");
  /* '+' in a name; deb names are lowercased */
  p = pkg(BW_PKG_DEB, "libstdc++6", "12.2.0-14", "amd64");
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12");
  p = pkg(BW_PKG_DEB, "Foo", "1", "all");
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:deb/debian/foo@1?arch=all&distro=debian-12");
  /* ubuntu namespace, family lowercased */
  bw_os_info ubuntu = {.family = "Ubuntu", .version = "22.04"};
  p = pkg(BW_PKG_DEB, "coreutils", "8.32-4.1ubuntu1", "amd64");
  CHECK_STR(bw_purl(a, &p, &ubuntu), "pkg:deb/ubuntu/coreutils@8.32-4.1ubuntu1?arch=amd64&distro=ubuntu-22.04");
  /* no OS known: no namespace, no distro; no arch: no qualifiers at all */
  p = pkg(BW_PKG_DEB, "bash", "5.2.15-2+b2", "amd64");
  CHECK_STR(bw_purl(a, &p, &unknown_os), "pkg:deb/bash@5.2.15-2%2Bb2?arch=amd64");
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:deb/bash@5.2.15-2%2Bb2?arch=amd64");
  p = pkg(BW_PKG_DEB, "bash", "5.2.15-2+b2", "");
  CHECK_STR(bw_purl(a, &p, &unknown_os), "pkg:deb/bash@5.2.15-2%2Bb2");
  /* OS family without a version: namespace, but no distro */
  bw_os_info nover = {.family = "debian"};
  p = pkg(BW_PKG_DEB, "bash", "5.2", "amd64");
  CHECK_STR(bw_purl(a, &p, &nover), "pkg:deb/debian/bash@5.2?arch=amd64");
}

static void test_rpm(bw_arena *a) {
  /* version "V-R", epoch as a qualifier, qualifiers in key order */
  bw_package p = pkg(BW_PKG_RPM, "openssl-libs", "1:3.0.7-24.el9", "x86_64");
  p.epoch = 1;
  p.rpm_version = "3.0.7";
  p.rpm_release = "24.el9";
  CHECK_STR(bw_purl(a, &p, &rocky), "pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rocky-9.3&epoch=1");
  /* epoch 0 is left out, as Trivy does */
  p.epoch = 0;
  CHECK_STR(bw_purl(a, &p, &rocky), "pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rocky-9.3");
  /* no separate parts: the epoch comes off the "E:" prefix of the version */
  p = pkg(BW_PKG_RPM, "shadow-utils", "2:4.9-8.el9", "x86_64");
  CHECK_STR(bw_purl(a, &p, &rocky), "pkg:rpm/rocky/shadow-utils@4.9-8.el9?arch=x86_64&distro=rocky-9.3&epoch=2");
  /* rpm names keep their case; '+' encoded */
  p = pkg(BW_PKG_RPM, "perl-Text-Tabs+Wrap", "2013.0523-460.el9", "noarch");
  CHECK_STR(bw_purl(a, &p, &rocky),
            "pkg:rpm/rocky/perl-Text-Tabs%2BWrap@2013.0523-460.el9?arch=noarch&distro=rocky-9.3");
  /* gpg-pubkey has no arch */
  p = pkg(BW_PKG_RPM, "gpg-pubkey", "350d275d-6279464b", NULL);
  CHECK_STR(bw_purl(a, &p, &rocky), "pkg:rpm/rocky/gpg-pubkey@350d275d-6279464b?distro=rocky-9.3");
  bw_os_info sles = {.family = "sles", .version = "15.5"};
  p = pkg(BW_PKG_RPM, "libzypp", "17.31.8-150400.3.29.1", "x86_64");
  CHECK_STR(bw_purl(a, &p, &sles), "pkg:rpm/sles/libzypp@17.31.8-150400.3.29.1?arch=x86_64&distro=sles-15.5");
}

static void test_apk(bw_arena *a) {
  bw_package p = pkg(BW_PKG_APK, "musl", "1.2.4-r2", "x86_64");
  CHECK_STR(bw_purl(a, &p, &alpine), "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.0");
  p = pkg(BW_PKG_APK, "libstdc++", "12.2.1_git20220924-r10", "aarch64");
  CHECK_STR(bw_purl(a, &p, &alpine),
            "pkg:apk/alpine/libstdc%2B%2B@12.2.1_git20220924-r10?arch=aarch64&distro=3.18.0");
}

static void test_lang(bw_arena *a) {
  bw_package p = pkg(BW_PKG_NPM, "@Babel/Core", "7.22.0", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:npm/%40babel/core@7.22.0");
  p = pkg(BW_PKG_NPM, "lodash", "4.17.21", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:npm/lodash@4.17.21");
  p = pkg(BW_PKG_PYPI, "Django_Rest", "1.0", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:pypi/django-rest@1.0");
  p = pkg(BW_PKG_MAVEN, "org.apache.logging.log4j:log4j-core", "2.14.1", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
  /* a jar that states no group (Debian's manifest-only spring jars): no namespace */
  p = pkg(BW_PKG_MAVEN, "spring-core", "4.3.30.RELEASE", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:maven/spring-core@4.3.30.RELEASE");
  /* Trivy's manifest identity keeps an Implementation-Title as written */
  p = pkg(BW_PKG_MAVEN, "org.springframework:Spring Framework", "2.5.6.SEC03", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:maven/org.springframework/Spring%20Framework@2.5.6.SEC03");
  p = pkg(BW_PKG_GOLANG, "github.com/Foo/Bar", "v1.2.3", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:golang/github.com/foo/bar@v1.2.3");
  p = pkg(BW_PKG_COMPOSER, "symfony/console", "v6.0.0", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:composer/symfony/console@v6.0.0");
  p = pkg(BW_PKG_CARGO, "serde", "1.0.188", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:cargo/serde@1.0.188");
  p = pkg(BW_PKG_GEM, "rails", "7.0.4", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:gem/rails@7.0.4");
  p = pkg(BW_PKG_NUGET, "Newtonsoft.Json", "13.0.1", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:nuget/Newtonsoft.Json@13.0.1");
}

/* Application ecosystems of src/analyze/{python,ruby,php,dotnet}.c: pypi names in PEP 503 form
 * (a run of '-', '_' and '.' is one '-'), composer lowercased (purl-spec PURL-TYPES: "composer":
 * "not case sensitive and must be lowercased"), gem and nuget names as published. */
static void test_app_ecosystems(bw_arena *a) {
  bw_package p = pkg(BW_PKG_PYPI, "zope.interface", "6.0", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:pypi/zope-interface@6.0");
  p = pkg(BW_PKG_PYPI, "Foo__Bar.-baz", "1.0.post1", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:pypi/foo-bar-baz@1.0.post1");
  p = pkg(BW_PKG_PYPI, "PyYAML", "6.0", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:pypi/pyyaml@6.0");
  p = pkg(BW_PKG_PYPI, "requests", "2.28.1", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:pypi/requests@2.28.1");
  /* a local version label's '+' is percent-encoded */
  p = pkg(BW_PKG_PYPI, "torch", "2.1.0+cpu", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:pypi/torch@2.1.0%2Bcpu");
  p = pkg(BW_PKG_COMPOSER, "Symfony/Polyfill-PHP72", "v1.27.0", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:composer/symfony/polyfill-php72@v1.27.0");
  p = pkg(BW_PKG_COMPOSER, "pear/pear_exception", "v1.0.2", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:composer/pear/pear_exception@v1.0.2");
  p = pkg(BW_PKG_GEM, "concurrent-ruby", "1.1.10", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:gem/concurrent-ruby@1.1.10");
  p = pkg(BW_PKG_GEM, "method_source", "1.0.0", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:gem/method_source@1.0.0");
  p = pkg(BW_PKG_NUGET, "System.Collections.Immutable", "1.3.0", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:nuget/System.Collections.Immutable@1.3.0");
}

static void test_encoding(bw_arena *a) {
  /* separators inside a component are encoded; space is %20, not '+' */
  bw_package p = pkg(BW_PKG_CARGO, "a b", "1.0 beta#1?x@y&z=1/2%", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:cargo/a%20b@1.0%20beta%231%3Fx%40y%26z%3D1%2F2%25");
  /* non-ASCII: UTF-8 bytes, upper-case hex */
  p = pkg(BW_PKG_GEM, "\xc3\xbc", "1", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:gem/%C3%BC@1");
  /* bytes that are not UTF-8 become U+FFFD, so every purl decodes */
  p = pkg(BW_PKG_GEM, "a\xff\xc3", "1\xe2\x82", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:gem/a%EF%BF%BD%EF%BF%BD@1%EF%BF%BD%EF%BF%BD");
  /* qualifier values are encoded too */
  p = pkg(BW_PKG_DEB, "x", "1", "a&b");
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:deb/x@1?arch=a%26b");
  /* no version: no '@' */
  p = pkg(BW_PKG_GEM, "rails", NULL, NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:gem/rails");
  /* nothing to name: no purl */
  p = pkg(BW_PKG_GEM, NULL, "1", NULL);
  CHECK(bw_purl(a, &p, NULL) == NULL);
  p = pkg(BW_PKG_GEM, "", "1", NULL);
  CHECK(bw_purl(a, &p, NULL) == NULL);
  p = pkg((bw_pkg_type)99, "x", "1", NULL);
  CHECK(bw_purl(a, &p, NULL) == NULL);
}

static void test_format_parse(void) {
  CHECK(bw_format_parse("table") == BW_FORMAT_TABLE);
  CHECK(bw_format_parse("json") == BW_FORMAT_JSON);
  CHECK(bw_format_parse("sarif") == BW_FORMAT_SARIF);
  CHECK(bw_format_parse("cyclonedx") == BW_FORMAT_CYCLONEDX);
  CHECK(bw_format_parse("spdx") == BW_FORMAT_SPDX);
  CHECK(bw_format_parse("SPDX") == -1);
  CHECK(bw_format_parse("") == -1);
  CHECK(bw_format_parse(NULL) == -1);
}

static void test_licenses(bw_arena *a) {
  bw_spdx_refs refs;
  bw_spdx_refs_init(&refs, a);
  CHECK_STR(bw_spdx_license_expression(&refs, "GPLv2+"), "GPL-2.0-or-later");
  CHECK_STR(bw_spdx_license_expression(&refs, "GPLv2+ and LGPLv2+"), "GPL-2.0-or-later AND LGPL-2.0-or-later");
  CHECK_STR(bw_spdx_license_expression(&refs, "MIT AND BSD"), "MIT AND LicenseRef-BSD");
  CHECK_STR(bw_spdx_license_expression(&refs, "(mit or apache-2.0) and  ISC"), "(MIT OR Apache-2.0) AND ISC");
  CHECK_STR(bw_spdx_license_expression(&refs, "ASL 2.0 and Public Domain"), "Apache-2.0 AND LicenseRef-Public-Domain");
  CHECK_STR(bw_spdx_license_expression(&refs, "GPL-2+"), "GPL-2.0-or-later");
  CHECK_STR(bw_spdx_license_expression(&refs, "Expat"), "MIT");
  CHECK_STR(bw_spdx_license_expression(&refs, "GPL-2.0+"), "GPL-2.0+");
  CHECK_STR(bw_spdx_license_expression(&refs, "GPL-2.0-only WITH Classpath-exception-2.0"),
            "GPL-2.0-only WITH Classpath-exception-2.0");
  CHECK_STR(bw_spdx_license_expression(&refs, "GPL-2.0+ with classpath-exception-2.0"),
            "GPL-2.0+ WITH Classpath-exception-2.0");
  /* an unknown exception: the whole "X WITH Y" is one licence we do not know */
  CHECK_STR(bw_spdx_license_expression(&refs, "GPLv2 with exceptions"), "LicenseRef-GPLv2-with-exceptions");
  /* the same text gets the same ref; a different text that sanitises the same gets a new one */
  CHECK_STR(bw_spdx_license_expression(&refs, "BSD"), "LicenseRef-BSD");
  CHECK_STR(bw_spdx_license_expression(&refs, "BSD!"), "LicenseRef-BSD-2");
  /* not an expression: one LicenseRef for the whole text */
  CHECK_STR(bw_spdx_license_expression(&refs, "(MIT"), "LicenseRef-MIT");
  CHECK_STR(bw_spdx_license_expression(&refs, "MIT and"), "LicenseRef-MIT-and");
  /* a failed parse registers nothing for its operands: only the whole text gets a ref */
  size_t before = refs.len;
  CHECK_STR(bw_spdx_license_expression(&refs, "(weird"), "LicenseRef-weird");
  CHECK(refs.len == before + 1);
  CHECK_STR(bw_spdx_license_expression(&refs, "GPLv3+ or"), "LicenseRef-GPLv3-plus-or");
  CHECK_STR(bw_spdx_license_expression(&refs, "+++"), "LicenseRef-plus-plus-plus");
  CHECK_STR(bw_spdx_license_expression(&refs, "\xc3\xbc"), "LicenseRef-unknown");
  CHECK_STR(bw_spdx_license_expression(&refs, ""), "NOASSERTION");
  CHECK_STR(bw_spdx_license_expression(&refs, "   "), "NOASSERTION");
  CHECK_STR(bw_spdx_license_expression(&refs, NULL), "NOASSERTION");
  /* nesting past the limit is not parsed */
  char deep[200] = {0};
  size_t o = 0;
  for (int i = 0; i < 40; i++) deep[o++] = '(';
  memcpy(deep + o, "MIT", 3), o += 3;
  for (int i = 0; i < 40; i++) deep[o++] = ')';
  const char *d = bw_spdx_license_expression(&refs, deep);
  CHECK(d && strncmp(d, "LicenseRef-MIT", 14) == 0);
  CHECK_STR(bw_spdx_license_expression(&refs, "((MIT))"), "((MIT))");

  /* every LicenseRef handed out is listed once, with its text */
  CHECK(refs.len == 11);
  CHECK_STR(refs.v[0].id, "LicenseRef-BSD");
  CHECK_STR(refs.v[0].text, "BSD");
  CHECK_STR(refs.v[1].id, "LicenseRef-Public-Domain");
  CHECK_STR(refs.v[1].text, "Public Domain");
  CHECK_STR(refs.v[3].id, "LicenseRef-BSD-2");
  CHECK_STR(refs.v[3].text, "BSD!");
  CHECK_STR(refs.v[4].text, "(MIT");
}

/* npm as the Node.js analysers record it: "@scope/name" as published, no OS qualifiers. */
static void test_npm(bw_arena *a) {
  bw_package p = pkg(BW_PKG_NPM, "@scope/name", "1.0.0", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:npm/%40scope/name@1.0.0");
  p = pkg(BW_PKG_NPM, "lodash", "4.17.15", NULL);
  CHECK_STR(bw_purl(a, &p, &debian), "pkg:npm/lodash@4.17.15");
  p = pkg(BW_PKG_NPM, "@types/node", "20.1.0-beta.1+build.7", NULL);
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:npm/%40types/node@20.1.0-beta.1%2Bbuild.7");
  p = pkg(BW_PKG_NPM, "package1", NULL, NULL); /* a local package without a version */
  CHECK_STR(bw_purl(a, &p, NULL), "pkg:npm/package1");
}

int main(void) {
  bw_arena *a = bw_arena_new();
  test_deb(a);
  test_rpm(a);
  test_apk(a);
  test_lang(a);
  test_app_ecosystems(a);
  test_npm(a);
  test_encoding(a);
  test_format_parse();
  test_licenses(a);
  bw_arena_free(a);
  return test_finish();
}
