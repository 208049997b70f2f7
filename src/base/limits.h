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
#define BW_LIMIT_FINDINGS_PER_LAYER 20000u   /* secret/malware findings kept per layer (more: warned) */
#define BW_LIMIT_MODES_PER_LAYER 50000u      /* setuid/setgid/world-writable entries kept per layer */
#define BW_LIMIT_BASELINE_FINDINGS 10000u    /* baseline check findings per image (more: warned) */
#define BW_LIMIT_ACCOUNTS 100000u            /* lines read from passwd, shadow, group (1 MiB files) */
#define BW_LIMIT_CONFIG_INCLUDES 64u         /* files one sshd_config pulls in through Include */
#define BW_LIMIT_CONFIG_INCLUDE_DEPTH 8      /* nesting of sshd_config Include */
#define BW_LIMIT_PACKAGES 200000             /* packages from one database file */
#define BW_LIMIT_FIELD_BYTES (1u << 20)      /* one field (stanza value, header tag) */

/* Java archives (analyze/java.c, analyze/zip.c): jar/war/ear files are read whole and archives
 * nested in them (WEB-INF/lib, BOOT-INF/lib, ear modules) are walked in memory, never on disk. */
#define BW_LIMIT_ARCHIVE_BYTES (256u << 20)      /* one jar/war/ear read for analysis, and one nested
                                                    archive inflated from it */
#define BW_LIMIT_ARCHIVE_DEPTH 8                 /* archives inside archives below the file itself */
#define BW_LIMIT_ARCHIVE_ENTRIES 500000u         /* central directory entries of one archive */
#define BW_LIMIT_ARCHIVE_NESTED 20000u           /* nested archives opened, all levels of one file
                                                    (a fat jar holds a few hundred) */
#define BW_LIMIT_ARCHIVE_INFLATED (1ull << 30)   /* bytes read out of members (inflated or stored),
                                                    all nesting levels of one file together */
#define BW_LIMIT_ARCHIVE_RATIO 200ull            /* inflated / compressed size of one member, past
                                                    its first 1 MiB (deflate tops out near 1032:1) */
#define BW_LIMIT_ARCHIVE_META_BYTES (1u << 20)   /* one MANIFEST.MF, pom.properties, pom.xml read */
#define BW_LIMIT_ARCHIVE_WARNINGS 32             /* warnings kept for one file; then one summary */
/* Application packages: Python, Ruby, PHP, .NET (src/analyze/{python,ruby,php,dotnet}.c) */
#define BW_LIMIT_LOCKFILE_BYTES (64u << 20)   /* a lockfile: poetry.lock, Pipfile.lock, Gemfile.lock, composer.lock, *.deps.json, ... */
#define BW_LIMIT_APP_META_BYTES (8u << 20)    /* one installed package's metadata: METADATA, PKG-INFO, *.gemspec */
#define BW_LIMIT_TOML_DEPTH 64                /* nesting of TOML tables, arrays and inline tables (headers and dotted keys count) */
#define BW_LIMIT_TOML_VALUES (1u << 20)       /* values (tables, arrays, scalars) in one TOML document */

/* rpm headers */
#define BW_LIMIT_RPM_TAGS 65536              /* index entries in one header */
#define BW_LIMIT_RPM_HEADER_BYTES (64u << 20) /* data store of one header */

/* Node.js packages (src/analyze/npm*.c) */
#define BW_LIMIT_LOCKFILE_BYTES (64u << 20)  /* package-lock.json, npm-shrinkwrap.json, yarn.lock,
                                               pnpm-lock.yaml: read and parsed whole (jansson or
                                               libyaml trees take several times the file size) */
#define BW_LIMIT_PACKAGE_JSON_BYTES (4u << 20) /* node_modules/<pkg>/package.json (old npm versions
                                                 stored the whole README in it) */
#define BW_LIMIT_YAML_DEPTH 64               /* nesting of a YAML lockfile (yarn berry, pnpm) */
#define BW_LIMIT_LOCKFILE_NODES 8000000u     /* values in the parsed tree of one lockfile (JSON or YAML;
                                               ~50-60 bytes each besides their text): a real 64 MiB
                                               pnpm-lock.yaml has ~4.5M, "[1,1,...]" would have 32M */
