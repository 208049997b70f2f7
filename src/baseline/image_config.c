/* Image config checks (CIS Docker Benchmark §4, Dockle): the user the image runs as, HEALTHCHECK,
 * secrets in ENV, labels and build history, remote ADD, sudo, curl|sh, package caches left in a
 * layer, SSH exposed. Reads the config JSON only. */
#include <string.h>

#include "baseline/internal.h"
#include "vuln/vulndb.h"

enum { IMG_ROOT, IMG_HEALTH, IMG_ENV, IMG_LABEL, IMG_HISTORY, IMG_ADD, IMG_SUDO, IMG_PIPE, IMG_CACHE, IMG_SSH };

const bl_check bl_image_checks[] = {
    [IMG_ROOT] = {"BW-IMG-001", "image_config", BW_SEV_MEDIUM, "Image runs as root",
                  "Create an unprivileged user (RUN useradd -r app) and switch to it with USER app (or a "
                  "numeric USER 10001) before the entrypoint; run as root only when the process must, and "
                  "then drop privileges in the entrypoint."},
    [IMG_HEALTH] = {"BW-IMG-002", "image_config", BW_SEV_LOW, "No HEALTHCHECK in the image",
                    "Add a HEALTHCHECK instruction (e.g. HEALTHCHECK CMD curl -f http://localhost:8080/health "
                    "|| exit 1) so the runtime can detect and restart a hung container."},
    [IMG_ENV] = {"BW-IMG-003", "image_config", BW_SEV_HIGH, "Secret in an ENV variable of the image",
                 "Remove the value from the image: pass it at run time (docker run -e, an orchestrator "
                 "secret, a mounted file such as /run/secrets/NAME) and rotate the exposed secret, since "
                 "every copy of the image carries it."},
    [IMG_LABEL] = {"BW-IMG-004", "image_config", BW_SEV_HIGH, "Secret in an image label",
                   "Remove the label (labels are public metadata of the image) and rotate the secret."},
    [IMG_HISTORY] = {"BW-IMG-005", "image_config", BW_SEV_HIGH, "Secret in the build history",
                     "Do not pass secrets as build arguments or on RUN command lines: they are recorded in "
                     "the image history. Use BuildKit secret mounts (RUN --mount=type=secret,id=NAME) and "
                     "rotate the exposed secret."},
    [IMG_ADD] = {"BW-IMG-006", "image_config", BW_SEV_MEDIUM, "ADD of a remote URL",
                 "Download with RUN curl -fsSLO URL and verify a checksum (or ADD --checksum=sha256:...), "
                 "or COPY a file vetted outside the build; ADD fetches whatever the server returns."},
    [IMG_SUDO] = {"BW-IMG-007", "image_config", BW_SEV_LOW, "sudo used in the build",
                  "Build steps already run as root (or switch with USER): drop sudo from RUN commands and do "
                  "not install sudo in the image."},
    [IMG_PIPE] = {"BW-IMG-008", "image_config", BW_SEV_MEDIUM, "Remote script piped into a shell",
                  "Download the script, verify its checksum or signature, then run it; or install the "
                  "software from a package repository."},
    [IMG_CACHE] = {"BW-IMG-009", "image_config", BW_SEV_LOW, "Package manager cache left in a layer",
                   "Clean in the same RUN: apt-get install ... && rm -rf /var/lib/apt/lists/*; apk add "
                   "--no-cache ...; yum/dnf install ... && yum/dnf clean all."},
    [IMG_SSH] = {"BW-IMG-010", "image_config", BW_SEV_MEDIUM, "SSH port 22 exposed",
                 "Do not run sshd in a container: use docker exec / kubectl exec for access, and remove "
                 "EXPOSE 22."},
};
const size_t bl_n_image_checks = sizeof bl_image_checks / sizeof bl_image_checks[0];

/* --- secret-looking names and values -------------------------------------------------------- */

static bool tok_is(const char *t, size_t n, const char *w) { return bl_ieq(t, n, w); }

