// A recurrent network's insides (viz/rnn.py), redrawn with every frame from the channel:
// the network unrolled over time, units x time heatmaps with their colour scales, lines over
// time, a strip of tokens. Hovering any cell, point or token shows its value.
// Presenter mode (data.zoom, data.contrast): every size scales with the zoom and no text is
// smaller than 13 px a unit (16 px at 125 %); high contrast draws black lines and labels. The
// canvas reports the smallest font of its last frame as data-min-font (CSS px).
const MUTED = "#808495", LINE = PALETTE.frame, POS_STROKE = PALETTE.posLine, MARK = PALETTE.wrong;   // viz.palette

function decode(b64) {  // base64 bytes -> Uint8Array
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function mix(a, b, t) { return a.map((v, i) => Math.round(v + (b[i] - v) * t)); }
const NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189], WHITE = [250, 250, 252];

function color(q, scale) {  // a byte (0..255 over the map's range) -> [r, g, b]
  const t = q / 255;
  if (scale === "seq") return mix(WHITE, POS, t);
  return t < 0.5 ? mix(NEG, MID, t * 2) : mix(MID, POS, (t - 0.5) * 2);
}

function value(q, lo, hi) { return lo + (q / 255) * (hi - lo); }
function rgb(c) { return `rgb(${c[0]},${c[1]},${c[2]})`; }
function num(v) { return String(+v.toPrecision(3)).replace("-", "−"); }

// -- sizes and type at the page's zoom ----------------------------------------------
function setFont(st, base, weight) {  // base px at zoom 1; zoomed text is at least 13 px a unit
  st.px = (st.z > 1 ? Math.max(base, 13) : base) * st.z;
  st.ctx.font = `${weight ? weight + " " : ""}${st.px}px ${st.font}`;
  return st.px;
}

function mw(st, text) {  // a text's width in the current font, remembered (the same labels come every frame)
  const key = st.ctx.font + "\u0000" + text, cache = st.widths || (st.widths = new Map());
  let w = cache.get(key);
  if (w === undefined) {
    if (cache.size > 5000) cache.clear();
    w = st.ctx.measureText(text).width; cache.set(key, w);
  }
  return w;
}

function put(st, text, x, y) {  // fillText that remembers the smallest font drawn
  st.ctx.fillText(text, x, y);
  if (st.px < st.minFont) st.minFont = st.px;
}

function lines(st, text, room, max) {  // text broken into at most ``max`` lines of ``room`` px (the last cut with …)
  const words = String(text).split(" "), out = [];
  let line = "";
  for (const w of words) {
    const next = line ? line + " " + w : w;
    if (line && mw(st, next) > room) { out.push(line); line = w; } else line = next;
  }
  if (line) out.push(line);
  if (out.length > max) { out.length = max; out[max - 1] += " …"; }
  for (let k = 0; k < out.length; k++) {
    while (out[k].length > 2 && mw(st, out[k]) > room) out[k] = out[k].slice(0, -2) + "…";
  }
  return out;
}

function titleH(st, text, room) {  // the height a title takes (one or two lines)
  setFont(st, 13, 600);
  return lines(st, text, room, 2).length * st.px * 1.3 + 6 * st.z;
}

function title(st, text, x, y, room) {  // a title at (x, y): up to two lines; returns its height
  const ctx = st.ctx;
  setFont(st, 13, 600); ctx.fillStyle = st.text; ctx.textAlign = "left"; ctx.textBaseline = "top";
  const ls = lines(st, text, room || st.width - x, 2);
  ls.forEach((l, k) => put(st, l, x, y + 2 * st.z + k * st.px * 1.3));
  setFont(st, 12);
  return ls.length * st.px * 1.3 + 6 * st.z;
}

// A panel's layout, computed once a frame (the height pass and the drawing share it; a new width or zoom
// computes it anew): the layouts measure text, which is most of their cost.
function cached(layout) {
  return (st, p, W) => {
    const memo = p.__layouts || (p.__layouts = new Map()), hit = memo.get(layout);
    if (hit && hit.W === W && hit.z === st.z) return hit.L;
    const L = layout(st, p, W);
    memo.set(layout, { W, z: st.z, L });
    return L;
  };
}

