/* SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/) as GitHub code scanning reads it:
 * one run, tool.driver.rules with one rule per advisory id (shortDescription, helpUri, and
 * properties.security-severity = the CVSS score as a string, which GitHub turns into its severity),
 * and one result per vulnerability of an installed package, located at the file the package came
 * from (the package DB or the jar / lockfile) or, without one, at the image. Baseline checks and
 * malware rules are rules too, with the remediation as the rule's help. */
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "report/report_util.h"
#include "report/result.h"
#include "vuln/vulndb.h"

static const char *level(int sev) {
  switch (sev) {
  case BW_SEV_CRITICAL:
  case BW_SEV_HIGH: return "error";
  case BW_SEV_MEDIUM: return "warning";
  default: return "note";
  }
}

/* The score GitHub ranks by: the CVSS base score, else a value inside the severity's band
 * (GitHub: >9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low). */
static const char *security_severity(bw_arena *a, const bw_vuln *v) {
  if (v->cvss_score >= 0) return bw_arena_printf(a, "%.1f", v->cvss_score);
  switch (v->severity) {
  case BW_SEV_CRITICAL: return "9.5";
  case BW_SEV_HIGH: return "8.0";
  case BW_SEV_MEDIUM: return "5.5";
  case BW_SEV_LOW: return "2.0";
  default: return "0.0";
  }
}

/* The first reference URL of the advisory, else its osv.dev page. */
static const char *help_uri(bw_arena *a, const bw_vuln *v) {
  json_t *refs = v->references_json ? json_loads(v->references_json, 0, NULL) : NULL;
  const char *uri = NULL;
  json_t *first = json_array_get(refs, 0);
  if (json_is_string(first)) uri = bw_arena_strdup(a, json_string_value(first));
  else if (json_is_object(first) && json_is_string(json_object_get(first, "url")))
    uri = bw_arena_strdup(a, json_string_value(json_object_get(first, "url")));
  json_decref(refs);
  if (uri && (strncmp(uri, "https://", 8) == 0 || strncmp(uri, "http://", 7) == 0)) return uri;
  return bw_arena_printf(a, "https://osv.dev/vulnerability/%s", v->id);
}

/* A relative URI reference for a path inside the image: bytes outside RFC 3986's pchar set are
 * percent-encoded, so any file name gives a valid URI. */
static const char *path_uri(bw_arena *a, const char *path) {
  static const char ok[] = "-._~!$&'()*+,;=:@/";
  size_t n = strlen(path), cap;
  if (__builtin_mul_overflow(n, 3, &cap) || __builtin_add_overflow(cap, 1, &cap)) return NULL;
  char *out = bw_arena_alloc(a, cap);
  if (!out) return NULL;
  size_t o = 0;
  while (*path == '/') path++;
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || (*p && strchr(ok, *p))) {
      out[o++] = (char)*p;
    } else {
      static const char hex[] = "0123456789ABCDEF";
      out[o++] = '%';
      out[o++] = hex[*p >> 4];
      out[o++] = hex[*p & 15];
    }
  }
  out[o] = 0;
  return out;
}

