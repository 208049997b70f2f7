#!/usr/bin/env bash
# Bans C functions that have no bounds or no error reporting (curl's checksrc idea).
set -euo pipefail
cd "$(dirname "$0")/.."
banned='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|sscanf|gets)\s*\('
if grep -rnE "$banned" src tests --include='*.c' --include='*.h' | grep -v 'lint:allow'; then
  echo "lint: banned function used (see scripts/lint.sh)" >&2
  exit 1
fi