/* A name whose value is a secret: DB_PASSWORD, api-key, aws.secret.access.key, GITHUB_TOKEN.
 * Tokens split on '_', '-', '.'; names that only refer to a secret (..._FILE, _PATH) or describe
 * one (PASSWORD_MIN_LENGTH, TOKEN_TTL) are not. */
bool bl_secret_name(const char *k, size_t n) {
  const char *tok[16];
  size_t tn[16], nt = 0;
  size_t i = 0;
  while (i < n && nt < 16) {
    while (i < n && (k[i] == '_' || k[i] == '-' || k[i] == '.')) i++;
    size_t b = i;
    while (i < n && k[i] != '_' && k[i] != '-' && k[i] != '.') i++;
    if (i > b) {
      tok[nt] = k + b;
      tn[nt++] = i - b;
    }
  }
  if (nt == 0) return false;
  static const char *const tail_ok[] = {"file", "path", "dir", "url", "uri", "length", "len", "min", "max",
                                        "expiry", "expires", "ttl", "timeout", "enabled", "enable", "required",
                                        "policy", "type", "name", "user", "username", "header", "env", "var",
                                        "endpoint", "host", "port", "mode", "algorithm", "hash", "id", "version",
                                        "format", "prompt", "command", "cmd", "method", "provider", "location",
                                        "secure", "validity", "count", "size", "store", NULL};
  for (size_t j = 0; tail_ok[j]; j++)
    if (tok_is(tok[nt - 1], tn[nt - 1], tail_ok[j])) return false;
  static const char *const word[] = {"password", "passwd", "pass", "pwd", "secret", "token", "apikey",
                                     "credential", "credentials", "privatekey", "secretkey", "accesskey", NULL};
  for (size_t t = 0; t < nt; t++) {
    for (size_t j = 0; word[j]; j++)
      if (tok_is(tok[t], tn[t], word[j])) {
        /* PWD and OLDPWD alone are the shell's working directory */
        if (nt == 1 && (tok_is(tok[0], tn[0], "pwd") || tok_is(tok[0], tn[0], "pass"))) return false;
        return true;
      }
    if (t + 1 < nt && tok_is(tok[t + 1], tn[t + 1], "key") &&
        (tok_is(tok[t], tn[t], "api") || tok_is(tok[t], tn[t], "access") || tok_is(tok[t], tn[t], "private") ||
         tok_is(tok[t], tn[t], "secret") || tok_is(tok[t], tn[t], "auth") || tok_is(tok[t], tn[t], "encryption") ||
         tok_is(tok[t], tn[t], "master") || tok_is(tok[t], tn[t], "signing")))
      return true;
  }
  return false;
}

/* A value that is itself a secret rather than a reference or a flag. */
bool bl_secret_value(const char *v, size_t n) {
  if (n < 3) return false;
  if (v[0] == '/' || v[0] == '$' || v[0] == '<' || v[0] == '{' || v[0] == '%') return false;
  static const char *const flag[] = {"true", "false", "yes", "no", "none", "null", "nil", "changeit_not", "disabled",
                                     "enabled", "empty", "unset", "required", NULL};
  for (size_t i = 0; flag[i]; i++)
    if (bl_ieq(v, n, flag[i])) return false;
  return true;
}

/* "scheme://user:password@host": the password's span, or false. */
static bool url_password(const char *s, size_t n, size_t *pb, size_t *pe) {
  for (size_t i = 0; i + 3 < n; i++) {
    if (memcmp(s + i, "://", 3)) continue;
    size_t j = i + 3, colon = 0;
    for (; j < n && s[j] != '@' && s[j] != '/' && s[j] != ' ' && s[j] != '"' && s[j] != '\''; j++)
      if (s[j] == ':' && !colon) colon = j;
    if (j < n && s[j] == '@' && colon && j > colon + 1) {
      *pb = colon + 1;
      *pe = j;
      return true;
    }
  }
  return false;
}