// -- the unrolled network ------------------------------------------------------
const unrolledLayout = cached(function (st, p, W) {
  const z = st.z, units = Math.max(...p.layers.map((l) => l.units));
  const cols = Math.min(8, Math.ceil(Math.sqrt(units)));       // each step's state as a near-square grid
  const minCell = (z > 1 ? 9 : 7) * z, margin = 26 * z;     // larger squares for a projector
  setFont(st, 12);
  const tokenW = Math.max(30 * z, ...p.inputs.map((t) => mw(st, t.text) + 10 * z));
  const minStep = Math.max(cols * minCell + margin, tokenW + 8 * z);
  // As many steps as fit at a readable size: the first ones, then the last after a gap.
  const fit = Math.max(2, Math.floor((W - 10 * z) / minStep - (p.steps.length > 2 ? 0.6 : 0)));
  let idx = p.steps.map((_, k) => k);
  if (idx.length > fit) idx = idx.slice(0, fit - 1).concat([p.steps.length - 1]);
  const n = idx.length, gapSlot = n > 1 && p.steps[idx[n - 1]] - p.steps[idx[n - 2]] > 1 ? 0.6 : 0;
  const stepW = Math.min(130 * z, (W - 10 * z) / (n + gapSlot));
  const cell = Math.max(3, Math.min(13 * z, (stepW - margin) / cols));
  const grids = p.layers.map((l) => ({ rows: Math.ceil(l.units / cols), units: l.units }));
  const gridH = grids.map((g) => g.rows * cell), tokenH = 24 * z, outH = 24 * z, vgap = 22 * z;
  const head = titleH(st, p.title, W);
  const H = head + 8 * z + outH + vgap + gridH.reduce((a, b) => a + b + vgap, 0) + tokenH + 6 * z + st.px * 1.2;
  return { idx, n, gapSlot, stepW, cols, cell, grids, gridH, tokenH, outH, vgap, head, H };
});

function arrow(st, x0, y0, x1, y1, c) {
  const ctx = st.ctx, a = Math.atan2(y1 - y0, x1 - x0), h = 6 * st.z;
  ctx.strokeStyle = c; ctx.fillStyle = c; ctx.lineWidth = (st.contrast ? 2 : 1.4) * st.z;
  ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
  ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x1 - h * Math.cos(a - 0.45), y1 - h * Math.sin(a - 0.45));
  ctx.lineTo(x1 - h * Math.cos(a + 0.45), y1 - h * Math.sin(a + 0.45)); ctx.closePath(); ctx.fill();
}

function token(st, tok, cx, cy, w, h) {
  const ctx = st.ctx;
  ctx.fillStyle = tok.color || "#31333f"; ctx.globalAlpha = 0.16;
  ctx.fillRect(cx - w / 2, cy - h / 2, w, h); ctx.globalAlpha = 1;
  ctx.strokeStyle = st.contrast ? "#000" : tok.color || LINE; ctx.lineWidth = (tok.mark ? 2.5 : 1) * st.z;
  ctx.strokeRect(cx - w / 2, cy - h / 2, w, h);
  ctx.fillStyle = st.text; ctx.textAlign = "center"; ctx.textBaseline = "middle";
  setFont(st, 12, tok.mark ? 600 : 400); put(st, tok.text, cx, cy);
  setFont(st, 12);
}

