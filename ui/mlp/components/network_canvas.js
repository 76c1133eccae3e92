// The MLP's network and output plane on one canvas (TensorFlow Playground's view): the features,
// the hidden layers with every neuron's map, and the output column: the loss and its curve, the
// output over the plane with the points, and the colour legend under it.
// Python sends a compact frame (viz/network_view.py) on a channel, and what changes only with the
// data or the features on a second one ("<channel>-static"). Clicks go back through a queue (send):
// "feature" (toggle an input), "shape" (+/-), "edit" (a weight or bias), "plot_click" (a point),
// "focus" (the hovered tile, whose map the output plot shows), "visibility" (the tab hidden or shown).
//
// Sizes are in layout units; the drawing is zoomed to fit the box (st.zoom CSS px a unit). Text is
// sized in CSS px whatever the zoom (12 px; in presenter mode 12.8 px times the presenter's size, so
// 16 px and more at 125 %), and the canvas reports the smallest font it drew as data-min-font.
const TILE = 34, PITCH = 46, PITCH_STACKED = 42, MARGIN = 10, MAX_LAYERS = 6, MAX_UNITS = 8;
const DESIGN_WIDTH = 900;   // layout units of a wide box at zoom 1 (presenter mode zooms in further)
const MIN_LAYOUT = 600;     // the narrowest wide layout; narrower boxes zoom out
const STACK_BELOW = 560;    // boxes narrower than this (CSS px, phones) put the output under the network
const MIN_STACKED = 440;    // the narrowest network alone; narrower boxes zoom out
const MAX_PLOT = 380, MIN_PLOT = 140;
const SHORT = { sigmoid: "sigm", leaky_relu: "leaky", linear: "lin", relu: "ReLU" };   // activations in narrow columns

function lut(p) {
  const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const neg = hex(p.neg), mid = hex(p.mid), pos = hex(p.pos), out = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const v = i / 127.5 - 1, end = v < 0 ? neg : pos, t = Math.abs(v);
    for (let c = 0; c < 3; c++) out[3 * i + c] = mid[c] + (end[c] - mid[c]) * t;
  }
  return out;
}

const LUTS = new Map();
function lutOf(p) {  // one colour table per palette, made once
  const key = p.neg + p.mid + p.pos;
  if (!LUTS.has(key)) LUTS.set(key, lut(p));
  return LUTS.get(key);
}

const hexRgb = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const lighter = (rgb) => rgb.map((v) => Math.round(v + 0.3 * (255 - v)));   // a discretized area: points in it still show

function bytes(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// Maps come packed (viz/network_view.py, pack): each row of ``side`` cells as differences, deflated.
async function unpack(b64, side) {
  const stream = new Blob([bytes(b64)]).stream().pipeThrough(new DecompressionStream("deflate"));
  const out = new Uint8Array(await new Response(stream).arrayBuffer());
  for (let i = 0; i < out.length; i += side) {
    let acc = 0;
    for (let j = 0; j < side; j++) { acc = (acc + out[i + j]) & 255; out[i + j] = acc; }
  }
  return out;
}

// Offscreen canvases are kept and refilled: a new canvas and context per tile and frame
// cost more than all the drawing (Chrome's profiler: getContext, putImageData, garbage).
function offscreen(st, name, w, h) {
  const pool = st.offscreen || (st.offscreen = {});
  let c = pool[name];
  if (!c || c.width !== w || c.height !== h) {
    c = pool[name] = document.createElement("canvas");
    c.width = w; c.height = h;
    c.ctx = c.getContext("2d"); c.img = c.ctx.createImageData(w, h);
  }
  return c;
}

function image(st, name, size, fill) {  // a square offscreen image filled pixel by pixel: fill(x, y) -> [r, g, b]
  const c = offscreen(st, name, size, size), px = c.img.data;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const rgb = fill(x, size - 1 - y), k = 4 * (y * size + x);   // row 0 of a map is x2 = -extent
    px[k] = rgb[0]; px[k + 1] = rgb[1]; px[k + 2] = rgb[2]; px[k + 3] = 255;
  }
  c.ctx.putImageData(c.img, 0, 0);
  return c;
}

function tiles(st, name, codes, count, size, colors) {  // ``count`` maps side by side on one canvas
  const c = offscreen(st, name, Math.max(count, 1) * size, size), px = c.img.data, w = c.width, t2 = size * size;
  for (let m = 0; m < count; m++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const v = codes[m * t2 + (size - 1 - y) * size + x], k = 4 * (y * w + m * size + x);
    px[k] = colors[3 * v]; px[k + 1] = colors[3 * v + 1]; px[k + 2] = colors[3 * v + 2]; px[k + 3] = 255;
  }
  c.ctx.putImageData(c.img, 0, 0);
  return c;
}

// A map of side r sampled at fractional cell (x, y): bilinear, so a boundary drawn from it is a
// smooth line and not the grid's staircase.
function sample(codes, offset, r, x, y) {
  const x0 = Math.min(Math.floor(x), r - 2), y0 = Math.min(Math.floor(y), r - 2), fx = x - x0, fy = y - y0;
  const i = offset + y0 * r + x0;
  return (codes[i] * (1 - fx) + codes[i + 1] * fx) * (1 - fy) + (codes[i + r] * (1 - fx) + codes[i + r + 1] * fx) * fy;
}

// -- text: sized in CSS px, whatever the zoom --------------------------------------------------
function setFont(st, px, weight = "") {  // px: CSS pixels; the context draws in layout units
  st.ctx.font = `${weight} ${px / st.zoom}px ${st.font}`;
  st.minFont = Math.min(st.minFont, px);
}

function textWidth(st, text, px) {
  setFont(st, px);
  return st.ctx.measureText(text).width;
}

// -- layout ------------------------------------------------------------------------------------
function layout(st, width, stacked, maxHeight) {
  const d = st.data, z = st.zoom, F = st.fontPx, fs = F / z, s = TILE;
  const bs = Math.max(18, st.buttonPx / z), line = 1.25 * fs;
  const rows = Math.max(d.inputs.length, ...d.layers.map((l) => l.units)), pitch = stacked ? PITCH_STACKED : PITCH;
  const yButtons = 4, yLayerButtons = yButtons + bs + 4;
  const head = yLayerButtons + bs + 4 + 3 * line + 4;              // tiles start: under the three header lines
  const netBottom = head + rows * pitch;
  const labelW = Math.max(...d.inputs.map((f) => textWidth(st, f.label, F))) + 10;
  const tickW = textWidth(st, "−6", F) + 8, n = d.layers.length;
  // The narrowest a column can be (a tile, room for its links, its header in short words) and the
  // width the whole wide layout needs with them: render zooms out, or stacks, when the box is narrower.
  const column = Math.max(s + 24, ...["8", "leaky", "sigm"].map((t) => textWidth(st, t, F) + 8));
  const network = MARGIN + labelW + n * column;
  const needed = network + (stacked ? MARGIN : 40 + MIN_PLOT + tickW + MARGIN);
  // the output column: the losses, their curve, the plot, its ticks and legend
  const lossLines = 2, chartH = Math.max(34, 2.6 * fs);
  const below = line + 6 + 10 + line + 4;                          // x ticks, legend bar, legend labels
  let plot, plotX, outTop, last;
  if (stacked) {
    plot = Math.min(width - 2 * MARGIN - tickW, MAX_PLOT);
    plotX = (width - plot - tickW) / 2; outTop = netBottom + 12; last = width - MARGIN - s - 10;
  } else {
    outTop = yLayerButtons;
    const room = maxHeight - (outTop + lossLines * line + chartH + 10) - below;
    plot = Math.max(MIN_PLOT, Math.min(width * 0.4, MAX_PLOT, room, width - network - 40 - tickW - MARGIN));
    plotX = width - MARGIN - tickW - plot; last = plotX - 40 - s;
  }
  const lossY = outTop + line, chart = { x: plotX, y: outTop + lossLines * line + 2, w: plot, h: chartH };
  const plotY = chart.y + chartH + 8;
  const height = Math.max(stacked ? 0 : netBottom, plotY + plot + below);
  const x0 = MARGIN + labelW, xs = [x0];
  for (let k = 0; k < n; k++) xs.push(n === 1 ? last : x0 + ((k + 1) * (last - x0)) / n);
  const columns = [d.inputs.length, ...d.layers.map((l) => l.units)].map((count, c) => {
    const top = head + ((rows - count) * pitch) / 2;
    return Array.from({ length: count }, (_, r) => ({ x: xs[c], y: top + r * pitch }));
  });
  // +/- buttons: the number of hidden layers on top, the neurons above each hidden layer
  const hidden = n - 1, buttons = [];
  const button = (x, y, delta, action, tip) => buttons.push({ x, y, delta, action, tip });
  const first = xs[hidden ? 1 : 0] + s / 2, lastX = xs[hidden ? hidden : n] + s / 2, mid = (first + lastX) / 2;
  const titleW = textWidth(st, "6 HIDDEN LAYERS", F);
  button(mid - titleW / 2 - bs - 6, yButtons, -1, { layer: -1, delta: -1 }, "remove a hidden layer");
  button(mid + titleW / 2 + 6, yButtons, 1, { layer: -1, delta: 1 }, "add a hidden layer");
  for (let k = 0; k < hidden; k++) {
    const x = xs[k + 1] + s / 2;
    button(x - bs - 2, yLayerButtons, -1, { layer: k, delta: -1 }, `remove a neuron from layer ${k + 1}`);
    button(x + 2, yLayerButtons, 1, { layer: k, delta: 1 }, `add a neuron to layer ${k + 1}`);
  }
  return { s, width, height, columns, buttons, bs, fs, line, head, hiddenMid: mid, yButtons, lossY, chart, needed,
           plot: { x: plotX, y: plotY, size: plot } };
}

