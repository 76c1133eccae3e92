// The CNN page's live views, one canvas each, all drawn from the same frame (viz/cnn.py):
// data.view is "overview" (an image through the network), "kernels", "strip" (test images
// and predictions) or "confusion". Clicks go back as triggers: "cell" (a feature-map cell),
// "probe" (a strip image), "confusion" (a matrix cell); "visibility" reports a hidden tab.
const NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189], WRONG = "#d62728", PICK = "#0877bd";

function bytes(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// Colour look-up tables, code -> r, g, b: signed values (128 is zero: orange below, blue above,
// the playground's palette) and images (ink dark on white paper).
function makeLUT(rgb) {
  const out = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) out.set(rgb(i), 3 * i);
  return out;
}
const SIGNED = makeLUT((code) => {
  const v = (code - 128) / 127, end = v < 0 ? NEG : POS, t = Math.min(Math.abs(v), 1);
  return [0, 1, 2].map((c) => MID[c] + (end[c] - MID[c]) * t);
});
const INK = makeLUT((code) => [255 - code, 255 - code, 255 - code]);
const signedRGB = (code) => SIGNED.subarray(3 * code, 3 * code + 3);

// One offscreen canvas holding `count` planes of h x w codes stacked top to bottom, kept in
// `cache[name]` and refilled in place (a new canvas per map and frame cost more than the drawing).
function sheet(cache, name, codes, count, h, w, lut) {
  let s = cache[name];
  if (!s || s.canvas.height !== count * h || s.canvas.width !== w) {
    const canvas = document.createElement("canvas");
    canvas.width = w; canvas.height = count * h;
    const ctx = canvas.getContext("2d");
    s = cache[name] = { canvas, ctx, img: ctx.createImageData(w, count * h) };
  }
  const px = s.img.data;
  for (let i = 0, n = count * h * w; i < n; i++) {
    const c = 3 * codes[i];
    px[4 * i] = lut[c]; px[4 * i + 1] = lut[c + 1]; px[4 * i + 2] = lut[c + 2]; px[4 * i + 3] = 255;
  }
  s.ctx.putImageData(s.img, 0, 0);
  return s.canvas;
}

// Draw plane `k` (of height h, width w) of a sheet into the box (x, y, dw, dh), pixels kept square.
function blitPlane(ctx, src, k, h, w, x, y, dw, dh) {
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(src, 0, k * h, w, h, x, y, dw, dh);
}

function text(ctx, s, x, y, opts = {}) {
  ctx.font = `${opts.weight || 400} ${opts.size || 12}px ${opts.font}`;
  ctx.fillStyle = opts.color || opts.ink; ctx.textAlign = opts.align || "center"; ctx.textBaseline = opts.base || "alphabetic";
  ctx.fillText(s, x, y);
}

const pct = (p) => (p >= 0.995 ? "100%" : p < 0.001 ? "0%" : (100 * p).toFixed(p < 0.1 ? 1 : 0) + "%");

// -- overview ---------------------------------------------------------------
function overviewLayout(o, W) {
  const H = Math.max(240, Math.min(W * 0.45, 420)), HEAD = 36, outW = Math.min(130, Math.max(84, W * 0.14));
  const cols = o.columns, n = cols.length, gap = Math.max(8, Math.min(26, W * 0.02));
  const inputSide = Math.min(H - HEAD - 10, Math.max(48, W * 0.12));
  const share = (W - 2 - outW - inputSide - gap * n) / Math.max(n - 1, 1);
  let x = 2;
  const boxes = cols.map((c, k) => {
    let tile, subs = 1, shown = c.c, tall = c.h, wide = c.w;
    if (k === 0) tile = inputSide / Math.max(c.h, c.w);
    else if (c.h === 1 && c.w === 1) {       // a dense layer: its units as one strip of cells
      shown = 1; tall = Math.min(c.c, 128); wide = 1;
      tile = Math.min((H - HEAD - 8) / tall, share * 0.5, 14);
    } else {                                  // maps in the sub-columns that make them largest
      [tile, subs] = [1, 2, 3, 4].filter((n) => n === 1 || c.c % n === 0).map((n) => {
        const rows = Math.ceil(c.c / n), byHeight = (H - HEAD - 2 * (rows - 1)) / rows / c.h;
        return [Math.min(byHeight, (Math.min(share, 96 * n) - 2 * (n - 1)) / n / c.w), n];
      }).reduce((a, b) => (b[0] > a[0] * 1.05 ? b : a));
      shown = Math.ceil(c.c / subs);
    }
    const w = wide * tile * subs + 2 * (subs - 1), h = shown * tall * tile + (shown - 1) * 2;
    const box = { x: x + Math.max(0, (k === 0 ? inputSide : share) - w) / 2, y: HEAD + (H - HEAD - h) / 2, w, tile, col: c, rows: shown };
    x += (k === 0 ? inputSide : share) + gap;
    return box;
  });
  return { W, H, HEAD, boxes, out: { x: x, w: W - x, y: HEAD } };
}

