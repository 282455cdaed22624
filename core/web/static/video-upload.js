// Chunked, resumable video upload for the console's 视频管理 page.
// The file goes up in the chunks the server names, in order; after a
// dropped connection the script asks the server how much it has and
// goes on from there; after a reload, choosing the same file again
// resumes it (the session is remembered per file name and size, and
// the server checks the file's first bytes, refusing another file).
(function () {
  "use strict";
  var form = document.getElementById("vu-form");
  if (!form) return;
  var startURL = form.getAttribute("data-start");
  var csrf = form.getAttribute("data-csrf");
  var bar = document.getElementById("vu-progress");
  var status = document.getElementById("vu-status");
  var go = document.getElementById("vu-go");
  var restart = document.getElementById("vu-restart");
  var HEAD = 64 * 1024;

  function say(text) { status.textContent = text; }
  function key(f) { return "yw-video-upload:" + location.pathname + ":" + f.name + ":" + f.size; }
  function mb(n) { return (n / 1048576).toFixed(1) + " MB"; }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function post(url, body, headers) {
    headers = headers || {};
    headers["X-CSRF-Token"] = csrf;
    return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: headers })
      .then(function (resp) {
        return resp.json().catch(function () { return { ok: false, error: "服务器返回了无法识别的答复（" + resp.status + "）" }; })
          .then(function (j) { j.status = resp.status; return j; });
      });
  }

  function fileHeaders(f) {
    return { "X-File-Name": encodeURIComponent(f.name), "X-File-Size": String(f.size), "Content-Type": "application/octet-stream" };
  }

  // session opens or resumes the upload of f: the server's answer.
  async function session(f) {
    var head = f.slice(0, Math.min(f.size, HEAD));
    var token = localStorage.getItem(key(f));
    if (token) {
      var r = await post(startURL + "/" + token + "/resume", head, fileHeaders(f));
      if (r.ok) { say("继续上传中断的视频（已上传 " + mb(r.received) + "）"); return r; }
      if (r.status === 409) { restart.hidden = false; throw new Error(r.error); }
      localStorage.removeItem(key(f)); // expired or gone: start afresh
    }
    var s = await post(startURL, head, fileHeaders(f));
    if (!s.ok) throw new Error(s.error);
    localStorage.setItem(key(f), s.token);
    return s;
  }

  async function upload(f) {
    var s = await session(f);
    var base = startURL + "/" + s.token;
    var off = s.received, tries = 0;
    bar.hidden = false;
    while (off < f.size) {
      bar.value = Math.floor(off * 100 / f.size);
      say("正在上传：" + mb(off) + " / " + mb(f.size) + "（" + bar.value + "%）");
      var chunk = f.slice(off, Math.min(f.size, off + s.chunk_size));
      var r;
      try {
        r = await post(base + "/chunk?offset=" + off, chunk, { "Content-Type": "application/octet-stream" });
      } catch (e) {
        // The connection dropped: wait, ask where to go on, go on.
        tries++;
        if (tries > 30) throw new Error("网络连接多次中断，上传已暂停；稍后重新选择同一个文件即可从中断处继续。");
        say("网络连接中断，" + Math.min(tries * 2, 10) + " 秒后自动续传…（已上传 " + mb(off) + "）");
        await sleep(Math.min(tries * 2000, 10000));
        var again = await post(base + "/resume", f.slice(0, Math.min(f.size, HEAD)), fileHeaders(f)).catch(function () { return null; });
        if (again && again.ok) off = again.received;
        continue;
      }
      tries = 0;
      if (r.ok) { off = r.received; continue; }
      if (r.status === 409 && typeof r.received === "number") { off = r.received; continue; }
      throw new Error(r.error || "上传失败");
    }
    bar.value = 100;
    say("上传完成，正在检查视频并生成封面…");
    var fd = new FormData(form);
    fd.delete("file");
    var done = await post(base + "/finish", fd);
    localStorage.removeItem(key(f));
    if (!done.ok) throw new Error(done.error);
    say("视频已保存。");
    location.href = done.url;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = document.getElementById("vu-file").files[0];
    if (!f) { say("请选择视频文件"); return; }
    go.disabled = true;
    restart.hidden = true;
    upload(f).catch(function (e) { say(e.message); go.disabled = false; });
  });
  restart.addEventListener("click", function () {
    var f = document.getElementById("vu-file").files[0];
    if (f) localStorage.removeItem(key(f));
    restart.hidden = true;
    say("已放弃中断的上传，请点击“开始上传”重新上传。");
  });
})();