function links(d, L) {  // every weight as a curve from a source tile to a target tile
  const out = [], active = d.inputs.map((f, i) => (f.active ? i : -1)).filter((i) => i >= 0);
  d.layers.forEach((layer, k) => {
    layer.weights.forEach((row, i) => row.forEach((w, j) => {
      const src = L.columns[k][k === 0 ? active[i] : i], dst = L.columns[k + 1][j];
      out.push({ k, i, j, w, a: { x: src.x + L.s, y: src.y + L.s / 2 }, b: { x: dst.x, y: dst.y + L.s / 2 } });
    }));
  });
  return out;
}

function bezier(a, b, t) {
  const mx = (a.x + b.x) / 2, u = 1 - t;
  return { x: u * u * u * a.x + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * b.x,
           y: u * u * u * a.y + 3 * u * u * t * a.y + 3 * u * t * t * b.y + t * t * t * b.y };
}

// -- drawing -----------------------------------------------------------------------------------
function look(st) {  // colours: the theme's, or black on white with stronger lines (high contrast)
  const hi = st.data.view && st.data.view.contrast;
  return { text: hi ? "#000000" : st.txt, muted: hi ? "#000000" : "#6b6f7b", border: hi ? "#000000" : "#555555",
           faint: hi ? "#444444" : PALETTE.frame, line: hi ? 1.6 : 1, hi };
}

