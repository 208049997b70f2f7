/* OS detection: os-release for every family, release-file fallbacks and precedence, and the
 * os-release value syntax. The file contents are the public ones of each distribution's images. */
#include "analyze/os_detect.h"
#include "base/limits.h"
#include "unit/test.h"

typedef struct file {
  const char *path, *text;
} file;

/* A fake merged image: a NULL-terminated list of files. */
static bool lookup(void *ctx, const char *path, const uint8_t **buf, size_t *len) {
  for (const file *f = ctx; f->path; f++)
    if (strcmp(f->path, path) == 0) {
      *buf = (const uint8_t *)f->text;
      *len = strlen(f->text);
      return true;
    }
  return false;
}

static bw_arena *arena;

static void expect_os(const char *what, const file *files, const char *family, const char *version,
                      const char *name, int distroless) {
  bw_os_info os;
  memset(&os, 0xff, sizeof os); /* detect must clear it */
  bw_error err = {0};
  int rc = bw_os_detect(&os, arena, lookup, (void *)files, &err);
  CHECK(rc == 0);
  CHECK(err.code == 0);
  if ((family && (!os.family || strcmp(os.family, family))) || (!family && os.family) ||
      (version && (!os.version || strcmp(os.version, version))))
    fprintf(stderr, "%s: got %s %s\n", what, os.family ? os.family : "(null)",
            os.version ? os.version : "(null)");
  if (family) CHECK_STR(os.family, family);
  else CHECK(os.family == NULL);
  if (version) CHECK_STR(os.version, version);
  else CHECK(os.version == NULL);
  if (name) CHECK_STR(os.name, name);
  CHECK(os.distroless == distroless);
}

#define OSR(text) {"etc/os-release", text}
#define END {NULL, NULL}

