// Houqin's own script. No inline JavaScript anywhere: the Content Security Policy forbids it.
document.addEventListener("htmx:configRequest", function (event) {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});

// A button marked data-hq-print prints the page (the recovery codes).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-hq-print]")) {
    window.print();
  }
});
