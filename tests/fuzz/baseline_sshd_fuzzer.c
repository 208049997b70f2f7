/* Fuzzes the sshd_config reader: the input is etc/ssh/sshd_config and two drop-ins separated by
 * "\n@@\n" (an Include of sshd_config.d/ pulls them in; a drop-in including itself must stop at
 * the include limits). */
#include "baseline_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const paths[] = {"etc/ssh/sshd_config", "etc/ssh/sshd_config.d/10-a.conf",
                                      "etc/ssh/sshd_config.d/20-b.conf"};
  fz_fs fs;
  fz_split(&fs, data, size, paths, 3);
  bw_arena *a = bw_arena_new();
  if (!a) return 0;
  bw_vec findings, warnings;
  bw_vec_init(&findings, sizeof(bw_baseline_finding), 0);
  bw_vec_init(&warnings, sizeof(char *), 0);
  bl_sink s = {.arena = a, .findings = &findings, .warnings = &warnings};
  bl_fs f = {&fs, fz_read, fz_list};
  bl_sshd(&s, &f, "etc/ssh/sshd_config");
  fz_check(&findings);
  bw_vec_dispose(&findings);
  bw_vec_dispose(&warnings);
  bw_arena_free(a);
  return 0;
}
