/* Secret scanner: one positive sample per rule (keys synthesised here with a fixed PRNG in each
 * vendor's documented shape, never real ones) fed through the real stream interface in chunks of
 * many sizes, the negatives that must stay silent (placeholders, examples, package paths, binaries),
 * redaction of every value, the keyword automaton, and user rules / allow entries from YAML. */
#include <stdint.h>
#include <time.h>

#include "analyze/stream_util.h"
#include "base/vec.h"
#include "baseline/secrets.h"
#include "baseline/secrets_ac.h"
#include "base/limits.h"
#include "layer/record.h"
#include "unit/test.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static char *rnd(const char *set, size_t n) {
  static char bufs[64][512];
  static int k;
  char *b = bufs[k++ % 64];
  size_t m = strlen(set);
  for (size_t i = 0; i < n; i++) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    b[i] = set[rng % m];
  }
  b[n] = 0;
  return b;
}
#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define UPNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#define B64 ALNUM "+/"
#define B64URL ALNUM "-_"

static void b64enc(const char *in, bool url, char *out) {
  const char *t = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                      : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen(in), o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)(uint8_t)in[i] << 16;
    if (i + 1 < n) v |= (uint32_t)(uint8_t)in[i + 1] << 8;
    if (i + 2 < n) v |= (uint8_t)in[i + 2];
    out[o++] = t[v >> 18 & 63];
    out[o++] = t[v >> 12 & 63];
    if (i + 1 < n) out[o++] = t[v >> 6 & 63];
    else if (!url) out[o++] = '=';
    if (i + 2 < n) out[o++] = t[v & 63];
    else if (!url) out[o++] = '=';
  }
  out[o] = 0;
}

typedef struct res {
  bw_arena *arena;
  bw_vec findings;
  uint64_t skipped;
  int rc;
} res;

static void scan(res *r, const char *path, const char *text, size_t chunk) {
  memset(r, 0, sizeof *r);
  r->arena = bw_arena_new();
  bw_vec_init(&r->findings, sizeof(bw_record_finding), 1000);
  bw_analyze_out out = {.arena = r->arena, .path = path, .findings = &r->findings, .skipped = &r->skipped};
  bw_error err = {0};
  r->rc = bw_stream_run(&bw_stream_secrets, path, (const uint8_t *)text, strlen(text), chunk, &out, &err);
}
static void done(res *r) {
  bw_vec_dispose(&r->findings);
  bw_arena_free(r->arena);
}
static const bw_record_finding *fin(res *r, size_t i) { return bw_vec_at(&r->findings, bw_record_finding, i); }
static const bw_record_finding *find_rule(res *r, const char *id) {
  for (size_t i = 0; i < r->findings.len; i++)
    if (strcmp(fin(r, i)->rule, id) == 0) return fin(r, i);
  return NULL;
}

typedef struct sample {
  const char *path;
  char text[2048];
  const char *rule[3];
  uint32_t line[3];
  char values[4][512]; /* planted values: must never appear in evidence */
} sample;

static sample S[40];
static size_t NS;

static sample *add(const char *path) {
  sample *s = &S[NS++];
  memset(s, 0, sizeof *s);
  s->path = path;
  return s;
}

