// The autoencoder's views (ui/autoencoder/views.py), redrawn with every frame. Two channels: every
// frame brings the reconstructions and the decoded point; the slow one (the plane, the errors, the
// test images and labels) comes only when it changed, and the two are put together here.
// "recon": test images above what the network rebuilds of them (a denoising network: the noisy
// image it is given between them); "plane": every test image's code
// as a dot coloured by its label, the image decoded where the user clicks or drags, a grid of
// decoded images; "anomalies": the histogram of reconstruction errors, the user's own input in it,
// the worst-rebuilt images. Sizes and type scale with the page's zoom (data.zoom, presenter mode);
// no text is smaller than 13 px a unit (16 px at 125 %). The canvas reports the smallest font of its
// last frame as data-min-font (CSS px).
const MUTED = "#808495", OWN = "#d62728";

function bytes(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function setFont(st, base, weight) {
  st.px = (st.z > 1 ? Math.max(base, 13) : base) * st.z;
  st.ctx.font = `${weight ? weight + " " : ""}${st.px}px ${st.font}`;
}

function put(st, text, x, y) {  // and how far any text runs past the canvas's sides (data-overflow)
  const ctx = st.ctx, w = ctx.measureText(text).width, a = ctx.textAlign;
  const left = a === "center" ? x - w / 2 : a === "right" || a === "end" ? x - w : x;
  st.overflow = Math.max(st.overflow || 0, -left, left + w - st.width);
  ctx.fillText(text, x, y);
  if (st.px < st.minFont) st.minFont = st.px;
}

function images(st, b64, side) {  // base64 bytes -> offscreen canvases, one per image (ink dark on white),
  const cache = st.images || (st.images = new Map());   // kept while the same images come again
  if (cache.has(b64)) return cache.get(b64);
  if (cache.size > 12) cache.clear();
  const out = decodeImages(b64, side);
  cache.set(b64, out);
  return out;
}

function decodeImages(b64, side) {
  const data = bytes(b64), n = data.length / (side * side), out = [];
  for (let k = 0; k < n; k++) {
    const c = document.createElement("canvas");
    c.width = c.height = side;
    const cx = c.getContext("2d"), img = cx.createImageData(side, side);
    for (let i = 0; i < side * side; i++) {
      const v = 255 - data[k * side * side + i];
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    cx.putImageData(img, 0, 0);
    out.push(c);
  }
  return out;
}

function drawImage(st, c, x, y, size) {
  st.ctx.imageSmoothingEnabled = false;
  st.ctx.drawImage(c, x, y, size, size);
  st.ctx.strokeStyle = st.line; st.ctx.lineWidth = 1;
  st.ctx.strokeRect(x + 0.5, y + 0.5, size - 1, size - 1);
}

// -- the views -----------------------------------------------------------------------
function reconLayout(st, f) {  // images per band (all of them, or in two bands on a narrow screen) and their size
  const z = st.z, n = f.recon.n, x0 = 96 * z, min = 24 * z;
  const bands = (st.width - x0) / n - 4 < min ? 2 : 1, per = Math.ceil(n / bands);
  const size = Math.max(min, Math.min(56 * z, (st.width - x0) / per - 4));
  const rows = f.recon.noisy ? 3 : 2;
  return { n, x0, per, bands, size, rows, band: rows * (size + 6) + 10 * z };
}

function reconHeight(st, f) { const L = reconLayout(st, f); return L.bands * L.band; }

function drawRecon(st, f) {
  const ctx = st.ctx, r = f.recon, L = reconLayout(st, f), size = L.size;
  const rows = [["test image", images(st, r.inputs, f.side)]];
  if (r.noisy) rows.push(["with noise", images(st, r.noisy, f.side)]);
  rows.push(["rebuilt", images(st, r.outputs, f.side)]);
  for (let b = 0; b < L.bands; b++) {
    const top = b * L.band;
    setFont(st, 12, 600); ctx.fillStyle = st.text; ctx.textAlign = "left"; ctx.textBaseline = "middle";
    rows.forEach(([label], i) => put(st, label, 0, top + i * (size + 6) + size / 2));
    for (let k = b * L.per; k < Math.min(L.n, (b + 1) * L.per); k++) {
      const x = L.x0 + (k - b * L.per) * (size + 4);
      rows.forEach(([, tiles], i) => drawImage(st, tiles[k], x, top + i * (size + 6), size));
    }
  }
}

function planeTitle(st, f) {  // the plane's title, in as many lines as the width needs
  const p = f.plane;
  setFont(st, 13, 600);
  return wrap(st, p.principal ? `Codes: their first two principal components (${Math.round(100 * p.explained)} % of the spread)`
    : "Codes: the two code units", st.width);
}

function wrap(st, text, width) {  // lines of words no wider than width (in the current font)
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (line && st.ctx.measureText(next).width > width) { lines.push(line); line = word; } else line = next;
  }
  return line ? lines.concat([line]) : lines;
}

function planeLayout(st, f) {  // the plane, and beside it (where there is room) the decoded image, large
  const z = st.z, panel = 200 * z, wide = st.width >= 560 * z + panel, title = planeTitle(st, f);
  const side = Math.min(st.width - 10 * z - (wide ? panel : 0), 560 * z), top = title.length * st.px * 1.3 + 10 * z;
  return { x: 40 * z, y: top, w: side - 40 * z, h: side - 40 * z, height: top + side, title,
           panel: wide ? { x: side + 24 * z, y: top, size: Math.min(168 * z, panel - 32 * z) } : null };
}

function toScreen(L, e, p) {
  return [L.x + (p[0] - e[0]) / (e[1] - e[0]) * L.w, L.y + (e[3] - p[1]) / (e[3] - e[2]) * L.h];
}

function toPlane(L, e, x, y) {
  return [e[0] + (x - L.x) / L.w * (e[1] - e[0]), e[3] - (y - L.y) / L.h * (e[3] - e[2])];
}

function drawPlane(st, f) {
  const ctx = st.ctx, z = st.z, p = f.plane, L = planeLayout(st, f), e = p.extent;
  st.plane = { L, e };
  setFont(st, 13, 600); ctx.fillStyle = st.text; ctx.textAlign = "left"; ctx.textBaseline = "top";
  L.title.forEach((line, i) => put(st, line, 0, 4 * z + i * st.px * 1.3));
  ctx.fillStyle = "#fafafa"; ctx.fillRect(L.x, L.y, L.w, L.h);
  ctx.save(); ctx.beginPath(); ctx.rect(L.x, L.y, L.w, L.h); ctx.clip();
  if (p.grid) {
    const tiles = images(st, p.grid, f.side), n = Math.round(Math.sqrt(tiles.length));
    ctx.globalAlpha = 0.55;
    tiles.forEach((c, k) => ctx.drawImage(c, L.x + (k % n) * L.w / n, L.y + Math.floor(k / n) * L.h / n, L.w / n, L.h / n));
    ctx.globalAlpha = 1;
  }
  const q = new Uint16Array(bytes(p.points).buffer), labels = st.labels || [];
  const radius = Math.max(1.5, 2.2 * z), spot = spotlight(st, p);
  const dot = (i, r) => { ctx.beginPath(); ctx.arc(L.x + q[2 * i] / 65535 * L.w, L.y + (1 - q[2 * i + 1] / 65535) * L.h, r, 0, 2 * Math.PI); };
  for (let i = 0; i < q.length / 2; i++) {
    if (labels[i] === spot) continue;
    ctx.fillStyle = spot === null ? p.colors[labels[i] % p.colors.length] : SPOT_REST;
    dot(i, radius); ctx.fill();
  }
  if (spot !== null) {      // one digit's codes alone, on top, ringed: found without telling colours apart
    ctx.fillStyle = p.colors[spot % p.colors.length]; ctx.strokeStyle = st.text; ctx.lineWidth = z;
    for (let i = 0; i < q.length / 2; i++) if (labels[i] === spot) { dot(i, radius * 1.5); ctx.fill(); ctx.stroke(); }
  }
  if (p.prior) drawPrior(st, L, e, p.prior);
  ctx.restore();
  ctx.strokeStyle = st.axis; ctx.lineWidth = st.contrast ? 2 : 1; ctx.strokeRect(L.x, L.y, L.w, L.h);
  setFont(st, 11); ctx.fillStyle = st.muted; ctx.textAlign = "right"; ctx.textBaseline = "middle";
  put(st, e[3].toFixed(1), L.x - 4 * z, L.y + st.px / 2); put(st, e[2].toFixed(1), L.x - 4 * z, L.y + L.h - st.px / 2);
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  put(st, e[0].toFixed(1), L.x + 12 * z, L.y + L.h + 4 * z); put(st, e[1].toFixed(1), L.x + L.w - 12 * z, L.y + L.h + 4 * z);
  drawLegend(st, f, L);
  if (p.own) {            // a code off the plane is marked at its edge, in its direction
    const [x, y] = toScreen(L, e, p.own), cx = Math.min(Math.max(x, L.x), L.x + L.w), cy = Math.min(Math.max(y, L.y), L.y + L.h);
    mark(st, [cx, cy], OWN, cx === x && cy === y ? "your input" : "your input (off the plane)", L);
  }
  if (p.point && p.decoded) {
    const [x, y] = toScreen(L, e, p.point), image = images(st, p.decoded, f.side)[0];
    mark(st, [x, y], st.text, "", L);
    if (L.panel) {                      // wide: the decoded image large beside the plane
      const P = L.panel;
      setFont(st, 12, 600); ctx.fillStyle = st.text; ctx.textAlign = "left"; ctx.textBaseline = "top";
      put(st, "Decoded here:", P.x, P.y);
      drawImage(st, image, P.x, P.y + st.px + 6 * z, P.size);
      setFont(st, 11); ctx.fillStyle = st.muted;
      put(st, `(${p.point[0].toFixed(2)}, ${p.point[1].toFixed(2)})`, P.x, P.y + st.px * 1.4 + P.size + 12 * z);
    }
    if (L.panel) return;
    const size = 96 * z;                // narrow: small beside the point
    const bx = Math.min(Math.max(x + 10 * z, L.x), L.x + L.w - size), by = Math.min(Math.max(y - size - 10 * z, L.y), L.y + L.h - size);
    ctx.fillStyle = "#ffffff"; ctx.fillRect(bx - 3 * z, by - 3 * z, size + 6 * z, size + 6 * z);
    drawImage(st, image, bx, by, size);
  } else if (L.panel) {
    setFont(st, 12); ctx.fillStyle = st.muted; ctx.textAlign = "left"; ctx.textBaseline = "top";
    ["Click or drag in the", "plane: the decoder", "makes an image from", "any point.", "", "Click a label below", "the plane: its codes", "alone."].forEach((line, i) =>
      put(st, line, L.panel.x, L.panel.y + i * st.px * 1.4));
  }
}

function drawPrior(st, L, e, c) {  // a VAE's standard normal: rings at 1 and 2 standard deviations around code 0
  const ctx = st.ctx, z = st.z, [x, y] = toScreen(L, e, c), unit = L.w / (e[1] - e[0]);
  ctx.strokeStyle = st.contrast ? "#000" : PALETTE.frame; ctx.lineWidth = 1.5 * z; ctx.setLineDash([5 * z, 4 * z]);
  for (const r of [1, 2]) { ctx.beginPath(); ctx.arc(x, y, r * unit, 0, 2 * Math.PI); ctx.stroke(); }
  ctx.setLineDash([]);
  setFont(st, 11); ctx.textAlign = "left"; ctx.textBaseline = "bottom";
  const text = "N(0, 1): 1σ, 2σ", tx = x + 2 * unit * 0.72 + 4 * z, ty = y - 2 * unit * 0.72;
  ctx.fillStyle = "rgba(250, 250, 250, 0.85)"; ctx.fillRect(tx - 2 * z, ty - st.px - 2 * z, ctx.measureText(text).width + 4 * z, st.px + 4 * z);
  ctx.fillStyle = st.text; put(st, text, tx, ty);
}

function drawLegend(st, f, L) {
  const ctx = st.ctx, z = st.z, p = f.plane, spot = spotlight(st, p);
  setFont(st, 11); ctx.textAlign = "left"; ctx.textBaseline = "middle";
  let x = L.x, y = L.y + L.h + 22 * z;
  st.legendHits = [];
  p.names.forEach((name, k) => {
    const w = ctx.measureText(name).width + 22 * z;
    if (x + w > L.x + L.w) { x = L.x; y += st.px * 1.5; }
    ctx.fillStyle = spot === null || spot === k ? p.colors[k % p.colors.length] : SPOT_REST;
    ctx.beginPath(); ctx.arc(x + 5 * z, y, 4 * z, 0, 2 * Math.PI); ctx.fill();
    if (spot === k) { ctx.strokeStyle = st.text; ctx.lineWidth = z; ctx.stroke(); }
    ctx.fillStyle = spot === null || spot === k ? st.text : st.muted;
    setFont(st, 11, spot === k ? 700 : 400); put(st, name, x + 12 * z, y);
    st.legendHits.push({ x, y: y - st.px * 0.75, w: w - 6 * z, h: st.px * 1.5, k });
    x += w;
  });
  st.legendBottom = y + st.px;
}

// One digit's codes alone (a legend entry clicked, or its digit key on the plane): the labels on
// the plane are ten colours, which no dichromat tells apart; this finds a digit by place instead.
const SPOT_REST = "#d9dce1";
function spotlight(st, p) {
  return Number.isInteger(st.spotlight) && st.spotlight < p.names.length ? st.spotlight : null;
}
function toggleSpotlight(st, k) {
  st.spotlight = st.spotlight === k ? null : k;
  render(st);
}

function mark(st, [x, y], color, label, L) {
  const ctx = st.ctx, z = st.z;
  ctx.strokeStyle = color; ctx.lineWidth = 2 * z;
  ctx.beginPath(); ctx.moveTo(x - 8 * z, y); ctx.lineTo(x + 8 * z, y); ctx.moveTo(x, y - 8 * z); ctx.lineTo(x, y + 8 * z); ctx.stroke();
  if (!label) return;
  setFont(st, 12, 600); ctx.fillStyle = color;
  const w = ctx.measureText(label).width, right = x + 6 * z + w > L.x + L.w;   // kept inside the plane
  ctx.textAlign = right ? "right" : "left";
  ctx.textBaseline = y - 6 * z - st.px < L.y ? "top" : "bottom";
  put(st, label, x + (right ? -6 : 6) * z, y + (ctx.textBaseline === "top" ? 6 : -6) * z);
}

function worstLayout(st, f) {
  const z = st.z, n = f.anomalies.worst_errors ? f.anomalies.worst_errors.length : 0;
  const size = Math.max(40 * z, Math.min(56 * z, (st.width - (n - 1) * 8 * z) / Math.max(n, 1)));   // one row if it fits
  const per = Math.max(1, Math.min(n, Math.floor((st.width + 8 * z) / (size + 8 * z))));
  return { size, per, rows: n ? Math.ceil(n / per) : 0 };
}

function anomaliesHeight(st, f) { const W = worstLayout(st, f); return 240 * st.z + W.rows * (W.size + 22 * st.z) + (W.rows ? 14 * st.z : 0); }

function drawAnomalies(st, f) {
  const ctx = st.ctx, z = st.z, a = f.anomalies, W = Math.min(st.width, 640 * z);
  const L = { x: 44 * z, y: 26 * z, w: W - 54 * z, h: 170 * z };
  setFont(st, 13, 600); ctx.fillStyle = st.text; ctx.textAlign = "left"; ctx.textBaseline = "top";
  put(st, "Reconstruction error of every test image", 0, 4 * z);
  const lo = a.edges[0], hi = a.edges[a.edges.length - 1], top = Math.max(...a.counts, 1);
  const xs = (v) => L.x + (v - lo) / (hi - lo || 1) * L.w;
  ctx.fillStyle = st.bar;
  a.counts.forEach((c, k) => {
    const x0 = xs(a.edges[k]), x1 = xs(a.edges[k + 1]), h = c / top * L.h;
    ctx.fillRect(x0 + 0.5, L.y + L.h - h, Math.max(1, x1 - x0 - 1), h);
  });
  ctx.strokeStyle = st.axis; ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(L.x, L.y); ctx.lineTo(L.x, L.y + L.h); ctx.lineTo(L.x + L.w, L.y + L.h); ctx.stroke();
  setFont(st, 11); ctx.fillStyle = st.muted; ctx.textBaseline = "top"; ctx.textAlign = "center";
  put(st, a.unit, L.x + L.w / 2, L.y + L.h + 4 * z);
  ctx.textAlign = "left"; put(st, lo.toPrecision(3), L.x, L.y + L.h + 4 * z);
  ctx.textAlign = "right"; put(st, hi.toPrecision(3), L.x + L.w, L.y + L.h + 4 * z);
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  put(st, String(top), L.x - 4 * z, L.y + 6 * z); put(st, "0", L.x - 4 * z, L.y + L.h);
  if (a.own !== null && a.own !== undefined) {
    const x = xs(a.own);
    ctx.strokeStyle = OWN; ctx.lineWidth = 2 * z;
    ctx.beginPath(); ctx.moveTo(x, L.y); ctx.lineTo(x, L.y + L.h); ctx.stroke();
    setFont(st, 12, 600); ctx.fillStyle = OWN; ctx.textBaseline = "top";
    const lines = [`your input: ${a.own.toPrecision(3)}`, a.rank], wide = Math.max(...lines.map((t) => ctx.measureText(t).width));
    const right = x + 6 * z + wide > W && x - 6 * z - wide >= 0;       // on the side of the line where it fits
    ctx.textAlign = right ? "right" : "left";
    const tx = right ? x - 6 * z : Math.max(0, Math.min(x + 6 * z, W - wide));
    ctx.fillStyle = "rgba(255, 255, 255, 0.8)"; ctx.fillRect(right ? tx - wide - 2 * z : tx - 2 * z, L.y, wide + 4 * z, 2.5 * st.px);
    ctx.fillStyle = OWN;
    lines.forEach((t, i) => put(st, t, tx, L.y + i * st.px * 1.2));
  }
  if (a.worst) {
    const tiles = images(st, a.worst, f.side), W = worstLayout(st, f), size = W.size, y0 = L.y + L.h + 40 * z;
    setFont(st, 12, 600); ctx.fillStyle = st.text; ctx.textAlign = "left"; ctx.textBaseline = "top";
    put(st, "Rebuilt worst:", 0, y0 - st.px - 4 * z);
    tiles.forEach((c, k) => {
      const x = (k % W.per) * (size + 8 * z), y = y0 + Math.floor(k / W.per) * (size + 22 * z);
      drawImage(st, c, x, y, size);
      setFont(st, 11); ctx.fillStyle = st.muted; ctx.textAlign = "center"; ctx.textBaseline = "top";
      put(st, a.worst_errors[k].toPrecision(3), x + size / 2, y + size + 2 * z);
    });
  }
}

function planeHeight(st, f) {  // the plane, its bottom axis labels and the legend's rows
  const z = st.z, L = planeLayout(st, f);
  setFont(st, 11);
  const row = f.plane.names.reduce((w, name) => w + st.ctx.measureText(name).width + 22 * z, 0);
  return L.height + 22 * z + Math.ceil(row / L.w) * st.px * 1.5 + 4 * z;
}

const VIEWS = { recon: [reconHeight, drawRecon], plane: [planeHeight, drawPlane],
                anomalies: [anomaliesHeight, drawAnomalies] };

function render(st) {
  const f = st.frame;
  if (!f || !f[st.view]) return;
  const dpr = window.devicePixelRatio || 1, canvas = st.canvas;
  st.width = st.root.clientWidth || 600;
  st.ctx = canvas.getContext("2d");
  st.font = st.font || getComputedStyle(st.root).fontFamily || "sans-serif";
  st.text = st.contrast ? "#000" : "#31333f"; st.muted = st.contrast ? "#000" : MUTED;
  st.line = st.contrast ? "#000" : PALETTE.frame; st.axis = st.contrast ? "#000" : PALETTE.frame;   // viz.palette: 3:1
  st.bar = st.contrast ? "#00457a" : PALETTE.bar;
  if (f.plane && f.plane.labels && f.plane.labels !== st.labelText) { st.labelText = f.plane.labels; st.labels = bytes(f.plane.labels); }
  const [height, draw] = VIEWS[st.view];
  st.ctx.font = `12px ${st.font}`;
  const h = height(st, f);
  canvas.width = Math.round(st.width * dpr); canvas.height = Math.round(h * dpr);
  canvas.style.width = `${st.width}px`; canvas.style.height = `${h}px`;
  st.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  st.ctx.clearRect(0, 0, st.width, h);
  st.minFont = Infinity; st.overflow = 0;
  draw(st, f);
  canvas.dataset.minFont = String(Math.round(st.minFont * 10) / 10);
  canvas.dataset.overflow = String(Math.round(st.overflow));
  aeAccessible(st, f);
}

// -- the keyboard and a screen reader (issue 22): the code plane's decoded point moves with the arrow
// keys (the labels of the codes nearest to it are read out); every view keeps a text of what it
// shows (the reconstructions' errors, read out politely; the plane's groups; the errors' spread).
const PLANE_KEYS = "Arrow keys move the decoded point over the plane (with Shift in small steps), Home to the middle; the image decoded there is drawn, and the labels of the codes nearest to it are read out. A digit key shows that label's codes alone (again: all of them).";

function aeAccessible(st, f) {
  if (!st.a11y) {
    st.nav = st.view === "plane" ? PLANE_NAV : null; st.redraw = () => render(st);
    accessible(st, st.canvas, { name: st.canvas.getAttribute("aria-label") || st.view, keys: PLANE_KEYS,
                                live: st.view === "recon", interactive: st.view === "plane" });
  }
  drawFocus(st, st.ctx);
  try { summarize(st, AE_SUMMARY[st.view](st, f)); } catch (err) { /* words never stop the drawing */ }
}

function codes(st, p) {  // every test code as [x, y] in [0, 1] of the plane, with its label
  const q = new Uint16Array(bytes(p.points).buffer), labels = st.labels || [], out = [];
  for (let i = 0; i < q.length / 2; i++) out.push([q[2 * i] / 65535, q[2 * i + 1] / 65535, labels[i]]);
  return out;
}

function nearest(st, p, x, y, n = 10) {  // the labels of the n codes nearest to (x, y), most frequent first
  const e = p.extent, ux = (x - e[0]) / (e[1] - e[0]), uy = (y - e[2]) / (e[3] - e[2]);
  const near = codes(st, p).map(([cx, cy, l]) => [(cx - ux) ** 2 + (cy - uy) ** 2, l]).sort((a, b) => a[0] - b[0]).slice(0, n);
  const counts = {};
  for (const [, l] of near) if (l !== undefined) counts[l] = (counts[l] || 0) + 1;
  return Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([l, c]) => `${p.names[l] ?? l} (${c})`).join(", ");
}

