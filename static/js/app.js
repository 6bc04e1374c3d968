// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.querySelector("[data-module='error-summary']");
    if (summary) {
      summary.focus();
    }
  }

  // Links in the error summary move focus to the field (not only scroll), also for fieldsets.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    var fieldset = target.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    (legend || target).scrollIntoView();
    target.focus({ preventScroll: true });
  });

  // Session timeout (ACCESSIBILITY.md A13): warn before the server ends an idle session, let
  // the resident extend it (button or Esc) as often as they like, and go to the expiry page
  // when time is up. Answers are stored server-side, so nothing is lost either way.
  function sessionTimeout() {
    var body = document.body;
    var dialog = document.getElementById("sessie-dialoog");
    var idle = Number(body.getAttribute("data-session-idle"));
    var warn = Number(body.getAttribute("data-session-warn"));
    var extendUrl = body.getAttribute("data-session-extend");
    var expiredUrl = body.getAttribute("data-session-expired");
    if (!dialog || !idle || !extendUrl || typeof dialog.showModal !== "function") { return; }
    var status = document.getElementById("sessie-status");
    var warnTimer = null;
    var expireTimer = null;
    var returnFocus = null;

    function schedule() {
      clearTimeout(warnTimer);
      clearTimeout(expireTimer);
      warnTimer = setTimeout(show, Math.max(0, idle - warn) * 1000);
      expireTimer = setTimeout(function () { window.location.assign(expiredUrl); }, idle * 1000);
    }

    function show() {
      returnFocus = document.activeElement;
      dialog.showModal();
      var title = document.getElementById("sessie-dialoog-titel");
      if (title) { title.focus(); }
    }

    function extend() {
      var csrf = document.querySelector("input[name='csrf']");
      var data = new FormData();
      data.append("csrf", csrf ? csrf.value : "");
      fetch(extendUrl, { method: "POST", body: data, credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { window.location.assign(expiredUrl); return; }
        if (dialog.open) { dialog.close(); }
        if (returnFocus && returnFocus.focus) { returnFocus.focus(); }
        if (status) { status.textContent = status.getAttribute("data-extended") || ""; }
        schedule();
      }, function () {
        window.location.assign(expiredUrl);
      });
    }

    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "verlengen") { extend(); }
    });
    // Esc extends too, instead of only closing the warning.
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      dialog.returnValue = "verlengen";
      dialog.close("verlengen");
    });
    // Requests made by htmx also keep the session alive on the server.
    document.addEventListener("htmx:after:request", schedule);
    schedule();
  }

  function ready() {
    focusErrorSummary();
    sessionTimeout();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