function mapRect(b, ch, y, x) {  // pixel rectangle of cell (y, x) of map ch in column box b
  const c = b.col, t = b.tile;
  if (c.h === 1 && c.w === 1) return { x: b.x, y: b.y + ch * t, w: t, h: t };
  const sub = Math.floor(ch / b.rows), row = ch % b.rows;
  return { x: b.x + sub * (c.w * t + 2) + x * t, y: b.y + row * (c.h * t + 2) + y * t, w: t, h: t };
}

function drawOverview(st) {
  const o = st.frame.overview, ctx = st.ctx, L = overviewLayout(o, st.width), f = st.style;
  st.L = L;
  const planes = st.planes || [];
  L.boxes.forEach((b, k) => {
    const c = b.col, codes = planes[k];
    const cx = b.x + b.w / 2;
    text(ctx, c.title, cx, 14, { ...f, weight: 600 });
    text(ctx, c.h === 1 && c.w === 1 ? `${c.c} units` : `${c.c} × ${c.h}×${c.w}`, cx, 28, { ...f, size: 11, color: "#808495" });
    if (c.h === 1 && c.w === 1) {
      for (let u = 0; u < Math.min(c.c, 128); u++) {
        const p = signedRGB(codes[u]);
        ctx.fillStyle = `rgb(${p[0]},${p[1]},${p[2]})`;
        ctx.fillRect(b.x, b.y + u * b.tile, b.tile, Math.max(b.tile - 1, 1));
      }
      return;
    }
    for (let ch = 0; ch < c.c; ch++) {
      const r = mapRect(b, ch, 0, 0);
      blitPlane(ctx, st.sheets[k], ch, c.h, c.w, r.x, r.y, c.w * b.tile, c.h * b.tile);
      if (c.image) { ctx.strokeStyle = "#c5c8d0"; ctx.lineWidth = 1; ctx.strokeRect(r.x - 0.5, r.y - 0.5, c.w * b.tile + 1, c.h * b.tile + 1); }
    }
  });
  // arrows between columns
  ctx.strokeStyle = "#c5c8d0"; ctx.lineWidth = 1;
  for (let k = 0; k + 1 < L.boxes.length; k++) {
    const a = L.boxes[k], b = L.boxes[k + 1], y = L.HEAD + (L.H - L.HEAD) / 2;
    const x0 = a.x + a.w + 3, x1 = b.x - 3;
    if (x1 - x0 > 6) { ctx.beginPath(); ctx.moveTo(x0, y); ctx.lineTo(x1, y); ctx.lineTo(x1 - 4, y - 3); ctx.moveTo(x1, y); ctx.lineTo(x1 - 4, y + 3); ctx.stroke(); }
  }
  drawHighlight(st, o, L);
  drawProbabilities(st, o, L);
}

function drawHighlight(st, o, L) {
  const h = o.highlight, ctx = st.ctx;
  if (!h) return;
  const at = L.boxes.findIndex((b) => b.col.pos === h.pos), below = L.boxes.findIndex((b) => b.col.pos === h.below);
  if (at < 0 || below < 0) return;
  const cell = mapRect(L.boxes[at], h.channel, h.y, h.x), bb = L.boxes[below];
  ctx.lineWidth = 2; ctx.strokeStyle = "#e8112d";
  ctx.strokeRect(cell.x - 1, cell.y - 1, cell.w + 2, cell.h + 2);
  const channels = h.below_channel === null ? [...Array(bb.col.c).keys()] : [h.below_channel];
  ctx.lineWidth = 1.5;
  for (const ch of channels) {
    const r = mapRect(bb, ch, h.y0, h.x0);
    ctx.strokeRect(r.x, r.y, h.size * bb.tile, h.size * bb.tile);
    ctx.globalAlpha = 0.35; ctx.beginPath(); ctx.moveTo(r.x + h.size * bb.tile, r.y + h.size * bb.tile / 2);
    ctx.lineTo(cell.x, cell.y + cell.h / 2); ctx.stroke(); ctx.globalAlpha = 1;
  }
}

