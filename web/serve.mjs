#!/usr/bin/env node
// A tiny static server for web/dist on 127.0.0.1, with the page's Content-Security-Policy.
// Usage: node web/serve.mjs [--port N] [--dir DIR]   (--port 0 picks a free port)
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const USAGE = "usage: node web/serve.mjs [--port N] [--dir DIR]";

// A wrong invocation ends with one line on stderr and exit status 2, never a stack trace.
function fail(message) {
  process.stderr.write(`serve.mjs: ${message}\n`);
  process.exit(2);
}

const options = { port: "8080", dir: path.join(here, "dist") };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const m = /^--(port|dir)(?:=(.*))?$/.exec(a);
  if (!m) fail(`unknown argument ${JSON.stringify(a)} (${USAGE})`);
  let value = m[2];
  if (value === undefined) {
    value = args[i + 1];
    if (value === undefined || value.startsWith("--")) fail(`--${m[1]} needs a value (${USAGE})`);
    i++;
  }
  options[m[1]] = value;
}
if (!/^[0-9]{1,5}$/.test(options.port) || Number(options.port) > 65535) {
  fail(`--port wants a number from 0 to 65535 (0: any free port), not ${JSON.stringify(options.port)}`);
}
const port = Number(options.port);
let root;
let html;
try {
  root = fs.realpathSync(path.resolve(options.dir));
  html = fs.readFileSync(path.join(root, "index.html"), "utf8");
} catch (e) {
  fail(`${path.resolve(options.dir)} has no readable index.html (${e.code || e.message}); build the site with web/build.sh`);
}

// The same policy as index.html's meta tag (the header also covers the worker).
const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
const CSP = meta ? meta[1] : "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8", // the rule pages (GitHub Pages serves .md as text too)
};

const inside = (file) => file === root || file.startsWith(root + path.sep);

const server = http.createServer((req, res) => {
  const headers = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
  };
  const answer = (status, text, extra = {}) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { ...headers, "Content-Type": "text/plain; charset=utf-8", ...extra });
    res.end(req.method === "HEAD" ? undefined : `${text}\n`);
  };
  // a file that is not there (or went away) is 404; one that does not open (permissions, I/O) 500
  const unreadable = (err) =>
    err.code === "ENOENT" || err.code === "ENOTDIR" ? answer(404, "not found") : answer(500, "the file cannot be read");
  if (req.method !== "GET" && req.method !== "HEAD") {
    answer(405, "method not allowed", { Allow: "GET, HEAD" });
    return;
  }
  let rel;
  try {
    // origin-form only (`/path`): the path is appended to a fixed origin, so `//host/x` stays a
    // path and never names a host
    if (!req.url.startsWith("/")) throw new Error("not a path");
    rel = decodeURIComponent(new URL("http://localhost" + req.url).pathname);
  } catch {
    answer(400, "bad request");
    return;
  }
  if (rel.endsWith("/")) rel += "index.html";
  const clean = path.posix.normalize("/" + rel);
  const file = path.resolve(root, "." + clean);
  if (rel.includes("\0") || !inside(file)) {
    answer(403, "forbidden");
    return;
  }
  // dotfiles (`pkg/.built-from`, `.git`, …) are build details, not the site
  if (clean.split("/").some((part) => part.startsWith("."))) {
    answer(404, "not found");
    return;
  }
  // a symlink may lead anywhere: what it resolves to must be inside the served directory
  fs.realpath(file, (err, real) => {
    if (err) {
      unreadable(err);
      return;
    }
    if (!inside(real)) {
      answer(403, "forbidden");
      return;
    }
    // open first: only a file that opened gets its 200 header
    fs.open(real, "r", (err, fd) => {
      if (err) {
        unreadable(err);
        return;
      }
      fs.fstat(fd, (err, st) => {
        if (err || !st.isFile()) {
          fs.close(fd, () => {});
          if (err) unreadable(err);
          else answer(404, "not found");
          return;
        }
        res.writeHead(200, {
          ...headers,
          "Content-Type": TYPES[path.extname(real).toLowerCase()] || "application/octet-stream",
          "Content-Length": st.size,
        });
        if (req.method === "HEAD") {
          fs.close(fd, () => {});
          res.end();
          return;
        }
        const stream = fs.createReadStream(real, { fd });
        // a read that fails after the header went out: cut the response (its length is then short)
        stream.on("error", () => res.destroy());
        res.on("close", () => stream.destroy());
        stream.pipe(res);
      });
    });
  });
});

server.on("error", (e) => {
  if (e.code === "EADDRINUSE") fail(`port ${port} on 127.0.0.1 is in use (choose another with --port, or --port 0 for any free one)`);
  if (e.code === "EACCES") fail(`no permission to listen on port ${port} on 127.0.0.1`);
  fail(`cannot listen on 127.0.0.1:${port}: ${e.message}`);
});

server.listen(port, "127.0.0.1", () => {
  console.log(`identmap playground: http://127.0.0.1:${server.address().port}/`);
});
