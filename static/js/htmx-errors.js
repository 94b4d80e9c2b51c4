/* Every page: what happens when an htmx request fails.
 *
 * - A session that expired (or was closed in another tab) sends the browser to the login page,
 *   which brings it back to this page after signing in, instead of swapping the login form into
 *   the page. The server says so with an HX-Redirect header; a response that was redirected to
 *   the login page anyway (a proxy, an older server) is caught here too.
 * - Any other 4xx/5xx answer, or no answer at all, shows a visible message: nothing fails
 *   silently. The texts come from data attributes of <body>, in the page's language.
 */
(function () {
  "use strict";

  var body = document.body;

  function alertBox() {
    return document.getElementById("request-error");
  }

  function show(text) {
    var box = alertBox();
    if (!box) {
      window.alert(text);
      return;
    }
    box.querySelector("[data-request-error-text]").textContent = text;
    box.hidden = false;
  }

  function hide() {
    var box = alertBox();
    if (box) {
      box.hidden = true;
    }
  }

  function loginPath() {
    return body.dataset.loginUrl || "/login/";
  }

  function goToLogin() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(loginPath() + "?next=" + encodeURIComponent(here));
  }

  function redirectedToLogin(xhr) {
    if (!xhr || !xhr.responseURL) {
      return false;
    }
    try {
      return new URL(xhr.responseURL).pathname === loginPath();
    } catch (error) {
      return false;
    }
  }

  function messageFor(status) {
    var template;
    if (status === 403) {
      template = body.dataset.errorForbidden;
    } else if (status === 404) {
      template = body.dataset.errorNotFound;
    } else if (status >= 500) {
      template = body.dataset.errorServer;
    } else {
      template = body.dataset.errorClient;
    }
    return (template || "Error {status}").replace("{status}", String(status));
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (redirectedToLogin(event.detail.xhr)) {
      event.detail.shouldSwap = false;
      goToLogin();
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 401) {
      goToLogin();
      return;
    }
    show(messageFor(xhr.status));
  });

  document.addEventListener("htmx:sendError", function () {
    show(body.dataset.errorNetwork || "The server cannot be reached.");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      hide();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-request-error-close]")) {
      hide();
    }
  });
})();