function drawUnrolled(st, p, y0) {
  const ctx = st.ctx, z = st.z, L = unrolledLayout(st, p, st.width);
  st.stateCell = L.cell;
  title(st, p.title, 0, y0, st.width);
  const hs = p.layers.map((l) => decode(l.h));
  const yOut = y0 + L.head + 8 * z, yGrid0 = yOut + L.outH + L.vgap;
  const gx = (k) => 10 * z + (k + (k === L.n - 1 && L.gapSlot ? L.gapSlot : 0)) * L.stepW;
  const gridW = L.cols * L.cell;
  L.idx.forEach((s, k) => {
    const t = p.steps[s], x = gx(k), cx = x + L.stepW / 2 - 10 * z;
    let y = yGrid0;
    const tops = [];
    p.layers.forEach((layer, li) => {
      const g = L.grids[li], left = cx - gridW / 2;
      tops.push(y);
      for (let u = 0; u < layer.units; u++) {
        const q = hs[li][s * layer.units + u], r = Math.floor(u / L.cols), c = u % L.cols;
        ctx.fillStyle = rgb(color(q, "div")); ctx.fillRect(left + c * L.cell, y + r * L.cell, L.cell - 0.5, L.cell - 0.5);
        st.hits.push({ x: left + c * L.cell, y: y + r * L.cell, w: L.cell, h: L.cell,
          tip: `step t=${t}, layer ${li + 1}, unit ${u + 1}: h = ${value(q, -1, 1).toFixed(2)}` });
      }
      ctx.strokeStyle = st.line; ctx.lineWidth = st.contrast ? 2 : 1; ctx.strokeRect(left - 1, y - 1, gridW + 1, g.rows * L.cell + 1);
      if (k < L.n - 1) {   // the recurrent arrow: this step's state goes into the next step
        const nx = gx(k + 1) + L.stepW / 2 - 10 * z - gridW / 2 - 3 * z, my = y + (g.rows * L.cell) / 2;
        if (L.gapSlot && k === L.n - 2) {
          arrow(st, cx + gridW / 2 + 3 * z, my, cx + gridW / 2 + 14 * z, my, st.muted);
          ctx.fillStyle = st.muted; ctx.textAlign = "center"; ctx.textBaseline = "middle";
          put(st, "…", (cx + gridW / 2 + nx) / 2 + 4 * z, my);
          arrow(st, nx - 12 * z, my, nx, my, st.muted);
        } else arrow(st, cx + gridW / 2 + 3 * z, my, nx, my, POS_STROKE);
      }
      if (li > 0) arrow(st, cx, tops[li - 1] + L.grids[li - 1].rows * L.cell + 2 * z, cx, y - 3 * z, st.muted);
      y += g.rows * L.cell + L.vgap;
    });
    const yTok = y - L.vgap + L.vgap * 0.9 + L.tokenH / 2, tw = Math.min(L.stepW - 6 * z, 60 * z);
    token(st, p.inputs[s], cx, yTok, tw, L.tokenH - 4 * z);
    st.hits.push({ x: cx - tw / 2, y: yTok - L.tokenH / 2, w: tw, h: L.tokenH, tip: `input at step t=${t}: ${p.inputs[s].text}` });
    arrow(st, cx, yTok - L.tokenH / 2, cx, y - L.vgap + 3 * z, st.muted);
    ctx.fillStyle = st.muted; ctx.textAlign = "center"; ctx.textBaseline = "top";
    put(st, `t=${t}`, cx, yTok + L.tokenH / 2 + 1);
    const out = p.outputs[s];
    if (out) {
      setFont(st, 12, 400);
      const w = Math.min(k === L.n - 1 ? 2 * L.stepW : L.stepW - 6 * z, mw(st, out.text) + 12 * z);
      token(st, out, Math.min(cx, st.width - w / 2 - 1), yOut + L.outH / 2, w, L.outH - 4 * z);
      arrow(st, cx, yGrid0 - 3 * z, cx, yOut + L.outH, st.muted);
      st.hits.push({ x: cx - w / 2, y: yOut, w, h: L.outH, tip: out.tip || `output at step t=${t}: ${out.text}` });
    }
  });
  return L.H + 12 * z;
}

// -- heatmaps ------------------------------------------------------------------
function legendItems(st, p) {  // the colour scales: [{names, lo, hi, scale, w}] with their widths
  setFont(st, 12);
  const bar = 56 * st.z;
  return (p.scales || []).map((s) => {
    const lo = num(s.lo), hi = num(s.hi);
    return { ...s, lo, hi, bar, w: mw(st, `${s.names}: ${lo}${hi}`) + bar + 30 * st.z };
  });
}

const legendLayout = cached(function (st, p, W) {  // rows of legend items, wrapped to the width
  const items = legendItems(st, p), rows = [[]];
  let x = 0;
  for (const it of items) {
    if (x + it.w > W && rows[rows.length - 1].length) { rows.push([]); x = 0; }
    rows[rows.length - 1].push(it); x += it.w;
  }
  return { rows, H: items.length ? rows.length * st.px * 1.6 + 6 * st.z : 0 };
});

