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

