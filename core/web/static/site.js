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
