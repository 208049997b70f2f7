/* Service configuration checks (unauthorised access, weak credentials, information leaks): Redis,
 * MongoDB, MySQL/MariaDB, PostgreSQL, Tomcat, Elasticsearch, vsftpd, nginx, Apache, memcached,
 * ZooKeeper, Hadoop. Each parser is a pure function over one file's bytes; sshd (with its
 * Includes) is in sshd.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/limits.h"
#include "base/strutil.h"
#include "baseline/internal.h"
#include "vuln/vulndb.h"

#include "baseline/services_table.h"

const bl_check bl_service_checks[] = {
    [SVC_SSH_ROOT] = {"BW-ACL-001", "access_control", BW_SEV_HIGH, "SSH allows root login with a password",
                      "Set PermitRootLogin no (or prohibit-password) in /etc/ssh/sshd_config, and log in as a "
                      "user with sudo rights or with a key."},
    [SVC_SSH_EMPTY] = {"BW-ACL-002", "access_control", BW_SEV_HIGH, "SSH allows empty passwords",
                       "Set PermitEmptyPasswords no in /etc/ssh/sshd_config."},
    [SVC_REDIS_NOAUTH] = {"BW-ACL-003", "access_control", BW_SEV_HIGH, "Redis without authentication",
                          "Set requirepass to a long random secret (or define ACL users with passwords), injected "
                          "at run time, and keep Redis on a private network."},
    [SVC_REDIS_PROTECTED] = {"BW-ACL-004", "access_control", BW_SEV_HIGH, "Redis protected mode disabled",
                             "Set protected-mode yes: Redis then refuses remote clients while no password is set."},
    [SVC_MONGO_NOAUTH] = {"BW-ACL-005", "access_control", BW_SEV_HIGH, "MongoDB authorization not enabled",
                          "Set security.authorization: enabled in mongod.conf and create an administrator user."},
    [SVC_MYSQL_SKIPGRANT] = {"BW-ACL-006", "access_control", BW_SEV_CRITICAL, "MySQL/MariaDB skip-grant-tables",
                             "Remove skip-grant-tables: with it anyone who can connect has every privilege."},
    [SVC_MYSQL_EMPTYPW] = {"BW-ACL-007", "access_control", BW_SEV_HIGH, "Empty MySQL/MariaDB password in an option file",
                           "Give the account a strong password supplied at run time (or use unix_socket "
                           "authentication) and remove the empty password= line."},
    [SVC_PG_TRUST] = {"BW-ACL-008", "access_control", BW_SEV_CRITICAL, "PostgreSQL trusts network clients",
                      "Use scram-sha-256 instead of trust for host lines in pg_hba.conf; keep trust, if at all, "
                      "for local socket connections."},
    [SVC_TOMCAT_WEAK] = {"BW-ACL-009", "access_control", BW_SEV_CRITICAL, "Tomcat user with a default or weak password",
                         "Remove the user from tomcat-users.xml or give it a long random password; remove the "
                         "manager and host-manager web applications when not needed."},
    [SVC_ES_NOSEC] = {"BW-ACL-010", "access_control", BW_SEV_HIGH, "Elasticsearch security disabled",
                      "Set xpack.security.enabled: true and configure users and TLS."},
    [SVC_FTP_ANON] = {"BW-ACL-011", "access_control", BW_SEV_MEDIUM, "vsftpd allows anonymous login",
                      "Set anonymous_enable=NO (and anon_upload_enable=NO, anon_mkdir_write_enable=NO) in "
                      "vsftpd.conf."},
    [SVC_MEMCACHED_OPEN] = {"BW-ACL-012", "access_control", BW_SEV_HIGH, "memcached on all interfaces without SASL",
                            "Listen on 127.0.0.1 (-l 127.0.0.1) or a private address, and enable SASL (-S) if "
                            "remote clients need access."},
    [SVC_ZK_NOAUTH] = {"BW-ACL-013", "access_control", BW_SEV_HIGH, "ZooKeeper without client authentication",
                       "Configure an authProvider (SASL) with sessionRequireClientSASLAuth=true and set "
                       "clientPortAddress to a private address."},
    [SVC_HADOOP_SIMPLE] = {"BW-ACL-014", "access_control", BW_SEV_HIGH, "Hadoop simple authentication",
                           "Set hadoop.security.authentication to kerberos in core-site.xml (simple trusts the "
                           "user name the client claims)."},
    [SVC_SSH_PASSWORD] = {"BW-SVC-001", "service", BW_SEV_MEDIUM, "SSH password authentication enabled",
                          "Set PasswordAuthentication no and use keys; better, do not run sshd in a container."},
    [SVC_REDIS_BIND] = {"BW-SVC-002", "service", BW_SEV_MEDIUM, "Redis listens on all interfaces",
                        "Bind Redis to 127.0.0.1 or a private address (bind 127.0.0.1 -::1)."},
    [SVC_MONGO_BIND] = {"BW-SVC-003", "service", BW_SEV_MEDIUM, "MongoDB listens on all interfaces",
                        "Set net.bindIp to 127.0.0.1 or a private address instead of 0.0.0.0 / bindIpAll."},
    [SVC_NGINX_AUTOINDEX] = {"BW-SVC-004", "service", BW_SEV_MEDIUM, "nginx directory listing (autoindex on)",
                             "Remove autoindex on (the default is off) unless the listing is meant to be public."},
    [SVC_NGINX_TOKENS] = {"BW-SVC-005", "service", BW_SEV_LOW, "nginx discloses its version (server_tokens)",
                          "Set server_tokens off; in the http block of nginx.conf."},
    [SVC_APACHE_INDEXES] = {"BW-SVC-006", "service", BW_SEV_MEDIUM, "Apache directory listing (Options Indexes)",
                            "Use Options -Indexes (or drop Indexes) for every Directory that is not meant to be "
                            "listed."},
    [SVC_APACHE_TOKENS] = {"BW-SVC-007", "service", BW_SEV_LOW, "Apache discloses its version and OS (ServerTokens)",
                           "Set ServerTokens Prod and ServerSignature Off."},
};
const size_t bl_n_service_checks = sizeof bl_service_checks / sizeof bl_service_checks[0];

/* --- which files -------------------------------------------------------------------------- */

