// Small line charts side by side (viz/curves.py), redrawn with every frame from
// the channel; hovering shows every series' exact value at the nearest epoch. Presenter mode's
// zoom (data.zoom) scales the sizes and the type (13 px a unit, so 16 px and up from 1.25); its
// high contrast (data.contrast) draws black. The canvas reports its smallest font (data-min-font).
// A chart with a "band" (viz/activations.py) also shades its percentiles 5-95 and 25-75 around the
// median, and "flat" spans of y (where an activation is flat) in grey; data.compact draws smaller
// charts, more to a row (the per-layer bands).
let H = 220, PAD = { l: 46, r: 10, t: 50, b: 30 }, GAP = 24, MIN_W = 260;  // narrower boxes stack the charts
const BAND_NAMES = ["5-95 %", "25-75 %"];

function scaleTo(st) {  // the sizes above at the page's zoom (every chart of one canvas has the same)
  const z = st.zoom, c = st.compact;
  H = (c ? 170 : 220) * z; PAD = { l: 46 * z, r: 10 * z, t: 50 * z, b: 30 * z }; GAP = (c ? 16 : 24) * z;
  MIN_W = (c ? 190 : 260) * z;
  st.fs = z > 1 ? 13 * z : 12;
  st.muted = st.contrast ? "#000000" : "#808495"; st.grid = st.contrast ? "#8a8f99" : "#e6e9ef";
  st.frameColor = st.contrast ? "#000000" : PALETTE.frame;   // 3:1 on white (viz.palette); the grid is decoration
}

function niceTicks(lo, hi, n) {
  const span = hi - lo || 1, step0 = span / n, mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => span / s <= n) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(+v.toPrecision(12));
  return out;
}

function logTicks(lo, hi) {  // lo, hi are log10 of the range: powers of ten, or 1-2-5 steps within a decade
  const out = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) for (const m of hi - lo < 1.5 ? [1, 2, 5] : [1]) {
    const v = m * Math.pow(10, e);
    if (Math.log10(v) >= lo - 1e-9 && Math.log10(v) <= hi + 1e-9) out.push(v);
  }
  return out;
}

function logLabel(v) {
  const e = Math.floor(Math.log10(v) + 1e-9), m = Math.round(v / Math.pow(10, e));
  return e >= -2 && e <= 3 ? String(+v.toPrecision(2)) : `${m === 1 ? "" : m + "·"}1e${e}`;
}

function fmt(v, c) {
  if (v === null || v === undefined) return "–";
  if (c.percent) return (100 * v).toFixed(1) + "%";
  return Math.abs(v) >= 0.01 && Math.abs(v) < 1e4 ? v.toPrecision(4) : v.toExponential(2);
}

function perRow(st) { return Math.max(1, Math.min(st.charts.length, Math.floor((st.width + GAP) / (MIN_W + GAP)))); }

function chartWidth(st) { const n = perRow(st); return (st.width - GAP * (n - 1)) / n; }

function legendNames(c) { return c.series.map((s) => s.name).concat(c.band ? BAND_NAMES : []); }

function legendRows(st, c) {  // the lines chart c's legend takes (drawChart wraps it the same way)
  let rows = 1, lx = PAD.l;
  for (const name of legendNames(c)) {
    const w = 26 * st.zoom + st.ctx.measureText(name).width;
    if (lx + w > chartWidth(st) && lx > PAD.l) { rows++; lx = PAD.l; }
    lx += w;
  }
  return rows;
}

function frameOf(st, c, k) {  // pixel box and scales of chart k
  const n = perRow(st), w = chartWidth(st), x0 = (k % n) * (w + GAP), y0 = Math.floor(k / n) * H;
  const box = { x: x0 + PAD.l, y: y0 + st.top, w: w - PAD.l - PAD.r, h: H - st.top - PAD.b };
  const vals = c.series.flatMap((s) => s.values).filter((v) => v !== null && (!c.log || v > 0));
  let lo, hi;
  if (c.range) [lo, hi] = c.range;
  else if (!vals.length) [lo, hi] = [0, 1];
  else if (c.log) { lo = Math.log10(Math.min(...vals)); hi = Math.log10(Math.max(...vals)); if (hi - lo < 0.5) { lo -= 0.25; hi += 0.25; } }
  else { lo = Math.min(0, ...vals); hi = Math.max(...vals) * 1.05 || 1; }
  const xmin = c.x[0] || 0, xmax = Math.max(c.x[c.x.length - 1] || 1, xmin + 1);
  const sx = (v) => box.x + ((v - xmin) / (xmax - xmin)) * box.w;
  const sy = (v) => box.y + box.h - (((c.log ? Math.log10(v) : v) - lo) / (hi - lo || 1)) * box.h;
  return { box, lo, hi, xmin, xmax, sx, sy };
}

