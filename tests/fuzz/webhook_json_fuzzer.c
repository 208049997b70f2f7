/* The webhook REST API body (bw_webhook_from_json) and, for what it accepts, rendering a sample
 * event for every target kind (the target's options and headers reach the renderer). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_webhook w;
  bw_error err = {0};
  if (bw_webhook_from_json((const char *)data, size, &w, &err)) return 0;
  w.id = 1;
  char *ev = bw_notify_sample_event(&w);
  char *js = bw_webhook_to_json(&w, NULL);
  static const char *const kinds[] = {"http", "dingtalk", "slack"};
  for (int k = 0; ev && k < 3; k++) {
    memcpy(w.kind, kinds[k], strlen(kinds[k]) + 1);
    char *body = NULL, *url = NULL;
    const char *ct = NULL;
    bw_error_clear(&err);
    if (!bw_notify_render(&w, ev, 1700000000000LL, "http://127.0.0.1:5000", &body, &url, &ct, &err)) free(body), free(url);
  }
  free(js);
  free(ev);
  return 0;
}