enum {
  SK_NONE,
  SK_REDIS,
  SK_MONGOD,
  SK_MYSQL,
  SK_PGHBA,
  SK_TOMCAT,
  SK_ES,
  SK_VSFTPD,
  SK_NGINX,
  SK_APACHE,
  SK_MEMCACHED,
  SK_ZOO,
  SK_HADOOP,
  SK_SSHD, /* captured by bw_baseline_wants, read from etc/ssh */
};

/* Copies of configs shipped as documentation, examples or test data, or inside libraries, do not
 * configure anything. */
static bool inert_path(const char *path) {
  if (!strncmp(path, "usr/share/doc/", 14) || !strncmp(path, "usr/share/man/", 14)) return true;
  static const char *const dirs[] = {"/examples/", "/example/", "/samples/", "/sample/", "/test/", "/tests/",
                                     "/testdata/", "/fixtures/", "/node_modules/", "/site-packages/",
                                     "/dist-packages/", "/gems/", "/doc/", "/docs/", NULL};
  for (size_t i = 0; dirs[i]; i++)
    if (strstr(path, dirs[i]) || !strncmp(path, dirs[i] + 1, strlen(dirs[i]) - 1)) return true;
  return false;
}

static bool under(const char *path, const char *dir) { return !strncmp(path, dir, strlen(dir)); }

int bl_service_kind(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  int k = SK_NONE;
  switch (base[0]) {
    case 'r':
      if (!strcmp(base, "redis.conf")) k = SK_REDIS;
      break;
    case 'm':
      if (!strcmp(base, "mongod.conf") || !strcmp(base, "mongodb.conf")) k = SK_MONGOD;
      else if (!strcmp(base, "my.cnf") || !strcmp(base, "mariadb.cnf") || !strcmp(base, "mysqld.cnf")) k = SK_MYSQL;
      else if (!strcmp(base, "memcached.conf")) k = SK_MEMCACHED;
      break;
    case '.':
      if (!strcmp(base, ".my.cnf")) k = SK_MYSQL;
      break;
    case 'p':
      if (!strcmp(base, "pg_hba.conf")) k = SK_PGHBA;
      break;
    case 't':
      if (!strcmp(base, "tomcat-users.xml")) k = SK_TOMCAT;
      break;
    case 'e':
      if (!strcmp(base, "elasticsearch.yml")) k = SK_ES;
      break;
    case 'v':
      if (!strcmp(base, "vsftpd.conf")) k = SK_VSFTPD;
      break;
    case 'n':
      if (!strcmp(base, "nginx.conf")) k = SK_NGINX;
      break;
    case 'a':
      if (!strcmp(base, "apache2.conf")) k = SK_APACHE;
      break;
    case 'h':
      if (!strcmp(base, "httpd.conf")) k = SK_APACHE;
      break;
    case 'z':
      if (!strcmp(base, "zoo.cfg")) k = SK_ZOO;
      break;
    case 'c':
      if (!strcmp(base, "core-site.xml")) k = SK_HADOOP;
      break;
    default: break;
  }
  if (k == SK_NONE && path[0] == 'e' && under(path, "etc/")) {
    if (under(path, "etc/mysql/") && bw_str_endswith(path, ".cnf")) k = SK_MYSQL;
    else if (under(path, "etc/redis/") && bw_str_endswith(path, ".conf") && strcmp(base, "sentinel.conf"))
      k = SK_REDIS;
    else if (under(path, "etc/nginx/") && (bw_str_endswith(path, ".conf") || under(path, "etc/nginx/sites-")))
      k = SK_NGINX;
    else if ((under(path, "etc/apache2/") || under(path, "etc/httpd/")) &&
             (bw_str_endswith(path, ".conf") || strstr(path, "/sites-")))
      k = SK_APACHE;
  }
  if (k != SK_NONE && inert_path(path)) return SK_NONE;
  return k;
}

/* --- helpers ---------------------------------------------------------------------------------- */

static bool is_all_interfaces(const char *s, size_t n) {
  return bl_ieq(s, n, "0.0.0.0") || bl_ieq(s, n, "*") || bl_ieq(s, n, "::") || bl_ieq(s, n, "[::]") ||
         bl_ieq(s, n, "::*") || bl_ieq(s, n, "0.0.0.0/0") || bl_ieq(s, n, "::/0") || bl_ieq(s, n, "-::*");
}

static bool yes(const char *s, size_t n) {
  return bl_ieq(s, n, "yes") || bl_ieq(s, n, "true") || bl_ieq(s, n, "on") || bl_ieq(s, n, "1");
}

