#include <stdio.h>
#include <stdlib.h>

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
