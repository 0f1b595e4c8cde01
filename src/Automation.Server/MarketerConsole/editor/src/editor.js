// The console editor: CodeMirror 6 over the draft's text. JSON files get the rules folder's JSON Schema (completion,
// hover, validation as you type); every file is also checked by the server, as `automation validate` checks it, on
// each pause in typing. The draft is saved to the server on each pause and kept in this browser's localStorage, so a
// session that ended (or a server that could not be reached) loses nothing: the next visit restores and saves it.
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";
import { jsonSchema } from "codemirror-json-schema";

const PAUSE_MS = 600;

const app = document.getElementById("editor-app");
if (app) start(app);

async function start(app) {
  const path = app.dataset.path;
  const kind = app.dataset.kind;
  const storageKey = `automation-draft:${app.dataset.user}:${path}`;
  const token = document.querySelector("input[name=__RequestVerificationToken]")?.value ?? "";
  const source = document.getElementById("draft-source");
  const status = document.getElementById("save-status");
  let revision = Number(app.dataset.revision);
  let serverDiagnostics = [];
  let conflict = false;
  // One check at a time (a check compiles every journey): typing during one asks for another once it is back.
  let checking = false;
  let checkAgain = false;

  // A draft this browser kept but could not save (the session ended, the server was away) wins over the page's.
  const kept = readKept();
  const initial = kept && kept.unsaved && kept.content !== source.value ? kept.content : source.value;
  if (kept && kept.unsaved && kept.revision > revision) revision = kept.revision;

  const extensions = [basicSetup, lintGutter(), linter(() => serverDiagnostics, { delay: 0 }), EditorView.updateListener.of(u => { if (u.docChanged) changed(); })];
  if (kind !== "template") {
    // Completion, hover and validation follow the rules folder's own schema, as the server's readers do.
    const schema = app.dataset.schema ? await loadSchema(app.dataset.schema) : null;
    extensions.push(schema ? jsonSchema(schema) : [json(), linter(jsonParseLinter())]);
  }
  const view = new EditorView({ state: EditorState.create({ doc: initial, extensions }), parent: document.getElementById("editor") });
  source.hidden = true;
  app.dataset.ready = "true";

  let timer = null;
  function changed() {
    keep(true);
    clearTimeout(timer);
    timer = setTimeout(() => { save(); validate(); }, PAUSE_MS);
  }
  if (initial !== source.value) { setStatus("Restored your unsaved draft from this browser."); save(); }
  validate();

  async function loadSchema(url) {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      return response.ok ? await response.json() : null;
    } catch { return null; }
  }

  function readKept() {
    try { return JSON.parse(localStorage.getItem(storageKey) ?? "null"); } catch { return null; }
  }
  function keep(unsaved) {
    localStorage.setItem(storageKey, JSON.stringify({ content: view.state.doc.toString(), revision, unsaved }));
  }
  function setStatus(text) { status.textContent = text; }

  async function post(handler, body) {
    const response = await fetch(`/console/editor?handler=${handler}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "RequestVerificationToken": token },
      body: JSON.stringify({ path, content: view.state.doc.toString(), revision, baseHash: app.dataset.baseHash, ...body }),
    });
    if (response.redirected && response.url.includes("/console/login")) throw new SignedOut();
    return response;
  }

  async function save() {
    if (conflict) return;
    const content = view.state.doc.toString();
    try {
      const response = await post("Save", {});
      if (response.status === 409) {
        conflict = true;
        setStatus((await response.json()).title);
        return;
      }
      if (!response.ok) { setStatus(`Not saved: the server answered ${response.status}. Your draft is kept in this browser.`); return; }
      const saved = await response.json();
      revision = saved.revision;
      const discard = document.querySelector("form.discard input[name=revision]");
      if (discard) discard.value = revision;
      // Only what was sent is saved: keep typing marked unsaved.
      keep(view.state.doc.toString() !== content);
      setStatus(`Draft saved (revision ${revision}).`);
    } catch (e) {
      setStatus(e instanceof SignedOut
        ? "Your session ended: sign in again (in this tab or another) and reopen this file; your draft is kept in this browser and will be restored."
        : "Not saved: the server could not be reached. Your draft is kept in this browser.");
    }
  }

  async function validate() {
    if (checking) { checkAgain = true; return; }
    checking = true;
    try {
      const content = view.state.doc.toString();
      const response = await post("Validate", {});
      if (!response.ok) return;
      const checked = await response.json();
      if (view.state.doc.toString() !== content) return; // the text moved on: its own check follows
      serverDiagnostics = checked.problems.map(p => diagnostic(view.state.doc, p));
      forceLinting(view);
      showProblems(checked);
    } catch {
      // Signed out or unreachable: save() tells the user; the check runs again on the next pause.
    } finally {
      checking = false;
      if (checkAgain) { checkAgain = false; validate(); }
    }
  }

  function diagnostic(doc, problem) {
    const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
    const from = problem.column ? Math.min(line.from + problem.column - 1, line.to) : line.from;
    return { from, to: line.to, severity: "error", source: "validate", message: problem.message };
  }

  function showProblems(checked) {
    const list = document.getElementById("problems");
    const elsewhere = document.getElementById("problems-elsewhere");
    list.replaceChildren(...checked.problems.map(p => item(`${p.file}:${p.line}${p.column ? `:${p.column}` : ""}: ${p.message}`, p.line)));
    elsewhere.replaceChildren(...checked.elsewhere.map(p => item(`${p.file}:${p.line}: ${p.message}`)));
    document.getElementById("problems-elsewhere-heading").hidden = checked.elsewhere.length === 0;
    document.getElementById("problems-summary").textContent = checked.problems.length === 0
      ? `No problems in this file.${checked.elsewhere.length ? ` ${checked.elsewhere.length} in other files (below).` : ""}`
      : `${checked.problems.length} problem(s) in this file: publishing is refused until they are fixed.`;
  }

  function item(text, line) {
    const li = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = text;
    li.append(code);
    if (line) {
      li.dataset.line = line;
      li.addEventListener("click", () => {
        const at = view.state.doc.line(Math.min(line, view.state.doc.lines)).from;
        view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
        view.focus();
      });
    }
    return li;
  }

  document.getElementById("publish-run")?.addEventListener("click", async () => {
    const output = document.getElementById("publish-status");
    output.textContent = "Saving and checking…";
    await save();
    const response = await post("Publish", { message: value("publish-message"), applyToRunning: document.getElementById("publish-apply")?.checked ?? false }).catch(() => null);
    if (!response) { output.textContent = "Not published: sign in again if your session ended."; return; }
    if (response.status === 422) {
      const checked = await response.json();
      showProblems(checked);
      output.textContent = "Not published: fix the problems listed above first.";
      return;
    }
    if (!response.ok) { output.textContent = `Not published: ${(await response.json().catch(() => ({}))).title ?? `the server answered ${response.status}`}`; return; }
    const published = await response.json();
    localStorage.removeItem(storageKey);
    output.textContent = published.changed.length ? `Published as version ${published.version}.` : `Nothing changed: version ${published.version} already holds this.`;
    window.location.assign(`/console/editor?path=${encodeURIComponent(path)}&published=${published.version}`);
  });

  document.getElementById("preview-run")?.addEventListener("click", async () => {
    const output = document.getElementById("preview-output");
    output.textContent = "Rendering…";
    const response = await post("Preview", { customer: value("preview-customer"), locale: value("preview-locale") }).catch(() => null);
    if (!response || !response.ok) { output.textContent = "The preview failed: sign in again if your session ended."; return; }
    const preview = await response.json();
    if (preview.error) { output.replaceChildren(paragraph(preview.error, "error")); return; }
    output.replaceChildren(paragraph(`Rendered for ${preview.renderedFor}.`, "note"), ...preview.previews.map(renderPreview));
  });

  document.getElementById("simulate-run")?.addEventListener("click", async () => {
    const output = document.getElementById("simulate-output");
    output.textContent = "Simulating…";
    const response = await post("Simulate", { customer: value("simulate-customer"), events: value("simulate-events"), days: value("simulate-days") }).catch(() => null);
    if (!response || !response.ok) { output.textContent = "The simulation failed: sign in again if your session ended."; return; }
    const simulated = await response.json();
    if (simulated.errors.length) { output.replaceChildren(...simulated.errors.map(e => paragraph(e, "error"))); return; }
    const pre = document.createElement("pre");
    pre.className = "timeline";
    pre.textContent = [simulated.result.heading, ...simulated.result.lines].join("\n");
    output.replaceChildren(pre, ...simulated.result.warnings.map(w => paragraph(w, "note")));
  });

  function renderPreview(p) {
    const section = document.createElement("section");
    section.className = "preview";
    const heading = document.createElement("h3");
    heading.textContent = `${p.step} · ${p.channel}${p.variant ? ` · variant ${p.variant}` : ""}`;
    section.append(heading);
    if (p.error) { section.append(paragraph(p.error, "error")); return section; }
    if (p.templateFile) section.append(paragraph(`Template ${p.templateFile}`, "note"));
    if (p.subject !== null) section.append(paragraph(`Subject: ${p.subject}`, "subject"));
    if (p.html !== null) {
      // Sandboxed with no permissions at all, as on the Preview page: the email's markup runs nothing.
      const frame = document.createElement("iframe");
      frame.className = "email";
      frame.setAttribute("sandbox", "");
      frame.title = `HTML part of ${p.step}`;
      frame.srcdoc = p.html;
      section.append(frame);
    }
    const text = document.createElement("pre");
    text.className = "text-part";
    text.textContent = p.text ?? "";
    section.append(text);
    return section;
  }

  function paragraph(text, className) {
    const p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function value(id) { return document.getElementById(id)?.value ?? ""; }
}

class SignedOut extends Error {}