/* Walks a YAML document as flat "a.b.c" = scalar pairs (sequence items under their key). */
typedef int (*yaml_kv_fn)(void *arg, const char *key, const char *val, size_t vn, uint32_t line);
static int yaml_flat(const uint8_t *data, size_t len, yaml_kv_fn fn, void *arg, size_t *nkeys) {
  yaml_parser_t p;
  if (!yaml_parser_initialize(&p)) return -BW_ENOMEM;
  yaml_parser_set_input_string(&p, data, len);
  struct frame {
    bool map, want_key;
    size_t keylen; /* length of path before this frame's current key */
  } st[BW_LIMIT_YAML_DEPTH];
  size_t depth = 0;
  char path[1024];
  size_t plen = 0;
  int rc = 0;
  bool done = false;
  *nkeys = 0;
  path[0] = 0;
  while (!done && rc == 0) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&p, &ev)) break; /* not YAML: what was read so far counts */
    switch (ev.type) {
      case YAML_STREAM_END_EVENT: done = true; break;
      case YAML_MAPPING_START_EVENT:
      case YAML_SEQUENCE_START_EVENT:
        if (depth >= BW_LIMIT_YAML_DEPTH) {
          done = true;
          break;
        }
        if (depth && st[depth - 1].map) st[depth - 1].want_key = true; /* this collection is the value */
        st[depth++] = (struct frame){.map = ev.type == YAML_MAPPING_START_EVENT, .want_key = true, .keylen = plen};
        break;
      case YAML_MAPPING_END_EVENT:
      case YAML_SEQUENCE_END_EVENT:
        if (depth) {
          depth--;
          plen = st[depth].keylen;
          path[plen] = 0;
          /* back in the parent map: drop the parent's key */
          if (depth && st[depth - 1].map) {
            plen = st[depth - 1].keylen;
            path[plen] = 0;
          }
        }
        break;
      case YAML_ALIAS_EVENT:
      case YAML_SCALAR_EVENT: {
        const char *v = ev.type == YAML_SCALAR_EVENT ? (const char *)ev.data.scalar.value : "";
        size_t vn = ev.type == YAML_SCALAR_EVENT ? ev.data.scalar.length : 0;
        struct frame *f = depth ? &st[depth - 1] : NULL;
        if (f && f->map && f->want_key) {
          plen = f->keylen;
          int w = snprintf(path + plen, sizeof path - plen, "%s%.*s", plen ? "." : "", (int)vn, v);
          if (w > 0 && plen + (size_t)w < sizeof path) plen += (size_t)w;
          path[plen] = 0;
          f->want_key = false;
          (*nkeys)++;
        } else if (f) {
          rc = fn(arg, path, v, vn, (uint32_t)ev.start_mark.line + 1);
          if (f->map) {
            f->want_key = true;
            plen = f->keylen;
            path[plen] = 0;
          }
        }
        break;
      }
      default: break;
    }
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&p);
  return rc;
}

/* Minimal XML tokenizer for small config files: start tags with attributes, end tags, text;
 * comments, CDATA, declarations and processing instructions skipped. Entities are decoded in
 * attribute values and text (the five predefined ones). */
typedef struct xml_attr {
  const char *name;
  size_t nn;
  char val[256];
} xml_attr;
typedef struct xml_ev {
  int kind; /* 1 start, 2 end, 3 text */
  const char *name;
  size_t nn;
  xml_attr attrs[16];
  size_t nattrs;
  bool self_closing;
  char text[256];
  uint32_t line;
} xml_ev;
typedef int (*xml_fn)(void *arg, const xml_ev *ev);

static void xml_decode(char *out, size_t outsz, const char *s, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n && k + 1 < outsz; i++) {
    if (s[i] == '&') {
      static const struct {
        const char *e;
        char c;
      } ent[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      bool hit = false;
      for (size_t e = 0; e < 5 && !hit; e++) {
        size_t en = strlen(ent[e].e);
        if (i + en <= n && !memcmp(s + i, ent[e].e, en)) {
          out[k++] = ent[e].c;
          i += en - 1;
          hit = true;
        }
      }
      if (hit) continue;
    }
    out[k++] = s[i];
  }
  out[k] = 0;
}

static const char *find_mem(const char *s, const char *e, const char *w) {
  size_t wn = strlen(w);
  for (; s + wn <= e; s++)
    if (*s == w[0] && !memcmp(s, w, wn)) return s;
  return NULL;
}

static bool xml_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == ':' || c == '.';
}

static uint32_t count_lines(const char *from, const char *to, uint32_t line) {
  for (const char *p = from; p < to; p++)
    if (*p == '\n') line++;
  return line;
}

static int xml_scan(const uint8_t *data, size_t len, xml_fn fn, void *arg) {
  const char *p = (const char *)data, *e = p + len, *counted = p;
  uint32_t line = 1;
  xml_ev *ev = calloc(1, sizeof *ev);
  if (!ev) return -BW_ENOMEM;
  int rc = 0;
  while (p < e && rc == 0) {
    if (*p != '<') {
      const char *t = memchr(p, '<', (size_t)(e - p));
      if (!t) t = e;
      const char *s = p;
      size_t n = (size_t)(t - p);
      bw_trim(&s, &n);
      if (n) {
        line = count_lines(counted, s, line);
        counted = s;
        memset(ev, 0, sizeof *ev);
        ev->kind = 3;
        ev->line = line;
        xml_decode(ev->text, sizeof ev->text, s, n);
        rc = fn(arg, ev);
      }
      p = t;
      continue;
    }
    const char *close = NULL;
    if (p + 4 <= e && !memcmp(p, "<!--", 4)) close = find_mem(p + 4, e, "-->"), close = close ? close + 3 : e;
    else if (p + 9 <= e && !memcmp(p, "<![CDATA[", 9)) close = find_mem(p + 9, e, "]]>"), close = close ? close + 3 : e;
    else if (p + 2 <= e && (p[1] == '?' || p[1] == '!')) close = find_mem(p + 2, e, ">"), close = close ? close + 1 : e;
    if (close) {
      p = close;
      continue;
    }
    line = count_lines(counted, p, line);
    counted = p;
    memset(ev, 0, sizeof *ev);
    ev->line = line;
    const char *q = p + 1;
    ev->kind = 1;
    if (q < e && *q == '/') {
      ev->kind = 2;
      q++;
    }
    const char *nb = q;
    while (q < e && xml_name_char(*q)) q++;
    ev->name = nb;
    ev->nn = (size_t)(q - nb);
    /* attributes */
    while (q < e && *q != '>') {
      while (q < e && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) q++;
      if (q < e && *q == '/') {
        ev->self_closing = true;
        q++;
        continue;
      }
      if (q >= e || *q == '>') break;
      const char *an = q;
      while (q < e && xml_name_char(*q)) q++;
      size_t ann = (size_t)(q - an);
      if (!ann) {
        q++;
        continue;
      }
      while (q < e && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) q++;
      if (q >= e || *q != '=') continue;
      q++;
      while (q < e && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) q++;
      if (q >= e || (*q != '"' && *q != '\'')) continue;
      char quote = *q++;
      const char *vb = q;
      while (q < e && *q != quote) q++;
      if (ev->nattrs < 16) {
        xml_attr *a = &ev->attrs[ev->nattrs++];
        a->name = an;
        a->nn = ann;
        xml_decode(a->val, sizeof a->val, vb, (size_t)(q - vb));
      }
      if (q < e) q++;
    }
    if (ev->nn) rc = fn(arg, ev);
    p = q < e ? q + 1 : e;
  }
  free(ev);
  return rc;
}

