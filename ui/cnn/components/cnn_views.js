// The CNN page's live views, one canvas each, all drawn from the same frame (viz/cnn.py):
// data.view is "overview" (an image through the network), "kernels", "strip" (test images
// and predictions), "confusion" or "cell" (one feature map's computation: the kernel sliding
// over the input beside the map it makes, CNN Explainer's view, with its numbers and an editor
// for the kernel). Clicks go back as triggers: "cell" (a feature-map cell), "probe" (a strip
// image), "confusion" (a matrix cell), "pick" (a kernel: open its view), "kernel" (typed
// weights); "visibility" reports a hidden tab. Presenter mode: data.zoom scales the type and
// the sizes (13 px a unit when zoomed, so 16 px and up from 125 %), data.contrast draws black;
// each canvas reports the smallest font of its last drawing as data-min-font (CSS px).
// Colours from viz.palette (PALETTE, ui/canvas.py): lines and rules at least 3:1 on their ground.
const rgbOf = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const NEG = rgbOf(PALETTE.neg), MID = rgbOf(PALETTE.mid), POS = rgbOf(PALETTE.pos), WRONG = "#d62728", PICK = PALETTE.pos;
const RED = PALETTE.accent;

function bytes(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
const floats = (b64) => new Float32Array(bytes(b64).buffer);

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
const signedCode = (v, scale) => Math.round(Math.max(-1, Math.min(1, v / (scale || 1))) * 127 + 128);
const inkCode = (v) => Math.round(Math.max(0, Math.min(1, v)) * 255);

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

// -- the look: presenter mode's size and contrast, type that says how small it got ------------
function look(st) {
  const z = Number(st.data.zoom) || 1;
  st.z = z; st.zoomed = z > 1; st.contrast = !!st.data.contrast;
  st.muted = st.contrast ? "#000000" : "#808495";
  st.rule = st.contrast ? "#000000" : PALETTE.frame;
  st.faint = st.contrast ? "#8a8f99" : PALETTE.frame;
  st.px = st.zoomed ? z : 1;                 // lengths scale with the zoom
}
const fs = (st, base) => (st.zoomed ? Math.max(base, 13) * st.z : base);
const px = (st, n) => n * st.px;
const fontOf = (st, size, weight) => `${weight || 400} ${size}px ${st.style.font}`;

// Setting a canvas's font parses it, and the same labels are measured in every frame: both are
// kept (the font set last, and each font's text widths).
function setFont(st, font) {
  if (st.fontSet !== font) { st.ctx.font = font; st.fontSet = font; }
}

function textWidth(st, font, s) {
  const widths = st.widths || (st.widths = new Map());
  const key = font + "|" + s;
  let w = widths.get(key);
  if (w === undefined) {
    if (widths.size > 4000) widths.clear();
    setFont(st, font);
    w = st.ctx.measureText(s).width;
    widths.set(key, w);
  }
  return w;
}

function measure(st, s, base, weight) {
  return textWidth(st, fontOf(st, fs(st, base), weight), s);
}

function text(st, s, x, y, opts = {}) {
  const ctx = st.ctx, size = fs(st, opts.size || 12), font = fontOf(st, size, opts.weight);
  setFont(st, font);
  const align = opts.align || "center";
  ctx.fillStyle = opts.color || st.style.ink; ctx.textAlign = align; ctx.textBaseline = opts.base || "alphabetic";
  ctx.fillText(s, x, y);
  st.minFont = Math.min(st.minFont, size);
  if (st.checking && !opts.turned) {     // how far a text runs past the canvas's sides (data-overflow, for tests)
    const w = textWidth(st, font, s), left = align === "left" ? x : align === "right" ? x - w : x - w / 2;
    st.overflow = Math.max(st.overflow, -left, left + w - st.width);
  }
}

// Words of `s` in lines no wider than `w` (titles that would run past the canvas wrap instead).
function wrap(st, s, base, weight, w) {
  const words = String(s).split(" "), lines = [];
  let line = "";
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (line && measure(st, next, base, weight) > w) { lines.push(line); line = word; } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

// A colour scale: a bar from `lo` to `hi` (signed: orange, grey, blue; ink: white to black) with
// its end values; returns the width used.
function colourBar(st, x, y, w, h, kind) {
  const ctx = st.ctx, g = ctx.createLinearGradient(x, 0, x + w, 0);
  const rgb = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;
  if (kind === "ink") { g.addColorStop(0, "#ffffff"); g.addColorStop(1, "#000000"); }
  else if (kind === "positive") { g.addColorStop(0, rgb(MID)); g.addColorStop(1, rgb(POS)); }
  else { g.addColorStop(0, rgb(NEG)); g.addColorStop(0.5, rgb(MID)); g.addColorStop(1, rgb(POS)); }
  ctx.fillStyle = g; ctx.fillRect(x, y, w, h);
  ctx.strokeStyle = st.rule; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
}

const pct = (p) => (p >= 0.995 ? "100%" : p < 0.001 ? "0%" : (100 * p).toFixed(p < 0.1 ? 1 : 0) + "%");
const num = (v, d = 2) => (Math.abs(v) >= 100 ? v.toPrecision(3) : Math.abs(v) < 0.5 * 10 ** -d ? (0).toFixed(d) : v.toFixed(d)).replace("-", "−");
const short = (v) => String(+Number(v).toPrecision(2)).replace("-", "−");

// -- overview ---------------------------------------------------------------
// Each column's two labels (its layer, its shape) in lines that fit its share of the width: on a
// phone the columns are narrower than "conv relu" or "16 × 14×14", and one line each ran into the
// next column's. The head grows by the extra lines; L.heads keeps each label line's box (for tests).
function overviewLayout(st, o, W) {
  let L = overviewLayoutAt(st, o, W, 0);
  const extra = headLines(st, L);
  if (extra > 0) { L = overviewLayoutAt(st, o, W, extra); headLines(st, L); }
  return L;
}

function headLines(st, L) {
  const f1 = fs(st, 12), f2 = fs(st, 11), gap = L.gap;
  const forms = L.boxes.map((b) => {
    const c = b.col, room = 2 * Math.min(b.cx - 1, b.slot / 2 + gap / 2 - 3);   // 6 px between two columns' words
    const fits = (lines, size, weight) => lines.every((s) => measure(st, s, size, weight) <= room);
    b.title = fits([c.title], 12, 600) ? [c.title] : wrap(st, c.title, 12, 600, room);
    const subs = c.h === 1 && c.w === 1 ? [[`${c.c} units`], [`${c.c} units`], [`${c.c}`, "units"]]
      : [[`${c.c} × ${c.h}×${c.w}`], [`${c.c}×${c.h}×${c.w}`], [`${c.c} ×`, `${c.h}×${c.w}`]];
    return subs.map((lines) => [lines, fits(lines, 11)]);
  });
  // the shapes all in one form: the first that fits every column (else the narrowest, two lines)
  const form = [0, 1].find((i) => forms.every((f) => f[i][1]));
  L.boxes.forEach((b, k) => { b.sub = forms[k][form === undefined ? 2 : form][0]; });
  const nT = Math.max(...L.boxes.map((b) => b.title.length)), nS = Math.max(...L.boxes.map((b) => b.sub.length));
  return Math.round((nT - 1) * f1 * 1.2 + (nS - 1) * f2 * 1.2);
}

function overviewLayoutAt(st, o, W, extra) {
  const f1 = fs(st, 12), f2 = fs(st, 11);
  const HEAD = Math.round(f1 * 1.25 + f2 * 1.35 + 6) + extra, FOOT = Math.round(f2 * 1.35 + px(st, 12));
  // as tall as the width allows, but never taller than most of the window: scrolled to, it shows whole
  const tall = Math.max(px(st, W < 500 ? 170 : 240), Math.min(W * 0.45, px(st, 420))) - 36;
  const BODY = Math.max(120, Math.min(tall, 0.72 * (window.innerHeight || 1000) - HEAD - FOOT));
  const H = HEAD + BODY + FOOT;
  const labelW = Math.max(...o.classes.map((c) => measure(st, c, 12, 700))) + 6, pctW = measure(st, "100%", 11) + 6;
  const outW = Math.min(W * 0.32, Math.max(Math.min(px(st, 130), Math.max(px(st, 84), W * 0.14)), labelW + pctW + px(st, 64)));
  const cols = o.columns, n = cols.length, gap = Math.max(8, Math.min(26, W * 0.02));
  const inputSide = Math.min(BODY - 10, Math.max(48, W * 0.12));
  const share = (W - 2 - outW - inputSide - gap * n) / Math.max(n - 1, 1);
  let x = 2;
  const boxes = cols.map((c, k) => {
    let tile, subs = 1, shown = c.c, tall = c.h, wide = c.w;
    if (k === 0) tile = inputSide / Math.max(c.h, c.w);
    else if (c.h === 1 && c.w === 1) {       // a dense layer: its units as one strip of cells
      shown = 1; tall = Math.min(c.c, 128); wide = 1;
      tile = Math.min((BODY - 8) / tall, share * 0.5, 14);
    } else {                                  // maps in the sub-columns that make them largest
      [tile, subs] = [1, 2, 3, 4].filter((n) => n === 1 || c.c % n === 0).map((n) => {
        const rows = Math.ceil(c.c / n), byHeight = (BODY - 2 * (rows - 1)) / rows / c.h;
        return [Math.min(byHeight, (Math.min(share, 96 * n) - 2 * (n - 1)) / n / c.w), n];
      }).reduce((a, b) => (b[0] > a[0] * 1.05 ? b : a));
      shown = Math.ceil(c.c / subs);
    }
    const w = wide * tile * subs + 2 * (subs - 1), h = shown * tall * tile + (shown - 1) * 2;
    const slot = k === 0 ? inputSide : share;
    const box = { x: x + Math.max(0, slot - w) / 2, y: HEAD + (BODY - h) / 2, w, tile, col: c, rows: shown, cx: x + slot / 2, slot };
    x += slot + gap;
    return box;
  });
  return { W, H, HEAD, BODY, FOOT, boxes, labelW, pctW, gap, out: { x: x, w: W - x, y: HEAD } };
}

function mapRect(b, ch, y, x) {  // pixel rectangle of cell (y, x) of map ch in column box b
  const c = b.col, t = b.tile;
  if (c.h === 1 && c.w === 1) return { x: b.x, y: b.y + ch * t, w: t, h: t };
  const sub = Math.floor(ch / b.rows), row = ch % b.rows;
  return { x: b.x + sub * (c.w * t + 2) + x * t, y: b.y + row * (c.h * t + 2) + y * t, w: t, h: t };
}

function drawOverview(st, L) {
  const o = st.frame.overview, ctx = st.ctx;
  st.L = L;
  const planes = st.planes || [];
  const f1 = fs(st, 12), f2 = fs(st, 11);
  L.heads = [];
  const label = (k, s, x, y, size, opts) => {      // a head's line, its box kept in L.heads
    text(st, s, x, y, { size, ...opts });
    const w = measure(st, s, size, opts.weight);
    L.heads.push({ col: k, text: s, left: x - w / 2, right: x + w / 2, top: y - fs(st, size) * 0.8, bottom: y + fs(st, size) * 0.2 });
  };
  L.boxes.forEach((b, k) => {
    const c = b.col, codes = planes[k];
    b.title.forEach((s, i) => label(k, s, b.cx, f1 + i * f1 * 1.2, 12, { weight: 600 }));
    b.sub.forEach((s, i) => label(k, s, b.cx, L.HEAD - 6 - (b.sub.length - 1 - i) * f2 * 1.2, 11, { color: st.muted }));
    scaleUnder(st, L, b);
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
      if (c.image || st.contrast) {
        ctx.strokeStyle = st.rule; ctx.lineWidth = 1;
        ctx.strokeRect(r.x - 0.5, r.y - 0.5, c.w * b.tile + 1, c.h * b.tile + 1);
      }
    }
  });
  // arrows between columns
  ctx.strokeStyle = st.rule; ctx.lineWidth = st.contrast ? 2 : 1;
  for (let k = 0; k + 1 < L.boxes.length; k++) {
    const a = L.boxes[k], b = L.boxes[k + 1], y = L.HEAD + L.BODY / 2;
    const x0 = a.x + a.w + 3, x1 = b.x - 3;
    if (x1 - x0 > 6) { ctx.beginPath(); ctx.moveTo(x0, y); ctx.lineTo(x1, y); ctx.lineTo(x1 - 4, y - 3); ctx.moveTo(x1, y); ctx.lineTo(x1 - 4, y + 3); ctx.stroke(); }
  }
  drawHighlight(st, o, L);
  drawProbabilities(st, o, L);
}

// Each column's colour scale under it: a bar and the values its ends stand for (the input's ink
// runs from 0 to 1; a layer's maps share one scale, its largest value).
function scaleUnder(st, L, b) {
  const c = b.col, y = L.HEAD + L.BODY + px(st, 3), barH = px(st, 5);
  const kind = c.image ? "ink" : c.signed ? "signed" : "positive";
  const words = c.image ? ["0", "1"] : c.signed ? [`−${short(c.scale)}`, `+${short(c.scale)}`] : ["0", short(c.scale)];
  const wide = measure(st, words[0], 11) + measure(st, words[1], 11) + px(st, 8);
  const w = Math.max(Math.min(b.slot, px(st, 72)), 16);
  colourBar(st, b.cx - w / 2, y, w, barH, kind);
  const ty = y + barH + fs(st, 11) * 1.05;
  if (wide <= w + px(st, 16)) {
    text(st, words[0], b.cx - w / 2, ty, { size: 11, align: "left", color: st.muted });
    text(st, words[1], b.cx + w / 2, ty, { size: 11, align: "right", color: st.muted });
  } else {
    text(st, c.image ? "0–1" : c.signed ? `±${short(c.scale)}` : `≤${short(c.scale)}`, b.cx, ty, { size: 11, color: st.muted });
  }
}

function drawHighlight(st, o, L) {
  const h = o.highlight, ctx = st.ctx;
  if (!h) return;
  const at = L.boxes.findIndex((b) => b.col.pos === h.pos), below = L.boxes.findIndex((b) => b.col.pos === h.below);
  if (at < 0 || below < 0) return;
  const cell = mapRect(L.boxes[at], h.channel, h.y, h.x), bb = L.boxes[below];
  ctx.lineWidth = 2; ctx.strokeStyle = RED;
  ctx.strokeRect(cell.x - 1, cell.y - 1, cell.w + 2, cell.h + 2);
  const channels = h.below_channel === null ? [...Array(bb.col.c).keys()] : [h.below_channel];
  ctx.lineWidth = 1.5;
  for (const ch of channels) {
    const r = mapRect(bb, ch, h.y0, h.x0);
    ctx.strokeRect(r.x, r.y, h.size * bb.tile, h.size * bb.tile);
    ctx.globalAlpha = PALETTE.connectAlpha; ctx.beginPath(); ctx.moveTo(r.x + h.size * bb.tile, r.y + h.size * bb.tile / 2);
    ctx.lineTo(cell.x, cell.y + cell.h / 2); ctx.stroke(); ctx.globalAlpha = 1;
  }
}

function drawProbabilities(st, o, L) {
  const ctx = st.ctx, n = o.probs.length, x = L.out.x, w = L.out.w, f1 = fs(st, 12);
  const row = Math.min(px(st, 24), L.BODY / n), top = L.HEAD + (L.BODY - row * n) / 2;
  const best = o.probs.indexOf(Math.max(...o.probs)), label = st.frame.probe ? st.frame.probe.label : null;
  for (const [s, y, size, opts] of [["probabilities", f1, 12, { weight: 600 }], ["softmax output", L.HEAD - 6, 11, { color: st.muted }]]) {
    text(st, s, x + w / 2, y, { size, ...opts });
    const tw = measure(st, s, size, opts.weight);
    if (L.heads) L.heads.push({ col: L.boxes.length, text: s, left: x + w / 2 - tw / 2, right: x + w / 2 + tw / 2, top: y - fs(st, size) * 0.8, bottom: y + fs(st, size) * 0.2 });
  }
  const labelW = Math.min(L.labelW, w * 0.5), barW = Math.max(w - labelW - L.pctW, 4);
  o.probs.forEach((p, k) => {
    const y = top + k * row;
    ctx.fillStyle = st.contrast ? "#ffffff" : "#eef0f3"; ctx.fillRect(x + labelW, y + 3, barW, row - 6);
    if (st.contrast) { ctx.strokeStyle = "#000"; ctx.lineWidth = 1; ctx.strokeRect(x + labelW + 0.5, y + 3.5, barW - 1, row - 7); }
    ctx.fillStyle = k === best ? (label === null || best === label ? PICK : WRONG) : st.contrast ? "#555b66" : PALETTE.frame;
    ctx.fillRect(x + labelW, y + 3, Math.max(barW * p, 1), row - 6);
  });
  // the words by font, so the canvas changes its font three times, not thirty
  o.probs.forEach((p, k) => {
    if (k !== best) text(st, o.classes[k], x + labelW - 4, top + k * row + row / 2, { align: "right", base: "middle",
      color: label !== null && k === label ? PICK : undefined });
  });
  text(st, o.classes[best], x + labelW - 4, top + best * row + row / 2, { align: "right", base: "middle", weight: 700,
    color: label !== null && best === label ? PICK : undefined });
  o.probs.forEach((p, k) => text(st, pct(p), x + labelW + barW + 3, top + k * row + row / 2, { size: 11, align: "left", base: "middle" }));
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
  const hint = st.data.clickable ? "<br><i>click to see how it is computed</i>" : "";
  return `${c.title} · map ${h.ch + 1} · row ${h.y + 1}, column ${h.x + 1}<br>≈ ${value.toPrecision(3)}${hint}`;
}

// -- kernels ------------------------------------------------------------------
function kernelsLayout(st, ks, W) {
  const f1 = fs(st, 12), f2 = fs(st, 11), f3 = fs(st, 10);
  let y = 0;
  const blocks = ks.map((kv) => {
    const title = wrap(st, kv.title + (st.frame.kernel_grads ? " · gradients" : ""), 12, 600, W);
    const rowsNote = kv.c > 1 ? wrap(st, `rows: its ${kv.c} input channels, ${kv.source} · columns: its ${kv.f} filters`, 11, 400, W) : [];
    const labelW = kv.c > 1 ? measure(st, `map ${kv.c}`, 10) + px(st, 8) : 0;
    const tile = Math.min(px(st, 44), Math.max(8, (W - labelW - 3 * (kv.f - 1)) / kv.f));
    const numbers = tile + 3 >= measure(st, String(kv.f), 10) + 2;
    const top = y + title.length * f1 * 1.25 + f2 * 1.6 + rowsNote.length * f2 * 1.3 + (numbers ? f3 * 1.3 : 0) + 4;
    const b = { y0: y, y: top, tile, kv, x: labelW, title, rowsNote, numbers };
    y = top + kv.c * (b.tile + 3) + px(st, 16);
    return b;
  });
  return { W, H: Math.max(y, 40), blocks };
}

function drawKernels(st, L) {
  const ks = st.frame.kernels, f1 = fs(st, 12), f2 = fs(st, 11), f3 = fs(st, 10);
  st.L = L;
  L.blocks.forEach((b, n) => {
    const kv = b.kv;
    let y = b.y0 + f1;
    for (const line of b.title) { text(st, line, 0, y, { align: "left", weight: 600 }); y += f1 * 1.25; }
    y += f2 * 0.35;
    // the colour scale: what the deepest orange and blue stand for (the layer's largest |value|)
    const what = st.frame.kernel_grads ? "gradient" : "weight";
    const lo = `−${kv.scale}`, hi = `+${kv.scale}`, barW = px(st, 64);
    const lw = measure(st, lo, 11);
    text(st, lo, 0, y, { size: 11, align: "left", color: st.muted });
    colourBar(st, lw + px(st, 4), y - f2 * 0.75, barW, f2 * 0.8, "signed");
    text(st, hi, lw + barW + px(st, 8), y, { size: 11, align: "left", color: st.muted });
    const note = `full colour: the layer's largest ${what}; grey: 0`, nx = lw + barW + measure(st, hi, 11) + px(st, 14);
    if (nx + measure(st, note, 11) <= st.width) text(st, note, nx, y, { size: 11, align: "left", color: st.muted });
    y += f2 * 1.3;
    for (const line of b.rowsNote) { text(st, line, 0, y, { size: 11, align: "left", color: st.muted }); y += f2 * 1.3; }
    if (b.numbers) for (let fi = 0; fi < kv.f; fi++)
      text(st, String(fi + 1), b.x + fi * (b.tile + 3) + b.tile / 2, b.y - 4, { size: 10, color: st.muted });
    for (let c = 0; c < kv.c; c++) {
      if (kv.c > 1) text(st, `map ${c + 1}`, b.x - px(st, 6), b.y + c * (b.tile + 3) + b.tile / 2, { size: 10, align: "right", base: "middle", color: st.muted });
      for (let fi = 0; fi < kv.f; fi++) {
        const x = b.x + fi * (b.tile + 3), yy = b.y + c * (b.tile + 3);
        blitPlane(st.ctx, st.kernelSheets[n], fi * kv.c + c, kv.k, kv.k, x, yy, b.tile, b.tile);
        if (st.contrast) { st.ctx.strokeStyle = "#000"; st.ctx.lineWidth = 1; st.ctx.strokeRect(x - 0.5, yy - 0.5, b.tile + 1, b.tile + 1); }
      }
    }
  });
}

function kernelsHit(st, mx, my) {
  for (const [n, b] of st.L.blocks.entries()) {
    const kv = b.kv, fi = Math.floor((mx - b.x) / (b.tile + 3)), c = Math.floor((my - b.y) / (b.tile + 3));
    if (fi >= 0 && fi < kv.f && c >= 0 && c < kv.c && (mx - b.x) % (b.tile + 3) < b.tile && (my - b.y) % (b.tile + 3) < b.tile) {
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
  const from = kv.c > 1 ? `, input channel ${h.c + 1} (map ${h.c + 1} of ${kv.source})` : "";
  return `filter ${h.fi + 1}${from}, row ${h.j + 1}, column ${h.i + 1}<br>${what} ≈ ${(((code - 128) / 127) * kv.scale).toPrecision(3)}` +
    (st.data.clickable ? "<br><i>click to see it slide over its input (and edit it, paused)</i>" : "");
}

// -- strip ----------------------------------------------------------------------
function stripLayout(st, s, W) {
  const side = px(st, W < 500 ? 44 : 56), f1 = fs(st, 12), f3 = fs(st, 10);
  const capW = Math.max(...s.classes.map((c) => measure(st, `${c} 100%`, 12, 600)));
  const labW = Math.max(...s.classes.map((c) => measure(st, `label ${c}`, 10)));
  const cellW0 = Math.max(side + px(st, 10), capW + px(st, 10), labW + px(st, 10));
  const perRow = Math.max(1, Math.floor(W / cellW0)), rowH = side + f1 * 1.25 + f3 * 1.35 + px(st, 8);
  const rows = Math.ceil(s.n / perRow);
  return { W, H: rows * rowH, side, cellW: W / perRow, perRow, rowH, f1, f3 };
}

function drawStrip(st, L) {
  const s = st.frame.strip, ctx = st.ctx;
  st.L = L;
  for (let i = 0; i < s.n; i++) {
    const x = (i % L.perRow) * L.cellW + (L.cellW - L.side) / 2, y = Math.floor(i / L.perRow) * L.rowH;
    const wrong = s.top[i][0][0] !== s.labels[i];
    blitPlane(ctx, st.stripSheet, i, st.stripSource.h, st.stripSource.w, x, y, L.side, L.side);
    ctx.lineWidth = px(st, i === s.selected ? 3 : wrong ? 2 : 1);
    ctx.strokeStyle = i === s.selected ? PICK : wrong ? WRONG : st.faint;
    ctx.strokeRect(x, y, L.side, L.side);
  }
  for (let pass = 0; pass < 2; pass++) for (let i = 0; i < s.n; i++) {      // the captions, one font at a time
    const x = (i % L.perRow) * L.cellW + L.cellW / 2, y = Math.floor(i / L.perRow) * L.rowH + L.side + L.f1 * 1.1;
    const [best, p] = s.top[i][0], wrong = best !== s.labels[i];
    if (pass === 0) text(st, `${s.classes[best]} ${pct(p)}`, x, y, { weight: 600, color: wrong ? WRONG : undefined });
    else text(st, wrong ? `label ${s.classes[s.labels[i]]}` : "✓ right", x, y + L.f3 * 1.3, { size: 10, color: wrong ? WRONG : st.muted });
  }
}

function stripHit(st, mx, my) {
  const L = st.L, i = Math.floor(my / L.rowH) * L.perRow + Math.floor(mx / L.cellW);
  return i >= 0 && i < st.frame.strip.n && mx < L.perRow * L.cellW ? { i } : null;
}

function stripTip(st, h) {
  const s = st.frame.strip, top = s.top[h.i].map(([k, p]) => `${s.classes[k]}: ${pct(p)}`).join("<br>");
  return `test image #${h.i + 1} · label ${s.classes[s.labels[h.i]]}<br>${top}<br><i>click to follow it through the network</i>`;
}

// -- confusion matrix -------------------------------------------------------------
function confusionLayout(st, m, W) {
  const k = m.classes.length, f2 = fs(st, 11);
  const nameW = Math.max(...m.classes.map((c) => measure(st, c, 11)));
  const labelW = Math.max(nameW, measure(st, "true ↓", 11)) + px(st, 10);
  const cell = Math.max(px(st, 16), Math.min(px(st, 40), (W - labelW - 8) / k));
  const turned = nameW > cell - 4;                    // long names (the bars') stand on end
  const headH = turned ? nameW + px(st, 8) : f2 * 1.4;
  const y0 = f2 * 1.5 + headH;
  const legendY = y0 + k * cell + px(st, 10);
  return { W, H: legendY + 2 * f2 * 1.45 + 4, k, cell, x0: labelW, y0, turned, legendY, f2 };
}

function drawConfusion(st, L) {
  const m = st.frame.confusion, ctx = st.ctx;
  st.L = L;
  text(st, "predicted →", L.x0 + (L.k * L.cell) / 2, L.f2 * 1.1, { size: 11, color: st.muted });
  text(st, "true ↓", 2, L.y0 - 4, { size: 11, align: "left", color: st.muted });
  m.classes.forEach((name, p) => {
    const cx = L.x0 + p * L.cell + L.cell / 2;
    if (!L.turned) { text(st, name, cx, L.y0 - 6, { size: 11 }); return; }
    ctx.save(); ctx.translate(cx, L.y0 - 5); ctx.rotate(-Math.PI / 2);
    text(st, name, 0, 0, { size: 11, align: "left", base: "middle", turned: true });
    ctx.restore(); st.fontSet = null;
  });
  m.matrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    text(st, m.classes[t], L.x0 - 6, L.y0 + t * L.cell + L.cell / 2, { size: 11, align: "right", base: "middle" });
    row.forEach((count, p) => {
      const share = count / total, end = t === p ? POS : NEG, v = t === p ? share : Math.min(1, share * 4);
      const rgb = [0, 1, 2].map((c) => Math.round(255 + (end[c] - 255) * v));
      ctx.fillStyle = `rgb(${rgb})`;
      ctx.fillRect(L.x0 + p * L.cell, L.y0 + t * L.cell, L.cell - 1, L.cell - 1);
      if (st.contrast) { ctx.strokeStyle = "#8a8f99"; ctx.lineWidth = 1; ctx.strokeRect(L.x0 + p * L.cell + 0.5, L.y0 + t * L.cell + 0.5, L.cell - 2, L.cell - 2); }
    });
  });
  const size = L.cell >= px(st, 30) ? 11 : 9;       // the counts, where they fit (all on hover)
  m.matrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, p) => {
      const v = t === p ? count / total : Math.min(1, (count / total) * 4);
      if (count && measure(st, String(count), size) <= L.cell - 3 && fs(st, size) <= L.cell - 2)
        text(st, String(count), L.x0 + p * L.cell + L.cell / 2, L.y0 + t * L.cell + L.cell / 2,
          { size, base: "middle", color: v > 0.55 ? "#fff" : st.contrast ? "#000" : "#31333f" });
    });
  });
  const sel = m.selected;
  if (sel) { ctx.lineWidth = 2; ctx.strokeStyle = RED; ctx.strokeRect(L.x0 + sel[1] * L.cell - 1, L.y0 + sel[0] * L.cell - 1, L.cell + 1, L.cell + 1); }
  // the colour scale: blue for the right answers (the diagonal), orange for the mistakes, by share of the row
  const barW = px(st, 56), barH = L.f2 * 0.8;
  let y = L.legendY + L.f2;
  for (const [kind, words] of [["right", ["right: 0", "100% of the row"]], ["wrong", ["wrong: 0", "25%+ of the row"]]]) {
    const w0 = measure(st, words[0], 11) + px(st, 4);
    text(st, words[0], 2, y, { size: 11, align: "left", color: st.muted });
    const g = ctx.createLinearGradient(2 + w0, 0, 2 + w0 + barW, 0), end = kind === "right" ? POS : NEG;
    g.addColorStop(0, "#ffffff"); g.addColorStop(1, `rgb(${end})`);
    ctx.fillStyle = g; ctx.fillRect(2 + w0, y - barH, barW, barH);
    ctx.strokeStyle = st.rule; ctx.lineWidth = 1; ctx.strokeRect(2.5 + w0, y - barH + 0.5, barW - 1, barH - 1);
    text(st, words[1], 2 + w0 + barW + px(st, 4), y, { size: 11, align: "left", color: st.muted });
    y += L.f2 * 1.45;
  }
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

