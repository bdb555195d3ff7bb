#!/usr/bin/env node
// A tiny static server for web/dist on 127.0.0.1, with the page's Content-Security-Policy.
// Usage: node web/serve.mjs [--port N] [--dir DIR]   (--port 0 picks a free port)
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const port = Number(arg("--port", "8080"));
const root = path.resolve(arg("--dir", path.join(here, "dist")));

// The same policy as index.html's meta tag (the header also covers the worker).
const html = fs.readFileSync(path.join(root, "index.html"), "utf8");
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

const server = http.createServer((req, res) => {
  const headers = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
  };
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { ...headers, Allow: "GET, HEAD" });
    res.end();
    return;
  }
  let rel;
  try {
    rel = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
  } catch {
    res.writeHead(400, headers);
    res.end("bad request\n");
    return;
  }
  if (rel.endsWith("/")) rel += "index.html";
  const file = path.resolve(root, "." + path.posix.normalize("/" + rel));
  if (rel.includes("\0") || (file !== root && !file.startsWith(root + path.sep))) {
    res.writeHead(403, headers);
    res.end("forbidden\n");
    return;
  }
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain; charset=utf-8" });
      res.end("not found\n");
      return;
    }
    res.writeHead(200, {
      ...headers,
      "Content-Type": TYPES[path.extname(file).toLowerCase()] || "application/octet-stream",
      "Content-Length": st.size,
    });
    if (req.method === "HEAD") res.end();
    else fs.createReadStream(file).pipe(res);
  });
});

server.listen(port, "127.0.0.1", () => {
  console.log(`identmap playground: http://127.0.0.1:${server.address().port}/`);
});