static const char *xml_attr_get(const xml_ev *ev, const char *name) {
  for (size_t i = 0; i < ev->nattrs; i++)
    if (bl_ieq(ev->attrs[i].name, ev->attrs[i].nn, name)) return ev->attrs[i].val;
  return NULL;
}

/* --- Redis ------------------------------------------------------------------------------------ */

int bl_redis(bl_sink *s, const bl_file *f) {
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *line, *w, *v;
  size_t n, wn, vn;
  bool auth = false, protected_off = false, bound = false, bind_all = false;
  uint32_t pm_line = 0, bind_line = 0;
  while (bl_lines_next(&l, &line, &n)) {
    if (!bl_word(&line, &n, &w, &wn) || w[0] == '#') continue;
    if (bl_ieq(w, wn, "requirepass")) {
      if (bl_word(&line, &n, &v, &vn) && !(vn == 2 && v[0] == '"' && v[1] == '"')) auth = true;
    } else if (bl_ieq(w, wn, "aclfile")) {
      auth = true;
    } else if (bl_ieq(w, wn, "user")) {
      /* user default on nopass ~* +@all: no password; user default on >pw ...: one */
      bool is_default = bl_word(&line, &n, &v, &vn) && bl_ieq(v, vn, "default");
      bool pass = false, nopass = false;
      while (bl_word(&line, &n, &v, &vn)) {
        if (v[0] == '>' || v[0] == '#') pass = true;
        if (bl_ieq(v, vn, "nopass")) nopass = true;
      }
      if (is_default && pass && !nopass) auth = true;
    } else if (bl_ieq(w, wn, "protected-mode")) {
      protected_off = bl_word(&line, &n, &v, &vn) && bl_ieq(v, vn, "no");
      pm_line = l.lineno;
    } else if (bl_ieq(w, wn, "bind")) {
      bound = true;
      bind_line = l.lineno;
      bind_all = false;
      while (bl_word(&line, &n, &v, &vn))
        if (is_all_interfaces(v, vn)) bind_all = true;
    }
  }
  /* protected mode refuses remote clients only without a password and without an explicit bind */
  bool exposed = bind_all || (!bound && protected_off);
  int rc = 0;
  if (!auth)
    rc = bl_emit(s, &bl_service_checks[SVC_REDIS_NOAUTH], exposed ? BW_SEV_HIGH : BW_SEV_LOW, f->path, 0, f->layer,
                 "no requirepass or ACL user with a password%s",
                 exposed ? (bind_all ? "; bound to all interfaces" : "; protected-mode no and no bind")
                         : "; reachable from localhost only");
  if (rc == 0 && protected_off)
    rc = bl_emit(s, &bl_service_checks[SVC_REDIS_PROTECTED], auth ? BW_SEV_LOW : -1, f->path, pm_line, f->layer,
                 "protected-mode no");
  if (rc == 0 && (bind_all || !bound))
    rc = bl_emit(s, &bl_service_checks[SVC_REDIS_BIND], -1, f->path, bind_line, f->layer, "%s",
                 bound ? "bind on all interfaces (0.0.0.0 / *)" : "no bind directive: listens on all interfaces");
  return rc;
}

/* --- MongoDB ---------------------------------------------------------------------------------- */

typedef struct mongo_ctx {
  bool auth, auth_disabled, bind_all, bind_all_flag;
  uint32_t auth_line, bind_line;
} mongo_ctx;

static int mongo_kv(void *arg, const char *key, const char *v, size_t vn, uint32_t line) {
  mongo_ctx *c = arg;
  if (!strcmp(key, "security.authorization")) {
    c->auth_line = line;
    if (bl_ieq(v, vn, "enabled")) c->auth = true;
    else c->auth_disabled = true;
  } else if (!strcmp(key, "security.keyFile") || !strcmp(key, "security.clusterAuthMode")) {
    if (vn) c->auth = true;
  } else if (!strcmp(key, "net.bindIp")) {
    const char *p = v, *e = v + vn;
    while (p < e) {
      const char *comma = memchr(p, ',', (size_t)(e - p));
      const char *t = comma ? comma : e;
      const char *a = p;
      size_t an = (size_t)(t - p);
      bw_trim(&a, &an);
      if (is_all_interfaces(a, an)) {
        c->bind_all = true;
        c->bind_line = line;
      }
      p = comma ? comma + 1 : e;
    }
  } else if (!strcmp(key, "net.bindIpAll") && yes(v, vn)) {
    c->bind_all = c->bind_all_flag = true;
    c->bind_line = line;
  }
  return 0;
}