// -- one feature map's computation: the kernel slides over its input ------------------------
const ACT = { linear: (z) => z, relu: (z) => Math.max(z, 0), leaky_relu: (z) => (z > 0 ? z : 0.01 * z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)), tanh: (z) => Math.tanh(z) };
const ACT_NAME = { linear: "linear", relu: "ReLU", leaky_relu: "Leaky ReLU", sigmoid: "sigmoid", tanh: "tanh" };
const SPEEDS = { slow: 1, medium: 4, fast: 15 };

// The numbers of output cell (oy, ox): for a conv cell each input channel's patch, products and
// sum, then z and the activation; for a pooling cell its window and the kept value.
function cellNumbers(c, oy, ox) {
  const k = c.k, y0 = oy * c.stride - c.pt, x0 = ox * c.stride - c.pl;
  const at = (ch, y, x) => (y < 0 || x < 0 || y >= c.h || x >= c.w ? 0 : c.input[(ch * c.h + y) * c.w + x]);
  const patch = [], products = [], sums = [];
  for (let ch = 0; ch < c.c; ch++) {
    const p = [], q = [];
    let s = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      const v = at(ch, y0 + i, x0 + j);
      p.push(v);
      if (c.kind === "conv") { const w = c.weights[(ch * k + i) * k + j]; q.push(v * w); s += v * w; }
    }
    patch.push(p); products.push(q); sums.push(s);
  }
  const value = c.out[oy * c.ow + ox];
  if (c.kind === "conv") {
    const total = sums.reduce((a, b) => a + b, 0), z = total + c.bias;
    return { y0, x0, patch, products, sums, total, z, result: (ACT[c.act] || ACT.linear)(z), value };
  }
  const win = patch[0], best = c.kind === "max" ? win.indexOf(Math.max(...win)) : -1;
  const result = c.kind === "max" ? win[best] : win.reduce((a, b) => a + b, 0) / win.length;
  return { y0, x0, patch, best, result, value };
}

