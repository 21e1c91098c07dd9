// Photos chosen in a form (input[type=file][data-photos]) show as thumbnails before sending, each with a button
// that removes it; choosing again adds to those already chosen, up to data-photos. Without this file the input
// is a plain file input and works the same.
(() => {
  const chosen = new WeakMap();

  function show(input, files) {
    chosen.set(input, files);
    const transfer = new DataTransfer();
    files.forEach((file) => transfer.items.add(file));
    input.files = transfer.files;
    const list = document.getElementById(input.dataset.previews);
    if (!list) return;
    list.querySelectorAll("img").forEach((img) => URL.revokeObjectURL(img.src));
    list.replaceChildren(...files.map((file, i) => {
      const item = document.createElement("li");
      const img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = (input.dataset.alt || "").replace("{n}", i + 1);
      img.width = 96;
      img.height = 96;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "photo-remove";
      remove.setAttribute("aria-label", (input.dataset.remove || "").replace("{n}", i + 1));
      remove.innerHTML = '<span aria-hidden="true">×</span>';
      remove.addEventListener("click", () => {
        show(input, files.filter((_, j) => j !== i));
        const next = list.querySelectorAll(".photo-remove")[Math.min(i, files.length - 2)];
        (next || input).focus();
      });
      item.append(img, remove);
      return item;
    }));
    list.hidden = files.length === 0;
  }

  document.addEventListener("change", (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("input[type=file][data-photos]")) return;
    const max = Number(input.dataset.photos) || 5;
    show(input, (chosen.get(input) || []).concat(Array.from(input.files)).slice(0, max));
  });
})();
