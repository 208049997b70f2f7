/* SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/): the document DESCRIBES the image
 * package, which CONTAINS the OS package and every installed package. Licences become valid SPDX
 * expressions (spdx_license.h); texts without an SPDX id are listed in hasExtractedLicensingInfos.
 * The layer and database path of a package are annotations, as Trivy writes them. */
#include <string.h>

#include "base/arena.h"
#include "report/report_util.h"
#include "report/result.h"
#include "report/spdx_license.h"

#define TOOL "Tool: bulwark-" BW_VERSION

/* "SPDXRef-" + the parts joined by '-', every character outside [A-Za-z0-9.-] turned into '-',
 * made unique in ids. Arena string, NULL on OOM. */
static const char *spdx_id(bw_arena *a, bw_strset *ids, const char *kind, const char *p1, const char *p2) {
  char *s = bw_arena_printf(a, "SPDXRef-%s-%s%s%s", kind, p1 ? p1 : "", p2 ? "-" : "", p2 ? p2 : "");
  if (!s) return NULL;
  size_t n = strlen(s);
  if (n > 200) s[n = 200] = 0; /* ids are for references, not for reading: keep them short */
  for (char *c = s + strlen("SPDXRef-"); *c; c++)
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' ||
          *c == '-'))
      *c = '-';
  while (n > strlen("SPDXRef-") && s[n - 1] == '-') s[--n] = 0;
  return bw_strset_unique(ids, s, "-");
}

static void annotation(json_t *arr, const char *ts, const char *key, const char *value, bool *failed) {
  if (!value) return;
  json_t *an = json_object();
  bw_report_set(an, "annotationDate", json_string(ts), failed);
  bw_report_set(an, "annotationType", json_string("OTHER"), failed);
  bw_report_set(an, "annotator", json_string(TOOL), failed);
  json_t *c = bw_report_jstr(value);
  bw_report_set(an, "comment", c ? json_sprintf("%s: %s", key, json_string_value(c)) : NULL, failed);
  json_decref(c);
  bw_report_append(arr, an, failed);
}

/* The fields every package of ours has the same way. */
static json_t *base_package(const char *id, const char *name, const char *version, const char *purpose,
                            bool *failed) {
  json_t *o = json_object();
  bw_report_set(o, "SPDXID", bw_report_jstr(id), failed);
  bw_report_set(o, "name", bw_report_jstr(name && *name ? name : "unknown"), failed);
  if (version) bw_report_set(o, "versionInfo", bw_report_jstr(version), failed);
  bw_report_set(o, "downloadLocation", json_string("NOASSERTION"), failed);
  bw_report_set(o, "filesAnalyzed", json_false(), failed);
  bw_report_set(o, "licenseConcluded", json_string("NOASSERTION"), failed);
  bw_report_set(o, "primaryPackagePurpose", json_string(purpose), failed);
  return o;
}

static void relationship(json_t *rels, const char *from, const char *type, const char *to, bool *failed) {
  json_t *o = json_object();
  bw_report_set(o, "spdxElementId", bw_report_jstr(from), failed);
  bw_report_set(o, "relationshipType", json_string(type), failed);
  bw_report_set(o, "relatedSpdxElement", bw_report_jstr(to), failed);
  bw_report_append(rels, o, failed);
}

static void purl_ref(json_t *pkg, const char *purl, bool *failed) {
  if (!purl) return;
  json_t *refs = json_array(), *o = json_object();
  bw_report_set(o, "referenceCategory", json_string("PACKAGE-MANAGER"), failed);
  bw_report_set(o, "referenceType", json_string("purl"), failed);
  bw_report_set(o, "referenceLocator", bw_report_jstr(purl), failed);
  bw_report_append(refs, o, failed);
  bw_report_set(pkg, "externalRefs", refs, failed);
}

/* documentNamespace: an http URI without '#', unique per document (SPDX 2.3 §6.5). */
static const char *doc_namespace(bw_arena *a, const char *name, const char *uuid) {
  char *s = bw_arena_printf(a, "https://bulwark.invalid/spdx/%s-%s", name ? name : "image", uuid);
  if (!s) return NULL;
  for (char *c = s + strlen("https://bulwark.invalid/spdx/"); *c; c++)
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' ||
          *c == '-' || *c == '_' || *c == '~'))
      *c = '-';
  return s;
}