function drawProbabilities(st, o, L) {
  const ctx = st.ctx, f = st.style, n = o.probs.length, x = L.out.x, w = L.out.w;
  const row = Math.min(24, (L.H - L.HEAD) / n), top = L.HEAD + (L.H - L.HEAD - row * n) / 2;
  const best = o.probs.indexOf(Math.max(...o.probs)), label = st.frame.probe ? st.frame.probe.label : null;
  text(ctx, "probabilities", x + w / 2, 14, { ...f, weight: 600 });
  text(ctx, "softmax output", x + w / 2, 28, { ...f, size: 11, color: "#808495" });
  const labelW = Math.min(16 + 6 * Math.max(...o.classes.map((c) => c.length)), w * 0.45), barW = w - labelW - 36;
  o.probs.forEach((p, k) => {
    const y = top + k * row;
    text(ctx, o.classes[k], x + labelW - 4, y + row / 2, { ...f, align: "right", base: "middle", weight: k === best ? 700 : 400,
      color: label !== null && k === label ? PICK : undefined });
    ctx.fillStyle = "#eef0f3"; ctx.fillRect(x + labelW, y + 3, barW, row - 6);
    ctx.fillStyle = k === best ? (label === null || best === label ? PICK : WRONG) : "#9aa3b5";
    ctx.fillRect(x + labelW, y + 3, Math.max(barW * p, 1), row - 6);
    text(ctx, pct(p), x + labelW + barW + 3, y + row / 2, { ...f, size: 11, align: "left", base: "middle" });
  });
}

function overviewHit(st, mx, my) {
  for (const [k, b] of st.L.boxes.entries()) {
    const c = b.col;
    if (k === 0 || mx < b.x || mx >= b.x + b.w) continue;
    if (c.h === 1 && c.w === 1) {
      const u = Math.floor((my - b.y) / b.tile);
      if (u >= 0 && u < Math.min(c.c, 128)) return { k, ch: u, y: 0, x: 0, dense: true };
      continue;
    }
    const sub = Math.floor((mx - b.x) / (c.w * b.tile + 2)), row = Math.floor((my - b.y) / (c.h * b.tile + 2));
    const ch = sub * b.rows + row, origin = mapRect(b, ch, 0, 0);
    const y = Math.floor((my - origin.y) / b.tile), x = Math.floor((mx - origin.x) / b.tile);
    if (row >= 0 && row < b.rows && ch < c.c && y >= 0 && y < c.h && x >= 0 && x < c.w) return { k, ch, y, x };
  }
  return null;
}

function overviewTip(st, h) {
  const c = st.L.boxes[h.k].col, code = st.planes[h.k][h.dense ? h.ch : h.ch * c.h * c.w + h.y * c.w + h.x];
  const value = ((code - 128) / 127) * c.scale;
  if (h.dense) return `${c.title} · unit ${h.ch + 1}<br>≈ ${value.toPrecision(3)}`;
  const hint = st.data.clickable ? "<br><i>click for the arithmetic</i>" : "";
  return `${c.title} · map ${h.ch + 1} · row ${h.y + 1}, column ${h.x + 1}<br>≈ ${value.toPrecision(3)}${hint}`;
}

// -- kernels ------------------------------------------------------------------
function kernelsLayout(ks, W) {
  let y = 0;
  const blocks = ks.map((kv) => {
    const tile = Math.min(44, Math.max(8, (W - 70 - 3 * (kv.f - 1)) / kv.f));
    const b = { y: y + 34, tile, kv, x: 66 };
    y += 34 + kv.c * (tile + 3) + 16;
    return b;
  });
  return { W, H: Math.max(y, 40), blocks };
}