static void test_families_from_os_release(void) {
  expect_os("debian 12",
            (file[]){OSR("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
                         "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\n"
                         "ID=debian\nHOME_URL=\"https://www.debian.org/\"\n"),
                     {"etc/debian_version", "12.5\n"}, END},
            "debian", "12", "Debian GNU/Linux 12 (bookworm)", 0);
  expect_os("ubuntu 22.04",
            (file[]){OSR("PRETTY_NAME=\"Ubuntu 22.04.3 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n"
                         "VERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\nVERSION_CODENAME=jammy\nID=ubuntu\n"
                         "ID_LIKE=debian\nUBUNTU_CODENAME=jammy\n"),
                     {"etc/debian_version", "bookworm/sid\n"},
                     {"etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\n"}, END},
            "ubuntu", "22.04", "Ubuntu 22.04.3 LTS", 0);
  expect_os("alpine 3.18",
            (file[]){OSR("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.0\n"
                         "PRETTY_NAME=\"Alpine Linux v3.18\"\n"),
                     {"etc/alpine-release", "3.18.0\n"}, END},
            "alpine", "3.18.0", "Alpine Linux v3.18", 0);
  expect_os("rhel 9.3",
            (file[]){OSR("NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"9.3 (Plow)\"\nID=\"rhel\"\n"
                         "ID_LIKE=\"fedora\"\nVERSION_ID=\"9.3\"\nPLATFORM_ID=\"platform:el9\"\n"
                         "PRETTY_NAME=\"Red Hat Enterprise Linux 9.3 (Plow)\"\n"),
                     {"etc/redhat-release", "Red Hat Enterprise Linux release 9.3 (Plow)\n"}, END},
            "redhat", "9.3", "Red Hat Enterprise Linux 9.3 (Plow)", 0);
  expect_os("rocky 9.3",
            (file[]){OSR("NAME=\"Rocky Linux\"\nVERSION=\"9.3 (Blue Onyx)\"\nID=\"rocky\"\n"
                         "ID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n"
                         "PRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\n"),
                     END},
            "rocky", "9.3", "Rocky Linux 9.3 (Blue Onyx)", 0);
  expect_os("alma 9.3",
            (file[]){OSR("NAME=\"AlmaLinux\"\nVERSION=\"9.3 (Shamrock Pampas Cat)\"\nID=\"almalinux\"\n"
                         "ID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n"
                         "PRETTY_NAME=\"AlmaLinux 9.3 (Shamrock Pampas Cat)\"\n"),
                     END},
            "alma", "9.3", NULL, 0);
  expect_os("oracle 8.9",
            (file[]){OSR("NAME=\"Oracle Linux Server\"\nVERSION=\"8.9\"\nID=\"ol\"\nID_LIKE=\"fedora\"\n"
                         "VERSION_ID=\"8.9\"\nPRETTY_NAME=\"Oracle Linux Server 8.9\"\n"),
                     END},
            "oracle", "8.9", "Oracle Linux Server 8.9", 0);
  expect_os("fedora 39",
            (file[]){OSR("NAME=\"Fedora Linux\"\nVERSION=\"39 (Container Image)\"\nID=fedora\n"
                         "VERSION_ID=39\nVERSION_CODENAME=\"\"\n"
                         "PRETTY_NAME=\"Fedora Linux 39 (Container Image)\"\n"),
                     END},
            "fedora", "39", NULL, 0);
  expect_os("amazon 2023",
            (file[]){OSR("NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\n"
                         "VERSION_ID=\"2023\"\nPLATFORM_ID=\"platform:al2023\"\n"
                         "PRETTY_NAME=\"Amazon Linux 2023.3.20240108\"\n"),
                     {"etc/system-release", "Amazon Linux release 2023.3.20240108 (Amazon Linux)\n"}, END},
            "amazon", "2023", NULL, 0);
  expect_os("amazon 2",
            (file[]){OSR("NAME=\"Amazon Linux\"\nVERSION=\"2\"\nID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\n"
                         "VERSION_ID=\"2\"\nPRETTY_NAME=\"Amazon Linux 2\"\n"),
                     END},
            "amazon", "2", NULL, 0);
  expect_os("opensuse leap 15.5",
            (file[]){OSR("NAME=\"openSUSE Leap\"\nVERSION=\"15.5\"\nID=\"opensuse-leap\"\n"
                         "ID_LIKE=\"suse opensuse\"\nVERSION_ID=\"15.5\"\nPRETTY_NAME=\"openSUSE Leap 15.5\"\n"),
                     END},
            "opensuse-leap", "15.5", NULL, 0);
  expect_os("opensuse leap 42.3 (ID=opensuse)",
            (file[]){OSR("NAME=\"openSUSE Leap\"\nVERSION=\"42.3\"\nID=opensuse\nVERSION_ID=\"42.3\"\n"), END},
            "opensuse-leap", "42.3", NULL, 0);
  expect_os("opensuse tumbleweed",
            (file[]){OSR("NAME=\"openSUSE Tumbleweed\"\nID=\"opensuse-tumbleweed\"\n"
                         "ID_LIKE=\"opensuse suse\"\nVERSION_ID=\"20240110\"\n"
                         "PRETTY_NAME=\"openSUSE Tumbleweed\"\n"),
                     END},
            "opensuse-tumbleweed", "20240110", NULL, 0);
  expect_os("sles 15 sp5",
            (file[]){OSR("NAME=\"SLES\"\nVERSION=\"15-SP5\"\nVERSION_ID=\"15.5\"\n"
                         "PRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP5\"\nID=\"sles\"\n"),
                     END},
            "sles", "15.5", NULL, 0);
  expect_os("photon 5.0",
            (file[]){OSR("NAME=\"VMware Photon OS\"\nVERSION=\"5.0\"\nID=photon\nVERSION_ID=5.0\n"
                         "PRETTY_NAME=\"VMware Photon OS/Linux\"\n"),
                     {"etc/photon-release", "VMware Photon OS 5.0\nPHOTON_BUILD_NUMBER=dde71ec57\n"}, END},
            "photon", "5.0", NULL, 0);
  expect_os("wolfi",
            (file[]){OSR("ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=\"20230201\"\n"
                         "HOME_URL=\"https://wolfi.dev\"\n"),
                     END},
            "wolfi", "20230201", "Wolfi", 0);
  expect_os("alibaba cloud linux 3",
            (file[]){OSR("NAME=\"Alibaba Cloud Linux\"\nVERSION=\"3 (Soaring Falcon)\"\nID=\"alinux\"\n"
                         "ID_LIKE=\"rhel fedora centos anolis\"\nVERSION_ID=\"3\"\n"
                         "PRETTY_NAME=\"Alibaba Cloud Linux 3 (Soaring Falcon)\"\n"),
                     {"etc/redhat-release", "Alibaba Cloud Linux release 3 (Soaring Falcon)\n"}, END},
            "alinux", "3", NULL, 0);
  expect_os("anolis 8.8",
            (file[]){OSR("NAME=\"Anolis OS\"\nVERSION=\"8.8\"\nID=\"anolis\"\nID_LIKE=\"rhel fedora centos\"\n"
                         "VERSION_ID=\"8.8\"\nPRETTY_NAME=\"Anolis OS 8.8\"\n"),
                     END},
            "anolis", "8.8", NULL, 0);
  expect_os("cbl-mariner 2.0",
            (file[]){OSR("NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20240112\"\nID=mariner\n"
                         "VERSION_ID=\"2.0\"\nPRETTY_NAME=\"CBL-Mariner/Linux\"\n"),
                     END},
            "cbl-mariner", "2.0", "CBL-Mariner/Linux", 0);
  expect_os("azure linux 3.0",
            (file[]){OSR("NAME=\"Microsoft Azure Linux\"\nVERSION=\"3.0.20240727\"\nID=azurelinux\n"
                         "VERSION_ID=\"3.0\"\nPRETTY_NAME=\"Microsoft Azure Linux 3.0\"\n"),
                     END},
            "azurelinux", "3.0", NULL, 0);
  expect_os("distroless (gcr.io/distroless, Debian 12)",
            (file[]){OSR("PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\n"
                         "VERSION_ID=\"12\"\nVERSION=\"Debian GNU/Linux 12 (bookworm)\"\n"
                         "HOME_URL=\"https://github.com/GoogleContainerTools/distroless\"\n"),
                     {"etc/debian_version", "12.5\n"}, END},
            "debian", "12", "Distroless", 1);
}