const fix = (v) => String(+v.toFixed(2)).replace("-", "−");

const PLANE_NAV = {
  first: (st) => { const p = st.frame.plane, e = p.extent; return p.point ? { x: p.point[0], y: p.point[1] } : { x: (e[0] + e[1]) / 2, y: (e[2] + e[3]) / 2 }; },
  move: (st, cur, ev) => {
    const e = st.frame.plane.extent, k = ev.shiftKey ? 0.01 : 0.05, lim = (v, a, b) => Math.max(a, Math.min(b, v));
    const dx = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0, dy = ev.key === "ArrowUp" ? 1 : ev.key === "ArrowDown" ? -1 : 0;
    const next = ev.key === "Home" ? { x: (e[0] + e[1]) / 2, y: (e[2] + e[3]) / 2 }
      : { x: lim(cur.x + dx * k * (e[1] - e[0]), e[0], e[1]), y: lim(cur.y + dy * k * (e[3] - e[2]), e[2], e[3]) };
    clearTimeout(st.keyPoint);      // the page decodes the last place the keys stop at
    st.keyPoint = setTimeout(() => st.trigger("point", { x: +next.x.toFixed(4), y: +next.y.toFixed(4) }), 60);
    return next;
  },
  activate: (st, cur) => st.trigger("point", { x: +cur.x.toFixed(4), y: +cur.y.toFixed(4) }),
  key: (st, ev) => {
    const k = "0123456789".indexOf(ev.key), names = st.frame.plane.names;
    if (k < 0 || k >= names.length) return false;
    toggleSpotlight(st, k);
    return true;
  },
  describe: (st, cur) => {
    const spot = spotlight(st, st.frame.plane);
    return (spot === null ? "" : `showing the codes of ${st.frame.plane.names[spot]} alone; `) +
      `point (${fix(cur.x)}, ${fix(cur.y)}); the nearest codes are of ${nearest(st, st.frame.plane, cur.x, cur.y)}`;
  },
  rect: (st, cur) => { if (!st.plane) return null; const [x, y] = toScreen(st.plane.L, st.plane.e, [cur.x, cur.y]); return { x: x - 9 * st.z, y: y - 9 * st.z, w: 18 * st.z, h: 18 * st.z }; },
};

