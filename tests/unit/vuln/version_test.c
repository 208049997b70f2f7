/* Version comparators: hand-picked vectors per scheme (including published test vectors of
 * apk-tools' test/version.data, golang.org/x/mod/semver's tests and NuGet.Client's version
 * comparer tests), ordered chains, invalid inputs, and the ecosystem-name lookup. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "unit/test.h"
#include "vuln/version.h"

typedef struct {
  const char *a, *b;
  int want;
} vec;

/* Checks cmp(a,b) == want and cmp(b,a) == -want. */
static void check_vecs(bw_vscheme s, const char *name, const vec *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int c1 = 99, c2 = 99;
    bw_error e1 = {0}, e2 = {0};
    int r1 = bw_version_compare(s, v[i].a, v[i].b, &c1, &e1);
    int r2 = bw_version_compare(s, v[i].b, v[i].a, &c2, &e2);
    bool ok = r1 == 0 && r2 == 0 && c1 == v[i].want && c2 == -v[i].want;
    CHECK(ok);
    if (!ok)
      fprintf(stderr, "  %s: \"%s\" vs \"%s\": want %d, got %d/%d (%s%s)\n", name, v[i].a, v[i].b, v[i].want,
              r1 ? 99 : c1, r2 ? 99 : c2, e1.msg, e2.msg);
  }
}

/* Every element of an ascending chain is below every later one. */
static void check_chain(bw_vscheme s, const char *name, const char *const *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      int c = 99;
      bw_error e = {0};
      int r = bw_version_compare(s, v[i], v[j], &c, &e);
      int want = i < j ? -1 : i > j;
      CHECK(r == 0 && c == want);
      if (r != 0 || c != want)
        fprintf(stderr, "  %s chain: \"%s\" vs \"%s\": want %d, got %d (%s)\n", name, v[i], v[j], want, r ? 99 : c, e.msg);
    }
}

static void check_invalid(bw_vscheme s, const char *name, const char *const *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int c = 99;
    bw_error e = {0};
    int r = bw_version_compare(s, v[i], v[i], &c, &e);
    CHECK(r == -BW_EINVAL && e.msg[0]);
    CHECK(!bw_version_valid(s, v[i]));
    if (r != -BW_EINVAL) fprintf(stderr, "  %s: \"%s\" should be invalid\n", name, v[i]);
  }
}

#define N(x) (sizeof(x) / sizeof((x)[0]))

