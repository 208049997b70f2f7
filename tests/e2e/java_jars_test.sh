#!/usr/bin/env bash
# Java archives end to end: an OCI image whose files are the real jars of Debian 12 packages
# (log4j2, Spring 4.3, Tomcat 9 and 10 with Tomcat's catalina.jar, Jackson), fetched with
# apt-get download and unpacked with dpkg-deb -x, plus archives this test builds from those jars:
#  - a Spring Boot style fat jar: no Spring Boot build tool is in Debian, so it is the smallest
#    honest one, made with zip: the real Debian jars stored (zip -n .jar, as Spring Boot stores
#    them) under BOOT-INF/lib/, a pom.properties of its own, a launch script in front with the
#    zip's offsets left as they are (Spring Boot's "fully executable" jar), and a copy whose
#    offsets zip -A adjusted to the file;
#  - a war with the same jars deflated under WEB-INF/lib/;
#  - a zip bomb (10 MiB of zeros deflated as a nested jar), which must be refused with a warning.
# Every jar's identity in `bulwark sbom --format json` is checked against what the jar itself
# says, read here with unzip (pom.properties, else Tomcat's ServerInfo.properties, else the
# unfolded MANIFEST.MF, else the file name; the rules of src/analyze/java.c), and the versions
# against the Debian package versions. Debian 12 has no Hadoop and no fastjson package: those are
# covered by the unit tests' synthetic jars (tests/unit/analyze/java_test.c).
source "$(dirname "$0")/lib.sh"
bw_e2e_start umoci skopeo jq unzip zip dpkg-deb apt-get

bw_tmpdir java_jars
TAG=java
DEBS=(liblog4j2-java libspring-core-java libspring-beans-java libspring-web-java libspring-context-java
      libtomcat9-java libtomcat10-java libtomcat10-embed-java libjackson2-databind-java libjackson2-core-java
      libjackson2-annotations-java)
DEBDIR="$BW_CACHE/debs-java"
ROOT="$T/rootfs"

# --- what a jar says about itself, read with unzip --------------------------------------------

# manifest JAR: the main section of META-INF/MANIFEST.MF, continuation lines unfolded.
manifest() {
  unzip -p "$1" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' |
    awk '/^$/ { exit } /^ / { line = line substr($0, 2); next } { if (NR > 1) print line; line = $0 } END { print line }'
}
# header NAME: the value of a manifest header (stdin: the unfolded manifest).
header() { awk -v k="$1" 'BEGIN { IGNORECASE = 1 } index(tolower($0), tolower(k) ":") == 1 {
  v = substr($0, length(k) + 2); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); print v; exit }'; }

