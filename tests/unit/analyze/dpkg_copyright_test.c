/* Debian copyright files -> licences, written here from the two formats Debian uses. */
#include "analyze/analyzer.h"
#include "unit/test.h"

static const char *parse(const char *path, const char *text, bw_arena *a, bw_pkglist *l) {
  bw_analyze_out out = {.arena = a, .packages = l, .path = path};
  bw_error err = {0};
  size_t before = bw_pkglist_len(l);
  CHECK(bw_dpkg_copyright_parse((const uint8_t *)text, strlen(text), &out, &err) == 0);
  if (bw_pkglist_len(l) == before) return NULL;
  bw_package *p = bw_pkglist_at(l, bw_pkglist_len(l) - 1);
  return p->licenses;
}

int main(void) {
  bw_arena *a = bw_arena_new();
  bw_pkglist l;
  bw_pkglist_init(&l);
  const char *dep5 =
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
      "Upstream-Name: zlib\n\n"
      "Files: *\nCopyright: 1995-2022 Jean-loup Gailly and Mark Adler\nLicense: Zlib\n\n"
      "Files: debian/*\nCopyright: 2000 someone\nLicense: GPL-2+\n\n"
      "Files: contrib/*\nLicense: Zlib\n\n"
      "License: GPL-2+\n This program is free software; see /usr/share/common-licenses/GPL-2.\n";
  CHECK_STR(parse("usr/share/doc/zlib1g/copyright", dep5, a, &l), "Zlib AND GPL-2+");
  CHECK_STR(bw_pkglist_at(&l, 0)->name, "zlib1g");

  const char *freeform = "This is Debian GNU/Linux's prepackaged version of the FSF's GNU Bash.\n"
                         "On Debian systems, the complete text of the GNU General Public License version 3\n"
                         "can be found in `/usr/share/common-licenses/GPL-3'.\n";
  CHECK_STR(parse("usr/share/doc/bash/copyright", freeform, a, &l), "GPL-3");

  CHECK(parse("usr/share/doc/empty/copyright", "no licence named here\n", a, &l) == NULL);

  /* the analyser only wants usr/share/doc/<name>/copyright */
  CHECK(bw_analyzer_dpkg_copyright.wants("usr/share/doc/bash/copyright"));
  CHECK(!bw_analyzer_dpkg_copyright.wants("usr/share/doc/copyright"));
  CHECK(!bw_analyzer_dpkg_copyright.wants("usr/share/doc/bash/x/copyright"));
  CHECK(!bw_analyzer_dpkg_copyright.wants("usr/share/doc//copyright"));
  bw_pkglist_dispose(&l);
  bw_arena_free(a);
  return test_finish();
}
