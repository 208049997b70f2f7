/* Secret scanner (filled by issue 5). */
#include "baseline/secrets.h"

static bool sec_wants(const char *path, uint32_t mode, uint64_t size, const uint8_t *head, size_t head_len) {
  return false;
}
static int sec_open(void **state, const char *path, uint64_t size, bw_error *err) { return 0; }
static int sec_feed(void *state, const uint8_t *buf, size_t len, bw_error *err) { return 0; }
static int sec_finish(void *state, bw_analyze_out *out, bw_error *err) { return 0; }
static void sec_close(void *state) {}

const bw_stream_analyzer bw_stream_secrets = {
    .name = "secrets", .scanner = BW_SCANNER_BASELINE, .wants = sec_wants, .open = sec_open,
    .feed = sec_feed, .finish = sec_finish, .close = sec_close,
};

int bw_secrets_configure(const char *config_path, bw_error *err) { return 0; }
