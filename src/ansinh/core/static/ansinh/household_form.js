/* Household form: "Add another member" copies the empty member form of the formset; on a
   village head's proposal, "Remove" ticks the row's remove box (the formset drops it) and hides
   the row. Without JavaScript the page still works: its empty rows and remove boxes are there.
   A static file (not an inline script) so that the Content-Security-Policy can forbid inline scripts. */
(function () {
  var button = document.getElementById("add-member");
  if (!button) return;

  // With JavaScript, rows are added and removed with buttons instead of the remove boxes.
  function enhance(root) {
    root.querySelectorAll("[data-remove-member]").forEach(function (b) { b.hidden = false; });
    root.querySelectorAll(".remove-field").forEach(function (f) { f.hidden = true; });
  }
  button.hidden = false;
  enhance(document);

  button.addEventListener("click", function () {
    var total = document.getElementById("id_members-TOTAL_FORMS");
    var n = parseInt(total.value, 10);
    var html = document.getElementById("member-template").innerHTML.replace(/__prefix__/g, n);
    var box = document.createElement("div");
    box.innerHTML = html;
    var node = box.firstElementChild;
    document.getElementById("members").appendChild(node);
    var number = node.querySelector(".member-number");
    if (number) {
      number.textContent = document.querySelectorAll("#members .member-form:not([hidden])").length;
    }
    enhance(node);
    if (window.htmx) { htmx.process(node); }
    total.value = n + 1;
    node.querySelector("input").focus();
  });

  document.getElementById("members").addEventListener("click", function (event) {
    var remove = event.target.closest("[data-remove-member]");
    if (!remove) return;
    var row = remove.closest(".member-form");
    var box = row.querySelector("input[name$='-DELETE']");
    if (box) { box.checked = true; }
    row.hidden = true;
  });
})();
