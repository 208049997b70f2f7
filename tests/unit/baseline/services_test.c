/* Service configuration checks on real-format config text: each service's risky setting is found
 * with the right line, and the distributions' shipped defaults (Debian's sshd_config, redis.conf,
 * memcached.conf, vsftpd.conf, Tomcat's tomcat-users.xml) are not reported. */
#include <stdio.h>

#include "../test.h"
#include "memfs.h"
#include "vuln/vulndb.h"

static void run1(tsink *t, int (*fn)(bl_sink *, const bl_file *), const char *path, const char *text) {
  bl_file f = {path, "sha256:l1", (const uint8_t *)text, strlen(text)};
  CHECK(fn(&t->s, &f) == 0);
}

/* Debian 12's /etc/ssh/sshd_config (openssh-server 9.2), comments trimmed. */
static const char debian_sshd[] =
    "Include /etc/ssh/sshd_config.d/*.conf\n"
    "#PermitRootLogin prohibit-password\n"
    "#PasswordAuthentication yes\n"
    "#PermitEmptyPasswords no\n"
    "KbdInteractiveAuthentication no\n"
    "UsePAM yes\n"
    "X11Forwarding yes\n"
    "PrintMotd no\n"
    "AcceptEnv LANG LC_*\n"
    "Subsystem\tsftp\t/usr/lib/openssh/sftp-server\n";

static void sshd(void) {
  tsink t;
  tsink_init(&t);
  const char *clean[] = {"etc/ssh/sshd_config", debian_sshd, NULL};
  memfs m = {clean, "L"};
  bl_fs fs = {&m, memfs_read, memfs_list};
  CHECK(bl_sshd(&t.s, &fs, "etc/ssh/sshd_config") == 0);
  CHECK(t.findings.len == 0);
  tsink_dispose(&t);

  /* root login in the main file; a drop-in that comes first (Include at the top) wins for
   * PasswordAuthentication; a Match block; Keyword=value form */
  tsink_init(&t);
  const char main_cfg[] = "Include /etc/ssh/sshd_config.d/*.conf\n"
                          "PermitRootLogin yes\n"
                          "PasswordAuthentication yes\n"
                          "PermitEmptyPasswords=no\n"
                          "Match Address 10.0.0.0/8\n"
                          "  PermitEmptyPasswords yes\n";
  const char dropin[] = "# hardening\npasswordauthentication no\n";
  const char other[] = "PermitRootLogin no\n"; /* not *.conf: not included */
  const char *files[] = {"etc/ssh/sshd_config", main_cfg, "etc/ssh/sshd_config.d/50-hard.conf", dropin,
                         "etc/ssh/sshd_config.d/README", other, NULL};
  memfs m2 = {files, "sha256:ssh"};
  bl_fs fs2 = {&m2, memfs_read, memfs_list};
  CHECK(bl_sshd(&t.s, &fs2, "etc/ssh/sshd_config") == 0);
  dump(&t);
  CHECK(count_id(&t, "BW-ACL-001") == 1);
  const bw_baseline_finding *f = find_id(&t, "BW-ACL-001");
  CHECK(f && f->line == 2 && !strcmp(f->path, "etc/ssh/sshd_config") && !strcmp(f->layer, "sha256:ssh") &&
        f->severity == BW_SEV_HIGH);
  CHECK(count_id(&t, "BW-SVC-001") == 0); /* the drop-in said no first */
  f = find_id(&t, "BW-ACL-002");
  CHECK(f && f->line == 6 && f->severity == BW_SEV_MEDIUM && strstr(f->evidence, "Match Address 10.0.0.0/8"));
  tsink_dispose(&t);

  /* first value wins: "no" then "yes" is safe */
  tsink_init(&t);
  const char twice[] = "PermitRootLogin no\nPermitRootLogin yes\nPasswordAuthentication yes\n";
  const char *f3[] = {"etc/ssh/sshd_config", twice, NULL};
  memfs m3 = {f3, NULL};
  bl_fs fs3 = {&m3, memfs_read, memfs_list};
  CHECK(bl_sshd(&t.s, &fs3, "etc/ssh/sshd_config") == 0);
  CHECK(count_id(&t, "BW-ACL-001") == 0 && count_id(&t, "BW-SVC-001") == 1);
  tsink_dispose(&t);
}

