// A refused form or action (400, 422) comes back drawn again with its reason beside it: show it in
// place. htmx swaps only 2xx answers by default and would show the generic message below instead.
document.addEventListener("htmx:beforeSwap", (event) => {
  if ([400, 422].includes(event.detail.xhr.status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// Shows a readable message when an HTMX request fails, instead of leaving the page silently stale.
document.addEventListener("htmx:responseError", (event) => {
  const box = document.getElementById("page-error");
  const status = event.detail.xhr.status;
  box.textContent = status === 403
    ? "You are not allowed to do that."
    : `The server could not complete the request (error ${status}). Nothing was changed; please try again.`;
  box.hidden = false;
});
document.addEventListener("htmx:sendError", () => {
  const box = document.getElementById("page-error");
  box.textContent = "The server could not be reached. Check your connection and try again.";
  box.hidden = false;
});
