// Photos chosen in a form (input[type=file][data-photos]) show as thumbnails before sending, each with a button
// that removes it; choosing again adds to those already chosen, up to data-photos (an input of one photo, without
// ``multiple``, takes the new one instead). Without this file the input is a plain file input and works the same.
//
// A photo larger than the server keeps (data-max-side: the long side core/storage.py scales every photo down to)
// is made that size here before it is sent, turned upright by its EXIF orientation and written as a JPEG at 0.85:
// a phone's 24–50 MP photo goes up as a few hundred kilobytes instead of 10 MB and more on mobile data (over the
// server's limit, refused after the long upload). «Уменьшаем фото…» (data-shrinking) is said meanwhile, and a form
// sent before it is done is sent once it is. A picture the browser cannot decode, or a browser that cannot draw it,
// sends the original, which the server shrinks or refuses with its message, as without JavaScript.
(() => {
  const chosen = new WeakMap();
  const working = new WeakMap(); // form → the promise of its photos being made smaller
  const QUALITY = 0.85;

  async function decoded(file) {
    if ("createImageBitmap" in window) {
      try {
        return await createImageBitmap(file, { imageOrientation: "from-image" });
      } catch {
        // Safari before 17 takes no options: the <img> below applies the orientation too
      }
    }
    const url = URL.createObjectURL(file);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      return img;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  // The photo at most ``side`` pixels on its long side, as a JPEG; the file itself when it is that small already
  // or cannot be made smaller here.
  async function smaller(file, side) {
    if (!file.type.startsWith("image/") || file.type === "image/gif") return file;
    let picture;
    try {
      picture = await decoded(file);
    } catch {
      return file;
    }
    const [width, height] = [picture.width || picture.naturalWidth, picture.height || picture.naturalHeight];
    const scale = Math.min(1, side / Math.max(width, height));
    if (scale === 1 && file.size <= side * side) {  // no more pixels than the server keeps, nor bytes (6.5 MB at 2560)
      if (picture.close) picture.close();
      return file;
    }
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // a transparent PNG on white, as the server flattens it
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.imageSmoothingQuality = "high";
    context.drawImage(picture, 0, 0, canvas.width, canvas.height);
    if (picture.close) picture.close();
    const blob = await new Promise((done) => canvas.toBlob(done, "image/jpeg", QUALITY));
    canvas.width = canvas.height = 0; // the pixels are freed now, not when the page goes
    if (!blob || blob.size >= file.size) return file;
    const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
    return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
  }

  function progress(input) {
    const id = `${input.id}-shrinking`;
    let status = document.getElementById(id);
    if (!status) {
      status = document.createElement("p");
      status.id = id;
      status.className = "hint photo-progress";
      status.setAttribute("role", "status");
      (document.getElementById(input.dataset.previews) || input).after(status);
    }
    return status;
  }

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

  async function choose(input, added) {
    const max = Number(input.dataset.photos) || 5;
    const side = Number(input.dataset.maxSide) || 0;
    // An input of several photos adds to those chosen; an input of one (no ``multiple``) takes the new one instead.
    const kept = input.multiple ? (chosen.get(input) || []).slice(0, max) : [];
    const taken = added.slice(0, max - kept.length);
    if (!side || taken.length === 0) return show(input, kept.concat(taken));
    const status = progress(input);
    status.textContent = input.dataset.shrinking || "";
    let made = taken;
    try {
      made = await Promise.all(taken.map((file) => smaller(file, side)));
    } catch {
      // the originals go, as without this file
    }
    status.textContent = "";
    show(input, kept.concat(made));
  }

  document.addEventListener("change", (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("input[type=file][data-photos]")) return;
    const form = input.form;
    const before = (form && working.get(form)) || Promise.resolve();
    const done = before.then(() => choose(input, Array.from(input.files)));
    if (form) {
      working.set(form, done);
      const over = () => { if (working.get(form) === done) working.delete(form); };
      done.then(over, over);
    }
  });

  // A form sent while its photos are being made smaller waits for them, then is sent as it was (the same button):
  // held here, on its way down, before htmx or the browser sends it.
  document.addEventListener("submit", (e) => {
    const form = e.target;
    const pending = form instanceof HTMLFormElement && working.get(form);
    if (!pending) return;
    e.preventDefault();
    e.stopPropagation();
    const submitter = e.submitter;
    const send = () => form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    pending.then(send, send);
  }, true);
})();
