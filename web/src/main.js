// The playground page: collects the inputs, asks the engine (in a Web Worker) and renders its
// answers. No identity-map logic lives here: every decision, finding and trace is the engine's.

import { createEditor } from "./editor.js";
import { EXAMPLES } from "./examples.js";
import { encodeState, decodeState } from "./share.js";
import { isFailure } from "./answers.js";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
};
const show = (node, message) => {
  node.hidden = !message;
  node.textContent = message || "";
};

const BATCH_PAGE = 500;
// the trace shows its first rows and every matched row; "Show all" renders the rest (a 1,000-rule
// trace re-rendered on every keystroke took most of a keystroke's time)
const TRACE_FIRST = 50;

const t0 = performance.now();

// --- the inputs -------------------------------------------------------------------------------

const ui = {
  dialect: $("dialect-select"),
  pg: $("pg-version-select"),
  caseMode: $("case-select"),
  roles: $("roles-input"),
  settings: $("settings-input"),
  issuer: $("issuer-input"),
  identity: $("identity-input"),
  user: $("user-input"),
  token: $("token-input"),
  claim: $("claim-input"),
  jwks: $("jwks-input"),
  verify: $("verify-input"),
  now: $("now-input"),
  batch: $("batch-input"),
  shareToken: $("share-token"),
};

const editor = createEditor($("rules-input"), {
  doc: "",
  dialect: "cockroach",
  label: "Identity map rules",
  onChange: () => update(),
});

// For browser tests that set a large map at once: the container carries the CodeMirror view.
$("rules-input").editorView = editor.view;

// Extra files (postgres include / @file): [{name, text}] rendered as name + textarea pairs.
let files = [];
// Extra identities (an array claim), after the first one in identity-input.
let extraIdentities = [];

function renderFiles() {
  const box = $("files");
  box.replaceChildren();
  files.forEach((f, i) => {
    const nameId = `file-name-${i}`;
    const textId = `file-text-${i}`;
    box.append(
      el(
        "div",
        { class: "file", "data-testid": "file" },
        el("label", { for: nameId, text: `File ${i + 1} name` }),
        el("input", {
          id: nameId,
          type: "text",
          value: f.name,
          spellcheck: "false",
          "data-testid": "file-name",
          oninput: (e) => {
            files[i].name = e.target.value;
            update();
          },
        }),
        el("label", { for: textId, text: `Contents of file ${i + 1}` }),
        (() => {
          const t = el("textarea", {
            id: textId,
            rows: "3",
            spellcheck: "false",
            "data-testid": "file-text",
            oninput: (e) => {
              files[i].text = e.target.value;
              update();
            },
          });
          t.value = f.text;
          return t;
        })(),
        el("button", {
          type: "button",
          "data-testid": "remove-file",
          "aria-label": `Remove file ${f.name || i + 1}`,
          text: "Remove",
          onclick: () => {
            files.splice(i, 1);
            renderFiles();
            update();
          },
        }),
      ),
    );
  });
}

function renderExtraIdentities() {
  const box = $("extra-identities");
  box.replaceChildren();
  extraIdentities.forEach((value, i) => {
    const id = `identity-extra-${i}`;
    box.append(
      el(
        "div",
        { class: "field extra" },
        el("label", { for: id, text: `Identity ${i + 2}` }),
        el(
          "div",
          { class: "row" },
          el("input", {
            id,
            type: "text",
            value,
            spellcheck: "false",
            autocomplete: "off",
            "data-testid": "identity-extra-input",
            oninput: (e) => {
              extraIdentities[i] = e.target.value;
              update();
            },
          }),
          el("button", {
            type: "button",
            "aria-label": `Remove identity ${i + 2}`,
            text: "Remove",
            "data-testid": "remove-identity",
            onclick: () => {
              extraIdentities.splice(i, 1);
              renderExtraIdentities();
              update();
            },
          }),
        ),
      ),
    );
  });
}

$("add-file").addEventListener("click", () => {
  files.push({ name: `file${files.length + 1}.conf`, text: "" });
  renderFiles();
  document.getElementById(`file-name-${files.length - 1}`).focus();
  update();
});

$("add-identity").addEventListener("click", () => {
  extraIdentities.push("");
  renderExtraIdentities();
  document.getElementById(`identity-extra-${extraIdentities.length - 1}`).focus();
  update();
});

// The whole page state: what the share link carries and what examples set.
function collect({ withToken = true } = {}) {
  const s = {
    v: 1,
    dialect: ui.dialect.value,
    pg: Number(ui.pg.value),
    case: ui.caseMode.value,
    rules: editor.text,
    files: files.map((f) => [f.name, f.text]),
    settings: ui.settings.value,
    roles: ui.roles.value,
    issuer: ui.issuer.value,
    identities: [ui.identity.value, ...extraIdentities],
    user: ui.user.value,
    claim: ui.claim.value,
    jwks: ui.jwks.value,
    verify: ui.verify.checked,
    now: ui.now.value,
    batch: ui.batch.value,
  };
  if (withToken && ui.token.value.trim()) s.token = ui.token.value;
  return s;
}

