/* The bulwark.report/v1 document (DESIGN.md §6). Vulnerabilities come from matching (empty for an
 * inventory, whose "db" is null); baseline (secrets included) and malware from their scanners;
 * packages carry "arch" in addition to §6. */
#include <stdint.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "base/arena.h"
#include "report/report_util.h"
#include "report/result.h"
#include "vuln/vulndb.h"

/* counts[bw_severity]; NULL = all zero */
static json_t *severity_counts(const size_t *counts, bool *failed) {
  static const int order[] = {BW_SEV_CRITICAL, BW_SEV_HIGH, BW_SEV_MEDIUM, BW_SEV_LOW, BW_SEV_UNKNOWN};
  json_t *o = json_object();
  for (size_t i = 0; i < sizeof order / sizeof *order; i++)
    bw_report_set(o, bw_severity_name((bw_severity)order[i]), json_integer(counts ? (json_int_t)counts[order[i]] : 0),
                  failed);
  if (!o) *failed = true;
  return o;
}

/* A JSON array from text the DB stored (aliases, references); [] when absent or unreadable. */
static json_t *json_array_text(const char *text) {
  json_t *v = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
  if (v && json_is_array(v)) return v;
  json_decref(v);
  return json_array();
}

static json_t *vulnerability(const bw_vuln *v, bool *failed) {
  const bw_package *p = v->package;
  json_t *o = json_object();
  bw_report_set(o, "id", bw_report_jstr(v->id), failed);
  bw_report_set(o, "aliases", json_array_text(v->aliases_json), failed);
  bw_report_set(o, "class", json_string(v->app ? "app" : "os"), failed);
  bw_report_set(o, "package", bw_report_jstr(p->name), failed);
  bw_report_set(o, "type", bw_report_jstr(bw_pkg_type_name(p->type)), failed);
  bw_report_set(o, "installed_version", bw_report_jstr(p->version), failed);
  bw_report_set(o, "fixed_version", bw_report_jstr(v->fixed_version), failed);
  bw_report_set(o, "status", bw_report_jstr(v->status), failed);
  bw_report_set(o, "severity", json_string(bw_severity_name((bw_severity)v->severity)), failed);
  if (v->cvss_vector || v->cvss_score >= 0) {
    json_t *c = json_object();
    bw_report_set(c, "version", bw_report_jstr(v->cvss_version), failed);
    bw_report_set(c, "vector", bw_report_jstr(v->cvss_vector), failed);
    bw_report_set(c, "score", v->cvss_score >= 0 ? json_real(v->cvss_score) : json_null(), failed);
    bw_report_set(o, "cvss", c, failed);
  } else {
    bw_report_set(o, "cvss", json_null(), failed);
  }
  bw_report_set(o, "title", bw_report_jstr(v->title), failed);
  bw_report_set(o, "layer", bw_report_jstr(p->layer), failed);
  bw_report_set(o, "path", bw_report_jstr(p->path), failed);
  bw_report_set(o, "references", json_array_text(v->references_json), failed);
  return o;
}

static json_t *baseline_finding(const bw_baseline_finding *b, bool *failed) {
  json_t *o = json_object();
  bw_report_set(o, "id", bw_report_jstr(b->id), failed);
  bw_report_set(o, "category", bw_report_jstr(b->category), failed);
  bw_report_set(o, "severity", json_string(bw_severity_name((bw_severity)b->severity)), failed);
  bw_report_set(o, "title", bw_report_jstr(b->title), failed);
  bw_report_set(o, "path", bw_report_jstr(b->path), failed);
  bw_report_set(o, "line", b->line ? json_integer(b->line) : json_null(), failed);
  bw_report_set(o, "evidence", bw_report_jstr(b->evidence), failed);
  bw_report_set(o, "remediation", bw_report_jstr(b->remediation), failed);
  bw_report_set(o, "layer", bw_report_jstr(b->layer), failed);
  return o;
}

static json_t *malware_finding(const bw_malware_finding *m, bool *failed) {
  json_t *o = json_object();
  bw_report_set(o, "rule", bw_report_jstr(m->rule), failed);
  bw_report_set(o, "family", bw_report_jstr(m->family), failed);
  bw_report_set(o, "severity", json_string(bw_severity_name((bw_severity)m->severity)), failed);
  bw_report_set(o, "path", bw_report_jstr(m->path), failed);
  bw_report_set(o, "layer", bw_report_jstr(m->layer), failed);
  bw_report_set(o, "sha256", bw_report_jstr(m->sha256), failed);
  bw_report_set(o, "size", json_integer((json_int_t)m->size), failed);
  bw_report_set(o, "description", bw_report_jstr(m->description), failed);
  return o;
}