function drawButtons(st, c) {
  const ctx = st.ctx, d = st.data, L = st.L, hidden = d.layers.length - 1, bs = L.bs, r = bs / 2;
  for (const b of L.buttons) {
    const units = b.action.layer >= 0 ? d.layers[b.action.layer].units : hidden;
    const limit = b.action.layer >= 0 ? MAX_UNITS : MAX_LAYERS, lowest = b.action.layer >= 0 ? 1 : 0;
    b.enabled = b.delta > 0 ? units < limit : units > lowest;
    ctx.globalAlpha = b.enabled ? 1 : 0.3;
    ctx.fillStyle = c.hi ? "#ffffff" : "#f0f2f6"; ctx.strokeStyle = c.hi ? "#000000" : c.faint; ctx.lineWidth = c.line;
    ctx.beginPath(); ctx.arc(b.x + r, b.y + r, r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.strokeStyle = c.text; ctx.lineWidth = Math.max(1.6, bs / 10); ctx.beginPath();
    ctx.moveTo(b.x + 0.28 * bs, b.y + r); ctx.lineTo(b.x + 0.72 * bs, b.y + r);
    if (b.delta > 0) { ctx.moveTo(b.x + r, b.y + 0.28 * bs); ctx.lineTo(b.x + r, b.y + 0.72 * bs); }
    ctx.stroke(); ctx.globalAlpha = 1;
  }
  ctx.fillStyle = c.text; ctx.textAlign = "center"; ctx.textBaseline = "middle";
  setFont(st, st.fontPx, "600");
  ctx.fillText(`${hidden} HIDDEN LAYER${hidden === 1 ? "" : "S"}`, L.hiddenMid, L.yButtons + bs / 2);
}

function draw(st) {
  const d = st.data, ctx = st.ctx, L = st.L, pal = d.palette, colors = lutOf(pal), c = look(st);
  const dpr = window.devicePixelRatio || 1, z = st.zoom;
  const w = Math.round(L.width * z * dpr), h = Math.round(L.height * z * dpr);
  if (st.canvas.width !== w || st.canvas.height !== h) {   // resizing reallocates the canvas: only when it changes
    st.canvas.width = w; st.canvas.height = h; st.canvas.style.height = L.height * z + "px";
  }
  ctx.setTransform(dpr * z, 0, 0, dpr * z, 0, 0);
  ctx.clearRect(0, 0, L.width, L.height);
  st.minFont = Infinity;
  // links first, under the tiles: the thinnest still 3:1 on white (viz.palette's line colours and
  // least opacity: WCAG 1.4.11), the magnitude in the width and the rest of the opacity
  const wmax = 3;
  for (const l of st.links) {
    const t = Math.min(Math.abs(l.w) / wmax, 1), sign = l.w >= 0 ? "pos" : "neg";
    ctx.strokeStyle = l.w >= 0 ? PALETTE.posLine : PALETTE.negLine;
    ctx.globalAlpha = PALETTE.linkMin[sign] + (1 - PALETTE.linkMin[sign]) * t;
    ctx.lineWidth = (c.hi ? 1.4 : 1) + 6 * t;
    ctx.setLineDash(l.w < 0 ? [Math.max(4, 2 * ctx.lineWidth), Math.max(3, 1.3 * ctx.lineWidth)] : []);   // the sign without colour
    ctx.beginPath(); ctx.moveTo(l.a.x, l.a.y);
    const mx = (l.a.x + l.b.x) / 2;
    ctx.bezierCurveTo(mx, l.a.y, mx, l.b.y, l.b.x, l.b.y); ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  const t = d.thumb, hiddenUnits = d.layers.slice(0, -1).reduce((n, l) => n + l.units, 0);
  const maps = tilesGuard(st, tiles(st, "maps", d.mapsU8, hiddenUnits, t, colors), hiddenUnits);
  if (st.inputTiles !== d.input_maps) {     // the input maps change only with the static part
    st.inputCodes = bytes(d.input_maps);
    tiles(st, "inputs", st.inputCodes, d.inputs.length, t, colors);
    st.inputTiles = d.input_maps;
  }
  const inputs = st.offscreen.inputs;
  ctx.imageSmoothingEnabled = true;
  // inputs
  setFont(st, st.fontPx);
  d.inputs.forEach((f, r) => {
    const p = L.columns[0][r];
    ctx.globalAlpha = f.active ? 1 : c.hi ? 0.45 : 0.28;
    ctx.drawImage(inputs, r * t, 0, t, t, p.x, p.y, L.s, L.s);
    ctx.globalAlpha = 1;
    ctx.fillStyle = c.text; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ctx.fillText(f.label, p.x - 6, p.y + L.s / 2);
    ctx.strokeStyle = f.active ? c.border : c.faint; ctx.lineWidth = c.line;
    ctx.setLineDash(f.active ? [] : [3, 3]); ctx.strokeRect(p.x, p.y, L.s, L.s); ctx.setLineDash([]);
  });
  // neurons: hidden thumbnails, then the output tiles from the output plot
  let m = 0;
  const lh = L.line, y1 = L.head - 4 - 2 * lh - 0.35 * lh;
  const gap = L.columns.length > 2 ? L.columns[2][0].x - L.columns[1][0].x : Infinity;
  const narrow = gap < Math.max(...d.layers.map((l) => textWidth(st, layerWords(l), st.fontPx)),
                                textWidth(st, "8 neurons", st.fontPx)) + 8;
  d.layers.forEach((layer, k) => {
    const isOut = k === d.layers.length - 1, col = L.columns[k + 1];
    if (layer.batchnorm && col.length) {  // a batch-normalised layer: a tinted strip behind its tiles
      const pad = 6, top = col[0].y - pad, h = col[col.length - 1].y + L.s + pad - top;
      ctx.fillStyle = c.hi ? "rgba(0,0,0,0.12)" : "rgba(8,119,189,0.10)";
      ctx.fillRect(col[0].x - pad, top, L.s + 2 * pad, h);
      ctx.strokeStyle = c.hi ? "#000000" : PALETTE.posLine; ctx.globalAlpha = c.hi ? 1 : PALETTE.linkMin.pos;
      ctx.lineWidth = c.line; ctx.setLineDash([4, 3]);
      ctx.strokeRect(col[0].x - pad, top, L.s + 2 * pad, h); ctx.setLineDash([]); ctx.globalAlpha = 1;
    }
    col.forEach((p, j) => {
      if (!isOut) ctx.drawImage(maps, t * m++, 0, t, t, p.x, p.y, L.s, L.s);
      else ctx.drawImage(d.output_channels > 1 ? classImage(st, j, colors) : st.plotImage, p.x, p.y, L.s, L.s);
      ctx.strokeStyle = c.border; ctx.lineWidth = c.line; ctx.strokeRect(p.x, p.y, L.s, L.s);
      const b = layer.biases[j];   // bias: a small square on the tile's corner
      const bMin = PALETTE.linkMin[b >= 0 ? "pos" : "neg"];
      ctx.fillStyle = b >= 0 ? PALETTE.posLine : PALETTE.negLine; ctx.globalAlpha = bMin + (1 - bMin) * Math.min(Math.abs(b), 1);
      ctx.fillRect(p.x - 5, p.y + L.s - 5, 8, 8); ctx.globalAlpha = 1;
      if (layer.dead[j]) {  // a dead ReLU: grey it out and cross it
        ctx.fillStyle = "rgba(255,255,255,0.6)"; ctx.fillRect(p.x, p.y, L.s, L.s);
        ctx.strokeStyle = "#c0392b"; ctx.lineWidth = 2; ctx.beginPath();
        ctx.moveTo(p.x + 4, p.y + 4); ctx.lineTo(p.x + L.s - 4, p.y + L.s - 4);
        ctx.moveTo(p.x + L.s - 4, p.y + 4); ctx.lineTo(p.x + 4, p.y + L.s - 4); ctx.stroke();
      }
      if (st.hover && st.hover.kind === "neuron" && st.hover.k === k && st.hover.j === j) {
        ctx.strokeStyle = c.text; ctx.lineWidth = 2.5; ctx.strokeRect(p.x - 2, p.y - 2, L.s + 4, L.s + 4);
      }
    });
    // column header: name, activation (and dropout), dead units
    const x = col[0].x + L.s / 2, dead = layer.dead.filter(Boolean).length;
    ctx.textAlign = "center"; ctx.textBaseline = "alphabetic"; ctx.fillStyle = c.text;
    setFont(st, st.fontPx);
    const name = isOut ? "output" : narrow ? String(layer.units) : `${layer.units} neuron${layer.units > 1 ? "s" : ""}`;
    ctx.fillText(name, x, y1);
    ctx.fillStyle = c.muted;
    ctx.fillText(narrow ? (layer.batchnorm ? "BN " : "") + (SHORT[layer.activation] || layer.activation)
                        : layerWords(layer), x, y1 + lh);
    if (dead) { ctx.fillStyle = "#c0392b"; ctx.fillText(`${dead} dead`, x, y1 + 2 * lh); }
  });
  ctx.textAlign = "center"; ctx.fillStyle = c.text;
  ctx.fillText("features", L.columns[0][0].x + L.s / 2 - 10, y1);
  drawButtons(st, c);
  drawLoss(st, c);
  drawPlot(st, colors, c);
  drawFocus(st, ctx, z);
  const min = st.minFont.toFixed(1);
  if (st.canvas.getAttribute("data-min-font") !== min) st.canvas.setAttribute("data-min-font", min);
}

function layerWords(l) {  // a column's second header line: batch norm, activation, dropout
  return (l.batchnorm ? "BN · " : "") + l.activation.replace("_", " ") + (l.dropout ? ` · drop ${l.dropout}` : "");
}

// -- the output column -------------------------------------------------------------------------
function classImage(st, j, colors) {  // class j's probability over the plane (a 3-class output tile)
  const d = st.data, r = d.res, out = d.outputU8, off = j * r * r;
  return image(st, `class${j}`, r, (x, y) => { const q = Math.round(127.5 + out[off + y * r + x] / 2);
    return [colors[3 * q], colors[3 * q + 1], colors[3 * q + 2]]; });
}

// The output over the plane (or the hovered tile's map). Discretized, it is drawn at up to twice the
// grid's resolution from the values interpolated between cells, so the boundary is a smooth line.
function plotImage(st, colors) {
  const d = st.data, r = d.res, out = d.outputU8, r2 = r * r, k = d.output_channels;
  const fine = Math.max(r, Math.min(2 * r - 1, Math.round(st.L.plot.size * st.zoom * (window.devicePixelRatio || 1))));
  const at = (n) => (n * (r - 1)) / (fine - 1);
  if (k === 1) {
    if (d.discretize && d.classes) {
      const pos = lighter(hexRgb(d.palette.pos)), neg = lighter(hexRgb(d.palette.neg));
      return image(st, "plot", fine, (x, y) => (sample(out, 0, r, at(x), at(y)) >= 127.5 ? pos : neg));
    }
    return image(st, "plot", r, (x, y) => { const v = out[y * r + x]; return [colors[3 * v], colors[3 * v + 1], colors[3 * v + 2]]; });
  }
  const cls = d.palette.classes.map(hexRgb), mid = hexRgb(d.palette.mid);
  if (d.discretize) {
    const light = cls.map(lighter);
    return image(st, "plot", fine, (x, y) => {
      let best = 0, top = -1;
      for (let c = 0; c < k; c++) { const v = sample(out, c * r2, r, at(x), at(y)); if (v > top) { top = v; best = c; } }
      return light[best];
    });
  }
  return image(st, "plot", r, (x, y) => {
    const i = y * r + x, rgb = [0, 0, 0]; let rest = 1;
    for (let c = 0; c < k; c++) { const p = out[c * r2 + i] / 255; rest -= p; for (let q = 0; q < 3; q++) rgb[q] += p * cls[c][q]; }
    for (let q = 0; q < 3; q++) rgb[q] += Math.max(rest, 0) * mid[q];
    return rgb;
  });
}

// The hovered tile's map, enlarged on the plot: at once from its thumbnail, then from the full grid
// once the page has sent it (the frame's "focus").
function focusImage(st, colors) {
  const d = st.data, h = st.hover;
  if (!h || (h.kind !== "neuron" && h.kind !== "input") || (h.kind === "neuron" && h.k === d.layers.length - 1)) return null;
  const layer = h.kind === "input" ? -1 : h.k, unit = h.kind === "input" ? h.r : h.j;
  const f = d.focus, disc = d.discretize && d.classes;
  const pos = lighter(hexRgb(d.palette.pos)), neg = lighter(hexRgb(d.palette.neg));
  const color = (v) => (disc ? (v >= 127.5 ? pos : neg) : [colors[3 * Math.round(v)], colors[3 * Math.round(v) + 1], colors[3 * Math.round(v) + 2]]);
  if (f && f.layer === layer && f.unit === unit && f.u8) {
    const r = d.res, fine = disc ? 2 * r - 1 : r, at = (n) => (n * (r - 1)) / (fine - 1);
    return image(st, "focus", fine, (x, y) => color(sample(f.u8, 0, r, at(x), at(y))));
  }
  let codes, index = unit;
  if (h.kind === "input") codes = st.inputCodes;
  else { codes = d.mapsU8; for (let k = 0; k < h.k; k++) index += d.layers[k].units; }
  const t = d.thumb, off = index * t * t, fine = 4 * (t - 1) + 1, at = (n) => (n * (t - 1)) / (fine - 1);
  return image(st, "focus", fine, (x, y) => color(sample(codes, off, t, at(x), at(y))));
}

function hoverName(d, h) {
  return h.kind === "input" ? d.inputs[h.r].label : neuronName(d, h.k, h.j);
}

function toPlot(st, x, y) {  // data coordinates <-> pixels of the output plot
  const P = st.L.plot, e = st.data.extent;
  return { x: P.x + ((x + e) / (2 * e)) * P.size, y: P.y + ((e - y) / (2 * e)) * P.size };
}

// A class by its shape as well as its colour (WCAG 1.4.1): the positive class (or class 0) a circle,
// the negative class (class 1) a square, class 2 a triangle; values to regress are circles.
function pointShape(d, label) {
  if (d.classes > 2) return Math.round(label) % 3;
  return d.classes === 2 && !(label > 0) ? 1 : 0;
}

function pointPath(ctx, shape, x, y, r) {
  if (shape === 1) { const h = 0.9 * r; ctx.rect(x - h, y - h, 2 * h, 2 * h); }
  else if (shape === 2) { const h = 1.25 * r; ctx.moveTo(x, y - h); ctx.lineTo(x + 0.87 * h, y + 0.5 * h); ctx.lineTo(x - 0.87 * h, y + 0.5 * h); ctx.closePath(); }
  else ctx.arc(x, y, r, 0, 2 * Math.PI);
}

function pointColor(d, label, colors) {
  if (d.classes > 2) return d.palette.classes[Math.round(label)] || "#000";
  if (d.classes === 2) return label > 0 ? d.palette.pos : d.palette.neg;
  const v = Math.max(0, Math.min(255, Math.round((label + 1) * 127.5)));
  return `rgb(${colors[3 * v]},${colors[3 * v + 1]},${colors[3 * v + 2]})`;
}

function fmtLoss(v) { return v === null || v === undefined ? "–" : v < 0.001 && v > 0 ? v.toExponential(1) : v.toFixed(3); }

function drawLoss(st, c) {  // the losses and their curve over the epochs, above the output
  const d = st.data, ctx = st.ctx, L = st.L, C = L.chart, F = st.fontPx;
  const [train, test] = d.loss || [null, null];
  ctx.textBaseline = "alphabetic"; setFont(st, F);
  const testText = `Test loss ${fmtLoss(test)}`, trainText = `Training loss ${fmtLoss(train)}`;
  ctx.textAlign = "left"; ctx.fillStyle = c.hi ? "#000000" : d.palette.test; ctx.fillText(testText, C.x, L.lossY);
  ctx.fillStyle = c.hi ? "#000000" : d.palette.train; ctx.fillText(trainText, C.x, L.lossY + L.line);
  if (c.hi) {   // in black: the curve's colours say which is which
    ctx.fillStyle = d.palette.test; ctx.fillRect(C.x + textWidth(st, testText, F) + 6, L.lossY - 0.45 * L.fs, 14, 3);
    ctx.fillStyle = d.palette.train; ctx.fillRect(C.x + textWidth(st, trainText, F) + 6, L.lossY + L.line - 0.45 * L.fs, 14, 3);
  }
  const epochText = `epoch ${d.epoch}`;
  if (textWidth(st, testText, F) + textWidth(st, epochText, F) + 30 < C.w) {
    ctx.textAlign = "right"; ctx.fillStyle = c.muted; ctx.fillText(epochText, C.x + C.w, L.lossY);
  }
  ctx.strokeStyle = c.faint; ctx.lineWidth = c.line; ctx.strokeRect(C.x, C.y, C.w, C.h);
  const curve = st.curve;
  if (!curve || curve.epoch.length < 2) return;
  const vals = [...curve.train, ...curve.test].filter((v) => v !== null && isFinite(v));
  const top = Math.max(...vals, 1e-9), e0 = curve.epoch[0], e1 = curve.epoch[curve.epoch.length - 1] || 1;
  for (const [series, color] of [[curve.train, d.palette.train], [curve.test, d.palette.test]]) {
    ctx.strokeStyle = color; ctx.lineWidth = c.hi ? 2.5 : 1.6; ctx.beginPath();
    let pen = false;
    series.forEach((v, i) => {
      if (v === null) { pen = false; return; }
      const x = C.x + ((curve.epoch[i] - e0) / Math.max(e1 - e0, 1)) * C.w, y = C.y + C.h - (Math.min(v, top) / top) * (C.h - 3);
      pen ? ctx.lineTo(x, y) : ctx.moveTo(x, y); pen = true;
    });
    ctx.stroke();
  }
}

function drawPlot(st, colors, c) {
  const d = st.data, ctx = st.ctx, P = st.L.plot, L = st.L, F = st.fontPx;
  const focus = focusImage(st, colors);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(focus || st.plotImage, P.x, P.y, P.size, P.size);
  ctx.strokeStyle = c.hi ? "#000000" : PALETTE.frame; ctx.lineWidth = c.line; ctx.strokeRect(P.x, P.y, P.size, P.size);
  // Every point has a light and a dark ring, so one of them is 4.3:1 or more on any colour the plot
  // shows (WCAG 1.4.11): a training point's inner ring is white (as in TensorFlow Playground), a test
  // point's black; the other ring is a hairline outside it.
  const r = c.hi ? 3.8 : 3.2, ring = c.hi ? 1.2 : 0.9, hair = c.hi ? 0.9 : 0.65;
  for (const [pts, inner, outer] of [[d.train, PALETTE.pointLight, PALETTE.pointDark], [d.test, PALETTE.pointDark, PALETTE.pointLight]]) {
    for (const [x, y, label] of pts) {
      const p = toPlot(st, x, y), shape = pointShape(d, label);
      for (const [grow, fill] of [[ring + hair, outer], [ring, inner], [0, pointColor(d, label, colors)]]) {
        ctx.beginPath(); pointPath(ctx, shape, p.x, p.y, r + grow); ctx.fillStyle = fill; ctx.fill();
      }
    }
  }
  if (focus) {   // say whose map it is
    setFont(st, F, "600");
    const text = hoverName(d, st.hover), w = ctx.measureText(text).width;
    ctx.fillStyle = "rgba(255,255,255,0.85)"; ctx.fillRect(P.x + 4, P.y + 4, w + 12, L.line + 6);
    ctx.fillStyle = "#000000"; ctx.textAlign = "left"; ctx.textBaseline = "middle"; ctx.fillText(text, P.x + 10, P.y + 7 + L.line / 2);
  }
  // axes: ticks under the plot and right of it
  setFont(st, F); ctx.fillStyle = c.muted; ctx.textBaseline = "top";
  const step = P.size > 6 * textWidth(st, "−6", F) ? d.extent / 2 : d.extent;    // fewer ticks on a small plot
  for (let t = -d.extent; t <= d.extent + 1e-9; t += step) {
    const p = toPlot(st, t, -d.extent), q = toPlot(st, -d.extent, t), label = String(t).replace("-", "−");
    ctx.textAlign = t === -d.extent ? "left" : t === d.extent ? "right" : "center";
    ctx.fillText(label, p.x, P.y + P.size + 4);
    ctx.textAlign = "left"; ctx.textBaseline = "middle"; ctx.fillText(label, P.x + P.size + 5, q.y); ctx.textBaseline = "top";
  }
  drawLegend(st, colors, c);
}

function drawLegend(st, colors, c) {  // the colour scale under the plot: −1 ... 1, or the classes
  const d = st.data, ctx = st.ctx, P = st.L.plot, L = st.L, F = st.fontPx;
  const y = P.y + P.size + L.line + 6, h = 10;
  setFont(st, F); ctx.textBaseline = "top"; ctx.fillStyle = c.text;
  if (d.classes > 2) {
    const n = d.classes, w = P.size / n;
    for (let k = 0; k < n; k++) {
      ctx.fillStyle = d.palette.classes[k]; ctx.fillRect(P.x + k * w + 2, y, w - 4, h);
      ctx.beginPath(); pointPath(ctx, k % 3, P.x + k * w + 10, y + h / 2, 3.6);     // the class's point shape
      ctx.fillStyle = "#ffffff"; ctx.fill();
      ctx.fillStyle = c.text; ctx.textAlign = "center"; ctx.fillText(`class ${k}`, P.x + k * w + w / 2, y + h + 3);
    }
    return;
  }
  const steps = 64, w = P.size / steps;
  for (let i = 0; i < steps; i++) {
    const v = Math.round((i / (steps - 1)) * 255);
    ctx.fillStyle = `rgb(${colors[3 * v]},${colors[3 * v + 1]},${colors[3 * v + 2]})`;
    ctx.fillRect(P.x + i * w, y, w + 0.5, h);
  }
  ctx.strokeStyle = c.faint; ctx.lineWidth = c.line; ctx.strokeRect(P.x, y, P.size, h);
  ctx.fillStyle = c.text;
  ctx.textAlign = "left"; ctx.fillText("−1", P.x, y + h + 3);
  ctx.textAlign = "right"; ctx.fillText("1", P.x + P.size, y + h + 3);
  if (d.classes === 2) {   // the two classes' point shapes at their ends of the scale
    ctx.fillStyle = "#ffffff"; ctx.strokeStyle = c.text; ctx.lineWidth = 1;
    for (const [shape, x] of [[1, P.x + 7], [0, P.x + P.size - 7]]) { ctx.beginPath(); pointPath(ctx, shape, x, y + h / 2, 3.2); ctx.fill(); ctx.stroke(); }
    ctx.fillStyle = c.text;
  }
  const ends = 2 * textWidth(st, "−1", F) + 24;
  const middle = [d.classes === 2 ? "0 (the boundary)" : "0", "0"].find((m) => textWidth(st, m, F) + ends < P.size);
  ctx.textAlign = "center"; if (middle) ctx.fillText(middle, P.x + P.size / 2, y + h + 3);
}

// -- the mouse ---------------------------------------------------------------------------------
function hit(st, mx, my) {  // what is under the mouse: a button, a tile, the plot, the loss curve or a link
  const L = st.L, d = st.data, r = L.bs / 2;
  for (const b of L.buttons) if (Math.hypot(mx - b.x - r, my - b.y - r) <= r + 2) return { kind: "button", b };
  for (let c = 0; c < L.columns.length; c++) for (let k = 0; k < L.columns[c].length; k++) {
    const p = L.columns[c][k];
    if (mx >= p.x && mx <= p.x + L.s && my >= p.y && my <= p.y + L.s) return c === 0 ? { kind: "input", r: k } : { kind: "neuron", k: c - 1, j: k };
  }
  const P = L.plot, C = L.chart;
  if (mx >= P.x && mx <= P.x + P.size && my >= P.y && my <= P.y + P.size) {
    const e = d.extent;
    return { kind: "plot", x: ((mx - P.x) / P.size) * 2 * e - e, y: e - ((my - P.y) / P.size) * 2 * e };
  }
  if (mx >= C.x && mx <= C.x + C.w && my >= L.lossY - L.line && my <= C.y + C.h) return { kind: "loss" };
  let best = null, bestD = 6;
  for (const l of st.links) for (let t = 0; t <= 1; t += 0.05) {
    const q = bezier(l.a, l.b, t), dist = Math.hypot(q.x - mx, q.y - my);
    if (dist < bestD) { bestD = dist; best = { kind: "link", l }; }
  }
  return best;
}

function neuronName(d, k, j) {
  return k === d.layers.length - 1 ? `output ${d.layers[k].units > 1 ? j : ""}`.trim() : `neuron ${k + 1}.${j + 1}`;
}

const allows = (d, what) => (d.allow || []).includes(what);

function describe(st, h) {
  const d = st.data;
  if (h.kind === "button") return !allows(d, "shape") ? "the presenter has fixed the network's shape"
                                 : h.b.enabled ? h.b.tip : `${h.b.tip}: at the limit`;
  if (h.kind === "input") { const f = d.inputs[h.r]; return `${f.label}: ${f.active ? "on" : "off"} · its values over the plane, enlarged on the output` + (allows(d, "feature") ? "<br><i>click to turn it " + (f.active ? "off" : "on") + "</i>" : ""); }
  if (h.kind === "neuron") {
    const layer = d.layers[h.k], dead = layer.dead[h.j] ? "<br>dead: never active on the training data" : "";
    const shown = h.k < d.layers.length - 1 ? "<br>its output over the plane, enlarged on the output plot" : "";
    const bn = layer.batchnorm ? "<br>batch norm: its sum is normalised over the batch, then the activation" : "";
    return `${neuronName(d, h.k, h.j)} · ${layer.activation.replace("_", " ")}<br>bias ${layer.biases[h.j]}${bn}${dead}${shown}` + (allows(d, "edit") ? "<br><i>click to edit the bias</i>" : "<br><i>pause to edit</i>");
  }
  if (h.kind === "link") {
    const l = h.l, active = d.inputs.filter((f) => f.active);
    const src = l.k === 0 ? active[l.i].label : neuronName(d, l.k - 1, l.i);
    return `weight ${l.w}<br>${src} → ${neuronName(d, l.k, l.j)}` + (allows(d, "edit") ? "<br><i>click to edit</i>" : "<br><i>pause to edit</i>");
  }
  if (h.kind === "loss") return d.loss_help || "the loss after each epoch";
  return `X₁ ${h.x.toFixed(2)}, X₂ ${h.y.toFixed(2)}` + (d.adding ? "<br><i>click to add a point</i>" : "");
}

// Clicks reach the page as a numbered queue. Streamlit keeps one trigger per component: two clicks
// sent while a rerun is pending merged into the newer one, and the first was lost (five quick "+"
// clicks added two neurons). So every trigger carries each event the page has not yet acknowledged
// (a frame's "ack" is the last number it applied); the page applies each number once. The queue
// lives on the window, so a remounted canvas goes on numbering; a reload starts a new token.
const QUEUE_MAX = 40, RESEND_MS = 1500;

function queueOf() {
  return window.__nnpMlpQueue || (window.__nnpMlpQueue = {
    token: Math.floor(Math.random() * 2 ** 31), seq: 0, items: [], sent: 0 });
}

function send(st, event, value) {
  const q = queueOf();
  if (event === "focus") q.items = q.items.filter((item) => item[1] !== "focus");   // only the latest hover counts
  q.items.push([++q.seq, event, value]);
  if (q.items.length > QUEUE_MAX) q.items.splice(0, q.items.length - QUEUE_MAX);
  flush(st);
}

function flush(st) {
  const q = queueOf();
  if (!q.items.length || !st.trigger) return;
  q.sent = performance.now();
  st.trigger("events", JSON.stringify({ token: q.token, items: q.items }));
}

function acknowledge(ack) {  // a frame says the last event the page applied: drop those
  const q = queueOf();
  if (!ack || ack[0] !== q.token) return;
  q.items = q.items.filter((item) => item[0] > ack[1]);
}

function setHover(st, h) {  // the hovered tile: outlined, its map on the plot, and the page asked for it in full
  const tile = h && (h.kind === "neuron" || h.kind === "input") ? h : null;
  const key = tile ? `${tile.kind}:${tile.k}:${tile.j}:${tile.r}` : "";
  if (key === st.hoverKey) return;
  st.hoverKey = key; st.hover = tile;
  clearTimeout(st.focusTimer);
  const last = st.data.layers.length - 1;
  const focus = !tile || (tile.kind === "neuron" && tile.k === last) ? { layer: -2, unit: 0 }
    : tile.kind === "input" ? { layer: -1, unit: st.data.inputs.length > tile.r ? tile.r : 0 } : { layer: tile.k, unit: tile.j };
  st.focusTimer = setTimeout(() => send(st, "focus", focus), tile ? 120 : 300);
  draw(st);
}

function install(st) {
  const { canvas, tip, edit } = st;
  // mouse position in layout units (the canvas is drawn zoomed by st.zoom)
  const pos = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) / st.zoom, (e.clientY - r.top) / st.zoom]; };
  canvas.addEventListener("mousemove", (e) => {
    if (!st.L) return;
    const [mx, my] = pos(e), h = hit(st, mx, my);
    const clickable = h && ({ button: "shape", input: "feature", neuron: "edit", link: "edit" })[h.kind];
    canvas.style.cursor = clickable && allows(st.data, clickable) ? "pointer" : h && h.kind === "plot" && st.data.adding ? "crosshair" : "default";
    setHover(st, h);
    if (!h) { tip.style.display = "none"; return; }
    tip.innerHTML = describe(st, h); tip.style.display = "block";
    const left = Math.min(mx * st.zoom + 14, st.L.width * st.zoom - tip.offsetWidth - 4);
    tip.style.left = Math.max(0, left) + "px"; tip.style.top = my * st.zoom + 14 + "px";
  });
  canvas.addEventListener("mouseleave", () => { tip.style.display = "none"; if (st.L) setHover(st, null); });
  canvas.addEventListener("click", (e) => {
    if (!st.L) return;
    const [mx, my] = pos(e), h = hit(st, mx, my), d = st.data;
    const allow = (what) => allows(d, what);
    if (!h) return;
    if (h.kind === "button") { if (h.b.enabled && allow("shape")) send(st, "shape", h.b.action); }
    else if (h.kind === "input") { if (allow("feature")) send(st, "feature", d.inputs[h.r].id); }
    else if (h.kind === "plot") { if (allow("plot_click")) send(st, "plot_click", { x: +h.x.toFixed(3), y: +h.y.toFixed(3) }); }
    else if (h.kind !== "loss" && allow("edit")) openEditor(st, h, mx, my);
  });
  edit.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { edit.style.display = "none"; if (st.keyEdit) canvas.focus(); return; }
    if (e.key !== "Enter") return;
    const value = Number(edit.value);
    edit.style.display = "none";
    if (st.keyEdit) canvas.focus();        // opened from the keyboard: back to the canvas
    if (edit.value.trim() === "" || !Number.isFinite(value)) return;
    send(st, "edit", { ...st.editing, value });
  });
  edit.addEventListener("blur", () => { edit.style.display = "none"; });
  // The box's width, kept from the observer: reading clientWidth in every frame forced a layout
  // of the page that Streamlit had just changed (Chrome's profiler).
  new ResizeObserver((entries) => {
    st.boxWidth = entries[entries.length - 1].contentRect.width;
    st.pageTop = null;
    if (st.data) render(st);
  }).observe(st.root);
  window.addEventListener("resize", () => { st.pageTop = null; if (st.data) render(st); });
}