static void test_release_file_precision(void) {
  /* CentOS 7: os-release says "7", centos-release the full point release */
  expect_os("centos 7 with centos-release",
            (file[]){OSR("NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\n"
                         "VERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n"),
                     {"etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n"},
                     {"etc/redhat-release", "CentOS Linux release 7.9.2009 (Core)\n"}, END},
            "centos", "7.9.2009", "CentOS Linux 7 (Core)", 0);
  /* Alpine: alpine-release wins over VERSION_ID */
  expect_os("alpine with a different alpine-release",
            (file[]){OSR("ID=alpine\nVERSION_ID=3.18.0\n"), {"etc/alpine-release", "3.18.5\n"}, END},
            "alpine", "3.18.5", NULL, 0);
  /* Debian testing: no VERSION_ID, debian_version fills it */
  expect_os("debian testing",
            (file[]){OSR("PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nNAME=\"Debian GNU/Linux\"\n"
                         "VERSION_CODENAME=trixie\nID=debian\n"),
                     {"etc/debian_version", "trixie/sid\n"}, END},
            "debian", "trixie/sid", NULL, 0);
  /* a release file of another family does not override os-release */
  expect_os("rocky with a centos-release left behind",
            (file[]){OSR("ID=\"rocky\"\nVERSION_ID=\"8.9\"\n"),
                     {"etc/centos-release", "CentOS Linux release 8.5.2111\n"}, END},
            "rocky", "8.9", NULL, 0);
}

