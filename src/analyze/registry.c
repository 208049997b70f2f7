/* The analyser registry (YARA's module list): the dispatcher offers each layer entry to every
 * analyser listed here. Adding an analyser = defining it beside its parser, declaring it in
 * analyzer.h and listing it below. */
#include <stddef.h>

#include "analyze/analyzer.h"
#include "baseline/secrets.h"
#include "malware/malware.h"
#include "analyze/dotnet.h"
#include "analyze/java.h"
#include "analyze/php.h"
#include "analyze/python.h"
#include "analyze/ruby.h"
#include "analyze/npm.h"
#include "analyze/gobinary.h"
#include "analyze/rust.h"

const bw_analyzer *const bw_analyzers[] = {
    &bw_analyzer_dpkg,
    &bw_analyzer_dpkg_statusd,
    &bw_analyzer_apk,
    &bw_analyzer_dpkg_copyright,
    &bw_analyzer_rpm,          /* BDB Packages, rpmdb.sqlite, NDB Packages.db */
    &bw_analyzer_rpm_manifest, /* CBL-Mariner distroless container-manifest-2 */
    &bw_analyzer_java,                /* *.jar *.war *.ear *.par *.hpi *.jpi, nested archives in memory */
    &bw_analyzer_python_metadata,     /* *.dist-info/METADATA, *.egg-info[/PKG-INFO] */
    &bw_analyzer_poetry,              /* poetry.lock */
    &bw_analyzer_pipenv,              /* Pipfile.lock */
    &bw_analyzer_pip_requirements,    /* requirements.txt (pinned lines) */
    &bw_analyzer_gemspec,             /* specifications/NAME.gemspec */
    &bw_analyzer_gemfile_lock,        /* Gemfile.lock */
    &bw_analyzer_composer_lock,       /* composer.lock */
    &bw_analyzer_composer_installed,  /* vendor/composer/installed.json */
    &bw_analyzer_dotnet_deps,         /* *.deps.json */
    &bw_analyzer_nuget_lock,          /* packages.lock.json */
    &bw_analyzer_npm_package,  /* node_modules/<name>/package.json */
    &bw_analyzer_npm_lock,     /* package-lock.json, npm-shrinkwrap.json */
    &bw_analyzer_yarn_lock,    /* yarn.lock (classic and berry) */
    &bw_analyzer_pnpm_lock,    /* pnpm-lock.yaml */
    &bw_analyzer_cargo_lock,   /* Cargo.lock */
    NULL,
};

/* Content analysers, chosen by a file's first bytes. */
const bw_stream_analyzer *const bw_stream_analyzers[] = {
    &bw_stream_gobinary, /* Go build info in ELF executables */
    &bw_stream_cargo_auditable, /* cargo-auditable .dep-v0 in ELF executables */
    &bw_stream_secrets,         /* leaked keys and tokens (--scanners baseline) */
    &bw_stream_malware,         /* YARA rules and the hash blocklist (--scanners malware) */
    NULL,
};
