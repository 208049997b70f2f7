/* .NET packages (type BW_PKG_NUGET, names as written): *.deps.json (what a built application
 * loads) and NuGet's packages.lock.json. */
#ifndef BW_ANALYZE_DOTNET_H
#define BW_ANALYZE_DOTNET_H

#include "analyze/analyzer.h"

extern const bw_analyzer bw_analyzer_dotnet_deps; /* *.deps.json */
extern const bw_analyzer bw_analyzer_nuget_lock;  /* packages.lock.json */

/* *.deps.json: every "libraries" entry "Name/Version" of type "package" (or "runtimepack", the
 * runtime bundled into a self-contained app, named without its "runtimepack." prefix), as Trivy
 * reads them: when "targets" has the runtimeTarget's framework, a library listed there without
 * a runtime, runtimeTargets or native asset is compile-time only and left out. Projects (the
 * application itself and its project references) are not NuGet packages and are left out.
 * Errors: BW_ECORRUPT (not JSON, wrong shapes), BW_ELIMIT, BW_ENOMEM. */
int bw_dotnet_deps_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
/* packages.lock.json: dependencies of every target framework, "resolved" versions, entries of
 * type "Project" left out, one package per name and version. Errors as above. */
int bw_nuget_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

#endif