function applyState(s) {
  const dialect = s.dialect === "postgres" ? "postgres" : "cockroach";
  ui.dialect.value = dialect;
  ui.pg.value = String(s.pg || 16);
  ui.caseMode.value = s.case || (dialect === "postgres" ? "sensitive" : "insensitive");
  editor.text = s.rules || "";
  files = (s.files || []).map(([name, text]) => ({ name, text }));
  ui.settings.value = s.settings || "";
  ui.roles.value = s.roles || "";
  ui.issuer.value = s.issuer || "";
  const ids = s.identities && s.identities.length ? s.identities : [""];
  ui.identity.value = ids[0];
  extraIdentities = ids.slice(1);
  ui.user.value = s.user || "";
  ui.token.value = s.token || "";
  ui.claim.value = s.claim || "";
  ui.jwks.value = s.jwks || "";
  ui.verify.checked = s.verify !== false;
  ui.now.value = s.now || "";
  ui.batch.value = s.batch || "";
  if (s.settings) document.getElementById("settings-details").open = true;
  if (s.token || s.jwks) document.getElementById("token-details").open = true;
  renderFiles();
  renderExtraIdentities();
  onDialect();
  lastDecodedToken = null;
  identitiesFromToken = false;
  filledIdentities = null;
  adoptRestoredIdentities = !!s.token;
  update();
}

// --- dialect-dependent labels -----------------------------------------------------------------

function onDialect() {
  const pg = ui.dialect.value === "postgres";
  editor.setDialect(ui.dialect.value);
  document.body.classList.toggle("dialect-postgres", pg);
  document.body.classList.toggle("dialect-cockroach", !pg);
  document.getElementById("issuer-label").textContent = pg ? "Map name" : "Issuer";
  document.getElementById("identity-label").textContent = pg ? "System user (the authenticated identity)" : "Identity";
  document.getElementById("user-label").textContent = pg ? "Requested database user" : "Requested SQL user (optional)";
  document.getElementById("case-label").textContent = pg ? "Case (krb_caseins_users)" : "Case matching";
  const [ins, sen] = ui.caseMode.options;
  ins.textContent = pg ? "insensitive (krb_caseins_users = on)" : "insensitive (CockroachDB today)";
  sen.textContent = pg ? "sensitive (the default)" : "sensitive (older releases)";
}

ui.dialect.addEventListener("change", () => {
  ui.caseMode.value = ui.dialect.value === "postgres" ? "sensitive" : "insensitive";
  onDialect();
  update();
});
for (const input of [ui.pg, ui.caseMode, ui.verify]) input.addEventListener("change", () => update());
for (const input of [ui.roles, ui.settings, ui.issuer, ui.identity, ui.user, ui.token, ui.claim, ui.jwks, ui.now]) {
  input.addEventListener("input", () => update());
}
let batchTimer = null;
ui.batch.addEventListener("input", () => {
  clearTimeout(batchTimer);
  batchTimer = setTimeout(() => update(), 150);
});

// --- talking to the engine --------------------------------------------------------------------

let worker = null;
let ready = false;
// after the engine failed on a state, the fresh worker waits for the next change instead of being
// handed the same state again
let restarted = false;
let seq = 0;
let sentAt = 0;
let lastDecodedToken = null;
// a token typed or pasted (not restored from a link or an example) fills the issuer from `iss`
let issuerFromToken = false;
// …and the identities from the principals the engine reads from its claim
let identitiesFromToken = false;
// The identities last filled from the token's principals (or restored equal to them): while the
// identity fields still hold them, a change of claim refills them from the new decision's
// principals; an identity edited by hand is left alone.
let filledIdentities = null;
// after an example or a link with a token: its identities count as filled from the token when
// they are the principals of the first decision
let adoptRestoredIdentities = false;
const currentIdentities = () => [ui.identity.value, ...extraIdentities];
ui.token.addEventListener("input", () => {
  issuerFromToken = true;
  identitiesFromToken = true;
});
ui.claim.addEventListener("input", () => {
  if (filledIdentities && JSON.stringify(currentIdentities()) === JSON.stringify(filledIdentities)) identitiesFromToken = true;
});
ui.identity.addEventListener("input", () => {
  // typed by hand: no longer the token's
  identitiesFromToken = false;
  adoptRestoredIdentities = false;
});
const timings = {};
// the ids of the load, lint and batch answers on the page: the worker sends no result (and the
// page renders nothing) when a cached answer is the one already shown
const shown = { load: 0, lint: 0, batch: 0 };

