// The MLP's network and output plane on one canvas (TensorFlow Playground's view).
// Python sends a compact frame (viz/network_view.py); clicks go back through a queue (send):
// "feature" (toggle an input), "shape" (+/-), "edit" (a weight or bias), "plot_click" (a point),
// "visibility" (the tab hidden or shown).
const TILE = 34, GAP = 12, HEAD = 96, LABEL_W = 58, MARGIN = 12, BTN = 18;
const MAX_LAYERS = 6, MAX_UNITS = 8;

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

function bytes(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
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

function image(st, name, size, fill) {  // a square offscreen image filled pixel by pixel: fill(i) -> [r, g, b]
  const c = offscreen(st, name, size, size), px = c.img.data;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const rgb = fill((size - 1 - y) * size + x), k = 4 * (y * size + x);  // row 0 of the map is x2 = -extent
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

function layout(d, width, stacked) {
  const s = TILE, gap = GAP;
  const rows = Math.max(d.inputs.length, ...d.layers.map((l) => l.units));
  const net = HEAD + rows * (s + gap) + 24;                 // the network's height
  let plot, plotX, plotY, last;
  if (stacked) {            // a narrow box (a phone): the output plot under the network, as wide as fits
    plot = Math.min(width - 2 * MARGIN - 34, 380);
    plotX = (width - plot) / 2 - 12; plotY = net + 30; last = width - MARGIN - s - 10;
  } else {
    plot = Math.max(180, Math.min(net - HEAD - 24, width * 0.34, 380));
    plotX = width - plot - 34; plotY = HEAD; last = plotX - 44 - s;
  }
  const height = stacked ? plotY + plot + 26 : net;
  const xs = [MARGIN + LABEL_W], n = d.layers.length;
  for (let k = 0; k < n; k++) xs.push(n === 1 ? last : xs[0] + ((k + 1) * (last - xs[0])) / n);
  const columns = [d.inputs.length, ...d.layers.map((l) => l.units)].map((count, c) => {
    const top = HEAD + ((rows - count) * (s + gap)) / 2;
    return Array.from({ length: count }, (_, r) => ({ x: xs[c], y: top + r * (s + gap) }));
  });
  // +/- buttons: the number of hidden layers on top, the neurons above each hidden layer
  const hidden = d.layers.length - 1, buttons = [];
  const button = (x, y, delta, action, tip) => buttons.push({ x, y, delta, action, tip });
  const first = xs[hidden ? 1 : 0] + s / 2, lastX = xs[hidden ? hidden : n] + s / 2, mid = (first + lastX) / 2;
  button(mid - 78, 4, -1, { layer: -1, delta: -1 }, "remove a hidden layer");
  button(mid + 60, 4, 1, { layer: -1, delta: 1 }, "add a hidden layer");
  for (let k = 0; k < hidden; k++) {
    const x = xs[k + 1] + s / 2;
    button(x - BTN - 2, 30, -1, { layer: k, delta: -1 }, `remove a neuron from layer ${k + 1}`);
    button(x + 2, 30, 1, { layer: k, delta: 1 }, `add a neuron to layer ${k + 1}`);
  }
  return { s, width, height, columns, buttons, hiddenMid: mid, plot: { x: plotX, y: plotY, size: plot } };
}

function drawButtons(st) {
  const ctx = st.ctx, d = st.data, hidden = d.layers.length - 1;
  for (const b of st.L.buttons) {
    const units = b.action.layer >= 0 ? d.layers[b.action.layer].units : hidden;
    const limit = b.action.layer >= 0 ? MAX_UNITS : MAX_LAYERS, lowest = b.action.layer >= 0 ? 1 : 0;
    b.enabled = b.delta > 0 ? units < limit : units > lowest;
    ctx.globalAlpha = b.enabled ? 1 : 0.3;
    ctx.fillStyle = "#f0f2f6"; ctx.strokeStyle = "#b9bec9"; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.arc(b.x + BTN / 2, b.y + BTN / 2, BTN / 2, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.strokeStyle = "#31333f"; ctx.lineWidth = 1.6; ctx.beginPath();
    ctx.moveTo(b.x + 5, b.y + BTN / 2); ctx.lineTo(b.x + BTN - 5, b.y + BTN / 2);
    if (b.delta > 0) { ctx.moveTo(b.x + BTN / 2, b.y + 5); ctx.lineTo(b.x + BTN / 2, b.y + BTN - 5); }
    ctx.stroke(); ctx.globalAlpha = 1;
  }
  ctx.fillStyle = st.txt; ctx.textAlign = "center"; ctx.textBaseline = "middle";
  ctx.font = `600 12px ${st.font}`;
  ctx.fillText(`${hidden} HIDDEN LAYER${hidden === 1 ? "" : "S"}`, st.L.hiddenMid - 9 + BTN / 2, 4 + BTN / 2);
}

function bezier(a, b, t) {
  const mx = (a.x + b.x) / 2, u = 1 - t;
  return { x: u * u * u * a.x + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * b.x,
           y: u * u * u * a.y + 3 * u * u * t * a.y + 3 * u * t * t * b.y + t * t * t * b.y };
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

function draw(st) {
  const d = st.data, ctx = st.ctx, L = st.L, pal = d.palette, colors = lutOf(pal);
  const dpr = window.devicePixelRatio || 1, z = st.zoom;
  const w = Math.round(L.width * z * dpr), h = Math.round(L.height * z * dpr);
  if (st.canvas.width !== w || st.canvas.height !== h) {   // resizing reallocates the canvas: only when it changes
    st.canvas.width = w; st.canvas.height = h; st.canvas.style.height = L.height * z + "px";
  }
  ctx.setTransform(dpr * z, 0, 0, dpr * z, 0, 0);
  ctx.clearRect(0, 0, L.width, L.height);
  const font = st.font, txt = st.txt;
  ctx.font = `12px ${font}`;
  // links first, under the tiles
  const wmax = 3;
  for (const l of st.links) {
    ctx.strokeStyle = l.w >= 0 ? pal.pos : pal.neg;
    ctx.globalAlpha = 0.35 + 0.6 * Math.min(Math.abs(l.w) / wmax, 1);
    ctx.lineWidth = 0.6 + 6 * Math.min(Math.abs(l.w) / wmax, 1);
    ctx.beginPath(); ctx.moveTo(l.a.x, l.a.y);
    const mx = (l.a.x + l.b.x) / 2;
    ctx.bezierCurveTo(mx, l.a.y, mx, l.b.y, l.b.x, l.b.y); ctx.stroke();
  }
  ctx.globalAlpha = 1;
  const t = d.thumb, hiddenUnits = d.layers.slice(0, -1).reduce((n, l) => n + l.units, 0);
  const maps = tiles(st, "maps", bytes(d.maps), hiddenUnits, t, colors);
  if (st.inputTiles !== d.input_maps) {     // the input maps change only with a full frame
    tiles(st, "inputs", bytes(d.input_maps), d.inputs.length, t, colors);
    st.inputTiles = d.input_maps;
  }
  const inputs = st.offscreen.inputs;
  ctx.imageSmoothingEnabled = true;
  // inputs
  d.inputs.forEach((f, r) => {
    const p = L.columns[0][r];
    ctx.globalAlpha = f.active ? 1 : 0.28;
    ctx.drawImage(inputs, r * t, 0, t, t, p.x, p.y, L.s, L.s);
    ctx.globalAlpha = 1;
    ctx.fillStyle = txt; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ctx.fillText(f.label, p.x - 6, p.y + L.s / 2);
    ctx.strokeStyle = f.active ? "#555" : "#bbb"; ctx.lineWidth = 1;
    ctx.setLineDash(f.active ? [] : [3, 3]); ctx.strokeRect(p.x, p.y, L.s, L.s); ctx.setLineDash([]);
  });
  // neurons: hidden thumbnails, then output tiles from the output map
  let m = 0;
  const out = d.output_channels > 1 ? bytes(d.output) : null, r2 = d.res * d.res;
  d.layers.forEach((layer, k) => {
    const isOut = k === d.layers.length - 1, col = L.columns[k + 1];
    col.forEach((p, j) => {
      if (!isOut) ctx.drawImage(maps, t * m++, 0, t, t, p.x, p.y, L.s, L.s);
      else if (d.output_channels > 1) ctx.drawImage(image(st, `class${j}`, d.res, (i) => { const v = out[j * r2 + i]; const c = colors; const q = Math.round(127.5 + v / 2); return [c[3 * q], c[3 * q + 1], c[3 * q + 2]]; }), p.x, p.y, L.s, L.s);
      else ctx.drawImage(st.plotImage, p.x, p.y, L.s, L.s);
      ctx.strokeStyle = "#555"; ctx.lineWidth = 1; ctx.strokeRect(p.x, p.y, L.s, L.s);
      const b = layer.biases[j];   // bias: a small square on the tile's corner
      ctx.fillStyle = b >= 0 ? pal.pos : pal.neg; ctx.globalAlpha = 0.35 + 0.65 * Math.min(Math.abs(b), 1);
      ctx.fillRect(p.x - 5, p.y + L.s - 5, 8, 8); ctx.globalAlpha = 1;
      if (layer.dead[j]) {  // a dead ReLU: grey it out and cross it
        ctx.fillStyle = "rgba(255,255,255,0.6)"; ctx.fillRect(p.x, p.y, L.s, L.s);
        ctx.strokeStyle = "#c0392b"; ctx.lineWidth = 2; ctx.beginPath();
        ctx.moveTo(p.x + 4, p.y + 4); ctx.lineTo(p.x + L.s - 4, p.y + L.s - 4);
        ctx.moveTo(p.x + L.s - 4, p.y + 4); ctx.lineTo(p.x + 4, p.y + L.s - 4); ctx.stroke();
      }
    });
    // column header
    const x = col[0].x + L.s / 2, dead = layer.dead.filter(Boolean).length;
    ctx.textAlign = "center"; ctx.textBaseline = "alphabetic"; ctx.fillStyle = txt;
    const narrow = L.columns.length > 2 && L.columns[2][0].x - L.columns[1][0].x < 64;   // headers would overlap
    const name = isOut ? "output" : narrow ? String(layer.units) : `${layer.units} neuron${layer.units > 1 ? "s" : ""}`;
    ctx.fillText(name, x, 58);
    ctx.fillStyle = "#808495";
    ctx.fillText(layer.activation + (layer.dropout ? ` · drop ${layer.dropout}` : ""), x, 71);
    if (dead) { ctx.fillStyle = "#c0392b"; ctx.fillText(`${dead} dead`, x, 86); }  // above the tiles (HEAD)
  });
  ctx.textAlign = "center"; ctx.fillStyle = txt; ctx.fillText("features", L.columns[0][0].x + L.s / 2 - 10, 58);
  drawButtons(st);
  drawPlot(st, colors);
}

function plotImage(st, colors) {
  const d = st.data, out = bytes(d.output), r2 = d.res * d.res, k = d.output_channels;
  if (k === 1) return image(st, "plot", d.res, (i) => {
    let v = out[i];
    if (d.discretize && d.classes) v = v >= 128 ? 255 : 0;
    return [colors[3 * v], colors[3 * v + 1], colors[3 * v + 2]];
  });
  const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const cls = d.palette.classes.map(hex), mid = hex(d.palette.mid);
  return image(st, "plot", d.res, (i) => {
    let best = 0; for (let c = 1; c < k; c++) if (out[c * r2 + i] > out[best * r2 + i]) best = c;
    if (d.discretize) return cls[best];
    const rgb = [0, 0, 0]; let rest = 1;
    for (let c = 0; c < k; c++) { const p = out[c * r2 + i] / 255; rest -= p; for (let q = 0; q < 3; q++) rgb[q] += p * cls[c][q]; }
    for (let q = 0; q < 3; q++) rgb[q] += Math.max(rest, 0) * mid[q];
    return rgb;
  });
}

function toPlot(st, x, y) {  // data coordinates <-> pixels of the output plot
  const P = st.L.plot, e = st.data.extent;
  return { x: P.x + ((x + e) / (2 * e)) * P.size, y: P.y + ((e - y) / (2 * e)) * P.size };
}

function pointColor(d, label, colors) {
  if (d.classes > 2) return d.palette.classes[Math.round(label)] || "#000";
  if (d.classes === 2) return label > 0 ? d.palette.pos : d.palette.neg;
  const v = Math.max(0, Math.min(255, Math.round((label + 1) * 127.5)));
  return `rgb(${colors[3 * v]},${colors[3 * v + 1]},${colors[3 * v + 2]})`;
}

function drawPlot(st, colors) {
  const d = st.data, ctx = st.ctx, P = st.L.plot;
  ctx.drawImage(st.plotImage, P.x, P.y, P.size, P.size);
  ctx.strokeStyle = "#888"; ctx.lineWidth = 1; ctx.strokeRect(P.x, P.y, P.size, P.size);
  const r = 3.6;
  for (const [pts, edge] of [[d.train, "#fff"], [d.test, "#111"]]) {
    for (const [x, y, label] of pts) {
      const p = toPlot(st, x, y);
      ctx.beginPath(); ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
      ctx.fillStyle = pointColor(d, label, colors); ctx.fill();
      ctx.strokeStyle = edge; ctx.lineWidth = 1; ctx.stroke();
    }
  }
  ctx.fillStyle = "#808495"; ctx.textBaseline = "top"; ctx.textAlign = "center";
  for (let t = -d.extent; t <= d.extent; t += d.extent / 2) {
    const p = toPlot(st, t, -d.extent);
    ctx.fillText(String(t), p.x, P.y + P.size + 4);
    const q = toPlot(st, -d.extent, t);
    ctx.textAlign = "left"; ctx.textBaseline = "middle"; ctx.fillText(String(t), P.x + P.size + 5, q.y);
    ctx.textAlign = "center"; ctx.textBaseline = "top";
  }
  ctx.textBaseline = "alphabetic"; ctx.fillStyle = st.txt;
  ctx.fillText(`output · epoch ${d.epoch}`, P.x + P.size / 2, P.y - 10);
}

function hit(st, mx, my) {  // what is under the mouse: a button, a tile, a link or the plot
  const L = st.L, d = st.data;
  for (const b of L.buttons) if (Math.hypot(mx - b.x - BTN / 2, my - b.y - BTN / 2) <= BTN / 2 + 2) return { kind: "button", b };
  for (let c = 0; c < L.columns.length; c++) for (let r = 0; r < L.columns[c].length; r++) {
    const p = L.columns[c][r];
    if (mx >= p.x && mx <= p.x + L.s && my >= p.y && my <= p.y + L.s) return c === 0 ? { kind: "input", r } : { kind: "neuron", k: c - 1, j: r };
  }
  const P = L.plot;
  if (mx >= P.x && mx <= P.x + P.size && my >= P.y && my <= P.y + P.size) {
    const e = d.extent;
    return { kind: "plot", x: ((mx - P.x) / P.size) * 2 * e - e, y: e - ((my - P.y) / P.size) * 2 * e };
  }
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
  if (h.kind === "input") { const f = d.inputs[h.r]; return `${f.label}: ${f.active ? "on" : "off"}` + (allows(d, "feature") ? " (click to toggle)" : ""); }
  if (h.kind === "neuron") {
    const layer = d.layers[h.k], dead = layer.dead[h.j] ? "<br>dead: never active on the training data" : "";
    return `${neuronName(d, h.k, h.j)} · ${layer.activation}<br>bias ${layer.biases[h.j]}${dead}` + (allows(d, "edit") ? "<br><i>click to edit the bias</i>" : "<br><i>pause to edit</i>");
  }
  if (h.kind === "link") {
    const l = h.l, active = d.inputs.filter((f) => f.active);
    const src = l.k === 0 ? active[l.i].label : neuronName(d, l.k - 1, l.i);
    return `weight ${l.w}<br>${src} → ${neuronName(d, l.k, l.j)}` + (allows(d, "edit") ? "<br><i>click to edit</i>" : "<br><i>pause to edit</i>");
  }
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

function acknowledge(st, ack) {  // a frame says the last event the page applied: drop those
  const q = queueOf();
  if (!ack || ack[0] !== q.token) return;
  q.items = q.items.filter((item) => item[0] > ack[1]);
}

function install(st) {
  const { canvas, tip, edit } = st;
  // mouse position in layout units (the canvas is drawn zoomed by st.zoom)
  const pos = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) / st.zoom, (e.clientY - r.top) / st.zoom]; };
  canvas.addEventListener("mousemove", (e) => {
    const [mx, my] = pos(e), h = hit(st, mx, my);
    const clickable = h && ({ button: "shape", input: "feature", neuron: "edit", link: "edit" })[h.kind];
    canvas.style.cursor = clickable && allows(st.data, clickable) ? "pointer" : h && h.kind === "plot" && st.data.adding ? "crosshair" : "default";
    if (!h) { tip.style.display = "none"; return; }
    tip.innerHTML = describe(st, h); tip.style.display = "block";
    const left = Math.min(mx * st.zoom + 14, st.L.width * st.zoom - tip.offsetWidth - 4);
    tip.style.left = left + "px"; tip.style.top = my * st.zoom + 14 + "px";
  });
  canvas.addEventListener("mouseleave", () => { tip.style.display = "none"; });
  canvas.addEventListener("click", (e) => {
    const [mx, my] = pos(e), h = hit(st, mx, my), d = st.data;
    const allow = (what) => allows(d, what);
    if (!h) return;
    if (h.kind === "button") { if (h.b.enabled && allow("shape")) send(st, "shape", h.b.action); }
    else if (h.kind === "input") { if (allow("feature")) send(st, "feature", d.inputs[h.r].id); }
    else if (h.kind === "plot") { if (allow("plot_click")) send(st, "plot_click", { x: +h.x.toFixed(3), y: +h.y.toFixed(3) }); }
    else if (allow("edit")) {
      const target = h.kind === "link" ? { layer: h.l.k, name: "W", i: h.l.i, j: h.l.j, value: h.l.w }
                                       : { layer: h.k, name: "b", i: h.j, j: 0, value: d.layers[h.k].biases[h.j] };
      st.editing = target; edit.value = String(target.value);
      edit.style.left = Math.min(mx * st.zoom, st.L.width * st.zoom - 100) + "px"; edit.style.top = my * st.zoom - 12 + "px";
      edit.style.display = "block"; edit.focus(); edit.select();
    }
  });
  edit.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { edit.style.display = "none"; return; }
    if (e.key !== "Enter") return;
    const value = Number(edit.value);
    edit.style.display = "none";
    if (edit.value.trim() === "" || !Number.isFinite(value)) return;
    send(st, "edit", { ...st.editing, value });
  });
  edit.addEventListener("blur", () => { edit.style.display = "none"; });
  // The box's width, kept from the observer: reading clientWidth in every frame forced a layout
  // of the page that Streamlit had just changed (Chrome's profiler).
  new ResizeObserver((entries) => {
    st.boxWidth = entries[entries.length - 1].contentRect.width;
    if (st.data) render(st);
  }).observe(st.root);
}

