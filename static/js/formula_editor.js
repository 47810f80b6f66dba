/*
 * The validation rule formula editor: Insert Field, Insert Operator and Insert Selected
 * Function put their choice at the cursor of the formula instead of posting the form.
 * Without this script the buttons post and the server appends the choice.
 */
(function () {
  "use strict";

  function insertAtCursor(textarea, text, caretOffset) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var value = textarea.value;
    var before = value.slice(0, start);
    var after = value.slice(end);
    var pad = before && !/\s$/.test(before) && text !== "()" ? " " : "";
    textarea.value = before + pad + text + after;
    var caret = before.length + pad.length + (caretOffset === undefined ? text.length : caretOffset);
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
  }

  function describe(select, help) {
    var option = select.options[select.selectedIndex];
    if (option) {
      help.textContent = option.dataset.signature + ": " + option.dataset.description;
    }
  }

  function setUp(editor) {
    var textarea = document.getElementById(editor.dataset.formulaTarget);
    if (!textarea) {
      return;
    }
    editor.querySelectorAll("button[data-insert-from]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        var select = document.getElementById(button.dataset.insertFrom);
        if (!select || !select.value) {
          return;
        }
        event.preventDefault();
        if (button.dataset.function) {
          insertAtCursor(textarea, select.value + "()", select.value.length + 1);
        } else if (select.value === "()") {
          insertAtCursor(textarea, "()", 1);
        } else {
          insertAtCursor(textarea, select.value + " ");
        }
      });
    });
    var functions = document.getElementById("id_insert_function");
    var help = document.getElementById("function_help");
    if (functions && help) {
      functions.addEventListener("change", function () {
        describe(functions, help);
      });
      describe(functions, help);
    }
  }

  document.querySelectorAll(".formula-editor").forEach(setUp);
})();