function drawKernels(st) {
  const ks = st.frame.kernels, ctx = st.ctx, f = st.style, L = kernelsLayout(ks, st.width);
  st.L = L;
  L.blocks.forEach((b, n) => {
    const kv = b.kv;
    text(ctx, kv.title + (st.frame.kernel_grads ? " · gradients" : ""), 0, b.y - 18, { ...f, align: "left", weight: 600 });
    text(ctx, `filter →   (scale ±${kv.scale})`, b.x, b.y - 4, { ...f, size: 11, align: "left", color: "#808495" });
    for (let c = 0; c < kv.c; c++) {
      if (kv.c > 1 || n === 0) text(ctx, kv.c > 1 ? `channel ${c + 1}` : "", b.x - 6, b.y + c * (b.tile + 3) + b.tile / 2, { ...f, size: 10, align: "right", base: "middle", color: "#808495" });
      for (let fi = 0; fi < kv.f; fi++) blitPlane(ctx, st.kernelSheets[n], fi * kv.c + c, kv.k, kv.k, b.x + fi * (b.tile + 3), b.y + c * (b.tile + 3), b.tile, b.tile);
    }
  });
}

function kernelsHit(st, mx, my) {
  for (const [n, b] of st.L.blocks.entries()) {
    const kv = b.kv, fi = Math.floor((mx - b.x) / (b.tile + 3)), c = Math.floor((my - b.y) / (b.tile + 3));
    if (fi >= 0 && fi < kv.f && c >= 0 && c < kv.c && (mx - b.x) % (b.tile + 3) < b.tile) {
      const i = Math.min(kv.k - 1, Math.floor((((mx - b.x) % (b.tile + 3)) / b.tile) * kv.k));
      const j = Math.min(kv.k - 1, Math.floor((((my - b.y) % (b.tile + 3)) / b.tile) * kv.k));
      return { n, fi, c, i, j };
    }
  }
  return null;
}

function kernelsTip(st, h) {
  const kv = st.L.blocks[h.n].kv, code = st.kernelCodes[h.n][((h.fi * kv.c + h.c) * kv.k + h.j) * kv.k + h.i];
  const what = st.frame.kernel_grads ? "gradient" : "weight";
  return `filter ${h.fi + 1}, channel ${h.c + 1}, row ${h.j + 1}, column ${h.i + 1}<br>${what} ≈ ${(((code - 128) / 127) * kv.scale).toPrecision(3)}`;
}

// -- strip ----------------------------------------------------------------------
function stripLayout(s, W) {
  const side = W < 500 ? 44 : 56, cellW = side + 10, perRow = Math.max(1, Math.floor(W / cellW));
  const rows = Math.ceil(s.n / perRow);
  return { W, H: rows * (side + 34), side, cellW: W / perRow, perRow };
}

function drawStrip(st) {
  const s = st.frame.strip, ctx = st.ctx, f = st.style, L = stripLayout(s, st.width);
  st.L = L;
  for (let i = 0; i < s.n; i++) {
    const x = (i % L.perRow) * L.cellW + (L.cellW - L.side) / 2, y = Math.floor(i / L.perRow) * (L.side + 34);
    const [best, p] = s.top[i][0], wrong = best !== s.labels[i];
    blitPlane(ctx, st.stripSheet, i, st.stripSource.h, st.stripSource.w, x, y, L.side, L.side);
    ctx.lineWidth = i === s.selected ? 3 : wrong ? 2 : 1;
    ctx.strokeStyle = i === s.selected ? PICK : wrong ? WRONG : "#d0d3da";
    ctx.strokeRect(x, y, L.side, L.side);
    text(ctx, `${s.classes[best]} ${pct(p)}`, x + L.side / 2, y + L.side + 14,
      { ...f, size: 12, weight: 600, color: wrong ? WRONG : undefined });
    text(ctx, wrong ? `label ${s.classes[s.labels[i]]}` : "✓", x + L.side / 2, y + L.side + 27, { ...f, size: 10, color: wrong ? WRONG : "#808495" });
  }
}

function stripHit(st, mx, my) {
  const L = st.L, i = Math.floor(my / (L.side + 34)) * L.perRow + Math.floor(mx / L.cellW);
  return i >= 0 && i < st.frame.strip.n && mx < L.perRow * L.cellW ? { i } : null;
}