static void test_dpkg(void) {
  static const vec v[] = {
      {"1.0", "1.0", 0},         {"1.0", "1.0-0", 0},        {"1.0", "1.1", -1},
      {"1.0~rc1", "1.0", -1},    {"1.0~~", "1.0~", -1},      {"1.0~", "1.0", -1},
      {"1.0", "1.0+b1", -1},     {"1.0a", "1.0+", -1},       {"1.0a", "1.0", 1},
      {"1:0.1", "2.0", 1},       {"0:1.0", "1.0", 0},        {"1.0-1", "1.0-1+deb12u1", -1},
      {"2.36.1-8+deb12u1", "2.36.1-8", 1},                   {"1.2.3-1~bpo12+1", "1.2.3-1", -1},
      {"1.01", "1.1", 0},        {"1.0.0", "1.0", 1},        {"7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1},
      {"1:2.3.4-1", "2.3.4-2", 1}, {"1.0-a", "1.0-1", 1},    {"1.0-1.1", "1.0-1", 1},
      {"3.0.11-1~deb12u2", "3.0.11-1", -1},                  {"10:1", "9:2", 1},
      {" 1.0 ", "1.0", 0},       {"1:1.0:1-2", "1:1.0:1-2", 0}, {"1.0-1-2", "1.0-1", 1},
      {"1.0Z", "1.0a", -1},      {"1.0.", "1.0", 1},
  };
  check_vecs(BW_VSCHEME_DPKG, "dpkg", v, N(v));
  static const char *const chain[] = {"0.9", "1.0~~", "1.0~~a", "1.0~", "1.0", "1.0-0.1", "1.0-1", "1.0a", "1.0+", "1.0.1", "1:0.1"};
  check_chain(BW_VSCHEME_DPKG, "dpkg", chain, N(chain));
  static const char *const bad[] = {"", "a1.0", "1.0-", ":1.0", "1:", "a:1.0", "1 0", "1.0_1", "1.0-1_2", "99999999999:1", "1.0-a:b"};
  check_invalid(BW_VSCHEME_DPKG, "dpkg", bad, N(bad));
}

static void test_rpm(void) {
  static const vec v[] = {
      /* rpm's tests/rpmvercmp.at */
      {"1.0", "1.0", 0},          {"1.0", "2.0", -1},        {"2.0.1", "2.0.1", 0},   {"2.0", "2.0.1", -1},
      {"2.0.1a", "2.0.1a", 0},    {"2.0.1a", "2.0.1", 1},    {"5.5p1", "5.5p1", 0},   {"5.5p1", "5.5p2", -1},
      {"5.5p10", "5.5p10", 0},    {"5.5p1", "5.5p10", -1},   {"10xyz", "10.1xyz", -1}, {"xyz10", "xyz10", 0},
      {"xyz10", "xyz10.1", -1},   {"xyz.4", "xyz.4", 0},     {"xyz.4", "8", -1},       {"xyz.4", "2", -1},
      {"5.5p2", "5.6p1", -1},     {"5.6p1", "6.5p1", -1},    {"6.0.rc1", "6.0", 1},    {"10b2", "10a1", 1},
      {"1.0aa", "1.0a", 1},       {"10.0001", "10.1", 0},    {"10.0001", "10.0039", -1}, {"4.999.9", "5.0", -1},
      {"20101121", "20101122", -1}, {"2_0", "2_0", 0},       {"2.0", "2_0", 0},        {"a", "a", 0},
      {"a+", "a_", 0},            {"+a", "_a", 0},           {"+_", "_+", 0},          {"1.0~rc1", "1.0~rc1", 0},
      {"1.0~rc1", "1.0", -1},     {"1.0~rc1", "1.0~rc2", -1}, {"1.0~rc1~git123", "1.0~rc1", -1},
      {"1.0^", "1.0^", 0},        {"1.0^", "1.0", 1},        {"1.0^git1", "1.0", 1},   {"1.0^git1", "1.0^git2", -1},
      {"1.0^git1", "1.01", -1},   {"1.0^20160101", "1.0.1", -1}, {"1.0^20160101^git1", "1.0^20160101", 1},
      {"1.0~rc1^git1", "1.0~rc1", 1}, {"1.0^git1~pre", "1.0^git1", -1},
      /* epoch and release */
      {"1:1.0-1", "2.0-1", 1},    {"0:1.0-1", "1.0-1", 0},   {"1.0-1.el8", "1.0-1.el8_9", -1},
      {"1.0", "1.0-1", -1},       {"2.4.37-62.module_el8.10.0+3875+b8e6c4c6", "2.4.37-62.module_el8.10.0+3875+b8e6c4c6.1", -1},
  };
  check_vecs(BW_VSCHEME_RPM, "rpm", v, N(v));
  static const char *const bad[] = {"", "1:", "1.0 1", "1.0\t", "-1", "1:-1"};
  check_invalid(BW_VSCHEME_RPM, "rpm", bad, N(bad));
}

/* Lines "A OP B" (OP one of < = >), as in apk-tools' test/version.data. */
static void check_lines(bw_vscheme s, const char *name, const char *const *lines, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char a[128], b[128];
    const char *sp1 = strchr(lines[i], ' ');
    const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    CHECK(sp1 && sp2 && (size_t)(sp1 - lines[i]) < sizeof a && strlen(sp2 + 1) < sizeof b);
    if (!sp1 || !sp2) continue;
    memcpy(a, lines[i], (size_t)(sp1 - lines[i]));
    a[sp1 - lines[i]] = '\0';
    snprintf(b, sizeof b, "%s", sp2 + 1);
    vec v = {a, b, sp1[1] == '<' ? -1 : sp1[1] == '>' ? 1 : 0};
    check_vecs(s, name, &v, 1);
  }
}

