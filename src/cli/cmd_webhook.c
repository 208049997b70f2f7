/* bulwark webhook add|ls|rm|test|log: event notification targets (src/service/notify*.c). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "service/notify.h"

static void wh_usage(FILE *f) {
  fputs("Usage: bulwark webhook COMMAND [OPTIONS]\n"
        "\n"
        "Webhooks notify a namespace's team of registry and scan events (artifact.pushed,\n"
        "artifact.deleted, scan.completed, scan.failed, scan.new_vulnerabilities). The running server\n"
        "delivers them from a durable outbox, in order per webhook, with retries; see\n"
        "docs/internals/notify.md for the JSON schema and how to verify the signature.\n"
        "\n"
        "Commands:\n"
        "  add NS URL        add a webhook for namespace NS (prints its id)\n"
        "  ls [NS]           list webhooks with their outbox counts\n"
        "  rm ID             remove a webhook (and its queue and log)\n"
        "  test ID           send a sample scan.completed event now and show the answer\n"
        "  log ID            the latest delivery attempts (status, latency, response)\n"
        "\n"
        "Options of add:\n"
        "      --kind K            http (default: JSON, signed), dingtalk (custom robot), slack\n"
        "      --secret S          http: HMAC-SHA256 key of X-Bulwark-Signature; dingtalk: the\n"
        "                          robot's signing secret (SEC...)\n"
        "      --event TYPE        only these event types (repeatable; \"scan.*\" matches a prefix)\n"
        "      --min-severity SEV  only scan events whose highest severity is at least SEV\n"
        "                          (LOW, MEDIUM, HIGH, CRITICAL)\n"
        "      --header 'K: V'     an extra request header (repeatable)\n"
        "      --ca-file FILE      trust this CA bundle for an https URL (verification stays on)\n"
        "      --cloudevents       http: CloudEvents 1.0 structured mode\n"
        "      --keyword WORD      dingtalk: put WORD in the title (the robot's keyword security)\n"
        "      --at-mobile PHONE   dingtalk: @-mention (repeatable); --at-all: @everyone\n"
        "      --disabled          add it switched off\n"
        "      --data DIR          data directory (default " BW_CLI_DEFAULT_DATA_DIR ")\n"
        "  -h, --help              this help\n"
        "\n"
        "Examples:\n"
        "  bulwark webhook add team https://ci.example/hooks --secret s3cret --event artifact.pushed\n"
        "  bulwark webhook add team 'https://oapi.dingtalk.com/robot/send?access_token=T' --kind dingtalk \\\n"
        "      --secret SEC123 --event 'scan.*' --min-severity HIGH --at-mobile 13800000000\n"
        "  bulwark webhook test 1\n",
        f);
}

enum {
  OPT_DATA = BW_CLI_OPT_FIRST_OWN,
  OPT_KIND,
  OPT_SECRET,
  OPT_EVENT,
  OPT_SEV,
  OPT_HEADER,
  OPT_CA,
  OPT_CE,
  OPT_KEYWORD,
  OPT_MOBILE,
  OPT_ATALL,
  OPT_DISABLED
};

static int64_t parse_id(const char *s) {
  char *end = NULL;
  long long v = strtoll(s, &end, 10);
  return end && !*end && v > 0 ? (int64_t)v : -1;
}

int bw_cmd_webhook(int argc, char **argv) {
  static const struct option longopts[] = {
      {"data", required_argument, NULL, OPT_DATA},      {"kind", required_argument, NULL, OPT_KIND},
      {"secret", required_argument, NULL, OPT_SECRET},  {"event", required_argument, NULL, OPT_EVENT},
      {"min-severity", required_argument, NULL, OPT_SEV}, {"header", required_argument, NULL, OPT_HEADER},
      {"ca-file", required_argument, NULL, OPT_CA},     {"cloudevents", no_argument, NULL, OPT_CE},
      {"keyword", required_argument, NULL, OPT_KEYWORD}, {"at-mobile", required_argument, NULL, OPT_MOBILE},
      {"at-all", no_argument, NULL, OPT_ATALL},         {"disabled", no_argument, NULL, OPT_DISABLED},
      {"help", no_argument, NULL, 'h'},                 {NULL, 0, NULL, 0}};
  const char *data = BW_CLI_DEFAULT_DATA_DIR;
  json_t *spec = json_object(), *events = json_array(), *headers = json_object(), *opts = json_object(),
         *mobiles = json_array();
  int c, rc = BW_EXIT_USAGE;
  optind = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_DATA: data = optarg; break;
    case OPT_KIND: json_object_set_new(spec, "kind", json_string(optarg)); break;
    case OPT_SECRET: json_object_set_new(spec, "secret", json_string(optarg)); break;
    case OPT_EVENT: json_array_append_new(events, json_string(optarg)); break;
    case OPT_SEV: json_object_set_new(spec, "min_severity", json_string(optarg)); break;
    case OPT_CA: json_object_set_new(spec, "ca_file", json_string(optarg)); break;
    case OPT_CE: json_object_set_new(opts, "cloudevents", json_true()); break;
    case OPT_KEYWORD: json_object_set_new(opts, "keyword", json_string(optarg)); break;
    case OPT_MOBILE: json_array_append_new(mobiles, json_string(optarg)); break;
    case OPT_ATALL: json_object_set_new(opts, "at_all", json_true()); break;
    case OPT_DISABLED: json_object_set_new(spec, "enabled", json_false()); break;
    case OPT_HEADER: {
      const char *colon = strchr(optarg, ':');
      if (!colon || colon == optarg) {
        fprintf(stderr, "bulwark webhook: --header wants 'Name: value'\n");
        goto out;
      }
      const char *v = colon + 1;
      while (*v == ' ') v++;
      char name[256];
      snprintf(name, sizeof name, "%.*s", (int)(colon - optarg), optarg);
      json_object_set_new(headers, name, json_string(v));
      break;
    }
    case 'h': wh_usage(stdout); rc = BW_EXIT_OK; goto out;
    default: wh_usage(stderr); goto out;
    }
  }
  const char *sub = optind < argc ? argv[optind++] : NULL;
  int nargs = argc - optind;
  char **args = argv + optind;
  bool ok = sub && ((!strcmp(sub, "add") && nargs == 2) || (!strcmp(sub, "ls") && nargs <= 1) ||
                    ((!strcmp(sub, "rm") || !strcmp(sub, "test") || !strcmp(sub, "log")) && nargs == 1));
  if (!ok) {
    if (sub) fprintf(stderr, "bulwark webhook: bad command or arguments: %s\n\n", sub);
    wh_usage(stderr);
    goto out;
  }
  int64_t id = 0;
  if (strcmp(sub, "add") && strcmp(sub, "ls") && (id = parse_id(args[0])) < 0) {
    fprintf(stderr, "bulwark webhook: %s is not a webhook id\n", args[0]);
    goto out;
  }
  bw_error err = {0};
  bw_meta *m = NULL;
  if (bw_cli_data_open(data, &m, NULL, &err)) {
    bw_cli_report_error(&err);
    rc = BW_EXIT_ERROR;
    goto out;
  }
  int r = 0;
  bw_webhook w;
  if (!strcmp(sub, "add")) {
    json_object_set_new(spec, "namespace", json_string(args[0]));
    json_object_set_new(spec, "url", json_string(args[1]));
    if (json_array_size(events)) json_object_set(spec, "events", events);
    if (json_object_size(headers)) json_object_set(spec, "headers", headers);
    if (json_array_size(mobiles)) json_object_set(opts, "at_mobiles", mobiles);
    if (json_object_size(opts)) json_object_set(spec, "options", opts);
    char *s = json_dumps(spec, JSON_COMPACT);
    r = !s ? bw_error_set(&err, BW_ENOMEM, "out of memory") : bw_webhook_from_json(s, strlen(s), &w, &err);
    free(s);
    if (!r && !(r = bw_webhook_add(m, &w, &err))) printf("added webhook %lld (%s) for %s\n", (long long)w.id, w.kind, w.ns);
  } else if (!strcmp(sub, "ls")) {
    bw_webhook *list = NULL;
    size_t n = 0;
    if (!(r = bw_webhook_list(m, nargs ? args[0] : NULL, &list, &n, &err))) {
      printf("%-5s %-16s %-9s %-8s %-8s %-24s %-20s %s\n", "ID", "NAMESPACE", "KIND", "ENABLED", "MIN-SEV", "EVENTS",
             "PENDING/DONE/DEAD", "URL");
      for (size_t i = 0; i < n; i++) {
        int64_t cnt[3];
        bw_notify_counts(m, list[i].id, cnt, &err);
        char q[64];
        snprintf(q, sizeof q, "%lld/%lld/%lld", (long long)cnt[0], (long long)cnt[1], (long long)cnt[2]);
        printf("%-5lld %-16s %-9s %-8s %-8s %-24s %-20s %s\n", (long long)list[i].id, list[i].ns, list[i].kind,
               list[i].enabled ? "yes" : "no", bw_notify_sev_name(list[i].min_severity),
               *list[i].events ? list[i].events : "*", q, list[i].url);
      }
    }
    free(list);
  } else if (!strcmp(sub, "rm")) {
    if (!(r = bw_webhook_rm(m, id, &err))) printf("removed webhook %lld\n", (long long)id);
  } else if (!strcmp(sub, "test")) {
    if (!(r = bw_webhook_get(m, id, &w, &err))) {
      char *ev = bw_notify_sample_event(&w);
      bw_delivery d;
      int sent = ev ? bw_notify_deliver(&w, 0, ev, NULL, NULL, NULL, &d) : -1;
      free(ev);
      printf("%s: HTTP %d in %lld ms: %s\n", sent ? "FAILED" : "delivered", d.status, (long long)d.latency_ms,
             d.excerpt);
      if (sent) r = bw_error_set(&err, BW_EIO, "the test delivery failed");
    }
  } else {
    bw_delivery *d = NULL;
    size_t n = 0;
    if (!(r = bw_notify_deliveries(m, id, 50, &d, &n, &err))) {
      printf("%-20s %-8s %-7s %-6s %-9s %s\n", "AT", "EVENT", "ATTEMPT", "STATUS", "LATENCY", "RESPONSE");
      for (size_t i = 0; i < n; i++)
        printf("%-20lld %-8lld %-7d %-6d %-9lld %s\n", (long long)d[i].at, (long long)d[i].event_id, d[i].attempt,
               d[i].status, (long long)d[i].latency_ms, d[i].excerpt);
    }
    free(d);
  }
  if (r) bw_cli_report_error(&err);
  bw_cli_data_close(m, NULL);
  rc = r ? BW_EXIT_ERROR : BW_EXIT_OK;
out:
  json_decref(spec);
  json_decref(events);
  json_decref(headers);
  json_decref(opts);
  json_decref(mobiles);
  return rc;
}
