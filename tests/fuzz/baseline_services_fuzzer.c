/* Fuzzes the single-file service parsers: the first byte picks the parser (Redis, MongoDB YAML,
 * MySQL option file, pg_hba.conf, tomcat-users.xml, elasticsearch.yml, vsftpd, nginx, Apache,
 * memcached, zoo.cfg, core-site.xml), the rest is the file. */
#include "baseline_fuzz.h"

static int nginx(bl_sink *s, const bl_file *f) {
  bool off = false;
  return bl_nginx(s, f, &off);
}
static int apache(bl_sink *s, const bl_file *f) {
  bool set = false;
  return bl_apache(s, f, &set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int (*const fns[])(bl_sink *, const bl_file *) = {
      bl_redis, bl_mongod, bl_mysql, bl_pg_hba, bl_tomcat_users, bl_elasticsearch, bl_vsftpd, nginx, apache,
      bl_memcached, bl_zookeeper, bl_hadoop_core_site};
  if (size < 1) return 0;
  bw_arena *a = bw_arena_new();
  if (!a) return 0;
  bw_vec findings;
  bw_vec_init(&findings, sizeof(bw_baseline_finding), 0);
  bl_sink s = {.arena = a, .findings = &findings};
  bl_file f = {.path = "etc/fuzz.conf", .layer = NULL, .data = data + 1, .len = size - 1};
  fns[data[0] % (sizeof fns / sizeof fns[0])](&s, &f);
  fz_check(&findings);
  bw_vec_dispose(&findings);
  bw_arena_free(a);
  return 0;
}