function drawChart(st, c, k) {
  const ctx = st.ctx, F = frameOf(st, c, k), { box } = F, muted = st.muted, z = st.zoom, row = st.fs + 1;
  ctx.font = `${st.fs}px ${st.font}`;
  ctx.fillStyle = st.text; ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
  ctx.fillText(c.title, box.x - PAD.l + 4, box.y - st.top + 1.17 * st.fs);
  let lx = box.x, ly = box.y - st.top + 2.33 * st.fs;   // legend, wrapping onto more lines (legendRows)
  const keys = c.series.map((s) => ({ name: s.name, color: s.color, h: 3 }))
    .concat(c.band ? BAND_NAMES.map((name, j) => ({ name, color: c.band.color, h: 8, alpha: j ? 0.45 : 0.2 })) : []);
  for (const s of keys) {
    const w = 26 * z + ctx.measureText(s.name).width;
    if (lx + w > box.x + box.w + PAD.r && lx > box.x) { lx = box.x; ly += row; }
    ctx.globalAlpha = s.alpha || 1; ctx.fillStyle = s.color;
    ctx.fillRect(lx, ly - 0.5 * st.fs - (s.h - 3) * z / 2, 14 * z, s.h * z); ctx.globalAlpha = 1;
    ctx.fillStyle = muted; ctx.fillText(s.name, lx + 18 * z, ly); lx += w;
  }
  ctx.strokeStyle = st.grid; ctx.lineWidth = 1; ctx.fillStyle = muted;
  const empty = !c.series.some((s) => s.values.some((v) => v !== null));
  const yt = empty ? [] : c.log ? logTicks(F.lo, F.hi) : niceTicks(F.lo, F.hi, 4);
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const v of yt) {
    const y = F.sy(v); ctx.beginPath(); ctx.moveTo(box.x, y); ctx.lineTo(box.x + box.w, y); ctx.stroke();
    ctx.fillText(c.percent ? Math.round(100 * v) + "%" : c.log ? logLabel(v) : +v.toPrecision(3), box.x - 5 * z, y);
  }
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  const xt = niceTicks(F.xmin, F.xmax, Math.max(2, Math.floor(box.w / (60 * z)))).filter(Number.isInteger);  // whole epochs
  for (const v of xt) ctx.fillText(String(v), F.sx(v), box.y + box.h + 5 * z);
  ctx.fillText(c.xlabel || "Epoch", box.x + box.w / 2, box.y + box.h + 5 * z + row);   // a chart may count steps
  ctx.strokeStyle = st.frameColor; ctx.lineWidth = st.contrast ? 2 : 1; ctx.strokeRect(box.x, box.y, box.w, box.h);
  if (c.flat) for (const [a, b] of c.flat) {   // where the activation is flat: its gradient nearly vanishes
    const y0 = Math.max(box.y, Math.min(F.sy(b), box.y + box.h)), y1 = Math.max(box.y, Math.min(F.sy(a), box.y + box.h));
    ctx.fillStyle = st.contrast ? "rgba(0,0,0,0.16)" : "rgba(128,132,149,0.14)"; ctx.fillRect(box.x, y0, box.w, y1 - y0);
  }
  if (c.band) drawBand(st, c, F);
  if (!c.series.some((s) => s.values.some((v) => v !== null && (!c.log || v > 0)))) {
    ctx.fillStyle = muted; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.fillText("appears after the first epoch", box.x + box.w / 2, box.y + box.h / 2);
  }
  for (const s of c.series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = (st.contrast ? 3 : 2) * z; ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || (c.log && v <= 0)) { pen = false; return; }
      const x = F.sx(c.x[i]), y = F.sy(v);
      pen ? ctx.lineTo(x, y) : ctx.moveTo(x, y); pen = true;
    });
    ctx.stroke();
  }
  if (st.hover && st.hover.k === k && c.x.length) {   // crosshair at the nearest epoch
    const i = nearest(c.x, st.hover.value), x = F.sx(c.x[i]);
    ctx.strokeStyle = PALETTE.frame; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(x, box.y); ctx.lineTo(x, box.y + box.h); ctx.stroke();
    for (const s of c.series) if (s.values[i] !== null && (!c.log || s.values[i] > 0)) {
      ctx.fillStyle = s.color; ctx.beginPath(); ctx.arc(x, F.sy(s.values[i]), 3.5 * z, 0, 2 * Math.PI); ctx.fill();
    }
    st.tip.innerHTML = `${(c.xlabel || "epoch").toLowerCase()} ${c.x[i]}<br>` + (c.band ? [[95, c.band.p[3]], [75, c.band.p[2]], [50, c.series[0].values],
      [25, c.band.p[1]], [5, c.band.p[0]]].map(([q, v]) => `${q === 50 ? "median" : q + " %"}: ${fmt(v[i], c)}`).join("<br>")
      : c.series.map((s) => `<span style="color:${s.color}">■</span> ${s.name}: ${fmt(s.values[i], c)}`).join("<br>"));
    st.tip.style.display = "block";
    st.tip.style.left = Math.min(x + 12, st.width - st.tip.offsetWidth - 4) + "px"; st.tip.style.top = box.y + 6 + "px";
  }
}