static void build_samples(void) {
  sample *s;
  char *v1, *v2, tmp[512];
  /* Alibaba: .env with an unquoted secret */
  s = add("app/.env");
  v1 = rnd(ALNUM, 20), v2 = rnd(ALNUM, 30);
  snprintf(s->text, sizeof s->text, "# cloud\nALIBABA_CLOUD_ACCESS_KEY_ID=LTAI%s\nALIBABA_CLOUD_ACCESS_KEY_SECRET=%s\n", v1, v2);
  s->rule[0] = "BW-SEC-001", s->line[0] = 2, s->rule[1] = "BW-SEC-002", s->line[1] = 3;
  snprintf(s->values[0], 512, "LTAI%s", v1), snprintf(s->values[1], 512, "%s", v2);
  /* Alibaba: a secret only near its id (no telling key name) */
  s = add("srv/app/settings.txt");
  v1 = rnd(ALNUM, 16), v2 = rnd(ALNUM, 30);
  snprintf(s->text, sizeof s->text, "ak: LTAI%s\nsk: %s\n", v1, v2);
  s->rule[0] = "BW-SEC-001", s->line[0] = 1, s->rule[1] = "BW-SEC-002", s->line[1] = 2;
  snprintf(s->values[0], 512, "LTAI%s", v1), snprintf(s->values[1], 512, "%s", v2);
  /* AWS credentials file */
  s = add("root/.aws/credentials");
  v1 = rnd(UPNUM, 16), v2 = rnd(B64, 40);
  snprintf(s->text, sizeof s->text, "[default]\naws_access_key_id = AKIA%s\naws_secret_access_key = %s\nregion = eu-west-1\n", v1, v2);
  s->rule[0] = "BW-SEC-003", s->line[0] = 2, s->rule[1] = "BW-SEC-004", s->line[1] = 3;
  snprintf(s->values[0], 512, "AKIA%s", v1), snprintf(s->values[1], 512, "%s", v2);
  /* Tencent */
  s = add("opt/app/tencent.ini");
  v1 = rnd(ALNUM, 32), v2 = rnd(ALNUM, 32);
  snprintf(s->text, sizeof s->text, "[credential]\nSecretId = AKID%s\nSecretKey = %s\n", v1, v2);
  s->rule[0] = "BW-SEC-005", s->line[0] = 2, s->rule[1] = "BW-SEC-006", s->line[1] = 3;
  snprintf(s->values[0], 512, "AKID%s", v1), snprintf(s->values[1], 512, "%s", v2);
  /* Huawei credentials.csv */
  s = add("home/bob/credentials.csv");
  v1 = rnd(UPNUM, 20), v2 = rnd(ALNUM, 40);
  snprintf(s->text, sizeof s->text, "User Name,Access Key Id,Secret Access Key\nbob,%s,%s\n", v1, v2);
  s->rule[0] = "BW-SEC-007", s->line[0] = 2;
  snprintf(s->values[0], 512, "%s", v1), snprintf(s->values[1], 512, "%s", v2);
  /* GCP service account */
  s = add("app/sa.json");
  v1 = rnd(B64, 64);
  snprintf(s->text, sizeof s->text,
           "{\n  \"type\": \"service_account\",\n  \"project_id\": \"demo\",\n  \"private_key_id\": \"%s\",\n"
           "  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n%s\\n%s\\n-----END PRIVATE KEY-----\\n\",\n}\n",
           rnd("0123456789abcdef", 40), v1, rnd(B64, 64));
  s->rule[0] = "BW-SEC-008", s->line[0] = 5;
  snprintf(s->values[0], 512, "%s", v1);
  /* Azure storage connection string */
  s = add("app/appsettings.json");
  v1 = rnd(B64, 86);
  snprintf(s->text, sizeof s->text,
           "{\"Storage\": \"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=%s==;EndpointSuffix=core.windows.net\"}\n", v1);
  s->rule[0] = "BW-SEC-009", s->line[0] = 1;
  snprintf(s->values[0], 512, "%s", v1);
  /* GitHub classic and fine-grained */
  s = add("app/deploy.sh");
  v1 = rnd(ALNUM, 36), v2 = rnd(ALNUM "_", 82);
  snprintf(s->text, sizeof s->text, "#!/bin/sh\ngit clone https://x:ghp_%s@github.com/o/r\nexport GH=github_pat_%s\n", v1, v2);
  s->rule[0] = "BW-SEC-010", s->line[0] = 2, s->rule[1] = "BW-SEC-010", s->line[1] = 3;
  snprintf(s->values[0], 512, "ghp_%s", v1), snprintf(s->values[1], 512, "github_pat_%s", v2);
  /* GitLab */
  s = add("app/ci.txt");
  v1 = rnd(ALNUM, 20);
  snprintf(s->text, sizeof s->text, "token glpat-%s\n", v1);
  s->rule[0] = "BW-SEC-011", s->line[0] = 1;
  snprintf(s->values[0], 512, "glpat-%s", v1);
  /* Slack token and webhook */
  s = add("app/slack.py");
  v1 = rnd(ALNUM, 24), v2 = rnd(ALNUM, 24);
  snprintf(s->text, sizeof s->text, "BOT = 'xoxb-%s-%s-%s'\nHOOK = 'https://hooks.slack.com/services/T%s/B%s/%s'\n",
           rnd("0123456789", 12), rnd("0123456789", 13), v1, rnd(UPNUM, 10), rnd(UPNUM, 10), v2);
  s->rule[0] = "BW-SEC-012", s->line[0] = 1, s->rule[1] = "BW-SEC-013", s->line[1] = 2;
  snprintf(s->values[0], 512, "%s", v1), snprintf(s->values[1], 512, "%s", v2);
  /* Stripe */
  s = add("app/pay.rb");
  v1 = rnd(ALNUM, 32);
  snprintf(s->text, sizeof s->text, "Stripe.api_key = \"sk_live_%s\"\n", v1);
  s->rule[0] = "BW-SEC-014", s->line[0] = 1;
  snprintf(s->values[0], 512, "sk_live_%s", v1);
  /* PyPI token */
  s = add("app/upload.sh");
  v1 = rnd(B64URL, 80);
  snprintf(s->text, sizeof s->text, "twine upload -u __token__ -p pypi-AgEIcHlwaS5vcmc%s dist/*\n", v1);
  s->rule[0] = "BW-SEC-015", s->line[0] = 1;
  snprintf(s->values[0], 512, "%s", v1);
  /* Docker config.json */
  s = add("root/.docker/config.json");
  snprintf(tmp, sizeof tmp, "robot:%s", rnd(ALNUM, 24));
  char auth[600];
  b64enc(tmp, false, auth);
  snprintf(s->text, sizeof s->text, "{\n\t\"auths\": {\n\t\t\"registry.internal:5000\": {\n\t\t\t\"auth\": \"%s\"\n\t\t}\n\t}\n}\n", auth);
  s->rule[0] = "BW-SEC-016", s->line[0] = 4;
  snprintf(s->values[0], 512, "%s", auth), snprintf(s->values[1], 512, "%s", tmp + 6);
  /* kubeconfig */
  s = add("root/.kube/config");
  b64enc("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA", false, tmp);
  v1 = rnd(B64, 60);
  snprintf(s->text, sizeof s->text,
           "apiVersion: v1\nclusters: []\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: %s%s\n"
           "- name: bot\n  user:\n    token: %s\n",
           tmp, v1, v2 = rnd(B64URL, 40));
  s->rule[0] = "BW-SEC-017", s->line[0] = 7, s->rule[1] = "BW-SEC-017", s->line[1] = 10;
  snprintf(s->values[0], 512, "%s", v1), snprintf(s->values[1], 512, "%s", v2);
  /* .npmrc */
  s = add("home/node/.npmrc");
  v1 = rnd(ALNUM, 36);
  snprintf(s->text, sizeof s->text, "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=npm_%s\n", v1);
  s->rule[0] = "BW-SEC-018", s->line[0] = 2;
  snprintf(s->values[0], 512, "npm_%s", v1);
  /* .pypirc */
  s = add("root/.pypirc");
  v1 = rnd(ALNUM, 14);
  snprintf(s->text, sizeof s->text, "[distutils]\nindex-servers = pypi\n[pypi]\nusername = bob\npassword = %s\n", v1);
  s->rule[0] = "BW-SEC-019", s->line[0] = 5;
  snprintf(s->values[0], 512, "%s", v1);
  /* JWT */
  s = add("app/token.txt");
  char h[128], p[128];
  b64enc("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", true, h);
  b64enc("{\"sub\":\"1234567890\",\"name\":\"svc\"}", true, p);
  v1 = rnd(B64URL, 43);
  snprintf(s->text, sizeof s->text, "Authorization: Bearer %s.%s.%s\n", h, p, v1);
  s->rule[0] = "BW-SEC-020", s->line[0] = 1;
  snprintf(s->values[0], 512, "%s", p), snprintf(s->values[1], 512, "%s", v1);
  /* PEM, OpenSSH, PGP */
  s = add("etc/ssl/private/server.key");
  v1 = rnd(B64, 64);
  snprintf(s->text, sizeof s->text, "-----BEGIN RSA PRIVATE KEY-----\nMIIEpA%s\n%s\n-----END RSA PRIVATE KEY-----\n", v1, rnd(B64, 64));
  s->rule[0] = "BW-SEC-021", s->line[0] = 1;
  snprintf(s->values[0], 512, "%s", v1);
  s = add("root/.ssh/id_ed25519");
  v1 = rnd(B64, 50);
  snprintf(s->text, sizeof s->text, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA%s\n-----END OPENSSH PRIVATE KEY-----\n", v1);
  s->rule[0] = "BW-SEC-022", s->line[0] = 1;
  snprintf(s->values[0], 512, "%s", v1);
  s = add("root/secret.asc");
  v1 = rnd(B64, 64);
  snprintf(s->text, sizeof s->text, "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF%s\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----\n", v1);
  s->rule[0] = "BW-SEC-023", s->line[0] = 1;
  snprintf(s->values[0], 512, "%s", v1);
  /* Connection string, .git-credentials */
  s = add("app/docker-compose.yml");
  v1 = rnd(ALNUM "!#", 18);
  snprintf(s->text, sizeof s->text, "services:\n  web:\n    environment:\n      - DATABASE_URL=postgres://app:%s@db:5432/app\n", v1);
  s->rule[0] = "BW-SEC-024", s->line[0] = 4;
  snprintf(s->values[0], 512, "%s", v1);
  s = add("root/.git-credentials");
  v1 = rnd(ALNUM, 20);
  snprintf(s->text, sizeof s->text, "https://bob:%s@git.internal.io\n", v1);
  s->rule[0] = "BW-SEC-024", s->line[0] = 1;
  snprintf(s->values[0], 512, "%s", v1);
  /* Generic password in a config file */
  s = add("opt/svc/conf/app.yaml");
  v1 = rnd(ALNUM, 16);
  snprintf(s->text, sizeof s->text, "db:\n  host: db\n  db_password: \"%s\"\n", v1);
  s->rule[0] = "BW-SEC-025", s->line[0] = 3;
  snprintf(s->values[0], 512, "%s", v1);
}

static void check_sample(const sample *s, size_t chunk) {
  res r;
  scan(&r, s->path, s->text, chunk);
  CHECK(r.rc == 1);
  size_t want = 0;
  for (size_t k = 0; k < 3 && s->rule[k]; k++) {
    want++;
    bool ok = false;
    for (size_t i = 0; i < r.findings.len; i++)
      ok |= strcmp(fin(&r, i)->rule, s->rule[k]) == 0 && fin(&r, i)->line == s->line[k];
    if (!ok) fprintf(stderr, "%s (chunk %zu): no %s at line %u\n", s->path, chunk, s->rule[k], s->line[k]);
    CHECK(ok);
  }
  if (r.findings.len != want) {
    fprintf(stderr, "%s (chunk %zu): %zu findings, want %zu\n", s->path, chunk, r.findings.len, want);
    for (size_t i = 0; i < r.findings.len; i++) fprintf(stderr, "  %s line %u: %s\n", fin(&r, i)->rule, fin(&r, i)->line, fin(&r, i)->evidence);
  }
  CHECK(r.findings.len == want);
  /* Redaction: no value, and no 8 characters of a value past its first four. */
  for (size_t i = 0; i < r.findings.len; i++) {
    const bw_record_finding *f = fin(&r, i);
    CHECK(f->evidence && f->title && f->remediation && f->category && f->kind == BW_FINDING_SECRET);
    for (size_t v = 0; v < 4 && s->values[v][0]; v++) {
      size_t n = strlen(s->values[v]);
      bool leak = strstr(f->evidence, s->values[v]) != NULL;
      if (n >= 12) {
        char part[9];
        memcpy(part, s->values[v] + 4, 8);
        part[8] = 0;
        leak |= strstr(f->evidence, part) != NULL;
      }
      if (leak) fprintf(stderr, "%s: evidence leaks a value: %s\n", s->path, f->evidence);
      CHECK(!leak);
    }
  }
  done(&r);
}

static void test_positives(void) {
  static const size_t chunks[] = {0, 1, 2, 3, 5, 7, 13, 64, 100};
  for (size_t i = 0; i < NS; i++)
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) check_sample(&S[i], chunks[c]);
}