static void redis(void) {
  tsink t;
  tsink_init(&t);
  /* Debian's redis.conf essentials: localhost, protected mode, requirepass commented out */
  run1(&t, bl_redis, "etc/redis/redis.conf",
       "bind 127.0.0.1 -::1\nprotected-mode yes\nport 6379\n# requirepass foobared\n");
  CHECK(count_id(&t, "BW-ACL-003") == 1 && find_id(&t, "BW-ACL-003")->severity == BW_SEV_LOW);
  CHECK(count_id(&t, "BW-SVC-002") == 0 && count_id(&t, "BW-ACL-004") == 0);
  tsink_dispose(&t);
  tsink_init(&t);
  run1(&t, bl_redis, "opt/app/redis.conf", "bind 0.0.0.0\nprotected-mode no\nport 6379\n");
  CHECK(count_id(&t, "BW-ACL-003") == 1 && find_id(&t, "BW-ACL-003")->severity == BW_SEV_HIGH);
  CHECK(count_id(&t, "BW-ACL-004") == 1 && find_id(&t, "BW-ACL-004")->line == 2);
  CHECK(count_id(&t, "BW-SVC-002") == 1 && find_id(&t, "BW-SVC-002")->line == 1);
  tsink_dispose(&t);
  tsink_init(&t);
  run1(&t, bl_redis, "etc/redis/redis.conf", "bind 0.0.0.0\nrequirepass Xy9-long-secret\n");
  CHECK(count_id(&t, "BW-ACL-003") == 0 && nowhere(&t, "Xy9"));
  tsink_dispose(&t);
}

static void mongo_es(void) {
  tsink t;
  tsink_init(&t);
  /* the mongod.conf MongoDB's packages ship: localhost, no security section */
  run1(&t, bl_mongod, "etc/mongod.conf",
       "storage:\n  dbPath: /var/lib/mongodb\nnet:\n  port: 27017\n  bindIp: 127.0.0.1\nprocessManagement:\n"
       "  timeZoneInfo: /usr/share/zoneinfo\n");
  CHECK(count_id(&t, "BW-ACL-005") == 1 && find_id(&t, "BW-ACL-005")->severity == BW_SEV_LOW);
  CHECK(count_id(&t, "BW-SVC-003") == 0);
  tsink_dispose(&t);
  tsink_init(&t);
  run1(&t, bl_mongod, "etc/mongod.conf",
       "net:\n  port: 27017\n  bindIp: 127.0.0.1,0.0.0.0\nsecurity:\n  authorization: disabled\n");
  CHECK(count_id(&t, "BW-ACL-005") == 1 && find_id(&t, "BW-ACL-005")->severity == BW_SEV_HIGH &&
        find_id(&t, "BW-ACL-005")->line == 5);
  CHECK(count_id(&t, "BW-SVC-003") == 1 && find_id(&t, "BW-SVC-003")->line == 3);
  tsink_dispose(&t);
  tsink_init(&t);
  run1(&t, bl_mongod, "etc/mongod.conf", "net:\n  bindIpAll: true\nsecurity:\n  authorization: enabled\n");
  CHECK(count_id(&t, "BW-ACL-005") == 0 && count_id(&t, "BW-SVC-003") == 1);
  tsink_dispose(&t);
  tsink_init(&t);
  run1(&t, bl_elasticsearch, "usr/share/elasticsearch/config/elasticsearch.yml",
       "cluster.name: docker-cluster\nnetwork.host: 0.0.0.0\nxpack.security.enabled: false\n");
  run1(&t, bl_elasticsearch, "etc/elasticsearch/elasticsearch.yml", "xpack:\n  security:\n    enabled: false\n");
  run1(&t, bl_elasticsearch, "etc/elasticsearch/elasticsearch.yml", "xpack.security.enabled: true\n");
  CHECK(count_id(&t, "BW-ACL-010") == 2);
  tsink_dispose(&t);
}

