// A recurrent network's insides (viz/rnn.py), redrawn with every frame from the channel:
// the network unrolled over time, units x time heatmaps, lines over time, a strip of tokens.
// Hovering any cell, point or token shows its value.
const GAP = 14, TITLE = 20, MUTED = "#808495";

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

function title(ctx, st, text, x, y, room) {  // one line, cut with an ellipsis where it does not fit
  ctx.fillStyle = st.text; ctx.font = `600 13px ${st.font}`; ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
  room = room || st.width - x;
  let shown = text;
  while (shown.length > 4 && ctx.measureText(shown).width > room) shown = shown.slice(0, -2);
  ctx.fillText(shown === text ? text : shown.slice(0, -1) + "…", x, y + 14);
  ctx.font = `12px ${st.font}`;
}

// -- the unrolled network ------------------------------------------------------
function unrolledLayout(p, W) {
  const n = p.steps.length, gapSlot = p.steps[n - 1] - p.steps[Math.max(n - 2, 0)] > 1 ? 0.6 : 0;
  const stepW = Math.min(130, (W - 10) / (n + gapSlot)), cols = Math.min(8, Math.max(...p.layers.map((l) => l.units)));
  const cell = Math.max(3, Math.min(13, (stepW - 26) / cols));
  const grids = p.layers.map((l) => ({ rows: Math.ceil(l.units / cols), units: l.units }));
  const gridH = grids.map((g) => g.rows * cell), tokenH = 24, outH = 24, vgap = 22;
  const H = TITLE + 8 + outH + vgap + gridH.reduce((a, b) => a + b + vgap, 0) + tokenH + 6;
  return { n, gapSlot, stepW, cols, cell, grids, gridH, tokenH, outH, vgap, H };
}

function arrow(ctx, x0, y0, x1, y1, c) {
  const a = Math.atan2(y1 - y0, x1 - x0), h = 6;
  ctx.strokeStyle = c; ctx.fillStyle = c; ctx.lineWidth = 1.4;
  ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
  ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x1 - h * Math.cos(a - 0.45), y1 - h * Math.sin(a - 0.45));
  ctx.lineTo(x1 - h * Math.cos(a + 0.45), y1 - h * Math.sin(a + 0.45)); ctx.closePath(); ctx.fill();
}

function token(ctx, st, tok, cx, cy, w, h) {
  ctx.fillStyle = tok.color || "#31333f"; ctx.globalAlpha = 0.16;
  ctx.fillRect(cx - w / 2, cy - h / 2, w, h); ctx.globalAlpha = 1;
  ctx.strokeStyle = tok.color || "#c4c9d4"; ctx.lineWidth = tok.mark ? 2.5 : 1;
  ctx.strokeRect(cx - w / 2, cy - h / 2, w, h);
  ctx.fillStyle = st.text; ctx.textAlign = "center"; ctx.textBaseline = "middle";
  ctx.font = `${tok.mark ? 600 : 400} 12px ${st.font}`; ctx.fillText(tok.text, cx, cy);
  ctx.font = `12px ${st.font}`;
}

