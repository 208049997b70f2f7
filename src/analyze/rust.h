/* Rust: Cargo.lock files and executables built with cargo-auditable (a `.dep-v0` ELF section
 * holding the zlib-compressed dependency list). Packages of type BW_PKG_CARGO. */
#ifndef BW_ANALYZE_RUST_H
#define BW_ANALYZE_RUST_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"

/* Whole-file analyser "cargo-lock": files named Cargo.lock. */
extern const bw_analyzer bw_analyzer_cargo_lock;
/* Content analyser "cargo-auditable": ELF files; reads the `.dep-v0` section. */
extern const bw_stream_analyzer bw_stream_cargo_auditable;

/* Parses a Cargo.lock (every layout: v1/v2 with [metadata], `version = 3`, `version = 4`): one
 * package per [[package]] table with a name and a version. Only the TOML Cargo writes is read:
 * key = "string" / 'string' / [array] / number-like bare values, # comments, [table] and
 * [[array-table]] headers. Strings go to out->arena. BW_ECORRUPT on malformed TOML (the whole
 * file, as Cargo and Trivy reject it), BW_ELIMIT past BW_LIMIT_PACKAGES. */
int bw_cargo_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

/* The cargo-auditable JSON {"packages":[{"name","version","source","kind","dependencies","root"}]}:
 * one package per entry whose kind is "runtime" (the default); build-time crates are skipped as
 * Trivy does. BW_ECORRUPT on JSON of another shape. */
int bw_cargo_auditable_json_parse(const uint8_t *json, size_t len, bw_analyze_out *out, bw_error *err);

/* The raw `.dep-v0` section: zlib-compressed JSON, inflated to at most BW_LIMIT_RUST_DEPINFO_BYTES
 * (BW_ELIMIT past it), then bw_cargo_auditable_json_parse. */
int bw_cargo_auditable_section_parse(const uint8_t *data, size_t len, bw_analyze_out *out, bw_error *err);

#endif