static void test_apk(void) {
  /* from apk-tools test/version.data (its valid lines) */
  static const char *const lines[] = {
      "2.34 > 0.1.0_alpha", "0.1.0_alpha = 0.1.0_alpha", "0.1.0_alpha < 0.1.3_alpha", "0.1.0_alpha2 > 0.1.0_alpha",
      "0.1.0_alpha < 2.2.39-r1", "2.2.39-r1 > 1.0.4-r3", "1.0.4-r3 < 1.0.4-r4", "1.0.4-r4 < 1.6", "1.0.2 > 0.7-r1",
      "1.1 > 1.1_alpha1", "1.1_alpha1 < 1.2.1", "1.2.1 > 1.2", "1.2 < 1.3_alpha", "1.3_alpha < 1.3_alpha2",
      "1.3_alpha8 > 0.6.0", "0.7.0 < 0.8_beta1", "0.8_beta1 < 0.8_beta2", "0.8_beta4 < 4.8-r1", "3.10.18-r1 > 2.3.0b-r1",
      "2.3.0b-r1 < 2.3.0b-r2", "2.3.0b-r4 > 0.12.1", "0.12.3 > 0.12", "0.12 < 0.13_beta1", "0.13_beta5 > 0.9.12",
      "0.9.13 > 0.0.16", "1.2.11 < 1.2.12.1", "1.2.12.1 < 1.2.13", "0.2.0-r1 = 0.2.0-r1", "0.2.0-r1 < 3.1_p16",
      "3.1_p16 < 3.1_p17", "3.1_p17 > 1.06-r6", "1.06-r6 < 006", "006 > 1.0.0", "1.2.2-r1 > 1.2.2", "9.3.4-r2 > 9.3.4",
      "2.59 < 20050718-r1", "20050718-r2 > 3.9.8-r5", "3.9.8-r5 > 2.01.01_alpha10", "2.01.01_alpha10 > 0.94",
      "1.0 > 0.99.3.20040818", "1.39 > 1.00_beta2", "1.00_beta2 > 0.9.2", "7.15.1-r1 > 1.02", "1.02 < 1.03-r1",
      "0.5.2.7 < 4.2.52_p2-r1", "4.2.52_p2-r1 < 4.2.52_p4-r2", "4.2.52_p4-r2 > 1.02.07", "1.02.07 < 1.02.10-r1",
      "2.18.3-r10 > 1.05-r18", "1.05-r18 < 1.05-r19", "20060720 > 3.0.20060720", "2.5.1-r8 < 2.5.1a-r1",
      "1.3.5-r10 > 1.3.5-r8", "20040401 > 2.0.0_rc3-r1", "2.0.0_rc3-r1 > 1.5", "3.0.0-r2 < 021109-r3",
      "0.9.16-r1 < 3.9_pre20060124", "3.9_pre20060124 > 0.01", "0.01 < 0.06", "1.1.7 < 6b-r7", "6b-r7 > 1.12-r7",
      "0.10.0-r1 > 0.10.0", "0.10.0 < 0.10.1_rc1", "0.10.1_rc1 > 0.9.11", "2.0.2 > 1.1a", "1.1a < 1.3a",
      "1.0-r1 > 0.15.1b", "0.15.1b-r2 > 0.15.1b", "22.7-r1 < 22.7.3-r1", "22.7.3-r1 > 22.7", "22.7 > 2.1_pre20",
      "2.1_pre20 < 2.1_pre26", "2.10.1 > 02.08.01b", "02.08.01b < 4.77", "4.20 > 0.20070118",
      "0.20070118 < 0.20070207_rc1", "0.20070207_rc1 < 1.0", "4.5_p1-r1 > 4.5_p1", "4.5_p1 > 0.9.8c-r1",
      "0.9.8c-r1 < 0.9.8d", "1.7 < 1.7b", "1.8.5 < 1.8.5_p2", "1.6.8_p12-r1 > 1.6.8_p9-r2", "0.9.28.1 > 0.9.28",
      "0.9.28.1 < 087-r1", "2.12r-r4 < 2.12r-r5", "7.0.17 < 7.0.174", "1.1.1-r3 > 0.3.4_pre20061029",
      "1.3-r0 < 1.3.1-r0", "1.3_pre1-r1 < 1.3.2", "1.0_p10-r0 > 1.0_p9-r0", "0.1.0_alpha_pre2 < 0.1.0_alpha",
      "1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0", "1.6d > 1.2.07.8", "1.2.07.8 < 1.2.12.04",
      "0.59s-r11 < 0.65", "3.81 > 1.6d", "1.2.10-r5 < 4.1.4-r3", "1.4.4-r1 < 2.1.9.200602141850",
  };
  check_lines(BW_VSCHEME_APK, "apk", lines, N(lines));
  /* leading zeros after '.' compare as strings; suffix ranks; commit hashes; unbounded numbers */
  static const vec v[] = {
      {"1.01", "1.1", -1}, {"1.0", "1.00", -1}, {"1.001", "1.01", -1}, {"1.2_rc1-r1", "1.2", -1},
      {"1.2-r0", "1.2", 1}, {"1.0_p1", "1.0_git1", 1}, {"1.0_cvs1", "1.0_svn1", -1}, {"1.0z", "1.0.1", -1},
      {"6.4_p20231125-r0", "6.4_p20230506-r0", 1}, {"1.0_pre1", "1.0_rc1", -1}, {"1.0_beta1", "1.0_pre1", -1},
      {"1.0_rc1", "1.0", -1}, {"1.0_alpha", "1.0_alpha1", -1}, {"99999999999", "9999999999", 1},
      {"1.99999999999999999999999", "1.99999999999999999999998", 1}, {"1.0~abc123-r0", "1.0-r0", 1}, {"1.0~abc", "1.0", 1},
      {"1.0~abc123", "1.0~abd", -1}, {"1.0~abc123-r1", "1.0~abc123-r0", 1}, {"3.0.13-r0", "3.0.8-r3", 1},
  };
  check_vecs(BW_VSCHEME_APK, "apk", v, N(v));
  /* "1.0bc" and "23_foo" are lines of test/version.data that apk itself flags as invalid */
  static const char *const bad[] = {"", "1.0bc", "23_foo", "1.0_foo", "1.0-", "1.0-r", "1.0-rc1", "1.0_alpha.1", "1.0A",
                                    "1..0", "1.0-r1.2", "1a2", "1.0~", "1.0~xyz", "1.0-r1~abc", "1.0_pree1", "v1.0", "1.0.", ".1"};
  check_invalid(BW_VSCHEME_APK, "apk", bad, N(bad));
}