int bl_mongod(bl_sink *s, const bl_file *f) {
  mongo_ctx c = {0};
  size_t nkeys = 0;
  int rc = yaml_flat(f->data, f->len, mongo_kv, &c, &nkeys);
  if (rc < 0) return rc;
  if (nkeys == 0) { /* the pre-2.6 "key = value" format */
    bl_lines l;
    bl_lines_init(&l, f->data, f->len);
    const char *line;
    size_t n;
    while (bl_lines_next(&l, &line, &n)) {
      bw_trim(&line, &n);
      const char *eq = memchr(line, '=', n);
      if (!n || line[0] == '#' || !eq) continue;
      const char *k = line, *v = eq + 1;
      size_t kn = (size_t)(eq - line), vn = n - kn - 1;
      bw_trim(&k, &kn);
      bw_trim(&v, &vn);
      if ((bl_ieq(k, kn, "auth") && yes(v, vn)) || bl_ieq(k, kn, "keyFile")) c.auth = true;
      else if (bl_ieq(k, kn, "noauth") && yes(v, vn)) c.auth_disabled = true, c.auth_line = l.lineno;
      else if (bl_ieq(k, kn, "bind_ip")) mongo_kv(&c, "net.bindIp", v, vn, l.lineno);
      else if (bl_ieq(k, kn, "bind_ip_all") && yes(v, vn)) c.bind_all = true, c.bind_line = l.lineno;
    }
  }
  if (!c.auth)
    rc = bl_emit(s, &bl_service_checks[SVC_MONGO_NOAUTH], c.bind_all ? BW_SEV_HIGH : c.auth_disabled ? BW_SEV_MEDIUM : BW_SEV_LOW,
                 f->path, c.auth_line, f->layer, "%s%s",
                 c.auth_disabled ? "security.authorization: disabled" : "security.authorization not enabled",
                 c.bind_all ? "; listening on all interfaces" : "");
  if (rc == 0 && c.bind_all)
    rc = bl_emit(s, &bl_service_checks[SVC_MONGO_BIND], -1, f->path, c.bind_line, f->layer, "%s",
                 c.bind_all_flag ? "net.bindIpAll: true" : "net.bindIp includes all interfaces");
  return rc;
}

/* --- MySQL / MariaDB option files ------------------------------------------------------------- */

int bl_mysql(bl_sink *s, const bl_file *f) {
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *line;
  size_t n;
  char section[64] = "";
  int rc = 0;
  while (rc == 0 && bl_lines_next(&l, &line, &n)) {
    bw_trim(&line, &n);
    if (!n || line[0] == '#' || line[0] == ';' || line[0] == '!') continue;
    if (line[0] == '[') {
      const char *e = memchr(line, ']', n);
      size_t sn = e ? (size_t)(e - line - 1) : n - 1;
      snprintf(section, sizeof section, "%.*s", (int)(sn < 63 ? sn : 63), line + 1);
      for (char *c = section; *c; c++)
        if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
      continue;
    }
    const char *eq = memchr(line, '=', n);
    const char *k = line, *v = eq ? eq + 1 : line + n;
    size_t kn = eq ? (size_t)(eq - line) : n, vn = eq ? n - kn - 1 : 0;
    bw_trim(&k, &kn);
    bw_trim(&v, &vn);
    /* a trailing comment on the value */
    const char *hash = memchr(v, '#', vn);
    if (hash && (hash == v || hash[-1] == ' ' || hash[-1] == '\t')) {
      vn = (size_t)(hash - v);
      bw_trim(&v, &vn);
    }
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)(kn < 63 ? kn : 63), k);
    for (char *c = key; *c; c++)
      if (*c == '_') *c = '-';
    bool server = !strncmp(section, "mysqld", 6) || !strcmp(section, "server") || !strncmp(section, "mariadb", 7) ||
                  !strcmp(section, "mysqld_safe");
    bool client = !strcmp(section, "client") || !strcmp(section, "mysql") || !strcmp(section, "mysqladmin") ||
                  !strcmp(section, "mysqldump") || !strcmp(section, "client-server") ||
                  !strcmp(section, "client-mariadb");
    if (server && bl_ieq(key, strlen(key), "skip-grant-tables") &&
        (!eq || yes(v, vn) || bl_ieq(v, vn, "ON")))
      rc = bl_emit(s, &bl_service_checks[SVC_MYSQL_SKIPGRANT], -1, f->path, l.lineno, f->layer, "[%s] %.*s", section,
                   (int)kn, k);
    else if ((server || client) && eq && bl_ieq(key, strlen(key), "password") &&
             (vn == 0 || (vn == 2 && (v[0] == '"' || v[0] == '\'') && v[1] == v[0])))
      rc = bl_emit(s, &bl_service_checks[SVC_MYSQL_EMPTYPW], -1, f->path, l.lineno, f->layer,
                   "[%s] password is set to an empty string", section);
  }
  return rc;
}

/* --- PostgreSQL pg_hba.conf ------------------------------------------------------------------- */

static bool loopback(const char *a, size_t n) {
  return (n >= 4 && !memcmp(a, "127.", 4)) || bl_ieq(a, n, "::1") || bl_ieq(a, n, "::1/128") ||
         bl_ieq(a, n, "localhost") || bl_ieq(a, n, "samehost");
}