# expected_ids JAR: one "name<TAB>version" line per identity the jar states.
expected_ids() {
  local jar=$1 m found=0
  while IFS= read -r m; do
    [ -n "$m" ] || continue
    unzip -p "$jar" "$m" | tr -d '\r' | awk -F= '
      { k = $1; sub(/^[ \t]+/, "", k); sub(/[ \t]+$/, "", k); v = substr($0, index($0, "=") + 1)
        sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v) }
      k == "groupId" { g = v } k == "artifactId" { a = v } k == "version" { ver = v }
      END { if (g != "" && a != "" && ver != "") print g ":" a "\t" ver }'
    found=1
  done < <(unzip -Z1 "$jar" | grep '/pom\.properties$' || true)
  [ "$found" = 1 ] && return
  local mf bsn title ver
  mf=$(manifest "$jar")
  bsn=$(header Bundle-SymbolicName <<<"$mf" | sed 's/;.*//')
  title=$(header Implementation-Title <<<"$mf")
  ver=$(header Implementation-Version <<<"$mf")
  [ -n "$ver" ] || ver=$(header Bundle-Version <<<"$mf")
  if unzip -Z1 "$jar" | grep -qx 'org/apache/catalina/util/ServerInfo.properties'; then
    local tv
    tv=$(unzip -p "$jar" org/apache/catalina/util/ServerInfo.properties | sed -n 's/^server\.info=[^/]*\/\([^ ]*\).*/\1/p')
    case "$bsn" in
      org.apache.tomcat-embed-core*) printf 'org.apache.tomcat.embed:tomcat-embed-core\t%s\n' "$tv" ;;
      *) printf 'org.apache.tomcat:tomcat-catalina\t%s\n' "$tv" ;;
    esac
    return
  fi
  case "$bsn" in
    org.apache.tomcat-embed-*) printf 'org.apache.tomcat.embed:%s\t%s\n' "${bsn#org.apache.}" "$ver"; return ;;
    org.apache.tomcat-*) printf 'org.apache.tomcat:%s\t%s\n' "${bsn#org.apache.}" "$ver"; return ;;
  esac
  if [[ "$title" =~ ^[a-z0-9][a-z0-9._-]*$ && "$title" != "$bsn" ]]; then
    if [[ "$bsn" == *".$title" ]]; then printf '%s:%s\t%s\n' "${bsn%.$title}" "$title" "$ver"
    else printf '%s\t%s\n' "$title" "$ver"; fi
    return
  fi
  # the file name: artifact-1.2.3.jar (the last "-<digit>")
  local base art
  base=$(basename "$jar" .jar)
  art=$(sed -n 's/^\([A-Za-z0-9._-]*[^*-]\)-[0-9][^ ]*$/\1/p' <<<"$base")
  [ -n "$art" ] || return 0
  [ -n "$ver" ] || ver=${base#"$art"-}
  printf '%s\t%s\n' "$art" "$ver"
}

# upstream PKG: the upstream part of a downloaded package's version ("1:2.19.0+dfsg-2~deb12u1" -> 2.19.0)
upstream() { dpkg-deb -f "$(bw_deb_file "$DEBDIR" "$1")" Version | sed -e 's/^[0-9]*://' -e 's/-[^-]*$//' -e 's/[+~].*$//'; }

# --- fixtures ---------------------------------------------------------------------------------
bw_log "fixtures in $T"
bw_apt_download "$DEBDIR" "${DEBS[@]}"
mkdir -p "$ROOT"
: >"$T/deb-of-jar.tsv"
for p in "${DEBS[@]}"; do
  deb=$(bw_deb_file "$DEBDIR" "$p")
  upstream=$(upstream "$p")
  mkdir -p "$T/x/$p"
  dpkg-deb -x "$deb" "$T/x/$p"
  (cd "$T/x/$p" && find . -name '*.jar' -type f | sed 's|^\./||') |
    while IFS= read -r f; do printf '%s\t%s\t%s\n' "$f" "$p" "$upstream"; done >>"$T/deb-of-jar.tsv"
  dpkg-deb -x "$deb" "$ROOT"
done
njars=$(wc -l <"$T/deb-of-jar.tsv")
bw_check "the Debian packages ship regular jar files ($njars)" test "$njars" -ge 40
if apt-cache show hadoop libhadoop-java >/dev/null 2>&1; then
  echo "note: this Debian has a Hadoop package; it is not part of this test"
else
  echo "note: Debian 12 has no Hadoop or fastjson package: see the unit tests for hadoop-common and fastjson"
fi

J="$ROOT/usr/share/java"
# the versions the checks below expect, from the packages (Debian updates them)
V_LOG4J=$(upstream liblog4j2-java)
V_JACKSON=$(upstream libjackson2-databind-java)
V_SPRING=$(upstream libspring-core-java)
V_TC9=$(upstream libtomcat9-java)
V_TC10E=$(upstream libtomcat10-embed-java)
TC9_CATALINA=usr/share/java/tomcat9-catalina-$V_TC9.jar
bw_check "Tomcat's catalina.jar is there ($TC9_CATALINA)" test -f "$ROOT/$TC9_CATALINA"
bw_check "log4j-core.jar is a regular file" test -f "$J/log4j-core.jar" -a ! -L "$J/log4j-core.jar"

