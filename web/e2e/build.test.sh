#!/usr/bin/env bash
# Tests of web/build.sh's own behaviour (not the page's): it builds into a temporary directory
# (IDENTMAP_WEB_DIST), so web/dist is left alone.
#
#   web/e2e/build.test.sh     # ends with `N passed, N failed`; exit 1 on any failure
#
# 1. without wasm-opt on the PATH it says so ("wasm-opt not found") and still builds the page;
# 2. a file in dist/assets that is not in web/assets (deleted since the last build) is removed.
# It runs cargo (a no-op when the engine is built) and wasm-bindgen on the unoptimized .wasm.
set -uo pipefail
WEB="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

# a PATH without wasm-opt: every command of the usual PATH, linked into one directory, but that one
mkdir -p "$tmp/bin"
IFS=: read -ra dirs <<< "$HOME/.cargo/bin:$PATH"
for d in "${dirs[@]}"; do
  [ -d "$d" ] || continue
  for f in "$d"/*; do
    name="$(basename "$f")"
    [ "$name" = wasm-opt ] && continue
    [ -x "$f" ] && [ ! -e "$tmp/bin/$name" ] && ln -s "$f" "$tmp/bin/$name"
  done
done

dist="$tmp/dist"
mkdir -p "$dist/assets"
echo stale > "$dist/assets/deleted-since.svg"
env HOME="$HOME" PATH="$tmp/bin" IDENTMAP_WEB_DIST="$dist" bash "$WEB/build.sh" > "$tmp/out" 2> "$tmp/err"
status=$?

if [ "$status" = 0 ]; then ok "build.sh without wasm-opt exits 0"; else bad "build.sh without wasm-opt exits $status: $(cat "$tmp/err")"; fi
if grep -q "wasm-opt not found" "$tmp/err"; then ok "it says wasm-opt is not found"; else bad "no 'wasm-opt not found' message; stderr: $(cat "$tmp/err")"; fi
if [ -s "$dist/pkg/identmap_wasm_bg.wasm" ] && [ -s "$dist/main.js" ] && [ -s "$dist/worker.js" ] && [ -s "$dist/index.html" ]; then
  ok "the page is built (pkg/identmap_wasm_bg.wasm, main.js, worker.js, index.html)"
else
  bad "the page is not built: $(ls -R "$dist" 2>&1 | head -20)"
fi
if grep -q "no-opt" "$dist/pkg/.built-from" 2>/dev/null; then ok "the stamp records the build without wasm-opt"; else bad "stamp: $(cat "$dist/pkg/.built-from" 2>&1)"; fi
if [ ! -e "$dist/assets/deleted-since.svg" ] && diff -r "$WEB/assets" "$dist/assets" > /dev/null; then
  ok "dist/assets is web/assets (the stale file removed)"
else
  bad "dist/assets: $(ls "$dist/assets" 2>&1)"
fi
if grep -qi "update available\|npm notice" "$tmp/out" "$tmp/err"; then bad "npm's update notice printed"; else ok "no npm update notice"; fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