function openEditor(st, h, mx, my, byKey = false) {  // the weight or bias editor at (mx, my), layout units
  const d = st.data, edit = st.edit;
  const target = h.kind === "link" ? { layer: h.l.k, name: "W", i: h.l.i, j: h.l.j, value: h.l.w }
                                   : { layer: h.k, name: "b", i: h.j, j: 0, value: d.layers[h.k].biases[h.j] };
  st.editing = target; st.keyEdit = byKey; edit.value = String(target.value);
  edit.setAttribute("aria-label", h.kind === "link" ? `weight from ${linkEnds(d, h.l)}: type a number, Enter to apply, Escape to cancel`
                                                    : `bias of ${neuronName(d, h.k, h.j)}: type a number, Enter to apply, Escape to cancel`);
  edit.style.left = Math.min(mx * st.zoom, st.L.width * st.zoom - edit.offsetWidth - 4) + "px"; edit.style.top = my * st.zoom - 12 + "px";
  edit.style.display = "block"; edit.focus(); edit.select();
}

function linkEnds(d, l) {
  const active = d.inputs.filter((f) => f.active);
  return `${l.k === 0 ? active[l.i].label : neuronName(d, l.k - 1, l.i)} to ${neuronName(d, l.k, l.j)}`;
}

// -- the keyboard (issue 22): every tile, weight, +/- button and the output plot -----------------
// Up and Down go along a column (from its top to its +/- buttons); Right from a tile goes to one of
// its outgoing weights (Up and Down pick which), Right again to the neuron it feeds; Left likewise
// backwards; Right from the output goes onto the output plot, where the arrows move a cross
// (Escape leaves it). Enter toggles a feature, edits a bias or a weight, presses a button or adds a
// point. Moving onto a tile shows its map on the output, as hovering does.
const MLP_KEYS = "Arrow keys move between the features, neurons, weights, the plus and minus buttons and the output plot; Enter edits the focused weight or bias, turns a feature on or off, presses a button or adds a point; Escape leaves the plot.";