const AE_SUMMARY = {
  recon: (st, f) => {
    const a = bytes(f.recon.inputs), b = bytes(f.recon.outputs), n = f.recon.n, size = a.length / n, errs = [];
    for (let k = 0; k < n; k++) { let s = 0; for (let i = k * size; i < (k + 1) * size; i++) s += Math.abs(a[i] - b[i]); errs.push(s / size / 255); }
    const worst = errs.indexOf(Math.max(...errs));
    return `${n} test images and what the network rebuilds of them: on average each pixel is off by ${(errs.reduce((x, y) => x + y, 0) / n).toFixed(3)} ` +
      `(0 is a perfect copy, 1 the opposite); the worst is image ${worst + 1}, off by ${errs[worst].toFixed(3)}.`;
  },
  plane: (st, f) => {
    const p = f.plane, e = p.extent, groups = {};
    for (const [x, y, l] of codes(st, p)) { if (l === undefined) continue; const g = groups[l] || (groups[l] = [0, 0, 0]); g[0] += x; g[1] += y; g[2]++; }
    const at = (u, lo, hi) => fix(lo + u * (hi - lo));
    const where = Object.entries(groups).map(([l, [x, y, n]]) => `${p.names[l] ?? l} around (${at(x / n, e[0], e[1])}, ${at(y / n, e[2], e[3])})`).join("; ");
    return `The code of every test image as a point, ${p.principal ? "on its first two principal components" : "on the two code units"}, ` +
      `x from ${fix(e[0])} to ${fix(e[1])}, y from ${fix(e[2])} to ${fix(e[3])}. ${where ? "The labels' centres: " + where + "." : ""}` +
      (p.point ? ` Decoded at (${fix(p.point[0])}, ${fix(p.point[1])}).` : "");
  },
  anomalies: (st, f) => {
    const a = f.anomalies, total = a.counts.reduce((x, y) => x + y, 0), peak = a.counts.indexOf(Math.max(...a.counts));
    return `Reconstruction error (${a.unit}) of ${total} test images, from ${a.edges[0].toPrecision(3)} to ${a.edges[a.edges.length - 1].toPrecision(3)}; ` +
      `most between ${a.edges[peak].toPrecision(3)} and ${a.edges[peak + 1].toPrecision(3)}.` +
      (a.own !== null && a.own !== undefined ? ` Your input: ${a.own.toPrecision(3)}, ${a.rank}.` : "") +
      (a.worst_errors ? ` The worst rebuilt: ${a.worst_errors.map((v) => v.toPrecision(3)).join(", ")}.` : "");
  },
};

