/* CycloneDX 1.5 JSON (https://cyclonedx.org/docs/1.5/json/): the image is metadata.component
 * (type container), the OS one operating-system component, each package one library component
 * whose bom-ref is its purl (made unique), and the container depends on the OS and every package.
 * Bulwark-specific facts go in properties named bulwark:*. A scan adds "vulnerabilities": one
 * entry per advisory, affecting the bom-refs of the installed packages it was matched on, with
 * the fixed version as a recommendation and a bulwark:fixed_version property. */
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/json.h"
#include "report/report_util.h"
#include "report/result.h"
#include "vuln/vulndb.h"

static void property(json_t *props, const char *name, const char *value, bool *failed) {
  if (!value) return;
  json_t *p = json_object();
  bw_report_set(p, "name", json_string(name), failed);
  bw_report_set(p, "value", bw_report_jstr(value), failed);
  bw_report_append(props, p, failed);
}

/* Adds "properties" to o unless the list is empty. */
static void set_properties(json_t *o, json_t *props, bool *failed) {
  if (props && json_array_size(props) == 0) {
    json_decref(props);
    return;
  }
  bw_report_set(o, "properties", props, failed);
}

static json_t *package_component(bw_arena *a, bw_strset *refs, const bw_package *p, const bw_os_info *os,
                                 size_t index, const char **ref_out, bool *failed) {
  const char *purl = bw_purl(a, p, os);
  const char *base = purl ? purl : bw_arena_printf(a, "package-%zu", index);
  /* two packages can share a purl (the same package in two databases): the bom-ref must not */
  const char *ref = base ? bw_strset_unique(refs, base, "#") : NULL;
  if (!ref) {
    *failed = true;
    return NULL;
  }
  *ref_out = ref;
  json_t *c = json_object();
  bw_report_set(c, "bom-ref", bw_report_jstr(ref), failed);
  bw_report_set(c, "type", json_string("library"), failed);
  bw_report_set(c, "name", bw_report_jstr(p->name ? p->name : "unknown"), failed);
  if (p->version) bw_report_set(c, "version", bw_report_jstr(p->version), failed);

  const char **lic;
  size_t n = bw_report_split_licenses(a, p->licenses, &lic);
  if (n == (size_t)-1) *failed = true;
  if (n && n != (size_t)-1) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
      json_t *l = json_object(), *w = json_object();
      bw_report_set(l, "name", bw_report_jstr(lic[i]), failed);
      bw_report_set(w, "license", l, failed);
      bw_report_append(arr, w, failed);
    }
    bw_report_set(c, "licenses", arr, failed);
  }
  if (purl) bw_report_set(c, "purl", bw_report_jstr(purl), failed);

  json_t *props = json_array();
  property(props, "bulwark:type", bw_pkg_type_name(p->type), failed);
  property(props, "bulwark:arch", p->arch, failed);
  property(props, "bulwark:source_name", p->source_name, failed);
  property(props, "bulwark:source_version", p->source_version, failed);
  property(props, "bulwark:maintainer", p->maintainer, failed);
  property(props, "bulwark:layer", p->layer, failed);
  property(props, "bulwark:path", p->path, failed);
  set_properties(c, props, failed);
  return c;
}

typedef struct cdx_stream {
  const bw_scan_result *r;
  bw_arena *a; /* bom-refs (kept to the end for uniqueness and the dependency list) */
  bw_strset refs;
  const char *image_ref;
  const char **deps; /* refs of the components written so far */
  size_t ndeps;
  size_t i;          /* next package */
  bool os_done, deps_done;
  const char **pkg_refs; /* bom-ref of package i */
  json_t *vulns;         /* built once all refs are known, then handed out */
  size_t vi;
} cdx_stream;