function mlpColumn(d, c) { return c === 0 ? d.inputs.length : d.layers[c - 1].units; }
function near(i, from, to) { return Math.max(0, Math.min(to - 1, Math.round(from > 1 ? (i * (to - 1)) / (from - 1) : (to - 1) / 2))); }
function activeIndex(d, r) { return d.inputs.slice(0, r).filter((f) => f.active).length; }
function sources(d, k) { return k === 0 ? d.inputs.filter((f) => f.active).length : d.layers[k - 1].units; }

function mlpValid(st, cur) {  // the cursor after the network changed shape: the nearest item that exists
  const d = st.data, n = d.layers.length, clamp = (v, m) => Math.max(0, Math.min(m - 1, v));
  if (!cur) return { kind: "input", r: 0 };
  if (cur.kind === "input") return { kind: "input", r: clamp(cur.r, d.inputs.length) };
  if (cur.kind === "neuron") { const k = clamp(cur.k, n); return { kind: "neuron", k, j: clamp(cur.j, d.layers[k].units) }; }
  if (cur.kind === "link") {
    const k = clamp(cur.k, n), m = sources(d, k);
    return m ? { ...cur, k, i: clamp(cur.i, m), j: clamp(cur.j, d.layers[k].units) } : { kind: "neuron", k, j: 0 };
  }
  if (cur.kind === "button") return st.L.buttons.length ? { kind: "button", n: clamp(cur.n, st.L.buttons.length) } : { kind: "input", r: 0 };
  return cur;
}

