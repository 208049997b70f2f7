/* Ruby analysers: installed gemspecs and Bundler lockfiles. The gemspecs are written the way
 * RubyGems' Gem::Specification#to_ruby writes installed specifications (a "# stub:" line, then
 * `Gem::Specification.new do |s|` and `s.field = "value".freeze` lines), with the public facts of
 * rack 2.2.6.4 (MIT) and Ruby 3.1's default json 2.6.1 (Ruby). Lockfiles follow Bundler's format
 * (sections GEM / GIT / PATH with "  specs:", four-space "name (version[-platform])" lines). The
 * shared Trivy fixtures must parse to exactly their expected lists. */
#include "analyze/ruby.h"

#include "unit/analyze/app_fixture.h"

#define SPEC "usr/share/rubygems-integration/all/specifications/rack-2.2.6.4.gemspec"

static const char rack_spec[] =
    "# -*- encoding: utf-8 -*-\n"
    "# stub: rack 2.2.6.4 ruby lib\n"
    "\n"
    "Gem::Specification.new do |s|\n"
    "  s.name = \"rack\".freeze\n"
    "  s.version = \"2.2.6.4\"\n"
    "\n"
    "  s.required_rubygems_version = Gem::Requirement.new(\">= 0\".freeze) if s.respond_to? "
    ":required_rubygems_version=\n"
    "  s.metadata = { \"bug_tracker_uri\" => \"https://github.com/rack/rack/issues\" } if s.respond_to? :metadata=\n"
    "  s.require_paths = [\"lib\".freeze]\n"
    "  s.authors = [\"Leah Neukirchen\".freeze]\n"
    "  s.bindir = \"bin\".freeze\n"
    "  s.date = \"2023-03-13\"\n"
    "  s.executables = [\"rackup\".freeze]\n"
    "  s.homepage = \"https://github.com/rack/rack\".freeze\n"
    "  s.licenses = [\"MIT\".freeze]\n"
    "  s.required_ruby_version = Gem::Requirement.new(\">= 2.3.0\".freeze)\n"
    "  s.rubygems_version = \"3.3.15\".freeze\n"
    "  s.summary = \"A modular Ruby webserver interface\".freeze\n"
    "\n"
    "  if s.respond_to? :specification_version then\n"
    "    s.specification_version = 4\n"
    "  end\n"
    "\n"
    "  s.add_development_dependency(%q<minitest>.freeze, [\"~> 5.0\"])\n"
    "end\n";

static void test_gemspec(void) {
  parsed p;
  parse_str(&p, bw_gemspec_parse, SPEC, rack_spec);
  CHECK(p.rc == 0 && npkg(&p) == 1);
  if (npkg(&p) == 1) {
    CHECK(pkg(&p, 0)->type == BW_PKG_GEM);
    CHECK_STR(pkg(&p, 0)->name, "rack");
    CHECK_STR(pkg(&p, 0)->version, "2.2.6.4");
    CHECK_STR(pkg(&p, 0)->licenses, "MIT");
  }
  done(&p);

  /* a default gem (specifications/default/), two licences, another block variable */
  parse_str(&p, bw_gemspec_parse, "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
            "# -*- encoding: utf-8 -*-\n# stub: json 2.6.1 ruby lib\n# stub: ext/json/extconf.rb\n\n"
            "Gem::Specification.new do |spec|\n"
            "  spec.name = 'json'.freeze\n"
            "  spec.version = Gem::Version.new(\"2.6.1\")\n"
            "  spec.licenses = [\"Ruby\".freeze, 'BSD-2-Clause'.freeze]\n"
            "  spec.name = \"second-assignment-ignored\"\n"
            "end\n");
  CHECK(p.rc == 0 && npkg(&p) == 1);
  if (npkg(&p) == 1) {
    CHECK_STR(pkg(&p, 0)->name, "json");
    CHECK_STR(pkg(&p, 0)->version, "2.6.1");
    CHECK_STR(pkg(&p, 0)->licenses, "Ruby AND BSD-2-Clause");
  }
  done(&p);

  /* s.license (singular); "s.name_x" and comparisons are not assignments; CRLF */
  parse_str(&p, bw_gemspec_parse, SPEC,
            "Gem::Specification.new do |s|\r\n"
            "  s.name_suffix = \"no\"\r\n"
            "  s.name == \"no\"\r\n"
            "  s.name = \"bcrypt\"\r\n"
            "  s.version = \"3.1.18\"\r\n"
            "  s.license = \"MIT\"\r\n"
            "end\r\n");
  CHECK(p.rc == 0 && npkg(&p) == 1);
  if (npkg(&p) == 1) {
    CHECK_STR(pkg(&p, 0)->name, "bcrypt");
    CHECK_STR(pkg(&p, 0)->version, "3.1.18");
    CHECK_STR(pkg(&p, 0)->licenses, "MIT");
  }
  done(&p);

  /* RubyGems' stub lines separate extension paths with NUL bytes (Ruby 3.1's default json gem) */
  static const char stub[] = "# -*- encoding: utf-8 -*-\n# stub: json 2.6.1 ruby lib\n"
                             "# stub: ext/json/ext/generator/extconf.rb\0ext/json/ext/parser/extconf.rb\0"
                             "ext/json/extconf.rb\n\nGem::Specification.new do |s|\n  s.name = \"json\".freeze\n"
                             "  s.version = \"2.6.1\"\n  s.licenses = [\"Ruby\".freeze]\nend\n";
  parse_len(&p, bw_gemspec_parse, SPEC, stub, sizeof stub - 1);
  CHECK(p.rc == 0 && npkg(&p) == 1);
  if (npkg(&p) == 1) {
    CHECK_STR(pkg(&p, 0)->name, "json");
    CHECK_STR(pkg(&p, 0)->version, "2.6.1");
    CHECK_STR(pkg(&p, 0)->licenses, "Ruby");
  }
  done(&p);

  /* no licence at all */
  parse_str(&p, bw_gemspec_parse, SPEC, "Gem::Specification.new do |s|\n s.name = \"a\"\n s.version = \"1\"\nend\n");
  CHECK(p.rc == 0 && npkg(&p) == 1 && pkg(&p, 0)->licenses == NULL);
  done(&p);
}

