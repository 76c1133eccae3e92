// Helpers shared by the canvas components (ui/canvas.py puts this file in front of each).

// The component's root element, created once and kept across reruns.
function mountRoot(parentElement, className, html) {
  let root = parentElement.querySelector(`.${className}`);
  if (!root) {
    root = document.createElement("div");
    root.className = className;
    root.innerHTML = html;
    parentElement.appendChild(root);
  }
  return root;
}

// Frames arrive through a hidden text element (the "channel"), not through the
// component's own data: a component whose data changes is remounted by Streamlit,
// while a text element updates in place many times a second. onFrame(parsed) runs
// for each new text, in the next animation frame after the element changed (a
// MutationObserver: a requestAnimationFrame loop that polled kept Chrome producing
// 60 frames a second, each costing layer updates, whether a frame had come or not).
// A short watch re-attaches when Streamlit replaces the element; it ends once the
// component's cleanup clears st.timer.
function pollChannel(st, onFrame) {
  let box = null, observer = null, pending = 0;
  const read = () => {
    pending = 0; st.readAt = performance.now();
    const text = box ? box.textContent : "";
    if (text && text !== st.lastText) {
      try { onFrame(JSON.parse(text)); st.lastText = text; } catch (err) { /* partial frame */ }
    }
  };
  // With prefers-reduced-motion a canvas draws at most REDUCED_FPS frames a second (the newest one).
  const soon = () => {
    if (pending) return;
    const wait = reducedMotion() ? (st.readAt || 0) + 1000 / REDUCED_FPS - performance.now() : 0;
    pending = wait > 0 ? setTimeout(() => requestAnimationFrame(read), wait) : requestAnimationFrame(read);
  };
  const token = {};
  const watch = () => {
    if (st.timer !== token) { if (observer) observer.disconnect(); return; }
    const now = document.querySelector(`.st-key-${st.channel}`);
    if (now !== box) {
      if (observer) observer.disconnect();
      box = now; observer = null;
      if (box) {
        observer = new MutationObserver(soon);
        observer.observe(box, { subtree: true, childList: true, characterData: true });
        soon();
      }
    }
    setTimeout(watch, 60);         // a rerun replaces the element: found again within 60 ms (was 250)
  };
  st.timer = token;
  watch();
}

// Tell the page when its tab is hidden or shown again (a hidden tab stops training).
// One listener per window; the newest mount's trigger is the one called.
function watchVisibility(trigger) {
  const w = window.__nnpVisibility || (window.__nnpVisibility = {});
  if (!w.trigger) document.addEventListener("visibilitychange",
    () => w.trigger("visibility", document.hidden ? "hidden" : "visible"));
  w.trigger = trigger;
}

// -- accessibility (issue 22): a canvas a keyboard and a screen reader can use ---------------------
// Each canvas is focusable (a visible ring), has a role and a name, says what its keys do, and keeps
// a text summary of what it shows; the page's main canvas reads it out (aria-live polite), at most
// once every SUMMARY_MS. A page's view gives a navigator, st.nav:
//   first(st) -> item, move(st, item, event) -> item (arrow keys, Home, End, PageUp/Down),
//   activate(st, item, event) (Enter or Space), describe(st, item) -> text,
//   rect(st, item) -> {x, y, w, h} in the units its drawing ends in (the ring is drawn there).
// Play, Step and Reset have shortcuts anywhere on the page: Alt+P, Alt+S and Alt+N (with Alt, so a
// screen reader's single-letter keys and typing never trigger them, WCAG 2.1.4; Streamlit keeps R
// and C for itself, hence N, new weights, for Reset). Streamlit's own st.button(shortcut=...) puts
// the keys into the button's accessible name ("Play Shortcut Alt + P").
const SUMMARY_MS = 2000, REDUCED_FPS = 3;
const SR_ONLY = "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0;";
const A11Y_CSS = "canvas:focus{outline:none}canvas:focus-visible{outline:3px solid #075e96;outline-offset:2px}";

function reducedMotion() {
  return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
}

const SHORTCUTS = { KeyP: "play", KeyS: "step", KeyN: "reset" };

function pageButton(name) {  // the page's Play, Step or Reset button (ui/controls.py: keys "<page>_<name>")
  const pattern = new RegExp(`^st-key-[a-z0-9]+_${name}$`);
  for (const el of document.querySelectorAll(`[class*="_${name}"]`)) {
    if (![...el.classList].some((c) => pattern.test(c))) continue;
    const shown = [...el.querySelectorAll("button")].find((b) => b.offsetParent !== null);   // not Streamlit's hidden copy
    if (shown) return shown;
  }
  return null;
}

