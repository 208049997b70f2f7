/* bulwark serve: the registry server; bulwark gc: its garbage collector. Both open the same data
 * directory: <data>/meta.db (SQLite metadata), <data>/blobs/, <data>/uploads/, <data>/token.key. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "auth/auth.h"
#include "base/limits.h"
#include "base/strutil.h"
#include "cli/cli.h"
#include "cli/serve_common.h"
#include "registry/registry.h"
#include "service/service.h"
#include "service/notify.h"
#include "store/blob.h"
#include "store/meta.h"
#include "store/registry_meta.h"

static void serve_usage(FILE *f) {
  fputs("Usage: bulwark serve [--listen ADDR] [--data DIR] [--config FILE] [--tls-cert F --tls-key F]\n"
        "                     [--threads N] [--url URL] [--upload-expiry SECONDS] [--max-uploads N]\n"
        "                     [--scan-workers N] [--db PATH] [--db-update-interval SECONDS]\n"
        "\n"
        "Runs the container registry (OCI Distribution v1.1: docker, podman, skopeo, helm, oras push\n"
        "and pull unchanged) with its access control, in the foreground until SIGINT or SIGTERM.\n"
        "\n"
        "Options:\n"
        "  -l, --listen ADDR        HOST:PORT to listen on (default 127.0.0.1:5000; 0.0.0.0:5000 for\n"
        "                           every interface, [::1]:5000 for IPv6)\n"
        "  -d, --data DIR           data directory (default ./var/bulwark): meta.db (SQLite metadata),\n"
        "                           blobs/ (layers and configs, content-addressed), uploads/ (pushes in\n"
        "                           progress), token.key (the token signing key)\n"
        "  -c, --config FILE        settings, one \"key: value\" a line (keys: listen, data, tls_cert,\n"
        "                           tls_key, threads, url, upload_expiry, max_uploads, max_connections,\n"
        "                           scan_workers, db_path, db_update_interval);\n"
        "                           command-line options win\n"
        "      --tls-cert FILE      serve HTTPS with this PEM certificate (chain) ...\n"
        "      --tls-key FILE       ... and this PEM private key. Without them plain HTTP: put a TLS\n"
        "                           proxy in front for anything but loopback\n"
        "  -t, --threads N          0: one thread per connection (default; best for big blobs);\n"
        "                           N: a pool of N event-loop threads\n"
        "      --url URL            the address clients use to reach the server, for the token realm\n"
        "                           (default http[s]://LISTEN)\n"
        "      --upload-expiry S    drop upload sessions idle for S seconds (default 3600)\n"
        "      --max-uploads N      open upload sessions at once; more get 429 (default 1000)\n"
        "      --scan-workers N     scan service worker threads (default 1; 0: queue only). Images\n"
        "                           matching a scan rule are scanned after a push, never during it\n"
        "      --db PATH            advisory DB of the scan service (default DATA/db.sqlite)\n"
        "      --db-update-interval S  check the advisory DB every S seconds; results made with an\n"
        "                           older DB are re-evaluated from stored layer records (default 60)\n"
        "  -h, --help               show this help\n"
        "\n"
        "First start: with no user in the store, the user `admin` is created with the password in\n"
        "BULWARK_ADMIN_PASSWORD, or a generated one printed once.\n"
        "\n"
        "Example:\n"
        "  BULWARK_ADMIN_PASSWORD=secret bulwark serve --data /srv/bulwark\n"
        "  skopeo copy --dest-creds admin:secret --dest-tls-verify=false \\\n"
        "      oci:./debian:12 docker://127.0.0.1:5000/library/debian:12\n"
        "  skopeo inspect --creds admin:secret --tls-verify=false docker://127.0.0.1:5000/library/debian:12\n",
        f);
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig) { got_signal = sig; }

int bw_cmd_serve(int argc, char **argv) {
  enum { O_TLS_CERT = BW_CLI_OPT_FIRST_OWN, O_TLS_KEY, O_URL, O_EXPIRY, O_MAX_UPLOADS, O_SCAN_WORKERS, O_DB, O_DB_INTERVAL };
  static const struct option longopts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"data", required_argument, NULL, 'd'},
      {"config", required_argument, NULL, 'c'},
      {"tls-cert", required_argument, NULL, O_TLS_CERT},
      {"tls-key", required_argument, NULL, O_TLS_KEY},
      {"threads", required_argument, NULL, 't'},
      {"url", required_argument, NULL, O_URL},
      {"upload-expiry", required_argument, NULL, O_EXPIRY},
      {"max-uploads", required_argument, NULL, O_MAX_UPLOADS},
      {"scan-workers", required_argument, NULL, O_SCAN_WORKERS},
      {"db", required_argument, NULL, O_DB},
      {"db-update-interval", required_argument, NULL, O_DB_INTERVAL},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  bw_serve_config cfg;
  bw_serve_config_init(&cfg);
  bw_serve_config cli;
  memset(&cli, 0, sizeof cli);
  const char *config = NULL;
  int opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "+l:d:c:t:h", longopts, NULL)) != -1) {
    int bad = 0;
    switch (opt) {
    case 'l': cli.listen = optarg; break;
    case 'd': cli.data = optarg; break;
    case 'c': config = optarg; break;
    case O_TLS_CERT: cli.tls_cert = optarg; break;
    case O_TLS_KEY: cli.tls_key = optarg; break;
    case O_URL: cli.url = optarg; break;
    case 't': bad = bw_serve_config_set(&cli, "threads", optarg); break;
    case O_EXPIRY: bad = bw_serve_config_set(&cli, "upload_expiry", optarg); break;
    case O_MAX_UPLOADS: bad = bw_serve_config_set(&cli, "max_uploads", optarg); break;
    case O_SCAN_WORKERS: bad = bw_serve_config_set(&cli, "scan_workers", optarg); break;
    case O_DB: cli.db_path = optarg; break;
    case O_DB_INTERVAL: bad = bw_serve_config_set(&cli, "db_update_interval", optarg); break;
    case 'h': serve_usage(stdout); return BW_EXIT_OK;
    default: serve_usage(stderr); return BW_EXIT_USAGE;
    }
    if (bad) {
      fprintf(stderr, "bulwark serve: bad number \"%s\"\n", optarg);
      return BW_EXIT_USAGE;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "bulwark serve: unexpected argument \"%s\"\n\n", argv[optind]);
    serve_usage(stderr);
    return BW_EXIT_USAGE;
  }
  bw_error err = {0};
  if (config && bw_serve_config_load(&cfg, config, &err) < 0) {
    bw_cli_report_error(&err);
    bw_serve_config_dispose(&cfg);
    return BW_EXIT_USAGE;
  }
  bw_serve_config_merge(&cfg, &cli);

  bw_serve_stores st;
  if (bw_serve_open(&st, cfg.data, &err) < 0) {
    bw_cli_report_error(&err);
    bw_serve_config_dispose(&cfg);
    return BW_EXIT_ERROR;
  }
  int rc = BW_EXIT_ERROR;
  bw_auth *auth = NULL;
  bw_registry *reg = NULL;
  bw_service *svc = NULL;
  bw_notifier *notifier = NULL; /* notifications (issue 9) */
  bw_notify_api_ctx notify_api = {0};
  char url[512], realm[600], keypath[4096];
  if (cfg.url)
    snprintf(url, sizeof url, "%s", cfg.url);
  else if (!strncmp(cfg.listen, "0.0.0.0:", 8) || cfg.listen[0] == ':')
    snprintf(url, sizeof url, "%s://127.0.0.1:%s", cfg.tls_cert ? "https" : "http", strrchr(cfg.listen, ':') + 1);
  else
    snprintf(url, sizeof url, "%s://%s", cfg.tls_cert ? "https" : "http", cfg.listen);
  snprintf(realm, sizeof realm, "%s/token", url);
  snprintf(keypath, sizeof keypath, "%s/token.key", cfg.data);
  if (bw_auth_new(&auth, st.meta, keypath, "bulwark", realm, &err) < 0) goto out;
  const char *envpw = getenv("BULWARK_ADMIN_PASSWORD");
  char *generated = NULL;
  if (bw_auth_bootstrap(auth, envpw, &generated, &err) < 0) goto out;

  bw_registry_opts ro;
  bw_registry_opts_init(&ro);
  ro.listen = cfg.listen;
  ro.tls_cert = cfg.tls_cert;
  ro.tls_key = cfg.tls_key;
  ro.threads = cfg.threads;
  ro.upload_expiry = cfg.upload_expiry;
  ro.max_uploads = cfg.max_uploads;
  ro.max_connections = cfg.max_connections;

  /* signals are taken by this thread only: block them before the server's threads exist */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  int port = 0;
  bw_service_opts so = {.data_dir = cfg.data, .db_path = cfg.db_path, .workers = cfg.scan_workers,
                        .db_check_interval = cfg.db_update_interval};
  /* notifications: the webhook API, then the fan-out and delivery threads */
  notify_api = (bw_notify_api_ctx){.meta = st.meta, .auth = auth, .base_url = url};
  bw_notify_opts nopts;
  bw_notify_opts_init(&nopts);
  nopts.base_url = url;
  if (bw_registry_new(&reg, &ro, st.meta, st.blobs, auth, &err) < 0 ||
      bw_service_new(&svc, st.meta, st.blobs, auth, &so, &err) < 0 ||
      bw_registry_api_add(reg, bw_service_api, svc, &err) < 0 ||
      bw_registry_metrics_add(reg, bw_service_metrics, svc, &err) < 0 ||
      bw_registry_api_add(reg, bw_notify_api, &notify_api, &err) < 0 || bw_service_start(svc, &err) < 0 ||
      bw_notifier_start(&notifier, st.meta, &nopts, &err) < 0 || bw_registry_start(reg, &port, &err) < 0) {
    free(generated);
    goto out;
  }
  const char *host = strncmp(url, "https://", 8) ? url + 7 : url + 8;
  fprintf(stderr, "bulwark %s: registry listening on %s (port %d), data in %s\n", BW_VERSION, url, port, cfg.data);
  if (generated) {
    printf("Created the user admin with the password: %s\n(shown once: keep it; set BULWARK_ADMIN_PASSWORD to choose it)\n",
           generated);
  }
  if (generated || envpw) {
    const char *pw = generated ? generated : "$BULWARK_ADMIN_PASSWORD";
    printf("Push an image:\n"
           "  skopeo copy --dest-creds 'admin:%s' --dest-tls-verify=false oci:./image:latest docker://%s/library/app:1\n"
           "Pull it back:\n"
           "  skopeo copy --src-creds 'admin:%s' --src-tls-verify=false docker://%s/library/app:1 oci:./copy:1\n",
           pw, host, pw, host);
  }
  fflush(stdout);
  free(generated);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  int sig = 0;
  sigwait(&set, &sig);
  fprintf(stderr, "bulwark: %s: shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  bw_registry_stop(reg);
  bw_service_stop(svc);
  rc = BW_EXIT_OK;
out:
  bw_notifier_stop(notifier);
  if (rc != BW_EXIT_OK) bw_cli_report_error(&err);
  bw_registry_free(reg);
  bw_service_free(svc);
  bw_auth_free(auth);
  bw_serve_close(&st);
  bw_serve_config_dispose(&cfg);
  return rc;
}
