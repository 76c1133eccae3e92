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

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const label = String((data && data.label) || "Draw here").replace(/[<>&"]/g, "");
  const root = mountRoot(parentElement, "pad",
    `<canvas width="${SIDE}" height="${SIDE}" aria-label="${label}"></canvas><button type="button">Clear</button>`);
  const st = root.__state || (root.__state = { root, canvas: root.querySelector("canvas") });
  st.trigger = setTriggerValue;
  if (!st.ctx) { install(st); st.uploads = data && data.clear; }
  if (data && data.clear !== st.uploads) { st.uploads = data.clear; clear(st); }
  root.style.setProperty("--pad-zoom", String((data && data.zoom) || 1));
}
