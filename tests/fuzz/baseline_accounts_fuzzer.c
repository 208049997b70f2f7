/* Fuzzes the account checks: the input is etc/passwd, etc/shadow, etc/group, etc/login.defs and
 * etc/security/pwquality.conf separated by "\n@@\n". Cracking runs on one thread with a 10 ms
 * budget, so hostile hash parameters (bcrypt cost 31, rounds=999999999) must be refused by the
 * cost estimate rather than tried. */
#include "baseline_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const paths[] = {"etc/passwd", "etc/shadow", "etc/group", "etc/login.defs",
                                      "etc/security/pwquality.conf"};
  fz_fs fs;
  fz_split(&fs, data, size, paths, 5);
  bw_arena *a = bw_arena_new();
  if (!a) return 0;
  bw_vec findings, warnings;
  bw_vec_init(&findings, sizeof(bw_baseline_finding), 0);
  bw_vec_init(&warnings, sizeof(char *), 0);
  bl_sink s = {.arena = a, .findings = &findings, .warnings = &warnings};
  bl_fs f = {&fs, fz_read, fz_list};
  bl_accounts(&s, &f, 0.01, 1);
  fz_check(&findings);
  bw_vec_dispose(&findings);
  bw_vec_dispose(&warnings);
  bw_arena_free(a);
  return 0;
}