function cellLayout(st, c, W) {
  const f2 = fs(st, 11), gap = px(st, 22), line = f2 * 1.35;
  const planeSide = Math.max(60, Math.min((W - gap) / 2, px(st, 300)));
  const colW = planeSide + gap - 6, outW = W - planeSide - gap - 2;       // the words of each column wrap in it
  const [oy, ox] = st.at, n = cellNumbers(c, oy, ox), show = Math.min(st.show, c.c - 1);
  const padT = c.pt, padL = c.pl, padB = Math.max(0, (c.oh - 1) * c.stride + c.k - c.h - c.pt);
  const padR = Math.max(0, (c.ow - 1) * c.stride + c.k - c.w - c.pl);
  const channelWord = c.c > 1 ? `, channel ${show + 1} of ${c.c}` : "";
  const scaleWord = c.image ? "ink from 0 (white) to 1 (black)" : `colours to ±${short(c.inScale)}`;
  const heads = [wrap(st, `input: ${c.source}${channelWord}`, 11, 600, colW), wrap(st, `output: ${c.title}, map ${c.channel + 1}`, 11, 600, outW)];
  const caps = [wrap(st, `${c.h}×${c.w} · ${scaleWord}${padT || padL || padB || padR ? " · dashed: zero padding" : ""}`, 11, 400, colW),
    wrap(st, `${c.oh}×${c.ow} · colours to ±${short(c.outScale)} (orange −, blue +)`, 11, 400, outW)];
  const topA = Math.max(heads[0].length, heads[1].length) * line + 4;
  const topCaps = topA + planeSide + f2 * 1.2;
  const numW = measure(st, "−0.00", 11) + px(st, 8), numH = f2 * 1.6;
  const grid = c.k * numW, op = measure(st, "=", 14, 700) + px(st, 14);
  const grids = c.kind === "conv" ? 3 : 1;
  const inRow = grids * grid + (grids - 1) * op <= W;
  const where = `At row ${oy + 1}, column ${ox + 1}` + (st.sliding ? " (sliding):" : oy === c.y && ox === c.x ? " (the cell you clicked):" : ":");
  const topB = topCaps + Math.max(caps[0].length, caps[1].length) * line + px(st, 10) + f2 * 1.2 + (inRow ? f2 * 1.3 : 0);
  const gridsH = inRow ? c.k * numH : grids * (c.k * numH + f2 * 1.6);
  const words = [];
  if (c.kind === "conv") {
    const parts = n.sums.slice(0, 6).map((s) => num(s, 3)).join(" + ") + (c.c > 6 ? " + …" : "");
    words.push(c.c > 1 ? `Products of all ${c.c} input channels: ${parts} = ${num(n.total, 4)}` : `Sum of the products = ${num(n.total, 4)}`);
    words.push(`plus the bias ${num(c.bias, 4)}: z = ${num(n.z, 4)};  ${ACT_NAME[c.act] || c.act}(z) = ${num(n.result, 4)}`);
    words.push(`The map holds ${num(n.value, 4)} here (the engine's own forward pass).`);
  } else words.push(`${c.kind === "max" ? "Max" : "Average"} pooling keeps ${num(n.result, 4)}; the map holds ${num(n.value, 4)}.`);
  const lines = words.flatMap((s) => wrap(st, s, 11, 400, W));
  const topC = topB + gridsH + px(st, 8) + f2;
  return { W, H: topC + lines.length * f2 * 1.5 + 4, planeSide, gap, numW, numH, grid, op, inRow, topA, topB, topC, topCaps,
    grids, n, show, oy, ox, pad: { padT, padL, padB, padR }, heads, caps, where, lines, line };
}

