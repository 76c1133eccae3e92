// A square pad to draw a digit with a mouse, a pen or a finger (pointer events). Each finished
// stroke sends the whole drawing as a PNG data URL ("drawn"); Clear empties it ("cleared"). An
// uploaded picture replaces the drawing: data.clear changes with each upload and empties the pad.
const SIDE = 280, PEN = 20;

function clear(st) {
  st.ctx.fillStyle = "#fff"; st.ctx.fillRect(0, 0, SIDE, SIDE);
  st.inked = false;
}

function install(st) {
  const { canvas } = st, ctx = (st.ctx = canvas.getContext("2d"));
  clear(st);
  ctx.lineCap = ctx.lineJoin = "round"; ctx.strokeStyle = "#111"; ctx.lineWidth = PEN;
  const at = (e) => { const r = canvas.getBoundingClientRect(); return [((e.clientX - r.left) * SIDE) / r.width, ((e.clientY - r.top) * SIDE) / r.height]; };
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId);
    st.last = at(e); st.inked = true;
    ctx.beginPath(); ctx.arc(st.last[0], st.last[1], PEN / 2, 0, 2 * Math.PI); ctx.fillStyle = "#111"; ctx.fill();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!st.last) return;
    const p = at(e);
    ctx.beginPath(); ctx.moveTo(...st.last); ctx.lineTo(...p); ctx.stroke();
    st.last = p;
  });
  const end = () => { if (st.last) { st.last = null; st.trigger("drawn", canvas.toDataURL("image/png")); } };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  st.root.querySelector("button").addEventListener("click", () => { clear(st); st.trigger("cleared", true); });
}

// -- the keyboard (issue 22): a pen the arrow keys move (Shift: small steps); Space or Enter puts it
// down or lifts it; moving while it is down draws, and lifting it sends the drawing. A ring (not on
// the picture) shows where the pen is.
const PAD_KEYS = "Arrow keys move a pen over the pad (with Shift in small steps); Space or Enter puts the pen down or lifts it; moving with the pen down draws, and lifting it sends the drawing. The Clear button after the pad empties it.";

function placePen(st) {
  const pen = st.pen, c = st.canvas, cur = st.cursor;
  if (!pen) return;
  const show = st.a11y && st.a11y.focused && cur;
  pen.style.display = show ? "block" : "none";
  if (!show) return;
  const k = c.clientWidth / SIDE, r = (PEN / 2 + 3) * k;
  pen.style.left = `${c.offsetLeft + c.clientLeft + cur.x * k - r}px`; pen.style.top = `${c.offsetTop + c.clientTop + cur.y * k - r}px`;
  pen.style.width = pen.style.height = `${2 * r}px`;
  pen.style.background = cur.down ? "rgba(8, 119, 189, 0.25)" : "transparent";
}

const PAD_NAV = {
  first: () => ({ x: SIDE / 2, y: SIDE / 2, down: false }),
  move: (st, cur, e) => {
    const step = e.shiftKey ? 4 : 14, lim = (v) => Math.max(PEN / 2, Math.min(SIDE - PEN / 2, v));
    const dx = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0, dy = e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? -1 : 0;
    if (e.key === "Home") return { x: SIDE / 2, y: SIDE / 2, down: false };
    const next = { x: lim(cur.x + dx * step), y: lim(cur.y + dy * step), down: cur.down };
    if (cur.down) {
      st.ctx.beginPath(); st.ctx.moveTo(cur.x, cur.y); st.ctx.lineTo(next.x, next.y); st.ctx.stroke();
      st.inked = true;
    }
    return next;
  },
  activate: (st, cur) => {
    cur.down = !cur.down;
    if (cur.down) { st.ctx.beginPath(); st.ctx.arc(cur.x, cur.y, PEN / 2, 0, 2 * Math.PI); st.ctx.fillStyle = "#111"; st.ctx.fill(); st.inked = true; }
    else st.trigger("drawn", st.canvas.toDataURL("image/png"));
    sayFocus(st); placePen(st);
  },
  escape: (st, cur) => { if (cur.down) PAD_NAV.activate(st, cur); return cur; },
  describe: (st, cur) => `pen ${cur.down ? "down, drawing" : "up"}, ${Math.round((100 * cur.x) / SIDE)}% from the left, ${Math.round((100 * cur.y) / SIDE)}% from the top`,
  rect: () => null,
};

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const label = String((data && data.label) || "Draw here").replace(/[<>&"]/g, "");
  const root = mountRoot(parentElement, "pad",
    `<canvas width="${SIDE}" height="${SIDE}" aria-label="${label}"></canvas><button type="button">Clear</button>`);
  const st = root.__state || (root.__state = { root, canvas: root.querySelector("canvas") });
  st.trigger = setTriggerValue;
  if (!st.ctx) { install(st); st.uploads = data && data.clear; }
  if (!st.pen) {
    st.pen = document.createElement("div");
    st.pen.setAttribute("style", "position:absolute;display:none;pointer-events:none;border:2px solid #075e96;border-radius:50%;box-shadow:0 0 0 1px #fff;");
    root.style.position = "relative"; root.appendChild(st.pen);
  }
  st.nav = PAD_NAV; st.redraw = () => placePen(st);
  accessible(st, st.canvas, { name: label, keys: PAD_KEYS });
  if (data && data.clear !== st.uploads) { st.uploads = data.clear; clear(st); }
  root.style.setProperty("--pad-zoom", String((data && data.zoom) || 1));
}