function drawLegend(st, p, y0) {
  const ctx = st.ctx, z = st.z, Lg = legendLayout(st, p, st.width);
  Lg.rows.forEach((row, r) => {
    let x = 0;
    const y = y0 + r * st.px * 1.6 + st.px * 0.8;
    for (const it of row) {
      setFont(st, 12); ctx.textBaseline = "middle"; ctx.textAlign = "left"; ctx.fillStyle = st.text;
      const label = `${it.names}: `;
      put(st, label, x, y); x += mw(st, label);
      ctx.fillStyle = st.muted; put(st, it.lo, x, y); x += mw(st, it.lo) + 4 * z;
      const grad = ctx.createLinearGradient(x, 0, x + it.bar, 0);
      for (let q = 0; q <= 4; q++) grad.addColorStop(q / 4, rgb(color(q * 63.75, it.scale)));
      ctx.fillStyle = grad; ctx.fillRect(x, y - st.px * 0.35, it.bar, st.px * 0.7);
      ctx.strokeStyle = st.line; ctx.lineWidth = 1; ctx.strokeRect(x, y - st.px * 0.35, it.bar, st.px * 0.7);
      x += it.bar + 4 * z; ctx.fillStyle = st.muted; put(st, it.hi, x, y);
      x += mw(st, it.hi) + 22 * z;
    }
  });
  return Lg.H;
}

const mapsLayout = cached(function (st, p, W) {
  const z = st.z, n = p.maps.length, gap = 14 * z;
  const per = Math.max(1, Math.min(n >= 4 ? 3 : n, Math.floor((W + gap) / (170 * z + gap))));
  const w = (W - gap * (per - 1)) / per, rows = p.maps[0] ? p.maps[0].rows : 1;
  const h = Math.max(48 * z, Math.min(140 * z, rows * 5 * z));
  const head = Math.max(...p.maps.map((m) => titleH(st, m.title, w)));
  setFont(st, 12);
  const foot = st.px * 1.3 + 4 * z, legend = legendLayout(st, p, W).H;
  return { per, w, h, gap, head, foot, legend, H: legend + Math.ceil(n / per) * (head + h + foot + 10 * z) };
});

function drawMaps(st, p, y0) {
  const ctx = st.ctx, z = st.z, L = mapsLayout(st, p, st.width);
  drawLegend(st, p, y0);
  p.maps.forEach((m, k) => {
    const x = (k % L.per) * (L.w + L.gap), y = y0 + L.legend + Math.floor(k / L.per) * (L.head + L.h + L.foot + 10 * z);
    title(st, m.title, x, y, L.w);
    const bytes = decode(m.data), img = ctx.createImageData(m.cols, m.rows);
    for (let i = 0; i < bytes.length; i++) {
      const c = color(bytes[i], m.scale);
      img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
    }
    const off = document.createElement("canvas"); off.width = m.cols; off.height = m.rows;
    off.getContext("2d").putImageData(img, 0, 0);
    setFont(st, 12);
    const left = st.px * 1.4;
    const box = { x: x + left, y: y + L.head, w: L.w - left - 2, h: L.h };
    ctx.imageSmoothingEnabled = false; ctx.drawImage(off, box.x, box.y, box.w, box.h);
    ctx.strokeStyle = st.line; ctx.lineWidth = st.contrast ? 2 : 1; ctx.strokeRect(box.x, box.y, box.w, box.h);
    ctx.fillStyle = st.muted;
    ctx.save(); ctx.translate(x + st.px * 0.6, box.y + box.h / 2); ctx.rotate(-Math.PI / 2);   // the rows: units
    const rowsLabel = mw(st, `units 1–${m.rows}`) < box.h ? `units 1–${m.rows}` : "units";
    ctx.textAlign = "center"; ctx.textBaseline = "middle"; put(st, rowsLabel, 0, 0); ctx.restore();
    ctx.textBaseline = "top"; ctx.textAlign = "left";
    const yAxis = box.y + box.h + 2 * z;
    put(st, "t=0", box.x, yAxis); ctx.textAlign = "right"; put(st, `t=${m.cols - 1}`, box.x + box.w, yAxis);
    if (box.w > mw(st, "t=000 time step → t=000")) { ctx.textAlign = "center"; put(st, "time step →", box.x + box.w / 2, yAxis); }
    for (const t of p.marks || []) {   // a marked step (the symbol to remember) gets a tick
      const mx = box.x + ((t + 0.5) / m.cols) * box.w;
      ctx.fillStyle = MARK; ctx.beginPath(); ctx.moveTo(mx, box.y - 1); ctx.lineTo(mx - 4 * z, box.y - 7 * z); ctx.lineTo(mx + 4 * z, box.y - 7 * z); ctx.fill();
    }
    st.hits.push({ ...box, tip: (mx, my) => {
      const c = Math.min(m.cols - 1, Math.floor(((mx - box.x) / box.w) * m.cols)), r = Math.min(m.rows - 1, Math.floor(((my - box.y) / box.h) * m.rows));
      return `${m.title}<br>unit ${r + 1}, step t=${c}: ${value(bytes[r * m.cols + c], m.lo, m.hi).toFixed(2)}`;
    } });
  });
  return L.H + 4 * z;
}

