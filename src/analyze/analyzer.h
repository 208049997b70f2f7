/* The analyser plug-in table (YARA's module list): the dispatcher offers each file of a layer
 * to every analyser whose wants() accepts its path; parse() is a pure function of the bytes. */
#ifndef BW_ANALYZE_ANALYZER_H
#define BW_ANALYZE_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/package.h"
#include "base/arena.h"
#include "base/error.h"

/* What a scan looks for (a bit set). The inventory (packages) always runs; VULN matches packages
 * after the pass; BASELINE and MALWARE also add content scanners to the one pass (secrets, YARA,
 * file digests), which is why a cached layer record knows which of them it holds. */
enum {
  BW_SCANNER_VULN = 1u,
  BW_SCANNER_BASELINE = 2u, /* configuration checks after the merge + secrets in the pass */
  BW_SCANNER_MALWARE = 4u,  /* YARA rules and the hash blocklist in the pass */
  BW_SCANNER_CONTENT = BW_SCANNER_BASELINE | BW_SCANNER_MALWARE, /* the ones that read content */
};

/* What a parser may touch: an arena for strings it keeps, and the list it appends to.
 * `path` is the file's normalised path inside the image root (no leading '/'). */
typedef struct bw_analyze_out {
  bw_arena *arena;
  bw_pkglist *packages;
  const char *path;
  /* Optional sink for problems that do not fail the parse (a zip bomb member skipped, a nested
   * archive past the depth limit): the dispatcher makes each a record warning naming the file.
   * NULL: bw_analyze_warn only logs them at debug level. */
  void (*warn)(void *ctx, const char *msg);
  void *warn_ctx;
  /* Content scanners append findings here (layer/record.h bw_record_finding); NULL for the
   * package analysers. Use bw_analyze_finding. */
  struct bw_vec *findings;
  /* Content scanners count the files they skipped (size cap, timeout) here; may be NULL. */
  uint64_t *skipped;
} bw_analyze_out;

struct bw_record_finding;
/* Appends a zeroed finding to out->findings (path preset to out->path); NULL when the layer's
 * findings cap is reached (the dispatcher warns once) or on OOM. Strings must live in out->arena. */
struct bw_record_finding *bw_analyze_finding(bw_analyze_out *out);

/* Reports one non-fatal problem through out->warn (printf-style; the message is copied). */
void bw_analyze_warn(const bw_analyze_out *out, const char *fmt, ...) BW_PRINTF(2, 3);

typedef struct bw_analyzer {
  const char *name;
  /* Accepts a normalised path (no leading "/" or "./"). Must be cheap: called for every entry. */
  bool (*wants)(const char *path);
  /* Parses a whole file. Pure: no I/O. Returns 0 or -BW_E* with err filled. Packages appended
   * before a failure are kept by the caller only when the return is 0. */
  int (*parse)(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
  size_t max_bytes; /* larger files are skipped with a warning naming the cap */
  /* An annotating analyser's "packages" are not packages: each names an installed package (same
   * type and name) and carries facts the package database lacks (Debian licences from
   * usr/share/doc/<name>/copyright). The inventory copies them onto the packages. */
  bool annotates;
} bw_analyzer;

/* The registry of analysers, NULL-terminated. */
extern const bw_analyzer *const bw_analyzers[];

/* A content analyser: chosen by a file's first bytes (not its name), it sees the file as a stream
 * of chunks in order, so a 200 MB executable is never held in memory. */
#define BW_STREAM_HEAD 64 /* bytes offered to wants() (fewer when the file is shorter) */
typedef struct bw_stream_analyzer {
  const char *name;
  /* The scanner it belongs to (BW_SCANNER_BASELINE, BW_SCANNER_MALWARE), or 0 for the inventory
   * (always runs). It is offered files only when the walk's record asks for that scanner. */
  uint32_t scanner;
  /* Cheap: called for every regular file of at least 4 bytes. */
  bool (*wants)(const char *path, uint32_t mode, uint64_t size, const uint8_t *head, size_t head_len);
  /* Allocates the per-file state (freed by close). */
  int (*open)(void **state, const char *path, uint64_t size, bw_error *err);
  /* The next chunk; offsets are consecutive from 0. An error abandons this file only. */
  int (*feed)(void *state, const uint8_t *buf, size_t len, bw_error *err);
  /* End of file: append what was found (out->path is the file). */
  int (*finish)(void *state, bw_analyze_out *out, bw_error *err);
  void (*close)(void *state);
} bw_stream_analyzer;

extern const bw_stream_analyzer *const bw_stream_analyzers[];

/* The analysers (each defined beside its parser). */
extern const bw_analyzer bw_analyzer_dpkg;         /* var/lib/dpkg/status */
extern const bw_analyzer bw_analyzer_dpkg_statusd; /* var/lib/dpkg/status.d/<package> (distroless) */
extern const bw_analyzer bw_analyzer_apk;          /* lib/apk/db/installed */
extern const bw_analyzer bw_analyzer_dpkg_copyright; /* usr/share/doc/<package>/copyright (annotates) */

/* Individual parsers, also called directly by tests and fuzzers. */
int bw_dpkg_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
/* Licences of one Debian copyright file: DEP-5 License: fields, else the common-licenses files it
 * cites. Appends one annotation (name from out->path's directory, licenses joined by " AND "). */
int bw_dpkg_copyright_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
int bw_apk_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
int bw_rpmdb_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
/* CBL-Mariner distroless var/lib/rpmmanifest/container-manifest-2 (tab-separated text). */
int bw_rpm_manifest_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

/* rpm package databases: var/lib/rpm, usr/lib/sysimage/rpm, usr/share/rpm x
 * {Packages (BDB), Packages.db (NDB), rpmdb.sqlite}; format detected from the bytes. */
extern const bw_analyzer bw_analyzer_rpm;
/* var/lib/rpmmanifest/container-manifest-2 (CBL-Mariner / Azure Linux distroless). */
extern const bw_analyzer bw_analyzer_rpm_manifest;

#endif