function drawUnrolled(st, p, y0) {
  const ctx = st.ctx, L = unrolledLayout(p, st.width);
  title(ctx, st, `${p.cell} unrolled over ${p.T} steps: input → hidden state → next step`, 0, y0);
  const hs = p.layers.map((l) => decode(l.h));
  const yOut = y0 + TITLE + 8, yGrid0 = yOut + L.outH + L.vgap;
  const gx = (k) => 10 + (k + (k === L.n - 1 && L.gapSlot ? L.gapSlot : 0)) * L.stepW;
  const gridW = L.cols * L.cell;
  p.steps.forEach((t, k) => {
    const x = gx(k), cx = x + L.stepW / 2 - 10;
    let y = yGrid0;
    const tops = [];
    p.layers.forEach((layer, li) => {
      const g = L.grids[li], left = cx - gridW / 2;
      tops.push(y);
      for (let u = 0; u < layer.units; u++) {
        const q = hs[li][k * layer.units + u], r = Math.floor(u / L.cols), c = u % L.cols;
        ctx.fillStyle = rgb(color(q, "div")); ctx.fillRect(left + c * L.cell, y + r * L.cell, L.cell - 0.5, L.cell - 0.5);
        st.hits.push({ x: left + c * L.cell, y: y + r * L.cell, w: L.cell, h: L.cell,
          tip: `step t=${t}, layer ${li + 1}, unit ${u + 1}: h = ${value(q, -1, 1).toFixed(2)}` });
      }
      ctx.strokeStyle = "#c4c9d4"; ctx.lineWidth = 1; ctx.strokeRect(left - 1, y - 1, gridW + 1, g.rows * L.cell + 1);
      if (k < L.n - 1) {   // the recurrent arrow: this step's state goes into the next step
        const nx = gx(k + 1) + L.stepW / 2 - 10 - gridW / 2 - 3, my = y + (g.rows * L.cell) / 2;
        if (L.gapSlot && k === L.n - 2) {
          arrow(ctx, cx + gridW / 2 + 3, my, cx + gridW / 2 + 14, my, MUTED);
          ctx.fillStyle = MUTED; ctx.textAlign = "center"; ctx.textBaseline = "middle";
          ctx.fillText("…", (cx + gridW / 2 + nx) / 2 + 4, my);
          arrow(ctx, nx - 12, my, nx, my, MUTED);
        } else arrow(ctx, cx + gridW / 2 + 3, my, nx, my, POS_STROKE);
      }
      if (li > 0) arrow(ctx, cx, tops[li - 1] + L.grids[li - 1].rows * L.cell + 2, cx, y - 3, MUTED);
      y += g.rows * L.cell + L.vgap;
    });
    const yTok = y - L.vgap + L.vgap * 0.9 + L.tokenH / 2;
    token(ctx, st, p.inputs[k], cx, yTok, Math.min(L.stepW - 14, 44), L.tokenH - 4);
    st.hits.push({ x: cx - 22, y: yTok - 12, w: 44, h: 24, tip: `input at step t=${t}: ${p.inputs[k].text}` });
    arrow(ctx, cx, yTok - L.tokenH / 2, cx, y - L.vgap + 3, MUTED);
    ctx.fillStyle = MUTED; ctx.textAlign = "center"; ctx.textBaseline = "top";
    ctx.fillText(`t=${t}`, cx, yTok + L.tokenH / 2 + 1);
    const out = p.outputs[k];
    if (out) {
      const w = Math.min(L.stepW - 8, 70);
      token(ctx, st, out, cx, yOut + L.outH / 2, w, L.outH - 4);
      arrow(ctx, cx, yGrid0 - 3 - 0, cx, yOut + L.outH, MUTED);
      st.hits.push({ x: cx - w / 2, y: yOut, w, h: L.outH, tip: out.tip || `output at step t=${t}: ${out.text}` });
    }
  });
  return L.H + 12;
}
const POS_STROKE = "#0877bd";

// -- heatmaps ------------------------------------------------------------------
function mapsLayout(p, W) {
  const n = p.maps.length, per = Math.max(1, Math.min(n >= 4 ? 3 : n, Math.floor((W + GAP) / (200 + GAP))));
  const w = (W - GAP * (per - 1)) / per, rows = p.maps[0] ? p.maps[0].rows : 1;
  const h = Math.max(48, Math.min(140, rows * 5));
  return { per, w, h, H: Math.ceil(n / per) * (h + TITLE + 24) };
}

function drawMaps(st, p, y0) {
  const ctx = st.ctx, L = mapsLayout(p, st.width);
  p.maps.forEach((m, k) => {
    const x = (k % L.per) * (L.w + GAP), y = y0 + Math.floor(k / L.per) * (L.h + TITLE + 24);
    title(ctx, st, m.title, x, y, L.w);
    const bytes = decode(m.data), img = ctx.createImageData(m.cols, m.rows);
    for (let i = 0; i < bytes.length; i++) {
      const c = color(bytes[i], m.scale);
      img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
    }
    const off = document.createElement("canvas"); off.width = m.cols; off.height = m.rows;
    off.getContext("2d").putImageData(img, 0, 0);
    const box = { x: x + 28, y: y + TITLE + 2, w: L.w - 30, h: L.h };
    ctx.imageSmoothingEnabled = false; ctx.drawImage(off, box.x, box.y, box.w, box.h);
    ctx.strokeStyle = "#c4c9d4"; ctx.lineWidth = 1; ctx.strokeRect(box.x, box.y, box.w, box.h);
    ctx.fillStyle = MUTED; ctx.textAlign = "right"; ctx.textBaseline = "middle"; ctx.font = `11px ${st.font}`;
    ctx.fillText("units", box.x - 3, box.y + box.h / 2);
    ctx.textAlign = "left"; ctx.textBaseline = "top";
    ctx.fillText("t=0", box.x, box.y + box.h + 2); ctx.textAlign = "right"; ctx.fillText(`t=${m.cols - 1}`, box.x + box.w, box.y + box.h + 2);
    ctx.font = `12px ${st.font}`;
    for (const t of p.marks || []) {   // a marked step (the symbol to remember) gets a tick
      const mx = box.x + ((t + 0.5) / m.cols) * box.w;
      ctx.fillStyle = "#e45756"; ctx.beginPath(); ctx.moveTo(mx, box.y - 1); ctx.lineTo(mx - 4, box.y - 7); ctx.lineTo(mx + 4, box.y - 7); ctx.fill();
    }
    st.hits.push({ ...box, tip: (mx, my) => {
      const c = Math.min(m.cols - 1, Math.floor(((mx - box.x) / box.w) * m.cols)), r = Math.min(m.rows - 1, Math.floor(((my - box.y) / box.h) * m.rows));
      return `${m.title}<br>unit ${r + 1}, step t=${c}: ${value(bytes[r * m.cols + c], m.lo, m.hi).toFixed(2)}`;
    } });
  });
  return L.H + 4;
}