function drawCell(st, L) {
  const c = st.cell, ctx = st.ctx, f2 = fs(st, 11);
  st.L = L;
  const { n, show, oy, ox } = L, { padT, padL, padB, padR } = L.pad;
  // A: the input (one channel) with the window beside the output map with the cell
  const spanH = c.h + padT + padB, spanW = c.w + padL + padR, t = L.planeSide / Math.max(spanH, spanW);
  const ix = 0, iy = L.topA, ox0 = L.planeSide + L.gap;
  L.heads.forEach((lines, k) => lines.forEach((s, i) => text(st, s, k ? ox0 : ix, f2 + i * L.line, { size: 11, align: "left", weight: 600 })));
  if (padT || padL || padB || padR) {
    ctx.setLineDash([3, 3]); ctx.strokeStyle = st.muted; ctx.lineWidth = 1;
    ctx.strokeRect(ix + 0.5, iy + 0.5, spanW * t - 1, spanH * t - 1); ctx.setLineDash([]);
  }
  blitPlane(ctx, st.cellSheets.input, show, c.h, c.w, ix + padL * t, iy + padT * t, c.w * t, c.h * t);
  ctx.strokeStyle = st.rule; ctx.lineWidth = 1; ctx.strokeRect(ix + padL * t - 0.5, iy + padT * t - 0.5, c.w * t + 1, c.h * t + 1);
  const ot = L.planeSide / Math.max(c.oh, c.ow);
  blitPlane(ctx, st.cellSheets.out, 0, c.oh, c.ow, ox0, iy, c.ow * ot, c.oh * ot);
  if (st.sliding) {     // CNN Explainer's build-up: the cells the kernel has not reached yet are veiled
    ctx.fillStyle = "rgba(255,255,255,0.78)";
    for (let y = oy; y < c.oh; y++) {
      const from = y === oy ? ox + 1 : 0;
      if (from < c.ow) ctx.fillRect(ox0 + from * ot, iy + y * ot, (c.ow - from) * ot, ot);
    }
  }
  ctx.strokeStyle = st.rule; ctx.strokeRect(ox0 - 0.5, iy - 0.5, c.ow * ot + 1, c.oh * ot + 1);
  const wx = ix + (n.x0 + padL) * t, wy = iy + (n.y0 + padT) * t;
  ctx.lineWidth = 2; ctx.strokeStyle = RED;
  ctx.strokeRect(wx, wy, c.k * t, c.k * t);
  ctx.strokeRect(ox0 + ox * ot - 1, iy + oy * ot - 1, ot + 2, ot + 2);
  ctx.globalAlpha = PALETTE.connectAlpha; ctx.lineWidth = 1.5; ctx.beginPath();
  ctx.moveTo(wx + c.k * t, wy + (c.k * t) / 2); ctx.lineTo(ox0 + ox * ot, iy + oy * ot + ot / 2); ctx.stroke(); ctx.globalAlpha = 1;
  L.caps.forEach((lines, k) => lines.forEach((s, i) => text(st, s, k ? ox0 : ix, L.topCaps + i * L.line, { size: 11, align: "left", color: st.muted })));
  // B: the numbers at this position
  text(st, L.where, 0, L.topB - (L.inRow ? f2 * 1.5 : f2 * 0.4), { size: 11, align: "left", weight: 600 });
  const grids = c.kind === "conv"
    ? [["input patch", n.patch[show], null], ["kernel", st.kernelSlice(show), null], ["products", n.products[show], null]]
    : [[c.kind === "max" ? "window (the largest is kept)" : "window (their mean is kept)", n.patch[0], n.best]];
  let gx = 0, gy = L.topB;
  grids.forEach(([title, values, best], g) => {
    if (!L.inRow) { text(st, title, gx, gy + f2 * 0.9, { size: 11, align: "left", color: st.muted }); gy += f2 * 1.6; }
    else text(st, title, gx, gy - 3, { size: 11, align: "left", color: st.muted });
    drawNumbers(st, values, c.k, gx, gy, L, best);
    if (L.inRow) {
      if (g + 1 < grids.length) text(st, g === 0 ? "×" : "=", gx + L.grid + L.op / 2, gy + (c.k * L.numH) / 2, { size: 14, weight: 700, base: "middle" });
      gx += L.grid + L.op;
    } else gy += c.k * L.numH;
  });
  // C: the sum and the activation
  L.lines.forEach((s, i) => text(st, s, 0, L.topC + i * f2 * 1.5, { size: 11, align: "left" }));
}

