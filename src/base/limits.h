/* Every cap Bulwark puts on untrusted input, in one place (YARA limits.h, SQLite sqliteLimit.h).
 * A cap that is hit gives a BW_ELIMIT error naming the cap, the layer and the entry. */
#ifndef BW_BASE_LIMITS_H
#define BW_BASE_LIMITS_H

/* Image metadata */
#define BW_LIMIT_MANIFEST_BYTES (4u << 20)   /* manifest, index or config JSON */
#define BW_LIMIT_INDEX_BYTES (4u << 20)      /* oci-layout index.json, docker-archive manifest.json */
#define BW_LIMIT_JSON_DEPTH 64               /* nesting of any JSON document we parse */
#define BW_LIMIT_LAYERS 512                  /* layers in one image */
#define BW_LIMIT_INDEX_ENTRIES 4096          /* manifests in one index / images in one archive */
#define BW_LIMIT_REF_BYTES 4096              /* an image reference string */

/* Layers */
#define BW_LIMIT_TAR_ENTRIES 2000000ull      /* entries in one layer */
#define BW_LIMIT_PATH_BYTES 4096             /* one entry path after normalisation */
#define BW_LIMIT_PATH_DEPTH 256              /* components in one path */
#define BW_LIMIT_LAYER_UNPACKED (64ull << 30) /* decompressed bytes of one layer */
#define BW_LIMIT_LAYER_RATIO 1000ull          /* decompressed / compressed, past the first 64 MiB */
#define BW_LIMIT_ENTRY_BYTES (16ull << 30)    /* size claimed by one tar entry */
#define BW_LIMIT_SYMLINK_HOPS 40              /* symlinks followed resolving one path (Linux: 40) */
#define BW_LIMIT_SYMLINKS 200000              /* symlinks recorded for one layer */

/* Files read into memory for analysis */
#define BW_LIMIT_PKGDB_BYTES (512u << 20)    /* rpm Packages / rpmdb.sqlite / Packages.db */
#define BW_LIMIT_TEXTDB_BYTES (64u << 20)    /* dpkg status, apk installed */
#define BW_LIMIT_SMALL_FILE_BYTES (1u << 20) /* os-release, passwd, configs captured for later checks */
#define BW_LIMIT_PACKAGES 200000             /* packages from one database file */
#define BW_LIMIT_FIELD_BYTES (1u << 20)      /* one field (stanza value, header tag) */

/* rpm headers */
#define BW_LIMIT_RPM_TAGS 65536              /* index entries in one header */
#define BW_LIMIT_RPM_HEADER_BYTES (64u << 20) /* data store of one header */

/* Go and Rust binaries (streamed: nothing here grows with the executable's size) */
#define BW_LIMIT_ELF_PHDR_BYTES (64u << 10)     /* an ELF program header table kept while streaming */
#define BW_LIMIT_GO_STRING_BYTES (1u << 20)     /* one Go build-info string (debug/buildinfo's own cap) */
#define BW_LIMIT_GO_MODINFO_COPIES 4            /* sentinel-bracketed module-info strings kept per file */
#define BW_LIMIT_GO_VERSION_CANDIDATES 256      /* "go1.N" strings remembered for pre-1.18 build info */
#define BW_LIMIT_RUST_TAIL_BYTES (16u << 20)    /* ELF bytes after the loaded segments kept for .dep-v0 */
#define BW_LIMIT_RUST_DEPINFO_BYTES (8u << 20)  /* inflated cargo-auditable JSON (go-rustaudit: 8 MiB) */
#define BW_LIMIT_CARGO_LOCK_BYTES (16u << 20)   /* one Cargo.lock */

/* Registry client */
#define BW_LIMIT_TOKEN_BYTES (1u << 20)      /* bearer token response */
#define BW_LIMIT_REDIRECTS 10
#define BW_LIMIT_AUTH_PARAM_BYTES (16u << 10) /* one WWW-Authenticate parameter value (realm, scope) */
#define BW_LIMIT_ERROR_BODY_BYTES (64u << 10) /* registry error response kept for the message */

/* Disk cache */
#define BW_LIMIT_CACHE_RECORD_BYTES (256u << 20) /* one cached layer record */

#endif