function update() {
  if (!ready) return;
  const s = collect();
  const pg = s.dialect === "postgres";
  const load = {
    dialect: s.dialect,
    pg_version: s.pg,
    case: pg ? "insensitive" : s.case,
    rules: s.rules,
    files: Object.fromEntries(files.filter((f) => f.name).map((f) => [f.name, f.text])),
    settings: s.settings,
    roles: s.roles,
  };
  const identities = s.identities.filter((i) => i !== "");
  let map = null;
  if (pg) {
    if (s.identities[0] !== "" || s.issuer !== "") {
      map = {
        map: s.issuer,
        system_user: s.identities[0],
        db_user: s.user,
        case_insensitive: s.case === "insensitive",
        explain: true,
      };
    }
  } else if (identities.length) {
    map = { issuer: s.issuer, identities, explain: true };
  }
  const token = pg ? "" : (s.token || "").trim();
  let now = Math.floor(Date.now() / 1000);
  if (s.now) {
    const t = Date.parse(s.now);
    if (!Number.isNaN(t)) now = Math.floor(t / 1000);
  }
  // the claim field replaces the settings' claim in the decision, as `identmap sso --claim` does
  // (the settings and their lint stay the cluster's own)
  const claim = s.claim.trim();
  const sso = token ? { token, jwks: s.jwks, claim: claim || undefined, user: s.user, now, verify: s.verify, show_claims: false } : null;
  const batch = !pg && s.batch.trim() ? { issuer: s.issuer, lines: s.batch } : null;
  seq += 1;
  sentAt = performance.now();
  if (!batch) shown.batch = 0;
  worker.postMessage({ seq, load, map, sso, decode: token && token !== lastDecodedToken ? token : null, batch, have: { ...shown } });
  if (!token) {
    lastDecodedToken = null;
    renderDecoded(null);
  }
  if (!map) renderMap(null);
  if (!sso) $("sso").hidden = true;
  if (!batch) renderBatch(null);
}

function startWorker() {
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.addEventListener("message", onWorkerMessage);
  worker.addEventListener("error", onWorkerError);
}

function onWorkerMessage(event) {
  const m = event.data;
  if (m.type === "ready") {
    ready = true;
    $("version").textContent = m.version;
    if (restarted) {
      restarted = false;
      $("engine-status").textContent = `Engine restarted (identmap ${m.version})`;
      return;
    }
    $("engine-status").textContent = `Engine ready (identmap ${m.version})`;
    start();
    return;
  }
  if (m.type === "crashed") {
    // The engine failed on this input and its worker stopped: start a fresh one, and say so. The
    // same state is not sent again (it would fail again); the next change is answered.
    worker.terminate();
    ready = false;
    restarted = true;
    shown.load = shown.lint = shown.batch = 0;
    lastDecodedToken = null;
    show(
      $("engine-error"),
      `The engine failed on this input (${m.error}). It has been restarted: change the input to try again. ` +
        "This is a bug in identmap; please report the input.",
    );
    $("engine-status").textContent = "The engine failed on this input";
    startWorker();
    return;
  }
  if (m.type === "failed") {
    $("engine-status").textContent = "The engine did not start";
    show($("engine-error"), m.error);
    return;
  }
  if (m.seq !== seq) return; // an older state's answer: never shown over a newer one
  const elapsed = performance.now() - sentAt;
  if (m.part !== "done") timings[m.part] = { page: elapsed, engine: m.ms };
  if (m.unchanged) return; // the page shows this answer already
  if (m.part in shown) shown[m.part] = m.id || 0;
  switch (m.part) {
    case "load":
      renderLoad(m.result);
      break;
    case "decode":
      renderDecoded(m.result);
      break;
    case "map":
      renderMap(m.result);
      break;
    case "sso":
      renderSso(m.result);
      break;
    case "lint":
      renderLint(m.result);
      break;
    case "batch":
      renderBatch(m.result);
      break;
    case "done":
      renderTimings();
      if (!document.documentElement.dataset.ready) {
        document.documentElement.dataset.ready = "true";
        const tti = performance.now() - t0;
        window.identmapTimeToInteractive = tti;
        $("engine-status").textContent += ` · interactive in ${Math.round(tti)} ms`;
      }
      break;
  }
}

function onWorkerError(e) {
  $("engine-status").textContent = "The engine did not start";
  show($("engine-error"), `The engine's worker failed: ${e.message || "see the browser console"}`);
}

startWorker();

function renderTimings() {
  const parts = ["load", "map", "sso", "lint", "batch"].filter((p) => timings[p]);
  $("timings").textContent =
    "Answered in: " +
    parts.map((p) => `${p} ${timings[p].page.toFixed(0)} ms (engine ${timings[p].engine.toFixed(0)})`).join(", ") +
    " — each since the change, as this page saw it";
  for (const p of parts) delete timings[p];
}

// --- rendering --------------------------------------------------------------------------------

