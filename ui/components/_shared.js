// Helpers shared by the canvas components (ui/canvas.py puts this file in front of each).

// The component's root element, created once and kept across reruns.
function mountRoot(parentElement, className, html) {
  let root = parentElement.querySelector(`.${className}`);
  if (!root) {
    root = document.createElement("div");
    root.className = className;
    root.innerHTML = html;
    parentElement.appendChild(root);
  }
  return root;
}

// Frames arrive through a hidden text element (the "channel"), not through the
// component's own data: a component whose data changes is remounted by Streamlit,
// while a text element updates in place many times a second. onFrame(parsed) runs
// for each new text; a frame still being written is tried again on the next tick.
function pollChannel(st, onFrame) {
  const box = document.querySelector(`.st-key-${st.channel}`), text = box ? box.textContent : "";
  if (text && text !== st.lastText) {
    try { onFrame(JSON.parse(text)); st.lastText = text; } catch (err) { /* partial frame */ }
  }
  st.timer = requestAnimationFrame(() => pollChannel(st, onFrame));
}

// Tell the page when its tab is hidden or shown again (a hidden tab stops training).
// One listener per window; the newest mount's trigger is the one called.
function watchVisibility(trigger) {
  const w = window.__nnpVisibility || (window.__nnpVisibility = {});
  if (!w.trigger) document.addEventListener("visibilitychange",
    () => w.trigger("visibility", document.hidden ? "hidden" : "visible"));
  w.trigger = trigger;
}