// -- lines over time -----------------------------------------------------------
const linesLayout = cached(function (st, p, W) {
  const z = st.z, head = titleH(st, p.title, W);
  setFont(st, 12);
  const pad = { l: Math.max(48 * z, mw(st, "1e-10") + 12 * z), r: 10 * z, t: head + st.px * 1.8, b: st.px * 2.6 + 8 * z };
  return { head, pad, H: pad.t + 130 * z + pad.b };
});

function niceStep(span, n) {
  const s0 = span / n, mag = Math.pow(10, Math.floor(Math.log10(s0)));
  return [1, 2, 5, 10].map((f) => f * mag).find((s) => span / s <= n) || 10 * mag;
}

function drawLines(st, p, y0) {
  const ctx = st.ctx, W = st.width, z = st.z, Ly = linesLayout(st, p, W), LP = Ly.pad;
  title(st, p.title, 0, y0, W);
  setFont(st, 12);
  const box = { x: LP.l, y: y0 + LP.t, w: W - LP.l - LP.r, h: Ly.H - LP.t - LP.b };
  const vals = p.series.flatMap((s) => s.values).filter((v) => v !== null && (!p.log || v > 0));
  let lo, hi;
  if (p.range) [lo, hi] = p.range;
  else if (!vals.length) [lo, hi] = [0, 1];
  else if (p.log) { lo = Math.floor(Math.log10(Math.min(...vals))); hi = Math.ceil(Math.log10(Math.max(...vals))); if (hi - lo < 1) hi = lo + 1; }
  else { lo = Math.min(0, ...vals); hi = Math.max(...vals) * 1.05 || 1; }
  const x0 = p.x[0], x1 = Math.max(p.x[p.x.length - 1], x0 + 1);
  const sx = (v) => box.x + ((v - x0) / (x1 - x0)) * box.w;
  const sy = (v) => box.y + box.h - (((p.log ? Math.log10(v) : v) - lo) / (hi - lo || 1)) * box.h;
  let lx = box.x;   // legend
  const ly = y0 + Ly.head + st.px * 0.7;
  ctx.textAlign = "left"; ctx.textBaseline = "middle";
  for (const s of p.series) {
    ctx.fillStyle = s.color; ctx.fillRect(lx, ly - 1.5 * z, 14 * z, 3 * z); ctx.fillStyle = st.muted; put(st, s.name, lx + 18 * z, ly);
    lx += 30 * z + mw(st, s.name);
  }
  if (p.note && lx + mw(st, p.note) < box.x + box.w) {   // e.g. what clipping did
    ctx.textAlign = "right"; put(st, p.note, box.x + box.w, ly);
  }
  ctx.strokeStyle = st.grid; ctx.lineWidth = 1; ctx.fillStyle = st.muted; ctx.textAlign = "right"; ctx.textBaseline = "middle";
  const ticks = [];
  if (p.log) { const every = Math.max(1, Math.ceil((hi - lo) / 5)); for (let e = lo; e <= hi; e += every) ticks.push([Math.pow(10, e), `1e${e}`]); }
  else { const step = niceStep(hi - lo, 4); for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) ticks.push([v, String(+v.toPrecision(3))]); }
  for (const [v, label] of ticks) {
    const y = sy(v); ctx.beginPath(); ctx.moveTo(box.x, y); ctx.lineTo(box.x + box.w, y); ctx.stroke(); put(st, label, box.x - 4 * z, y);
  }
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  const xs = niceStep(x1 - x0, Math.max(2, Math.floor(box.w / (60 * z))));
  for (let v = Math.ceil(x0 / xs) * xs; v <= x1; v += xs) put(st, String(v), sx(v), box.y + box.h + 4 * z);
  put(st, p.xlabel, box.x + box.w / 2, box.y + box.h + 6 * z + st.px * 1.2);
  ctx.strokeStyle = st.line; ctx.lineWidth = st.contrast ? 2 : 1; ctx.strokeRect(box.x, box.y, box.w, box.h);
  for (const m of p.marks || []) {
    ctx.strokeStyle = MARK; ctx.lineWidth = 1.5 * z; ctx.setLineDash([4 * z, 3 * z]); ctx.beginPath(); ctx.moveTo(sx(m), box.y); ctx.lineTo(sx(m), box.y + box.h); ctx.stroke(); ctx.setLineDash([]);
  }
  ctx.save(); ctx.beginPath(); ctx.rect(box.x, box.y, box.w, box.h); ctx.clip();
  for (const s of p.series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = (st.contrast ? 3 : 2) * z; ctx.setLineDash(s.dash ? [5 * z, 4 * z] : []); ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || (p.log && v <= 0)) { pen = false; return; }
      const x = sx(p.x[i]), y = sy(v);
      pen ? ctx.lineTo(x, y) : ctx.moveTo(x, y); pen = true;
    });
    ctx.stroke(); ctx.setLineDash([]);
  }
  ctx.restore();
  if (!vals.length) { ctx.fillStyle = st.muted; ctx.textAlign = "center"; ctx.textBaseline = "middle"; put(st, "all zero: nothing reaches these steps", box.x + box.w / 2, box.y + box.h / 2); }
  st.hits.push({ ...box, tip: (mx) => {
    const i = Math.max(0, Math.min(p.x.length - 1, Math.round(x0 + ((mx - box.x) / box.w) * (x1 - x0)) - x0));
    const fmt = (v) => v === null ? "–" : Math.abs(v) >= 0.01 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(2);
    return `${p.xlabel} ${p.x[i]}<br>` + p.series.map((s) => `<span style="color:${s.color}">■</span> ${s.name}: ${fmt(s.values[i])}`).join("<br>");
  } });
  return Ly.H + 8 * z;
}

