/* Accounts, weak passwords and policy over real passwd/shadow/group text (Debian 12 minbase plus
 * planted accounts) with hashes made by libcrypt at test time. */
#include <crypt.h>
#include <stdio.h>

#include "../test.h"
#include "memfs.h"
#include "vuln/vulndb.h"

/* Debian 12 debootstrap --variant=minbase, as captured. */
static const char minbase_passwd[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
    "sys:x:3:3:sys:/dev:/usr/sbin/nologin\n"
    "sync:x:4:65534:sync:/bin:/bin/sync\n"
    "games:x:5:60:games:/usr/games:/usr/sbin/nologin\n"
    "man:x:6:12:man:/var/cache/man:/usr/sbin/nologin\n"
    "lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin\n"
    "mail:x:8:8:mail:/var/mail:/usr/sbin/nologin\n"
    "news:x:9:9:news:/var/spool/news:/usr/sbin/nologin\n"
    "uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin\n"
    "proxy:x:13:13:proxy:/bin:/usr/sbin/nologin\n"
    "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
    "backup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n"
    "list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin\n"
    "irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin\n"
    "_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char minbase_shadow[] =
    "root:*:20790:0:99999:7:::\n"
    "daemon:*:20790:0:99999:7:::\n"
    "bin:*:20790:0:99999:7:::\n"
    "sys:*:20790:0:99999:7:::\n"
    "sync:*:20790:0:99999:7:::\n"
    "games:*:20790:0:99999:7:::\n"
    "man:*:20790:0:99999:7:::\n"
    "lp:*:20790:0:99999:7:::\n"
    "mail:*:20790:0:99999:7:::\n"
    "news:*:20790:0:99999:7:::\n"
    "uucp:*:20790:0:99999:7:::\n"
    "proxy:*:20790:0:99999:7:::\n"
    "www-data:*:20790:0:99999:7:::\n"
    "backup:*:20790:0:99999:7:::\n"
    "list:*:20790:0:99999:7:::\n"
    "irc:*:20790:0:99999:7:::\n"
    "_apt:*:20790:0:99999:7:::\n"
    "nobody:*:20790:0:99999:7:::\n";
static const char login_defs[] = "MAIL_DIR        /var/mail\nPASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\n"
                                 "PASS_WARN_AGE\t7\nUID_MIN\t\t\t 1000\nUID_MAX\t\t\t60000\n";

static char *hash(const char *prefix, unsigned long count, const char *pw) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  static struct crypt_data cd;
  if (!crypt_gensalt_rn(prefix, count, NULL, 0, salt, sizeof salt)) return NULL;
  const char *h = crypt_r(pw, salt, &cd);
  return h && h[0] != '*' ? strdup(h) : NULL;
}

static void clean_minbase(void) {
  tsink t;
  tsink_init(&t);
  const char *files[] = {"etc/passwd", minbase_passwd, "etc/shadow", minbase_shadow, "etc/login.defs", login_defs,
                         NULL};
  memfs m = {files, "sha256:base"};
  bl_fs fs = {&m, memfs_read, memfs_list};
  CHECK(bl_accounts(&t.s, &fs, 2, 0) == 0);
  CHECK(t.findings.len == 0); /* locked root, nologin system accounts, no password: no policy finding */
  if (t.findings.len) dump(&t);
  CHECK(t.warnings.len == 0);
  tsink_dispose(&t);
}