function drawNumbers(st, values, k, x, y, L, best) {
  const ctx = st.ctx, scale = Math.max(...values.map(Math.abs), 1e-9);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    const v = values[i * k + j], cx = x + j * L.numW, cy = y + i * L.numH, code = signedCode(v, scale), p = signedRGB(code);
    ctx.fillStyle = `rgb(${p[0]},${p[1]},${p[2]})`; ctx.fillRect(cx, cy, L.numW - 1, L.numH - 1);
    if (best === i * k + j) { ctx.lineWidth = 2; ctx.strokeStyle = RED; ctx.strokeRect(cx + 1, cy + 1, L.numW - 3, L.numH - 3); }
    text(st, num(v), cx + L.numW / 2, cy + L.numH / 2, { size: 11, base: "middle", color: Math.abs(code - 128) > 80 ? "#fff" : "#000" });
  }
}

function cellHit(st, mx, my) {   // a cell of the output map, or of the input (the window's corner there)
  const c = st.cell, L = st.L;
  const ot = L.planeSide / Math.max(c.oh, c.ow), ox0 = L.planeSide + L.gap;
  const x = Math.floor((mx - ox0) / ot), y = Math.floor((my - L.topA) / ot);
  if (x >= 0 && x < c.ow && y >= 0 && y < c.oh) return { y, x };
  return null;
}

