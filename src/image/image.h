/* An image resolved from a reference: manifest, config and ordered layer list, plus the source
 * that can stream its blobs. Transports follow skopeo's names (DESIGN.md §2). */
#ifndef BW_IMAGE_IMAGE_H
#define BW_IMAGE_IMAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "image/reader.h"

typedef enum {
  BW_COMPRESSION_UNKNOWN, /* detect from magic bytes */
  BW_COMPRESSION_NONE,
  BW_COMPRESSION_GZIP,
  BW_COMPRESSION_ZSTD,
} bw_compression;

typedef struct bw_layer_desc {
  char *digest;     /* digest of the blob as stored (compressed); verified while streaming */
  char *diff_id;    /* digest of the uncompressed tar, from the config; verified too */
  char *media_type;
  int64_t size;     /* blob size from the manifest, -1 when unknown */
  char *created_by; /* from the config history, NULL when absent */
  bw_compression compression;
} bw_layer_desc;

typedef struct bw_source bw_source;
typedef struct bw_source_ops {
  /* Fetches a small blob (manifest or config) whole and verifies it against digest.
   * Caller frees *out. */
  int (*get_blob)(bw_source *s, const char *digest, size_t max, char **out, size_t *len, bw_error *err);
  /* Opens a layer blob for streaming. The returned reader need not verify the digest: the
   * caller wraps it with bw_reader_verify. Caller owns *out. */
  int (*open_layer)(bw_source *s, const bw_layer_desc *layer, bw_reader **out, bw_error *err);
  void (*free)(bw_source *s);
} bw_source_ops;

struct bw_source {
  const bw_source_ops *ops;
};

typedef enum {
  BW_TRANSPORT_OCI,
  BW_TRANSPORT_OCI_ARCHIVE,
  BW_TRANSPORT_DOCKER_ARCHIVE,
  BW_TRANSPORT_DIR,
  BW_TRANSPORT_DOCKER, /* registry */
} bw_transport;

/* A parsed image reference. All strings malloc'd, owned by the struct (bw_image_ref_dispose). */
typedef struct bw_image_ref {
  bw_transport transport;
  char *path;      /* oci/oci-archive/docker-archive/dir: file or directory */
  char *tag;       /* oci tag / docker-archive "name:tag" / registry tag; NULL = default */
  char *index;     /* docker-archive "@N" image index, -1 when unset (kept as string) */
  char *host;      /* registry host[:port] */
  char *repo;      /* registry repository ("library/debian") */
  char *digest;    /* registry @sha256:... */
} bw_image_ref;

/* Parses "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE[:NAME:TAG]", "dir:ROOTFS",
 * "docker://HOST/REPO[:TAG|@DIGEST]" or a bare "HOST/REPO:TAG" (= docker://). */
int bw_image_ref_parse(bw_image_ref *out, const char *s, bw_error *err);
void bw_image_ref_dispose(bw_image_ref *r);

typedef struct bw_registry_auth {
  const char *username, *password; /* NULL: look in ~/.docker/config.json, then anonymous */
  const char *docker_config;       /* path override for config.json (tests), NULL = default */
  bool insecure;                   /* plain HTTP, no TLS verification */
  const char *ca_file;             /* extra CA bundle, NULL = system */
} bw_registry_auth;

typedef struct bw_image_opts {
  const char *platform; /* "os/arch[/variant]", NULL = linux/amd64 */
  bw_registry_auth auth;
} bw_image_opts;

typedef struct bw_image {
  char *name;            /* the reference as the user gave it */
  char *manifest_digest; /* sha256 of the manifest bytes we resolved (computed, not trusted) */
  char *config_digest;
  char *os, *architecture, *variant;
  json_t *config;        /* the parsed image config (owned) */
  bw_layer_desc *layers; /* in order, base first */
  size_t nlayers;
  bool is_rootfs;        /* dir: source: no layers, the tree itself is walked */
  char *rootfs;          /* dir: path */
  bw_source *source;     /* streams blobs; NULL for dir: */
} bw_image;

/* The digest that names the image: the manifest digest, or for docker-archive (no manifest) the
 * config digest, i.e. the image ID. NULL for dir: and for NULL. */
static inline const char *bw_image_digest(const bw_image *img) {
  return !img ? NULL : img->manifest_digest ? img->manifest_digest : img->config_digest;
}

/* Resolves a reference to an image (caller frees with bw_image_free). Progress and warnings go to
 * the log. Errors name the reference and what to do. */
int bw_image_open(bw_image **out, const char *ref, const bw_image_opts *opts, bw_error *err);
void bw_image_free(bw_image *img);

/* Shared resolution for sources: given the top manifest (or index) bytes, picks the platform,
 * fetches the manifest and config through src->ops->get_blob and fills img. */
int bw_image_resolve_manifest(bw_image *img, bw_source *src, const char *bytes, size_t len,
                              const char *media_type, const char *platform, bw_error *err);

/* Transport constructors (one file each). Each fills img (layers, config) and img->source. */
int bw_source_oci_open(bw_image *img, const bw_image_ref *ref, const bw_image_opts *opts, bw_error *err);
int bw_source_oci_archive_open(bw_image *img, const bw_image_ref *ref, const bw_image_opts *opts,
                               bw_error *err);
int bw_source_docker_archive_open(bw_image *img, const bw_image_ref *ref, const bw_image_opts *opts,
                                  bw_error *err);
int bw_source_registry_open(bw_image *img, const bw_image_ref *ref, const bw_image_opts *opts,
                            bw_error *err);

#endif
