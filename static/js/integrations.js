/* Integration pages: small behaviours the templates ask for with data attributes (no inline
 * script, no event attributes: the pages run under a Content-Security-Policy).
 *
 * - data-check-all="NAME" on a checkbox ticks every checkbox named NAME of its form;
 * - data-confirm="TEXT" on a form asks before submitting it;
 * - data-copy-target="ID" on a button copies the value of the field ID;
 * - the payload <details> of an event shows or hides the row that holds the payload;
 * - a schedule form shows the minutes field or the crontab field, as its kind says;
 * - on a narrow screen the tab bar scrolls to show the current tab.
 */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[data-check-all]")) {
      var form = box.form || box.closest("form") || document;
      form.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]').forEach(function (item) {
        item.checked = box.checked;
      });
    }
    if (box.matches && box.matches('.schedule-form input[name="kind"]')) {
      showScheduleFields(box.closest(".schedule-form"));
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.dataset.copyTarget);
    if (!field) {
      return;
    }
    field.select();
    var done = function () {
      var label = button.textContent;
      button.textContent = button.dataset.copiedText || label;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done);
    } else if (document.execCommand("copy")) {
      done();
    }
  });

  // "toggle" does not bubble: listen while it goes down.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details[data-event-payload]")) {
      return;
    }
    var row = details.closest("tbody") && details.closest("tbody").querySelector(".payload-row");
    if (row) {
      row.hidden = !details.open;
    }
  }, true);

  function showScheduleFields(form) {
    if (!form) {
      return;
    }
    var checked = form.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : "";
    var minutes = form.querySelector('[data-field="every_minutes"]');
    var crontab = form.querySelector('[data-field="crontab"]');
    if (minutes) {
      minutes.hidden = kind !== "every";
    }
    if (crontab) {
      crontab.hidden = kind !== "cron";
    }
  }

  function prepare(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".schedule-form").forEach(showScheduleFields);
    if (root.matches && root.matches(".schedule-form")) {
      showScheduleFields(root);
    }
  }

  function showCurrentTab() {
    var current = document.querySelector(".integration-tabs [aria-current=page]");
    if (current && current.scrollIntoView) {
      current.scrollIntoView({ block: "nearest", inline: "center" });
    }
  }

  document.addEventListener("htmx:load", function (event) {
    prepare(event.target);
  });
  function start() {
    prepare(document);
    showCurrentTab();
  }

  if (document.readyState !== "loading") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