static json_t *next_component(void *ctx, bool *failed) {
  cdx_stream *s = ctx;
  const bw_scan_result *r = s->r;
  if (!s->os_done) {
    s->os_done = true;
    if (r->os.family) {
      char *base = bw_arena_printf(s->a, "os:%s@%s", r->os.family, r->os.version ? r->os.version : "");
      const char *os_ref = base ? bw_strset_unique(&s->refs, base, "#") : NULL;
      if (!os_ref) {
        *failed = true;
        return NULL;
      }
      json_t *oc = json_object();
      bw_report_set(oc, "bom-ref", bw_report_jstr(os_ref), failed);
      bw_report_set(oc, "type", json_string("operating-system"), failed);
      bw_report_set(oc, "name", bw_report_jstr(r->os.family), failed);
      if (r->os.version) bw_report_set(oc, "version", bw_report_jstr(r->os.version), failed);
      if (r->os.name) bw_report_set(oc, "description", bw_report_jstr(r->os.name), failed);
      s->deps[s->ndeps++] = os_ref;
      return oc;
    }
  }
  if (s->i >= bw_pkglist_len(&r->packages)) return NULL;
  const char *ref = NULL;
  json_t *c = package_component(s->a, &s->refs, bw_pkglist_at(&r->packages, s->i), &r->os, s->i, &ref, failed);
  if (ref) s->deps[s->ndeps++] = ref;
  s->pkg_refs[s->i] = ref;
  s->i++;
  return c;
}

/* Only the container's edges are known; package-to-package dependencies are not recorded, so the
 * packages get no entry of their own (the spec reads a missing entry as "unknown"). */
static json_t *next_dependency(void *ctx, bool *failed) {
  cdx_stream *s = ctx;
  if (s->deps_done) return NULL;
  s->deps_done = true;
  json_t *top = json_object(), *on = json_array();
  bw_report_set(top, "ref", bw_report_jstr(s->image_ref), failed);
  for (size_t k = 0; k < s->ndeps; k++) bw_report_append(on, bw_report_jstr(s->deps[k]), failed);
  bw_report_set(top, "dependsOn", on, failed);
  return top;
}

static const char *cdx_severity(int sev) {
  switch (sev) {
  case BW_SEV_CRITICAL: return "critical";
  case BW_SEV_HIGH: return "high";
  case BW_SEV_MEDIUM: return "medium";
  case BW_SEV_LOW: return "low";
  default: return "unknown";
  }
}

/* CVSS version -> CycloneDX 1.5 scoring method */
static const char *cdx_method(const char *version) {
  if (!version) return "other";
  if (!strcmp(version, "2.0") || !strcmp(version, "2")) return "CVSSv2";
  if (!strcmp(version, "3.0")) return "CVSSv3";
  if (!strcmp(version, "3.1")) return "CVSSv31";
  if (!strcmp(version, "4.0")) return "CVSSv4";
  return "other";
}

/* Where an advisory comes from, by its id's prefix. */
static json_t *cdx_source(const char *id, bool *failed) {
  static const struct {
    const char *prefix, *name, *url;
  } known[] = {{"CVE-", "NVD", "https://nvd.nist.gov/vuln/detail/"},
               {"GHSA-", "GitHub", "https://github.com/advisories/"},
               {"DEBIAN-", "Debian", "https://security-tracker.debian.org/tracker/"},
               {"DSA-", "Debian", "https://security-tracker.debian.org/tracker/"},
               {"DLA-", "Debian", "https://security-tracker.debian.org/tracker/"}};
  json_t *src = json_object();
  for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
    if (strncmp(id, known[i].prefix, strlen(known[i].prefix)) != 0) continue;
    const char *tail = !strncmp(id, "DEBIAN-", 7) ? id + 7 : id;
    bw_report_set(src, "name", json_string(known[i].name), failed);
    bw_report_set(src, "url", json_sprintf("%s%s", known[i].url, tail), failed);
    return src;
  }
  bw_report_set(src, "name", json_string("OSV"), failed);
  bw_report_set(src, "url", json_sprintf("https://osv.dev/vulnerability/%s", id), failed);
  return src;
}