const DESIGN_WIDTH = 940;   // layout units; wider screens (and presenter mode) zoom the whole drawing
const MIN_LAYOUT = 620;     // narrower boxes zoom out instead: the drawing always fits its box
const STACK_BELOW = 560;    // narrower boxes (phones) put the output plot under the network
const MIN_STACKED = 460;    // the narrowest network alone; narrower boxes zoom out

function render(st) {
  const available = st.boxWidth || st.root.clientWidth || DESIGN_WIDTH, stacked = available < STACK_BELOW;
  if (stacked) st.zoom = Math.min(available / MIN_STACKED, 1);
  else {
    const tall = layout(st.data, DESIGN_WIDTH).height;     // keep the drawing within ~2/3 of the window's height
    const zoom = Math.min(Math.max(available / DESIGN_WIDTH, 0.8) * (st.data.scale || 1),
                          Math.max((0.66 * window.innerHeight) / tall, 0.8), 1.8);
    st.zoom = Math.min(zoom, available / MIN_LAYOUT);
  }
  st.L = layout(st.data, available / st.zoom, stacked);     // so L.width * zoom is the box's width: clicks land true
  st.links = links(st.data, st.L);
  st.plotImage = plotImage(st, lutOf(st.data.palette));
  st.ctx = st.ctx || st.canvas.getContext("2d");
  if (!st.font) {                    // the theme's font and colour, read once (a style read can force a layout)
    const css = getComputedStyle(st.root);
    st.font = css.fontFamily || "sans-serif"; st.txt = css.color || "#31333f";
  }
  draw(st);
}

// The frames leave out what changes only with the data or the features (viz/network_view.py,
// static_frame): it comes on a channel of its own ("<channel>-static"), written once a fragment run.
function setStatic(st, data) {
  st.static = data; st.font = null;     // read the theme again too
  if (st.frame) onFrame(st, st.frame);
}

function onFrame(st, frame) {
  st.frame = frame;
  acknowledge(st, frame.ack);
  if (!st.static) return;                 // the static part comes first: wait for it
  const data = { ...frame, ...st.static };
  // After a feature toggle the new frame and the new data arrive one after the other: draw once
  // the first layer's weights fit the active features again.
  if (data.layers[0].weights.length !== data.inputs.filter((f) => f.active).length) return;
  st.data = data;
  render(st);
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