static void test_semver(void) {
  /* semver.org §11 */
  static const char *const chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                                      "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"};
  check_chain(BW_VSCHEME_SEMVER, "semver", chain, N(chain));
  check_chain(BW_VSCHEME_CARGO, "cargo", chain, N(chain));
  static const vec v[] = {
      {"1.2.3", "v1.2.3", 0},   {" 1.2.3 ", "1.2.3", 0}, {"1.2.3+build.1", "1.2.3+build.2", 0},
      {"1.2.3-0", "1.2.3-a", -1}, {"1.2.3-a-1", "1.2.3-a", 1}, {"1.2.3-1a", "1.2.3-2", 1},
      {"1.2.3-Z", "1.2.3-a", -1}, {"4.17.15", "4.17.21", -1}, {"1.2.0", "1.10.0", -1},
      {"9007199254740991.0.0", "1.0.0", 1}, {"1.0.0-9999999999999999999999", "1.0.0-10000000000000000000000", -1},
  };
  check_vecs(BW_VSCHEME_SEMVER, "semver", v, N(v));
  static const char *const bad[] = {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "1.2.3-a..b",
                                    "9007199254740992.0.0", "=1.2.3", "V1.2.3", "1.2.3-a_b", "1.2.3 4"};
  check_invalid(BW_VSCHEME_SEMVER, "semver", bad, N(bad));
  static const vec cv[] = {{"9007199254740992.0.0", "9007199254740991.0.0", 1}, {"18446744073709551615.0.0", "1.0.0", 1},
                           {"1.0.0+build.01", "1.0.0", 0}};
  check_vecs(BW_VSCHEME_CARGO, "cargo", cv, N(cv));
  static const char *const badcargo[] = {"v1.2.3", " 1.2.3", "1.2", "18446744073709551616.0.0", "1.2.3-01"};
  check_invalid(BW_VSCHEME_CARGO, "cargo", badcargo, N(badcargo));
}

