// The back-office upload form, progressively enhanced: only the choices that fit what is in the
// file are shown (a bank registry's profile for a registry, the column formats of the chosen
// kind for a billing export). Without this file every field shows, each with its help text.
(function () {
  "use strict";

  function words(select, name) {
    return (select.getAttribute(name) || "").split(" ").filter(Boolean);
  }

  function bind() {
    var kind = document.getElementById("id_kind");
    var layout = document.getElementById("id_layout");
    if (!kind) return;
    var bankKinds = words(kind, "data-bank-kinds");
    var columnKinds = words(kind, "data-column-kinds");
    var profileRow = document.querySelector(".field-profile");
    var layoutRow = document.querySelector(".field-layout");

    function update() {
      var chosen = kind.value;
      if (profileRow) profileRow.hidden = bankKinds.indexOf(chosen) < 0;
      if (layoutRow) layoutRow.hidden = columnKinds.indexOf(chosen) < 0;
      if (!layout) return;
      var title = kind.options[kind.selectedIndex] ? kind.options[kind.selectedIndex].text : "";
      Array.prototype.forEach.call(layout.querySelectorAll("optgroup"), function (group) {
        var fits = group.label === title;
        group.hidden = !fits;
        group.disabled = !fits;
        if (!fits && layout.selectedOptions[0] && layout.selectedOptions[0].parentNode === group) {
          layout.selectedIndex = 0;  // a saved format of another kind: back to Kabinet's own
        }
      });
    }

    kind.addEventListener("change", update);
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bind);
  else bind();
})();
