/* The bulwark.report/v1 document (DESIGN.md §6). Until matching and checks exist, the summary
 * counts are zero and the finding arrays empty; packages carry "arch" in addition to §6. */
#include <stdint.h>

#include "base/arena.h"
#include "report/report_util.h"
#include "report/result.h"

static json_t *severity_counts(bool *failed) {
  static const char *const sev[] = {"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"};
  json_t *o = json_object();
  for (size_t i = 0; i < sizeof sev / sizeof *sev; i++) bw_report_set(o, sev[i], json_integer(0), failed);
  if (!o) *failed = true;
  return o;
}

static json_t *artifact(const bw_scan_result *r, bool *failed) {
  const bw_image *img = r->image;
  json_t *a = json_object();
  bw_report_set(a, "name", bw_report_jstr(img ? img->name : NULL), failed);
  bw_report_set(a, "digest", bw_report_jstr(bw_image_digest(img)), failed);
  json_t *os = json_object();
  bw_report_set(os, "family", bw_report_jstr(r->os.family), failed);
  bw_report_set(os, "version", bw_report_jstr(r->os.version), failed);
  bw_report_set(os, "name", bw_report_jstr(r->os.name), failed);
  bw_report_set(a, "os", os, failed);
  bw_report_set(a, "architecture", bw_report_jstr(img ? img->architecture : NULL), failed);
  json_t *layers = json_array();
  for (size_t i = 0; img && i < img->nlayers; i++) {
    const bw_layer_desc *l = &img->layers[i];
    json_t *lo = json_object();
    bw_report_set(lo, "digest", bw_report_jstr(l->digest), failed);
    bw_report_set(lo, "diff_id", bw_report_jstr(l->diff_id), failed);
    bw_report_set(lo, "size", l->size >= 0 ? json_integer(l->size) : json_null(), failed);
    bw_report_set(lo, "created_by", bw_report_jstr(l->created_by), failed);
    bw_report_append(layers, lo, failed);
  }
  bw_report_set(a, "layers", layers, failed);
  return a;
}

static json_t *package(bw_arena *scratch, const bw_package *p, const bw_os_info *os, bool *failed) {
  json_t *o = json_object();
  bw_report_set(o, "name", bw_report_jstr(p->name), failed);
  bw_report_set(o, "version", bw_report_jstr(p->version), failed);
  bw_report_set(o, "arch", bw_report_jstr(p->arch), failed);
  bw_report_set(o, "type", bw_report_jstr(bw_pkg_type_name(p->type)), failed);
  bw_report_set(o, "purl", bw_report_jstr(bw_purl(scratch, p, os)), failed);
  bw_report_set(o, "source_name", bw_report_jstr(p->source_name), failed);
  bw_report_set(o, "source_version", bw_report_jstr(p->source_version), failed);
  json_t *lic = json_array();
  const char **parts;
  size_t n = bw_report_split_licenses(scratch, p->licenses, &parts);
  if (n == (size_t)-1) *failed = true;
  for (size_t i = 0; n != (size_t)-1 && i < n; i++) bw_report_append(lic, bw_report_jstr(parts[i]), failed);
  bw_report_set(o, "licenses", lic, failed);
  bw_report_set(o, "layer", bw_report_jstr(p->layer), failed);
  bw_report_set(o, "path", bw_report_jstr(p->path), failed);
  /* application packages: the dependency path and the dev-only flag, when known */
  if (p->parents) bw_report_set(o, "parents", bw_report_jstr(p->parents), failed);
  if (p->dev) bw_report_set(o, "dev", json_true(), failed);
  /* the artefact's own hash (a jar's sha1), so an identity can be looked up later */
  if (p->digest) bw_report_set(o, "digest", bw_report_jstr(p->digest), failed);
  return o;
}

typedef struct json_stream {
  const bw_scan_result *r;
  bw_arena *scratch; /* purls and licence lists of the packages in flight; renewed as we go */
  size_t i;
} json_stream;

static json_t *next_package(void *ctx, bool *failed) {
  json_stream *s = ctx;
  if (s->i >= bw_pkglist_len(&s->r->packages)) return NULL;
  if (s->i % 1024 == 0) { /* jansson copied what earlier packages used: start a fresh arena */
    bw_arena_free(s->scratch);
    if (!(s->scratch = bw_arena_new())) {
      *failed = true;
      return NULL;
    }
  }
  return package(s->scratch, bw_pkglist_at(&s->r->packages, s->i++), &s->r->os, failed);
}

int bw_report_write_json(FILE *f, const bw_scan_result *r, bw_error *err) {
  json_t *doc = json_object();
  if (!doc) return bw_error_set(err, BW_ENOMEM, "out of memory building the JSON report");
  bool failed = false;
  bw_report_set(doc, "schema", json_string("bulwark.report/v1"), &failed);
  bw_report_set(doc, "artifact", artifact(r, &failed), &failed);
  bw_report_set(doc, "db", json_null(), &failed); /* no advisory DB is involved in an inventory */

  json_t *summary = json_object();
  bw_report_set(summary, "vulnerabilities", severity_counts(&failed), &failed);
  bw_report_set(summary, "baseline", severity_counts(&failed), &failed);
  bw_report_set(summary, "malware", json_integer(0), &failed);
  bw_report_set(summary, "risk", json_string("NONE"), &failed);
  bw_report_set(doc, "summary", summary, &failed);

  bw_report_set(doc, "packages", json_array(), &failed); /* streamed */
  bw_report_set(doc, "vulnerabilities", json_array(), &failed);
  bw_report_set(doc, "baseline", json_array(), &failed);
  bw_report_set(doc, "malware", json_array(), &failed);

  json_stream st = {.r = r};
  bw_report_stream streams[] = {{"packages", next_package, &st}};
  int rc = failed ? bw_error_set(err, BW_ENOMEM, "out of memory building the JSON report")
                  : bw_report_dump_streamed(f, doc, streams, 1, "JSON report", err);
  json_decref(doc);
  bw_arena_free(st.scratch);
  return rc;
}
