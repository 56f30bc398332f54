// The console's own script: placeholders inserted at the cursor, confirmations, and the target
// list that follows the kind of a button's target. Everything else is plain HTML forms + htmx.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var ph = event.target.closest(".ph");
    if (ph) {
      var area = document.getElementById(ph.dataset.target);
      if (!area) return;
      var start = area.selectionStart, end = area.selectionEnd;
      area.value = area.value.slice(0, start) + ph.dataset.ph + area.value.slice(end);
      area.focus();
      area.selectionStart = area.selectionEnd = start + ph.dataset.ph.length;
      area.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var confirmed = event.target.closest("[data-confirm]");
    if (confirmed && !window.confirm(confirmed.dataset.confirm)) event.preventDefault();
  });
  document.addEventListener("change", function (event) {
    var kind = event.target;
    if (!kind.name || !/-kind$/.test(kind.name)) return;
    var target = kind.form && kind.form.elements[kind.name.replace(/-kind$/, "-target")];
    if (target) target.setAttribute("list", { flow: "flow-ids", action: "action-ids" }[kind.value] || "step-ids");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.id === "preview-form") {
      var input = form.querySelector("input[name=text]");
      if (input) input.value = "";
      var chat = document.getElementById("chat");
      if (chat) chat.scrollTop = chat.scrollHeight;
    }
  });
})();