/* All samples in one file, with filler lines: every rule through one automaton pass. */
static void test_combined(void) {
  static char big[65536];
  size_t o = 0;
  uint32_t base = 0;
  for (size_t i = 0; i < NS; i++) {
    for (int k = 0; k < 3; k++) o += (size_t)snprintf(big + o, sizeof big - o, "filler line %d with nothing in it\n", k);
    base += 3;
    o += (size_t)snprintf(big + o, sizeof big - o, "%s", S[i].text);
    for (const char *c = S[i].text; *c; c++) base += *c == '\n';
  }
  (void)base;
  res r;
  scan(&r, "app/.env", big, 4096);
  size_t want = 0;
  for (size_t i = 0; i < NS; i++)
    for (size_t k = 0; k < 3 && S[i].rule[k]; k++) {
      want++;
      bool ok = find_rule(&r, S[i].rule[k]) != NULL;
      if (!ok) fprintf(stderr, "combined: no %s\n", S[i].rule[k]);
      CHECK(ok || !strcmp(S[i].rule[k], "BW-SEC-019") || !strcmp(S[i].rule[k], "BW-SEC-016"));
    }
  CHECK(r.findings.len >= want - 2); /* file-scoped context (pypirc, kubeconfig path) differs in one file */
  done(&r);
}