function renderLoad(r) {
  const failed = isFailure(r);
  show($("engine-error"), failed ? `The engine could not read this: ${r.error}` : "");
  const verdict = $("map-verdict");
  verdict.replaceChildren();
  if (!failed) {
    const ok = r.answered;
    verdict.className = `verdict ${ok ? "ok" : "bad"}`;
    verdict.textContent = `${ok ? "✓" : "✗"} ${r.verdict}`;
  } else {
    verdict.className = "verdict";
  }
  show($("roles-error"), r.roles_error || "");
  // suggestions for the issuer (map name) field: the map names of the parsed rules, none when
  // nothing loaded
  const names = failed ? [] : r.map_names.slice(0, 200);
  const issuerList = document.getElementById("issuer-list");
  if (issuerList.dataset.names !== JSON.stringify(names)) {
    issuerList.dataset.names = JSON.stringify(names);
    issuerList.replaceChildren(...names.map((n) => el("option", { value: n })));
  }
  // settings: statements read, their errors and problems
  const list = $("settings-problems");
  list.replaceChildren();
  const st = failed ? null : r.settings;
  // the identity map the settings set (a string, "" included), or null
  settingsMap = st && r.dialect === "cockroach" ? st.identity_map : null;
  $("move-map").hidden = settingsMap == null;
  if (st) {
    for (const e of st.errors) list.append(el("li", { class: "error", "data-testid": "settings-problem", text: e.message }));
    for (const p of st.problems)
      list.append(el("li", { class: "warning", "data-testid": "settings-problem", text: p.setting ? `${p.setting}: ${p.message}` : p.message }));
    if (settingsMap != null && !editor.text.trim() && !list.children.length) {
      list.append(el("li", { class: "info", text: "The settings set an identity map: move it into the editor to test and lint it." }));
    }
  }
}

let settingsMap = null;
$("move-map").addEventListener("click", () => {
  if (settingsMap == null) return;
  editor.text = settingsMap === "" || settingsMap.endsWith("\n") ? settingsMap : settingsMap + "\n";
  editor.jumpTo(0);
});

function renderDecoded(r) {
  if (!r) {
    $("token-decoded").hidden = true;
    show($("token-error"), "");
    return;
  }
  if (isFailure(r)) {
    $("token-decoded").hidden = true;
    show($("token-error"), `The token does not read (${r.part || "token"}${r.offset != null ? `, offset ${r.offset}` : ""}): ${r.error}`);
    return;
  }
  lastDecodedToken = ui.token.value.trim();
  show($("token-error"), "");
  $("token-decoded").hidden = false;
  $("token-header").textContent = JSON.stringify(r.header, null, 2);
  $("token-claims").textContent = JSON.stringify(r.claims, null, 2);
  const iss = r.claims && typeof r.claims.iss === "string" ? r.claims.iss : null;
  if (iss && issuerFromToken && ui.issuer.value !== iss) {
    issuerFromToken = false;
    ui.issuer.value = iss; // the issuer comes from the token
    update();
  }
}


// Text with line-break opportunities after the separators of identities and rules (`@`, `.`, `/`,
// `:`, `,`, `=`), so a narrow trace column breaks "carl@ example.com", never "Carl@Examp le.com".
function breakable(text) {
  const parts = String(text).split(/(?<=[@./:,=])(?=.)/);
  if (parts.length === 1) return parts[0];
  const frag = document.createDocumentFragment();
  parts.forEach((p, i) => {
    if (i) frag.append(document.createElement("wbr"));
    frag.append(p);
  });
  return frag;
}

function highlightedIdentity(row) {
  const text = row.identity ?? row.principal ?? "";
  // the engine's UTF-16 ranges in the identity: [match, group 1, …], null for a group that did not
  // take part
  const ranges = row.matched ? row.ranges : null;
  const span = el("span", { class: "identity" });
  if (!ranges || !ranges[0]) {
    span.append(breakable(text));
    return span;
  }
  // paint each UTF-16 position with the innermost (highest-numbered) group covering it
  const paint = new Array(text.length).fill(-1);
  ranges.forEach((r, g) => {
    if (!r) return;
    for (let i = r.from; i < r.to && i < text.length; i++) paint[i] = g;
  });
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && paint[j] === paint[i]) j++;
    const part = text.slice(i, j);
    const g = paint[i];
    span.append(g < 0 ? breakable(part) : el("mark", { class: `g${Math.min(g, 4)}`, title: g === 0 ? "matched" : `\\${g}` }, breakable(part)));
    i = j;
  }
  return span;
}

