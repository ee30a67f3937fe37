/* pydata-sphinx-theme logs a console error on a first visit (empty localStorage: mode ""), see
   pydata-sphinx-theme issue 1635. Settle the mode before the theme's own script reads it. */
(function () {
  "use strict";
  try {
    var mode = window.localStorage.getItem("mode");
    if (mode !== "light" && mode !== "dark" && mode !== "auto") {
      mode = "light";
      window.localStorage.setItem("mode", mode);
    }
    document.documentElement.dataset.mode = mode;
  } catch (err) {
    document.documentElement.dataset.mode = "light";
  }
})();

/* WCAG 2.5.3 label in name: the theme names its search field "Search" although it shows
   "Search Ctrl+K", and its colour-mode button's icons carry titles that are not in the button's
   name. Let the search field be named by what it shows, and keep the icons' titles out of the
   colour-mode button's name (its aria-label "Color mode" stays). */
(function () {
  "use strict";
  function fix() {
    document.querySelectorAll(".search-button-field").forEach(function (button) {
      button.removeAttribute("aria-label");
      button.removeAttribute("title");
    });
    document.querySelectorAll(".theme-switch-button .theme-switch[title]").forEach(function (icon) {
      icon.removeAttribute("title");
      icon.setAttribute("aria-hidden", "true");
    });
    document.documentElement.dataset.chsA11y = "done";
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fix);
  } else {
    fix();
  }
  window.addEventListener("load", fix);
})();