// -- a strip of tokens and the answer -----------------------------------------------
const tokensLayout = cached(function (st, p, W) {
  const z = st.z, n = p.tokens.length;
  setFont(st, 12);
  const one = st.px + 4 * z;                      // a token with one character shown
  const per = Math.max(1, Math.min(n, Math.floor((W - 4) / Math.max(14 * z, one)))), tw = Math.min(34 * z, (W - 4) / per);
  const rowH = 30 * z, rows = Math.ceil(n / per), barH = st.px * 1.5, barsH = p.bars ? barH * p.bars.length + 8 * z : 0;
  const head = titleH(st, p.title, W);
  return { per, tw, rows, rowH, barH, barsH, head, H: head + 6 * z + rows * rowH + st.px * 1.3 * 2 + 8 * z + barsH };
});

function drawTokens(st, p, y0) {
  const ctx = st.ctx, z = st.z, L = tokensLayout(st, p, st.width);
  title(st, p.title, 0, y0, st.width);
  setFont(st, 12);
  p.tokens.forEach((tok, t) => {
    const x = 2 + (t % L.per) * L.tw, y = y0 + L.head + 6 * z + Math.floor(t / L.per) * L.rowH, h = L.rowH - 8 * z;
    ctx.fillStyle = tok.color; ctx.globalAlpha = tok.mark ? 0.9 : 0.35; ctx.fillRect(x, y, L.tw - 2, h); ctx.globalAlpha = 1;
    if (tok.mark) { ctx.strokeStyle = MARK; ctx.lineWidth = 2.5 * z; ctx.strokeRect(x - 1, y - 1, L.tw, h + 2); }
    const shown = mw(st, tok.text) + 4 * z <= L.tw ? tok.text : tok.text.slice(0, 1);
    if (mw(st, shown) + 2 * z <= L.tw) {
      ctx.fillStyle = tok.mark ? "#fff" : st.text; ctx.textAlign = "center"; ctx.textBaseline = "middle"; put(st, shown, x + L.tw / 2 - 1, y + h / 2);
    }
    st.hits.push({ x, y, w: L.tw, h, tip: `step t=${t}: ${tok.text}${tok.mark ? " (marked)" : ""}` });
  });
  let y = y0 + L.head + 6 * z + L.rows * L.rowH + 4 * z;
  ctx.textAlign = "left"; ctx.textBaseline = "middle"; ctx.fillStyle = st.text; setFont(st, 13, 600);
  const answer = `answer: ${p.network}`;
  put(st, answer, 2, y + st.px * 0.65);
  const w = mw(st, answer + "   ");
  setFont(st, 12); ctx.fillStyle = st.muted;
  const truth = `truth: ${p.truth}`;
  if (2 + w + mw(st, truth) <= st.width) put(st, truth, 2 + w, y + st.px * 0.65);   // beside the answer
  else put(st, truth, 2, y + st.px * 1.95);                                                        // or under it
  y += st.px * 1.3 * 2 + 8 * z;
  const nameW = Math.max(...(p.bars || []).map((b) => mw(st, b.name)), 0) + 8 * z;
  const room = Math.max(20, Math.min(240 * z, st.width - nameW - mw(st, "100%") - 16 * z));
  for (const b of p.bars || []) {
    ctx.fillStyle = st.muted; ctx.textAlign = "right"; put(st, b.name, nameW - 4 * z, y + L.barH / 2);
    ctx.fillStyle = b.color; ctx.fillRect(nameW, y + L.barH * 0.1, Math.max(1, b.value * room), L.barH * 0.8);
    ctx.fillStyle = st.text; ctx.textAlign = "left"; put(st, `${Math.round(b.value * 100)}%`, nameW + 4 * z + b.value * room, y + L.barH / 2);
    y += L.barH;
  }
  return L.H + 10 * z;
}

