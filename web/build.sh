#!/usr/bin/env bash
# Build the playground into web/dist/: the engine as WebAssembly (identmap-wasm, profile
# wasm-release: size-optimized, LTO, one codegen unit; see the workspace Cargo.toml), its
# wasm-bindgen glue, the page bundled by esbuild. Idempotent; installs what it needs.
set -euo pipefail
WEB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$WEB/.." && pwd)"
# IDENTMAP_WEB_DIST: build elsewhere than web/dist (web/e2e/build.test.sh builds into a temporary one)
DIST="${IDENTMAP_WEB_DIST:-$WEB/dist}"
WASM_BINDGEN_VERSION=0.2.117
export PATH="$HOME/.cargo/bin:$PATH"
# quiet npm/npx: no "new version available" notice
export NPM_CONFIG_UPDATE_NOTIFIER=false
say() { printf '%s\n' "$*" >&2; }

# 1. tools
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >/dev/null
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install --quiet --locked --version "=$WASM_BINDGEN_VERSION" wasm-bindgen-cli
fi
cd "$WEB"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing the npm packages (npm ci)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# 2. the engine
cd "$ROOT"
cargo build --quiet -p identmap-wasm --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$DIST/pkg"
WASM_IN="${CARGO_TARGET_DIR:-$ROOT/target}/wasm32-unknown-unknown/wasm-release/identmap_wasm.wasm"
STAMP="$DIST/pkg/.built-from"
# (a failing command substitution inside an assignment would end the script under `set -e`)
if command -v wasm-opt >/dev/null; then have_opt=opt; else have_opt=no-opt; fi
SIG="pre-opt $(stat -c '%s %Y' "$WASM_IN") $WASM_BINDGEN_VERSION $have_opt"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$SIG" ] || [ ! -f "$DIST/pkg/identmap_wasm_bg.wasm" ]; then
  # wasm-opt runs on cargo's output, before wasm-bindgen: Debian's binaryen (108) mis-points the
  # export of wasm-bindgen's externref table when it optimizes the bound module (the page then
  # fails with "WebAssembly.Table.grow(): failed to grow table").
  input="$WASM_IN"
  if [ "$have_opt" = opt ]; then
    mkdir -p "$DIST/.wasm-opt"
    if wasm-opt -Oz "$WASM_IN" -o "$DIST/.wasm-opt/identmap_wasm.wasm"; then
      input="$DIST/.wasm-opt/identmap_wasm.wasm"
    else
      say "wasm-opt failed: the .wasm is not size-optimized"
    fi
  else
    say "wasm-opt not found (Debian: apt-get install binaryen): the .wasm is not size-optimized"
  fi
  wasm-bindgen --target web --no-typescript --out-dir "$DIST/pkg" "$input"
  rm -rf "$DIST/.wasm-opt"
  echo "$SIG" > "$STAMP"
fi

# 3. the page
cd "$WEB"
npx --no-install esbuild src/main.js src/worker.js \
  --bundle --format=esm --minify --sourcemap --target=es2022 \
  --loader:.map=text --loader:.sql=text --loader:.conf=text --loader:.token=text --loader:.json=text \
  --outdir="$DIST" --log-level=warning
cp index.html src/style.css src/editor.css "$DIST/"
# assets/ copied afresh: a file deleted from assets/ does not linger in dist/assets
rm -rf "$DIST/assets"
if [ -d assets ]; then cp -r assets "$DIST/"; fi
# the rule pages the findings link to (rules/<CODE>.md, same origin, readable offline)
rm -rf "$DIST/rules" && mkdir -p "$DIST/rules" && cp "$ROOT"/docs/rules/*.md "$DIST/rules/"

gz=$(gzip -9c "$DIST/pkg/identmap_wasm_bg.wasm" | wc -c)
raw=$(stat -c %s "$DIST/pkg/identmap_wasm_bg.wasm")
awk -v raw="$raw" -v gz="$gz" 'BEGIN { printf "web/dist: identmap_wasm_bg.wasm %d bytes, %d bytes gzipped (%.0f KB)\n", raw, gz, gz / 1024 }'
