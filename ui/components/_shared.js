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
