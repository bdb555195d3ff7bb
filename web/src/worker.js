// The engine's Web Worker: the page posts its whole state, the worker answers in steps.
//
// Protocol (page -> worker): {seq, load, map, sso, decode, batch}
//   load:   the Playground.load request (object) — always present
//   map:    the Playground.map request, or null
//   sso:    the Playground.sso request, or null
//   decode: a token to decode, or null
//   batch:  the Playground.batch request, or null
//   have:   {load, lint, batch}: the ids of the answers the page shows now
// Worker -> page: {type: "ready", version, ms} once, then for every processed request
//   {seq, part: "load"|"map"|"sso"|"decode"|"lint"|"batch", result, ms, id}
// where a cached load, lint or batch answer whose id the page already shows is sent as
// {…, unchanged: true, id} without its result (no re-posting, no re-rendering of a 1,000-rule map)
// and {seq, part: "done"} at the end. Only the newest pending request is processed (older ones
// waiting in the queue are dropped), and between the fast parts (load, map, sso) and the slow ones
// (lint, batch) the worker yields, so a newer keystroke overtakes an older lint. Results are cached
// by their request text, so a change of identity does not re-parse, re-lint or re-batch the map.
// The worker holds no identity-map logic: every answer is the engine's JSON.

import init, { Playground, decode_token, version } from "../dist/pkg/identmap_wasm.js";
import { isFailure } from "./answers.js";

let engine = null;
let pending = null;
let running = false;
let loadedKey = null;
let loadResult = null;
let loadId = 0;
let lintCache = { key: null, result: null, id: 0 };
let batchCache = { key: null, result: null, id: 0 };
let nextId = 1;

function parse(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return { error: `the engine answered something that is not JSON: ${e.message}` };
  }
}

function call(fn) {
  const t0 = performance.now();
  let result;
  try {
    result = parse(fn());
  } catch (e) {
    // a panic inside the engine (a WebAssembly trap) or an exception thrown through it
    // (a panic, or the browser's own stack limit): the WebAssembly instance may be left broken, so
    // this worker stops and the page starts a fresh one
    throw new EngineCrash(`the engine failed: ${e && e.message ? e.message : String(e)}`);
  }
  return { result, ms: performance.now() - t0 };
}

class EngineCrash extends Error {}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function process() {
  if (running) return;
  running = true;
  try {
    while (pending) {
      const req = pending;
      pending = null;
      try {
        await handle(req);
      } catch (e) {
        if (!(e instanceof EngineCrash)) throw e;
        postMessage({ type: "crashed", seq: req.seq, error: e.message });
        pending = null;
        self.close();
        return;
      }
    }
  } finally {
    running = false;
  }
}

async function handle(req) {
  const { seq } = req;
  const have = req.have || {};
  const post = (part, r, id) => postMessage({ seq, part, result: r.result, ms: r.ms, id });
  // a cached answer: only its id when the page shows it already
  const postCached = (part, result, id) =>
    id && have[part] === id ? postMessage({ seq, part, unchanged: true, ms: 0, id }) : post(part, { result, ms: 0 }, id);
  const key = JSON.stringify(req.load);
  if (key !== loadedKey) {
    const r = call(() => engine.load(key));
    loadedKey = isFailure(r.result) ? null : key;
    loadResult = r;
    loadId = nextId++;
    lintCache = { key: null, result: null, id: 0 };
    batchCache = { key: null, result: null, id: 0 };
    post("load", r, loadId);
  } else {
    postCached("load", loadResult.result, loadId);
  }
  const loaded = !isFailure(loadResult.result);
  if (req.decode != null) post("decode", call(() => decode_token(req.decode)));
  if (req.map) {
    post("map", loaded ? call(() => engine.map(JSON.stringify(req.map))) : { result: loadResult.result, ms: 0 });
  }
  if (req.sso) {
    post("sso", loaded ? call(() => engine.sso(JSON.stringify(req.sso))) : { result: loadResult.result, ms: 0 });
  }
  await tick();
  if (pending) return; // a newer state is waiting: its answers replace ours
  if (loaded) {
    if (lintCache.key !== key) {
      lintCache = { key, result: call(() => engine.lint()), id: nextId++ };
      post("lint", lintCache.result, lintCache.id);
    } else {
      postCached("lint", lintCache.result.result, lintCache.id);
    }
  } else {
    // nothing is loaded: the load's own error is the lint's answer too
    post("lint", { result: loadResult.result, ms: 0 });
  }
  await tick();
  if (pending) return;
  if (req.batch) {
    const bkey = key + "\u0000" + JSON.stringify(req.batch);
    if (!loaded) {
      post("batch", { result: loadResult.result, ms: 0 });
    } else if (batchCache.key !== bkey) {
      batchCache = { key: bkey, result: call(() => engine.batch(JSON.stringify(req.batch))), id: nextId++ };
      post("batch", batchCache.result, batchCache.id);
    } else {
      postCached("batch", batchCache.result.result, batchCache.id);
    }
  }
  postMessage({ seq, part: "done" });
}

async function start() {
  const t0 = performance.now();
  try {
    await init({ module_or_path: new URL("./pkg/identmap_wasm_bg.wasm", import.meta.url) });
    engine = new Playground();
    postMessage({ type: "ready", version: version(), ms: performance.now() - t0 });
  } catch (e) {
    postMessage({ type: "failed", error: `the engine did not start: ${e && e.message ? e.message : String(e)}` });
    return;
  }
  process();
}

self.onmessage = (event) => {
  pending = event.data; // coalesce: only the newest state is kept
  if (engine) process();
};

start();
