#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char *bw_cli_default_cache_dir(void) {
  static char path[4096];
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  if (xdg && *xdg) snprintf(path, sizeof path, "%s/bulwark", xdg);
  else if (home && *home) snprintf(path, sizeof path, "%s/.cache/bulwark", home);
  else snprintf(path, sizeof path, "/tmp/bulwark-cache");
  return path;
}

void bw_cli_report_error(const bw_error *err) {
  fprintf(stderr, "bulwark: error: %s\n", err->msg[0] ? err->msg : "unknown error");
  switch (err->code) {
  case BW_EAUTH: fputs("hint: pass --username/--password, or log in with `docker login`\n", stderr); break;
  case BW_ELIMIT: fputs("hint: the input exceeds one of Bulwark's safety limits (src/base/limits.h)\n", stderr); break;
  case BW_ECORRUPT: fputs("hint: the image is damaged or was tampered with; fetch it again\n", stderr); break;
  default: break;
  }
}

const char bw_cli_image_help[] =
    "      --cache-dir DIR   layer cache (default $XDG_CACHE_HOME/bulwark); a layer seen before is\n"
    "                        not read again\n"
    "      --no-cache        read every layer, keep nothing\n"
    "      --platform P      os/arch[/variant] to pick from a multi-platform image (default linux/amd64)\n"
    "  -u, --username U      registry user (default: ~/.docker/config.json, else anonymous)\n"
    "  -p, --password P      registry password or token (or set BULWARK_PASSWORD)\n"
    "      --insecure        plain HTTP registry, no TLS verification\n"
    "      --threads N       layers read in parallel (default: one per CPU)\n"
    "      --verify-diff-ids also recompute each compressed layer's diff_id and fail on a config\n"
    "                        that lies about it (blob digests are always verified)\n"
    "  -q, --quiet           only errors on stderr\n"
    "      --debug           verbose progress\n";

void bw_cli_image_init(bw_cli_image *ci) {
  memset(ci, 0, sizeof *ci);
  ci->vopts.progress = true;
  ci->vopts.cache_dir = bw_cli_default_cache_dir();
  ci->level = BW_LOG_INFO;
}

int bw_cli_image_opt(bw_cli_image *ci, int c, const char *arg, const char *cmd) {
  switch (c) {
  case BW_CLI_OPT_CACHE: ci->vopts.cache_dir = arg; return 1;
  case BW_CLI_OPT_NOCACHE: ci->vopts.cache_dir = NULL; return 1;
  case BW_CLI_OPT_PLATFORM: ci->iopts.platform = arg; return 1;
  case 'u': ci->iopts.auth.username = arg; return 1;
  case 'p': ci->iopts.auth.password = arg; return 1;
  case BW_CLI_OPT_INSECURE: ci->iopts.auth.insecure = true; return 1;
  case BW_CLI_OPT_THREADS: {
    char *end;
    long n = strtol(arg, &end, 10);
    if (*end || n < 1 || n > 64) {
      fprintf(stderr, "bulwark %s: --threads wants a number from 1 to 64\n", cmd);
      return -1;
    }
    ci->vopts.threads = (unsigned)n;
    return 1;
  }
  case 'q': ci->level = BW_LOG_ERROR; return 1;
  case BW_CLI_OPT_DEBUG: ci->level = BW_LOG_DEBUG; return 1;
  case BW_CLI_OPT_VERIFY_DIFF: ci->vopts.verify_diff_ids = true; return 1;
  default: return 0;
  }
}

int bw_cli_inventory(bw_cli_image *ci, const char *ref, bw_scan_result *res, bw_image **img) {
  if (!ci->iopts.auth.password) ci->iopts.auth.password = getenv("BULWARK_PASSWORD");
  bw_log_set_level(ci->level);
  bw_error err = {0};
  *img = NULL;
  if (bw_image_open(img, ref, &ci->iopts, &err) < 0) {
    bw_cli_report_error(&err);
    return -1;
  }
  if (bw_inventory_run(res, *img, &ci->vopts, &err) < 0) {
    bw_cli_report_error(&err);
    bw_scan_result_dispose(res);
    bw_image_free(*img);
    *img = NULL;
    return -1;
  }
  return 0;
}

int bw_cli_write_report(const bw_scan_result *res, int fmt, const char *output) {
  bw_error err = {0};
  int rc;
  FILE *f = output ? fopen(output, "w") : stdout;
  if (!f) {
    rc = bw_error_sys(&err, BW_EIO, "cannot write %s", output);
  } else {
    switch (fmt) {
    case BW_FORMAT_JSON: rc = bw_report_write_json(f, res, &err); break;
    case BW_FORMAT_CYCLONEDX: rc = bw_report_write_cyclonedx(f, res, &err); break;
    case BW_FORMAT_SPDX: rc = bw_report_write_spdx(f, res, &err); break;
    case BW_FORMAT_SARIF: rc = bw_report_write_sarif(f, res, &err); break;
    default: rc = bw_report_write_table(f, res, &err); break;
    }
    if (fflush(f) != 0 && rc == 0) rc = bw_error_sys(&err, BW_EIO, "writing the report");
    if (output && fclose(f) != 0 && rc == 0) rc = bw_error_sys(&err, BW_EIO, "writing %s", output);
  }
  if (rc < 0) {
    bw_cli_report_error(&err);
    return -1;
  }
  return 0;
}
