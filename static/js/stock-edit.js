/* Mass stock edit: never lose typed quantities without a word, and show what a save did.
 *
 * - A quantity differs from the value its row was shown with: the grid has unsaved edits.
 *   Searching, changing the warehouse or leaving the page then asks first.
 * - After a save swapped the grid in place, its summary (rows saved, rows in error) is brought
 *   into view and focused, wherever the save button was.
 */
(function () {
  "use strict";

  var submitting = false;

  function grid() {
    return document.querySelector("[data-unsaved-grid]");
  }

  function hasUnsavedEdits() {
    var current = grid();
    if (!current) {
      return false;
    }
    var inputs = current.querySelectorAll("input[data-original]");
    for (var i = 0; i < inputs.length; i += 1) {
      if (inputs[i].value.trim() !== inputs[i].dataset.original) {
        return true;
      }
    }
    return false;
  }

  function searchForm() {
    return document.querySelector("form[data-guard-unsaved]");
  }

  function remember(form) {
    form.querySelectorAll("input, select").forEach(function (field) {
      field.dataset.applied = field.value;
    });
  }

  function restore(form) {
    form.querySelectorAll("input, select").forEach(function (field) {
      if (field.dataset.applied !== undefined) {
        field.value = field.dataset.applied;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = searchForm();
    if (form) {
      remember(form);
    }
  });

  document.addEventListener("htmx:confirm", function (event) {
    var form = searchForm();
    if (!form || event.detail.elt !== form || !hasUnsavedEdits()) {
      return;
    }
    event.preventDefault();
    if (window.confirm(grid().dataset.unsavedMessage)) {
      event.detail.issueRequest(true);
    } else {
      restore(form);
    }
  });

  document.addEventListener("submit", function (event) {
    if (grid() && grid().contains(event.target)) {
      submitting = true;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (!submitting && hasUnsavedEdits()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var form = searchForm();
    if (form && event.detail.requestConfig && event.detail.requestConfig.elt === form) {
      remember(form);
    }
    var summary = document.getElementById("stock-summary");
    if (summary && event.detail.target && event.detail.target.id === "stock-grid") {
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
    }
  });
})();