static void test_gemspec_hostile(void) {
  /* a development gemspec: the version is a constant, not a literal */
  const char *dev = "Gem::Specification.new do |spec|\n  spec.name = \"foo\"\n  spec.version = Foo::VERSION\nend\n";
  CHECK_REJECTS(bw_gemspec_parse, SPEC, dev, strlen(dev), BW_ECORRUPT);
  const char *interp = "Gem::Specification.new do |s|\n s.name = \"a#{x}\"\n s.version = \"1\"\nend\n";
  CHECK_REJECTS(bw_gemspec_parse, SPEC, interp, strlen(interp), BW_ECORRUPT);
  const char *noblock = "s.name = \"a\"\ns.version = \"1\"\n";
  CHECK_REJECTS(bw_gemspec_parse, SPEC, noblock, strlen(noblock), BW_ECORRUPT);
  const char *unterminated = "Gem::Specification.new do |s|\n s.name = \"a\n s.version = \"1\"\n";
  CHECK_REJECTS(bw_gemspec_parse, SPEC, unterminated, strlen(unterminated), BW_ECORRUPT);
  const char *badvar = "Gem::Specification.new do |s; x|\n s.name = \"a\"\n s.version = \"1\"\n";
  CHECK_REJECTS(bw_gemspec_parse, SPEC, badvar, strlen(badvar), BW_ECORRUPT);
  const char *ctl = "Gem::Specification.new do |s|\n s.name = \"a\x01\"\n s.version = \"1\"\n";
  CHECK_REJECTS(bw_gemspec_parse, SPEC, ctl, strlen(ctl), BW_ECORRUPT);
  CHECK_REJECTS(bw_gemspec_parse, SPEC, "Gem::Specification.new do |s|\n s.name = \"a\0\"\n", 46, BW_ECORRUPT);
  CHECK_REJECTS(bw_gemspec_parse, SPEC, "", 0, BW_ECORRUPT);
  /* an unterminated licence array is ignored, not fatal */
  parsed p;
  parse_str(&p, bw_gemspec_parse, SPEC,
            "Gem::Specification.new do |s|\n s.name = \"a\"\n s.version = \"1\"\n s.licenses = [\"MIT\", \n");
  CHECK(p.rc == 0 && npkg(&p) == 1 && pkg(&p, 0)->licenses == NULL);
  done(&p);
  size_t big = (size_t)BW_LIMIT_APP_META_BYTES + 1;
  char *b = malloc(big);
  if (b) {
    memset(b, ' ', big);
    CHECK_REJECTS(bw_gemspec_parse, SPEC, b, big, BW_ELIMIT);
    /* one huge line of quotes and brackets just under the cap */
    memset(b, '"', big - 1);
    memcpy(b, "Gem::Specification.new do |s|\n s.licenses = [", 46);
    parse_len(&p, bw_gemspec_parse, SPEC, b, big - 1);
    CHECK(p.rc == -BW_ECORRUPT);
    done(&p);
    free(b);
  }
}