// The rule, with the one `\1` the engine substitutes (`substitution_range`: CockroachDB replaces
// the first `\1` of the user; any other `\N` is literal text) coloured like capture 1. The range is
// in the rules text; the row's `rule` ends with the same user field, so the offset within the user
// carries over.
function highlightedRule(row) {
  const rule = String(row.rule ?? "");
  const span = el("code", { class: "rule" });
  const sub = row.matched ? row.substitution_range : null;
  const user = row.user_range;
  if (sub && user) {
    const from = rule.length - (user.to - user.from) + (sub.from - user.from);
    const to = from + (sub.to - sub.from);
    if (from >= 0 && to <= rule.length && from < to) {
      span.append(breakable(rule.slice(0, from)), el("mark", { class: "g1", title: "\\1", text: rule.slice(from, to) }), breakable(rule.slice(to)));
      return span;
    }
  }
  span.append(breakable(rule));
  return span;
}

function captureList(captures) {
  if (!Array.isArray(captures) || captures.length < 2) return null;
  const box = el("span", { class: "captures" });
  captures.slice(1).forEach((c, i) => {
    box.append(" ", el("mark", { class: `g${Math.min(i + 1, 4)}`, text: `\\${i + 1}=${c == null ? "(none)" : JSON.stringify(c)}` }));
  });
  return box;
}

// The engine's words for what a rule did (`matched -> carl`, as the CLI prints them).
const outcomeText = (row) => row.outcome_text.replace(" -> ", " → ");

// A row's rule in the editor: its line highlighted, and (cockroach) the pattern and user it
// matched with. A postgres row from an extra file has no rule_range: it stays where it is.
function jumpToRule(row) {
  if (!row.rule_range) return;
  const marks = [{ from: row.rule_range.from, line: true }];
  if (row.matched && row.pattern_range) marks.push({ ...row.pattern_range, class: "cm-match-pattern" });
  if (row.matched && row.user_range) marks.push({ ...row.user_range, class: "cm-match-user" });
  editor.jumpTo(row.rule_range.from, row.rule_range.from);
  editor.setMarks(marks);
}

function traceRows(trace, tbody, { principalKey = "identity", all = false } = {}) {
  tbody.replaceChildren();
  const table = tbody.closest("table");
  if (table) table.hidden = trace.length === 0;
  // the engine's rows as they are, both dialects (postgres rows have the same identity, rule,
  // matched, outcome_text, ranges; rule_range when the line is in the editor's text)
  const rows = trace;
  const list = all || rows.length <= TRACE_FIRST * 1.2 ? rows : rows.filter((row, i) => i < TRACE_FIRST || row.matched);
  // one listener for the table's rows (not two per row)
  const rowOf = (e) => {
    const tr = e.target.closest && e.target.closest("tr[data-index]");
    return tr ? list[Number(tr.dataset.index)] : null;
  };
  tbody.onclick = (e) => {
    const row = rowOf(e);
    if (row) jumpToRule(row);
  };
  tbody.onkeydown = (e) => {
    if (e.key !== "Enter" && e.key !== " ") return;
    const row = rowOf(e);
    if (!row) return;
    e.preventDefault();
    jumpToRule(row);
  };
  const frag = document.createDocumentFragment();
  list.forEach((row, index) => {
    const tr = el("tr", {
      "data-testid": "trace-row",
      "data-line": row.line,
      "data-matched": row.matched ? "true" : "false",
      "data-index": index,
      class: row.matched ? "matched" : "",
      tabindex: "0",
      title: "Show this rule in the editor",
    });
    tr.append(
      el("td", { text: String(row.line) }),
      el("td", {}, highlightedIdentity({ ...row, identity: row[principalKey] ?? row.identity })),
      el("td", {}, highlightedRule(row)),
      el("td", {}, outcomeText(row), row.matched ? captureList(row.captures) : null),
    );
    frag.append(tr);
  });
  const hidden = rows.length - list.length;
  if (hidden > 0) {
    frag.append(
      el(
        "tr",
        { class: "trace-more" },
        el(
          "td",
          { colspan: "4" },
          el("button", {
            type: "button",
            "data-testid": "trace-more",
            text: `Show all ${rows.length} rules tried (${hidden} unmatched not shown)`,
            onclick: () => {
              traceRows(trace, tbody, { principalKey, all: true });
              const first = tbody.querySelector(`tr[data-index="${TRACE_FIRST}"]`);
              if (first) first.focus();
            },
          }),
        ),
      ),
    );
  }
  tbody.append(frag);
}