/* A copy of a command line with secret values masked (KEY=VALUE with a secret name, passwords in
 * URLs), clipped for evidence. */
static const char *redact_cmd(bw_arena *a, const char *s, size_t n, size_t max) {
  char buf[1024];
  size_t k = 0;
  for (size_t i = 0; i < n && k + 8 < sizeof buf && k < max;) {
    if (s[i] == '=') {
      size_t b = i;
      while (b > 0 && (s[b - 1] == '_' || s[b - 1] == '-' || s[b - 1] == '.' || (s[b - 1] >= '0' && s[b - 1] <= '9') ||
                       ((s[b - 1] | 32) >= 'a' && (s[b - 1] | 32) <= 'z')))
        b--;
      if (i > b && bl_secret_name(s + b, i - b)) {
        size_t e = i + 1;
        while (e < n && s[e] != ' ' && s[e] != '\t') e++;
        memcpy(buf + k, "=****", 5);
        k += 5;
        i = e;
        continue;
      }
    }
    size_t pb, pe;
    if (s[i] == ':' && i + 3 < n && !memcmp(s + i, "://", 3) && url_password(s + i, n - i, &pb, &pe)) {
      size_t start = i; /* copy "://user:" then mask the password */
      while (i < start + pb && k + 8 < sizeof buf) buf[k++] = s[i++];
      memcpy(buf + k, "****", 4);
      k += 4;
      i = start + pe;
      continue;
    }
    /* curl -u user:password, --user user:password, "Bearer TOKEN", "token TOKEN" */
    static const char *const lead[] = {"-u ", "--user ", "--user=", "Bearer ", "bearer ", "token ", "Basic ", NULL};
    bool masked = false;
    for (size_t q = 0; lead[q] && !masked; q++) {
      size_t ln = strlen(lead[q]);
      if ((i > 0 && s[i - 1] != ' ' && s[i - 1] != '"' && s[i - 1] != '\'') || i + ln >= n || memcmp(s + i, lead[q], ln))
        continue;
      size_t e = i + ln, colon = 0;
      while (e < n && s[e] != ' ' && s[e] != '"' && s[e] != '\'') {
        if (s[e] == ':' && !colon) colon = e;
        e++;
      }
      bool user = lead[q][0] == '-';
      if (user && !colon) continue;
      size_t keep_to = user ? colon + 1 : i + ln;
      while (i < keep_to && k + 8 < sizeof buf) buf[k++] = s[i++];
      memcpy(buf + k, "****", 4);
      k += 4;
      i = e;
      masked = true;
    }
    if (masked) continue;
    unsigned char c = (unsigned char)s[i++];
    buf[k++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
  }
  bool cut = k >= max || k + 8 >= sizeof buf;
  return bw_arena_printf(a, "%.*s%s", (int)k, buf, cut ? "..." : "");
}

/* --- the checks ----------------------------------------------------------------------------- */

static bool is_root_user(const char *u) {
  if (!u || !*u) return true;
  size_t n = strcspn(u, ":");
  return (n == 4 && !strncmp(u, "root", 4)) || (n == 1 && u[0] == '0');
}

static int check_kv(bl_sink *s, const bl_check *c, const char *where, const char *k, size_t kn, const char *v,
                    size_t vn) {
  size_t pb, pe;
  if (bl_secret_name(k, kn) && bl_secret_value(v, vn))
    return bl_emit(s, c, -1, NULL, 0, NULL, "%s %.*s=%s", where, (int)kn, k, bl_redact(s->arena, v, vn));
  if (url_password(v, vn, &pb, &pe))
    return bl_emit(s, c, -1, NULL, 0, NULL, "%s %.*s: password in a URL (%s)", where, (int)kn, k,
                   bl_redact(s->arena, v + pb, pe - pb));
  return 0;
}

static bool word_at(const char *s, size_t n, size_t i, const char *w) {
  size_t wn = strlen(w);
  if (i + wn > n || memcmp(s + i, w, wn)) return false;
  bool left = i == 0 || !((s[i - 1] | 32) >= 'a' && (s[i - 1] | 32) <= 'z') ;
  left = left && (i == 0 || (s[i - 1] != '-' && s[i - 1] != '_' && s[i - 1] != '/' && s[i - 1] != '.'));
  bool right = i + wn == n || s[i + wn] == ' ' || s[i + wn] == '\t' || s[i + wn] == ';' || s[i + wn] == '"';
  return left && right;
}

static const char *find_str(const char *s, size_t n, const char *w) {
  size_t wn = strlen(w);
  for (size_t i = 0; i + wn <= n; i++)
    if (!memcmp(s + i, w, wn)) return s + i;
  return NULL;
}

/* sudo in command position: first word, or after ; & | ( ` or "-c". */
static bool uses_sudo(const char *s, size_t n) {
  for (size_t i = 0; i + 4 <= n; i++) {
    if (!word_at(s, n, i, "sudo")) continue;
    size_t b = i;
    while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
    if (b == 0) return true;
    char p = s[b - 1];
    if (p == ';' || p == '&' || p == '|' || p == '(' || p == '`' || p == '"') return true;
    if (b >= 2 && s[b - 2] == '-' && p == 'c') return true;
  }
  return false;
}

/* curl/wget ... | [sudo] sh|bash|python...: the span from the downloader to the interpreter. */
static bool pipe_to_shell(const char *s, size_t n, size_t *from, size_t *to) {
  for (size_t i = 0; i < n; i++) {
    if (!word_at(s, n, i, "curl") && !word_at(s, n, i, "wget")) continue;
    for (size_t j = i + 4; j < n; j++) {
      if (s[j] == ';' || (s[j] == '&' && j + 1 < n && s[j + 1] == '&')) break;
      if (s[j] != '|') continue;
      if (j + 1 < n && s[j + 1] == '|') break; /* || */
      size_t k = j + 1;
      while (k < n && s[k] == ' ') k++;
      if (k + 5 <= n && !memcmp(s + k, "sudo ", 5)) {
        k += 5;
        while (k < n && s[k] == ' ') k++;
        if (k + 3 <= n && !memcmp(s + k, "-E ", 3)) k += 3;
      }
      size_t b = k;
      while (k < n && s[k] != ' ' && s[k] != ';' && s[k] != '&' && s[k] != ')' && s[k] != '"') k++;
      const char *w = s + b;
      size_t wn = k - b;
      const char *slash = memrchr(w, '/', wn);
      if (slash) {
        wn -= (size_t)(slash + 1 - w);
        w = slash + 1;
      }
      static const char *const sh[] = {"sh", "bash", "zsh", "dash", "ash", "ksh", "python", "python3", "perl",
                                       "ruby", "node", NULL};
      for (size_t q = 0; sh[q]; q++)
        if (wn == strlen(sh[q]) && !memcmp(w, sh[q], wn)) {
          *from = i;
          *to = k;
          return true;
        }
      break;
    }
  }
  return false;
}

static const char *cache_left(const char *s, size_t n) {
  if (find_str(s, n, "type=cache")) return NULL; /* BuildKit cache mount: nothing stays in the layer */
  if ((find_str(s, n, "apt-get install") || find_str(s, n, "apt install")) && !find_str(s, n, "/var/lib/apt/lists"))
    return "apt-get install without rm -rf /var/lib/apt/lists/*";
  if (find_str(s, n, "apk add") && !find_str(s, n, "--no-cache") && !find_str(s, n, "/var/cache/apk"))
    return "apk add without --no-cache";
  if ((find_str(s, n, "yum install") || find_str(s, n, "dnf install") || find_str(s, n, "microdnf install")) &&
      !find_str(s, n, "clean all") && !find_str(s, n, "/var/cache/yum") && !find_str(s, n, "/var/cache/dnf"))
    return "yum/dnf install without clean all";
  return NULL;
}

/* ADD [--flags] http(s)://... */
static bool add_remote(const char *s, size_t n, size_t *at) {
  for (size_t i = 0; i + 4 <= n; i++) {
    if (memcmp(s + i, "ADD ", 4) || (i > 0 && s[i - 1] != ' ')) continue;
    size_t k = i + 4;
    for (;;) {
      while (k < n && s[k] == ' ') k++;
      if (k + 2 <= n && s[k] == '-' && s[k + 1] == '-') {
        while (k < n && s[k] != ' ') k++;
        continue;
      }
      break;
    }
    if ((k + 7 <= n && !memcmp(s + k, "http://", 7)) || (k + 8 <= n && !memcmp(s + k, "https://", 8)) ||
        (k + 4 <= n && !memcmp(s + k, "git@", 4))) {
      *at = i;
      return true;
    }
  }
  return false;
}

/* KEY=VALUE words of a command line with a secret name ("|2 DB_PASS=x /bin/sh -c ..." is how
 * BuildKit records build arguments), and --password VALUE. Values also present in the config's Env
 * are left to the ENV check. */
static int history_secrets(bl_sink *s, const char *cmd, size_t n, size_t step, const char *layer, const json_t *env) {
  const char *p = cmd;
  size_t left = n;
  const char *w, *prev = NULL;
  size_t wn, prevn = 0;
  while (bl_word(&p, &left, &w, &wn)) {
    const char *eq = memchr(w, '=', wn);
    const char *k = NULL, *v = NULL;
    size_t kn = 0, vn = 0;
    if (eq) {
      k = w;
      kn = (size_t)(eq - w);
      v = eq + 1;
      vn = wn - kn - 1;
    } else if (prev && (bl_ieq(prev, prevn, "--password") || bl_ieq(prev, prevn, "--passwd"))) {
      k = prev;
      kn = prevn;
      v = w;
      vn = wn;
    }
    if (!k && prev && (bl_ieq(prev, prevn, "-u") || bl_ieq(prev, prevn, "--user"))) {
      const char *colon = memchr(w, ':', wn);
      size_t pn = colon ? wn - (size_t)(colon + 1 - w) : 0;
      if (colon && pn >= 3 && colon[1] != '$') {
        int rc = bl_emit(s, &bl_image_checks[IMG_HISTORY], -1, NULL, 0, layer, "history step %zu: %.*s %.*s:%s", step,
                         (int)prevn, prev, (int)(colon - w), w, bl_redact(s->arena, colon + 1, pn));
        if (rc < 0) return rc;
      }
    }
    while (k && kn && k[0] == '-') k++, kn--;
    if (v && vn >= 2 && (v[0] == '"' || v[0] == '\'') && v[vn - 1] == v[0]) v++, vn -= 2;
    if (k && kn && bl_secret_name(k, kn) && bl_secret_value(v, vn)) {
      bool in_env = false;
      for (size_t i = 0; env && i < json_array_size(env) && !in_env; i++) {
        const char *e = json_string_value(json_array_get(env, i));
        if (e && strlen(e) == kn + 1 + vn && !strncmp(e, k, kn) && e[kn] == '=' && !strncmp(e + kn + 1, v, vn))
          in_env = true;
      }
      if (!in_env) {
        int rc = bl_emit(s, &bl_image_checks[IMG_HISTORY], -1, NULL, 0, layer, "history step %zu: %.*s=%s", step,
                         (int)kn, k, bl_redact(s->arena, v, vn));
        if (rc < 0) return rc;
      }
    }
    prev = w;
    prevn = wn;
  }
  size_t pb, pe;
  if (url_password(cmd, n, &pb, &pe))
    return bl_emit(s, &bl_image_checks[IMG_HISTORY], -1, NULL, 0, layer, "history step %zu: password in a URL (%s)",
                   step, bl_redact(s->arena, cmd + pb, pe - pb));
  return 0;
}

int bl_image_config(bl_sink *s, const json_t *config, const char *const *history_layers, size_t nhistory) {
  if (!json_is_object(config)) return 0;
  const json_t *c = json_object_get(config, "config");
  if (!json_is_object(c)) c = json_object_get(config, "container_config");
  int rc = 0;
  const char *user = json_string_value(json_object_get(c, "User"));
  if (is_root_user(user))
    rc = bl_emit(s, &bl_image_checks[IMG_ROOT], -1, NULL, 0, NULL, "%s",
                 user && *user ? bw_arena_printf(s->arena, "USER %s", user) : "no USER: the process runs as root");
  const json_t *hc = json_object_get(c, "Healthcheck");
  const char *t0 = json_string_value(json_array_get(json_object_get(hc, "Test"), 0));
  if (rc == 0 && (!json_is_object(hc) || !t0 || !strcmp(t0, "NONE")))
    rc = bl_emit(s, &bl_image_checks[IMG_HEALTH], -1, NULL, 0, NULL, "%s",
                 t0 && !strcmp(t0, "NONE") ? "HEALTHCHECK NONE" : "no HEALTHCHECK instruction");
  const json_t *env = json_object_get(c, "Env");
  for (size_t i = 0; rc == 0 && json_is_array(env) && i < json_array_size(env); i++) {
    const char *e = json_string_value(json_array_get(env, i));
    const char *eq = e ? strchr(e, '=') : NULL;
    if (eq) rc = check_kv(s, &bl_image_checks[IMG_ENV], "ENV", e, (size_t)(eq - e), eq + 1, strlen(eq + 1));
  }
  const json_t *labels = json_object_get(c, "Labels");
  const char *lk;
  const json_t *lv;
  if (json_is_object(labels)) json_object_foreach((json_t *)labels, lk, lv) {
      const char *v = json_string_value(lv);
      if (rc == 0 && v) rc = check_kv(s, &bl_image_checks[IMG_LABEL], "LABEL", lk, strlen(lk), v, strlen(v));
    }
  const json_t *ports = json_object_get(c, "ExposedPorts");
  if (rc == 0 && json_is_object(ports) && (json_object_get(ports, "22/tcp") || json_object_get(ports, "22")))
    rc = bl_emit(s, &bl_image_checks[IMG_SSH], -1, NULL, 0, NULL, "EXPOSE 22/tcp");

  const json_t *hist = json_object_get(config, "history");
  for (size_t i = 0; rc == 0 && json_is_array(hist) && i < json_array_size(hist); i++) {
    const char *cmd = json_string_value(json_object_get(json_array_get(hist, i), "created_by"));
    if (!cmd) continue;
    size_t n = strlen(cmd), from, to, at;
    const char *layer = i < nhistory && history_layers ? history_layers[i] : NULL;
    rc = history_secrets(s, cmd, n, i + 1, layer, json_is_array(env) ? env : NULL);
    if (rc == 0 && add_remote(cmd, n, &at))
      rc = bl_emit(s, &bl_image_checks[IMG_ADD], -1, NULL, 0, layer, "history step %zu: %s", i + 1,
                   redact_cmd(s->arena, cmd + at, n - at, 160));
    if (rc == 0 && uses_sudo(cmd, n))
      rc = bl_emit(s, &bl_image_checks[IMG_SUDO], -1, NULL, 0, layer, "history step %zu: %s", i + 1,
                   redact_cmd(s->arena, cmd, n, 160));
    if (rc == 0 && pipe_to_shell(cmd, n, &from, &to))
      rc = bl_emit(s, &bl_image_checks[IMG_PIPE], -1, NULL, 0, layer, "history step %zu: %s", i + 1,
                   redact_cmd(s->arena, cmd + from, to - from, 160));
    const char *why = rc == 0 ? cache_left(cmd, n) : NULL;
    if (why) rc = bl_emit(s, &bl_image_checks[IMG_CACHE], -1, NULL, 0, layer, "history step %zu: %s", i + 1, why);
  }
  return rc;
}