function drawBand(st, c, F) {  // percentiles 5-95 and 25-75 as shaded areas between their lines
  const ctx = st.ctx, p = c.band.p, clip = (y) => Math.max(F.box.y, Math.min(y, F.box.y + F.box.h));
  [[0, 3, 0.2], [1, 2, 0.45]].forEach(([lo, hi, alpha]) => {   // p: percentiles 5, 25, 75, 95
    ctx.globalAlpha = alpha; ctx.fillStyle = c.band.color;
    let start = 0;
    while (start < c.x.length) {          // one area per run of epochs with values
      while (start < c.x.length && (p[lo][start] === null || p[hi][start] === null)) start++;
      let end = start;
      while (end < c.x.length && p[lo][end] !== null && p[hi][end] !== null) end++;
      if (end > start) {
        ctx.beginPath();
        for (let i = start; i < end; i++) ctx[i === start ? "moveTo" : "lineTo"](F.sx(c.x[i]), clip(F.sy(p[hi][i])));
        for (let i = end - 1; i >= start; i--) ctx.lineTo(F.sx(c.x[i]), clip(F.sy(p[lo][i])));
        if (end - start === 1) ctx.rect(F.sx(c.x[start]) - 2, clip(F.sy(p[hi][start])), 4, clip(F.sy(p[lo][start])) - clip(F.sy(p[hi][start])));
        ctx.closePath(); ctx.fill();
      }
      start = end;
    }
  });
  ctx.globalAlpha = 1;
}

function nearest(xs, v) {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - v) < Math.abs(xs[best] - v)) best = i;
  return best;
}

function render(st) {
  st.width = st.boxWidth || st.root.clientWidth || 600;   // the observer's width: no forced layout per frame
  scaleTo(st);
  const dpr = window.devicePixelRatio || 1, height = H * Math.ceil(st.charts.length / perRow(st) || 1);
  st.canvas.width = st.width * dpr; st.canvas.height = height * dpr; st.canvas.style.height = height + "px";
  st.ctx = st.canvas.getContext("2d"); st.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  st.font = getComputedStyle(st.root).fontFamily || "sans-serif";
  st.text = getComputedStyle(st.root).color || "#31333f";
  st.ctx.clearRect(0, 0, st.width, height);
  st.ctx.font = `${st.fs}px ${st.font}`;      // every chart's box starts below the longest legend
  st.top = PAD.t + (st.fs + 1) * Math.max(0, Math.max(1, ...st.charts.map((c) => legendRows(st, c))) - 2);
  if (!(st.hover && st.charts[st.hover.k])) st.tip.style.display = "none";
  st.tip.style.fontSize = st.fs + "px";
  st.charts.forEach((c, k) => drawChart(st, c, k));
  if (st.charts.length) st.canvas.dataset.minFont = String(Math.round(st.fs * 10) / 10);   // one size for every text
  describeCharts(st);
}