function mlpHit(st, cur) {  // the cursor as hit() describes things under the mouse
  if (cur.kind === "link") return { kind: "link", l: st.links.find((l) => l.k === cur.k && l.i === cur.i && l.j === cur.j) };
  if (cur.kind === "button") return { kind: "button", b: st.L.buttons[cur.n] };
  return cur;
}

function mlpMove(st, cur, e) {
  const d = st.data, L = st.L, n = d.layers.length, k = e.key;
  cur = mlpValid(st, cur);
  const up = k === "ArrowUp" ? -1 : k === "ArrowDown" ? 1 : 0, right = k === "ArrowRight" ? 1 : k === "ArrowLeft" ? -1 : 0;
  if (k === "Home") return { kind: "input", r: 0 };
  if (k === "End") return { kind: "plot", x: 0, y: 0 };
  if (cur.kind === "plot") {
    const step = d.extent / (e.shiftKey ? 50 : 10), lim = (v) => Math.max(-d.extent, Math.min(d.extent, v));
    return { kind: "plot", x: +lim(cur.x + right * step).toFixed(3), y: +lim(cur.y - up * step).toFixed(3) };
  }
  if (cur.kind === "button") {
    const bs = L.buttons, b = bs[cur.n], row = bs.map((x, i) => i).filter((i) => bs[i].y === b.y);
    if (right) return { kind: "button", n: row[Math.max(0, Math.min(row.length - 1, row.indexOf(cur.n) + right))] };
    if (up < 0 && b.action.layer >= 0) return { kind: "button", n: b.delta < 0 ? 0 : 1 };
    if (up > 0) {
      if (b.action.layer >= 0) return { kind: "neuron", k: b.action.layer, j: 0 };
      const first = bs.findIndex((x) => x.action.layer === 0);
      return first >= 0 ? { kind: "button", n: first + (b.delta > 0 ? 1 : 0) } : { kind: "neuron", k: 0, j: 0 };
    }
    return cur;
  }
  if (cur.kind === "link") {
    if (up) return cur.from === "dst" ? { ...cur, i: Math.max(0, Math.min(sources(d, cur.k) - 1, cur.i + up)) }
                                      : { ...cur, j: Math.max(0, Math.min(d.layers[cur.k].units - 1, cur.j + up)) };
    if (right > 0) return { kind: "neuron", k: cur.k, j: cur.j };
    if (right < 0) {
      if (cur.k > 0) return { kind: "neuron", k: cur.k - 1, j: cur.i };
      const active = d.inputs.map((f, r) => (f.active ? r : -1)).filter((r) => r >= 0);
      return { kind: "input", r: active[cur.i] };
    }
    return cur;
  }
  const c = cur.kind === "input" ? 0 : cur.k + 1, row = cur.kind === "input" ? cur.r : cur.j, count = mlpColumn(d, c);
  if (up) {
    if (row + up < 0) {       // above a hidden layer's top neuron: its - and + buttons
      const b = L.buttons.findIndex((x) => x.action.layer === c - 1);
      return c >= 1 && c < n && b >= 0 ? { kind: "button", n: b } : cur;
    }
    const r = Math.min(count - 1, row + up);
    return c === 0 ? { kind: "input", r } : { kind: "neuron", k: c - 1, j: r };
  }
  if (right > 0) {
    if (c === n) return { kind: "plot", x: 0, y: 0 };
    if (c === 0 && !d.inputs[row].active) return { kind: "neuron", k: 0, j: near(row, count, d.layers[0].units) };
    const i = c === 0 ? activeIndex(d, row) : row;
    return { kind: "link", k: c, i, j: near(row, count, d.layers[c].units), from: "src" };
  }
  if (right < 0 && c > 0) {
    const m = sources(d, c - 1);
    if (!m) return { kind: "input", r: 0 };
    return { kind: "link", k: c - 1, i: near(row, count, m), j: row, from: "dst" };
  }
  return cur;
}

