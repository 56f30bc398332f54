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
  // Unsaved work in the editor: a warning before leaving, and before publishing over it.
  var dirty = false;
  function touched(event) {
    var editor = event.target.form;
    if (!editor || editor.id !== "editor") return;
    dirty = true;
    var note = document.querySelector(".actionbar .unsaved");
    if (note) note.hidden = false;
  }
  document.addEventListener("input", touched);
  document.addEventListener("change", touched);
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (event.target.id === "publish-form" && dirty && submitter && submitter.dataset.unsaved &&
        !window.confirm(submitter.dataset.unsaved)) {
      event.preventDefault();
      return;
    }
    dirty = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  // The preview: after a message or a button press, the new answer is shown.
  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.detail.elt;
    var chat = document.getElementById("chat");
    if (!chat || !elt || !(elt.id === "chat" || elt.closest("#chat") || elt.id === "preview-form")) return;
    var input = document.querySelector("#preview-form input[name=text]");
    if (input && elt.id === "preview-form") input.value = "";
    chat.scrollTop = chat.scrollHeight;
    var answers = chat.querySelectorAll(".msg.bot");
    if (answers.length) answers[answers.length - 1].scrollIntoView({ block: "nearest" });
  });
})();
