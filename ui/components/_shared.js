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
// for each new text, in the next animation frame after the element changed (a
// MutationObserver: a requestAnimationFrame loop that polled kept Chrome producing
// 60 frames a second, each costing layer updates, whether a frame had come or not).
// A short watch re-attaches when Streamlit replaces the element; it ends once the
// component's cleanup clears st.timer.
function pollChannel(st, onFrame) {
  let box = null, observer = null, pending = 0;
  const read = () => {
    pending = 0;
    const text = box ? box.textContent : "";
    if (text && text !== st.lastText) {
      try { onFrame(JSON.parse(text)); st.lastText = text; } catch (err) { /* partial frame */ }
    }
  };
  const soon = () => { if (!pending) pending = requestAnimationFrame(read); };
  const token = {};
  const watch = () => {
    if (st.timer !== token) { if (observer) observer.disconnect(); return; }
    const now = document.querySelector(`.st-key-${st.channel}`);
    if (now !== box) {
      if (observer) observer.disconnect();
      box = now; observer = null;
      if (box) {
        observer = new MutationObserver(soon);
        observer.observe(box, { subtree: true, childList: true, characterData: true });
        soon();
      }
    }
    setTimeout(watch, 60);         // a rerun replaces the element: found again within 60 ms (was 250)
  };
  st.timer = token;
  watch();
}

// Tell the page when its tab is hidden or shown again (a hidden tab stops training).
// One listener per window; the newest mount's trigger is the one called.
function watchVisibility(trigger) {
  const w = window.__nnpVisibility || (window.__nnpVisibility = {});
  if (!w.trigger) document.addEventListener("visibilitychange",
    () => w.trigger("visibility", document.hidden ? "hidden" : "visible"));
  w.trigger = trigger;
}