# the fat jar: real Debian jars stored under BOOT-INF/lib/, named as Spring Boot names them
FAT="$T/fat"
mkdir -p "$FAT/BOOT-INF/lib" "$FAT/BOOT-INF/classes/com/example" "$FAT/META-INF/maven/com.example/demo"
printf 'Manifest-Version: 1.0\r\nMain-Class: org.springframework.boot.loader.JarLauncher\r\nStart-Class: com.example.Demo\r\nSpring-Boot-Classes: BOOT-INF/classes/\r\nSpring-Boot-Lib: BOOT-INF/lib/\r\n\r\n' \
  >"$FAT/META-INF/MANIFEST.MF"
printf 'groupId=com.example\nartifactId=demo\nversion=0.0.1-SNAPSHOT\n' >"$FAT/META-INF/maven/com.example/demo/pom.properties"
printf '\xca\xfe\xba\xbe' >"$FAT/BOOT-INF/classes/com/example/Demo.class"
for j in log4j-core.jar log4j-api.jar jackson-databind.jar jackson-core.jar spring3-core-3.x.jar spring3-beans-3.x.jar \
         spring3-web-3.x.jar; do
  [ -f "$J/$j" ] || { bw_not_ok "fat jar: $J/$j missing"; continue; }
  id=$(expected_ids "$J/$j" | head -1)
  name=${id%%	*}; ver=${id#*	}
  cp "$J/$j" "$FAT/BOOT-INF/lib/${name##*:}-$ver.jar"
done
cp "$J/tomcat10-embed-core-$V_TC10E.jar" "$FAT/BOOT-INF/lib/tomcat-embed-core-$V_TC10E.jar"
(cd "$FAT" && zip -q -X -r -n .jar "$T/fat.zip" META-INF BOOT-INF)
mkdir -p "$ROOT/opt/app"
printf '#!/bin/bash\n# launch script (Spring Boot style)\nexec java -jar "$0" "$@"\n' >"$T/launch.sh"
cat "$T/launch.sh" "$T/fat.zip" >"$ROOT/opt/app/demo.jar"
cp "$ROOT/opt/app/demo.jar" "$ROOT/opt/app/demo-adjusted.jar"
zip -q -A "$ROOT/opt/app/demo-adjusted.jar"
# unzip warns about the "extra bytes at beginning" (exit 1) and still reads every member
bw_check "fat jar: unzip reads it despite the launch script" \
  bash -c "unzip -t '$ROOT/opt/app/demo.jar' 2>&1 | grep -q '^No errors detected'"
bw_check "fat jar: unzip reads the adjusted copy without a warning" unzip -tq "$ROOT/opt/app/demo-adjusted.jar"
bw_check "fat jar: nested jars are stored, not deflated" \
  bash -c "unzip -v '$ROOT/opt/app/demo.jar' | grep 'BOOT-INF/lib/log4j-core' | grep -q ' Stored '"
bw_check "fat jar: zip -A moved the offsets (the two copies differ)" \
  bash -c "! cmp -s '$ROOT/opt/app/demo.jar' '$ROOT/opt/app/demo-adjusted.jar'"

# the war: the same jars deflated under WEB-INF/lib/
WAR="$T/war"
mkdir -p "$WAR/WEB-INF/lib" "$WAR/META-INF/maven/com.example/shop"
printf 'groupId=com.example\nartifactId=shop\nversion=2.0\n' >"$WAR/META-INF/maven/com.example/shop/pom.properties"
cp "$FAT"/BOOT-INF/lib/*.jar "$WAR/WEB-INF/lib/"
mkdir -p "$ROOT/srv/webapps"
(cd "$WAR" && zip -q -X -r -9 "$ROOT/srv/webapps/shop.war" META-INF WEB-INF)

# the zip bomb
"$BW_PY" - "$ROOT/opt/app/bomb.jar" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("META-INF/maven/com.example/bomb/pom.properties", "groupId=com.example\nartifactId=bomb\nversion=1.0\n")
    z.writestr("BOOT-INF/lib/zeros.jar", bytes(10 << 20))
EOF
bw_check "zip bomb: a small file ($(stat -c %s "$ROOT/opt/app/bomb.jar") bytes)" test "$(stat -c %s "$ROOT/opt/app/bomb.jar")" -lt 65536

# expected identities: every regular jar of the image, and what is nested in the archives above
: >"$T/expected.tsv"
while IFS= read -r f; do
  rel=${f#"$ROOT/"}
  expected_ids "$f" | awk -F'\t' -v p="$rel" '{ print p "\t" $1 "\t" $2 }' >>"$T/expected.tsv"
done < <(find "$ROOT" -name '*.jar' -type f ! -path "$ROOT/opt/app/*" | sort)
for top in opt/app/demo.jar opt/app/demo-adjusted.jar; do
  printf '%s\tcom.example:demo\t0.0.1-SNAPSHOT\n' "$top" >>"$T/expected.tsv"
  for f in "$FAT"/BOOT-INF/lib/*.jar; do
    expected_ids "$f" | awk -F'\t' -v p="$top!BOOT-INF/lib/$(basename "$f")" '{ print p "\t" $1 "\t" $2 }' >>"$T/expected.tsv"
  done
done
printf 'srv/webapps/shop.war\tcom.example:shop\t2.0\n' >>"$T/expected.tsv"
for f in "$WAR"/WEB-INF/lib/*.jar; do
  expected_ids "$f" | awk -F'\t' -v p="srv/webapps/shop.war!WEB-INF/lib/$(basename "$f")" '{ print p "\t" $1 "\t" $2 }' >>"$T/expected.tsv"
done
printf 'opt/app/bomb.jar\tcom.example:bomb\t1.0\n' >>"$T/expected.tsv"
sort -o "$T/expected.tsv" "$T/expected.tsv"
bw_check "expected list: log4j-core $V_LOG4J from its pom.properties" \
  grep -qx "usr/share/java/log4j-core.jar	org.apache.logging.log4j:log4j-core	$V_LOG4J" "$T/expected.tsv"
bw_check "expected list: spring-core from its manifest (no pom.properties in Debian's jar)" \
  grep -q "usr/share/java/spring3-core-3.x.jar	spring-core	$V_SPRING" "$T/expected.tsv"
bw_check "expected list: Tomcat 9 catalina from ServerInfo.properties" \
  grep -qx "$TC9_CATALINA	org.apache.tomcat:tomcat-catalina	$V_TC9" "$T/expected.tsv"

bw_oci_from_rootfs "$ROOT" "$T/oci" "$TAG" "COPY debian jars /"
bw_e2e_fixtures_done

# --- the scan ---------------------------------------------------------------------------------
t0=$(date +%s%N)
bw_sbom "$T/scan" "oci:$T/oci:$TAG"
ms=$((($(date +%s%N) - t0) / 1000000))
bw_check_stderr "sbom" "$T/scan.err"
rc=$(cat "$T/scan.rc")
if [ "$rc" -ne 0 ]; then
  bw_not_ok "bulwark sbom exited $rc"
  bw_show_err "$T/scan.err"
  bw_finish
  exit 1
fi
bw_ok "bulwark sbom exits 0 (${ms} ms for an image of $(du -sh "$ROOT" | cut -f1), $(wc -l <"$T/expected.tsv") maven packages expected)"

jq -r '.packages[] | select(.type == "maven") | [.path, .name, .version] | @tsv' "$T/scan.json" | sort >"$T/got.tsv"
bw_compare_lists "maven packages == what each jar states" "$T/expected.tsv" "$T/got.tsv"

# versions against the Debian packages that ship the jars
bad=$(awk -F'\t' 'NR == FNR { deb[$1] = $3; pkg[$1] = $2; next }
  ($1 in deb) && index($3, deb[$1]) != 1 { print $1 ": " $3 " is not Debian " pkg[$1] " " deb[$1] }' \
  "$T/deb-of-jar.tsv" "$T/got.tsv")
if [ -z "$bad" ]; then bw_ok "every Debian jar's version starts with its package's upstream version"
else bw_not_ok "versions differ from the Debian packages"; head -n 20 <<<"$bad"; fi
bw_check "every regular jar of the Debian packages yields a package" \
  bash -c "cut -f1 '$T/deb-of-jar.tsv' | sort -u | while read -r f; do grep -q \"^\$f	\" '$T/got.tsv' || { echo \"missing: \$f\"; exit 1; }; done"

want() { # DESCRIPTION PATH NAME VERSION_PREFIX: one package there, its version starting so
  bw_check "$1" jq -e --arg p "$2" --arg n "$3" --arg v "$4" \
    '[.packages[] | select(.type == "maven" and .path == $p and .name == $n and (.version | startswith($v)))]
     | length == 1' "$T/scan.json"
}
want "log4j-core $V_LOG4J in usr/share/java/log4j-core.jar" usr/share/java/log4j-core.jar \
  org.apache.logging.log4j:log4j-core "$V_LOG4J"
want "jackson-databind $V_JACKSON" usr/share/java/jackson-databind.jar com.fasterxml.jackson.core:jackson-databind \
  "$V_JACKSON"
want "spring-beans $V_SPRING (manifest only: no group)" usr/share/java/spring3-beans-3.x.jar spring-beans "$V_SPRING"
want "spring-web $V_SPRING" usr/share/java/spring3-web-3.x.jar spring-web "$V_SPRING"
want "Tomcat 9 catalina.jar $V_TC9 (ServerInfo.properties)" "$TC9_CATALINA" org.apache.tomcat:tomcat-catalina "$V_TC9"
want "Tomcat 10 embed core $V_TC10E" "usr/share/java/tomcat10-embed-core-$V_TC10E.jar" \
  org.apache.tomcat.embed:tomcat-embed-core "$V_TC10E"
want "log4j-core inside the fat jar with the launch script" \
  "opt/app/demo.jar!BOOT-INF/lib/log4j-core-$V_LOG4J.jar" org.apache.logging.log4j:log4j-core "$V_LOG4J"
want "log4j-core inside the fat jar with adjusted offsets" \
  "opt/app/demo-adjusted.jar!BOOT-INF/lib/log4j-core-$V_LOG4J.jar" org.apache.logging.log4j:log4j-core "$V_LOG4J"
want "spring-core inside the fat jar" \
  "opt/app/demo.jar!BOOT-INF/lib/$(basename "$(ls "$FAT"/BOOT-INF/lib/spring-core-*.jar)")" spring-core "$V_SPRING"
want "tomcat-embed-core inside the fat jar" "opt/app/demo.jar!BOOT-INF/lib/tomcat-embed-core-$V_TC10E.jar" \
  org.apache.tomcat.embed:tomcat-embed-core "$V_TC10E"
want "jackson-databind inside the war (deflated)" "srv/webapps/shop.war!WEB-INF/lib/jackson-databind-$V_JACKSON.jar" \
  com.fasterxml.jackson.core:jackson-databind "$V_JACKSON"
bw_check "log4j-core purl is pkg:maven/org.apache.logging.log4j/log4j-core@$V_LOG4J" \
  jq -e --arg v "$V_LOG4J" '[.packages[] | select(.path == "usr/share/java/log4j-core.jar")][0].purl
    == "pkg:maven/org.apache.logging.log4j/log4j-core@\($v)"' "$T/scan.json"
bw_check "maven packages carry a layer" jq -e '[.packages[] | select(.type == "maven" and (.layer // "") == "")] | length == 0' "$T/scan.json"
bw_check "no package comes from a symlinked jar (Debian's maven-repo links)" \
  bash -c "cut -f1 '$T/got.tsv' | sed 's/!.*//' | sort -u | while read -r p; do [ ! -L '$ROOT/'\"\$p\" ] || { echo \"symlink: \$p\"; exit 1; }; done"
bw_check "the zip bomb is refused with a warning naming the file and the member" \
  grep -qE 'opt/app/bomb\.jar.*BOOT-INF/lib/zeros\.jar.*BW_LIMIT_ARCHIVE_RATIO' "$T/scan.err"
bw_check "no other java analyser warning" \
  bash -c "! grep 'java analyser' '$T/scan.err' | grep -v 'opt/app/bomb.jar'"

bw_finish