// -- for a screen reader (issue 22): each chart's latest values in words, and a table of its values at
// up to TABLE_ROWS epochs (the first, the last and evenly between), renewed at most every SUMMARY_MS.
const TABLE_ROWS = 12;
const esc = (t) => String(t).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);

function describeCharts(st) {
  if (!st.a11y) accessible(st, st.canvas, { name: st.canvas.getAttribute("aria-label") || "Training curves", interactive: false });
  const wait = (st.tableAt || 0) + SUMMARY_MS - performance.now();
  clearTimeout(st.tableTimer);
  if (wait > 0) { st.tableTimer = setTimeout(() => describeCharts(st), wait); return; }
  st.tableAt = performance.now();
  const charts = st.charts || [], last = (s) => { for (let i = s.values.length - 1; i >= 0; i--) if (s.values[i] !== null) return i; return -1; };
  const words = charts.map((c) => {
    const parts = c.series.map((s) => { const i = last(s); return i < 0 ? "" : `${s.name} ${fmt(s.values[i], c)} at ${(c.xlabel || "epoch").toLowerCase()} ${c.x[i]}`; }).filter(Boolean);
    return `${c.title}: ${parts.length ? parts.join(", ") : "no values yet"}.`;
  });
  summarize(st, words.join(" "));
  if (!st.tables) {
    st.tables = document.createElement("div");
    st.tables.setAttribute("style", SR_ONLY);
    st.a11y.summary.parentElement.appendChild(st.tables);
  }
  st.tables.innerHTML = charts.map((c) => {
    const n = c.x.length, picks = n <= TABLE_ROWS ? [...Array(n).keys()]
      : [...new Set([...Array(TABLE_ROWS).keys()].map((r) => Math.round((r * (n - 1)) / (TABLE_ROWS - 1))))];
    const head = `<tr><th scope="col">${esc(c.xlabel || "Epoch")}</th>${c.series.map((s) => `<th scope="col">${esc(s.name)}</th>`).join("")}</tr>`;
    const rows = picks.map((i) => `<tr><th scope="row">${esc(c.x[i])}</th>${c.series.map((s) => `<td>${esc(fmt(s.values[i], c))}</td>`).join("")}</tr>`).join("");
    return `<table><caption>${esc(c.title)}${n > TABLE_ROWS ? ` (${picks.length} of ${n} points)` : ""}</caption>${head}${rows}</table>`;
  }).join("");
}

export default function (component) {
  const { data, parentElement } = component;
  const root = mountRoot(parentElement, "lcs", '<canvas aria-label="Training curves"></canvas><div class="tip"></div>');
  const st = root.__state || (root.__state = { root, canvas: root.querySelector("canvas"), tip: root.querySelector(".tip"), charts: [] });
  st.channel = data.channel; st.zoom = data.zoom || 1; st.contrast = !!data.contrast; st.compact = !!data.compact;
  if (data.label) st.canvas.setAttribute("aria-label", data.label);
  if (!st.timer) {
    st.canvas.addEventListener("mousemove", (e) => {
      scaleTo(st);       // the sizes are shared by every chart canvas of the page: this one's
      const r = st.canvas.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
      const k = st.charts.findIndex((c, j) => { const F = frameOf(st, c, j);
        return mx >= F.box.x && mx <= F.box.x + F.box.w && my >= F.box.y - st.top && my <= F.box.y + F.box.h + PAD.b; });
      if (k < 0) { st.hover = null; } else {
        const F = frameOf(st, st.charts[k], k);
        st.hover = { k, value: F.xmin + ((mx - F.box.x) / F.box.w) * (F.xmax - F.xmin) };
      }
      render(st);
    });
    st.canvas.addEventListener("mouseleave", () => { st.hover = null; render(st); });
    new ResizeObserver((entries) => { st.boxWidth = entries[entries.length - 1].contentRect.width; render(st); }).observe(root);
    pollChannel(st, (frame) => { st.charts = frame.charts; render(st); });
  }
  return () => { cancelAnimationFrame(st.timer); st.timer = null; };
}
