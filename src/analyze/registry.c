/* The analyser registry (YARA's module list): the dispatcher offers each layer entry to every
 * analyser listed here. Adding an analyser = defining it beside its parser, declaring it in
 * analyzer.h and listing it below. */
#include <stddef.h>

#include "analyze/analyzer.h"
#include "analyze/gobinary.h"
#include "analyze/rust.h"

const bw_analyzer *const bw_analyzers[] = {
    &bw_analyzer_dpkg,
    &bw_analyzer_dpkg_statusd,
    &bw_analyzer_apk,
    &bw_analyzer_dpkg_copyright,
    &bw_analyzer_rpm,          /* BDB Packages, rpmdb.sqlite, NDB Packages.db */
    &bw_analyzer_rpm_manifest, /* CBL-Mariner distroless container-manifest-2 */
    &bw_analyzer_cargo_lock,   /* Cargo.lock */
    NULL,
};

/* Content analysers, chosen by a file's first bytes. */
const bw_stream_analyzer *const bw_stream_analyzers[] = {
    &bw_stream_gobinary, /* Go build info in ELF executables */
    &bw_stream_cargo_auditable, /* cargo-auditable .dep-v0 in ELF executables */
    NULL,
};
