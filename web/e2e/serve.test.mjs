// Tests of web/serve.mjs without a browser: the command line's errors, and what it refuses to serve.
// run.mjs registers them with its own `test` (their results count in its `N passed, N failed`).
//
// Each test starts its own server on a temporary directory (not web/dist), so files that cannot be
// read, symlinks and dotfiles can be laid out freely.

import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SERVE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "serve.mjs");
const INDEX = '<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src \'self\'"><title>t</title>serve-test-index\n';

// A temporary site: {relative path: text}; returns its directory (world-readable, so a server
// started as another user can read it).
function site(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "identmap-serve-"));
  fs.chmodSync(dir, 0o755);
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, text, { mode: 0o644 });
  }
  return dir;
}

// Runs serve.mjs to its end (for the command-line errors): {code, stdout, stderr}.
function runToEnd(args, timeout = 10_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVE, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`serve.mjs ${args.join(" ")} still running after ${timeout} ms: ${stdout}${stderr}`));
    }, timeout);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Starts serve.mjs on a free port; resolves to {origin, child, exited()} once it prints its URL.
function start(args, spawnOptions = {}) {
  const child = spawn(process.execPath, [SERVE, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"], ...spawnOptions });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve.mjs printed no URL in 10 s: ${out}${err}`)), 10_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ origin: m[1], child, stderr: () => err });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited (${code}) before listening: ${out}${err}`));
    });
  });
}

// One request with the path exactly as given (no client-side normalization): {status, type, body}.
function request(origin, rawPath, method = "GET") {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, type: res.headers["content-type"] || null, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

export function registerServeTests(test, { assert, assertEqual }) {
  test("serve.mjs: a bad --port, --port without a value, a --dir without index.html, a port in use: one line, exit 2", async () => {
    const empty = site({ "readme.txt": "no index here\n" });
    const blocker = net.createServer();
    await new Promise((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const busy = String(blocker.address().port);
    try {
      const cases = [
        { args: ["--port", "abc"], want: /--port wants a number/ },
        { args: ["--port", "70000"], want: /--port wants a number/ },
        { args: ["--port"], want: /--port needs a value/ },
        { args: ["--port", "--dir", empty], want: /--port needs a value/ },
        { args: ["--port", "0", "--dir", empty], want: /has no readable index\.html/ },
        { args: ["--port", busy], want: new RegExp(`port ${busy} on 127\\.0\\.0\\.1 is in use`) },
        { args: ["--bogus"], want: /unknown argument/ },
      ];
      for (const c of cases) {
        const r = await runToEnd(c.args);
        const what = `serve.mjs ${c.args.join(" ")}`;
        assertEqual(r.code, 2, `${what}: exit status`);
        const lines = r.stderr.trimEnd().split("\n");
        assertEqual(lines.length, 1, `${what}: lines on stderr (${JSON.stringify(r.stderr)})`);
        assert(c.want.test(lines[0]) && lines[0].startsWith("serve.mjs: "), `${what}: ${JSON.stringify(lines[0])}`);
        assert(!/\bat .*:\d+:\d+/.test(r.stderr), `${what}: a stack trace: ${r.stderr}`);
      }
    } finally {
      blocker.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test("serve.mjs: a file that cannot be read answers 500, and the server keeps serving", async () => {
    const dir = site({ "index.html": INDEX, "secret.txt": "unreadable\n" });
    fs.chmodSync(path.join(dir, "secret.txt"), 0o000);
    // root reads any file: run the server as nobody there, so the open really fails
    const asNobody = typeof process.getuid === "function" && process.getuid() === 0 ? { uid: 65534, gid: 65534 } : {};
    const server = await start(["--dir", dir], asNobody);
    try {
      const r = await request(server.origin, "/secret.txt");
      assertEqual([r.status, r.type], [500, "text/plain; charset=utf-8"], "an unreadable file's answer");
      const again = await request(server.origin, "/secret.txt", "HEAD");
      assertEqual(again.status, 500, "an unreadable file's answer to HEAD");
      const index = await request(server.origin, "/");
      assertEqual(index.status, 200, "index.html after the unreadable file (the server is still up)");
      assert(index.body.includes("serve-test-index"), `index.html's text: ${JSON.stringify(index.body.slice(0, 80))}`);
      assertEqual(server.child.exitCode, null, "the server's exit code (still running)");
    } finally {
      server.child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("serve.mjs: symlinks out of the directory, dotfiles and //host paths refused; error answers are text/plain", async () => {
    const outside = site({ "private.txt": "outside the site\n" });
    const dir = site({ "index.html": INDEX, ".env": "SECRET=1\n", "pkg/.built-from": "stamp\n", "pkg/a.js": "export {};\n" });
    fs.symlinkSync(path.join(outside, "private.txt"), path.join(dir, "link.txt"));
    fs.symlinkSync(outside, path.join(dir, "linkdir"));
    fs.symlinkSync("pkg/a.js", path.join(dir, "inner.js")); // inside: still served
    const server = await start(["--dir", dir]);
    try {
      const get = (p, m) => request(server.origin, p, m);
      const text = "text/plain; charset=utf-8";
      const cases = [
        ["/link.txt", 403],
        ["/linkdir/private.txt", 403],
        ["/.env", 404],
        ["/pkg/.built-from", 404],
        ["/pkg/%2ebuilt-from", 404],
        ["//evil.com/index.html", 404],
        ["/%00", 403],
        ["/%E0%A4%A", 400],
      ];
      for (const [p, status] of cases) {
        const r = await get(p);
        assertEqual([r.status, r.type], [status, text], `GET ${p}`);
        assert(!r.body.includes("outside the site") && !r.body.includes("SECRET") && !r.body.includes("stamp"), `GET ${p} leaked: ${r.body}`);
      }
      const post = await get("/index.html", "POST");
      assertEqual([post.status, post.type], [405, text], "POST /index.html");
      const inner = await get("/inner.js");
      assertEqual([inner.status, inner.type], [200, "text/javascript; charset=utf-8"], "a symlink inside the directory");
      const index = await get("/");
      assertEqual(index.status, 200, "GET /");
      assert(index.body.includes("serve-test-index"), "GET / is the index");
    } finally {
      server.child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
}
