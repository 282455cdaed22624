// Follows a running import: asks for its progress every second and
// shows it; when the run ends, the page reloads to show the result.
(function () {
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = document.getElementById("import-bar");
  var status = document.getElementById("import-status");
  var names = { "读取": "读取", "检查": "检查", "写入": "写入", "建立检索": "建立检索" };
  function poll() {
    fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        if (p.status !== "running") { window.location.reload(); return; }
        if (p.total > 0) { bar.max = p.total; bar.value = p.done; }
        status.textContent = (p.phase ? "正在" + (names[p.phase] || p.phase) + "：" : "正在导入：") + p.done + " / " + p.total + " 行";
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
