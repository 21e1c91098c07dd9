// What a person types into a form's text boxes is kept in this tab (sessionStorage) until the form is accepted, so
// that nothing is lost when the form is refused because the session ended meanwhile (a phone's tab reopened the
// next day, «Сеанс закончился»): after signing in again, the text is back in the empty box, with a note saying so.
// A form counts as accepted only when the server says it took it (the header «Form-Taken» of htmx's answer, or
// <meta name="form-taken"> in the page the browser loads after the post): a form refused, even by a redirect back
// to its page (the request changed meanwhile), keeps what was typed. Drafts belong to the person signed in
// (another person signing in in this tab never sees them), and signing out forgets them all. Every page works
// without this file.
(() => {
  const PREFIX = "draft:";
  const SENT = "draft-sent";
  let store;
  try {
    store = window.sessionStorage;
    store.getItem(SENT);
  } catch {
    return; // storage switched off: the forms work as before
  }
  const owner = () => document.querySelector("[data-draft-owner]")?.dataset.draftOwner || "";
  const boxes = (root) => Array.from(root.querySelectorAll("form[method='post' i] textarea[name]"));
  // The form's address as written (``form.action`` would be a field of the form named «action», if one had it).
  const target = (form) => new URL(form.getAttribute("action") || location.href, location.href).pathname;
  const keyOf = (box) => `${PREFIX}${owner()}:${target(box.form)}:${box.name}`;
  const sent = () => JSON.parse(store.getItem(SENT) || "[]");

  document.addEventListener("input", (e) => {
    const box = e.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.form || box.form.method !== "post" || !box.name) return;
    if (box.value.trim()) store.setItem(keyOf(box), box.value);
    else store.removeItem(keyOf(box));
  });

  document.addEventListener(
    "submit",
    (e) => {
      const form = e.target;
      if (target(form) === "/logout") {
        Object.keys(store).filter((k) => k.startsWith(PREFIX)).forEach((k) => store.removeItem(k));
        store.removeItem(SENT);
        return;
      }
      const keys = Array.from(form.elements)
        .filter((b) => b instanceof HTMLTextAreaElement && b.name && b.value.trim())
        .map(keyOf);
      if (keys.length) store.setItem(SENT, JSON.stringify(keys));
    },
    true,
  );

  // The answer to the form just sent: accepted, its drafts are forgotten; refused, they are kept for the form.
  function settle(accepted) {
    const keys = sent();
    store.removeItem(SENT);
    if (accepted) keys.forEach((k) => store.removeItem(k));
    else if (keys.some((k) => store.getItem(k) !== null)) {
      document.querySelectorAll("[data-draft-kept]").forEach((note) => { note.hidden = false; });
    }
  }

  function restore(root) {
    const me = owner();
    const waiting = new Set(sent());
    for (const box of boxes(root)) {
      const key = keyOf(box);
      const text = store.getItem(key);
      if (text === null || box.value.trim() || waiting.has(key)) continue;
      box.value = text;
      const note = document.getElementById("draft-restored")?.content.firstElementChild?.cloneNode(true);
      if (note) box.insertAdjacentElement("afterend", note);
    }
    if (me) {
      Object.keys(store)
        .filter((k) => k.startsWith(PREFIX) && !k.startsWith(`${PREFIX}${me}:`) && !k.startsWith(`${PREFIX}:`))
        .forEach((k) => store.removeItem(k));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (sent().length) {
      settle(document.querySelector("meta[name='form-taken']") !== null);
    }
    restore(document);
  });
  // A boosted form replaced by its answer is out of the page: htmx tells its request once more from an element
  // still in it, so the form is the request's own element, not the event's.
  document.addEventListener("htmx:afterRequest", (e) => {
    const form = e.detail.requestConfig?.elt;
    if (!(form instanceof HTMLFormElement) || e.detail.requestConfig.verb !== "post" || !sent().length) return;
    settle(e.detail.xhr.getResponseHeader("Form-Taken") === "1");
  });
  document.addEventListener("htmx:load", (e) => restore(e.detail.elt));
})();
