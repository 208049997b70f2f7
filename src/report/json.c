/* Placeholder until the report writers land (being written on another branch). */
#include <jansson.h>

#include "report/result.h"

static json_t *js(const char *s) { return s ? json_string(s) : json_null(); }

int bw_report_write_json(FILE *f, const bw_scan_result *r, bw_error *err) {
  json_t *root = json_object(), *pk = json_array();
  for (size_t i = 0; i < bw_pkglist_len(&r->packages); i++) {
    const bw_package *p = bw_pkglist_at(&r->packages, i);
    json_t *o = json_object();
    json_object_set_new(o, "name", js(p->name));
    json_object_set_new(o, "version", js(p->version));
    json_object_set_new(o, "arch", js(p->arch));
    json_object_set_new(o, "type", js(bw_pkg_type_name(p->type)));
    json_object_set_new(o, "source_name", js(p->source_name));
    json_object_set_new(o, "source_version", js(p->source_version));
    json_object_set_new(o, "layer", js(p->layer));
    json_object_set_new(o, "path", js(p->path));
    json_array_append_new(pk, o);
  }
  json_object_set_new(root, "packages", pk);
  json_dumpf(root, f, JSON_INDENT(2));
  fputc('\n', f);
  json_decref(root);
  return 0;
}
int bw_report_write_table(FILE *f, const bw_scan_result *r, bw_error *err) { return bw_report_write_json(f, r, err); }
int bw_report_write_cyclonedx(FILE *f, const bw_scan_result *r, bw_error *err) { return bw_report_write_json(f, r, err); }
int bw_report_write_spdx(FILE *f, const bw_scan_result *r, bw_error *err) { return bw_report_write_json(f, r, err); }