static void test_pep440(void) {
  /* PEP 440's "Summary of permitted suffixes and relative ordering" */
  static const char *const chain[] = {"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
                                      "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345",
                                      "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5",
                                      "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1"};
  check_chain(BW_VSCHEME_PEP440, "pep440", chain, N(chain));
  static const vec v[] = {
      {"1.0", "1.0.0", 0},        {"1.0alpha1", "1.0a1", 0}, {"1.0-beta.2", "1.0b2", 0},  {"1.0c1", "1.0rc1", 0},
      {"1.0pre1", "1.0rc1", 0},   {"1.0preview1", "1.0rc1", 0}, {"1.0-1", "1.0.post1", 0}, {"1.0rev1", "1.0.post1", 0},
      {"1.0r", "1.0.post0", 0},   {"1.0.post", "1.0-post0", 0}, {"1.0DEV", "1.0.dev0", 0}, {"v1.0", "1.0", 0},
      {"1!1.0", "2.0", 1},        {"0!1.0", "1.0", 0},       {" 1.0\n", "1.0", 0},      {"1.0a", "1.0a0", 0},
      {"1.0+ubuntu1", "1.0+Ubuntu1", 0}, {"1.0+1.a", "1.0+1-a", 0}, {"1.0+a", "1.0+1", -1}, {"1.0+01", "1.0+1", 0},
      {"2.0.0", "10.0", -1},      {"1.0rc1.post1", "1.0rc1", 1}, {"1.0.post1.dev1", "1.0", 1},
      {"1.0a1.dev1", "1.0.dev1", 1}, {"1.0-dev-1", "1.0.dev1", 0}, {"0.9", "1.0.dev0", -1},
  };
  check_vecs(BW_VSCHEME_PEP440, "pep440", v, N(v));
  static const char *const bad[] = {"", "1.0.", "1.0-", "a1", "1.0+", "1.0+a..b", "1.0 a", "1!", "1.0.x", "1.0-dev-1x",
                                    "1.0rc1rc2", "1.0+a+b", "vv1.0"};
  check_invalid(BW_VSCHEME_PEP440, "pep440", bad, N(bad));
}

static void test_go(void) {
  /* golang.org/x/mod/semver's ordered test list (valid entries, ascending) */
  static const char *const chain[] = {"v1.0.0-alpha", "v1.0.0-alpha.1", "v1.0.0-alpha.beta", "v1.0.0-beta", "v1.0.0-beta.2",
                                      "v1.0.0-beta.11", "v1.0.0-rc.1", "v1.0.0", "v1.2.0", "v1.2.3-456", "v1.2.3-456.789",
                                      "v1.2.3-456-789", "v1.2.3-456a", "v1.2.3-pre", "v1.2.3-pre.1", "v1.2.3-zzz", "v1.2.3"};
  check_chain(BW_VSCHEME_GO, "go", chain, N(chain));
  static const vec v[] = {
      {"v1", "v1.0.0", 0}, {"v1.0", "v1.0.0", 0}, {"v1.2", "v1.2.0", 0}, {"v1.2.3-pre+meta", "v1.2.3-pre", 0},
      {"v1.2.3+meta", "v1.2.3", 0}, {"v1.2.3+meta-pre", "v1.2.3", 0}, {"v1.2.3+meta-pre.sha.256a", "v1.2.3", 0},
      /* +incompatible is build metadata; pseudo-versions are pre-releases */
      {"v2.0.0+incompatible", "v2.0.0", 0}, {"v2.0.1+incompatible", "v2.0.0", 1},
      {"v0.0.0-20191109021931-daa7c04131f5", "v0.0.1", -1},
      {"v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-aaaaaaaaaaaa", -1},
      {"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", 1}, {"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", -1},
      {"v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3-pre", 1},
      /* OSV writes Go versions without the v */
      {"1.2.3", "v1.2.3", 0}, {"0.0.0-20210101000000-abcdefabcdef", "1.0.0", -1}, {"v100000000000000000000.0.0", "v2.0.0", 1},
  };
  check_vecs(BW_VSCHEME_GO, "go", v, N(v));
  static const char *const bad[] = {"", "bad", "v1-alpha.beta.gamma", "v1-pre", "v1+meta", "v1-pre+meta", "v1.2-pre", "v1.2+meta",
                                    "v1.2-pre+meta", "v01.2.3", "v1.2.3.4", "v1.2.3-01", "v1.2.3-", "v1.2.3+", "vv1.2.3", "go1.21"};
  check_invalid(BW_VSCHEME_GO, "go", bad, N(bad));
}