static json_t *text(const char *s) {
  json_t *o = json_object();
  if (o && json_object_set_new(o, "text", bw_report_jstr(s ? s : ""))) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static json_t *rule(bw_arena *a, const bw_vuln *v, bool *failed) {
  json_t *r = json_object();
  const char *title = v->title && *v->title ? v->title : v->id;
  bw_report_set(r, "id", bw_report_jstr(v->id), failed);
  bw_report_set(r, "name", json_string(v->app ? "ApplicationVulnerability" : "OsPackageVulnerability"), failed);
  bw_report_set(r, "shortDescription", text(title), failed);
  bw_report_set(r, "fullDescription", text(title), failed);
  const char *uri = help_uri(a, v);
  bw_report_set(r, "helpUri", bw_report_jstr(uri), failed);
  json_t *help = json_object();
  const char *sev = bw_severity_name((bw_severity)v->severity);
  bw_report_set(help, "text",
                bw_report_jstr(bw_arena_printf(a, "Vulnerability %s\nSeverity: %s\n%s\nLink: %s", v->id, sev, title, uri)),
                failed);
  bw_report_set(help, "markdown",
                bw_report_jstr(bw_arena_printf(a, "**Vulnerability %s**\n\n| Severity | Title |\n| --- | --- |\n| %s | %s |\n\n[%s](%s)",
                                               v->id, sev, title, v->id, uri)),
                failed);
  bw_report_set(r, "help", help, failed);
  json_t *cfg = json_object();
  bw_report_set(cfg, "level", json_string(level(v->severity)), failed);
  bw_report_set(r, "defaultConfiguration", cfg, failed);
  json_t *props = json_object(), *tags = json_array();
  bw_report_append(tags, json_string("vulnerability"), failed);
  bw_report_append(tags, json_string("security"), failed);
  bw_report_append(tags, json_string(sev), failed);
  bw_report_set(props, "tags", tags, failed);
  bw_report_set(props, "precision", json_string("very-high"), failed);
  bw_report_set(props, "security-severity", bw_report_jstr(security_severity(a, v)), failed);
  bw_report_set(r, "properties", props, failed);
  return r;
}

static json_t *result(bw_arena *a, const bw_scan_result *sr, const bw_vuln *v, size_t rule_index, bool *failed) {
  const bw_package *p = v->package;
  json_t *o = json_object();
  bw_report_set(o, "ruleId", bw_report_jstr(v->id), failed);
  bw_report_set(o, "ruleIndex", json_integer((json_int_t)rule_index), failed);
  bw_report_set(o, "level", json_string(level(v->severity)), failed);
  const char *msg = bw_arena_printf(a, "Package: %s\nInstalled Version: %s\nVulnerability: %s\nSeverity: %s\nFixed Version: %s\nLink: [%s](%s)",
                                    p->name ? p->name : "?", p->version ? p->version : "?", v->id,
                                    bw_severity_name((bw_severity)v->severity),
                                    v->fixed_version ? v->fixed_version : v->status, v->id, help_uri(a, v));
  bw_report_set(o, "message", text(msg), failed);
  const char *where = p->path && *p->path ? p->path
                      : sr->image && sr->image->name ? sr->image->name
                                                     : "image";
  const char *uri = path_uri(a, where);
  json_t *art = json_object(), *phys = json_object(), *loc = json_object(), *locs = json_array(), *region = json_object();
  bw_report_set(art, "uri", bw_report_jstr(uri), failed);
  bw_report_set(phys, "artifactLocation", art, failed);
  /* GitHub wants a region; the package has no line of its own */
  bw_report_set(region, "startLine", json_integer(1), failed);
  bw_report_set(region, "startColumn", json_integer(1), failed);
  bw_report_set(region, "endLine", json_integer(1), failed);
  bw_report_set(region, "endColumn", json_integer(1), failed);
  bw_report_set(phys, "region", region, failed);
  bw_report_set(loc, "physicalLocation", phys, failed);
  json_t *logical = json_array(), *ll = json_object();
  bw_report_set(ll, "fullyQualifiedName", bw_report_jstr(bw_arena_printf(a, "%s@%s", p->name ? p->name : "?",
                                                                         p->version ? p->version : "?")),
                failed);
  bw_report_set(ll, "kind", json_string("package"), failed);
  bw_report_append(logical, ll, failed);
  bw_report_set(loc, "logicalLocations", logical, failed);
  bw_report_append(locs, loc, failed);
  bw_report_set(o, "locations", locs, failed);
  /* the same advisory on the same package in the same file is one alert across runs */
  json_t *fp = json_object();
  bw_report_set(fp, "bulwark/v1", bw_report_jstr(bw_arena_printf(a, "%s|%s|%s|%s", v->id, p->name ? p->name : "",
                                                                  p->version ? p->version : "", where)),
                failed);
  bw_report_set(o, "partialFingerprints", fp, failed);
  json_t *props = json_object();
  bw_report_set(props, "class", json_string(v->app ? "app" : "os"), failed);
  bw_report_set(props, "package", bw_report_jstr(p->name), failed);
  bw_report_set(props, "installed_version", bw_report_jstr(p->version), failed);
  bw_report_set(props, "fixed_version", bw_report_jstr(v->fixed_version), failed);
  bw_report_set(props, "layer", bw_report_jstr(p->layer), failed);
  bw_report_set(o, "properties", props, failed);
  return o;
}

/* Baseline and malware findings share one shape in SARIF: a rule per check id (baseline: its
 * remediation is the rule's help) and a result at the file and line. */
typedef struct finding_view {
  const char *rule_id, *kind, *category, *title, *path, *layer, *evidence, *help, *sha256;
  int severity;
  uint32_t line;
} finding_view;

static const char *band_score(int sev) {
  switch (sev) {
  case BW_SEV_CRITICAL: return "9.5";
  case BW_SEV_HIGH: return "8.0";
  case BW_SEV_MEDIUM: return "5.5";
  case BW_SEV_LOW: return "2.0";
  default: return "0.0";
  }
}

static json_t *finding_rule(bw_arena *a, const finding_view *v, bool *failed) {
  json_t *r = json_object();
  const char *title = v->title && *v->title ? v->title : v->rule_id;
  bw_report_set(r, "id", bw_report_jstr(v->rule_id), failed);
  bw_report_set(r, "name", json_string(v->kind), failed);
  bw_report_set(r, "shortDescription", text(title), failed);
  bw_report_set(r, "fullDescription", text(v->help && *v->help ? v->help : title), failed);
  json_t *help = json_object();
  const char *sev = bw_severity_name((bw_severity)v->severity);
  bw_report_set(help, "text", bw_report_jstr(bw_arena_printf(a, "%s\nSeverity: %s\n%s", title, sev, v->help ? v->help : "")),
                failed);
  bw_report_set(help, "markdown",
                bw_report_jstr(bw_arena_printf(a, "**%s** (%s)\n\n%s", title, sev, v->help ? v->help : "")), failed);
  bw_report_set(r, "help", help, failed);
  json_t *cfg = json_object();
  bw_report_set(cfg, "level", json_string(level(v->severity)), failed);
  bw_report_set(r, "defaultConfiguration", cfg, failed);
  json_t *props = json_object(), *tags = json_array();
  bw_report_append(tags, json_string(v->kind), failed);
  bw_report_append(tags, json_string("security"), failed);
  if (v->category) bw_report_append(tags, bw_report_jstr(v->category), failed);
  bw_report_append(tags, json_string(sev), failed);
  bw_report_set(props, "tags", tags, failed);
  bw_report_set(props, "precision", json_string("high"), failed);
  bw_report_set(props, "security-severity", json_string(band_score(v->severity)), failed);
  bw_report_set(r, "properties", props, failed);
  return r;
}

static json_t *finding_result(bw_arena *a, const bw_scan_result *sr, const finding_view *v, size_t rule_index,
                              bool *failed) {
  json_t *o = json_object();
  bw_report_set(o, "ruleId", bw_report_jstr(v->rule_id), failed);
  bw_report_set(o, "ruleIndex", json_integer((json_int_t)rule_index), failed);
  bw_report_set(o, "level", json_string(level(v->severity)), failed);
  const char *msg = bw_arena_printf(a, "%s%s%s", v->title ? v->title : v->rule_id, v->evidence ? "\nEvidence: " : "",
                                    v->evidence ? v->evidence : "");
  bw_report_set(o, "message", text(msg), failed);
  const char *where = v->path && *v->path ? v->path : sr->image && sr->image->name ? sr->image->name : "image";
  json_t *art = json_object(), *phys = json_object(), *loc = json_object(), *locs = json_array(), *region = json_object();
  bw_report_set(art, "uri", bw_report_jstr(path_uri(a, where)), failed);
  bw_report_set(phys, "artifactLocation", art, failed);
  bw_report_set(region, "startLine", json_integer(v->line ? v->line : 1), failed);
  bw_report_set(region, "startColumn", json_integer(1), failed);
  bw_report_set(region, "endLine", json_integer(v->line ? v->line : 1), failed);
  bw_report_set(region, "endColumn", json_integer(1), failed);
  bw_report_set(phys, "region", region, failed);
  bw_report_set(loc, "physicalLocation", phys, failed);
  bw_report_append(locs, loc, failed);
  bw_report_set(o, "locations", locs, failed);
  json_t *fp = json_object();
  bw_report_set(fp, "bulwark/v1", bw_report_jstr(bw_arena_printf(a, "%s|%s|%u", v->rule_id, where, v->line)), failed);
  bw_report_set(o, "partialFingerprints", fp, failed);
  json_t *props = json_object();
  bw_report_set(props, "category", bw_report_jstr(v->category), failed);
  bw_report_set(props, "layer", bw_report_jstr(v->layer), failed);
  if (v->sha256) bw_report_set(props, "sha256", bw_report_jstr(v->sha256), failed);
  bw_report_set(o, "properties", props, failed);
  return o;
}

static void add_finding(bw_arena *a, const bw_scan_result *r, const finding_view *v, bw_strset *ids, size_t *nrules,
                        json_t *rules, json_t *results, bool *failed) {
  const size_t *known = bw_strset_get(ids, v->rule_id);
  size_t idx;
  if (known) {
    idx = *known;
  } else {
    size_t *slot = bw_arena_alloc(a, sizeof *slot);
    if (!slot || bw_strset_set(ids, v->rule_id, slot)) {
      *failed = true;
      return;
    }
    *slot = idx = (*nrules)++;
    bw_report_append(rules, finding_rule(a, v, failed), failed);
  }
  bw_report_append(results, finding_result(a, r, v, idx, failed), failed);
}

int bw_report_write_sarif(FILE *f, const bw_scan_result *r, bw_error *err) {
  bw_arena *a = bw_arena_new();
  json_t *doc = json_object();
  size_t *index = a ? bw_arena_calloc(a, r->vulns.len + 1, sizeof *index) : NULL;
  if (!a || !doc || !index) {
    bw_arena_free(a);
    json_decref(doc);
    return bw_error_set(err, BW_ENOMEM, "out of memory building the SARIF document");
  }
  bool failed = false;
  bw_report_set(doc, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"), &failed);
  bw_report_set(doc, "version", json_string("2.1.0"), &failed);
  json_t *run = json_object(), *tool = json_object(), *driver = json_object(), *rules = json_array(),
         *results = json_array();
  bw_report_set(driver, "name", json_string("bulwark"), &failed);
  bw_report_set(driver, "fullName", json_string("Bulwark container image scanner"), &failed);
  bw_report_set(driver, "version", json_string(BW_VERSION), &failed);
  bw_report_set(driver, "semanticVersion", json_string(BW_VERSION), &failed);
  bw_report_set(driver, "informationUri", json_string("https://ossf.github.io/osv-schema/"), &failed);

  /* one rule per advisory id, in first-seen order (results are sorted by severity) */
  bw_strset ids;
  bw_strset_init(&ids, a);
  size_t nrules = 0;
  for (size_t i = 0; i < r->vulns.len && !failed; i++) {
    const bw_vuln *v = bw_vec_at(&r->vulns, bw_vuln, i);
    const size_t *known = bw_strset_get(&ids, v->id);
    if (known) {
      index[i] = *known;
      continue;
    }
    size_t *slot = bw_arena_alloc(a, sizeof *slot);
    if (!slot || bw_strset_set(&ids, v->id, slot)) {
      failed = true;
      break;
    }
    *slot = index[i] = nrules++;
    bw_report_append(rules, rule(a, v, &failed), &failed);
  }
  for (size_t i = 0; i < r->vulns.len && !failed; i++)
    bw_report_append(results, result(a, r, bw_vec_at(&r->vulns, bw_vuln, i), index[i], &failed), &failed);
  for (size_t i = 0; i < r->baseline.len && !failed; i++) {
    const bw_baseline_finding *b = bw_vec_at(&r->baseline, bw_baseline_finding, i);
    finding_view v = {.rule_id = b->id ? b->id : "BW-BASELINE", .kind = "BaselineCheck", .category = b->category,
                      .title = b->title, .path = b->path, .layer = b->layer, .evidence = b->evidence,
                      .help = b->remediation, .severity = b->severity, .line = b->line};
    add_finding(a, r, &v, &ids, &nrules, rules, results, &failed);
  }
  for (size_t i = 0; i < r->malware.len && !failed; i++) {
    const bw_malware_finding *m = bw_vec_at(&r->malware, bw_malware_finding, i);
    finding_view v = {.rule_id = m->rule ? m->rule : "malware", .kind = "MaliciousSample", .category = m->family,
                      .title = bw_arena_printf(a, "Malicious sample (%s): %s", m->family ? m->family : "?",
                                               m->rule ? m->rule : "?"),
                      .path = m->path, .layer = m->layer, .evidence = m->description,
                      .help = "Remove the file from the image (rebuild the layer that adds it) and find how it got there.",
                      .sha256 = m->sha256, .severity = m->severity};
    add_finding(a, r, &v, &ids, &nrules, rules, results, &failed);
  }
  bw_report_set(driver, "rules", rules, &failed);
  bw_report_set(tool, "driver", driver, &failed);
  bw_report_set(run, "tool", tool, &failed);
  bw_report_set(run, "results", results, &failed);
  bw_report_set(run, "columnKind", json_string("utf16CodeUnits"), &failed);
  json_t *props = json_object();
  const bw_image *img = r->image;
  bw_report_set(props, "imageName", bw_report_jstr(img ? img->name : NULL), &failed);
  bw_report_set(props, "imageDigest", bw_report_jstr(bw_image_digest(img)), &failed);
  bw_report_set(run, "properties", props, &failed);
  json_t *runs = json_array();
  bw_report_append(runs, run, &failed);
  bw_report_set(doc, "runs", runs, &failed);

  int rc = failed ? bw_error_set(err, BW_ENOMEM, "out of memory building the SARIF document")
                  : bw_report_dump(f, doc, "SARIF", err);
  json_decref(doc);
  bw_arena_free(a);
  return rc;
}