function pageShortcuts() {  // once a window; marks the buttons with their keys for a screen reader
  for (const [code, name] of Object.entries(SHORTCUTS)) {
    const b = pageButton(name), keys = `Alt+${code.slice(3)}`;
    if (b && b.getAttribute("aria-keyshortcuts") !== keys) b.setAttribute("aria-keyshortcuts", keys);
  }
  if (window.__nnpShortcuts) return;
  window.__nnpShortcuts = true;
  document.addEventListener("keydown", (e) => {
    const name = SHORTCUTS[e.code];
    if (!name || !e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.repeat) return;
    const b = pageButton(name);
    if (!b) return;
    e.preventDefault();
    if (!b.disabled) b.click();
  }, true);
}

let a11yIds = 0;
function accessible(st, canvas, { name, keys = "", live = false, interactive = true }) {
  pageShortcuts();
  let a = st.a11y;
  if (!a && !interactive) {   // a picture to read, not to use: role img, its summary as description
    a = st.a11y = { id: `nnp-a11y-${++a11yIds}`, focused: false };
    const box = document.createElement("div");
    box.className = "nnp-a11y";
    box.innerHTML = `<div class="nnp-summary" id="${a.id}-sum" style="${SR_ONLY}"></div>`;
    canvas.insertAdjacentElement("afterend", box);
    a.summary = box.querySelector(".nnp-summary");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-describedby", `${a.id}-sum`);
  }
  if (!a) {
    a = st.a11y = { id: `nnp-a11y-${++a11yIds}`, focused: false };
    const box = document.createElement("div");
    box.className = "nnp-a11y";
    box.innerHTML = `<style>${A11Y_CSS}</style><div id="${a.id}-keys" style="${SR_ONLY}"></div>` +
      `<div class="nnp-summary" id="${a.id}-sum" style="${SR_ONLY}"></div>` +
      `<div class="nnp-focus" role="status" aria-live="polite" aria-atomic="true" style="${SR_ONLY}"></div>`;
    canvas.insertAdjacentElement("afterend", box);
    a.keys = box.querySelector(`[id$="-keys"]`); a.summary = box.querySelector(".nnp-summary");
    a.focusText = box.querySelector(".nnp-focus");
    canvas.tabIndex = 0;
    canvas.setAttribute("role", "application");
    canvas.setAttribute("aria-describedby", `${a.id}-keys ${a.id}-sum`);
    canvas.addEventListener("focus", () => {
      // A mouse click focuses the canvas too; only a keyboard's focus (:focus-visible) shows the
      // ring and names an item: a click on a tile showed the ring on the first feature.
      a.focused = true; a.byKey = canvas.matches(":focus-visible"); FOCUSED[name] = st;
      if (!a.byKey) return;
      if (st.nav && !st.cursor) st.cursor = st.nav.first(st);
      sayFocus(st); redraw(st);
    });
    canvas.addEventListener("blur", () => {
      a.focused = false; redraw(st);
      setTimeout(() => { if (!canvas.isConnected) a.removed = true; }, 0);   // removed while focused
    });
    canvas.addEventListener("keydown", (e) => onKey(st, e));
    refocus(st, canvas, name);
  }
  canvas.setAttribute("aria-label", name);
  a.name = name;
  a.summary.setAttribute("aria-live", live ? "polite" : "off");
  if (!interactive) return;
  canvas.setAttribute("aria-roledescription", "interactive picture");
  const text = `${keys ? keys + " " : ""}Alt+P plays or pauses, Alt+S trains one epoch, Alt+N resets.`;
  if (a.keys.textContent !== text) a.keys.textContent = text;
}

function redraw(st) { if (st.redraw) st.redraw(); }

// Streamlit mounts a canvas anew when the page around it changes (Pause brings back the views above
// it): a canvas that had the keyboard's focus hands it to its successor, with the focused item.
const FOCUSED = (window.__nnpFocused = window.__nnpFocused || {});
function refocus(st, canvas, name) {
  const until = performance.now() + 4000;
  const check = () => {
    const prev = FOCUSED[name], active = document.activeElement;
    if (prev && prev !== st && !prev.canvas.isConnected && (prev.a11y.focused || prev.a11y.removed)
        && (!active || active === document.body)) {
      const byKey = prev.a11y.byKey;
      st.cursor = prev.cursor; prev.a11y.focused = prev.a11y.removed = false;
      canvas.focus();
      if (byKey && !st.a11y.byKey) { st.a11y.byKey = true; sayFocus(st); redraw(st); }
    } else if (performance.now() < until && canvas.isConnected) setTimeout(check, 100);
  };
  setTimeout(check, 50);
}

