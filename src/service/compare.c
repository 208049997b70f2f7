/* The before/after view of two reports: findings of each tab keyed by (id, package or path). */
#include <stdio.h>
#include <string.h>

#include "service/service.h"

static const char *str(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

static void key_of(const char *tab, const json_t *f, char *out, size_t cap) {
  if (!strcmp(tab, "vulnerabilities"))
    snprintf(out, cap, "%s|%s|%s", str(f, "id"), str(f, "package"), str(f, "path"));
  else if (!strcmp(tab, "baseline"))
    snprintf(out, cap, "%s|%s", str(f, "id"), str(f, "path"));
  else
    snprintf(out, cap, "%s|%s", str(f, "rule"), str(f, "path"));
}

static json_t *index_tab(const json_t *doc, const char *tab) {
  json_t *idx = json_object();
  json_t *arr = json_object_get(doc, tab), *f;
  size_t i;
  json_array_foreach(arr, i, f) {
    char key[2048];
    key_of(tab, f, key, sizeof key);
    json_object_set(idx, key, f);
  }
  return idx;
}

json_t *bw_service_compare(const json_t *from, const json_t *to) {
  static const char *const tabs[] = {"vulnerabilities", "baseline", "malware"};
  json_t *out = json_object();
  for (size_t t = 0; t < 3; t++) {
    json_t *a = index_tab(from, tabs[t]), *b = index_tab(to, tabs[t]);
    json_t *fixed = json_array(), *added = json_array(), *same = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v) json_array_append(json_object_get(b, k) ? same : fixed, v);
    json_object_foreach(b, k, v) if (!json_object_get(a, k)) json_array_append(added, v);
    json_object_set_new(out, tabs[t], json_pack("{s:o, s:o, s:o}", "fixed", fixed, "new", added, "unchanged", same));
    json_decref(a);
    json_decref(b);
  }
  return out;
}