static void planted(void) {
  char *alice = hash("$6$", 0, "123456");   /* sha512crypt, common list */
  char *bob = hash("$y$", 0, "bob@123");      /* yescrypt, name variant */
  char *carol = hash("$2b$", 5, "Zq8!x-very-long-unguessable"); /* bcrypt, not weak */
  char *dave = hash("$1$", 0, "letmein");     /* md5crypt: weak scheme and weak password */
  char *toor = hash("$5$", 0, "toor");        /* second uid 0, sha256crypt, reversed name of root? no: common */
  CHECK(alice && bob && carol && dave && toor);
  if (!alice || !bob || !carol || !dave || !toor) return;
  char passwd[4096], shadow[4096];
  snprintf(passwd, sizeof passwd,
           "%s"
           "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
           "bob:x:1001:1001::/home/bob:/bin/sh\n"
           "carol:x:1002:1002::/home/carol:/bin/bash\n"
           "dave:%s:1003:1003::/home/dave:/bin/bash\n"
           "toor:x:0:0::/root:/bin/bash\n"
           "svc:x:998:998::/var/lib/svc:/bin/bash\n"
           "guest:x:1004:1004::/home/guest:/bin/bash\n"
           "twin:x:1002:1002::/home/twin:/usr/sbin/nologin\n",
           minbase_passwd, dave);
  snprintf(shadow, sizeof shadow,
           "%salice:%s:20000:0:99999:7:::\nbob:%s:20000:0:99999:7:::\ncarol:%s:20000:0:99999:7:::\n"
           "toor:%s:20000:0:99999:7:::\nsvc:$6$abcdefgh$notarealhashbutusable:20000::::::\nguest::20000::::::\n"
           "twin:!:20000::::::\n",
           minbase_shadow, alice, bob, carol, toor);
  const char group[] = "root:x:0:\nstaff:$6$salt$grouphash:50:\nusers:x:100:\n";
  const char pwq[] = "# minlen = 9\nminlen = 6\n";
  const char *files[] = {"etc/passwd", passwd, "etc/shadow", shadow, "etc/group", group, "etc/login.defs", login_defs,
                         "etc/security/pwquality.conf", pwq, NULL};
  memfs m = {files, "sha256:top"};
  bl_fs fs = {&m, memfs_read, memfs_list};
  tsink t;
  tsink_init(&t);
  CHECK(bl_accounts(&t.s, &fs, 5, 0) == 0);
  dump(&t);
  CHECK(count_id(&t, "BW-PWD-001") == 4); /* alice, bob, dave, toor; not carol */
  const bw_baseline_finding *f = NULL;
  for (size_t i = 0; i < t.findings.len; i++) {
    const bw_baseline_finding *x = bw_vec_at(&t.findings, bw_baseline_finding, i);
    if (!strcmp(x->id, "BW-PWD-001") && strstr(x->evidence, "account alice ")) f = x;
  }
  CHECK(f && !strcmp(f->path, "etc/shadow") && f->line == 19 && f->severity == BW_SEV_HIGH &&
        !strcmp(f->layer, "sha256:top") && strstr(f->evidence, "common-password list"));
  for (size_t i = 0; i < t.findings.len; i++) {
    const bw_baseline_finding *x = bw_vec_at(&t.findings, bw_baseline_finding, i);
    if (!strcmp(x->id, "BW-PWD-001") && strstr(x->evidence, "account bob ")) CHECK(strstr(x->evidence, "account name"));
    if (!strcmp(x->id, "BW-PWD-001") && strstr(x->evidence, "account toor ")) CHECK(x->severity == BW_SEV_CRITICAL);
    if (!strcmp(x->id, "BW-PWD-001") && strstr(x->evidence, "account dave ")) CHECK(!strcmp(x->path, "etc/passwd"));
  }
  CHECK(count_id(&t, "BW-ACC-002") == 1 && strstr(find_id(&t, "BW-ACC-002")->evidence, "toor"));
  CHECK(count_id(&t, "BW-ACC-001") == 1 && strstr(find_id(&t, "BW-ACC-001")->evidence, "guest"));
  CHECK(count_id(&t, "BW-ACC-003") == 1 && strstr(find_id(&t, "BW-ACC-003")->evidence, "svc"));
  CHECK(count_id(&t, "BW-ACC-004") == 1 && strstr(find_id(&t, "BW-ACC-004")->evidence, "dave"));
  CHECK(count_id(&t, "BW-ACC-005") == 1 && strstr(find_id(&t, "BW-ACC-005")->evidence, "carol and twin"));
  CHECK(count_id(&t, "BW-ACC-006") == 1 && strstr(find_id(&t, "BW-ACC-006")->evidence, "staff"));
  CHECK(count_id(&t, "BW-PWD-002") == 1 && strstr(find_id(&t, "BW-PWD-002")->evidence, "md5crypt"));
  CHECK(count_id(&t, "BW-PWD-003") == 1 && find_id(&t, "BW-PWD-003")->line == 2);
  CHECK(count_id(&t, "BW-PWD-004") == 1 && find_id(&t, "BW-PWD-004")->line == 2);
  /* the passwords never appear */
  const char *pws[] = {"123456", "bob@123", "letmein", "Zq8!x", alice, bob, dave};
  for (size_t i = 0; i < sizeof pws / sizeof pws[0]; i++) CHECK(nowhere(&t, pws[i]));
  tsink_dispose(&t);
  free(alice), free(bob), free(carol), free(dave), free(toor);
}

/* Cost estimates decide what is tried at all: hostile parameters must price themselves out. */
static void costs(void) {
  CHECK(bl_crack_cost("$6$rounds=999999999$salt$hash") > 100);
  CHECK(bl_crack_cost("$6$rounds=nan$salt$hash") < 0);
  CHECK(bl_crack_cost("$6$rounds=$salt$hash") < 0);
  CHECK(bl_crack_cost("$6$saltsalt$hash") > 0 && bl_crack_cost("$6$saltsalt$hash") < 0.05);
  CHECK(bl_crack_cost("$2b$31$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ012") > 3600);
  CHECK(bl_crack_cost("$2b$3x$abc") < 0);
  CHECK(bl_crack_cost("$y$j9T$salt$hash") > 0.01 && bl_crack_cost("$y$j9T$salt$hash") < 2);
  CHECK(bl_crack_cost("$y$jzz$salt$hash") > 1000); /* N = 2^62: never tried */
  CHECK(bl_crack_cost("abcdefghijklm") > 0);         /* traditional DES */
  CHECK(bl_crack_cost("*") < 0 && bl_crack_cost("$argon2id$v=19$m=65536$x$y") < 0);
}

int main(void) {
  costs();
  clean_minbase();
  planted();
  return test_finish();
}
