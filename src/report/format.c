#include <string.h>

#include "report/result.h"

int bw_format_parse(const char *s) {
  static const struct {
    const char *name;
    bw_format f;
  } names[] = {
      {"table", BW_FORMAT_TABLE},         {"json", BW_FORMAT_JSON}, {"sarif", BW_FORMAT_SARIF},
      {"cyclonedx", BW_FORMAT_CYCLONEDX}, {"spdx", BW_FORMAT_SPDX},
  };
  if (!s) return -1;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(s, names[i].name) == 0) return (int)names[i].f;
  return -1;
}