static void test_release_files_only(void) {
  expect_os("centos 6", (file[]){{"etc/centos-release", "CentOS release 6.10 (Final)\n"},
                                  {"etc/redhat-release", "CentOS release 6.10 (Final)\n"}, END},
            "centos", "6.10", "CentOS release 6.10 (Final)", 0);
  expect_os("oracle 7 (redhat-release says RHEL)",
            (file[]){{"etc/oracle-release", "Oracle Linux Server release 7.9\n"},
                     {"etc/redhat-release", "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n"}, END},
            "oracle", "7.9", NULL, 0);
  expect_os("rhel 7", (file[]){{"etc/redhat-release", "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n"}, END},
            "redhat", "7.9", NULL, 0);
  expect_os("rocky 8", (file[]){{"etc/rocky-release", "Rocky Linux release 8.9 (Green Obsidian)\n"}, END},
            "rocky", "8.9", NULL, 0);
  expect_os("alma 8", (file[]){{"etc/almalinux-release", "AlmaLinux release 8.9 (Midnight Oncilla)\n"}, END},
            "alma", "8.9", NULL, 0);
  expect_os("fedora 39", (file[]){{"etc/fedora-release", "Fedora release 39 (Thirty Nine)\n"}, END}, "fedora",
            "39", NULL, 0);
  expect_os("centos stream 9", (file[]){{"etc/centos-release", "CentOS Stream release 9\n"}, END}, "centos", "9",
            NULL, 0);
  expect_os("amazon linux 1", (file[]){{"etc/system-release", "Amazon Linux AMI release 2018.03\n"}, END},
            "amazon", "2018.03", NULL, 0);
  expect_os("amazon linux 2", (file[]){{"etc/system-release", "Amazon Linux release 2 (Karoo)\n"}, END}, "amazon",
            "2", NULL, 0);
  expect_os("ubuntu 14.04 from lsb-release",
            (file[]){{"etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty\n"
                                         "DISTRIB_DESCRIPTION=\"Ubuntu 14.04.6 LTS\"\n"},
                     {"etc/debian_version", "jessie/sid\n"}, END},
            "ubuntu", "14.04", "Ubuntu 14.04.6 LTS", 0);
  expect_os("debian 8 from debian_version", (file[]){{"etc/debian_version", "8.11\n"}, END}, "debian", "8", NULL,
            0);
  expect_os("debian lsb-release is not trusted",
            (file[]){{"etc/lsb-release", "DISTRIB_ID=Debian\nDISTRIB_RELEASE=11\n"},
                     {"etc/debian_version", "11.9\n"}, END},
            "debian", "11", NULL, 0);
  expect_os("sles 11 sp4",
            (file[]){{"etc/SuSE-release", "SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n"},
                     END},
            "sles", "11.4", "SUSE Linux Enterprise Server 11 (x86_64)", 0);
  expect_os("sles 12 sp0",
            (file[]){{"etc/SuSE-release",
                      "SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 0\n"
                      "# This file is deprecated and will be removed in a future service pack or release.\n"},
                     END},
            "sles", "12", NULL, 0);
  expect_os("opensuse 13.2",
            (file[]){{"etc/SuSE-release", "openSUSE 13.2 (x86_64)\nVERSION = 13.2\nCODENAME = Harlequin\n"}, END},
            "opensuse-leap", "13.2", NULL, 0);
  expect_os("photon 3.0", (file[]){{"etc/photon-release", "VMware Photon OS 3.0\nPHOTON_BUILD_NUMBER=a0f216d\n"}, END},
            "photon", "3.0", NULL, 0);
  expect_os("alpine 3.4", (file[]){{"etc/alpine-release", "3.4.6\n"}, END}, "alpine", "3.4.6", NULL, 0);
}

static void test_lookup_order_and_unknowns(void) {
  expect_os("usr/lib/os-release only",
            (file[]){{"usr/lib/os-release", "ID=fedora\nVERSION_ID=40\n"}, END}, "fedora", "40", NULL, 0);
  expect_os("etc/os-release wins",
            (file[]){{"usr/lib/os-release", "ID=fedora\nVERSION_ID=40\n"}, OSR("ID=ubuntu\nVERSION_ID=24.04\n"), END},
            "ubuntu", "24.04", NULL, 0);
  expect_os("unknown ID reported as is", (file[]){OSR("ID=arch\nNAME=\"Arch Linux\"\nBUILD_ID=rolling\n"), END},
            "arch", NULL, "Arch Linux", 0);
  expect_os("hostile ID dropped", (file[]){OSR("ID=\"Ev!l id\"\nVERSION_ID=1\n"), END}, NULL, "1", NULL, 0);
  expect_os("unknown ID, known release file", (file[]){OSR("ID=linuxmint\n"), {"etc/debian_version", "12.1\n"}, END},
            "debian", "12", NULL, 0);
  expect_os("nothing", (file[]){END}, NULL, NULL, NULL, 0);
  expect_os("garbage release files",
            (file[]){{"etc/redhat-release", "\n\n"}, {"etc/alpine-release", "edge-ish\n"},
                     {"etc/system-release", "Something else\n"}, {"etc/lsb-release", "garbage"},
                     {"etc/SuSE-release", "not suse\n"}, {"etc/photon-release", "VMware Photon OS\n"}, END},
            NULL, NULL, NULL, 0);
}

static void parse_osr(bw_os_info *os, const char *text, size_t len, int want_rc) {
  bw_error err = {0};
  int rc = bw_os_release_parse(os, arena, (const uint8_t *)text, len, &err);
  if (rc != want_rc) fprintf(stderr, "os-release parse: rc %d (%s)\n", rc, err.msg);
  CHECK(rc == want_rc);
}

