// Small progressive enhancements; every page works without this file.
// Focus the error summary after a failed submit so screen readers announce it.
function focusErrors(root) {
  const summary = (root || document).querySelector("[data-autofocus]");
  if (summary) summary.focus();
}
document.addEventListener("DOMContentLoaded", () => focusErrors(document));
document.addEventListener("htmx:afterSwap", (e) => focusErrors(e.target));
// Auto-submit filter forms marked data-autosubmit when a select changes.
document.addEventListener("change", (e) => {
  const form = e.target.closest("form[data-autosubmit]");
  if (form && e.target.matches("select, input[type=checkbox], input[type=date]")) form.requestSubmit();
});
// Ask once more before a final action (data-confirm="…").
document.addEventListener("submit", (e) => {
  const message = e.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) e.preventDefault();
}, true);
