/* Test helper: runs one analyser over one file and prints one TSV row per package, so e2e scripts
 * can compare Bulwark's view of a package database with the distribution's own tool.
 *   pkgdb_dump ANALYSER FILE
 * ANALYSER is a whole-file analyser below or a content analyser of bw_stream_analyzers[] (the
 * file is then streamed in 64 KiB chunks, as the layer walk does).
 * Columns: name epoch version release arch source_name source_version license maintainer
 * full_version (epoch empty when absent, other missing values empty). Exit 0 ok, 1 parse error,
 * 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/dotnet.h"
#include "analyze/npm.h"
#include "analyze/php.h"
#include "analyze/python.h"
#include "analyze/ruby.h"
#include "analyze/rust.h"
#include "analyze/stream_util.h"

/* The analysers this tool knows; add yours. */
static const bw_analyzer *const known[] = {
    &bw_analyzer_rpm,           &bw_analyzer_rpm_manifest,     &bw_analyzer_python_metadata,
    &bw_analyzer_poetry,        &bw_analyzer_pipenv,           &bw_analyzer_pip_requirements,
    &bw_analyzer_gemspec,       &bw_analyzer_gemfile_lock,     &bw_analyzer_composer_lock,
    &bw_analyzer_composer_installed, &bw_analyzer_dotnet_deps, &bw_analyzer_nuget_lock,
    &bw_analyzer_npm_package,   &bw_analyzer_npm_lock,         &bw_analyzer_yarn_lock,
    &bw_analyzer_pnpm_lock,     &bw_analyzer_cargo_lock,
};

static const char *s(const char *v) { return v ? v : ""; }

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: pkgdb_dump ANALYSER FILE\n");
    return 2;
  }
  const bw_analyzer *an = NULL;
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp(known[i]->name, argv[1]) == 0) an = known[i];
  const bw_stream_analyzer *san = NULL;
  for (size_t i = 0; !an && bw_stream_analyzers[i]; i++)
    if (strcmp(bw_stream_analyzers[i]->name, argv[1]) == 0) san = bw_stream_analyzers[i];
  if (!an && !san) {
    fprintf(stderr, "pkgdb_dump: unknown analyser %s\n", argv[1]);
    return 2;
  }
  FILE *f = fopen(argv[2], "rb");
  if (!f) {
    perror(argv[2]);
    return 1;
  }
  size_t cap = 1 << 16, len = 0, n;
  unsigned char *buf = malloc(cap);
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      unsigned char *b = san || cap < an->max_bytes ? realloc(buf, cap * 2) : NULL;
      if (!b) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = b;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf) {
    fprintf(stderr, "pkgdb_dump: %s: out of memory or larger than %zu bytes\n", argv[2], an ? an->max_bytes : 0);
    return 1;
  }
  bw_arena *arena = bw_arena_new();
  bw_pkglist pkgs;
  bw_pkglist_init(&pkgs);
  bw_analyze_out out = {.arena = arena, .packages = &pkgs, .path = argv[2]};
  bw_error err = {0};
  int rc = !arena ? -BW_ENOMEM : an ? an->parse(buf, len, &out, &err) : bw_stream_run(san, argv[2], buf, len, 1 << 16, &out, &err);
  if (rc > 0) rc = 0;
  if (rc) {
    fprintf(stderr, "pkgdb_dump: %s: %s: %s\n", argv[2], bw_error_code_name(rc), err.msg);
  } else {
    for (size_t i = 0; i < bw_pkglist_len(&pkgs); i++) {
      const bw_package *p = bw_pkglist_at(&pkgs, i);
      char ep[16] = "";
      if (p->epoch >= 0) snprintf(ep, sizeof ep, "%d", p->epoch);
      printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s(p->name), ep, s(p->rpm_version), s(p->rpm_release),
             s(p->arch), s(p->source_name), s(p->source_version), s(p->licenses), s(p->maintainer),
             s(p->version));
    }
  }
  bw_pkglist_dispose(&pkgs);
  bw_arena_free(arena);
  free(buf);
  return rc ? 1 : 0;
}