function renderMap(r) {
  const users = $("result-users");
  const note = $("result-note");
  const tbody = $("trace").querySelector("tbody");
  users.replaceChildren();
  editor.setMarks([]);
  if (!r) {
    show($("map-error"), "");
    note.textContent = ui.dialect.value === "postgres" ? "Enter a map name and a system user." : "Enter an identity (or paste a token).";
    tbody.replaceChildren();
    return;
  }
  if (isFailure(r)) {
    show($("map-error"), r.error);
    note.textContent = "";
    tbody.replaceChildren();
    return;
  }
  show($("map-error"), "");
  if (r.decision) {
    // postgres: allow / deny / unsupported for (map, system user, requested role)
    if (r.decision === "allow" && ui.user.value) users.append(el("li", { "data-testid": "result-user", text: ui.user.value }));
    const parts = [`Decision: ${r.decision}`];
    if (r.reason) parts.push(r.reason);
    if (r.file_loaded === false) parts.push("(PostgreSQL loads no map from this file)");
    const log = r.log.filter(Boolean).join(" ");
    if (log) parts.push(`Server log: ${log}`);
    note.textContent = parts.join(" · ");
    note.className = `pg-decision ${r.decision}`;
    note.dataset.decision = r.decision;
    traceRows(Array.isArray(r.trace) ? r.trace : [], tbody);
    return;
  }
  note.className = "muted";
  delete note.dataset.decision;
  for (const u of r.users || []) users.append(el("li", { "data-testid": "result-user", text: u }));
  const bits = [];
  if (!r.map_found) bits.push(`No rule names the issuer "${ui.issuer.value}".`);
  if (!(r.users || []).length) bits.push("No user: this identity may not log in.");
  if (r.jwt_users && JSON.stringify(r.jwt_users) !== JSON.stringify(r.users))
    bits.push(`As JWT candidates: ${r.jwt_users.join(", ") || "none"}.`);
  if (r.hba_error) bits.push(`CockroachDB would refuse: ${r.hba_error}`);
  note.textContent = bits.join(" ");
  traceRows(Array.isArray(r.trace) ? r.trace : [], tbody);
}

function renderSso(r) {
  const box = $("sso");
  box.hidden = false;
  const decision = $("decision");
  const steps = $("sso-steps");
  steps.replaceChildren();
  $("sso-trace").replaceChildren();
  if (isFailure(r)) {
    decision.className = "decision bad";
    decision.dataset.allowed = "false";
    decision.textContent = r.error;
    $("crdb-error").textContent = "";
    return;
  }
  decision.className = `decision ${r.allowed ? "ok" : "bad"}`;
  decision.dataset.allowed = String(!!r.allowed);
  decision.dataset.failedStep = r.failed_step || "";
  decision.textContent = `${r.allowed ? "ALLOWED" : "DENIED"}: ${r.reason}`;
  for (const s of r.steps || []) {
    steps.append(
      el(
        "li",
        { class: `step ${s.status}`, "data-testid": "sso-step", "data-step": s.step, "data-status": s.status },
        el("span", { class: "badge", text: s.status === "passed" ? "ok" : s.status === "failed" ? "FAIL" : s.status.replace("_", " ") }),
        " ",
        el("strong", { text: s.step }),
        " ",
        s.detail,
      ),
    );
  }
  $("crdb-error").textContent = r.crdb_error
    ? `CockroachDB would answer: ${r.crdb_error}`
    : r.allowed
      ? ""
      : "CockroachDB's own error is not knowable offline here.";
  const principals = (r.principals || []).filter((p) => typeof p === "string");
  if (adoptRestoredIdentities) {
    adoptRestoredIdentities = false;
    if (JSON.stringify(currentIdentities()) === JSON.stringify(principals)) filledIdentities = principals;
  }
  if (identitiesFromToken && principals.length) {
    identitiesFromToken = false;
    filledIdentities = principals;
    if (JSON.stringify(currentIdentities()) !== JSON.stringify(principals)) {
      ui.identity.value = principals[0];
      extraIdentities = principals.slice(1);
      renderExtraIdentities();
      update();
    }
  }
  const extra = $("sso-trace");
  if ((r.principals || []).length) extra.append(el("p", { text: `Principals from the claim: ${r.principals.map((p) => JSON.stringify(p)).join(", ")}` }));
  if ((r.candidates || []).length) extra.append(el("p", { text: `Candidates: ${r.candidates.join(", ")}` }));
  if ((r.trace || []).length) {
    const t = el("table", { class: "trace", "data-testid": "sso-trace-table" });
    t.append(
      el("caption", { text: "Map rules tried for the token's principals" }),
      el("thead", {}, el("tr", {}, ...["Line", "Principal", "Rule", "Outcome"].map((h) => el("th", { scope: "col", text: h })))),
    );
    const tb = el("tbody");
    traceRows(r.trace, tb, { principalKey: "principal" });
    t.append(tb);
    extra.append(t);
  }
  if ((r.claims_present || []).length) extra.append(el("p", { class: "muted", text: `Claims present: ${r.claims_present.join(", ")}` }));
  for (const n of r.notes || []) extra.append(el("p", { class: "muted", text: `Note: ${n}` }));
}