static json_t *cdx_vulnerability(cdx_stream *s, const bw_vuln *v, const char *ref, bool *failed) {
  json_t *o = json_object();
  bw_report_set(o, "id", bw_report_jstr(v->id), failed);
  bw_report_set(o, "source", cdx_source(v->id, failed), failed);
  json_t *aliases = v->aliases_json ? json_loads(v->aliases_json, 0, NULL) : NULL, *refs = json_array();
  size_t k;
  json_t *al;
  json_array_foreach(aliases, k, al) {
    if (!json_is_string(al)) continue;
    json_t *r = json_object();
    bw_report_set(r, "id", bw_report_jstr(json_string_value(al)), failed);
    bw_report_set(r, "source", cdx_source(json_string_value(al), failed), failed);
    bw_report_append(refs, r, failed);
  }
  json_decref(aliases);
  if (json_array_size(refs)) bw_report_set(o, "references", refs, failed);
  else json_decref(refs);
  json_t *rating = json_object(), *ratings = json_array();
  if (v->cvss_score >= 0) bw_report_set(rating, "score", json_real(v->cvss_score), failed);
  bw_report_set(rating, "severity", json_string(cdx_severity(v->severity)), failed);
  if (v->cvss_vector) {
    bw_report_set(rating, "method", json_string(cdx_method(v->cvss_version)), failed);
    bw_report_set(rating, "vector", bw_report_jstr(v->cvss_vector), failed);
  }
  bw_report_append(ratings, rating, failed);
  bw_report_set(o, "ratings", ratings, failed);
  if (v->title) bw_report_set(o, "description", bw_report_jstr(v->title), failed);
  json_t *urls = v->references_json ? json_loads(v->references_json, 0, NULL) : NULL, *adv = json_array();
  json_t *u;
  json_array_foreach(urls, k, u) {
    const char *url = json_is_string(u) ? json_string_value(u) : bw_json_str(u, "url");
    if (!url) continue;
    json_t *a = json_object();
    bw_report_set(a, "url", bw_report_jstr(url), failed);
    bw_report_append(adv, a, failed);
  }
  json_decref(urls);
  if (json_array_size(adv)) bw_report_set(o, "advisories", adv, failed);
  else json_decref(adv);
  if (v->fixed_version)
    bw_report_set(o, "recommendation",
                  bw_report_jstr(bw_arena_printf(s->a, "Upgrade %s to %s or later", v->package->name ? v->package->name : "the package",
                                                 v->fixed_version)),
                  failed);
  json_t *affects = json_array(), *aff = json_object(), *vers = json_array(), *ver = json_object();
  bw_report_set(aff, "ref", bw_report_jstr(ref), failed);
  bw_report_set(ver, "version", bw_report_jstr(v->package->version ? v->package->version : "unknown"), failed);
  bw_report_set(ver, "status", json_string("affected"), failed);
  bw_report_append(vers, ver, failed);
  bw_report_set(aff, "versions", vers, failed);
  bw_report_append(affects, aff, failed);
  bw_report_set(o, "affects", affects, failed);
  json_t *props = json_array();
  property(props, "bulwark:class", v->app ? "app" : "os", failed);
  property(props, "bulwark:status", v->status, failed);
  property(props, "bulwark:fixed_version", v->fixed_version, failed);
  property(props, "bulwark:layer", v->package->layer, failed);
  set_properties(o, props, failed);
  return o;
}

/* One entry per advisory id; a second installed package it affects is one more "affects" ref. */
static json_t *next_vulnerability(void *ctx, bool *failed) {
  cdx_stream *s = ctx;
  const bw_scan_result *r = s->r;
  if (!s->vulns) {
    if (!(s->vulns = json_array())) {
      *failed = true;
      return NULL;
    }
    bw_strset ids;
    bw_strset_init(&ids, s->a);
    const bw_package *base = bw_pkglist_len(&r->packages) ? bw_pkglist_at(&r->packages, 0) : NULL;
    for (size_t i = 0; i < r->vulns.len && !*failed; i++) {
      const bw_vuln *v = bw_vec_at(&r->vulns, bw_vuln, i);
      size_t pi = base && v->package >= base ? (size_t)(v->package - base) : SIZE_MAX;
      const char *ref = pi < bw_pkglist_len(&r->packages) ? s->pkg_refs[pi] : NULL;
      if (!ref) continue;
      json_t *known = (json_t *)bw_strset_get(&ids, v->id);
      if (known) {
        json_t *aff = json_object(), *vers = json_array(), *ver = json_object();
        bw_report_set(aff, "ref", bw_report_jstr(ref), failed);
        bw_report_set(ver, "version", bw_report_jstr(v->package->version ? v->package->version : "unknown"), failed);
        bw_report_set(ver, "status", json_string("affected"), failed);
        bw_report_append(vers, ver, failed);
        bw_report_set(aff, "versions", vers, failed);
        bw_report_append(json_object_get(known, "affects"), aff, failed);
        continue;
      }
      json_t *o = cdx_vulnerability(s, v, ref, failed);
      if (!o || bw_strset_set(&ids, v->id, o)) {
        json_decref(o);
        *failed = true;
        return NULL;
      }
      bw_report_append(s->vulns, o, failed);
    }
  }
  if (s->vi >= json_array_size(s->vulns)) return NULL;
  return json_incref(json_array_get(s->vulns, s->vi++));
}

