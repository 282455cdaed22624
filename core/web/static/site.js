// Large-text (长者) mode in place, without a reload. The link works without
// JavaScript too: it goes through /prefs/elder, which sets the same cookie.
document.addEventListener("click", function (e) {
  var a = e.target.closest && e.target.closest("[data-elder-toggle]");
  if (!a) return;
  e.preventDefault();
  var root = document.documentElement;
  var on = !root.classList.contains("elder");
  root.classList.toggle("elder", on);
  document.cookie = "yw_elder=" + (on ? "1; max-age=31536000" : "; max-age=0") + "; path=/; samesite=lax";
  a.setAttribute("aria-pressed", on ? "true" : "false");
  a.textContent = on ? "退出长者模式" : "长者模式";
  var href = a.getAttribute("href").replace(/on=[01]/, "on=" + (on ? "0" : "1"));
  a.setAttribute("href", href);
});
// A link with role=button must also answer the space bar.
document.addEventListener("keydown", function (e) {
  if (e.key !== " ") return;
  var a = e.target.closest && e.target.closest("[data-elder-toggle]");
  if (a) { e.preventDefault(); a.click(); }
});
// The county console's search rebuild: while one is asked for or running,
// its progress is fetched every two seconds and said in the live region.
(function () {
  var box = document.getElementById("rebuild");
  if (!box || box.getAttribute("data-pending") !== "true" || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("rebuild-progress");
  var state = document.getElementById("rebuild-state");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (bar) { bar.value = s.Percent; bar.textContent = s.Percent + "%"; }
        if (state && state.textContent !== s.State) {
          state.textContent = s.State;
          state.classList.toggle("form-error", !!s.Failed);
        }
        if (s.Pending) setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
