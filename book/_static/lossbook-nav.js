// The sidebar buttons in the article header work again (html_js_files in _config.yml).
//
// pydata-sphinx-theme 0.17 attaches the sidebar toggles' click handlers to the first
// `.primary-toggle` and `.secondary-toggle` of the page, which under sphinx-book-theme is a hidden
// navbar icon; the visible buttons in the article header get no handler, so on a phone the
// navigation never opens (pydata-sphinx-theme issue 2451). A click on any other toggle is passed
// on to the first one, which opens the navigation as a dialog on small screens and, through
// sphinx-book-theme's own handler, hides or shows the sidebar on wide ones.
document.addEventListener("DOMContentLoaded", () => {
  for (const selector of [".primary-toggle", ".secondary-toggle"]) {
    const [handled, ...others] = document.querySelectorAll(selector);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        handled.click();
      });
    }
  }
});
