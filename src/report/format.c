#include <string.h>

#include "report/result.h"

int bw_format_parse(const char *s) {
  static const char *names[] = {"table", "json", "sarif", "cyclonedx", "spdx"};
  for (int i = 0; i < 5; i++)
    if (!strcmp(s, names[i])) return i;
  return -1;
}
