// Small progressive enhancements; every page works without this file.
// Focus the error summary after a failed submit so screen readers announce it.
function focusErrors(root) {
  const summary = (root || document).querySelector("[data-autofocus]");
  if (summary) summary.focus();
  return summary;
}
document.addEventListener("DOMContentLoaded", () => focusErrors(document));
document.addEventListener("htmx:afterSwap", (e) => focusErrors(e.target));
// A boosted page is scrolled to its top after the settle: a summary lower down (the profile's e-mail or password
// form on a phone) would have the focus out of sight, so it is brought into view once that scroll is done.
document.addEventListener("htmx:afterSettle", (e) =>
  setTimeout(() => {
    const summary = focusErrors(e.target);
    const box = summary ? summary.getBoundingClientRect() : null;
    if (box && (box.top < 0 || box.bottom > window.innerHeight)) summary.scrollIntoView({ block: "center" });
  }),
);
// A link of the error summary takes the keyboard to its field and shows the field whole, its label, hint and error
// above the box; the browser alone scrolls the box to the top and leaves the words that say what is wrong above it.
document.addEventListener("click", (e) => {
  const link = e.target.closest(".error-summary a[href^='#']");
  const field = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
  if (!field) return;
  e.preventDefault();
  (field.closest(".field") || field).scrollIntoView({ block: "start" });
  field.focus({ preventScroll: true });
});
// Sent back to a place in a page («/meetings/2#line-7», see core/web.py see_other), the keyboard goes on from there
// (and a screen reader names it), not from the top of the page htmx scrolled past.
document.addEventListener("htmx:afterSettle", (e) => {
  const anchor = e.detail && e.detail.pathInfo ? e.detail.pathInfo.anchor : null;
  const place = anchor ? document.getElementById(anchor) : null;
  if (!place || place.contains(document.activeElement) || document.querySelector("[data-autofocus]")) return;
  if (!place.hasAttribute("tabindex")) place.setAttribute("tabindex", "-1");
  place.focus({ preventScroll: true });
});
// What the keyboard did is answered where the user looks next, never left on <body>: a link or form that htmx
// answered with a page (a boosted one) or a part of one took the focus with it when its element was swapped out, so a
// keyboard user started again from the top and a screen reader said nothing (a live region inserted with its words,
// as #flashes is with each page, is not read out). Once the answer settled (after the error summary's focus and a
// place sent back to), the focus goes to the answer's message (a flash: «Показания переданы»), else its heading,
// else the part swapped in; one the eye sees too, not a visually hidden heading. Only for a request the keyboard
// started (the focus was in its element, or htmx followed a boosted link or form): a poll or a live update never
// takes the focus from where the user is.
const startedHere = new WeakMap();
document.addEventListener("htmx:beforeRequest", (e) => {
  const active = document.activeElement;
  const own = active && active !== document.body && e.detail.elt.contains(active);
  if (own || e.detail.boosted) startedHere.set(e.detail.xhr, true);
});
const seen = (element) => element.offsetWidth > 1 && element.offsetHeight > 1;  // not a visually hidden heading
// The headings a page or part starts from: the first one seen, in the page's order. Down to h3, as a page whose h1
// and first h2 are visually hidden (the home page: «Главная», the balances) starts from an account's address, not from
// the first h2 seen below all the balances.
const HEADINGS = "h1, h2, h3";
function focusArrival(target) {
  const lost = !document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected;
  if (!lost) return false;
  const whole = target === document.body || target.contains(document.getElementById("main"));
  const root = whole ? document.getElementById("main") : target;
  if (!root) return false;
  // A page's message is in #flashes (an emergency notice above every page is no answer to what was done).
  const message = whole ? "#flashes .flash" : ".flash, [role=alert], [role=status]";
  const place = Array.from(root.querySelectorAll(message)).find(seen)
    || Array.from(root.querySelectorAll(HEADINGS)).find(seen) || root;
  if (place.tabIndex < 0 && !place.hasAttribute("tabindex")) place.setAttribute("tabindex", "-1");
  place.focus({ preventScroll: whole });  // htmx brought a new page to its top
  return true;
}
// Where the keyboard stays outside what was swapped (a filter's «Показать», a field typed in), what the new part says
// of itself («Найдено заявок: 3», a refusal) is read out by the page's one lasting live region (#announcer in
// templates/base.html): a status inserted with the part is a new live region, which screen readers do not read.
function announce(target, parts = "[role=status], [role=alert]") {
  const region = document.getElementById("announcer");
  if (!region || target === document.body || target.contains(document.activeElement)) return;
  const said = Array.from(target.querySelectorAll(parts)).filter(seen)
    .map((element) => element.textContent.trim().replace(/\s+/g, " ")).filter(Boolean).join(" ");
  if (!said) return;
  region.textContent = "";
  setTimeout(() => { region.textContent = said; }, 50);
}
document.addEventListener("htmx:afterSettle", (e) => {
  if (!e.detail.xhr || !startedHere.has(e.detail.xhr)) return;
  startedHere.delete(e.detail.xhr);
  const swapped = e.detail.target;  // replaced whole (outerHTML): its successor of the same id
  const target = swapped.isConnected ? swapped : swapped.id && document.getElementById(swapped.id);
  if (target) setTimeout(() => setTimeout(() => focusArrival(target) || announce(target)));
});
// A status polled while something runs (hx-trigger «every 2s»: a payment being processed, receipts being issued, a
// file being checked) is swapped whole at each poll, a new live region each time, which screen readers do not read:
// the end of the wait went unheard. The announcer reads its [data-announce] parts instead: the progress now and then
// (at most once in PROGRESS_EVERY ms, not at every poll), and always the answer that stops the poll, unless that
// answer took the keyboard (a payment's outcome, the import's refusal), which has it read out already.
const PROGRESS_EVERY = 15000;
const polls = new WeakMap();  // a poll's request → its element's id
const progressRead = new Map();  // a polled element's id → when its progress was last read out
const polling = (element) => /\bevery\b/.test(element.getAttribute("hx-trigger") || "");
document.addEventListener("htmx:beforeRequest", (e) => {
  if (e.detail.elt.id && polling(e.detail.elt)) polls.set(e.detail.xhr, e.detail.elt.id);
});
document.addEventListener("htmx:afterSettle", (e) => {
  const id = e.detail.xhr && polls.get(e.detail.xhr);
  const target = id && document.getElementById(id);
  if (!target) return;
  const now = Date.now();
  if (!progressRead.has(id)) progressRead.set(id, now);  // the page said it first: the first poll is not news
  if (polling(target) && now - progressRead.get(id) < PROGRESS_EVERY) return;
  progressRead.set(id, now);
  setTimeout(() => setTimeout(() => announce(target, "[data-announce]")));
});
// A page the browser loaded after a form it sent itself (a request with a photo, an order, the sign-in, which loads
// its page whole so that the page speaks the person's language) starts from its message, else its heading; after
// the language switch, from the switch, as the page is the same one in the other language. A form htmx sends (its
// submit prevented) leaves no mark: the next page loaded for another reason starts from the top.
document.addEventListener("submit", (e) => {
  if (e.target.matches(".lang-switch")) sessionStorage.setItem("portal:lang-switched", "1");
  else if (!e.defaultPrevented) sessionStorage.setItem("portal:submitted", "1");
});
document.addEventListener("DOMContentLoaded", () => {
  const submitted = sessionStorage.getItem("portal:submitted");
  sessionStorage.removeItem("portal:submitted");
  if (sessionStorage.getItem("portal:lang-switched")) {
    sessionStorage.removeItem("portal:lang-switched");
    const current = document.querySelector(".lang-switch .current");
    if (current) return current.focus({ preventScroll: true });
  }
  if (document.querySelector("[data-autofocus]") || document.activeElement !== document.body) return;
  const main = document.getElementById("main");
  const heading = submitted && main && !document.querySelector("[autofocus]")  // the page's own choice first
    && Array.from(main.querySelectorAll(HEADINGS)).find(seen);
  const place = document.querySelector("#flashes .flash") || heading;
  if (!place) return;
  if (!place.hasAttribute("tabindex")) place.setAttribute("tabindex", "-1");
  place.focus({ preventScroll: true });
});
// A boosted link or form answered with an error status (403 for an expired form, 404, 500) shows the page the
// server sent, as the browser would without htmx; otherwise the click would seem to do nothing. So does a form that
// swaps a part of its page, where the server retargets its error page to the whole page (HX-Retarget: body); other
// requests for a part of a page keep htmx's handling. A 429 (too many attempts) is swapped as a 422 is (the
// htmx-config of templates/base.html): a form with its message where the form is, an error page where the server
// retargets it.
document.addEventListener("htmx:beforeSwap", (e) => {
  const whole = e.detail.boosted || e.detail.xhr.getResponseHeader("HX-Retarget") === "body";
  if (whole && e.detail.isError && e.detail.xhr.status >= 400) {
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  }
});
// A form's «working» mark (htmx's request class, which shows its button's spinner) ends when its answer is there.
// htmx settles an element that replaces one of the same id with the old one's classes until the settle (20 ms, or
// as long as a busy phone takes), so the page a boosted form is answered with (the request list after a bulk
// assignment, the form «#bulk» again) and a filter form redrawn with its list showed the new button spinning.
// The event comes to the swap's target (the page's body, a list); the form is the request's element.
document.addEventListener("htmx:beforeSwap", (e) => e.detail.requestConfig?.elt?.classList.remove("htmx-request"));
// A form's submit buttons are disabled while its request is on its way (UI.md): a second tap on a slow phone network
// sends no payment or request twice, and Enter in a field submits nothing meanwhile. Held are a boosted form and one
// that posts itself (hx-post); a filter form redrawing its list as it is typed (hx-get) is not. The pressed button's
// name and value are already among the values sent. Whatever the answer (a page, 422 with errors, an error status,
// no network), the buttons it leaves in the page work again, and the one pressed keeps the keyboard. htmx's own
// hx-disabled-elt does not fit once for the whole portal: inherited from <body>, «find» takes a form's first button
// only, and every poll and link would disable what its selector finds.
const heldButtons = new WeakMap();
document.addEventListener("htmx:beforeRequest", (e) => {
  const form = e.detail.elt;
  if (!(form instanceof HTMLFormElement) || (!e.detail.boosted && e.detail.requestConfig.verb === "get")) return;
  const buttons = Array.from(form.elements).filter((b) => b.type === "submit" && !b.disabled);
  buttons.forEach((b) => { b.disabled = true; });
  heldButtons.set(e.detail.xhr, { buttons, focused: buttons.find((b) => b === document.activeElement) });
});
document.addEventListener("htmx:afterRequest", (e) => {
  const held = heldButtons.get(e.detail.xhr);
  if (!held) return;
  heldButtons.delete(e.detail.xhr);
  held.buttons.forEach((b) => { b.disabled = false; });
  const lost = !document.activeElement || document.activeElement === document.body;
  if (held.focused && held.focused.isConnected && lost) held.focused.focus({ preventScroll: true });
});
// A form the browser sends itself (hx-boost="false": file uploads, the cart's order, the language switch, the pay
// sheet) is held too, from its submit until the next page: a second tap or Enter meanwhile would start the post
// again. htmx has taken (and prevented) the submit of a form it sends, and «No» to data-confirm stopped it before
// here. The buttons are disabled after the submit, not in it: the browser collects the form's values once the
// event is over, and a disabled pressed button would not send its name and value (the language switch's «lang»).
// A page the browser keeps and shows again on Back (its back/forward cache) gives the buttons back.
const sentNatively = new WeakMap();
document.addEventListener("submit", (e) => {
  const form = e.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (sentNatively.has(form)) {
    e.preventDefault();
    return;
  }
  if (e.defaultPrevented || (form.getAttribute("target") || "_self") !== "_self") return;
  const buttons = Array.from(form.elements).filter((b) => b.type === "submit" && !b.disabled);
  sentNatively.set(form, buttons);
  setTimeout(() => buttons.forEach((b) => { b.disabled = true; }), 0);
  // A form answered with a file (data-file: «Скачать мои данные») leaves the page where it is: no next page gives
  // its buttons back, so they come back a few seconds on, the file under way.
  if (form.hasAttribute("data-file")) setTimeout(() => release(form), 3000);
});
function release(form) {
  const buttons = sentNatively.get(form);
  if (!buttons) return;
  sentNatively.delete(form);
  buttons.forEach((b) => { b.disabled = false; });
}
window.addEventListener("pageshow", (e) => {
  if (!e.persisted) return;
  document.querySelectorAll("form").forEach(release);
});
// Auto-submit filter forms marked data-autosubmit when a select changes.
document.addEventListener("change", (e) => {
  const form = e.target.closest("form[data-autosubmit]");
  if (form && e.target.matches("select, input[type=checkbox], input[type=date]")) form.requestSubmit();
});
// Ask once more before a final action (data-confirm="…"). «No» stops the event here, on its way down: htmx
// sends a boosted form (or an hx-post one) from its own listener on the form whether or not the default was
// prevented, so preventing it alone let the action through.
// A form with a «confirm» field is told the answer was yes: without JavaScript its server asks on a page instead.
document.addEventListener("submit", (e) => {
  const message = e.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    e.preventDefault();
    e.stopPropagation();
  } else if (message && e.target.elements.confirm) {
    e.target.elements.confirm.value = "1";
  }
}, true);
// The pay sheet: the primary button states the total of the chosen amounts as they are typed.
function payMoney(value, locale) {
  const number = new Intl.NumberFormat(locale === "ru" ? "ru-RU" : "en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    .format(value).replace(/[\u202f ]/g, "\u00a0");
  return locale === "ru" ? number + "\u00a0₽" : "₽" + number;
}
// A sum as the server reads it (core/parse.py): a lone comma or point is the decimal mark («1500,50», «1500.5»,
// and «1,005» is no sum: three digits after it); with both, the last one is («1,500.50», «1.500,50») and the other
// groups thousands, as one repeated does («1,500,000»). "" when the marks read neither way.
function plainSum(typed) {
  const grouped = (whole, group) => new RegExp(`^[1-9]\\d{0,2}(\\${group}\\d{3})+$`).test(whole);
  if (typed.includes(",") && typed.includes(".")) {
    const mark = typed.lastIndexOf(",") > typed.lastIndexOf(".") ? "," : ".";
    const group = mark === "," ? "." : ",";
    const whole = typed.slice(0, typed.lastIndexOf(mark));
    return grouped(whole, group) ? whole.split(group).join("") + "." + typed.slice(typed.lastIndexOf(mark) + 1) : "";
  }
  for (const group of [",", "."]) {
    if (typed.split(group).length > 2) return grouped(typed, group) ? typed.split(group).join("") : "";
  }
  return typed.replace(",", ".");
}
function payTotal(form) {
  const percent = parseFloat(form.dataset.percent || "0") || 0;
  let total = 0;
  form.querySelectorAll("[data-pay-amount]").forEach((input) => {
    const choice = form.querySelector(`[data-pay-choice="${input.dataset.payAmount}"]`);
    if (choice && !choice.checked) return;
    const text = plainSum(input.value.replace(/[\s\u00a0\u202f₽]/g, ""));
    if (!/^\d{1,12}(\.\d{1,2})?$/.test(text)) return;
    const kopecks = Math.round(parseFloat(text) * 100);
    if (kopecks < 100 || kopecks > 50000000) return;
    total += kopecks + Math.round((kopecks * percent) / 100);
  });
  const button = form.querySelector("[data-pay-button]");
  if (button) button.textContent = total > 0 ? button.dataset.label.replace("{amount}", payMoney(total / 100, form.dataset.locale)) : button.dataset.empty;
}
document.addEventListener("input", (e) => { const form = e.target.closest("form[data-pay-sheet]"); if (form) payTotal(form); });
document.addEventListener("change", (e) => { const form = e.target.closest("form[data-pay-sheet]"); if (form) payTotal(form); });
// Live updates never take away what is being typed: when a polled part is replaced out of band, a field of the
// old part that was changed gives its value (and the focus, if it had it) to the field of the same form and name.
document.addEventListener("htmx:oobBeforeSwap", (e) => {
  const { target, fragment } = e.detail;
  if (!target || !fragment) return;
  target.querySelectorAll("textarea, input[type=text], input[type=number], input:not([type])").forEach((field) => {
    if (!field.name || field.value === field.defaultValue) return;
    const action = field.form ? field.form.getAttribute("action") : null;
    const twin = Array.from(fragment.querySelectorAll(`[name="${CSS.escape(field.name)}"]`))
      .find((f) => (f.form ? f.form.getAttribute("action") : f.closest("form")?.getAttribute("action")) === action);
    if (!twin) return;
    twin.value = field.value;
    if (document.activeElement === field) {
      const [start, end] = [field.selectionStart, field.selectionEnd];
      setTimeout(() => { twin.focus(); if (start !== null) twin.setSelectionRange(start, end); }, 0);
    }
  });
});
// A list's filter form redrawn with its list (components/ui.html filter_panel ``redraw``) stays as it was left: a
// panel or checklist that was open stays open (the answer may open one more, where a filter was not read), and the
// keyboard stays where it was. htmx gives the focus back to a field of the same id itself; a button, a checklist's
// box or a range's end has none, so its twin is the field at the same place in the new form.
document.addEventListener("htmx:oobBeforeSwap", (e) => {
  const { target, fragment } = e.detail;
  const form = target && target.tagName === "FORM" && fragment ? fragment.querySelector("form") : null;
  if (!form) return;
  const [was, now] = [target.querySelectorAll("details"), form.querySelectorAll("details")];
  if (was.length === now.length) was.forEach((panel, i) => { if (panel.open) now[i].open = true; });
  const active = document.activeElement;
  if (!active || active.id || !target.contains(active)) return;
  const fields = (root) => Array.from(root.querySelectorAll("input, select, textarea, button"));
  const twin = fields(form)[fields(target).indexOf(active)];
  if (!twin || twin.tagName !== active.tagName || twin.name !== active.name) return;
  setTimeout(() => {
    if (!document.activeElement || document.activeElement === document.body) twin.focus({ preventScroll: true });
  }, 0);
});
// A table wider than its box scrolls inside .table-wrap: such a box takes the keyboard focus so that it can be
// scrolled with the arrow keys, and is named after its table's caption for screen readers.
function focusableScrollers(root) {
  (root || document).querySelectorAll(".table-wrap").forEach((wrap) => {
    if (wrap.scrollWidth > wrap.clientWidth + 1 && getComputedStyle(wrap).overflowX !== "visible") {
      wrap.tabIndex = 0;
      const caption = wrap.querySelector("caption");
      if (caption && !wrap.hasAttribute("aria-label")) {
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", caption.textContent.trim());
      }
    } else if (wrap.tabIndex === 0) {
      wrap.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", () => focusableScrollers(document));
document.addEventListener("htmx:afterSettle", () => focusableScrollers(document));
window.addEventListener("resize", () => focusableScrollers(document));
// On a phone a list's filter panel starts folded, so the rows come first; it stays open while a filter is in
// force or refused (a field with a value or an error). Without JavaScript, or wider, it is open as served. A
// dropdown is in force past its first option: «Все дома», or the newest month of a report, which always has one.
function foldFilterPanels(root) {
  if (!window.matchMedia("(max-width: 640px)").matches) return;
  root.querySelectorAll("details.filter-panel[open]:not([data-folded])").forEach((panel) => {
    panel.dataset.folded = "1";
    const chosen = (field) => {
      if (field.type === "checkbox" || field.type === "radio") return field.checked;
      return field.tagName === "SELECT" ? field.selectedIndex > 0 : field.value !== "";
    };
    const inForce = panel.querySelector(".has-error") || Array.from(panel.querySelectorAll("input:not([type=hidden]), select")).some(chosen);
    if (!inForce) panel.open = false;
  });
}
document.addEventListener("DOMContentLoaded", () => foldFilterPanels(document));
document.addEventListener("htmx:afterSettle", () => foldFilterPanels(document));
// The call-centre form (tickets/staff_new.html): the accounts found by a caller's phone bring the phone, which fills
// «Телефон звонившего» while it is empty or still holds what an earlier search put there; typed words stay.
function fillCallerPhone() {
  document.querySelectorAll("[data-caller-phone]").forEach((found) => {
    const phone = found.dataset.callerPhone;
    const field = found.closest("form")?.querySelector("input[name=contact_phone]");
    if (!phone || !field || (field.value !== "" && field.value !== field.dataset.filled)) return;
    field.value = phone;
    field.dataset.filled = phone;
  });
}
document.addEventListener("htmx:afterSettle", fillCallerPhone);
// A disclosure that opens over the page (the staff menu on a narrow screen, a filter's checklist) closes with Escape,
// and the keyboard goes back to its button, as it does in a menu; before, Escape did nothing, and the open list
// covered the page until its button was found again.
document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape" || !(e.target instanceof Element)) return;
  const panel = e.target.closest("details.staff-menu[open], details.checklist[open]");
  if (!panel) return;
  panel.open = false;
  panel.querySelector("summary").focus();
});
