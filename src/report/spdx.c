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

static json_t *relationship(const char *from, const char *type, const char *to, bool *failed) {
  json_t *o = json_object();
  bw_report_set(o, "spdxElementId", bw_report_jstr(from), failed);
  bw_report_set(o, "relationshipType", json_string(type), failed);
  bw_report_set(o, "relatedSpdxElement", bw_report_jstr(to), failed);
  return o;
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

typedef struct spdx_stream {
  const bw_scan_result *r;
  bw_arena *a;
  bw_strset ids;
  bw_spdx_refs lrefs;
  const char *ts, *img_name, *img_id, *os_id;
  const char **pkg_ids; /* SPDXIDs of the packages written so far, for the relationships */
  size_t npkg_ids;
  size_t pkg, rel, ext; /* stream positions: next package (-2 image, -1 OS), relationship, licence */
} spdx_stream;

static json_t *image_package(spdx_stream *s, bool *failed) {
  const bw_image *img = s->r->image;
  json_t *ip = base_package(s->img_id, s->img_name, bw_image_digest(img), "CONTAINER", failed);
  bw_report_set(ip, "licenseDeclared", json_string("NOASSERTION"), failed);
  json_t *ian = json_array();
  if (img) {
    annotation(ian, s->ts, "bulwark:architecture", img->architecture, failed);
    annotation(ian, s->ts, "bulwark:config_digest", img->config_digest, failed);
  }
  if (json_array_size(ian)) bw_report_set(ip, "annotations", ian, failed);
  else json_decref(ian);
  return ip;
}

static json_t *package(spdx_stream *s, const bw_package *p, bool *failed) {
  const char *id = spdx_id(s->a, &s->ids, "Package", p->name, p->version);
  const char *lic = bw_spdx_license_expression(&s->lrefs, p->licenses);
  if (!id || !lic) {
    *failed = true;
    return NULL;
  }
  s->pkg_ids[s->npkg_ids++] = id;
  json_t *o = base_package(id, p->name, p->version, "LIBRARY", failed);
  bw_report_set(o, "licenseDeclared", bw_report_jstr(lic), failed);
  if (p->source_name) {
    json_t *src = bw_report_jstr(p->source_name), *srcv = bw_report_jstr(p->source_version);
    if (src && srcv)
      bw_report_set(o, "sourceInfo",
                    json_sprintf("built package from: %s%s%s", json_string_value(src), p->source_version ? " " : "",
                                 p->source_version ? json_string_value(srcv) : ""),
                    failed);
    else
      *failed = true;
    json_decref(src);
    json_decref(srcv);
  }
  purl_ref(o, bw_purl(s->a, p, &s->r->os), failed);
  json_t *an = json_array();
  annotation(an, s->ts, "bulwark:layer", p->layer, failed);
  annotation(an, s->ts, "bulwark:path", p->path, failed);
  if (p->arch) annotation(an, s->ts, "bulwark:arch", p->arch, failed);
  if (json_array_size(an)) bw_report_set(o, "annotations", an, failed);
  else json_decref(an);
  return o;
}

static json_t *next_package(void *ctx, bool *failed) {
  spdx_stream *s = ctx;
  const bw_scan_result *r = s->r;
  size_t k = s->pkg++;
  if (k == 0) return image_package(s, failed);
  if (k == 1 && r->os.family) {
    json_t *op = base_package(s->os_id, r->os.family, r->os.version, "OPERATING-SYSTEM", failed);
    bw_report_set(op, "licenseDeclared", json_string("NOASSERTION"), failed);
    if (r->os.name) bw_report_set(op, "description", bw_report_jstr(r->os.name), failed);
    return op;
  }
  if (k == 1) k = s->pkg++; /* no OS package */
  size_t i = k - 2;
  return i < bw_pkglist_len(&r->packages) ? package(s, bw_pkglist_at(&r->packages, i), failed) : NULL;
}

/* DESCRIBES the image; the image CONTAINS the OS and every package. */
static json_t *next_relationship(void *ctx, bool *failed) {
  spdx_stream *s = ctx;
  size_t k = s->rel++;
  if (k == 0) return relationship("SPDXRef-DOCUMENT", "DESCRIBES", s->img_id, failed);
  if (k == 1 && s->os_id) return relationship(s->img_id, "CONTAINS", s->os_id, failed);
  size_t i = k - 1 - (s->os_id != NULL);
  return i < s->npkg_ids ? relationship(s->img_id, "CONTAINS", s->pkg_ids[i], failed) : NULL;
}

static json_t *next_extracted(void *ctx, bool *failed) {
  spdx_stream *s = ctx;
  if (s->ext >= s->lrefs.len) return NULL;
  const struct bw_spdx_ref *e = &s->lrefs.v[s->ext++];
  json_t *o = json_object();
  bw_report_set(o, "licenseId", json_string(e->id), failed);
  bw_report_set(o, "extractedText", bw_report_jstr(e->text), failed);
  bw_report_set(o, "name", bw_report_jstr(e->text), failed);
  return o;
}

int bw_report_write_spdx(FILE *f, const bw_scan_result *r, bw_error *err) {
  const bw_image *img = r->image;
  char ts[32], uuid[37];
  bw_report_timestamp(ts);
  int rc = bw_report_uuid(uuid, bw_image_digest(img), err);
  if (rc) return rc;

  spdx_stream st = {.r = r, .a = bw_arena_new(), .ts = ts};
  json_t *doc = json_object();
  st.pkg_ids = st.a ? bw_arena_calloc(st.a, bw_pkglist_len(&r->packages) + 1, sizeof *st.pkg_ids) : NULL;
  if (!st.pkg_ids || !doc) {
    bw_arena_free(st.a);
    json_decref(doc);
    return bw_error_set(err, BW_ENOMEM, "out of memory building the SPDX document");
  }
  bool failed = false;
  bw_strset_init(&st.ids, st.a);
  if (bw_strset_add(&st.ids, "SPDXRef-DOCUMENT")) failed = true;
  bw_spdx_refs_init(&st.lrefs, st.a);
  st.img_name = img && img->name ? img->name : "unknown";
  if (!(st.img_id = spdx_id(st.a, &st.ids, "Image", st.img_name, NULL))) failed = true;
  if (r->os.family && !(st.os_id = spdx_id(st.a, &st.ids, "OperatingSystem", r->os.family, r->os.version)))
    failed = true;

  bw_report_set(doc, "spdxVersion", json_string("SPDX-2.3"), &failed);
  bw_report_set(doc, "dataLicense", json_string("CC0-1.0"), &failed);
  bw_report_set(doc, "SPDXID", json_string("SPDXRef-DOCUMENT"), &failed);
  bw_report_set(doc, "name", bw_report_jstr(st.img_name), &failed);
  const char *ns = doc_namespace(st.a, st.img_name, uuid);
  bw_report_set(doc, "documentNamespace", ns ? json_string(ns) : NULL, &failed);
  json_t *ci = json_object(), *creators = json_array();
  bw_report_append(creators, json_string(TOOL), &failed);
  bw_report_set(ci, "creators", creators, &failed);
  bw_report_set(ci, "created", json_string(ts), &failed);
  bw_report_set(doc, "creationInfo", ci, &failed);
  /* streamed in this order: the relationships and extracted licences need the packages first */
  bw_report_set(doc, "packages", json_array(), &failed);
  bw_report_set(doc, "relationships", json_array(), &failed);
  bw_report_set(doc, "hasExtractedLicensingInfos", json_array(), &failed);

  bw_report_stream streams[] = {{"packages", next_package, &st},
                                {"relationships", next_relationship, &st},
                                {"hasExtractedLicensingInfos", next_extracted, &st}};
  rc = failed ? bw_error_set(err, BW_ENOMEM, "out of memory building the SPDX document")
              : bw_report_dump_streamed(f, doc, streams, 3, "SPDX", err);
  json_decref(doc);
  bw_arena_free(st.a);
  return rc;
}
