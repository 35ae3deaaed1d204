// Behaviour of every page, kept out of the HTML: the Content-Security-Policy allows no inline handlers.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-submit-on-change") && field.form) {
    field.form.submit();
  }
});