// -- lines over time -----------------------------------------------------------
const LINES_H = 200, LP = { l: 48, r: 10, t: 40, b: 30 };

function niceStep(span, n) {
  const s0 = span / n, mag = Math.pow(10, Math.floor(Math.log10(s0)));
  return [1, 2, 5, 10].map((f) => f * mag).find((s) => span / s <= n) || 10 * mag;
}

function drawLines(st, p, y0) {
  const ctx = st.ctx, W = st.width;
  title(ctx, st, p.title, 0, y0);
  const box = { x: LP.l, y: y0 + LP.t, w: W - LP.l - LP.r, h: LINES_H - LP.t - LP.b };
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
  ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
  for (const s of p.series) {
    ctx.fillStyle = s.color; ctx.fillRect(lx, y0 + 28, 14, 3); ctx.fillStyle = MUTED; ctx.fillText(s.name, lx + 18, y0 + 33);
    lx += 30 + ctx.measureText(s.name).width;
  }
  if (p.note && lx + ctx.measureText(p.note).width < box.x + box.w) {   // e.g. what clipping did
    ctx.textAlign = "right"; ctx.fillText(p.note, box.x + box.w, y0 + 33);
  }
  ctx.strokeStyle = "#e6e9ef"; ctx.lineWidth = 1; ctx.fillStyle = MUTED; ctx.textAlign = "right"; ctx.textBaseline = "middle";
  const ticks = [];
  if (p.log) { const every = Math.max(1, Math.ceil((hi - lo) / 5)); for (let e = lo; e <= hi; e += every) ticks.push([Math.pow(10, e), `1e${e}`]); }
  else { const step = niceStep(hi - lo, 4); for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) ticks.push([v, String(+v.toPrecision(3))]); }
  for (const [v, label] of ticks) {
    const y = sy(v); ctx.beginPath(); ctx.moveTo(box.x, y); ctx.lineTo(box.x + box.w, y); ctx.stroke(); ctx.fillText(label, box.x - 4, y);
  }
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  const xs = niceStep(x1 - x0, Math.max(2, Math.floor(box.w / 60)));
  for (let v = Math.ceil(x0 / xs) * xs; v <= x1; v += xs) ctx.fillText(String(v), sx(v), box.y + box.h + 4);
  ctx.fillText(p.xlabel, box.x + box.w / 2, box.y + box.h + 16);
  ctx.strokeStyle = "#c4c9d4"; ctx.strokeRect(box.x, box.y, box.w, box.h);
  for (const m of p.marks || []) {
    ctx.strokeStyle = "#e45756"; ctx.setLineDash([4, 3]); ctx.beginPath(); ctx.moveTo(sx(m), box.y); ctx.lineTo(sx(m), box.y + box.h); ctx.stroke(); ctx.setLineDash([]);
  }
  ctx.save(); ctx.beginPath(); ctx.rect(box.x, box.y, box.w, box.h); ctx.clip();
  for (const s of p.series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = 2; ctx.setLineDash(s.dash ? [5, 4] : []); ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || (p.log && v <= 0)) { pen = false; return; }
      const x = sx(p.x[i]), y = sy(v);
      pen ? ctx.lineTo(x, y) : ctx.moveTo(x, y); pen = true;
    });
    ctx.stroke(); ctx.setLineDash([]);
  }
  ctx.restore();
  if (!vals.length) { ctx.fillStyle = MUTED; ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.fillText("all zero: nothing reaches these steps", box.x + box.w / 2, box.y + box.h / 2); }
  st.hits.push({ ...box, tip: (mx) => {
    const i = Math.max(0, Math.min(p.x.length - 1, Math.round(x0 + ((mx - box.x) / box.w) * (x1 - x0)) - x0));
    const fmt = (v) => v === null ? "–" : Math.abs(v) >= 0.01 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(2);
    return `${p.xlabel} ${p.x[i]}<br>` + p.series.map((s) => `<span style="color:${s.color}">■</span> ${s.name}: ${fmt(s.values[i])}`).join("<br>");
  } });
  return LINES_H + 8;
}

// -- a strip of tokens and the answer -----------------------------------------------
function tokensLayout(p, W) {
  const n = p.tokens.length, per = Math.max(1, Math.min(n, Math.floor((W - 4) / 14))), tw = Math.min(34, (W - 4) / per);
  const rows = Math.ceil(n / per), barsH = p.bars ? 18 * p.bars.length + 8 : 0;
  return { per, tw, rows, barsH, H: TITLE + 10 + rows * 30 + 30 + barsH };
}