// The summary of what the canvas shows: written at once when it changes in kind (say, paused), and
// at most once every SUMMARY_MS otherwise, so a screen reader is not flooded while training.
// ``kind`` (say "paused" or "training"): a text of another kind than the last one written goes out at
// once. When and of what kind it was last written is kept per canvas name on the window: a canvas
// Streamlit mounts anew (Play, Pause) goes on at its predecessor's pace.
const SAID = (window.__nnpSaid = window.__nnpSaid || {});
function summarize(st, text, kind = null, due = false) {
  const a = st.a11y;
  if (!a || text === a.summary.textContent) return;
  const now = performance.now(), last = SAID[a.name] || { at: 0, kind: null };
  clearTimeout(a.later);
  if (due || (kind !== null && kind !== last.kind) || now - last.at >= SUMMARY_MS) {
    SAID[a.name] = { at: now, kind: kind !== null ? kind : last.kind }; a.summary.textContent = text;
  } else a.later = setTimeout(() => summarize(st, text, kind, true), last.at + SUMMARY_MS - now);
}

function sayFocus(st) {
  const a = st.a11y;
  if (!a || !st.nav || !st.cursor) return;
  let text = "";
  try { text = st.nav.describe(st, st.cursor) || ""; } catch (err) { /* a view not drawn yet */ }
  a.focusText.textContent = text.replace(/<br>/g, ". ").replace(/<[^>]*>/g, "");
}

function onKey(st, e) {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const k = e.key, nav = st.nav;
  if (st.a11y && !st.a11y.byKey) { st.a11y.byKey = true; if (nav && !st.cursor) st.cursor = nav.first(st); }
  let done = true;
  if (nav && ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"].includes(k)) {
    let next = null;
    try { next = nav.move(st, st.cursor || nav.first(st), e); } catch (err) { /* a view not drawn yet */ }
    if (next) st.cursor = next;
    sayFocus(st); redraw(st);
  } else if (nav && nav.activate && (k === "Enter" || k === " ") && st.cursor) nav.activate(st, st.cursor, e);
  else if (nav && nav.escape && k === "Escape" && st.cursor) { st.cursor = nav.escape(st, st.cursor) || st.cursor; sayFocus(st); redraw(st); }
  else if (nav && nav.key && nav.key(st, e)) { sayFocus(st); redraw(st); }      // a view's own keys
  else done = false;
  if (done) { e.preventDefault(); e.stopPropagation(); }
}

// The focused item's ring, drawn last: black outside, white inside, seen on any colour.
function drawFocus(st, ctx, scale = 1) {
  const a = st.a11y;
  if (!a || !a.focused || !a.byKey || !st.nav || !st.cursor) return;
  let r = null;
  try { r = st.nav.rect(st, st.cursor); } catch (err) { /* a view not drawn yet */ }
  if (!r) return;
  ctx.save();
  ctx.lineWidth = 3 / scale; ctx.strokeStyle = "#000000"; ctx.strokeRect(r.x - 3 / scale, r.y - 3 / scale, r.w + 6 / scale, r.h + 6 / scale);
  ctx.lineWidth = 1.5 / scale; ctx.strokeStyle = "#ffffff"; ctx.strokeRect(r.x - 1 / scale, r.y - 1 / scale, r.w + 2 / scale, r.h + 2 / scale);
  ctx.restore();
}

// A navigator over a list of rectangles with their words (hover tips): arrows go to the previous or
// next one, Home and End to the first and last.
function listNav(items) {
  const at = (st, item) => Math.max(0, Math.min(items(st).length - 1, item ? item.i : 0));
  return {
    first: (st) => (items(st).length ? { i: 0 } : null),
    move: (st, item, e) => {
      const n = items(st).length, i = at(st, item);
      if (!n) return null;
      const step = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1, PageUp: -10, PageDown: 10 }[e.key];
      return { i: e.key === "Home" ? 0 : e.key === "End" ? n - 1 : Math.max(0, Math.min(n - 1, i + (step || 0))) };
    },
    describe: (st, item) => { const h = items(st)[at(st, item)]; return h ? (typeof h.tip === "function" ? h.tip(h.x + h.w / 2, h.y + h.h / 2) : h.tip) : ""; },
    rect: (st, item) => items(st)[at(st, item)] || null,
  };
}

