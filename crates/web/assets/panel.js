// Ficha panel: results while typing in the header's search box. Without this
// file the box still works: it submits to /clientes?q=… like any form.
(function () {
  "use strict";
  var input = document.getElementById("buscar");
  var box = document.getElementById("buscar-resultados");
  if (!input || !box) return;

  var timer = null;
  var asked = 0;

  function links() {
    return Array.prototype.slice.call(box.querySelectorAll("a"));
  }

  function close() {
    box.hidden = true;
    box.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
  }

  function mark(index) {
    var all = links();
    all.forEach(function (link, i) {
      link.classList.toggle("active", i === index);
      link.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (all[index]) all[index].scrollIntoView({ block: "nearest" });
  }

  function current() {
    return links().findIndex(function (link) { return link.classList.contains("active"); });
  }

  function ask() {
    var text = input.value.trim();
    if (!text) { close(); return; }
    var ticket = ++asked;
    fetch("/buscar?q=" + encodeURIComponent(text), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        // The session ended: the server sent the login page instead.
        if (response.redirected) { window.location.href = response.url; return ""; }
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        // An older answer that arrives late must not replace a newer one.
        if (ticket !== asked || input.value.trim() !== text) return;
        if (!html) { close(); return; }
        // The server renders this fragment with every value escaped.
        box.innerHTML = html;
        box.hidden = false;
        input.setAttribute("aria-expanded", "true");
      })
      .catch(close);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });

  input.addEventListener("keydown", function (event) {
    var all = links();
    var at = current();
    if (event.key === "ArrowDown" && !box.hidden && all.length) {
      event.preventDefault();
      mark(at < all.length - 1 ? at + 1 : 0);
    } else if (event.key === "ArrowUp" && !box.hidden && all.length) {
      event.preventDefault();
      mark(at > 0 ? at - 1 : all.length - 1);
    } else if (event.key === "Enter" && !box.hidden && at >= 0) {
      event.preventDefault();
      window.location.href = all[at].href;
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("click", function (event) {
    if (!box.contains(event.target) && event.target !== input) close();
  });
})();

// Choices that reload the page (a filter, the next step of Agendar) take
// effect as soon as they change; without this file their form's button does it.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (select) {
    select.addEventListener("change", function () {
      if (select.form) select.form.submit();
    });
  });
})();
