/* The Java archive analyser: Maven identities of jar/war/ear files and of every archive nested in
 * them (WEB-INF/lib, BOOT-INF/lib, lib/, ear modules), walked in memory (zip.h). */
#ifndef BW_ANALYZE_JAVA_H
#define BW_ANALYZE_JAVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"

/* *.jar *.war *.ear *.par *.hpi *.jpi (any case), read whole up to BW_LIMIT_ARCHIVE_BYTES. */
extern const bw_analyzer bw_analyzer_java;

bool bw_java_wants(const char *path);

/* Appends one BW_PKG_MAVEN package per identity found in the archive and, recursively, in the
 * archives nested in it (up to BW_LIMIT_ARCHIVE_DEPTH levels). Identity, per archive (Trivy's
 * order, see java.c for the details): every pom.properties (groupId, artifactId, version; shaded
 * jars report each); when none of them is the archive itself, the manifest (Implementation-*,
 * Bundle-*), Tomcat's ServerInfo.properties, then the file name "artifact-1.2.3.jar". Name is
 * "groupId:artifactId", or the artifactId alone when no group is stated. The package that is the
 * archive itself carries digest "sha1:<hex>" of its bytes. Packages of nested archives get path
 * "<out->path>!<member>[!<member>...]"; those of the file itself keep path NULL. Licences come from
 * the pom.xml beside a pom.properties, else (for the archive itself) from Bundle-License.
 * Problems inside (a zip bomb member, a damaged nested archive, the depth limit) are reported
 * through bw_analyze_warn and skipped. Returns 0, or -BW_ECORRUPT/-BW_EUNSUPPORTED when the file
 * itself is not a readable zip, -BW_ELIMIT past BW_LIMIT_PACKAGES, -BW_ENOMEM. */
int bw_java_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

/* Splits a file name "spring-core-5.3.4-SNAPSHOT.jar" into artifact "spring-core" and version
 * "5.3.4-SNAPSHOT" the way Trivy's jarFileRegEx does (the last "-<digit>" that leaves a plain
 * artifact name; any directory part is ignored). False when the name has no such shape. */
bool bw_java_split_file_name(const char *name, size_t len, const char **artifact, size_t *artifact_len,
                             const char **version, size_t *version_len);

#endif
