/* OCI / Docker manifest, index and config documents (untrusted JSON). */
#ifndef BW_IMAGE_MANIFEST_H
#define BW_IMAGE_MANIFEST_H

#include <jansson.h>

#include "base/error.h"
#include "image/image.h"

#define BW_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define BW_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define BW_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define BW_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define BW_MT_ACCEPT BW_MT_OCI_INDEX ", " BW_MT_OCI_MANIFEST ", " BW_MT_DOCKER_LIST ", " BW_MT_DOCKER_MANIFEST

typedef enum { BW_DOC_UNKNOWN, BW_DOC_INDEX, BW_DOC_MANIFEST } bw_doc_kind;

/* Kind of a manifest document, from the transport's media type or, failing that, the document's
 * own mediaType field and shape. */
bw_doc_kind bw_manifest_kind(const json_t *doc, const char *media_type);

/* Picks the manifest for platform ("os/arch[/variant]", NULL = linux/amd64) from an index.
 * Writes its digest (a pointer into doc) to *digest. BW_ENOTFOUND lists the platforms there are. */
int bw_index_select(const char **digest, const json_t *doc, const char *platform, bw_error *err);

/* Reads the layers and config digest of an image manifest into img (layers malloc'd). */
int bw_manifest_read(bw_image *img, const json_t *doc, bw_error *err);

/* Reads os, architecture, diff_ids and history of a config into img; the diff_id count must match
 * the layer count. Takes a reference to cfg (img->config). */
int bw_config_read(bw_image *img, json_t *cfg, bw_error *err);

/* Frees the layers array of img. */
void bw_image_layers_free(bw_image *img);

#endif
