// Admin form of a periodic task: under the crontab field, the chosen schedule in words
// (django-celery-beat's behaviour, kept in a file for the Content-Security-Policy).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("readable-crontabs");
  const help = document.querySelector(".field-crontab .help");
  if (!data || !help) {
    return;
  }
  const readable = JSON.parse(data.textContent);
  const original = help.textContent;
  for (const row of document.querySelectorAll(".field-crontab_translation")) {
    row.hidden = true;
  }
  document.addEventListener("change", (event) => {
    if (event.target.id !== "id_crontab") {
      return;
    }
    const words = readable[event.target.value];
    help.replaceChildren(original);
    if (words) {
      help.append(document.createElement("br"), words);
    }
  });
});
