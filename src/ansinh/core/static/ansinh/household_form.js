/* Household form: "Add another member" copies the empty member form of the formset.
   A static file (not an inline script) so that the Content-Security-Policy can forbid inline scripts. */
(function () {
  var button = document.getElementById("add-member");
  if (!button) return;
  button.addEventListener("click", function () {
    var total = document.getElementById("id_members-TOTAL_FORMS");
    var n = parseInt(total.value, 10);
    var html = document.getElementById("member-template").innerHTML.replace(/__prefix__/g, n);
    var box = document.createElement("div");
    box.innerHTML = html;
    var node = box.firstElementChild;
    document.getElementById("members").appendChild(node);
    if (window.htmx) { htmx.process(node); }
    total.value = n + 1;
    node.querySelector("input").focus();
  });
})();
