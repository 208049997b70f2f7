/* The one in-memory result of a scan that every report writer reads (DESIGN.md §2 step 6). */
#ifndef BW_REPORT_RESULT_H
#define BW_REPORT_RESULT_H

#include <stdbool.h>
#include <stdio.h>

#include "analyze/package.h"
#include "base/vec.h"
#include "image/image.h"

typedef struct bw_os_info {
  const char *family;  /* os-release ID as Trivy names families: "debian", "ubuntu", "alpine",
                          "redhat", "centos", "rocky", "alma", "oracle", "fedora", "amazon",
                          "opensuse-leap", "opensuse-tumbleweed", "sles", "photon", "wolfi",
                          "alinux", "anolis", "cbl-mariner", "distroless"...; NULL = unknown */
  const char *version; /* VERSION_ID (or the release file's version) */
  const char *name;    /* PRETTY_NAME when present */
  const char *codename; /* VERSION_CODENAME when present */
  int distroless;      /* 1 when the image has a package DB but no shell/package manager */
} bw_os_info;

/* One vulnerability of one installed package (DESIGN.md §6 "vulnerabilities"). Strings in the
 * result's arena. */
typedef struct bw_vuln {
  const char *id;
  const char *aliases_json;     /* JSON array text */
  int app;                      /* 0: class "os", 1: class "app" */
  const bw_package *package;    /* the installed package (name, type, version, layer, path) */
  const char *fixed_version;    /* NULL when unfixed */
  const char *status;           /* "fixed", "unfixed", "wont_fix" */
  int severity;                 /* bw_severity (vuln/vulndb.h) */
  const char *cvss_version, *cvss_vector;
  double cvss_score;            /* -1 when none */
  const char *title;
  const char *references_json;  /* JSON array text */
} bw_vuln;

/* One baseline finding (DESIGN.md §6 "baseline"): a configuration risk, or a leaked secret
 * (category "secret", value redacted). Strings in the result's arena or the records'. */
typedef struct bw_baseline_finding {
  const char *id;          /* stable check id, e.g. "BW-ACC-002", "BW-SEC-001" */
  const char *category;    /* image_config, account, password, permission, access_control, service,
                              secret, audit */
  int severity;            /* bw_severity */
  const char *title;
  const char *path;        /* NULL for image-config findings */
  uint32_t line;           /* 0 when not applicable */
  const char *evidence;    /* what was seen, secrets redacted */
  const char *remediation; /* what to do */
  const char *layer;       /* diff_id of the layer that holds the file, NULL when not a file */
} bw_baseline_finding;

/* One malicious-sample finding (DESIGN.md §6 "malware"). */
typedef struct bw_malware_finding {
  const char *rule;        /* rule name, "hash-blocklist", or the advisory id of a malicious package */
  const char *family;      /* webshell, reverse-shell, rootkit, miner, test, dropper, malicious-package, ... */
  int severity;            /* bw_severity */
  const char *path;
  const char *layer;       /* diff_id */
  const char *sha256;      /* hex digest of the file, NULL when not computed */
  uint64_t size;
  const char *description; /* why it matched */
} bw_malware_finding;

typedef struct bw_scan_result {
  const bw_image *image; /* artifact: name, digest, architecture, layers */
  bw_os_info os;
  bw_pkglist packages;   /* final packages after merge, each with layer and path */
  bw_vec warnings;       /* char * (owned by the result's arena) */
  bw_vec vulns;          /* bw_vuln, filled by matching (match/match.h); empty for an inventory */
  bool scanned_vulns;    /* matching ran (the report then carries a db section) */
  const char *db_updated_at; /* advisory DB facts for the report's "db" section (arena strings, */
  const char *db_sources;    /* may be NULL): last import time, "Debian:12 1827, npm 3" counts */
  unsigned scanners;     /* BW_SCANNER_* (analyze/analyzer.h) that ran: sections the report carries */
  bw_vec baseline;       /* bw_baseline_finding (image config, files, secrets) */
  bw_vec malware;        /* bw_malware_finding */
  uint64_t content_skipped; /* files the content scanners skipped (size caps, timeouts) */
  size_t layers_read, layers_cached; /* layers read from their blobs / taken from the record cache */
  struct bw_arena *arena;
  /* owned by the result: package strings live in the records' arenas */
  struct bw_layer_record **records;
  size_t nrecords;
  struct bw_image_view *view; /* the merged image (captured files, modes) for the post-merge checks */
} bw_scan_result;

/* Package URL for a package (https://github.com/package-url/purl-spec), e.g.
 * pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12 (rules per type in purl.c).
 * os may be NULL (no namespace, no distro). Returns an arena string; NULL when the package has no
 * name or an unknown type, or on OOM. */
const char *bw_purl(struct bw_arena *a, const bw_package *p, const bw_os_info *os);

typedef enum {
  BW_FORMAT_TABLE,
  BW_FORMAT_JSON,
  BW_FORMAT_SARIF,
  BW_FORMAT_CYCLONEDX,
  BW_FORMAT_SPDX,
} bw_format;

/* Parses "table|json|sarif|cyclonedx|spdx"; -1 when unknown. */
int bw_format_parse(const char *s);

/* Writers: each writes one document to f (formats in docs/internals/report.md). They only read r;
 * their scratch memory is their own. Timestamps and document ids honour SOURCE_DATE_EPOCH for
 * reproducible output. Return 0, -BW_EIO when f fails (full disk, closed pipe), -BW_ENOMEM. */
int bw_report_write_table(FILE *f, const bw_scan_result *r, bw_error *err);
int bw_report_write_json(FILE *f, const bw_scan_result *r, bw_error *err);
int bw_report_write_cyclonedx(FILE *f, const bw_scan_result *r, bw_error *err);
int bw_report_write_spdx(FILE *f, const bw_scan_result *r, bw_error *err);
/* SARIF 2.1.0 for code-scanning tools: one rule per advisory id, one result per vulnerability. */
int bw_report_write_sarif(FILE *f, const bw_scan_result *r, bw_error *err);

#endif