function renderLint(r) {
  const list = $("diagnostics");
  const summary = $("diagnostics-summary");
  list.replaceChildren();
  if (isFailure(r)) {
    summary.textContent = "";
    list.append(el("li", { class: "error", text: `The linter could not run: ${r.error}` }));
    editor.setDiagnostics([]);
    return;
  }
  const diags = r.diagnostics || [];
  const s = r.summary;
  summary.textContent = s ? `(${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info)` : "";
  const cm = [];
  for (const d of diags) {
    const fix = d.fix && Array.isArray(d.fix.edits) && d.fix.edits.length ? d.fix : null;
    const apply = fix ? () => applyFix(fix) : null;
    if (d.main) {
      cm.push({
        from: d.from,
        to: d.to,
        severity: d.severity,
        source: d.code,
        message: d.message,
        renderMessage: () => diagnosticBody(d, false),
        actions: fix ? [{ name: `Fix: ${fix.description || "apply"}`, apply: () => apply() }] : [],
      });
    }
    const item = el("li", {
      class: `diagnostic ${d.severity}`,
      "data-testid": "diagnostic",
      "data-code": d.code,
      "data-severity": d.severity,
      "data-line": d.line,
    });
    const where = `${d.main ? "" : `${d.file}:`}${d.line}:${d.column}`;
    item.append(
      el("button", {
        type: "button",
        class: "where",
        text: where,
        "aria-label": `Go to ${d.code} at ${where}`,
        onclick: () => {
          if (d.main) editor.jumpTo(d.from, d.to);
          else focusFile(d.file, d.from, d.to);
        },
      }),
      diagnosticBody(d, true),
    );
    if (fix) {
      item.append(
        el("button", {
          type: "button",
          class: "fix",
          "data-testid": "diagnostic-fix",
          text: `Fix: ${fix.description || "apply"}`,
          onclick: () => apply(),
        }),
      );
    }
    list.append(item);
  }
  if (!diags.length) list.append(el("li", { class: "none", text: "No findings." }));
  editor.setDiagnostics(cm);
}

// A finding in an extra file (postgres include / @file): select its range in that file's box.
function focusFile(name, from, to) {
  const i = files.findIndex((f) => f.name === name);
  if (i < 0) return;
  const t = document.getElementById(`file-text-${i}`);
  t.focus();
  t.setSelectionRange(from, to);
}