function stripTip(st, h) {
  const s = st.frame.strip, top = s.top[h.i].map(([k, p]) => `${s.classes[k]}: ${pct(p)}`).join("<br>");
  return `test image #${h.i + 1} · label ${s.classes[s.labels[h.i]]}<br>${top}<br><i>click to follow it through the network</i>`;
}

// -- confusion matrix -------------------------------------------------------------
function confusionLayout(m, W) {
  const k = m.classes.length, labelW = Math.max(...m.classes.map((c) => c.length)) * 7 + 30;
  const cell = Math.max(16, Math.min(40, (W - labelW - 8) / k));
  return { W, H: 40 + k * cell + 8, k, cell, x0: labelW, y0: 40 };
}

function drawConfusion(st) {
  const m = st.frame.confusion, ctx = st.ctx, f = st.style, L = confusionLayout(m, st.width);
  st.L = L;
  text(ctx, "predicted →", L.x0 + (L.k * L.cell) / 2, 12, { ...f, size: 11, color: "#808495" });
  text(ctx, "true ↓", 4, 26, { ...f, size: 11, align: "left", color: "#808495" });
  m.matrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    text(ctx, m.classes[t], L.x0 - 6, L.y0 + t * L.cell + L.cell / 2, { ...f, size: 11, align: "right", base: "middle" });
    row.forEach((count, p) => {
      if (t === 0) text(ctx, m.classes[p], L.x0 + p * L.cell + L.cell / 2, L.y0 - 6, { ...f, size: 11 });
      const share = count / total, end = t === p ? POS : NEG, v = t === p ? share : Math.min(1, share * 4);
      const rgb = [0, 1, 2].map((c) => Math.round(255 + (end[c] - 255) * v));
      ctx.fillStyle = `rgb(${rgb})`;
      ctx.fillRect(L.x0 + p * L.cell, L.y0 + t * L.cell, L.cell - 1, L.cell - 1);
      if (count && L.cell >= 20) text(ctx, String(count), L.x0 + p * L.cell + L.cell / 2, L.y0 + t * L.cell + L.cell / 2,
        { ...f, size: L.cell >= 30 ? 11 : 9, base: "middle", color: v > 0.55 ? "#fff" : "#31333f" });
    });
  });
  const sel = m.selected;
  if (sel) { ctx.lineWidth = 2; ctx.strokeStyle = "#e8112d"; ctx.strokeRect(L.x0 + sel[1] * L.cell - 1, L.y0 + sel[0] * L.cell - 1, L.cell + 1, L.cell + 1); }
}

function confusionHit(st, mx, my) {
  const L = st.L, p = Math.floor((mx - L.x0) / L.cell), t = Math.floor((my - L.y0) / L.cell);
  return p >= 0 && p < L.k && t >= 0 && t < L.k ? { t, p } : null;
}

function confusionTip(st, h) {
  const m = st.frame.confusion, count = m.matrix[h.t][h.p];
  return `true ${m.classes[h.t]}, predicted ${m.classes[h.p]}: ${count} test image${count === 1 ? "" : "s"}` +
    (count ? "<br><i>click to see them</i>" : "");
}

const VIEWS = {
  overview: { draw: drawOverview, hit: overviewHit, tip: overviewTip, ready: (fr) => fr.overview },
  kernels: { draw: drawKernels, hit: kernelsHit, tip: kernelsTip, ready: (fr) => fr.kernels },
  strip: { draw: drawStrip, hit: stripHit, tip: stripTip, ready: (fr) => fr.strip },
  confusion: { draw: drawConfusion, hit: confusionHit, tip: confusionTip, ready: (fr) => fr.confusion },
};

