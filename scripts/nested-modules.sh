#!/usr/bin/env bash
# Prints the directories of the nested modules (every go.mod below the root).
set -eu
cd "$(dirname "$0")/.."
find . -mindepth 2 -name go.mod -not -path './.git/*' -printf '%h\n' | sort