function cellTip(st, h) {
  const c = st.cell, v = c.out[h.y * c.ow + h.x];
  return `row ${h.y + 1}, column ${h.x + 1}: ${num(v, 4)}<br><i>click to put the kernel there</i>`;
}

const VIEWS = {
  overview: { draw: drawOverview, hit: overviewHit, tip: overviewTip, ready: (fr) => fr.overview, layout: (st) => overviewLayout(st, st.frame.overview, st.width) },
  kernels: { draw: drawKernels, hit: kernelsHit, tip: kernelsTip, ready: (fr) => fr.kernels, layout: (st) => kernelsLayout(st, st.frame.kernels, st.width) },
  strip: { draw: drawStrip, hit: stripHit, tip: stripTip, ready: (fr) => fr.strip, layout: (st) => stripLayout(st, st.frame.strip, st.width) },
  confusion: { draw: drawConfusion, hit: confusionHit, tip: confusionTip, ready: (fr) => fr.confusion, layout: (st) => confusionLayout(st, st.frame.confusion, st.width) },
  cell: { draw: drawCell, hit: cellHit, tip: cellTip, ready: (fr) => fr.cell, layout: (st) => cellLayout(st, st.cell, st.width) },
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
  } else if (view === "cell") decodeCell(st, fr.cell, cache);
  return true;
}

function decodeCell(st, raw, cache) {
  const c = { ...raw, input: floats(raw.data), out: floats(raw.out) };
  if (c.kind === "conv") c.weights = floats(raw.kernel);
  const id = `${c.pos}/${c.channel}/${c.y}/${c.x}/${c.show || 0}`;
  if (st.cellId !== id) {
    const kept = CELL_UI.id === id ? CELL_UI : null;   // the same cell in a remounted view: carry on
    st.cellId = id; st.at = kept ? kept.at : [c.y, c.x]; st.show = kept ? kept.show : c.show || 0;
    st.speed = kept ? kept.speed : st.speed;
    if (kept && kept.sliding) st.resume = true; else stopSliding(st);
  }
  c.inScale = Math.max(...c.input.map(Math.abs), 1e-9);
  c.outScale = Math.max(...c.out.map(Math.abs), 1e-9);
  const inCodes = c.input.map((v) => (c.image ? inkCode(v) : signedCode(v, c.inScale)));
  st.cellSheets = { input: sheet(cache, "cellInput", Uint8Array.from(inCodes), c.c, c.h, c.w, c.image ? INK : SIGNED),
    out: sheet(cache, "cellOut", Uint8Array.from(c.out, (v) => signedCode(v, c.outScale)), 1, c.oh, c.ow, SIGNED) };
  st.cell = c;
  st.kernelSlice = (ch) => Array.from(c.weights.subarray(ch * c.k * c.k, (ch + 1) * c.k * c.k));
  if (st.resume) { st.resume = false; startSliding(st); }
  syncControls(st);
}

// The cell view's own state (where the window is, sliding or not, the channel shown), kept on the
// window: Streamlit remounts the view when the page above it changes (Play hides the rewind row).
const CELL_UI = (window.__nnpCnnCell = window.__nnpCnnCell || {});
function keepCellUI(st) {
  Object.assign(CELL_UI, { id: st.cellId, at: st.at, show: st.show, sliding: !!st.sliding, speed: st.speed });
}

// Streamlit may remount a component, so what is sent once per run is kept per channel on the window.
const SAVED = (window.__nnpCnnStatic = window.__nnpCnnStatic || {});

function render(st) {
  const view = VIEWS[st.data.view];
  if (!st.frame || !view.ready(st.frame)) return;
  const width = st.root.clientWidth || 600, cs = getComputedStyle(st.root);
  st.width = width;
  st.style = { font: cs.fontFamily, ink: st.contrast ? "#000000" : cs.color };
  st.ctx = st.canvas.getContext("2d");
  st.fontSet = null;
  const L = view.layout(st), height = Math.ceil(L.H), dpr = window.devicePixelRatio || 1;
  if (st.canvas.width !== Math.round(width * dpr) || st.canvas.height !== Math.round(height * dpr)) {
    st.canvas.width = Math.round(width * dpr); st.canvas.height = Math.round(height * dpr);
    st.canvas.style.height = height + "px";
  }
  st.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  st.ctx.clearRect(0, 0, width, height);
  st.minFont = Infinity; st.overflow = 0; st.fontSet = null;     // a resized canvas forgets its font
  st.checking = st.frame.full !== false || st.data.view === "cell";  // paused frames, one a fragment run playing
  st.L = L;
  view.draw(st, L);
  drawFocus(st, st.ctx);
  try { summarize(st, SUMMARY[st.data.view](st)); } catch (err) { /* words never stop the drawing */ }
  if (st.checking) st.canvas.dataset.overflow = String(Math.round(st.overflow));
  if (st.data.view === "cell") keepCellUI(st);
  if (Number.isFinite(st.minFont)) st.canvas.dataset.minFont = String(Math.round(st.minFont * 10) / 10);
  st.tip.style.fontSize = fs(st, 12) + "px";
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
    else if (view === "kernels") st.trigger("pick", { conv: h.n, filter: h.fi, channel: h.c });
    else if (view === "cell") { stopSliding(st); st.at = [h.y, h.x]; render(st); }
  });
  new ResizeObserver(() => render(st)).observe(st.root);
}

// -- the keyboard and a screen reader (issue 22) ------------------------------------------------
// Every view's cells are reached with the arrow keys (the focused one ringed and read out) and Enter
// does what a click does; each view keeps a short text of what it shows (the overview reads it out).
const clampTo = (v, n) => Math.max(0, Math.min(n - 1, v));
const arrows = (e) => [e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0, e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? -1 : 0];
const byKey = (text) => (text || "").replace(/click to/g, "Enter to");

function overviewAt(st, cur) {  // the cursor within what the overview draws now
  const boxes = st.L.boxes, k = clampTo(cur.k, boxes.length - 1) || Math.min(1, boxes.length - 1), c = boxes[k].col;
  const dense = c.h === 1 && c.w === 1;
  return { k, ch: clampTo(cur.ch, dense ? Math.min(c.c, 128) : c.c), y: dense ? 0 : clampTo(cur.y, c.h), x: dense ? 0 : clampTo(cur.x, c.w), dense };
}