static void sql(void) {
  tsink t;
  tsink_init(&t);
  run1(&t, bl_mysql, "etc/mysql/conf.d/docker.cnf",
       "[mysqld]\nskip-host-cache\nskip_grant_tables\n[client]\nuser=root\npassword=\n");
  run1(&t, bl_mysql, "root/.my.cnf", "[client]\nuser = root\npassword = \"\"\n[mysql]\npassword=Secr3tPass\n");
  run1(&t, bl_mysql, "etc/mysql/my.cnf", "[client-server]\n!includedir /etc/mysql/conf.d/\n[client]\npassword\n");
  CHECK(count_id(&t, "BW-ACL-006") == 1 && find_id(&t, "BW-ACL-006")->line == 3);
  CHECK(count_id(&t, "BW-ACL-007") == 2 && nowhere(&t, "Secr3t"));
  tsink_dispose(&t);
  tsink_init(&t);
  /* Debian's pg_hba.conf (postgresql-common) and the official image's trailing line */
  run1(&t, bl_pg_hba, "etc/postgresql/15/main/pg_hba.conf",
       "local   all             postgres                                peer\n"
       "local   all             all                                     peer\n"
       "host    all             all             127.0.0.1/32            scram-sha-256\n"
       "host    all             all             ::1/128                 scram-sha-256\n"
       "local   replication     all                                     peer\n"
       "host    replication     all             127.0.0.1/32            trust\n"
       "host all all all scram-sha-256\n");
  CHECK(t.findings.len == 0);
  run1(&t, bl_pg_hba, "var/lib/postgresql/data/pg_hba.conf",
       "host all all 0.0.0.0/0 trust\nhostssl all all 10.1.0.0/16 trust # office\n"
       "host all all 192.168.0.0 255.255.0.0 trust\n# host all all all trust\n");
  CHECK(count_id(&t, "BW-ACL-008") == 3);
  CHECK(find_id(&t, "BW-ACL-008")->severity == BW_SEV_CRITICAL && find_id(&t, "BW-ACL-008")->line == 1);
  tsink_dispose(&t);
}

