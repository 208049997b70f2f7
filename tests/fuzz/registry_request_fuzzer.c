/* The small parsers of request fields: PATCH Content-Range, repository names, tags. The input is
 * split at the first NUL-free segment boundaries: "range\nname\ntag". Checks that an accepted range
 * is ordered and an accepted name or tag matches the spec's grammar limits. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  char *fields[3] = {s, "", ""};
  char *nl = strchr(s, '\n');
  if (nl) {
    *nl = '\0';
    fields[1] = nl + 1;
    char *nl2 = strchr(fields[1], '\n');
    if (nl2) {
      *nl2 = '\0';
      fields[2] = nl2 + 1;
    }
  }
  int64_t a = -1, b = -1;
  bw_error err = {0};
  if (bw_registry_parse_content_range(fields[0], &a, &b, &err) == 0 && (a < 0 || b < a)) abort();
  if (bw_registry_name_valid(fields[1])) {
    size_t n = strlen(fields[1]);
    if (n == 0 || n > 255 || strstr(fields[1], "..") || strstr(fields[1], "//") || fields[1][0] == '/' ||
        fields[1][n - 1] == '/')
      abort();
  }
  if (bw_registry_tag_valid(fields[2])) {
    size_t n = strlen(fields[2]);
    if (n == 0 || n > 128 || fields[2][0] == '.' || fields[2][0] == '-' || strchr(fields[2], '/')) abort();
  }
  free(s);
  return 0;
}
