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