function install(st) {
  let last = 0, pending = null;
  const send = (e) => {
    if (!st.plane || st.view !== "plane") return;
    const r = st.canvas.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
    const entry = e.type === "pointerdown" && (st.legendHits || []).find((h) => x >= h.x && x <= h.x + h.w && y >= h.y && y <= h.y + h.h);
    if (entry) { toggleSpotlight(st, entry.k); return; }
    const { L, e: ext } = st.plane;
    if (x < L.x || x > L.x + L.w || y < L.y || y > L.y + L.h) return;
    const [px, py] = toPlane(L, ext, x, y);
    const now = performance.now(), point = { x: +px.toFixed(4), y: +py.toFixed(4) };
    if (st.nav) st.cursor = { ...point };     // the keyboard's point (and its focus ring) follows the mouse's
    if (now - last > 80) { last = now; st.trigger("point", point); } else pending = point;
  };
  st.canvas.addEventListener("pointerdown", (e) => { st.dragging = true; send(e); });
  st.canvas.addEventListener("pointermove", (e) => { if (st.dragging) send(e); });
  const end = () => { st.dragging = false; if (pending) { st.trigger("point", pending); pending = null; } };
  st.canvas.addEventListener("pointerup", end);
  st.canvas.addEventListener("pointerleave", end);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = mountRoot(parentElement, "aev", `<canvas aria-label="${data.label || ""}"></canvas>`);
  const st = root.__state || (root.__state = { root, canvas: root.querySelector("canvas") });
  st.channel = data.channel; st.view = data.view; st.z = data.zoom || 1; st.contrast = !!data.contrast;
  st.trigger = setTriggerValue;
  if (data.live) watchVisibility(setTriggerValue);
  if (!st.installed) { install(st); new ResizeObserver(() => render(st)).observe(root); st.installed = true; }
  if (!st.timer) {
    st.slowChannel = { channel: `${data.channel}-slow` };
    pollChannel(st, (frame) => { st.fast = frame; merge(st); });
    pollChannel(st.slowChannel, (frame) => { st.slow = frame; st.slowCount = (st.slowCount || 0) + 1; merge(st); });
  }
  if (st.frame) render(st);
  return () => { st.timer = null; if (st.slowChannel) st.slowChannel.timer = null; };
}

function merge(st) {  // the slow frame's parts with the fast frame's on top, then a drawing
  if (!st.slow || !st.fast) return;
  // A view whose parts did not change is not drawn again: the errors only change with the slow
  // frame, the plane with it or with the decoded point; the reconstructions with every frame.
  const mine = st.view === "recon" ? st.fast.recon : st.view === "plane" ? st.fast.plane : null;
  const key = [st.slowCount, mine && JSON.stringify(mine)].join("|");
  if (st.view !== "recon" && key === st.drawnKey && st.width === (st.root.clientWidth || 600)) return;
  const f = { ...st.slow };
  for (const [k, v] of Object.entries(st.fast)) f[k] = { ...(st.slow[k] || {}), ...v };
  st.frame = f;
  st.drawnKey = key;
  render(st);
  guardCanvas(st, st.canvas);      // three flashes (WCAG 2.3.1): a frame that would flash waits (_shared.js)
}