const DRAW = { unrolled: drawUnrolled, heatmaps: drawMaps, lines: drawLines, tokens: drawTokens };
const HEIGHT = { unrolled: (st, p, W) => unrolledLayout(st, p, W).H + 12 * st.z, heatmaps: (st, p, W) => mapsLayout(st, p, W).H + 4 * st.z,
  lines: (st, p, W) => linesLayout(st, p, W).H + 8 * st.z, tokens: (st, p, W) => tokensLayout(st, p, W).H + 10 * st.z };

function render(st) {
  const f = st.frame;
  st.width = st.root.clientWidth || 600;
  if (!f) return;
  const panels = f.panels || [], W = st.width, z = st.z, gap = 14 * z;
  st.ctx = st.canvas.getContext("2d");
  st.font = getComputedStyle(st.root).fontFamily || "sans-serif";
  st.text = st.contrast ? "#000000" : getComputedStyle(st.root).color || "#31333f";
  st.muted = st.contrast ? "#000000" : MUTED; st.line = st.contrast ? "#000000" : LINE;
  st.grid = st.contrast ? "#8a8f99" : "#e6e9ef";
  const head = f.title ? 26 * z : 0;
  const height = panels.reduce((a, p) => a + HEIGHT[p.type](st, p, W) + gap, 0) + head;
  const dpr = window.devicePixelRatio || 1;
  if (st.canvas.width !== Math.round(W * dpr) || st.canvas.height !== Math.round(height * dpr)) {
    st.canvas.width = Math.round(W * dpr); st.canvas.height = Math.round(height * dpr); st.canvas.style.height = height + "px";
  }
  const ctx = st.ctx; ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, height);
  st.hits = []; st.minFont = Infinity;
  let y = 0;
  if (f.title) { ctx.fillStyle = st.text; setFont(st, 16, 700); ctx.textAlign = "left"; ctx.textBaseline = "top"; put(st, f.title, 0, 2 * z); y = head; }
  for (const p of panels) y += DRAW[p.type](st, p, y) + gap;
  if (st.minFont < Infinity) st.canvas.dataset.minFont = String(Math.round(st.minFont * 10) / 10);
  if (st.stateCell) st.canvas.dataset.stateCell = String(Math.round(st.stateCell * 10) / 10);   // a hidden unit's square, px
  drawFocus(st, ctx);
  try { summarize(st, rnnSummary(f)); } catch (err) { /* words never stop the drawing */ }
  st.tip.style.fontSize = (z > 1 ? 13 * z : 12) + "px";
  showTip(st);
}