int bl_pg_hba(bl_sink *s, const bl_file *f) {
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *line;
  size_t n;
  int rc = 0;
  while (rc == 0 && bl_lines_next(&l, &line, &n)) {
    const char *hash = memchr(line, '#', n);
    if (hash) n = (size_t)(hash - line);
    const char *t[8];
    size_t tn[8], k = 0;
    while (k < 8 && bl_word(&line, &n, &t[k], &tn[k])) k++;
    if (k < 5 || !(tn[0] >= 4 && !memcmp(t[0], "host", 4))) continue;
    const char *addr = t[3], *method = t[4];
    size_t an = tn[3], mn = tn[4];
    /* "address mask method": an IP without a prefix length followed by a netmask */
    if (!memchr(addr, '/', an) && k >= 6 && (t[4][0] >= '0' && t[4][0] <= '9')) {
      method = t[5];
      mn = tn[5];
    }
    if (!bl_ieq(method, mn, "trust") || loopback(addr, an)) continue;
    bool any = bl_ieq(addr, an, "all") || bl_ieq(addr, an, "0.0.0.0/0") || bl_ieq(addr, an, "::/0") ||
               (bl_ieq(addr, an, "0.0.0.0") && k >= 6 && bl_ieq(t[4], tn[4], "0.0.0.0"));
    rc = bl_emit(s, &bl_service_checks[SVC_PG_TRUST], any ? BW_SEV_CRITICAL : BW_SEV_HIGH, f->path, l.lineno, f->layer,
                 "%.*s %.*s %.*s %.*s trust", (int)tn[0], t[0], (int)tn[1], t[1], (int)tn[2], t[2], (int)an, addr);
  }
  return rc;
}

/* --- Tomcat tomcat-users.xml ------------------------------------------------------------------ */

static bool tomcat_weak(const char *user, const char *pw, const char **why) {
  size_t n = strlen(pw);
  if (!n) {
    *why = "the password is empty";
    return true;
  }
  if (user && !strcmp(user, pw)) {
    *why = "the password equals the user name";
    return true;
  }
  static const char *const dflt[] = {"tomcat", "s3cret", "admin", "manager", "role1", "changeit", "<must-be-changed>",
                                     "password", "secret", NULL};
  for (size_t i = 0; dflt[i]; i++)
    if (!strcmp(pw, dflt[i])) {
      *why = "the password is a Tomcat default or example password";
      return true;
    }
  if (bl_common_password(pw, n)) {
    *why = "the password is in the common-password list";
    return true;
  }
  return false;
}

typedef struct tomcat_ctx {
  bl_sink *s;
  const bl_file *f;
} tomcat_ctx;

static int tomcat_ev(void *arg, const xml_ev *ev) {
  tomcat_ctx *c = arg;
  if (ev->kind != 1) return 0;
  const char *nm = ev->name;
  size_t nn = ev->nn;
  const char *colon = memchr(nm, ':', nn);
  if (colon) {
    nn -= (size_t)(colon + 1 - nm);
    nm = colon + 1;
  }
  if (!bl_ieq(nm, nn, "user")) return 0;
  const char *user = xml_attr_get(ev, "username");
  if (!user) user = xml_attr_get(ev, "name");
  const char *pw = xml_attr_get(ev, "password");
  const char *roles = xml_attr_get(ev, "roles");
  const char *why = NULL;
  if (!pw || !tomcat_weak(user, pw, &why)) return 0;
  static const char *const admin[] = {"manager-gui", "manager-script", "manager-jmx", "manager-status",
                                      "admin-gui", "admin-script", "manager", "admin", NULL};
  bool privileged = false;
  if (roles) {
    const char *p = roles;
    while (*p && !privileged) {
      size_t rn = strcspn(p, ",");
      const char *r = p;
      size_t m = rn;
      bw_trim(&r, &m);
      for (size_t i = 0; admin[i] && !privileged; i++) privileged = bl_ieq(r, m, admin[i]);
      p += rn + (p[rn] == ',');
    }
  }
  return bl_emit(c->s, &bl_service_checks[SVC_TOMCAT_WEAK], privileged ? -1 : BW_SEV_MEDIUM, c->f->path, ev->line,
                 c->f->layer, "user \"%s\" with roles \"%s\": %s", user ? user : "", roles ? roles : "", why);
}

int bl_tomcat_users(bl_sink *s, const bl_file *f) {
  tomcat_ctx c = {s, f};
  return xml_scan(f->data, f->len, tomcat_ev, &c);
}

/* --- Elasticsearch ----------------------------------------------------------------------------- */

typedef struct es_ctx {
  bl_sink *s;
  const bl_file *f;
} es_ctx;

static int es_kv(void *arg, const char *key, const char *v, size_t vn, uint32_t line) {
  es_ctx *c = arg;
  if (strcmp(key, "xpack.security.enabled") || !(bl_ieq(v, vn, "false") || bl_ieq(v, vn, "no") || bl_ieq(v, vn, "off")))
    return 0;
  return bl_emit(c->s, &bl_service_checks[SVC_ES_NOSEC], -1, c->f->path, line, c->f->layer,
                 "xpack.security.enabled: false");
}

int bl_elasticsearch(bl_sink *s, const bl_file *f) {
  es_ctx c = {s, f};
  size_t nkeys;
  return yaml_flat(f->data, f->len, es_kv, &c, &nkeys);
}

/* --- vsftpd ------------------------------------------------------------------------------------ */

int bl_vsftpd(bl_sink *s, const bl_file *f) {
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *line;
  size_t n;
  /* vsftpd's built-in defaults: anonymous_enable=YES, the write options NO */
  bool anon = true, write = false, upload = false, mkdir_w = false, other_w = false;
  uint32_t anon_line = 0;
  while (bl_lines_next(&l, &line, &n)) {
    bw_trim(&line, &n);
    const char *eq = memchr(line, '=', n);
    if (!n || line[0] == '#' || !eq) continue;
    const char *k = line, *v = eq + 1;
    size_t kn = (size_t)(eq - line), vn = n - kn - 1;
    bool y = bl_ieq(v, vn, "YES") || bl_ieq(v, vn, "TRUE") || bl_ieq(v, vn, "1");
    if (bl_ieq(k, kn, "anonymous_enable")) anon = y, anon_line = l.lineno;
    else if (bl_ieq(k, kn, "write_enable")) write = y;
    else if (bl_ieq(k, kn, "anon_upload_enable")) upload = y;
    else if (bl_ieq(k, kn, "anon_mkdir_write_enable")) mkdir_w = y;
    else if (bl_ieq(k, kn, "anon_other_write_enable")) other_w = y;
  }
  if (!anon) return 0;
  bool anon_write = write && (upload || mkdir_w || other_w);
  return bl_emit(s, &bl_service_checks[SVC_FTP_ANON], anon_write ? BW_SEV_HIGH : -1, f->path, anon_line, f->layer,
                 "%s%s", anon_line ? "anonymous_enable=YES" : "anonymous_enable not set (vsftpd's default is YES)",
                 anon_write ? "; anonymous users may write (write_enable and anon_upload/mkdir/other_write)" : "");
}