// Decode a frame's byte planes into offscreen images once per frame (not per redraw).
function decode(st, fr) {
  const view = st.data.view, cache = st.sheetCache || (st.sheetCache = {});
  if (view === "overview") {
    st.planes = fr.overview.columns.map((c) => bytes(c.data));
    st.sheets = fr.overview.columns.map((c, k) => c.h === 1 && c.w === 1 ? null :
      sheet(cache, `column${k}`, st.planes[k], c.c, c.h, c.w, c.image ? INK : SIGNED));
  } else if (view === "kernels") {
    st.kernelCodes = fr.kernels.map((kv) => bytes(kv.data));
    st.kernelSheets = fr.kernels.map((kv, n) => sheet(cache, `kernels${n}`, st.kernelCodes[n], kv.f * kv.c, kv.k, kv.k, SIGNED));
  } else if (view === "strip") {
    const saved = SAVED[st.data.channel] || (SAVED[st.data.channel] = {});
    if (fr.strip.data) saved.strip = { codes: bytes(fr.strip.data), h: fr.strip.h, w: fr.strip.w };
    const s = saved.strip;
    if (!s) return false;
    if (st.stripSource !== s) {
      st.stripSource = s;
      st.stripSheet = sheet(cache, "strip", s.codes, fr.strip.n, s.h, s.w, INK);
    }
  }
  return true;
}

// Streamlit may remount a component, so what is sent once per run is kept per channel on the window.
const SAVED = (window.__nnpCnnStatic = window.__nnpCnnStatic || {});

function render(st) {
  const view = VIEWS[st.data.view];
  if (!st.frame || !view.ready(st.frame)) return;
  const width = st.root.clientWidth || 600, cs = getComputedStyle(st.root);
  st.width = width;
  st.style = { font: cs.fontFamily, ink: cs.color };
  const probe = { overview: overviewLayout, kernels: kernelsLayout, strip: stripLayout, confusion: confusionLayout }[st.data.view];
  const part = st.data.view === "overview" ? st.frame.overview : st.frame[st.data.view];
  const height = probe(part, width).H, dpr = window.devicePixelRatio || 1;
  if (st.canvas.width !== Math.round(width * dpr) || st.canvas.height !== Math.round(height * dpr)) {
    st.canvas.width = Math.round(width * dpr); st.canvas.height = Math.round(height * dpr);
    st.canvas.style.height = height + "px";
  }
  st.ctx = st.canvas.getContext("2d");
  st.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  st.ctx.clearRect(0, 0, width, height);
  view.draw(st);
}

function install(st) {
  const { canvas, tip } = st;
  const pos = (e) => { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  canvas.addEventListener("mousemove", (e) => {
    const view = VIEWS[st.data.view], [mx, my] = pos(e), h = st.L && view.hit(st, mx, my);
    canvas.style.cursor = h && st.data.clickable && !h.dense ? "pointer" : "default";
    if (!h) { tip.style.display = "none"; return; }
    tip.innerHTML = view.tip(st, h); tip.style.display = "block";
    tip.style.left = Math.max(0, Math.min(mx + 14, st.width - tip.offsetWidth - 4)) + "px";
    tip.style.top = my + 14 + "px";
  });
  canvas.addEventListener("mouseleave", () => { tip.style.display = "none"; });
  canvas.addEventListener("click", (e) => {
    const view = st.data.view, [mx, my] = pos(e), h = st.L && VIEWS[view].hit(st, mx, my);
    if (!h || !st.data.clickable) return;
    if (view === "overview" && !h.dense) {
      const c = st.L.boxes[h.k].col;
      st.trigger("cell", { pos: c.pos, channel: h.ch, y: h.y, x: h.x });
    } else if (view === "strip") st.trigger("probe", h.i);
    else if (view === "confusion") st.trigger("confusion", { true: h.t, pred: h.p });
  });
  new ResizeObserver(() => render(st)).observe(st.root);
}

function onFrame(st, frame) {
  if (!VIEWS[st.data.view].ready(frame) || !decode(st, frame)) return;
  st.frame = frame;
  render(st);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = mountRoot(parentElement, "cnnv", '<canvas></canvas><div class="tip"></div>');
  const st = root.__state || (root.__state = { root, canvas: root.querySelector("canvas"), tip: root.querySelector(".tip") });
  st.data = data;
  st.trigger = setTriggerValue;
  st.channel = data.channel;
  st.canvas.setAttribute("aria-label", data.label || data.view);
  if (data.live) watchVisibility(setTriggerValue);
  if (!st.timer) { install(st); pollChannel(st, (frame) => onFrame(st, frame)); }
  return () => { cancelAnimationFrame(st.timer); st.timer = null; };
}