// -- the keyboard and a screen reader (issue 22): the arrow keys walk every part the mouse can hover
// (each step's input, hidden units and output, a map, a curve, a token), each read out; the
// canvas keeps a short text of the task's answer and what the panels show.
const RNN_KEYS = "Arrow keys move between the parts of the picture: each step's input, hidden units and output, the maps, the curves and the tokens; each is read out.";
const RNN_NAV = listNav((st) => st.hits);

function rnnSummary(f) {
  const words = [];
  if (f.title) words.push(f.title + ":");
  for (const p of f.panels || []) {
    if (p.type === "tokens") words.push(`${p.title}. The network's answer: ${p.network}; the truth: ${p.truth}.`);
    else if (p.type === "lines") {
      const last = p.series.map((s) => { const v = s.values.filter((x) => x !== null); return v.length ? `${s.name} ${num(v[v.length - 1])}` : ""; }).filter(Boolean);
      words.push(`${p.title.split(":")[0]}${last.length ? ": at the last step " + last.join(", ") : ""}.`);
    }
  }     // the heatmaps and the unrolled cell are read a part at a time with the arrow keys
  return words.join(" ");
}

function showTip(st) {
  const m = st.mouse, hit = m && st.hits.find((h) => m.x >= h.x && m.x <= h.x + h.w && m.y >= h.y && m.y <= h.y + h.h);
  if (!hit) { st.tip.style.display = "none"; return; }
  st.tip.innerHTML = typeof hit.tip === "function" ? hit.tip(m.x, m.y) : hit.tip;
  st.tip.style.display = "block";
  st.tip.style.left = Math.max(0, Math.min(m.x + 14, st.width - st.tip.offsetWidth - 4)) + "px";
  st.tip.style.top = m.y + 16 + "px";
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = mountRoot(parentElement, "rnv", '<canvas aria-label="The recurrent network over time"></canvas><div class="tip"></div>');
  const st = root.__state || (root.__state = { root, canvas: root.querySelector("canvas"), tip: root.querySelector(".tip"), hits: [] });
  st.channel = data.channel; st.z = data.zoom || 1; st.contrast = !!data.contrast;
  watchVisibility(setTriggerValue);
  st.nav = RNN_NAV; st.redraw = () => render(st);
  accessible(st, st.canvas, { name: data.label || "The recurrent network over time", keys: RNN_KEYS,
                              live: /-0$/.test(data.channel) });     // compare mode: the first cell's view speaks
  if (!st.timer) {
    st.canvas.addEventListener("mousemove", (e) => {
      const r = st.canvas.getBoundingClientRect(); st.mouse = { x: e.clientX - r.left, y: e.clientY - r.top }; showTip(st);
    });
    st.canvas.addEventListener("mouseleave", () => { st.mouse = null; showTip(st); });
    new ResizeObserver(() => render(st)).observe(root);
    pollChannel(st, (frame) => { st.frame = frame; render(st); guardCanvas(st, st.canvas); });   // three flashes (WCAG 2.3.1): _shared.js
  }
  if (st.frame) render(st);
  return () => { cancelAnimationFrame(st.timer); st.timer = null; };
}