static size_t sev_slot(int s) { return s >= BW_SEV_UNKNOWN && s <= BW_SEV_CRITICAL ? (size_t)s : BW_SEV_UNKNOWN; }

/* "Debian:12 1827, npm 3" -> ["Debian:12 1827", "npm 3"] */
static json_t *db_section(const bw_scan_result *r, bool *failed) {
  if (!r->scanned_vulns) return json_null(); /* no advisory DB is involved in an inventory */
  json_t *db = json_object(), *sources = json_array();
  bw_report_set(db, "updated_at", bw_report_jstr(r->db_updated_at), failed);
  for (const char *s = r->db_sources; s && *s;) {
    const char *sep = strstr(s, ", ");
    size_t n = sep ? (size_t)(sep - s) : strlen(s);
    if (n) bw_report_append(sources, json_stringn(s, n), failed);
    s += n + (sep ? 2 : 0);
  }
  bw_report_set(db, "sources", sources, failed);
  return db;
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
  bw_report_set(doc, "db", db_section(r, &failed), &failed);

  size_t counts[BW_SEV_CRITICAL + 1] = {0}, bcounts[BW_SEV_CRITICAL + 1] = {0}, all[BW_SEV_CRITICAL + 1] = {0};
  json_t *vulns = json_array(), *baseline = json_array(), *malware = json_array();
  for (size_t i = 0; i < r->vulns.len; i++) {
    const bw_vuln *v = bw_vec_at(&r->vulns, bw_vuln, i);
    counts[sev_slot(v->severity)]++;
    all[sev_slot(v->severity)]++;
    bw_report_append(vulns, vulnerability(v, &failed), &failed);
  }
  for (size_t i = 0; i < r->baseline.len; i++) {
    const bw_baseline_finding *b = bw_vec_at(&r->baseline, bw_baseline_finding, i);
    bcounts[sev_slot(b->severity)]++;
    all[sev_slot(b->severity)]++;
    bw_report_append(baseline, baseline_finding(b, &failed), &failed);
  }
  for (size_t i = 0; i < r->malware.len; i++) {
    const bw_malware_finding *m = bw_vec_at(&r->malware, bw_malware_finding, i);
    all[sev_slot(m->severity)]++;
    bw_report_append(malware, malware_finding(m, &failed), &failed);
  }
  /* risk: the highest severity found in any tab; an unrated finding still counts as a LOW risk */
  const char *risk = "NONE";
  for (int s = BW_SEV_CRITICAL; s >= BW_SEV_UNKNOWN; s--)
    if (all[s]) {
      risk = bw_severity_name(s == BW_SEV_UNKNOWN ? BW_SEV_LOW : (bw_severity)s);
      break;
    }
  json_t *summary = json_object();
  bw_report_set(summary, "vulnerabilities", severity_counts(counts, &failed), &failed);
  bw_report_set(summary, "baseline", severity_counts(bcounts, &failed), &failed);
  bw_report_set(summary, "malware", json_integer((json_int_t)r->malware.len), &failed);
  /* files the content scanners could not look at (size caps, timeouts): a clean report with
   * skipped files is not the same as a clean image */
  if (r->scanners & (BW_SCANNER_BASELINE | BW_SCANNER_MALWARE))
    bw_report_set(summary, "content_skipped", json_integer((json_int_t)r->content_skipped), &failed);
  bw_report_set(summary, "risk", json_string(risk), &failed);
  bw_report_set(doc, "summary", summary, &failed);

  bw_report_set(doc, "packages", json_array(), &failed); /* streamed */
  bw_report_set(doc, "vulnerabilities", vulns, &failed);
  bw_report_set(doc, "baseline", baseline, &failed);
  bw_report_set(doc, "malware", malware, &failed);

  json_stream st = {.r = r};
  bw_report_stream streams[] = {{"packages", next_package, &st}};
  int rc = failed ? bw_error_set(err, BW_ENOMEM, "out of memory building the JSON report")
                  : bw_report_dump_streamed(f, doc, streams, 1, "JSON report", err);
  json_decref(doc);
  bw_arena_free(st.scratch);
  return rc;
}
