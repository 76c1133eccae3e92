// The learner's lesson progress, kept in this browser (localStorage: it survives reloads and server
// restarts, and the server stores nothing), and a lesson's live checks.
// Python sends its state as one JSON text (data.state): the storage key, whether it has the browser's
// progress yet ("loaded"), its own progress to merge in ("save"), a reset to apply once, and in
// "checks" mode the lesson's checks and the channel its live frames come through.
// Stored: { v: 1, lessons: { id: { opened, answers: { question: choice }, ticks: [check ids] } }, resets: [] }

function emptyStore() { return { v: 1, lessons: {}, resets: [] }; }

function readStore(key) {
  try {
    const s = JSON.parse(window.localStorage.getItem(key) || "null");
    if (s && typeof s === "object" && s.lessons && typeof s.lessons === "object") {
      if (!Array.isArray(s.resets)) s.resets = [];
      return s;
    }
  } catch (err) { /* unreadable or blocked storage: start empty */ }
  return emptyStore();
}

function writeStore(key, s) {
  try { window.localStorage.setItem(key, JSON.stringify(s)); } catch (err) { /* private mode, full: keep going */ }
}

function lessonOf(s, id) {
  const l = s.lessons[id] || (s.lessons[id] = {});
  if (!l.answers || typeof l.answers !== "object") l.answers = {};
  if (!Array.isArray(l.ticks)) l.ticks = [];
  return l;
}

// Union: an answer once given stays (predict first: it is not changed afterwards), a tick stays.
function mergeInto(s, progress) {
  for (const [id, p] of Object.entries(progress || {})) {
    if (!p || typeof p !== "object") continue;
    const l = lessonOf(s, id);
    if (p.opened) l.opened = 1;
    for (const [q, a] of Object.entries(p.answers || {})) if (!(q in l.answers)) l.answers[q] = a;
    for (const t of p.ticks || []) if (!l.ticks.includes(t)) l.ticks.push(t);
  }
}

function applyReset(s, reset) {
  if (!reset || s.resets.includes(reset.nonce)) return;
  if (reset.lesson === "*") s.lessons = {};
  else delete s.lessons[reset.lesson];
  s.resets = s.resets.concat([reset.nonce]).slice(-20);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function isDone(st) {
  const d = st.d, l = st.store.lessons[d.lesson];
  if (!l) return false;
  return d.checks.every((c) => l.ticks.includes(c.id)) && Object.keys(l.answers).length >= d.questions;
}

function render(st) {
  const d = st.d, root = st.root, frame = st.frame && st.frame.lesson === d.lesson ? st.frame : null;
  const l = lessonOf(st.store, d.lesson);
  const byId = {};
  for (const r of (frame ? frame.checks : [])) byId[r.id] = r;
  root.classList.toggle("large", !!d.large);
  const done = isDone(st);
  const head = el("div", "head");
  head.append(el("span", "title", "Checks"));
  if (done) head.append(el("span", "done", "✓ Done: lesson complete"));
  const list = el("ol", "checks");
  for (const c of d.checks) {
    const r = byId[c.id], ticked = l.ticks.includes(c.id);
    const li = el("li", ticked ? "ticked" : r && r.met ? "met" : "open");
    li.dataset.check = c.id;
    li.append(el("span", "mark", ticked ? "✓" : "○"));
    const body = el("div", "body");
    body.append(el("div", "text", c.text));
    if (r) {
      for (const p of r.parts) {
        const line = el("div", "part " + (p.ok ? "ok" : "no"));
        line.append(el("span", "label", p.label + " "), el("b", "value", p.value), el("span", "arrow", " → "),
          el("span", "target", p.target));
        body.append(line);
      }
      if (r.note) body.append(el("div", "note", r.note));
    }
    li.append(body);
    list.append(li);
  }
  const parts = [head];
  if (frame && frame.error) parts.push(el("div", "lock", frame.error));
  else if (frame && frame.locked) parts.push(el("div", "lock", "Answer the prediction first: the checks count after it."));
  parts.push(list);
  root.replaceChildren(...parts);
  root.setAttribute("aria-label", done ? "Checks: lesson complete" : "Checks");
}

function onFrame(st, frame) {
  st.frame = frame;
  if (frame.lesson === st.d.lesson && !frame.locked && Array.isArray(frame.ticks)) {
    const s = readStore(st.d.key);          // another tab may have written meanwhile
    mergeInto(s, { [frame.lesson]: { ticks: frame.ticks } });
    writeStore(st.d.key, s);
    st.store = s;
  }
  render(st);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const d = JSON.parse(data.state);
  const store = readStore(d.key);
  applyReset(store, d.reset);
  mergeInto(store, d.save);
  writeStore(d.key, store);
  const root = mountRoot(parentElement, "lsn", "");
  const st = root.__state || (root.__state = { root });
  st.d = d;
  st.store = store;
  if (!d.loaded && !st.sent) { st.sent = true; setTriggerValue("progress", JSON.stringify(store)); }
  if (d.mode === "checks") {
    render(st);
    st.channel = d.channel;
    if (!st.timer) pollChannel(st, (frame) => onFrame(st, frame));
  } else {
    root.replaceChildren();
  }
  return () => { st.timer = null; };
}