static void test_os_release_syntax(void) {
  bw_os_info os;
  const char *t = "# comment line\n"
                  "  ; another comment\n"
                  "\n"
                  "ID=\"ubu\\\"ntu\"\n"
                  "PRETTY_NAME='single $x \\n'\n"
                  "NAME=\"a\\\\b\\$c\\`d\\qe\"\n"
                  "VERSION_CODENAME=unquoted\\ value   \n"
                  "BAD-KEY=1\n"
                  "=novalue\n"
                  "no equals sign here\n"
                  "VERSION_ID = \"2\"'2.'04\n";
  parse_osr(&os, t, strlen(t), 0);
  CHECK(os.family == NULL);                                  /* ubu"ntu is not an ID we accept */
  CHECK_STR(os.name, "single $x \\n");                       /* PRETTY_NAME preferred over NAME */
  CHECK_STR(os.codename, "unquoted value");
  CHECK_STR(os.version, "22.04"); /* "2" '2.' 04 concatenated */

  t = "NAME=\"a\\\\b\\$c\\`d\\qe\"\nID=debian\n";
  parse_osr(&os, t, strlen(t), 0);
  CHECK_STR(os.name, "a\\b$c`d\\qe");
  CHECK_STR(os.family, "debian");

  /* CRLF, trailing whitespace, multi-line quotes, continuation, last assignment wins */
  t = "ID=alpine\r\nVERSION_ID=3.18.0 \r\nPRETTY_NAME=\"two\nlines\"\r\nVERSION_CODENAME=con\\\ntinued\r\n"
      "ID=wolfi\r\n";
  parse_osr(&os, t, strlen(t), 0);
  CHECK_STR(os.family, "wolfi");
  CHECK_STR(os.version, "3.18.0");
  CHECK_STR(os.name, "two\nlines");
  CHECK_STR(os.codename, "continued");

  /* unterminated quote runs to the end; no trailing newline */
  t = "VERSION_ID=\"9.3";
  parse_osr(&os, t, strlen(t), 0);
  CHECK_STR(os.version, "9.3");

  /* a NUL inside a value drops that assignment only */
  static const char nul[] = "ID=debian\nVERSION_ID=\"1\0\"\nPRETTY_NAME=ok\n";
  parse_osr(&os, nul, sizeof nul - 1, 0);
  CHECK_STR(os.family, "debian");
  CHECK(os.version == NULL);
  CHECK_STR(os.name, "ok");

  /* empty values are "not recorded" */
  t = "ID=\"\"\nVERSION_ID=\nPRETTY_NAME=''\nNAME=Fallback\n";
  parse_osr(&os, t, strlen(t), 0);
  CHECK(os.family == NULL && os.version == NULL);
  CHECK_STR(os.name, "Fallback");

  parse_osr(&os, "", 0, 0);
  CHECK(os.family == NULL && os.name == NULL);

  /* oversized input */
  size_t big = BW_LIMIT_SMALL_FILE_BYTES + 1;
  char *buf = malloc(big);
  if (buf) {
    memset(buf, '#', big);
    parse_osr(&os, buf, big, -BW_ELIMIT);
    free(buf);
  }
}

static void test_wants(void) {
  static const char *const yes[] = {"etc/os-release",      "usr/lib/os-release",   "etc/alpine-release",
                                    "etc/debian_version",  "etc/redhat-release",   "etc/centos-release",
                                    "etc/rocky-release",   "etc/almalinux-release", "etc/oracle-release",
                                    "etc/fedora-release",  "etc/system-release",   "etc/SuSE-release",
                                    "etc/photon-release",  "etc/lsb-release"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) CHECK(bw_os_wants(yes[i]));
  CHECK(!bw_os_wants("etc/passwd"));
  CHECK(!bw_os_wants("os-release"));
  CHECK(!bw_os_wants("usr/etc/os-release"));
  CHECK(!bw_os_wants("etc/os-release.d"));
  CHECK(!bw_os_wants("lib/apk/db/installed"));
}

int main(void) {
  arena = bw_arena_new();
  test_families_from_os_release();
  test_release_file_precision();
  test_release_files_only();
  test_lookup_order_and_unknowns();
  test_os_release_syntax();
  test_wants();
  bw_arena_free(arena);
  return test_finish();
}