const NAV = {
  overview: {
    keys: "Arrow keys move between the cells of a feature map; Page Up and Page Down go to the previous or next map, Home and End to the previous or next layer; Enter shows how the cell is computed.",
    first: () => ({ k: 1, ch: 0, y: 0, x: 0 }),
    move: (st, cur, e) => {
      const h = overviewAt(st, cur), [dx, dy] = arrows(e);
      if (e.key === "Home" || e.key === "End") return overviewAt(st, { ...h, k: Math.max(1, h.k + (e.key === "End" ? 1 : -1)) });
      if (e.key === "PageUp" || e.key === "PageDown") return overviewAt(st, { ...h, ch: h.ch + (e.key === "PageDown" ? 1 : -1) });
      return h.dense ? overviewAt(st, { ...h, ch: h.ch + dy }) : overviewAt(st, { ...h, x: h.x + dx, y: h.y + dy });
    },
    activate: (st, cur) => {
      const h = overviewAt(st, cur), c = st.L.boxes[h.k].col;
      if (!h.dense && st.data.clickable) st.trigger("cell", { pos: c.pos, channel: h.ch, y: h.y, x: h.x });
    },
    describe: (st, cur) => byKey(overviewTip(st, overviewAt(st, cur))),
    rect: (st, cur) => { const h = overviewAt(st, cur); return mapRect(st.L.boxes[h.k], h.ch, h.y, h.x); },
  },
  kernels: {
    keys: "Arrow keys move between the kernels (left and right: filters; up and down: input channels); Page Up and Page Down go to the previous or next layer; Enter opens the kernel sliding over its input.",
    first: () => ({ n: 0, fi: 0, c: 0 }),
    at: (st, cur) => { const n = clampTo(cur.n, st.L.blocks.length), kv = st.L.blocks[n].kv; return { n, fi: clampTo(cur.fi, kv.f), c: clampTo(cur.c, kv.c) }; },
    move: (st, cur, e) => {
      const h = NAV.kernels.at(st, cur), [dx, dy] = arrows(e);
      if (e.key === "PageUp" || e.key === "PageDown") return NAV.kernels.at(st, { ...h, n: h.n + (e.key === "PageDown" ? 1 : -1) });
      return NAV.kernels.at(st, { ...h, fi: h.fi + dx, c: h.c + dy });
    },
    activate: (st, cur) => { const h = NAV.kernels.at(st, cur); if (st.data.clickable) st.trigger("pick", { conv: h.n, filter: h.fi, channel: h.c }); },
    describe: (st, cur) => {
      const h = NAV.kernels.at(st, cur), kv = st.L.blocks[h.n].kv, codes = st.kernelCodes[h.n], k = kv.k;
      const rows = [...Array(k).keys()].map((j) => [...Array(k).keys()].map((i) =>
        num(((codes[((h.fi * kv.c + h.c) * k + j) * k + i] - 128) / 127) * kv.scale)).join(" ")).join("; ");
      const from = kv.c > 1 ? `, input channel ${h.c + 1}` : "";
      return `${kv.title}: filter ${h.fi + 1}${from}, ${st.frame.kernel_grads ? "gradients" : "weights"} row by row: ${rows}` +
        (st.data.clickable ? ". Enter to see it slide over its input" : "");
    },
    rect: (st, cur) => { const h = NAV.kernels.at(st, cur), b = st.L.blocks[h.n]; return { x: b.x + h.fi * (b.tile + 3), y: b.y + h.c * (b.tile + 3), w: b.tile, h: b.tile }; },
  },
  strip: {
    keys: "Arrow keys move between the test images; Enter follows the image through the network.",
    first: (st) => ({ i: Math.max(0, st.frame && st.frame.strip.selected >= 0 ? st.frame.strip.selected : 0) }),
    move: (st, cur, e) => {
      const n = st.frame.strip.n, [dx, dy] = arrows(e);
      if (e.key === "Home" || e.key === "End") return { i: e.key === "Home" ? 0 : n - 1 };
      return { i: clampTo(cur.i + dx + dy * st.L.perRow, n) };
    },
    activate: (st, cur) => { if (st.data.clickable) st.trigger("probe", clampTo(cur.i, st.frame.strip.n)); },
    describe: (st, cur) => byKey(stripTip(st, { i: clampTo(cur.i, st.frame.strip.n) })),
    rect: (st, cur) => { const L = st.L, i = clampTo(cur.i, st.frame.strip.n);
      return { x: (i % L.perRow) * L.cellW + (L.cellW - L.side) / 2, y: Math.floor(i / L.perRow) * L.rowH, w: L.side, h: L.side }; },
  },
  confusion: {
    keys: "Arrow keys move between the cells (down: the true class, right: the network's answer); Enter shows those test images.",
    first: () => ({ t: 0, p: 0 }),
    move: (st, cur, e) => { const [dx, dy] = arrows(e), k = st.L.k; return { t: clampTo(cur.t + dy, k), p: clampTo(cur.p + dx, k) }; },
    activate: (st, cur) => { if (st.data.clickable) st.trigger("confusion", { true: cur.t, pred: cur.p }); },
    describe: (st, cur) => byKey(confusionTip(st, { t: clampTo(cur.t, st.L.k), p: clampTo(cur.p, st.L.k) })),
    rect: (st, cur) => ({ x: st.L.x0 + cur.p * st.L.cell, y: st.L.y0 + cur.t * st.L.cell, w: st.L.cell, h: st.L.cell }),
  },
  cell: {   // the cursor is the window's place (st.at): the arithmetic under the drawing follows it
    keys: "Arrow keys move the kernel's window over the input, one output cell at a time; Home goes back to the cell you picked. The numbers of each position are read out.",
    first: () => ({ cell: true }),
    move: (st, cur, e) => {
      const c = st.cell, [dx, dy] = arrows(e);
      if (!c) return cur;
      stopSliding(st);
      st.at = e.key === "Home" ? [c.y, c.x] : [clampTo(st.at[0] + dy, c.oh), clampTo(st.at[1] + dx, c.ow)];
      render(st);
      return cur;
    },
    describe: (st) => {
      const c = st.cell, L = st.L;
      if (!c || !L.lines) return "";
      return `${c.title}, map ${c.channel + 1}, row ${st.at[0] + 1}, column ${st.at[1] + 1}. ${L.lines.join(" ")}`;
    },
    rect: (st) => {
      const c = st.cell, L = st.L, ot = L.planeSide / Math.max(c.oh, c.ow);
      return { x: L.planeSide + L.gap + st.at[1] * ot, y: L.topA + st.at[0] * ot, w: ot, h: ot };
    },
  },
};

// What each view shows, in words (a screen reader's alternative to the picture).
const SUMMARY = {
  overview: (st) => {
    const o = st.frame.overview, best = o.probs.indexOf(Math.max(...o.probs)), label = st.frame.probe ? st.frame.probe.label : null;
    const order = o.probs.map((p, k) => [p, k]).sort((a, b) => b[0] - a[0]);
    const second = order.length > 1 ? `, then ${o.classes[order[1][1]]} (${pct(order[1][0])})` : "";
    const layers = o.columns.slice(1).map((c) => (c.h === 1 && c.w === 1 ? `${c.title} ${c.c} units` : `${c.title} ${c.c} maps of ${c.h}×${c.w}`)).join(", ");
    return `${label !== null ? `A test image labelled ${o.classes[label]}` : "The image"} through the network: it answers ` +
      `${o.classes[best]} (${pct(o.probs[best])})${second}${label !== null ? (best === label ? ", right" : ", wrong") : ""}. Layers: ${layers}.`;
  },
  kernels: (st) => st.frame.kernels.map((kv) => `${kv.title}: the largest ${st.frame.kernel_grads ? "gradient" : "weight"} ${kv.scale}`).join(". ") + ".",
  strip: (st) => {
    const s = st.frame.strip, wrong = [...Array(s.n).keys()].filter((i) => s.top[i][0][0] !== s.labels[i]);
    const says = wrong.slice(0, 5).map((i) => `image ${i + 1}, labelled ${s.classes[s.labels[i]]}, read as ${s.classes[s.top[i][0][0]]}`).join("; ");
    return `${s.n} test images: ${s.n - wrong.length} read right, ${wrong.length} wrong${says ? ": " + says : ""}.`;
  },
  confusion: (st) => {
    const m = st.frame.confusion, k = m.classes.length;
    let right = 0, total = 0, worst = null;
    m.matrix.forEach((row, t) => row.forEach((n, p) => { total += n; if (t === p) right += n; else if (!worst || n > worst[0]) worst = [n, t, p]; }));
    const mistake = worst && worst[0] ? ` The commonest mistake: ${m.classes[worst[1]]} read as ${m.classes[worst[2]]}, ${worst[0]} times.` : "";
    return `Confusion matrix of ${total} test images in ${k} classes: ${total ? Math.round((100 * right) / total) : 0}% on the diagonal (right).${mistake}`;
  },
  cell: (st) => (st.L && st.L.lines ? `${st.L.where} ${st.L.lines.join(" ")}` : ""),
};

// -- the cell view's controls: slide the kernel, pick the channel, edit the kernel (paused) ----
const PRESETS = {
  "Vertical edge": (i, j, c) => Math.sign(j - c),
  "Horizontal edge": (i, j, c) => Math.sign(i - c),
  "Vertical line": (i, j, c, k) => (j === c ? k - 1 : -1),
  "Horizontal line": (i, j, c, k) => (i === c ? k - 1 : -1),
  "Blur": (i, j, c, k) => +(1 / (k * k)).toFixed(4),
  "Identity": (i, j, c) => +(i === c && j === c),
};

