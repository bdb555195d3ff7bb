// The rules editor: CodeMirror 6 with line numbers, light syntax colouring for both dialects,
// the engine's findings through @codemirror/lint, and the trace's highlights.

import { EditorState, Compartment, StateEffect, StateField, RangeSetBuilder } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  drawSelection,
  Decoration,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { classHighlighter, tagHighlighter, Tag } from "@lezer/highlight";
import { setDiagnostics, lintGutter, lintKeymap } from "@codemirror/lint";

// --- syntax colouring -------------------------------------------------------------------------

// The `\1` the database substitutes: its own tag, coloured by editor.css's `.tok-escape`.
const substitution = Tag.define();
const substitutionClass = tagHighlighter([{ tag: substitution, class: "tok-escape" }]);

// One line is `<issuer or map name> <identity pattern> <database user>`; `#` starts a comment.
// The tokenizer only colours; the engine decides what a line means.
function mapLanguage(postgres) {
  return StreamLanguage.define({
    name: postgres ? "pg_ident" : "identity_map",
    startState: () => ({ field: 0, regex: false, substituted: false }),
    copyState: (s) => ({ ...s }),
    tokenTable: { substitution },
    token(stream, state) {
      if (stream.sol()) {
        state.field = 0;
        state.regex = false;
        state.substituted = false;
      }
      if (stream.eatSpace()) return null;
      if (stream.peek() === "#") {
        stream.skipToEnd();
        return "comment";
      }
      const field = state.field;
      if (postgres && field === 0 && stream.match(/^include(?:_if_exists|_dir)?(?=\s|$)/)) {
        state.field = 10;
        return "keyword";
      }
      if (postgres && state.field >= 10) {
        stream.match(/^\S+/);
        return "link";
      }
      state.field = field + 1;
      if (postgres && stream.peek() === "@") {
        stream.match(/^@\S+/);
        return "link";
      }
      if (postgres && stream.peek() === '"') {
        stream.next();
        while (!stream.eol()) {
          const c = stream.next();
          if (c === '"') {
            if (stream.peek() === '"') stream.next();
            else break;
          }
        }
        state.regex = field === 1 && stream.current().startsWith('"/');
        return state.regex ? "regexp" : "string";
      }
      if (field === 0) {
        stream.match(/^\S+/);
        return "namespace";
      }
      if (field === 1) {
        state.regex = stream.peek() === "/";
        stream.match(/^\S+/);
        return state.regex ? "regexp" : "string";
      }
      if (field === 2) {
        // the user: the database substitutes its first `\1` only (CockroachDB reads it in any rule
        // and rejects it without a capture; PostgreSQL after a regex); `\2`… are literal text
        state.field = 2;
        if (!state.substituted && (state.regex || !postgres) && stream.match(/^\\1/)) {
          state.substituted = true;
          return "substitution";
        }
        if (stream.match(/^\+/)) return "operator";
        stream.match(/^(?:[^\s\\]|\\(?!1))+/) || stream.next();
        return "variableName";
      }
      stream.match(/^\S+/);
      return "invalid";
    },
    languageData: { commentTokens: { line: "#" } },
  });
}

// --- highlights of the trace (the rule clicked, the matched part) ----------------------------

const setMarks = StateEffect.define();

const marksField = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    value = value.map(tr.changes);
    for (const e of tr.effects) if (e.is(setMarks)) value = e.value;
    if (tr.docChanged) value = Decoration.none;
    return value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const ruleLine = Decoration.line({ class: "cm-rule-focus" });

function marksFor(state, marks) {
  const b = new RangeSetBuilder();
  const len = state.doc.length;
  const items = [];
  for (const m of marks) {
    const from = Math.max(0, Math.min(len, m.from));
    const to = Math.max(from, Math.min(len, m.to));
    if (m.line) items.push({ from: state.doc.lineAt(from).from, to: state.doc.lineAt(from).from, deco: ruleLine });
    else if (to > from) items.push({ from, to, deco: Decoration.mark({ class: m.class }) });
  }
  items.sort((a, b2) => a.from - b2.from || (a.deco === ruleLine ? -1 : 1));
  for (const it of items) b.add(it.from, it.to, it.deco);
  return b.finish();
}

// --- the editor -------------------------------------------------------------------------------

// The editor lives in a shadow root: there CodeMirror's styles go into a constructed stylesheet
// (adoptedStyleSheets) instead of a <style> element, so the page's Content-Security-Policy can
// stay `style-src 'self'`. Its own stylesheet (editor.css) is linked inside the shadow root.
export function createEditor(host, { doc, dialect, label, onChange }) {
  const language = new Compartment();
  const shadow = host.attachShadow({ mode: "open" });
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("./editor.css", document.baseURI).href;
  const parent = document.createElement("div");
  parent.className = "editor-root";
  shadow.append(link, parent);
  const view = new EditorView({
    root: shadow,
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        lintGutter(),
        marksField,
        language.of(mapLanguage(dialect === "postgres")),
        syntaxHighlighting(classHighlighter),
        syntaxHighlighting(substitutionClass),
        // no Tab binding: Tab leaves the editor, so the keyboard path through the page stays whole
        keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({
          "aria-label": label,
          "aria-multiline": "true",
          role: "textbox",
          spellcheck: "false",
          autocapitalize: "off",
          autocorrect: "off",
        }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });

  return {
    view,
    get text() {
      return view.state.doc.toString();
    },
    set text(t) {
      if (t !== view.state.doc.toString()) {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } });
      }
    },
    setDialect(d) {
      view.dispatch({ effects: language.reconfigure(mapLanguage(d === "postgres")) });
    },
    // diagnostics: [{from, to, severity, message, source, renderMessage, actions}]
    setDiagnostics(diagnostics) {
      const len = view.state.doc.length;
      const clamped = diagnostics.map((d) => {
        const from = Math.max(0, Math.min(len, d.from));
        return { ...d, from, to: Math.max(from, Math.min(len, d.to)) };
      });
      view.dispatch(setDiagnostics(view.state, clamped));
    },
    // marks: [{from, to, class} | {from, line: true}]
    setMarks(marks) {
      view.dispatch({ effects: setMarks.of(marksFor(view.state, marks)) });
    },
    jumpTo(from, to = from) {
      const len = view.state.doc.length;
      const a = Math.max(0, Math.min(len, from));
      const b = Math.max(a, Math.min(len, to));
      view.dispatch({ selection: { anchor: a, head: b }, scrollIntoView: true });
      view.focus();
    },
    applyEdits(edits) {
      view.dispatch({
        changes: edits.map((e) => ({ from: e.from, to: e.to, insert: e.replacement })),
      });
    },
  };
}