static void test_gemfile_lock(void) {
  parsed p;
  parse_str(&p, bw_gemfile_lock_parse, "srv/app/Gemfile.lock",
            "GIT\n"
            "  remote: https://github.com/rails/rails.git\n"
            "  revision: 0123456789abcdef\n"
            "  specs:\n"
            "    actionpack (7.1.0.alpha)\n"
            "      rack (>= 2.2.4)\n"
            "\n"
            "PATH\n"
            "  remote: .\n"
            "  specs:\n"
            "    myapp (0.1.0)\n"
            "\n"
            "GEM\n"
            "  remote: https://rubygems.org/\n"
            "  specs:\n"
            "    nokogiri (1.13.0-x86_64-linux)\n"
            "      racc (~> 1.4)\n"
            "    nokogiri (1.13.0-arm64-darwin)\n"
            "      racc (~> 1.4)\n"
            "    racc (1.6.2)\r\n"
            "    rack (2.2.6.4)\n"
            "    weird line without version\n"
            "     five-space (1.0)\n"
            "\n"
            "PLATFORMS\n"
            "  arm64-darwin\n"
            "  x86_64-linux\n"
            "\n"
            "DEPENDENCIES\n"
            "  actionpack!\n"
            "  nokogiri (~> 1.13)\n"
            "    fake (9.9.9)\n"
            "\n"
            "CHECKSUMS\n"
            "  rack (2.2.6.4) sha256=abc\n"
            "\n"
            "BUNDLED WITH\n"
            "   2.4.10\n");
  CHECK(p.rc == 0);
  CHECK(npkg(&p) == 5);
  const bw_package *n = find(&p, "nokogiri");
  CHECK(n && strcmp(n->version, "1.13.0") == 0 && n->type == BW_PKG_GEM);
  CHECK(find(&p, "actionpack") && strcmp(find(&p, "actionpack")->version, "7.1.0.alpha") == 0);
  CHECK(find(&p, "myapp") != NULL);
  CHECK(find(&p, "racc") && strcmp(find(&p, "racc")->version, "1.6.2") == 0);
  CHECK(find(&p, "rack") != NULL);
  CHECK(!find(&p, "fake") && !find(&p, "five-space") && !find(&p, "weird"));
  done(&p);
  parse_str(&p, bw_gemfile_lock_parse, "Gemfile.lock", "");
  CHECK(p.rc == 0 && npkg(&p) == 0);
  done(&p);
  CHECK_REJECTS(bw_gemfile_lock_parse, "Gemfile.lock", "GEM\n  specs:\n    a (1\0)\n", 24, BW_ECORRUPT);
  CHECK_REJECTS(bw_gemfile_lock_parse, "Gemfile.lock", "GEM\n  specs:\n    a (1\x01)\n", 24, BW_ECORRUPT);
  size_t big = (size_t)BW_LIMIT_LOCKFILE_BYTES + 1;
  char *b = malloc(big);
  if (b) {
    memset(b, '\n', big);
    CHECK_REJECTS(bw_gemfile_lock_parse, "Gemfile.lock", b, big, BW_ELIMIT);
    free(b);
  }
}

static void test_wants(void) {
  const bw_analyzer *g = &bw_analyzer_gemspec;
  CHECK(g->wants("usr/share/rubygems-integration/all/specifications/rack-2.2.6.4.gemspec"));
  CHECK(g->wants("usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec"));
  CHECK(g->wants("var/lib/gems/3.1.0/specifications/rails-7.0.4.gemspec"));
  CHECK(g->wants("specifications/a-1.gemspec"));
  CHECK(!g->wants("srv/app/foo.gemspec")); /* a development gemspec: not an installed gem */
  CHECK(!g->wants("var/lib/gems/3.1.0/specifications/.gemspec"));
  CHECK(!g->wants("var/lib/gems/3.1.0/specifications/rails-7.0.4.gemspec.bak"));
  CHECK(bw_analyzer_gemfile_lock.wants("srv/app/Gemfile.lock"));
  CHECK(bw_analyzer_gemfile_lock.wants("gems.locked"));
  CHECK(!bw_analyzer_gemfile_lock.wants("srv/app/Gemfile"));
}

static void test_fixtures(void) {
  check_fixture(bw_gemfile_lock_parse, "trivy__pkg__dependency__parser__ruby__bundler__testdata__Gemfile_normal.lock",
                NULL, false);
  check_fixture(bw_gemfile_lock_parse,
                "trivy__pkg__dependency__parser__ruby__bundler__testdata__Gemfile_bundler2.lock", NULL, false);
}

int main(void) {
  test_gemspec();
  test_gemspec_hostile();
  test_gemfile_lock();
  test_wants();
  test_fixtures();
  return test_finish();
}
