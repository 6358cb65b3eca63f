// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Menus folded on a phone (details.fold) stay open on a wide screen: CSS shows them through
  // ::details-content; a browser without it gets them opened here.
  function foldMenu() {
    if (window.matchMedia("(max-width: 720px)").matches) return;
    document.querySelectorAll("details.fold").forEach(function (menu) { menu.open = true; });
  }

  // Buttons that wait for checkboxes: data-requires="id1 id2".
  function bindRequiredChecks() {
    document.querySelectorAll("[data-requires]").forEach(function (button) {
      var boxes = button.getAttribute("data-requires").split(/\s+/).map(function (id) {
        return document.getElementById(id);
      }).filter(Boolean);
      function update() {
        var ready = boxes.every(function (box) { return box.checked; });
        button.disabled = !ready;
        var note = document.getElementById(button.getAttribute("aria-describedby") || "");
        if (note) note.hidden = ready;
      }
      boxes.forEach(function (box) { box.addEventListener("change", update); });
      update();
    });
  }

  // A new CAPTCHA picture without reloading the page and without losing what was typed.
  function bindCaptchaRefresh() {
    document.querySelectorAll("[data-captcha-refresh]").forEach(function (button) {
      // With JavaScript the refresh is an ordinary button: it can never send the form.
      button.type = "button";
      button.addEventListener("click", function (event) {
        event.preventDefault();
        fetch(button.getAttribute("data-captcha-refresh"), {
          headers: { "X-Requested-With": "XMLHttpRequest" },
          credentials: "same-origin"
        }).then(function (response) {
          if (!response.ok) throw new Error("captcha refresh failed");
          return response.json();
        }).then(function (data) {
          var box = button.closest("[data-captcha]");
          box.querySelector("img.captcha-image").src = data.image_url;
          box.querySelector("input[type=hidden][name$='_0']").value = data.key;
          var input = box.querySelector("input[type=text]");
          input.value = "";
          input.focus();
        }).catch(function () {
          // Fall back to the server-side refresh, which keeps what was typed.
          var form = button.form;
          var marker = document.createElement("input");
          marker.type = "hidden"; marker.name = "captcha_refresh"; marker.value = "1";
          form.appendChild(marker);
          form.submit();
        });
      });
    });
  }

  // The information window: a highlighted block in the HTML, a modal window with JavaScript.
  function openInfoWindows() {
    document.querySelectorAll("dialog.info-window[data-open-modal]").forEach(function (dialog) {
      if (typeof dialog.showModal !== "function") return;
      dialog.close();
      dialog.setAttribute("data-modal", "");
      dialog.showModal();
    });
  }

  // A form sent back with errors: the summary at its top takes the focus, so that a screen
  // reader reads it and the keyboard goes on from there to the links to the fields.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    foldMenu();
    focusErrorSummary();
    bindRequiredChecks();
    bindCaptchaRefresh();
    openInfoWindows();
  });
})();
