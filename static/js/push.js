/* Web push: the "Turn on in this browser" button registers the service worker, subscribes with the portal's
   VAPID key and hands the subscription to the portal. Without JavaScript or push support the button stays hidden. */
(function () {
  const button = document.getElementById("push-enable");
  const state = document.getElementById("push-state");
  if (!button || !("serviceWorker" in navigator) || !("PushManager" in window)) {
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
      const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
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
