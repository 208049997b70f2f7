/* Node.js application packages (purl type npm): packages installed under node_modules, and the
 * lockfiles of npm, yarn and pnpm. Every parser is a pure function of the file's bytes (the path in
 * out->path only informs the dependency path of installed packages) and appends BW_PKG_NPM
 * packages with strings in out->arena. On error nothing is appended. */
#ifndef BW_ANALYZE_NPM_H
#define BW_ANALYZE_NPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"

/* .../node_modules/<name>/package.json and .../node_modules/@scope/<name>/package.json */
extern const bw_analyzer bw_analyzer_npm_package;
/* package-lock.json and npm-shrinkwrap.json (lockfileVersion 1, 2, 3), outside node_modules */
extern const bw_analyzer bw_analyzer_npm_lock;
/* yarn.lock: classic (v1) and berry (v2+, YAML with __metadata), outside node_modules */
extern const bw_analyzer bw_analyzer_yarn_lock;
/* pnpm-lock.yaml: lockfileVersion 5.x, 6.x, 9.x, outside node_modules */
extern const bw_analyzer bw_analyzer_pnpm_lock;

/* True when path (normalised, no leading '/') is package.json directly in a package directory
 * under node_modules. A few string compares: called for every layer entry. */
bool bw_npm_package_json_wants(const char *path);

/* One installed package from its package.json: name, version and licence ("license" as a string
 * or {"type"}, or the legacy "licenses" array joined with " OR "); parents is the chain of
 * packages above it in out->path's node_modules nesting ("express>body-parser"), NULL at the top.
 * Only those fields are decoded; the rest of the document is validated and skipped. A file
 * without a name or version adds nothing. Errors: BW_ECORRUPT (not JSON, invalid name, a used
 * field repeated), BW_ELIMIT (size over BW_LIMIT_PACKAGE_JSON_BYTES, nesting over
 * BW_LIMIT_JSON_DEPTH), BW_ENOMEM. */
int bw_npm_package_json_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

/* package-lock.json / npm-shrinkwrap.json. v1: the nested "dependencies" tree; v2/v3: "packages"
 * keyed by install path (the root "" skipped, "link": true entries resolved to their target).
 * One package per name and version; dev = 1 when every occurrence is "dev": true. Local
 * ("file:"/"link:") v1 entries are skipped. Errors: BW_ECORRUPT, BW_ELIMIT
 * (BW_LIMIT_LOCKFILE_BYTES, BW_LIMIT_LOCKFILE_NODES, BW_LIMIT_JSON_DEPTH, BW_LIMIT_PACKAGES), BW_ENOMEM. */
int bw_npm_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

/* yarn.lock, classic or berry (chosen by a top-level __metadata key). One package per name and
 * version; entries resolved from local sources (workspace:, patch:, file:, link:, portal:, exec:)
 * are skipped. yarn.lock records no dev flag. Errors as bw_npm_lock_parse. */
int bw_yarn_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

/* pnpm-lock.yaml. v5-v8: "packages" keys (/name/1.0.0_peer, /name@1.0.0(peer)), dev from the
 * entries' "dev" flag; v9+: "packages" with the dependency graph in "snapshots", dev = not
 * reachable from any importer's dependencies or optionalDependencies. With several YAML
 * documents the last one is the project's lockfile. Errors as bw_npm_lock_parse, plus
 * BW_LIMIT_YAML_DEPTH / BW_LIMIT_LOCKFILE_NODES. */
int bw_pnpm_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

#endif
