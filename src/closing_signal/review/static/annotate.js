"use strict";
// Keys: 1/2/3 label, u undo, s skip. Key presses are handled one after another (a chain of promises),
// so typing fast never answers the wrong closing. Text is put in the page as text, never as HTML.
const LABELS = { "1": "interest", "2": "ambiguous", "3": "disinterest" };
const $ = (id) => document.getElementById(id);
let current = null;
let chain = Promise.resolve();

async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.error || `${r.status} ${r.statusText}`);
  return data;
}

function marked(text, evidence) {
  const frag = document.createDocumentFragment();
  const spans = (evidence || []).filter((e) => e.cue && 0 <= e.start && e.start < e.end && e.end <= text.length)
    .sort((a, b) => a.start - b.start);
  let at = 0;
  for (const e of spans) {
    if (e.start < at) continue;  // overlapping spans: keep the first
    frag.append(text.slice(at, e.start));
    const m = document.createElement("mark");
    m.textContent = text.slice(e.start, e.end);
    m.title = e.cue;
    frag.append(m);
    at = e.end;
  }
  frag.append(text.slice(at));
  return frag;
}

function show(state) {
  const p = state.progress;
  current = state.item;
  $("fill").style.width = `${p.total ? (100 * p.done) / p.total : 100}%`;
  $("bar").setAttribute("aria-valuemax", p.total);
  $("bar").setAttribute("aria-valuenow", p.done);
  $("progress").textContent = `${p.done} of ${p.total} answered (${p.skipped} skipped) — saved in ${p.file}`;
  document.body.dataset.done = p.done;
  document.body.classList.toggle("done", !current);
  $("text").replaceChildren();
  if (!current) {
    $("text").textContent = "All done. Retrain with: closing-signal train --base --add " + p.file + " --out DIR";
    $("guess").textContent = "";
    $("context").textContent = "";
    return;
  }
  $("text").append(marked(current.text, current.evidence));
  $("context").textContent = current.context ? `just before: ${current.context}` : "";
  const probs = current.probabilities || {};
  $("guess").textContent = current.guess ? `model's guess: ${current.guess} (` +
    Object.entries(probs).map(([k, v]) => `${k} ${Number(v).toFixed(2)}`).join(", ") + ")" : "";
  $("status").textContent = "";
}

function act(key) {
  if (key === "u") return call("POST", "/api/undo").then(show);
  if (!current) return Promise.resolve();
  if (key === "s") return call("POST", "/api/skip", { id: current.id }).then(show);
  return call("POST", "/api/label", { id: current.id, label: LABELS[key] }).then(show);
}

function press(key) {
  // on an error (say, the item was answered in another tab) the page reloads the state, then shows why
  chain = chain.then(() => act(key)).catch((err) => call("GET", "/api/next").then(show).catch(() => {})
    .then(() => { $("status").textContent = err.message; }));
}

document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.repeat) return;
  const key = ev.key.toLowerCase();
  if (key in LABELS || key === "u" || key === "s") {
    ev.preventDefault();
    press(key);
  }
});
for (const b of document.querySelectorAll("button[data-key]")) b.addEventListener("click", () => press(b.dataset.key));
chain = call("GET", "/api/next").then(show).catch((err) => { $("status").textContent = err.message; });