function mlpActivate(st, cur) {
  if (!st.L || !st.data) return;
  const d = st.data, h = mlpHit(st, mlpValid(st, cur)), r = mlpRect(st, cur);
  if (h.kind === "button") { if (h.b.enabled && allows(d, "shape")) send(st, "shape", h.b.action); }
  else if (h.kind === "input") { if (allows(d, "feature")) send(st, "feature", d.inputs[h.r].id); }
  else if (h.kind === "plot") { if (allows(d, "plot_click")) send(st, "plot_click", { x: h.x, y: h.y }); }
  else if ((h.kind === "neuron" || (h.kind === "link" && h.l)) && allows(d, "edit")) openEditor(st, h, r.x + r.w / 2, r.y + r.h + 16, true);
  else { st.a11y.focusText.textContent = "Pause to edit."; return; }
}

function mlpRect(st, cur) {
  const L = st.L, d = st.data;
  cur = mlpValid(st, cur);
  if (cur.kind === "input") { const p = L.columns[0][cur.r]; return { x: p.x, y: p.y, w: L.s, h: L.s }; }
  if (cur.kind === "neuron") { const p = L.columns[cur.k + 1][cur.j]; return { x: p.x, y: p.y, w: L.s, h: L.s }; }
  if (cur.kind === "button") { const b = L.buttons[cur.n]; return { x: b.x, y: b.y, w: L.bs, h: L.bs }; }
  if (cur.kind === "plot") { const p = toPlot(st, cur.x, cur.y); return { x: p.x - 6, y: p.y - 6, w: 12, h: 12 }; }
  const h = mlpHit(st, cur);
  if (!h.l) return null;
  const m = bezier(h.l.a, h.l.b, 0.5);
  return { x: m.x - 6, y: m.y - 6, w: 12, h: 12 };
}

const MLP_NAV = {
  first: () => ({ kind: "input", r: 0 }),
  move: (st, cur, e) => {
    if (!st.L || !st.data) return cur;
    const next = mlpMove(st, cur, e), h = mlpHit(st, next);
    setHover(st, h.kind === "neuron" || h.kind === "input" ? h : null);     // its map on the output plot
    return next;
  },
  activate: mlpActivate,
  escape: (st, cur) => (cur.kind === "plot" ? { kind: "neuron", k: st.data.layers.length - 1, j: 0 } : cur),
  describe: (st, cur) => {
    if (!st.L || !st.data) return "";
    const h = mlpHit(st, mlpValid(st, cur));
    if (h.kind === "plot") return describe(st, h).replace("click to add", "Enter adds");
    if (h.kind === "link" && !h.l) return "";
    return describe(st, h).replace(/click to/g, "Enter to");
  },
  rect: (st, cur) => (st.L ? mlpRect(st, cur) : null),
};

function mlpSummary(d) {  // what a screen reader hears (at most every two seconds while training)
  const [train, test] = d.loss || [null, null];
  const shape = [d.inputs.filter((f) => f.active).length + " features", ...d.layers.slice(0, -1).map((l) => l.units), "output"].join(", ");
  return `Epoch ${d.epoch}, test loss ${fmtLoss(test)}, training loss ${fmtLoss(train)}, ${allows(d, "edit") ? "paused" : "training"}. Network: ${shape}.`;
}

