// Time the playground engine's calls under Node, as the page's worker makes them, on a map file:
// `load` (parse + compile), `map` (one identity, with the trace), `lint`, and `batch` over lookup
// lines. The native twin is `cargo run --release -p identmap-bench --bin playground-bench` (same
// requests, same output), so the two runs compare WebAssembly with native on one workload.
//
//   web/bench/build-node.sh                  # the engine for Node, into target/wasm-node/ (as web/build.sh builds it)
//   node web/bench/engine.mjs RULES LOOKUPS  # e.g. target/bench-data/rules_1000.txt lookups_1000.txt
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";

const [rulesPath, lookupsPath, pkgArg] = process.argv.slice(2);
if (!rulesPath || !lookupsPath) {
  console.error("usage: node web/bench/engine.mjs RULES LOOKUPS [PKG_DIR]");
  process.exit(2);
}
const pkg = resolve(pkgArg ?? new URL("../../target/wasm-node", import.meta.url).pathname);
const { Playground } = createRequire(import.meta.url)(`${pkg}/identmap_wasm.js`);

const rules = readFileSync(rulesPath, "utf8");
const lookups = readFileSync(lookupsPath, "utf8").split("\n").filter(Boolean).slice(0, 10000);
const [issuer, identity] = lookups[0].split(" ");
const batchLines = lookups.map((l) => l.replace(" ", "\t")).join("\n");

function time(n, f) {
  const ms = [];
  let out;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    out = f();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(n / 2)], min: ms[0], out };
}
function report(name, t) {
  console.log(`${name.padEnd(8)} median ${t.median.toFixed(2)} ms, min ${t.min.toFixed(2)} ms`);
}

const p = new Playground();
const load = JSON.stringify({ dialect: "cockroach", rules });
const first = time(1, () => p.load(load));
report("load#1", first);
if (!first.out.includes('"accepted":true')) throw new Error(first.out.slice(0, 300));
report("load", time(10, () => p.load(load)));
const mapReq = JSON.stringify({ issuer, identities: [identity], explain: true });
report("map", time(50, () => p.map(mapReq)));
report("lint", time(5, () => p.lint()));
const batchReq = JSON.stringify({ issuer, lines: batchLines });
const b = time(5, () => p.batch(batchReq));
report("batch", b);
console.log(`batch: ${lookups.length} lines, ${JSON.parse(b.out).unmapped} unmapped`);