static void test_nuget(void) {
  /* NuGet.Versioning's comparer tests: SemVer 2 order, 4-part versions, case-insensitive labels */
  static const char *const chain[] = {"0.0.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                                      "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.0.1", "1.0.1", "1.1.0", "2.0.0"};
  check_chain(BW_VSCHEME_NUGET, "nuget", chain, N(chain));
  static const vec v[] = {
      {"1.0.0", "1.0.0.0", 0},     {"1.0", "1.0.0", 0},          {"1", "1.0.0.0", 0},          {"1.0.0-BETA", "1.0.0-beta", 0},
      {"1.0.0+A", "1.0.0+B", 0},   {"1.0.0-beta+A", "1.0.0-beta", 0}, {"1.01.1", "1.1.1", 0},    {"1.0.0-Beta.2", "1.0.0-beta.10", -1},
      {"1.0.0-a", "1.0.0-B", -1},  {"1.0.0-1", "1.0.0-a", -1},   {"2.0.0.0-rc", "2.0.0", -1},   {"1.0.0.10", "1.0.0.9", 1},
      {"1.0.0-alpha-1", "1.0.0-alpha", 1}, {"4.3.0", "13.0.1", -1},
  };
  check_vecs(BW_VSCHEME_NUGET, "nuget", v, N(v));
  static const char *const bad[] = {"", "a", "1.0.0.0.0", "1.0.0-", "1.0.0-a..b", "1.0.0+", "1.0.0-a_b", "2147483648.0.0", "1.0.", ".1"};
  check_invalid(BW_VSCHEME_NUGET, "nuget", bad, N(bad));
}

static void test_maven(void) {
  /* orderings in the style of Maven's ComparableVersionTest, as maven-artifact 3.8 orders them
   * (".X" after a number opens a list like "-X" since MNG-5568, so 2.0.a < 2-1) */
  static const char *const chain[] = {"1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2",
                                      "1-m11", "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123",
                                      "1-abc", "1-def", "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123"};
  check_chain(BW_VSCHEME_MAVEN, "maven", chain, N(chain));
  static const char *const chain2[] = {"2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b",
                                       "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11",
                                       "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m"};
  check_chain(BW_VSCHEME_MAVEN, "maven", chain2, N(chain2));
  static const vec v[] = {
      {"1", "1.0", 0},       {"1", "1.0.0", 0},         {"1.0", "1.0.0", 0},       {"1", "1-0", 0},
      {"1", "1.0-0", 0},     {"1.0", "1.0-0", 0},       {"1a", "1-a", 0},          {"1a", "1.0-a", 0},
      {"1x", "1-x", 0},      {"1-ga", "1", 0},          {"1-final", "1", 0},       {"1-release", "1", 0},
      {"1.0-RC1", "1.0-cr1", 0}, {"1a1", "1-alpha-1", 0}, {"1b2", "1-beta-2", 0},  {"1m3", "1-milestone-3", 0},
      {"1X", "1x", 0},       {"1A", "1a", 0},           {"1-SNAPSHOT", "1-snapshot", 0},
      {"2.14.1", "2.15.0", -1}, {"2.17.0", "2.17.0-rc1", 1}, {"5.3.17", "5.3.18", -1}, {"1.2.80", "1.2.83", -1},
      {"2.0.0.RELEASE", "2.0.0", 0}, {"1.0.0.Final", "1.0.0", 0}, {"1-ga-1", "1-1", -1},
      {"1.0.alpha", "1.0", -1}, {"2.0.a", "2.0.0.a", 0}, {"1.sp", "1.sp.1", 1}, {"9999999999", "10000000000", -1}, {"99999999999999999999", "1", 1},
  };
  check_vecs(BW_VSCHEME_MAVEN, "maven", v, N(v));
  static const char *const bad[] = {"1.0\x01", "1.0\xc3\xa9"};
  check_invalid(BW_VSCHEME_MAVEN, "maven", bad, N(bad));
}

static void test_rubygems(void) {
  static const vec v[] = {
      /* rubygems' test_gem_version.rb */
      {"1.0", "1.0.a", 1},     {"1.8.2", "0.0.0", 1},   {"1.8.2", "1.8.2.a", 1}, {"1.8.2.b", "1.8.2.a", 1},
      {"1.8.2.a", "1.8.2", -1}, {"1.8.2.a10", "1.8.2.a9", 1}, {"", "0", 0},      {"0.beta.1", "0.0.beta.1", 0},
      {"0.0.beta", "0.0.beta.1", -1}, {"0.0.beta", "0.beta.1", -1}, {"5.a", "5.0.0.rc2", -1}, {"5.x", "5.0.0.rc2", 1},
      {"1.0", "1", 0},         {"1.0.0", "1", 0},       {"1.2.b1", "1.2.b.1", 0}, {"1.0-1", "1.0.pre.1", 0},
      {" 1.0 ", "1.0", 0},     {"1.9.3", "1.10", -1},   {"2.0.0.rc1", "2.0.0", -1}, {"1.0.A", "1.0.a", -1},
      {"4.2.11.1", "4.2.11", 1}, {"1.13.10", "1.13.9", 1},
  };
  check_vecs(BW_VSCHEME_RUBYGEMS, "rubygems", v, N(v));
  static const char *const bad[] = {"junk", "1.0\n2.0", "1..2", "1.2 3.4", "1a", "1.0-", "-1", "1.0+1"};
  check_invalid(BW_VSCHEME_RUBYGEMS, "rubygems", bad, N(bad));
}

static void test_composer(void) {
  static const vec v[] = {
      {"1.0.0", "v1.0", 0},          {"1", "1.0.0.0", 0},            {"1.0.0-RC1", "1.0.0", -1},   {"1.0.0-rc1", "1.0.0-RC1", 0},
      {"1.0.0-beta2", "1.0.0-b2", 0}, {"1.0.0-alpha", "1.0.0-a", 0},  {"1.0.0-alpha", "1.0.0-dev", 1},
      {"1.0.0-patch1", "1.0.0", 1},  {"1.0.0-pl1", "1.0.0-p1", 0},   {"1.0.0-beta.2", "1.0.0-beta1", 1},
      {"1.0.0-RC1", "1.0.0-beta3", 1}, {"5.4.3", "5.4.10", -1},      {"1.0.0+build.5", "1.0.0", 0},
      {"1.0@beta", "1.0", 0},        {"2.x-dev", "2.5.0", 1},        {"2.0.x-dev", "2.1.0", -1},  {"20230101", "20221231", 1},
      {"2010-01-02", "2010-01-03", -1}, {"2010-01-02", "2010.01.02", -1}, {"1.0.0.1", "1.0.0", 1},      {"v2.17.1", "2.17.0", 1},    {"1.0.0-alpha2", "1.0.0-alpha10", -1},
      {"1.0.0-dev", "1.0.0-alpha", -1}, {"1.2.3-beta-dev", "1.2.3-beta", -1},
  };
  check_vecs(BW_VSCHEME_COMPOSER, "composer", v, N(v));
  static const char *const bad[] = {"", "dev-master", "master", "dev-feature/x", "foo", "1.0.0-foo", "1.0.0-1", "12.3.4.5.6"};
  check_invalid(BW_VSCHEME_COMPOSER, "composer", bad, N(bad));
}

static void test_ecosystems(void) {
  CHECK(bw_vscheme_for_ecosystem("Debian") == BW_VSCHEME_DPKG);
  CHECK(bw_vscheme_for_ecosystem("Debian:12") == BW_VSCHEME_DPKG);
  CHECK(bw_vscheme_for_ecosystem("Ubuntu:22.04:LTS") == BW_VSCHEME_DPKG);
  CHECK(bw_vscheme_for_ecosystem("Alpine:v3.19") == BW_VSCHEME_APK);
  CHECK(bw_vscheme_for_ecosystem("Wolfi") == BW_VSCHEME_APK);
  CHECK(bw_vscheme_for_ecosystem("Chainguard") == BW_VSCHEME_APK);
  CHECK(bw_vscheme_for_ecosystem("Red Hat:enterprise_linux:9::baseos") == BW_VSCHEME_RPM);
  CHECK(bw_vscheme_for_ecosystem("AlmaLinux:8") == BW_VSCHEME_RPM);
  CHECK(bw_vscheme_for_ecosystem("Rocky Linux:9") == BW_VSCHEME_RPM);
  CHECK(bw_vscheme_for_ecosystem("SUSE:Linux Enterprise Server 15 SP5") == BW_VSCHEME_RPM);
  CHECK(bw_vscheme_for_ecosystem("openSUSE:Tumbleweed") == BW_VSCHEME_RPM);
  CHECK(bw_vscheme_for_ecosystem("Mageia:9") == BW_VSCHEME_RPM);
  CHECK(bw_vscheme_for_ecosystem("openEuler:22.03-LTS") == BW_VSCHEME_RPM);
  CHECK(bw_vscheme_for_ecosystem("Photon OS:5.0") == BW_VSCHEME_RPM);
  CHECK(bw_vscheme_for_ecosystem("Azure Linux:3") == BW_VSCHEME_RPM);
  CHECK(bw_vscheme_for_ecosystem("Mariner:2.0") == BW_VSCHEME_RPM);
  CHECK(bw_vscheme_for_ecosystem("npm") == BW_VSCHEME_SEMVER);
  CHECK(bw_vscheme_for_ecosystem("PyPI") == BW_VSCHEME_PEP440);
  CHECK(bw_vscheme_for_ecosystem("Maven") == BW_VSCHEME_MAVEN);
  CHECK(bw_vscheme_for_ecosystem("Maven:https://repo.maven.apache.org/maven2/") == BW_VSCHEME_MAVEN);
  CHECK(bw_vscheme_for_ecosystem("RubyGems") == BW_VSCHEME_RUBYGEMS);
  CHECK(bw_vscheme_for_ecosystem("Go") == BW_VSCHEME_GO);
  CHECK(bw_vscheme_for_ecosystem("NuGet") == BW_VSCHEME_NUGET);
  CHECK(bw_vscheme_for_ecosystem("Packagist") == BW_VSCHEME_COMPOSER);
  CHECK(bw_vscheme_for_ecosystem("crates.io") == BW_VSCHEME_CARGO);
  CHECK(bw_vscheme_for_ecosystem("debian") == -1);
  CHECK(bw_vscheme_for_ecosystem("Deb") == -1);
  CHECK(bw_vscheme_for_ecosystem("") == -1);
  CHECK(bw_vscheme_for_ecosystem(NULL) == -1);
}

static void test_limits(void) {
  char big[BW_LIMIT_VERSION_BYTES + 2];
  memset(big, '1', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  int c = 99;
  bw_error e = {0};
  CHECK(bw_version_compare(BW_VSCHEME_DPKG, big, "1", &c, &e) == -BW_EINVAL);
  big[BW_LIMIT_VERSION_BYTES] = '\0'; /* exactly at the cap: accepted */
  bw_error e2 = {0};
  CHECK(bw_version_compare(BW_VSCHEME_DPKG, big, "1", &c, &e2) == 0 && c == 1);
  bw_error e3 = {0};
  CHECK(bw_version_compare(BW_VSCHEME_DPKG, NULL, "1", &c, &e3) == -BW_EINVAL);
  bw_error e4 = {0};
  CHECK(bw_version_compare((bw_vscheme)99, "1", "1", &c, &e4) == -BW_EINVAL);
  CHECK(bw_version_valid(BW_VSCHEME_DPKG, "1.0-1"));
}

int main(void) {
  test_dpkg();
  test_rpm();
  test_apk();
  test_semver();
  test_pep440();
  test_go();
  test_nuget();
  test_maven();
  test_rubygems();
  test_composer();
  test_ecosystems();
  test_limits();
  return test_finish();
}
