/* Web push: the "Turn on in this browser" button registers the service worker, subscribes with the portal's
   VAPID key and hands the subscription to the portal. Without JavaScript or push support the button stays hidden.
   Signing out and "Turn off in this browser" also end the subscription in the browser itself before the form goes
   (the portal forgets it on its side whether or not this runs). */
(function () {
  const supported = "serviceWorker" in navigator && "PushManager" in window;
  const endHere = async () => {
    try {
      const registration = await navigator.serviceWorker.getRegistration("/static/sw.js");
      const subscription = registration && (await registration.pushManager.getSubscription());
      if (subscription) await subscription.unsubscribe();
    } catch (e) { /* the portal's side still ends it */ }
  };
  // Capturing, before htmx's boost sends the form: the form is sent again once the browser has unsubscribed.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!supported || !form.matches('form[action="/logout"], #push-off') || form.dataset.pushEnded) return;
    event.preventDefault();
    event.stopPropagation();
    form.dataset.pushEnded = "1";
    endHere().finally(() => (form.requestSubmit ? form.requestSubmit() : form.submit()));
  }, true);
  const button = document.getElementById("push-enable");
  const state = document.getElementById("push-state");
  if (!button) return;
  if (!supported) {
    if (state) state.textContent = state.dataset.off || "";
    return;
  }
  button.hidden = false;
  const key = (b64) => {
    const pad = "=".repeat((4 - (b64.length % 4)) % 4);
    const raw = atob((b64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  button.addEventListener("click", async () => {
    try {
      const registration = await navigator.serviceWorker.register("/static/sw.js");
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: key(button.dataset.key),
      });
      // The page's own token, which htmx sends with every request too: the cookie is named «__Host-csrftoken»
      // behind HTTPS, and a look for «csrftoken=» found nothing there, so the portal refused the subscription.
      const holder = document.querySelector("[hx-headers]");
      const csrf = holder ? JSON.parse(holder.getAttribute("hx-headers"))["x-csrftoken"] || "" : "";
      const answer = await fetch("/notifications/push", {
        method: "POST", headers: { "Content-Type": "application/json", "x-csrftoken": csrf },
        body: JSON.stringify(subscription.toJSON()), credentials: "same-origin",
      });
      state.textContent = answer.ok ? state.dataset.on : state.dataset.off;
    } catch (e) {
      state.textContent = state.dataset.off;
    }
  });
})();