// -- sizing: the whole drawing fits the box's width and, where it can, the window's height -----
function render(st) {
  const d = st.data, view = d.view || {}, k = view.present ? view.zoom || 1.25 : 1;
  const available = st.boxWidth || st.root.clientWidth || DESIGN_WIDTH, stacked = available < STACK_BELOW;
  st.ctx = st.ctx || st.canvas.getContext("2d");
  if (!st.font) {                    // the theme's font and colour, read once (a style read can force a layout)
    const css = getComputedStyle(st.root);
    st.font = css.fontFamily || "sans-serif"; st.txt = css.color || "#31333f";
  }
  // text in CSS px: 12 (11 on a phone), and 12.8 px times the presenter's size (16 px at 125 %)
  st.fontPx = view.present ? 12.8 * k : stacked && available < 420 ? 11 : 12;
  st.buttonPx = view.present ? 20 * k : 16;
  for (const el of [st.tip, st.edit, st.root.querySelector("a.png")]) el.style.fontSize = `${Math.max(st.fontPx, 12) - (el.tagName === "A" ? 2 : 0)}px`;
  // The window's height below the canvas's top (it fits the first screen with the controls above
  // it), or the whole window when that leaves too little (a presenter's large type): one scrolls to
  // it. Read on resizes only (a forced layout).
  if (st.pageTop == null) st.pageTop = st.canvas.getBoundingClientRect().top + window.scrollY;
  const window_ = window.innerHeight - 16;
  if (stacked) {
    st.zoom = Math.min(available / MIN_STACKED, 1);
    st.L = layout(st, available / st.zoom, true, Infinity);
  } else {
    // As wide as the box (larger in presenter mode), then smaller until it fits the height: the plot
    // first, then the whole drawing, which then no longer fills the box's width.
    const lowest = view.present ? 0.8 : 0.6, widest = 1.2 * DESIGN_WIDTH;
    const fit = (room) => {
      st.zoom = Math.min(Math.max(available / DESIGN_WIDTH, 0.7) * k, available / MIN_LAYOUT, 2.2);
      for (let i = 0; i < 10; i++) {
        st.L = layout(st, Math.min(available / st.zoom, widest), false, room / st.zoom);
        const tall = st.L.height * st.zoom > room + 1, cramped = st.L.needed > st.L.width + 1;
        if (!tall && !cramped) return true;
        if (st.zoom <= lowest) return false;
        const shrink = Math.min(tall ? room / (st.L.height * st.zoom) : 1, cramped ? st.L.width / st.L.needed : 1, 0.99);
        st.zoom = Math.max(lowest, st.zoom * shrink);
      }
      return false;
    };
    const first = window.innerHeight - st.pageTop - 8;
    if (!(st.pageTop <= 0.45 * window.innerHeight && fit(first)) && !fit(window_) && st.L.needed > st.L.width + 1) {
      // too many columns for the box beside the output, even zoomed out: the output goes under the network
      st.zoom = Math.min(available / MIN_STACKED, k);
      for (let i = 0; i < 6; i++) {
        st.L = layout(st, available / st.zoom, true, Infinity);
        if (st.L.needed <= st.L.width + 1 || st.zoom <= 0.5) break;
        st.zoom = Math.max(0.5, st.zoom * Math.min(st.L.width / st.L.needed, 0.99));
      }
    }
  }
  st.canvas.style.width = `${Math.round(st.L.width * st.zoom)}px`;
  st.links = links(d, st.L);
  st.plotImage = flashGuard(st, plotImage(st, lutOf(d.palette)));
  draw(st);
}

// -- three flashes (WCAG 2.3.1, issue 22): at a large learning rate the output can swing between
// blue and orange every step, and the output plot is a large area; so can the hidden tiles, together.
// The plot (a 12 x 12 grid) and the tiles (3 x 3 cells each) go through the shared guard (_shared.js,
// flashPasses): a picture that would flash over more than a fifth of WCAG's 10-degree field is held
// back until the second has passed. bench/flashes.py measures what the page shows.
const FLASH_GRID = 12, TILE_CELLS = 3;

function flashGuard(st, img) {
  if (!st.flash && st.flashCells) delete st.flashCells.plot;       // a fresh start (the e2e test sets st.flash = null)
  const F = st.flash || (st.flash = {});
  if (F.at === img && F.stamp === st.data) return F.shown;          // the same picture drawn again
  const side = st.L.plot.size * st.zoom / FLASH_GRID;
  const ok = flashPasses(st, "plot", lumGrid(st, img, FLASH_GRID, FLASH_GRID), side * side);
  F.at = img; F.stamp = st.data;
  if (!ok && F.held) return (F.shown = F.held);                      // held back
  const held = offscreen(st, "flashHeld", img.width, img.height);
  held.ctx.drawImage(img, 0, 0);
  F.held = held;
  return (F.shown = img);
}

function tilesGuard(st, strip, count) {  // the hidden tiles' strip: the new one, or the last one shown
  const F = st.tileFlash || (st.tileFlash = {});
  if (F.stamp === st.data && F.count === count) return F.shown;
  const side = st.L.s * st.zoom / TILE_CELLS;
  const ok = flashPasses(st, "tiles", lumGrid(st, strip, TILE_CELLS * Math.max(count, 1), TILE_CELLS), side * side);
  F.stamp = st.data; F.count = count;
  if (!ok && F.held && F.held.width === strip.width) return (F.shown = F.held);
  const held = offscreen(st, "tilesHeld", strip.width, strip.height);
  held.ctx.clearRect(0, 0, strip.width, strip.height); held.ctx.drawImage(strip, 0, 0);
  F.held = held;
  return (F.shown = strip);
}

// The frames leave out what changes only with the data or the features (viz/network_view.py,
// static_frame): it comes on a channel of its own ("<channel>-static"), written once a fragment run.
function setStatic(st, data) {
  st.static = data; st.font = null; st.pageTop = null;     // read the theme and the position again too
  if (st.frame) show(st);
}

function onFrame(st, frame) {
  const seq = (st.seq = (st.seq || 0) + 1);
  acknowledge(frame.ack);
  Promise.all([unpack(frame.maps, frame.thumb), unpack(frame.output, frame.res),
               frame.focus ? unpack(frame.focus.map, frame.res) : null]).then(([maps, output, focus]) => {
    if (seq !== st.seq) return;            // a newer frame came meanwhile
    frame.mapsU8 = maps; frame.outputU8 = output;
    if (focus) frame.focus.u8 = focus;
    if (frame.curve) st.curve = frame.curve;
    st.frame = frame;
    show(st);
  }).catch(() => {});
}

function show(st) {
  if (!st.static || !st.frame) return;     // the static part comes first: wait for it
  const data = { ...st.frame, ...st.static };
  // After a feature toggle the new frame and the new static part arrive one after the other: draw
  // once the first layer's weights fit the active features again.
  if (data.layers[0].weights.length !== data.inputs.filter((f) => f.active).length) return;
  st.data = data;
  render(st);
  const paused = allows(data, "edit");
  // Play or Pause is said at once; a new canvas's first frame may be the channel's last one (stale)
  summarize(st, mlpSummary(data), st.summarized ? (paused ? "paused" : "training") : null);
  st.summarized = true;
  if (paused && st.a11y && st.a11y.focused) sayFocus(st);      // an edited weight's new value
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = mountRoot(parentElement, "nnv",
    '<canvas aria-label="Network and output"></canvas><div class="tip"></div><input class="edit" type="text">' +
    '<a class="png" href="#" download="network.png" title="Save this picture as a PNG file">PNG</a>');
  // The link takes the canvas's current picture at the moment it is clicked.
  root.querySelector("a.png").onclick = (e) => { e.currentTarget.href = root.querySelector("canvas").toDataURL("image/png"); };
  const st = root.__state || (root.__state = { root, canvas: root.querySelector("canvas"),
    tip: root.querySelector(".tip"), edit: root.querySelector("input") });
  st.trigger = setTriggerValue;
  st.channel = data.channel;
  watchVisibility((event, value) => send(st, event, value));
  if (!st.installed) { install(st); st.installed = true; }
  st.nav = MLP_NAV; st.redraw = () => { if (st.L && st.data) draw(st); };
  st.flashGuard = flashGuard;       // tests/e2e/test_accessibility_e2e.py feeds it flashing pictures
  accessible(st, st.canvas, { name: "Network and output", keys: MLP_KEYS, live: true });
  if (!st.timer) {
    pollChannel(st, (frame) => onFrame(st, frame));
    st.statics = { channel: `${data.channel}-static` };
    pollChannel(st.statics, (part) => setStatic(st, part));
  }
  // A trigger the page never answered (the component was replaced meanwhile) is sent again.
  clearInterval(st.resend);
  st.resend = setInterval(() => { if (performance.now() - queueOf().sent > RESEND_MS) flush(st); }, 500);
  return () => { st.timer = null; st.statics.timer = null; clearInterval(st.resend); };
}
