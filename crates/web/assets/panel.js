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

// Forms marked data-inplace="ID" update the element #ID in place: the form
// goes to the same address with the same token, and from the page the server
// answers with (after its redirect, or with the refused text and its message)
// only that element is taken. Without this file, the form posts and the page
// reloads, as every form here can.
(function () {
  "use strict";
  // Where the page was opened from (?desde=, the booking page's
  // breadcrumb) stays in the address, so the next action and a reload
  // still lead back there.
  function keepOrigin(url) {
    var from = new URLSearchParams(window.location.search).get("desde");
    if (!from || /[?&]desde=/.test(url)) return url;
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "desde=" + encodeURIComponent(from);
  }

  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-inplace]"), function (form) {
      form.addEventListener("submit", function (event) {
        var target = document.getElementById(form.getAttribute("data-inplace"));
        if (!target || !window.fetch || !window.DOMParser || !window.URLSearchParams) return;
        event.preventDefault();
        fetch(form.action, {
          method: "POST",
          body: new URLSearchParams(new FormData(form)),
          credentials: "same-origin",
          headers: { Accept: "text/html" }
        })
          .then(function (response) {
            return response.text().then(function (html) { return { url: response.url, html: html }; });
          })
          .then(function (answer) {
            answer.doc = new DOMParser().parseFromString(answer.html, "text/html");
            var fresh = answer.doc.getElementById(target.id);
            // Not the page we expected (the session ended, say): show what
            // the server sent instead; the form was already sent once.
            if (!fresh) { window.location.href = answer.url; return; }
            target.replaceWith(fresh);
            enhance(fresh);
            // Outside the target, the page's messages (marked
            // data-inplace-also) follow the answer too: the notice shown is
            // the one for the action just done, never the previous one.
            Array.prototype.forEach.call(document.querySelectorAll("[data-inplace-also]"), function (old) {
              var next = answer.doc.getElementById(old.id);
              if (next) old.replaceWith(next);
            });
            // The address the server redirected to (its notice included),
            // so a reload shows the same page.
            if (answer.url && answer.url.indexOf(window.location.origin + "/") === 0) {
              window.history.replaceState(null, "", keepOrigin(answer.url));
            }
          })
          .catch(function () { window.location.reload(); });
      });
    });
  }
  enhance(document);
})();

// Agendar: the summary's time follows the slot picked, or the hour typed
// with "Fuera de horario" (picking a slot unticks it); without this file
// the summary is right after each reload and the server reads the form.
(function () {
  "use strict";
  var form = document.getElementById("agendar-horario");
  var shown = document.getElementById("resumen-hora");
  var off = document.getElementById("fuera_de_horario");
  var hour = document.getElementById("hora");
  if (!form || !shown || !off || !hour) return;
  function update() {
    var typed = hour.value.trim();
    var slot = form.querySelector("input[name=inicio]:checked");
    if (off.checked) shown.textContent = typed ? typed + " (fuera de horario)" : "Escribe la hora";
    else shown.textContent = slot ? slot.parentNode.textContent.trim() : "Elige un horario";
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "inicio") off.checked = false;
    update();
  });
  hour.addEventListener("input", update);
})();

// Agendar's date: with this file, a native date picker (a calendar on a
// desktop, the wheel on a phone) next to the dd-mm-aaaa field fills it and
// shows that day. Without it the field is typed (every browser, every
// locale), and the week strip picks days.
(function () {
  "use strict";
  var picker = document.getElementById("fecha-calendario");
  var field = document.getElementById("fecha");
  if (!picker || !field || !field.form) return;
  picker.hidden = false;
  picker.addEventListener("change", function () {
    var parts = picker.value.split("-");
    // A year typed digit by digit passes through 0002, 0020…: wait for it.
    if (parts.length !== 3 || Number(parts[0]) < 1900) return;
    field.value = parts[2] + "-" + parts[1] + "-" + parts[0];
    field.form.submit();
  });
})();

// The profile's header stays at the top: its height tells the page how far
// below it a jump to a section (or a focused field) must land. Without this
// file the stylesheet's estimate does the same, roughly.
// A refused form comes back at its section's anchor, and a page opened at an
// anchor skips `autofocus`: the first field with a problem gets the focus.
(function () {
  "use strict";
  var head = document.getElementById("cabecera");
  if (!head || !head.classList.contains("profile-head")) return;
  function measure() {
    document.documentElement.style.setProperty("--profile-head", head.offsetHeight + "px");
  }
  measure();
  window.addEventListener("resize", measure);
  // After the load: the browser's own jump to the anchor clears the focus.
  window.addEventListener("load", function () {
    setTimeout(function () {
      var refused = document.querySelector("#contenido [aria-invalid=\"true\"]");
      var idle = !document.activeElement || document.activeElement === document.body;
      if (refused && idle) refused.focus();
    }, 0);
  });
})();
