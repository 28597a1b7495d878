// htmx leaves 4xx answers unswapped, so a refused action would look as if nothing happened.
// The ticket page answers bad input (400), a refusal (403) and an action not allowed from the
// status (409) with the whole panel, the action's form open and its error in it: show that.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.status < 500 && xhr.responseText.indexOf('id="ticket-panel"') !== -1) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
