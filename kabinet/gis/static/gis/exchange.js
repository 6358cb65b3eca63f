// «Обмен с ГИС ЖКХ»: while a file is being written, the list of exports is fetched again every
// 3 seconds and replaced in place (announced politely to a screen reader), instead of the whole
// page reloading under the operator. Without JavaScript the page reloads itself (<noscript>).
(function () {
  "use strict";

  function poll(list) {
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(list.id);
          if (!fresh) return;
          list.innerHTML = fresh.innerHTML;
          if (fresh.hasAttribute("data-waiting")) poll(list);
          else list.removeAttribute("data-waiting");
        })
        .catch(function () { poll(list); });  // a moment offline: try again
    }, 3000);
  }

  function bind() {
    var list = document.getElementById("gis-exports");
    if (list && list.hasAttribute("data-waiting")) poll(list);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bind);
  else bind();
})();