// -- three flashes (WCAG 2.3.1, issue 22) ------------------------------------------------------
// A flash is a pair of opposing changes in relative luminance of 0.1 or more, the darker side below
// 0.8; WCAG allows no more than three a second over a combined area of a quarter of a 10-degree field
// (341 x 256 CSS px at 1024 x 768). A picture is cut into cells; a new picture that would make the 7th
// change within a second in cells covering more than FLASH_AREA (a fifth of that field: a margin) is
// held back (the last one shown stays) until the second has passed. bench/flashes.py measures the pages.
const FLASH_AREA = 0.2 * 341 * 256, FLASH_CHANGES = 6, FLASH_WINDOW = 1.1;   // CSS px²; s (a second and a margin)
const LINEAR = Float32Array.from({ length: 256 }, (_, i) => { const v = i / 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });

// The relative luminance of ``source`` (or its part sx, sy, sw, sh) shrunk to cols x rows cells.
function lumGrid(st, source, cols, rows, sx = 0, sy = 0, sw = source.width, sh = source.height) {
  let g = st.flashGrid;
  if (!g || g.width !== cols || g.height !== rows) {
    g = st.flashGrid = document.createElement("canvas"); g.width = cols; g.height = rows;
    g.ctx = g.getContext("2d", { willReadFrequently: true });
  }
  g.ctx.imageSmoothingEnabled = true; g.ctx.imageSmoothingQuality = "high";
  g.ctx.fillStyle = "#ffffff"; g.ctx.fillRect(0, 0, cols, rows);     // a transparent canvas shows the white page
  g.ctx.drawImage(source, sx, sy, sw, sh, 0, 0, cols, rows);
  const px = g.ctx.getImageData(0, 0, cols, rows).data, out = new Float32Array(cols * rows);
  for (let i = 0; i < out.length; i++) out[i] = 0.2126 * LINEAR[px[4 * i]] + 0.7152 * LINEAR[px[4 * i + 1]] + 0.0722 * LINEAR[px[4 * i + 2]];
  return out;
}

// May the picture whose cells have luminances ``lum`` (``cellArea`` CSS px² each) be shown? Its changes
// are counted only if it is.
function flashPasses(st, key, lum, cellArea) {
  const all = st.flashCells || (st.flashCells = {});
  let cells = all[key];
  if (!cells || cells.length !== lum.length) cells = all[key] = Array.from(lum, (v) => ({ ref: v, dir: 0, times: [] }));
  const now = performance.now() / 1000;
  let over = 0;
  const turns = cells.map((c, i) => {
    c.times = c.times.filter((t) => now - t < FLASH_WINDOW);
    const v = lum[i], turn = Math.abs(v - c.ref) >= 0.1 && Math.min(v, c.ref) < 0.8 && (v > c.ref ? 1 : -1) !== c.dir;
    if (turn && c.times.length >= FLASH_CHANGES) over++;
    return turn;
  });
  if (over * cellArea > FLASH_AREA) { st.flashHeldCount = (st.flashHeldCount || 0) + 1; return false; }
  cells.forEach((c, i) => {
    const v = lum[i];
    if (turns[i]) { c.times.push(now); c.dir = v > c.ref ? 1 : -1; c.ref = v; }
    else if (Math.abs(v - c.ref) >= 0.1 || (v - c.ref) * c.dir > 0) c.ref = v;      // on the same way: follow it
  });
  return true;
}

// After a new frame is drawn on ``canvas``: a frame that would flash is replaced by the last one shown.
function guardCanvas(st, canvas, cell = 16) {
  const w = canvas.width, h = canvas.height, k = w / (canvas.clientWidth || w) || 1;
  if (!w || !h) return true;
  const cols = Math.max(1, Math.round(w / k / cell)), rows = Math.max(1, Math.round(h / k / cell));
  const ok = flashPasses(st, `canvas ${cols}x${rows}`, lumGrid(st, canvas, cols, rows), (w / k / cols) * (h / k / rows));
  let held = st.flashCanvas;
  if (ok) {
    if (!held || held.width !== w || held.height !== h) { held = st.flashCanvas = document.createElement("canvas"); held.width = w; held.height = h; }
    const hc = held.getContext("2d"); hc.clearRect(0, 0, w, h); hc.drawImage(canvas, 0, 0);
  } else if (held && held.width === w && held.height === h) {
    const ctx = canvas.getContext("2d");
    ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.clearRect(0, 0, w, h); ctx.drawImage(held, 0, 0); ctx.restore();
  }
  return ok;
}
