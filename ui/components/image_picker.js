// A grid of clickable thumbnails; the clicked item's id goes back as the "pick" trigger.
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const grid = mountRoot(parentElement, "picker", "");
  grid.replaceChildren(...data.items.map((item) => {
    const b = document.createElement("button");
    b.className = item.id === data.selected ? "on" : "";
    b.title = item.title;
    b.setAttribute("aria-label", item.title);
    b.setAttribute("aria-pressed", String(item.id === data.selected));   // the chosen one, without its colour
    b.innerHTML = `<img alt="" src="${item.src}"><span>${item.title}</span>`;
    b.onclick = () => setTriggerValue("pick", item.id);
    return b;
  }));
}