/* --- nginx ------------------------------------------------------------------------------------- */

int bl_nginx(bl_sink *s, const bl_file *f, bool *tokens_off) {
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *line;
  size_t n;
  int rc = 0;
  while (rc == 0 && bl_lines_next(&l, &line, &n)) {
    const char *hash = memchr(line, '#', n);
    if (hash) n = (size_t)(hash - line);
    /* statements separated by ';' (and blocks by braces) */
    const char *p = line, *e = line + n;
    while (p < e && rc == 0) {
      const char *semi = p;
      while (semi < e && *semi != ';' && *semi != '{' && *semi != '}') semi++;
      const char *st = p, *w, *v;
      size_t sn = (size_t)(semi - p), wn, vn;
      if (bl_word(&st, &sn, &w, &wn) && bl_word(&st, &sn, &v, &vn)) {
        if (bl_ieq(w, wn, "autoindex") && bl_ieq(v, vn, "on"))
          rc = bl_emit(s, &bl_service_checks[SVC_NGINX_AUTOINDEX], -1, f->path, l.lineno, f->layer, "autoindex on");
        else if (bl_ieq(w, wn, "server_tokens")) {
          if (bl_ieq(v, vn, "off")) *tokens_off = true;
          else
            rc = bl_emit(s, &bl_service_checks[SVC_NGINX_TOKENS], -1, f->path, l.lineno, f->layer, "server_tokens %.*s",
                         (int)vn, v);
        }
      }
      p = semi + 1;
    }
  }
  return rc;
}

/* --- Apache httpd ------------------------------------------------------------------------------ */

int bl_apache(bl_sink *s, const bl_file *f, bool *tokens_set) {
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *line, *w, *v;
  size_t n, wn, vn;
  int rc = 0;
  while (rc == 0 && bl_lines_next(&l, &line, &n)) {
    if (!bl_word(&line, &n, &w, &wn) || w[0] == '#') continue;
    if (bl_ieq(w, wn, "Options")) {
      while (bl_word(&line, &n, &v, &vn))
        if (bl_ieq(v, vn, "Indexes") || bl_ieq(v, vn, "+Indexes") || bl_ieq(v, vn, "All")) {
          rc = bl_emit(s, &bl_service_checks[SVC_APACHE_INDEXES], -1, f->path, l.lineno, f->layer, "Options ... %.*s",
                       (int)vn, v);
          break;
        }
    } else if (bl_ieq(w, wn, "ServerTokens") && bl_word(&line, &n, &v, &vn)) {
      *tokens_set = true;
      if (bl_ieq(v, vn, "Full") || bl_ieq(v, vn, "OS"))
        rc = bl_emit(s, &bl_service_checks[SVC_APACHE_TOKENS], -1, f->path, l.lineno, f->layer, "ServerTokens %.*s",
                     (int)vn, v);
    }
  }
  return rc;
}

/* --- memcached --------------------------------------------------------------------------------- */

int bl_memcached(bl_sink *s, const bl_file *f) {
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *line, *w, *v;
  size_t n, wn, vn;
  bool listen = false, all = false, sasl = false;
  uint32_t lline = 0;
  while (bl_lines_next(&l, &line, &n)) {
    if (!bl_word(&line, &n, &w, &wn) || w[0] == '#') continue;
    if (bl_ieq(w, wn, "-S") || bl_ieq(w, wn, "--enable-sasl")) sasl = true;
    else if (bl_ieq(w, wn, "-l") || bl_ieq(w, wn, "--listen")) {
      listen = true;
      lline = l.lineno;
      if (bl_word(&line, &n, &v, &vn)) {
        const char *p = v, *e = v + vn;
        while (p < e) {
          const char *c = memchr(p, ',', (size_t)(e - p));
          const char *t = c ? c : e;
          if (is_all_interfaces(p, (size_t)(t - p))) all = true;
          p = c ? c + 1 : e;
        }
      }
    }
  }
  if (sasl || (listen && !all)) return 0;
  return bl_emit(s, &bl_service_checks[SVC_MEMCACHED_OPEN], -1, f->path, lline, f->layer, "%s; no -S (SASL)",
                 listen ? "-l on all interfaces" : "no -l: listens on all interfaces");
}

/* --- ZooKeeper --------------------------------------------------------------------------------- */

int bl_zookeeper(bl_sink *s, const bl_file *f) {
  bl_lines l;
  bl_lines_init(&l, f->data, f->len);
  const char *line;
  size_t n;
  bool auth = false, all = true;
  uint32_t addr_line = 0;
  while (bl_lines_next(&l, &line, &n)) {
    bw_trim(&line, &n);
    const char *eq = memchr(line, '=', n);
    if (!n || line[0] == '#' || line[0] == '!' || !eq) continue;
    const char *k = line, *v = eq + 1;
    size_t kn = (size_t)(eq - line), vn = n - kn - 1;
    bw_trim(&k, &kn);
    bw_trim(&v, &vn);
    if (kn > 13 && !memcmp(k, "authProvider.", 13)) auth = true;
    else if ((bl_ieq(k, kn, "sessionRequireClientSASLAuth") || bl_ieq(k, kn, "enforce.auth.enabled")) && yes(v, vn))
      auth = true;
    else if (bl_ieq(k, kn, "clientPortAddress")) {
      all = is_all_interfaces(v, vn);
      addr_line = l.lineno;
    }
  }
  if (auth) return 0;
  return bl_emit(s, &bl_service_checks[SVC_ZK_NOAUTH], all ? -1 : BW_SEV_LOW, f->path, addr_line, f->layer,
                 "no authProvider configured%s", all ? "; clients accepted on all interfaces" : "");
}