/* Tomcat 9's shipped conf/tomcat-users.xml: every user is in a comment. */
static const char tomcat_shipped[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<tomcat-users xmlns=\"http://tomcat.apache.org/xml\"\n"
    "              version=\"1.0\">\n"
    "<!--\n"
    "  <role rolename=\"tomcat\"/>\n"
    "  <role rolename=\"role1\"/>\n"
    "  <user username=\"tomcat\" password=\"<must-be-changed>\" roles=\"tomcat\"/>\n"
    "  <user username=\"both\" password=\"<must-be-changed>\" roles=\"tomcat,role1\"/>\n"
    "  <user username=\"role1\" password=\"<must-be-changed>\" roles=\"role1\"/>\n"
    "-->\n"
    "</tomcat-users>\n";

static void tomcat(void) {
  tsink t;
  tsink_init(&t);
  run1(&t, bl_tomcat_users, "usr/local/tomcat/conf/tomcat-users.xml", tomcat_shipped);
  CHECK(t.findings.len == 0);
  run1(&t, bl_tomcat_users, "usr/local/tomcat/conf/tomcat-users.xml",
       "<?xml version='1.0' encoding='utf-8'?>\n<tomcat-users>\n  <role rolename=\"manager-gui\"/>\n"
       "  <!-- <user username=\"old\" password=\"old\" roles=\"manager-gui\"/> -->\n"
       "  <user username=\"tomcat\" password=\"tomcat\" roles=\"manager-gui,admin-gui\"/>\n"
       "  <user\n    username='deploy'\n    password='s3cret'\n    roles='manager-script'/>\n"
       "  <user username=\"viewer\" password=\"123456\" roles=\"role1\"/>\n"
       "  <user username=\"ops\" password=\"Q7#long-unguessable-pass\" roles=\"manager-gui\"/>\n"
       "</tomcat-users>\n");
  dump(&t);
  CHECK(count_id(&t, "BW-ACL-009") == 3);
  const bw_baseline_finding *f = find_id(&t, "BW-ACL-009");
  CHECK(f && f->line == 5 && f->severity == BW_SEV_CRITICAL && strstr(f->evidence, "\"tomcat\"") &&
        strstr(f->evidence, "manager-gui"));
  CHECK(nowhere(&t, "s3cret") && nowhere(&t, "123456") && nowhere(&t, "Q7#"));
  tsink_dispose(&t);
}

static void web_misc(void) {
  tsink t;
  tsink_init(&t);
  bool off = false, set = false;
  bl_file f1 = {"etc/nginx/nginx.conf", NULL, (const uint8_t *)"http {\n  # server_tokens off;\n  sendfile on;\n}\n", 0};
  f1.len = strlen((const char *)f1.data);
  CHECK(bl_nginx(&t.s, &f1, &off) == 0 && !off && t.findings.len == 0);
  bl_file f2 = {"etc/nginx/conf.d/files.conf", NULL,
                (const uint8_t *)"server { location /files/ { autoindex on; } server_tokens off; }\n", 0};
  f2.len = strlen((const char *)f2.data);
  CHECK(bl_nginx(&t.s, &f2, &off) == 0 && off && count_id(&t, "BW-SVC-004") == 1);
  bl_file f3 = {"etc/apache2/apache2.conf", NULL,
                (const uint8_t *)"<Directory /var/www/>\n\tOptions Indexes FollowSymLinks\n</Directory>\n"
                                 "<Directory /srv/>\n\tOptions -Indexes\n</Directory>\nServerTokens Full\n", 0};
  f3.len = strlen((const char *)f3.data);
  CHECK(bl_apache(&t.s, &f3, &set) == 0 && set);
  CHECK(count_id(&t, "BW-SVC-006") == 1 && find_id(&t, "BW-SVC-006")->line == 2);
  CHECK(count_id(&t, "BW-SVC-007") == 1 && find_id(&t, "BW-SVC-007")->line == 7);
  tsink_dispose(&t);

  tsink_init(&t);
  /* Debian's vsftpd.conf and memcached.conf: safe */
  run1(&t, bl_vsftpd, "etc/vsftpd.conf", "listen=NO\nlisten_ipv6=YES\nanonymous_enable=NO\nlocal_enable=YES\n");
  run1(&t, bl_memcached, "etc/memcached.conf", "-d\nlogfile /var/log/memcached.log\n-m 64\n-p 11211\n-u memcache\n-l 127.0.0.1\n-l ::1\n");
  CHECK(t.findings.len == 0);
  run1(&t, bl_vsftpd, "etc/vsftpd.conf", "anonymous_enable=YES\nwrite_enable=YES\nanon_upload_enable=YES\n");
  CHECK(count_id(&t, "BW-ACL-011") == 1 && find_id(&t, "BW-ACL-011")->severity == BW_SEV_HIGH);
  run1(&t, bl_memcached, "etc/memcached.conf", "-m 64\n-l 0.0.0.0\n");
  CHECK(count_id(&t, "BW-ACL-012") == 1 && find_id(&t, "BW-ACL-012")->line == 2);
  run1(&t, bl_zookeeper, "conf/zoo.cfg", "tickTime=2000\ndataDir=/data\nclientPort=2181\n");
  run1(&t, bl_zookeeper, "conf/zoo.cfg",
       "clientPort=2181\nauthProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n");
  CHECK(count_id(&t, "BW-ACL-013") == 1);
  run1(&t, bl_hadoop_core_site, "opt/hadoop/etc/hadoop/core-site.xml",
       "<?xml version=\"1.0\"?>\n<configuration>\n  <!-- <property><name>hadoop.security.authentication</name>"
       "<value>kerberos</value></property> -->\n  <property>\n    <name>hadoop.security.authentication</name>\n"
       "    <value>simple</value>\n  </property>\n</configuration>\n");
  run1(&t, bl_hadoop_core_site, "opt/hadoop/etc/hadoop/core-site.xml",
       "<configuration><property><name>hadoop.security.authentication</name><value>kerberos</value></property>"
       "</configuration>");
  CHECK(count_id(&t, "BW-ACL-014") == 1 && find_id(&t, "BW-ACL-014")->line == 6);
  tsink_dispose(&t);
}

static void kinds(void) {
  CHECK(bl_service_kind("usr/local/tomcat/conf/tomcat-users.xml") != 0);
  CHECK(bl_service_kind("etc/redis/redis.conf") != 0);
  CHECK(bl_service_kind("opt/redis/redis.conf") != 0);
  CHECK(bl_service_kind("usr/share/doc/redis/examples/redis.conf") == 0);
  CHECK(bl_service_kind("usr/lib/python3/dist-packages/x/tests/redis.conf") == 0);
  CHECK(bl_service_kind("etc/nginx/sites-enabled/default") != 0);
  CHECK(bl_service_kind("etc/mysql/mariadb.conf.d/50-server.cnf") != 0);
  CHECK(bl_service_kind("etc/passwd") == 0);
  CHECK(bw_baseline_wants("etc/shadow") && bw_baseline_wants("etc/ssh/sshd_config.d/x.conf"));
  CHECK(!bw_baseline_wants("usr/bin/ls"));
}

int main(void) {
  sshd();
  redis();
  mongo_es();
  sql();
  tomcat();
  web_misc();
  kinds();
  return test_finish();
}
