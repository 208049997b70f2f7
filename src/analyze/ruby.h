/* Ruby gems (type BW_PKG_GEM): installed gems' specifications (any ".../specifications/.../NAME.gemspec",
 * default gems in specifications/default/ included, as Trivy matches them) and Bundler lockfiles
 * (Gemfile.lock, gems.locked). */
#ifndef BW_ANALYZE_RUBY_H
#define BW_ANALYZE_RUBY_H

#include "analyze/analyzer.h"

extern const bw_analyzer bw_analyzer_gemspec;      /* specifications/NAME.gemspec */
extern const bw_analyzer bw_analyzer_gemfile_lock; /* Gemfile.lock, gems.locked */

/* One installed gem's specification, as RubyGems writes it (Gem::Specification#to_ruby): Ruby
 * source, never run: a line scanner finds the block variable of "Gem::Specification.new do |s|",
 * then the literal values of s.name, s.version (a string or Gem::Version.new("...")), and
 * s.licenses / s.license (joined with " AND "). The first assignment of each wins; values that
 * are not literals (interpolation, constants) count as absent.
 * NUL bytes may occur (RubyGems' "# stub:" lines separate extension paths with them).
 * Errors: BW_ECORRUPT (no literal name or version), BW_ELIMIT, BW_ENOMEM. */
int bw_gemspec_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
/* A Bundler lockfile: the "name (version)" lines indented by exactly four spaces under
 * "  specs:" of the GEM, GIT, PATH and PLUGIN SOURCE sections. As Bundler's own lockfile parser,
 * a version ends at the first '-' (the rest is a platform: nokogiri (1.13.0-x86_64-linux) is
 * 1.13.0); one package per name and version. Errors: BW_ECORRUPT (NUL byte), BW_ELIMIT, BW_ENOMEM. */
int bw_gemfile_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

#endif
