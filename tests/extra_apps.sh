#!/usr/bin/env bash
# Meson test: configure a second build with -Dextra_apps pointing at a file
# outside apps/, then run it with tools/run -C; it must print and exit 5.
set -euo pipefail
src=$1 dir=$2
rm -rf "$dir"
meson setup "$dir" "$src" --cross-file "$src/cross-riscv.txt" \
    -Dextra_apps="$src/tests/extra/outoftree.c" >/dev/null
out=$(timeout 120 "$src/tools/run" -C "$dir" outoftree arg1 2>&1) && status=0 || status=$?
echo "$out" | sed -n '/^kernel:/,$p'
echo "$out" | grep -q "^outoftree: out-of-tree program running with 1 argument(s), first 'arg1'" \
    || { echo "FAIL: no output from the out-of-tree program"; exit 1; }
[ "$status" -eq 5 ] || { echo "FAIL: exit status $status, expected 5"; exit 1; }
echo "PASS: out-of-tree program built with -Dextra_apps ran and exited 5"