#define BW_LIMIT_NPM_NAME_BYTES 1024         /* a package name or version string in a Node.js file */

/* Go and Rust binaries (streamed: nothing here grows with the executable's size) */
#define BW_LIMIT_ELF_PHDR_BYTES (64u << 10)     /* an ELF program header table kept while streaming */
#define BW_LIMIT_GO_STRING_BYTES (1u << 20)     /* one Go build-info string (debug/buildinfo's own cap) */
#define BW_LIMIT_GO_MODINFO_COPIES 4            /* sentinel-bracketed module-info strings kept per file */
#define BW_LIMIT_GO_VERSION_CANDIDATES 256      /* "go1.N" strings remembered for pre-1.18 build info */
#define BW_LIMIT_RUST_TAIL_BYTES (16u << 20)    /* ELF bytes after the loaded segments kept for .dep-v0 */
#define BW_LIMIT_RUST_DEPINFO_BYTES (8u << 20)  /* inflated cargo-auditable JSON (go-rustaudit: 8 MiB) */
#define BW_LIMIT_CARGO_LOCK_BYTES (16u << 20)   /* one Cargo.lock */

/* Malware scanning (src/malware/): YARA needs a file whole, so it is buffered up to a cap */
#define BW_LIMIT_MALWARE_FILE_BYTES (32u << 20)  /* a file scanned by the YARA rules; bigger ones are
                                                    hashed for the blocklist but counted as skipped */
#define BW_LIMIT_MALWARE_SCAN_SECONDS 2          /* YARA time per file (yr_scanner_set_timeout); a
                                                    timed-out file is counted as skipped, with a warning */
#define BW_LIMIT_MALWARE_RULE_BYTES (16u << 20)  /* one user rule file (.yar/.yara) */
#define BW_LIMIT_MALWARE_RULE_FILES 4096u        /* rule files read from all --malware-rules folders */
#define BW_LIMIT_MALWARE_HASHES 20000000u        /* sha256 entries in the hash blocklist store */
#define BW_LIMIT_MALWARE_HASH_NAME 256u          /* the name column of one blocklist entry (longer: cut) */
#define BW_LIMIT_MALWARE_MATCHES 32u             /* rule matches reported for one file */
/* Leaked secrets (src/baseline/secrets*.c) */
#define BW_LIMIT_SECRET_FILE_BYTES (8u << 20)    /* larger text files are not scanned (counted as skipped) */
#define BW_LIMIT_SECRET_LINE_BYTES (64u << 10)   /* a longer line is scanned in pieces of this size (a key
                                                    cut by a piece boundary is missed) */
#define BW_LIMIT_SECRET_FINDINGS_PER_FILE 64u    /* findings kept for one file */
#define BW_LIMIT_SECRET_AC_STATES 32767u         /* keyword automaton states (built as uint16) */
#define BW_LIMIT_SECRET_CONFIG_BYTES (1u << 20)  /* the --secret-config YAML file */
#define BW_LIMIT_SECRET_USER_RULES 256u          /* user rules, and allow entries, in that file */
#define BW_LIMIT_SECRET_EVIDENCE 200u            /* characters of the redacted line kept as evidence */

/* Registry client */
#define BW_LIMIT_TOKEN_BYTES (1u << 20)      /* bearer token response */
#define BW_LIMIT_REDIRECTS 10
#define BW_LIMIT_AUTH_PARAM_BYTES (16u << 10) /* one WWW-Authenticate parameter value (realm, scope) */
#define BW_LIMIT_ERROR_BODY_BYTES (64u << 10) /* registry error response kept for the message */