int bw_report_write_spdx(FILE *f, const bw_scan_result *r, bw_error *err) {
  const bw_image *img = r->image;
  char ts[32], uuid[37];
  bw_report_timestamp(ts);
  int rc = bw_report_uuid(uuid, img ? img->manifest_digest : NULL, err);
  if (rc) return rc;

  bw_arena *a = bw_arena_new();
  json_t *doc = json_object();
  if (!a || !doc) {
    bw_arena_free(a);
    json_decref(doc);
    return bw_error_set(err, BW_ENOMEM, "out of memory building the SPDX document");
  }
  bool failed = false;
  bw_strset ids;
  bw_strset_init(&ids, a);
  if (bw_strset_add(&ids, "SPDXRef-DOCUMENT")) failed = true;
  bw_spdx_refs lrefs;
  bw_spdx_refs_init(&lrefs, a);
  const char *img_name = img && img->name ? img->name : "unknown";

  bw_report_set(doc, "spdxVersion", json_string("SPDX-2.3"), &failed);
  bw_report_set(doc, "dataLicense", json_string("CC0-1.0"), &failed);
  bw_report_set(doc, "SPDXID", json_string("SPDXRef-DOCUMENT"), &failed);
  bw_report_set(doc, "name", bw_report_jstr(img_name), &failed);
  const char *ns = doc_namespace(a, img_name, uuid);
  bw_report_set(doc, "documentNamespace", ns ? json_string(ns) : NULL, &failed);
  json_t *ci = json_object(), *creators = json_array();
  bw_report_append(creators, json_string(TOOL), &failed);
  bw_report_set(ci, "creators", creators, &failed);
  bw_report_set(ci, "created", json_string(ts), &failed);
  bw_report_set(doc, "creationInfo", ci, &failed);

  json_t *pkgs = json_array(), *rels = json_array();

  const char *img_id = spdx_id(a, &ids, "Image", img_name, NULL);
  if (!img_id) failed = true;
  json_t *ip = base_package(img_id, img_name, img ? img->manifest_digest : NULL, "CONTAINER", &failed);
  bw_report_set(ip, "licenseDeclared", json_string("NOASSERTION"), &failed);
  json_t *ian = json_array();
  if (img) {
    annotation(ian, ts, "bulwark:architecture", img->architecture, &failed);
    annotation(ian, ts, "bulwark:config_digest", img->config_digest, &failed);
  }
  if (json_array_size(ian)) bw_report_set(ip, "annotations", ian, &failed);
  else json_decref(ian);
  bw_report_append(pkgs, ip, &failed);
  relationship(rels, "SPDXRef-DOCUMENT", "DESCRIBES", img_id, &failed);

  if (r->os.family) {
    const char *os_id = spdx_id(a, &ids, "OperatingSystem", r->os.family, r->os.version);
    if (!os_id) failed = true;
    json_t *op = base_package(os_id, r->os.family, r->os.version, "OPERATING-SYSTEM", &failed);
    bw_report_set(op, "licenseDeclared", json_string("NOASSERTION"), &failed);
    if (r->os.name) bw_report_set(op, "description", bw_report_jstr(r->os.name), &failed);
    bw_report_append(pkgs, op, &failed);
    relationship(rels, img_id, "CONTAINS", os_id, &failed);
  }

  for (size_t i = 0; i < bw_pkglist_len(&r->packages) && !failed; i++) {
    const bw_package *p = bw_pkglist_at(&r->packages, i);
    const char *id = spdx_id(a, &ids, "Package", p->name, p->version);
    const char *lic = bw_spdx_license_expression(&lrefs, p->licenses);
    if (!id || !lic) {
      failed = true;
      break;
    }
    json_t *o = base_package(id, p->name, p->version, "LIBRARY", &failed);
    bw_report_set(o, "licenseDeclared", bw_report_jstr(lic), &failed);
    if (p->source_name) {
      json_t *src = bw_report_jstr(p->source_name), *srcv = bw_report_jstr(p->source_version);
      if (src && srcv)
        bw_report_set(o, "sourceInfo",
                      json_sprintf("built package from: %s%s%s", json_string_value(src), p->source_version ? " " : "",
                                   p->source_version ? json_string_value(srcv) : ""),
                      &failed);
      else
        failed = true;
      json_decref(src);
      json_decref(srcv);
    }
    purl_ref(o, bw_purl(a, p, &r->os), &failed);
    json_t *an = json_array();
    annotation(an, ts, "bulwark:layer", p->layer, &failed);
    annotation(an, ts, "bulwark:path", p->path, &failed);
    if (p->arch) annotation(an, ts, "bulwark:arch", p->arch, &failed);
    if (json_array_size(an)) bw_report_set(o, "annotations", an, &failed);
    else json_decref(an);
    bw_report_append(pkgs, o, &failed);
    relationship(rels, img_id, "CONTAINS", id, &failed);
  }

  if (lrefs.len) {
    json_t *ex = json_array();
    for (size_t i = 0; i < lrefs.len; i++) {
      json_t *o = json_object();
      bw_report_set(o, "licenseId", json_string(lrefs.v[i].id), &failed);
      bw_report_set(o, "extractedText", bw_report_jstr(lrefs.v[i].text), &failed);
      bw_report_set(o, "name", bw_report_jstr(lrefs.v[i].text), &failed);
      bw_report_append(ex, o, &failed);
    }
    bw_report_set(doc, "hasExtractedLicensingInfos", ex, &failed);
  }
  bw_report_set(doc, "packages", pkgs, &failed);
  bw_report_set(doc, "relationships", rels, &failed);

  rc = failed ? bw_error_set(err, BW_ENOMEM, "out of memory building the SPDX document")
              : bw_report_dump(f, doc, "SPDX", err);
  json_decref(doc);
  bw_arena_free(a);
  return rc;
}