static size_t count(const char *path, const char *text) {
  res r;
  scan(&r, path, text, 0);
  size_t n = r.rc == 1 ? r.findings.len : 0;
  for (size_t i = 0; i < r.findings.len; i++)
    fprintf(stderr, "  (negative %s) %s line %u: %s\n", path, fin(&r, i)->rule, fin(&r, i)->line, fin(&r, i)->evidence);
  done(&r);
  return n;
}

static void test_negatives(void) {
  CHECK(count("app/.env", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n") == 0);
  CHECK(count("app/.env", "DB_PASSWORD=changeme\nAPI_KEY=${API_KEY}\nSECRET=<your-secret>\nTOKEN=xxxxxxxxxxxx\n") == 0);
  CHECK(count("app/.env", "PASSWORD=***\nSECRET_KEY=your_secret_key_here\npassword=password\nDB_PASS=test1234test\n") == 0);
  CHECK(count("app/config.yaml", "password_file: /run/secrets/db\ntoken_url: https://auth.internal/token\n") == 0);
  CHECK(count("app/main.py", "url = 'http://user:password@example.com/path'\nproxy = 'http://joe:pass@proxy'\n") == 0);
  CHECK(count("app/main.py", "u = f'postgres://{user}:{password}@{host}/db'\nv = 'mysql://root:$PASS@db/x'\n") == 0);
  CHECK(count("app/lib.js", "const PEM = '-----BEGIN RSA PRIVATE KEY-----';\nif (x) return;\n") == 0);
  CHECK(count("app/lib.js", "// token: ghp_short\nconst t = 'ghp_' + id;\n") == 0);
  CHECK(count("app/notes.txt", "token: abcdefghijklmnopqrstuvwxyz0123456789\n") == 0); /* not a kubeconfig */
  CHECK(count("app/main.py", "secret = 'Zq8vN2mX4kP9rT1wY6bC'\n") == 0); /* generic rule: env/config files only */
  CHECK(count("usr/lib/python3/dist-packages/x/conf.yaml", "password: Zq8vN2mX4kP9rT1wY6bC\n") == 0);
  CHECK(count("app/x.txt", "eyJhbGciOiJub25lIn0 is not a jwt; eyJmb28iOiJiYXIifQ.eyJmb28iOiJiYXIifQ.abcdefghijklmnopqrstu\n") == 0);
  CHECK(count("app/.docker/config.json", "{\"auths\": {\"r\": {\"auth\": \"\"}}, \"credsStore\": \"desktop\"}\n") == 0);
  char az[256];
  snprintf(az, sizeof az, "UseDevelopmentStorage=true;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==\n");
  CHECK(count("app/x.config", az) == 0);
  /* paths and binaries that are not offered */
  res r;
  scan(&r, "usr/share/doc/pkg/README", "aws_secret_access_key = AKIAABCDEFGHIJKLMNOP\n", 0);
  CHECK(r.rc == 0);
  done(&r);
  char bin[128] = "\x7f" "ELF\x02\x01\x01";
  memcpy(bin + 8, " ghp_", 5);
  scan(&r, "app/bin", bin, 0);
  CHECK(r.rc == 0 || r.findings.len == 0);
  done(&r);
  scan(&r, "usr/lib/python3/dist-packages/paramiko/tests/test_rsa.key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", 0);
  CHECK(r.rc == 0);
  done(&r);
  static const char *const skipped[] = {"var/lib/apt/lists/deb_dists_bookworm_main_binary-amd64_Packages",
                                        "usr/share/go-1.19/src/crypto/tls/handshake_test.go",
                                        "usr/lib/python3.11/urllib/request.py", "usr/lib/llvm-14/include/x.h",
                                        "usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO", NULL};
  for (size_t i = 0; skipped[i]; i++) {
    scan(&r, skipped[i], "token = ghp_abcdefghijklmnopqrstuvwxyz0123456789\n", 0);
    CHECK(r.rc == 0);
    done(&r);
  }
  scan(&r, "usr/lib/python3.11/site-packages/app/settings.py", "x = 1\n", 0);
  CHECK(r.rc == 1); /* pip-installed packages under the stdlib dir are scanned */
  done(&r);
  /* a URL password in a comment of package-provided code is documentation; in an app it is a leak */
  char url[128];
  snprintf(url, sizeof url, "#     http://jschmoe:%s@www.bogus.net:8000/foo\n", rnd(ALNUM, 12));
  CHECK(count("usr/share/tcltk/tcl8.6/tcl8/http-2.9.8.tm", url) == 0);
  CHECK(count("srv/app/fetch.tcl", url) == 1);
}

static void test_long_lines(void) {
  /* A key after 100 KiB of a single line is still found (pieces of the line), and the evidence is short. */
  size_t n = 100 * 1024;
  char *buf = malloc(n + 200);
  memset(buf, 'a', n);
  char *tok = rnd(ALNUM, 36);
  snprintf(buf + n, 200, " ghp_%s tail\nnext\n", tok);
  res r;
  scan(&r, "app/min.js", buf, 4096);
  CHECK(r.findings.len == 1);
  if (r.findings.len == 1) {
    CHECK(strlen(fin(&r, 0)->evidence) <= BW_LIMIT_SECRET_EVIDENCE + 8);
    CHECK(strstr(fin(&r, 0)->evidence, tok) == NULL);
    CHECK(fin(&r, 0)->line == 1);
  }
  done(&r);
  free(buf);
  /* hostile lines: one keyword repeated over 64 KiB costs linear time */
  static const char *const reps[] = {"github_pat_", "token=\"", "://a:b", "eyJhbGciOi.", "-----BEGIN ", "LTAI",
                                     "\"auth\": \"", "password=", NULL};
  for (size_t k = 0; reps[k]; k++) {
    size_t rl = strlen(reps[k]), total = 60 * 1024;
    char *h = malloc(total + 2);
    for (size_t i = 0; i < total; i++) h[i] = reps[k][i % rl];
    h[total] = '\n';
    h[total + 1] = 0;
    clock_t t0 = clock();
    scan(&r, "app/.env", h, 0);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (secs > 2.0) fprintf(stderr, "repeated \"%s\": %.2f s\n", reps[k], secs);
    CHECK(secs < 2.0);
    done(&r);
    free(h);
  }
  /* over the size cap: counted as skipped, not scanned */
  bw_arena *a = bw_arena_new();
  bw_vec f;
  bw_vec_init(&f, sizeof(bw_record_finding), 10);
  uint64_t skipped = 0;
  bw_analyze_out out = {.arena = a, .path = "app/huge.txt", .findings = &f, .skipped = &skipped};
  void *st = NULL;
  bw_error err = {0};
  CHECK(bw_stream_secrets.open(&st, "app/huge.txt", (uint64_t)BW_LIMIT_SECRET_FILE_BYTES + 1, &err) == 0);
  CHECK(bw_stream_secrets.feed(st, (const uint8_t *)"ghp_aaaa\n", 9, &err) == 0);
  CHECK(bw_stream_secrets.finish(st, &out, &err) == 0);
  bw_stream_secrets.close(st);
  CHECK(skipped == 1 && f.len == 0);
  bw_vec_dispose(&f);
  bw_arena_free(a);
}

static int ac_hit(void *ctx, uint32_t kw, size_t end) {
  uint32_t *c = ctx;
  c[kw]++;
  c[10] += (uint32_t)end;
  return 0;
}

static void test_automaton(void) {
  const char *kw[] = {"he", "she", "his", "hers", "-----BEGIN"};
  bw_error err = {0};
  bw_ac *ac = bw_ac_build(kw, 5, &err);
  CHECK(ac != NULL);
  uint32_t c[11] = {0}, st = 0;
  const char *t = "uSHErs and HIS -----begin";
  bw_ac_scan(ac, &st, (const uint8_t *)t, strlen(t), ac_hit, c);
  CHECK(c[0] == 1 && c[1] == 1 && c[2] == 1 && c[3] == 1 && c[4] == 1);
  /* across buffers: the state carries on */
  memset(c, 0, sizeof c);
  st = 0;
  bw_ac_scan(ac, &st, (const uint8_t *)"xs", 2, ac_hit, c);
  bw_ac_scan(ac, &st, (const uint8_t *)"hey", 3, ac_hit, c);
  CHECK(c[1] == 1 && c[0] == 1);
  bw_ac_free(ac);
  const char *bad[] = {""};
  CHECK(bw_ac_build(bad, 1, &err) == NULL);
}

static void test_config(void) {
  bw_error err = {0};
  const char *yml =
      "rules:\n"
      "  - id: ACME-001\n"
      "    title: ACME API key\n"
      "    severity: HIGH\n"
      "    keywords: [acme_live_]\n"
      "    regex: 'acme_live_([a-z0-9]{24})'\n"
      "allow:\n"
      "  - path: 'app/fixtures/*'\n"
      "  - regex: '^ghp_0{10}'\n";
  CHECK(bw_secrets_configure_buf("test.yaml", (const uint8_t *)yml, strlen(yml), &err) == 0);
  char line[256];
  char *v = rnd("abcdefghijklmnopqrstuvwxyz0123456789", 24);
  snprintf(line, sizeof line, "key = acme_live_%s\n", v);
  res r;
  scan(&r, "app/a.txt", line, 3);
  CHECK(r.findings.len == 1 && strcmp(fin(&r, 0)->rule, "ACME-001") == 0);
  if (r.findings.len == 1) {
    CHECK(strstr(fin(&r, 0)->evidence, v) == NULL);
    CHECK(fin(&r, 0)->severity == 3);
  }
  done(&r);
  scan(&r, "app/fixtures/a.txt", line, 0);
  CHECK(r.rc == 0); /* allowed path */
  done(&r);
  snprintf(line, sizeof line, "t = ghp_0000000000%s\n", rnd(ALNUM, 26));
  CHECK(count("app/b.txt", line) == 0); /* allowed value */
  /* built-in rules still there */
  snprintf(line, sizeof line, "t = ghp_%s\n", rnd(ALNUM, 36));
  CHECK(count("app/b.txt", line) == 1);
  /* errors */
  const char *bad[] = {"rules: [{id: X, keywords: [a], regex: '(' }]\n", "rules: [{id: X, regex: 'a'}]\n",
                       "rules: [{id: X, keywords: [a], regex: a, severity: SUPER}]\n", "rules: {a: b}\n", "[: x\n",
                       "allow: [{}]\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    bw_error e = {0};
    CHECK(bw_secrets_configure_buf("bad.yaml", (const uint8_t *)bad[i], strlen(bad[i]), &e) < 0);
    CHECK(e.msg[0] != 0);
  }
  /* the failed loads kept the previous configuration; reset goes back to the built-ins */
  snprintf(line, sizeof line, "key = acme_live_%s\n", v);
  CHECK(count("app/a.txt", line) == 1);
  CHECK(bw_secrets_configure(NULL, &err) == 0);
  CHECK(count("app/a.txt", line) == 0);
}

int main(void) {
  build_samples();
  test_positives();
  test_combined();
  test_negatives();
  test_long_lines();
  test_automaton();
  test_config();
  return test_finish();
}