/* Registry server (bulwark serve) */
#define BW_LIMIT_UPLOAD_EXPIRY 3600          /* seconds an upload session may stay idle before the reaper drops it */
#define BW_LIMIT_UPLOAD_SESSIONS 1000        /* open upload sessions at once; more get 429 TOO_MANY_REQUESTS */
#define BW_LIMIT_HTTP_CONNECTIONS 1024       /* concurrent client connections (libmicrohttpd refuses more) */
#define BW_LIMIT_HTTP_IDLE_SECONDS 300       /* an idle keep-alive connection is closed after this */
#define BW_LIMIT_HTTP_CONN_MEMORY (256u << 10) /* libmicrohttpd memory pool per connection (read buffer) */
#define BW_LIMIT_API_BODY_BYTES (1u << 20)   /* a REST API request body */
#define BW_LIMIT_LIST_PAGE 10000             /* entries in one tags/list or _catalog page (n is clamped) */
#define BW_LIMIT_REFERRERS 10000             /* descriptors in one referrers response */

/* Disk cache */
#define BW_LIMIT_CACHE_RECORD_BYTES (256u << 20) /* one cached layer record */

/* Advisory DB import (src/vuln/vulndb.c): OSV JSON files, folders, zip archives */
#define BW_LIMIT_ADVISORY_BYTES (16u << 20)          /* one OSV record (file or zip member); osv.dev's
                                                        largest are a few MiB */
#define BW_LIMIT_ADVISORY_EVENTS 4096u               /* events in one range, ranges in one entry */
#define BW_LIMIT_ADVISORY_VERSIONS 200000u           /* explicit versions listed by one entry */
#define BW_LIMIT_ADVISORY_VERSION_BYTES 256u         /* one version string in a range or list */
#define BW_LIMIT_ADVISORY_ZIP_MEMBERS 2000000u       /* members read from one zip archive */
#define BW_LIMIT_ADVISORY_ZIP_INFLATED (32ull << 30) /* bytes inflated from one zip archive */
#define BW_LIMIT_ADVISORY_DEPTH 32                   /* folder nesting walked by an import */

/* Vulnerability matching */
#define BW_LIMIT_VERSION_BYTES 256 /* one version string to compare (node-semver's MAX_LENGTH) */
#define BW_LIMIT_OSV_EVENTS 4096u       /* events of one OSV range evaluated (as many as an import keeps) */
#define BW_LIMIT_OSV_RANGES_BYTES (16u << 20) /* the ranges or versions JSON of one affected entry */

/* Access control (src/auth/): credentials and tokens presented by clients */
#define BW_LIMIT_AUTH_HEADER_BYTES (16u << 10) /* one Authorization header value */
#define BW_LIMIT_PASSWORD_BYTES 256u           /* a password or robot secret (libxcrypt refuses
                                                  CRYPT_MAX_PASSPHRASE_SIZE = 512 with its NUL) */
#define BW_LIMIT_JWT_BYTES (16u << 10)         /* a Bearer token (we issue ~1-6 KiB: at most
                                                  BW_AUTH_SCOPES_MAX access entries) */
#define BW_LIMIT_AUTH_API_BODY_BYTES (64u << 10) /* a JSON body of the access-control REST API */
#define BW_LIMIT_TOKEN_SCOPES 16u              /* scopes asked for in one token request */
#define BW_LIMIT_REPO_NAME_BYTES 255u          /* a repository name (distribution's own cap) */

/* Scan service (src/service/). */
#define BW_LIMIT_SERVICE_REPORT_BYTES (256u << 20) /* a stored report, decompressed */
#define BW_LIMIT_SERVICE_BODY_BYTES (64u << 10)    /* a rule posted to the REST API */
#define BW_LIMIT_SERVICE_PER_PAGE 1000             /* findings per page of a report tab */
/* Notifications (src/service/notify*.c, webhook API) */
#define BW_LIMIT_NOTIFY_PAYLOAD_BYTES (1u << 20)  /* one event JSON in the outbox (incl. its data) */
#define BW_LIMIT_WEBHOOK_API_BODY_BYTES (64u << 10) /* a JSON body of the webhook REST API */
#define BW_LIMIT_NOTIFY_LOG_ROWS 1000u            /* delivery log rows kept per target (newest) */

#endif