function drawTokens(st, p, y0) {
  const ctx = st.ctx, L = tokensLayout(p, st.width);
  title(ctx, st, p.title, 0, y0);
  p.tokens.forEach((tok, t) => {
    const x = 2 + (t % L.per) * L.tw, y = y0 + TITLE + 10 + Math.floor(t / L.per) * 30;
    ctx.fillStyle = tok.color; ctx.globalAlpha = tok.mark ? 0.9 : 0.35; ctx.fillRect(x, y, L.tw - 2, 22); ctx.globalAlpha = 1;
    if (tok.mark) { ctx.strokeStyle = "#e45756"; ctx.lineWidth = 2.5; ctx.strokeRect(x - 1, y - 1, L.tw, 24); }
    if (L.tw >= 16) { ctx.fillStyle = tok.mark ? "#fff" : st.text; ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.fillText(L.tw >= 30 ? tok.text : tok.text.slice(0, 1), x + L.tw / 2 - 1, y + 11); }
    st.hits.push({ x, y, w: L.tw, h: 22, tip: `step t=${t}: ${tok.text}${tok.mark ? " (marked)" : ""}` });
  });
  let y = y0 + TITLE + 10 + L.rows * 30 + 4;
  ctx.textAlign = "left"; ctx.textBaseline = "middle"; ctx.fillStyle = st.text; ctx.font = `600 13px ${st.font}`;
  ctx.fillText(`answer: ${p.network}`, 2, y + 8); const w = ctx.measureText(`answer: ${p.network}`).width;
  ctx.font = `12px ${st.font}`; ctx.fillStyle = MUTED; ctx.fillText(`   truth: ${p.truth}`, 2 + w, y + 8);
  y += 26;
  for (const b of p.bars || []) {
    ctx.fillStyle = MUTED; ctx.textAlign = "right"; ctx.fillText(b.name, 26, y + 7);
    ctx.fillStyle = b.color; ctx.fillRect(32, y, Math.max(1, b.value * Math.min(240, st.width - 90)), 13);
    ctx.fillStyle = st.text; ctx.textAlign = "left"; ctx.fillText(`${Math.round(b.value * 100)}%`, 36 + b.value * Math.min(240, st.width - 90), y + 7);
    y += 18;
  }
  return L.H + 10;
}

const DRAW = { unrolled: drawUnrolled, heatmaps: drawMaps, lines: drawLines, tokens: drawTokens };
const HEIGHT = { unrolled: (p, W) => unrolledLayout(p, W).H + 12, heatmaps: (p, W) => mapsLayout(p, W).H + 4,
  lines: () => LINES_H + 8, tokens: (p, W) => tokensLayout(p, W).H + 10 };

function render(st) {
  const f = st.frame;
  st.width = st.root.clientWidth || 600;
  if (!f) return;
  const panels = f.panels || [], W = st.width;
  const height = panels.reduce((a, p) => a + HEIGHT[p.type](p, W) + GAP, 0) + (f.title ? 26 : 0);
  const dpr = window.devicePixelRatio || 1;
  if (st.canvas.width !== Math.round(W * dpr) || st.canvas.height !== Math.round(height * dpr)) {
    st.canvas.width = Math.round(W * dpr); st.canvas.height = Math.round(height * dpr); st.canvas.style.height = height + "px";
  }
  const ctx = st.ctx = st.canvas.getContext("2d"); ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  st.font = getComputedStyle(st.root).fontFamily || "sans-serif"; st.text = getComputedStyle(st.root).color || "#31333f";
  ctx.clearRect(0, 0, W, height); ctx.font = `12px ${st.font}`;
  st.hits = [];
  let y = 0;
  if (f.title) { ctx.fillStyle = st.text; ctx.font = `700 16px ${st.font}`; ctx.textAlign = "left"; ctx.textBaseline = "top"; ctx.fillText(f.title, 0, 2); ctx.font = `12px ${st.font}`; y = 26; }
  for (const p of panels) y += DRAW[p.type](st, p, y) + GAP;
  showTip(st);
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
  st.channel = data.channel;
  watchVisibility(setTriggerValue);
  if (!st.timer) {
    st.canvas.addEventListener("mousemove", (e) => {
      const r = st.canvas.getBoundingClientRect(); st.mouse = { x: e.clientX - r.left, y: e.clientY - r.top }; showTip(st);
    });
    st.canvas.addEventListener("mouseleave", () => { st.mouse = null; showTip(st); });
    new ResizeObserver(() => render(st)).observe(root);
    pollChannel(st, (frame) => { st.frame = frame; render(st); });
  }
  return () => { cancelAnimationFrame(st.timer); st.timer = null; };
}