/* --- Hadoop core-site.xml ---------------------------------------------------------------------- */

typedef struct hadoop_ctx {
  int in; /* 1 in <name>, 2 in <value> */
  char name[256], value[256];
  uint32_t line;
  bool found, simple;
  uint32_t simple_line;
} hadoop_ctx;

static int hadoop_ev(void *arg, const xml_ev *ev) {
  hadoop_ctx *c = arg;
  if (ev->kind == 1 && bl_ieq(ev->name, ev->nn, "property")) c->name[0] = c->value[0] = 0;
  else if (ev->kind == 1 && bl_ieq(ev->name, ev->nn, "name")) c->in = ev->self_closing ? 0 : 1;
  else if (ev->kind == 1 && bl_ieq(ev->name, ev->nn, "value")) c->in = ev->self_closing ? 0 : 2, c->line = ev->line;
  else if (ev->kind == 3 && c->in == 1) snprintf(c->name, sizeof c->name, "%s", ev->text);
  else if (ev->kind == 3 && c->in == 2) snprintf(c->value, sizeof c->value, "%s", ev->text);
  else if (ev->kind == 2) {
    c->in = 0;
    if (bl_ieq(ev->name, ev->nn, "property") && !strcmp(c->name, "hadoop.security.authentication")) {
      c->found = true;
      if (!strcmp(c->value, "simple") || !c->value[0]) c->simple = true, c->simple_line = c->line;
    }
  }
  return 0;
}

int bl_hadoop_core_site(bl_sink *s, const bl_file *f) {
  hadoop_ctx *c = calloc(1, sizeof *c);
  if (!c) return -BW_ENOMEM;
  int rc = xml_scan(f->data, f->len, hadoop_ev, c);
  if (rc == 0 && (c->simple || !c->found))
    rc = bl_emit(s, &bl_service_checks[SVC_HADOOP_SIMPLE], c->found ? -1 : BW_SEV_MEDIUM, f->path, c->simple_line,
                 f->layer, "%s",
                 c->found ? "hadoop.security.authentication = simple"
                          : "hadoop.security.authentication not set (Hadoop's default is simple: no authentication)");
  free(c);
  return rc;
}

/* --- dispatch --------------------------------------------------------------------------------- */

typedef struct svc_ctx {
  bl_sink *s;
  bool nginx_main, nginx_tokens_off, apache_main, apache_tokens_set;
  bl_file nginx_conf, apache_conf;
  const char *nginx_path, *apache_path;
} svc_ctx;

static int svc_each(void *arg, const bl_file *f) {
  svc_ctx *c = arg;
  int kind = bl_service_kind(f->path);
  /* sites and modules "available" are configuration only once linked into "enabled" */
  if ((kind == SK_NGINX || kind == SK_APACHE) && strstr(f->path, "-available/")) return 0;
  switch (kind) {
    case SK_REDIS: return bl_redis(c->s, f);
    case SK_MONGOD: return bl_mongod(c->s, f);
    case SK_MYSQL: return bl_mysql(c->s, f);
    case SK_PGHBA: return bl_pg_hba(c->s, f);
    case SK_TOMCAT: return bl_tomcat_users(c->s, f);
    case SK_ES: return bl_elasticsearch(c->s, f);
    case SK_VSFTPD: return bl_vsftpd(c->s, f);
    case SK_NGINX: {
      const char *b = strrchr(f->path, '/');
      if (b && !strcmp(b + 1, "nginx.conf") && !c->nginx_main) {
        c->nginx_main = true;
        c->nginx_conf = *f;
      }
      return bl_nginx(c->s, f, &c->nginx_tokens_off);
    }
    case SK_APACHE: {
      const char *b = strrchr(f->path, '/');
      b = b ? b + 1 : f->path;
      if ((!strcmp(b, "apache2.conf") || !strcmp(b, "httpd.conf")) && !c->apache_main) {
        c->apache_main = true;
        c->apache_conf = *f;
      }
      return bl_apache(c->s, f, &c->apache_tokens_set);
    }
    case SK_MEMCACHED: return bl_memcached(c->s, f);
    case SK_ZOO: return bl_zookeeper(c->s, f);
    case SK_HADOOP: return bl_hadoop_core_site(c->s, f);
    default: return 0;
  }
}

int bl_services(bl_sink *s, const bl_fs *fs) {
  svc_ctx c = {.s = s};
  int rc = fs->list(fs->ctx, "", svc_each, &c);
  if (rc == 0 && c.nginx_main && !c.nginx_tokens_off)
    rc = bl_emit(s, &bl_service_checks[SVC_NGINX_TOKENS], -1, c.nginx_conf.path, 0, c.nginx_conf.layer,
                 "server_tokens not set to off (nginx's default is on)");
  if (rc == 0 && c.apache_main && !c.apache_tokens_set)
    rc = bl_emit(s, &bl_service_checks[SVC_APACHE_TOKENS], -1, c.apache_conf.path, 0, c.apache_conf.layer,
                 "ServerTokens not set (Apache's default is Full)");
  if (rc == 0) rc = bl_sshd(s, fs, "etc/ssh/sshd_config");
  return rc;
}
