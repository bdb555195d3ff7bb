#!/usr/bin/env bash
# The engine for Node (web/bench/engine.mjs): cargo's wasm with the same profile and wasm-opt step
# as web/build.sh, bound with `wasm-bindgen --target nodejs` into target/wasm-node/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PROFILE="${PROFILE:-release}"
cargo build --quiet -p identmap-wasm --target wasm32-unknown-unknown --profile "$PROFILE"
out="$ROOT/target/wasm-node"
mkdir -p "$out"
mkdir -p "$out/opt"
wasm-opt -Oz "target/wasm32-unknown-unknown/$PROFILE/identmap_wasm.wasm" -o "$out/opt/identmap_wasm.wasm"
wasm-bindgen --target nodejs --no-typescript --out-dir "$out" "$out/opt/identmap_wasm.wasm"
ls -l "$out"
