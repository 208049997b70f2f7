/* Go executables: the module build info the Go linker embeds (what `go version -m` prints), read
 * from the stream of an ELF file without holding it (gobinary.c explains how). */
#ifndef BW_ANALYZE_GOBINARY_H
#define BW_ANALYZE_GOBINARY_H

#include <stddef.h>

#include "analyze/analyzer.h"

/* Content analyser "gobinary": ELF files; packages of type BW_PKG_GOLANG (the toolchain as
 * "stdlib", the main module, every dependency as compiled in, replacements applied). */
extern const bw_stream_analyzer bw_stream_gobinary;

/* The packages of one build info, as Trivy derives them: `go_version` is the toolchain string
 * ("go1.22.1", "go1.22.3 X:boringcrypto"), `modinfo` the module text without its sentinels
 * ("path\t...\nmod\t...\ndep\t...\n=>\t...\nbuild\t...\n"; may be empty). Appends "stdlib"
 * v<version>, each dep (its replacement when replaced; "(devel)" becomes no version) and the main
 * module (version from `mod`, else from -ldflags -X ...version=). Strings go to out->arena.
 * BW_ECORRUPT when the text is malformed the way Go's debug.ParseBuildInfo rejects (then nothing
 * is appended), BW_ELIMIT past BW_LIMIT_PACKAGES, BW_ENOMEM. */
int bw_gobinary_packages(const char *go_version, size_t go_version_len, const char *modinfo, size_t modinfo_len,
                         bw_analyze_out *out, bw_error *err);

/* The main module's version from a `-ldflags` build setting value (Trivy's ParseLDFlags): the one
 * -X key ending in ".version"/".ver" with a semver value, preferring keys under
 * "MODULE/cmd/" (any depth), then prefixes main/common/version/cmd, then any; "" when none or ambiguous.
 * Returns an arena string, or NULL on out-of-memory. */
const char *bw_gobinary_ldflags_version(bw_arena *arena, const char *module, const char *ldflags);

/* golang.org/x/mod/semver.IsValid ("v1", "v1.2", "v1.2.3-pre+build"). */
bool bw_go_semver_valid(const char *v, size_t n);

#endif