function cellControls(st) {
  const bar = st.root.querySelector(".bar"), editor = st.root.querySelector(".editor");
  bar.innerHTML = '<button class="slide" type="button"></button><button class="back" type="button" title="One position back">◀</button>' +
    '<button class="next" type="button" title="One position on">▶</button><label>Speed <select class="speed">' +
    Object.keys(SPEEDS).map((s) => `<option value="${s}">${s} (${SPEEDS[s]}/s)</option>`).join("") + "</select></label>" +
    '<span class="chan"><button class="cprev" type="button" title="The previous input channel">◀</button><span class="cname"></span>' +
    '<button class="cnext" type="button" title="The next input channel">▶</button></span>' +
    '<button class="home" type="button" title="Back to the cell you clicked">Clicked cell</button>';
  bar.querySelectorAll("button[title]").forEach((b) => b.setAttribute("aria-label", b.title));
  bar.querySelector(".slide").onclick = () => (st.sliding ? stopSliding(st) : startSliding(st));
  bar.querySelector(".back").onclick = () => { stopSliding(st); move(st, -1); };
  bar.querySelector(".next").onclick = () => { stopSliding(st); move(st, 1); };
  bar.querySelector(".speed").onchange = (e) => { st.speed = e.target.value; if (st.sliding) startSliding(st); };
  bar.querySelector(".cprev").onclick = () => { st.show = Math.max(0, st.show - 1); syncControls(st); render(st); };
  bar.querySelector(".cnext").onclick = () => { st.show = Math.min(st.cell.c - 1, st.show + 1); syncControls(st); render(st); };
  st.speed = st.speed || "medium";
  bar.querySelector(".home").onclick = () => { stopSliding(st); st.at = [st.cell.y, st.cell.x]; render(st); };
  editor.innerHTML = '<div class="head"></div><div class="row"><div class="grid"></div><label class="bias">bias <input type="text" inputmode="decimal"></label></div>' +
    '<div class="row"><button class="apply" type="button">Apply</button><span class="presets"></span></div><div class="note"></div>';
  editor.querySelector(".presets").innerHTML = Object.keys(PRESETS).map((p) => `<button type="button" data-p="${p}">${p}</button>`).join("");
  editor.querySelector(".apply").onclick = () => sendKernel(st, readEditor(st));
  editor.querySelectorAll(".presets button").forEach((b) => (b.onclick = () => {
    const k = st.cell.k, c = (k - 1) / 2, f = PRESETS[b.dataset.p];
    sendKernel(st, { weights: [...Array(k * k).keys()].map((n) => f(Math.floor(n / k), n % k, c, k)), bias: 0 });
  }));
  editor.addEventListener("keydown", (e) => { if (e.key === "Enter") sendKernel(st, readEditor(st)); });
}

function readEditor(st) {
  const cells = [...st.root.querySelectorAll(".editor .grid input")].map((e) => Number(e.value.replace("−", "-")));
  return { weights: cells, bias: Number(st.root.querySelector(".editor .bias input").value.replace("−", "-")) };
}

function sendKernel(st, { weights, bias }) {
  const note = st.root.querySelector(".editor .note");
  if (!st.cell.editable) return;
  if (!weights.every(Number.isFinite) || !Number.isFinite(bias)) { note.textContent = "Type a number in every box."; return; }
  note.textContent = "";
  st.trigger("kernel", { pos: st.cell.pos, filter: st.cell.channel, channel: st.show, weights: weights.join(","), bias });
}

function syncControls(st) {
  const c = st.cell, bar = st.root.querySelector(".bar"), editor = st.root.querySelector(".editor");
  if (!c || !bar.firstChild) return;
  bar.querySelector(".slide").textContent = st.sliding ? "⏸ Pause" : c.kind === "conv" ? "▶ Slide the kernel" : "▶ Slide the window";
  bar.querySelector(".chan").style.display = c.c > 1 ? "" : "none";
  bar.querySelector(".cname").textContent = ` input channel ${st.show + 1} of ${c.c} `;
  bar.querySelector(".speed").value = st.speed;
  st.root.style.setProperty("--cnnv-font", `${Math.max(14, fs(st, 12))}px`);
  editor.style.display = c.kind === "conv" ? "" : "none";
  if (c.kind !== "conv") return;
  const k = c.k, grid = editor.querySelector(".grid");
  editor.querySelector(".head").textContent = c.editable
    ? `Edit filter ${c.channel + 1}'s kernel${c.c > 1 ? ` for input channel ${st.show + 1}` : ""}: type weights (±${c.limit} at most) and press Apply, or pick a kernel. Its map above changes at once.`
    : "Pause to edit this kernel.";
  if (grid.children.length !== k * k) {
    grid.style.gridTemplateColumns = `repeat(${k}, auto)`;
    grid.innerHTML = Array.from({ length: k * k }, () => '<input type="text" inputmode="decimal">').join("");
  }
  const focus = st.root.getRootNode().activeElement || document.activeElement;   // inside a shadow root, its own
  const typing = !!focus && focus.tagName === "INPUT" && editor.contains(focus);
  const key = `${st.cellId}/${st.show}/${c.weights.join(",")}/${c.bias}`;
  if (!typing && st.editorKey !== key) {
    st.editorKey = key;
    const slice = st.kernelSlice(st.show);
    grid.querySelectorAll("input").forEach((e, n) => { e.value = String(+slice[n].toFixed(4)); });
    editor.querySelector(".bias input").value = String(+c.bias.toFixed(4));
  }
  editor.querySelectorAll("input, button").forEach((e) => { e.disabled = !c.editable; });
  grid.querySelectorAll("input").forEach((e, n) => e.setAttribute("aria-label", `weight row ${Math.floor(n / k) + 1}, column ${(n % k) + 1}`));
  editor.querySelector(".bias input").setAttribute("aria-label", "bias");
}

function move(st, by) {
  if (!st.root.isConnected) { clearInterval(st.slider); return; }     // a view Streamlit replaced
  const c = st.cell, n = c.oh * c.ow, i = (st.at[0] * c.ow + st.at[1] + by + n) % n;
  st.at = [Math.floor(i / c.ow), i % c.ow];
  render(st);
}

function startSliding(st) {
  clearInterval(st.slider);
  st.sliding = true;
  st.slider = setInterval(() => move(st, 1), 1000 / SPEEDS[st.speed]);
  syncControls(st); render(st);
}

function stopSliding(st) {
  clearInterval(st.slider);
  if (st.sliding) { st.sliding = false; syncControls(st); render(st); }
  if (st.cellId) keepCellUI(st);
}

function onFrame(st, frame) {
  if (!VIEWS[st.data.view].ready(frame) || !decode(st, frame)) return;
  st.frame = frame;
  render(st);
  guardCanvas(st, st.canvas);      // three flashes (WCAG 2.3.1): a frame that would flash waits (_shared.js)
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const cell = data.view === "cell";
  const root = mountRoot(parentElement, "cnnv", (cell ? '<div class="bar"></div>' : "") + '<canvas></canvas><div class="tip"></div>' +
    (cell ? '<div class="editor"></div>' : ""));
  const st = root.__state || (root.__state = { root, canvas: root.querySelector("canvas"), tip: root.querySelector(".tip") });
  st.data = data;
  look(st);
  st.trigger = setTriggerValue;
  st.channel = data.channel;
  st.nav = NAV[data.view]; st.redraw = () => render(st);
  st.guardCanvas = guardCanvas;     // tests/e2e/test_accessibility_e2e.py feeds it flashing pictures
  accessible(st, st.canvas, { name: data.label || data.view, keys: st.nav.keys, live: data.view === "overview" && !!data.live });
  root.classList.toggle("contrast", st.contrast);
  root.style.setProperty("--cnnv-font", `${fs(st, 12)}px`);
  if (cell && !root.querySelector(".bar").firstChild) cellControls(st);
  if (data.live) watchVisibility(setTriggerValue);
  if (!st.installed) { install(st); st.installed = true; }
  if (!st.timer) pollChannel(st, (frame) => onFrame(st, frame));
  if (cell && st.sliding && st.cell) startSliding(st);        // the same view mounted again: slide on
  return () => { cancelAnimationFrame(st.timer); st.timer = null; clearInterval(st.slider); };
}
