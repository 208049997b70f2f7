# shellcheck shell=bash
# Shared helpers for the bench scripts (sourced, not executed).

# Progress goes to stderr with a timestamp, so the result table on stdout stays clean.
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The Debian mirror this host already uses, read at run time so no host name is committed.
# BENCH_MIRROR overrides. Prefers the main archive entry (not -security / -updates suites).
bench_mirror() {
  if [ -n "${BENCH_MIRROR:-}" ]; then printf '%s\n' "$BENCH_MIRROR"; return; fi
  local f url=""
  f=/etc/apt/sources.list.d/debian.sources
  if [ -r "$f" ]; then
    # deb822: paragraphs of "Key: value"; take URIs of the first "deb" paragraph whose Suites
    # holds a plain suite name (no "-security"/"-updates").
    url=$(awk '
      function flush() { if (types ~ /(^| )deb( |$)/ && plain && uri != "" && out == "") out = uri;
                         types = ""; uri = ""; plain = 0 }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]*#/ { next }
      tolower($1) == "types:" { types = ""; for (i = 2; i <= NF; i++) types = types " " $i; types = substr(types, 2) }
      tolower($1) == "uris:" { uri = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i !~ /-/) plain = 1 }
      END { flush(); if (out != "") print out }' "$f")
  fi
  if [ -z "$url" ]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -r "$f" ] || continue
      # "deb [opts] URL SUITE COMPONENTS..."; skip the options block.
      url=$(awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                              if ($(i+1) !~ /-/) { print $i; exit } }' "$f")
      [ -n "$url" ] && break
    done
  fi
  [ -n "$url" ] || return 1
  printf '%s\n' "$url"
}

# measure OUTFILE CMD...: runs CMD under GNU time and appends "WALL_S MAXRSS_KB EXIT CPU_S" to
# OUTFILE (CPU = user + system, children included). CMD's stdout and stderr go to OUTFILE.log
# (overwritten) so a failure can be shown.
measure() {
  local out=$1 rc=0; shift
  /usr/bin/time -f '%e %M %U %S' -o "$out.time" "$@" >"$out.log" 2>&1 || rc=$?
  tail -n1 "$out.time" | awk -v rc="$rc" '{ printf "%s %s %s %.2f\n", $1, $2, rc, $3 + $4 }' >>"$out"
  return $rc
}

# median FILE COLUMN: median of a numeric column (1-based) of FILE's lines.
median() {
  sort -g -k"$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
    if (NR == 0) exit 1
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