int bw_report_write_cyclonedx(FILE *f, const bw_scan_result *r, bw_error *err) {
  const bw_image *img = r->image;
  char ts[32], uuid[37];
  bw_report_timestamp(ts);
  int rc = bw_report_uuid(uuid, bw_image_digest(img), err);
  if (rc) return rc;

  cdx_stream st = {.r = r, .a = bw_arena_new()};
  json_t *doc = json_object();
  size_t npk = bw_pkglist_len(&r->packages);
  st.deps = st.a ? bw_arena_calloc(st.a, npk + 1, sizeof *st.deps) : NULL;
  st.pkg_refs = st.a ? bw_arena_calloc(st.a, npk + 1, sizeof *st.pkg_refs) : NULL;
  if (!st.deps || !st.pkg_refs || !doc) {
    bw_arena_free(st.a);
    json_decref(doc);
    return bw_error_set(err, BW_ENOMEM, "out of memory building the CycloneDX document");
  }
  bool failed = false;
  bw_strset_init(&st.refs, st.a);

  bw_report_set(doc, "$schema", json_string("http://cyclonedx.org/schema/bom-1.5.schema.json"), &failed);
  bw_report_set(doc, "bomFormat", json_string("CycloneDX"), &failed);
  bw_report_set(doc, "specVersion", json_string("1.5"), &failed);
  bw_report_set(doc, "serialNumber", json_sprintf("urn:uuid:%s", uuid), &failed);
  bw_report_set(doc, "version", json_integer(1), &failed);

  /* metadata: when, which tool, and the image itself */
  json_t *meta = json_object();
  bw_report_set(meta, "timestamp", json_string(ts), &failed);
  json_t *tool = json_object();
  bw_report_set(tool, "type", json_string("application"), &failed);
  bw_report_set(tool, "name", json_string("bulwark"), &failed);
  bw_report_set(tool, "version", json_string(BW_VERSION), &failed);
  json_t *tool_list = json_array(), *tools = json_object();
  bw_report_append(tool_list, tool, &failed);
  bw_report_set(tools, "components", tool_list, &failed);
  bw_report_set(meta, "tools", tools, &failed);

  st.image_ref = bw_image_digest(img) ? bw_image_digest(img) : "image";
  if (bw_strset_add(&st.refs, st.image_ref)) failed = true;
  json_t *comp = json_object();
  bw_report_set(comp, "bom-ref", bw_report_jstr(st.image_ref), &failed);
  bw_report_set(comp, "type", json_string("container"), &failed);
  bw_report_set(comp, "name", bw_report_jstr(img && img->name ? img->name : "unknown"), &failed);
  if (bw_image_digest(img)) bw_report_set(comp, "version", bw_report_jstr(bw_image_digest(img)), &failed);
  json_t *cprops = json_array();
  if (img) {
    property(cprops, "bulwark:architecture", img->architecture, &failed);
    property(cprops, "bulwark:os", img->os, &failed);
    property(cprops, "bulwark:config_digest", img->config_digest, &failed);
    for (size_t i = 0; i < img->nlayers; i++) property(cprops, "bulwark:layer_diff_id", img->layers[i].diff_id, &failed);
  }
  set_properties(comp, cprops, &failed);
  bw_report_set(meta, "component", comp, &failed);
  bw_report_set(doc, "metadata", meta, &failed);
  bw_report_set(doc, "components", json_array(), &failed);   /* streamed */
  bw_report_set(doc, "dependencies", json_array(), &failed); /* streamed, after the components */
  if (r->scanned_vulns) bw_report_set(doc, "vulnerabilities", json_array(), &failed); /* after both */

  bw_report_stream streams[] = {{"components", next_component, &st},
                                {"dependencies", next_dependency, &st},
                                {"vulnerabilities", next_vulnerability, &st}};
  rc = failed ? bw_error_set(err, BW_ENOMEM, "out of memory building the CycloneDX document")
              : bw_report_dump_streamed(f, doc, streams, 3, "CycloneDX", err);
  json_decref(doc);
  json_decref(st.vulns);
  bw_arena_free(st.a);
  return rc;
}
