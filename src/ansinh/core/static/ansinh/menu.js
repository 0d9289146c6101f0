/* The header's menu on a phone (base.html, app.css): the "Menu" button opens and closes it;
   Escape closes it and gives the focus back to the button. Without JavaScript the menu is
   simply shown, as on a wide screen. Loaded in <head> without "defer", so that the page is
   drawn with the menu already closed (the "js" class), and a static file: the
   Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function menu() {
    var button = document.getElementById("menu-button");
    return button ? { button: button, bar: button.closest(".topbar") } : null;
  }

  function show(m, open) {
    m.bar.classList.toggle("open", open);
    m.button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var m = menu();
    if (m && event.target.closest && event.target.closest("#menu-button")) {
      show(m, !m.bar.classList.contains("open"));
    }
  });

  document.addEventListener("keydown", function (event) {
    var m = menu();
    if (event.key !== "Escape" || !m || !m.bar.classList.contains("open")) return;
    show(m, false);
    m.button.focus();
  });
})();