// The engine's messages quote code between backticks: show those parts as code.
function richText(text) {
  const frag = document.createDocumentFragment();
  String(text)
    .split(/`([^`]*)`/)
    .forEach((part, i) => frag.append(i % 2 ? el("code", { text: part }) : part));
  return frag;
}

function diagnosticBody(d, inList) {
  const box = el("div", { class: "diag-body" });
  box.append(
    el("span", { class: `sev ${d.severity}`, text: d.severity }),
    " ",
    el("strong", { class: "code", text: d.code }),
    d.name ? el("span", { class: "name", text: ` ${d.name}` }) : null,
    ": ",
    richText(d.message),
  );
  for (const l of d.labels || []) {
    if (l.message && l.message !== d.message) box.append(el("div", { class: "label" }, "↳ ", richText(l.message)));
  }
  if (d.help) box.append(el("div", { class: "help" }, "help: ", richText(d.help)));
  if (d.url && /^[A-Z]+[0-9]+$/.test(d.code)) {
    // the rule's page ships with the playground (rules/<CODE>.md, same origin, works offline): a
    // click shows it in a dialog; a middle or modified click opens the text in a new tab
    const href = ruleHref(d.code);
    box.append(
      el("a", {
        href,
        target: "_blank",
        rel: "noopener noreferrer",
        "data-testid": "rule-link",
        text: `About ${d.code}`,
        onclick: (e) => {
          if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
          e.preventDefault();
          showRule(d.code, e.currentTarget);
        },
      }),
    );
  }
  return box;
}

const ruleHref = (code) => `rules/${code}.md`;

// The rule's page (markdown) as preformatted text in a modal dialog: Escape or Close closes it and
// the focus returns to the link.
const ruleDialog = $("rule-dialog");
let ruleOpener = null;
async function showRule(code, opener) {
  ruleOpener = opener;
  const text = $("rule-dialog-text");
  $("rule-dialog-title").textContent = `${code}`;
  $("rule-dialog-open").href = ruleHref(code);
  text.textContent = "Loading…";
  if (!ruleDialog.open) ruleDialog.showModal();
  $("rule-dialog-close").focus();
  try {
    const res = await fetch(ruleHref(code));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const md = await res.text();
    if ($("rule-dialog-title").textContent !== code) return; // another rule was opened meanwhile
    const title = /^#\s+(.+)$/m.exec(md);
    if (title) $("rule-dialog-title").textContent = title[1].trim();
    text.textContent = md;
  } catch (e) {
    text.textContent = `This build of the playground has no page for ${code} (${e.message}).`;
  }
}
$("rule-dialog-close").addEventListener("click", () => ruleDialog.close());
ruleDialog.addEventListener("close", () => {
  if (ruleOpener && ruleOpener.isConnected) ruleOpener.focus();
  ruleOpener = null;
});

function applyFix(fix) {
  const main = fix.edits.filter((e) => e.file === "identity_map" || e.file === "pg_ident.conf");
  const byFile = new Map();
  for (const e of fix.edits) {
    if (main.includes(e)) continue;
    if (!byFile.has(e.file)) byFile.set(e.file, []);
    byFile.get(e.file).push(e);
  }
  for (const [name, edits] of byFile) {
    const f = files.find((x) => x.name === name);
    if (!f) continue;
    edits.sort((a, b) => b.from - a.from);
    for (const e of edits) f.text = f.text.slice(0, e.from) + e.replacement + f.text.slice(e.to);
  }
  if (byFile.size) renderFiles();
  if (main.length) editor.applyEdits(main);
  else update();
}

// --- batch ------------------------------------------------------------------------------------

let batchRows = [];
let batchShown = 0;

function renderBatch(r) {
  const tbody = $("batch-table").querySelector("tbody");
  const summary = $("batch-summary");
  const more = $("batch-more");
  if (!r) {
    tbody.replaceChildren();
    summary.textContent = "";
    show($("batch-error"), "");
    more.hidden = true;
    batchRows = [];
    return;
  }
  if (isFailure(r)) {
    show($("batch-error"), r.error);
    summary.textContent = "";
    tbody.replaceChildren();
    more.hidden = true;
    return;
  }
  show($("batch-error"), "");
  batchRows = r.rows || [];
  summary.textContent = `${r.total} identities: ${r.unmapped} map to no user, ${r.multiple} to several users.`;
  summary.dataset.total = r.total;
  summary.dataset.unmapped = r.unmapped;
  summary.dataset.multiple = r.multiple;
  tbody.replaceChildren();
  batchShown = 0;
  showMoreBatch();
}

function showMoreBatch() {
  const tbody = $("batch-table").querySelector("tbody");
  const end = Math.min(batchRows.length, batchShown + BATCH_PAGE);
  const frag = document.createDocumentFragment();
  for (let i = batchShown; i < end; i++) {
    const row = batchRows[i];
    const users = row.users || [];
    const cls = users.length === 0 ? "unmapped" : users.length > 1 ? "multiple" : "";
    const tr = document.createElement("tr");
    tr.className = cls;
    tr.setAttribute("data-testid", "batch-row");
    const a = document.createElement("td");
    a.textContent = row.line;
    const b = document.createElement("td");
    b.textContent = row.issuer && row.issuer !== ui.issuer.value ? `${row.issuer}  ${row.identity}` : row.identity;
    const c = document.createElement("td");
    c.textContent = users.length ? users.join(", ") : "—";
    tr.append(a, b, c);
    frag.append(tr);
  }
  tbody.append(frag);
  batchShown = end;
  const more = $("batch-more");
  more.hidden = batchShown >= batchRows.length;
  more.textContent = `Show ${Math.min(BATCH_PAGE, batchRows.length - batchShown)} more (${batchShown} of ${batchRows.length} shown)`;
}

$("batch-more").addEventListener("click", showMoreBatch);

// --- examples and sharing ---------------------------------------------------------------------

const exampleSelect = $("example-select");
for (const ex of EXAMPLES) exampleSelect.append(el("option", { value: ex.id, text: ex.title }));
exampleSelect.addEventListener("change", () => {
  const ex = EXAMPLES.find((e) => e.id === exampleSelect.value);
  if (ex) applyState(ex.state);
  exampleSelect.value = ""; // the same example can be chosen again
  $("engine-status").textContent = ex ? `Loaded the example: ${ex.title}` : $("engine-status").textContent;
});

$("share-button").addEventListener("click", async () => {
  try {
    const fragment = await encodeState(collect({ withToken: ui.shareToken.checked }));
    const url = location.href.split("#")[0] + fragment;
    $("share-link").value = url;
    history.replaceState(null, "", fragment);
    $("share-copy").disabled = false;
    show($("share-error"), "");
  } catch (e) {
    show($("share-error"), `The link could not be made: ${e.message}`);
  }
});

$("share-copy").addEventListener("click", async () => {
  const input = $("share-link");
  try {
    await navigator.clipboard.writeText(input.value);
    $("share-copy").textContent = "Copied";
    setTimeout(() => ($("share-copy").textContent = "Copy"), 1500);
  } catch {
    input.select();
  }
});

async function restoreFromHash({ fallback = false } = {}) {
  try {
    const s = await decodeState(location.hash);
    if (s) {
      show($("share-error"), "");
      applyState(s);
      return true;
    }
  } catch (e) {
    // a damaged or truncated link: say what is wrong with it (never a network error: nothing is
    // fetched), and keep the page usable
    const then = fallback ? "Showing the default example instead." : "The page is unchanged.";
    show($("share-error"), `This share link does not open: ${e.message}. ${then}`);
  }
  return false;
}

window.addEventListener("hashchange", () => restoreFromHash());

async function start() {
  if (!(await restoreFromHash({ fallback: true }))) applyState(EXAMPLES[0].state);
}

onDialect();
