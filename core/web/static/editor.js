// The article editor of the editorial console: a small rich-text editor on
// contenteditable, served by the platform itself so that it works with no
// connection to anywhere else. Without JavaScript the form still works:
// the body is a plain textarea of HTML. The server sanitizes whatever
// arrives; the cleaning here is for the writer, so pasted Word text looks
// as it will be published.
(function () {
  "use strict";
  var form = document.getElementById("ed-form");
  var source = document.getElementById("ed-body");
  if (!form || !source) { return; }
  var csrf = form.getAttribute("data-csrf");
  var status = document.getElementById("ed-autosave-status");

  // Tags and attributes the editor keeps; everything else is unwrapped
  // (its text stays) or dropped (script, style, Office's own markup).
  var KEEP = { P: 1, H2: 1, H3: 1, H4: 1, STRONG: 1, B: 1, EM: 1, I: 1, U: 1, UL: 1, OL: 1, LI: 1, A: 1, TABLE: 1, THEAD: 1, TBODY: 1, TR: 1, TD: 1, TH: 1,
    BR: 1, IMG: 1, BLOCKQUOTE: 1, FIGURE: 1, FIGCAPTION: 1, CAPTION: 1, SUB: 1, SUP: 1 };
  var DROP = { SCRIPT: 1, STYLE: 1, META: 1, LINK: 1, TITLE: 1, XML: 1, OBJECT: 1, IFRAME: 1, svg: 1, SVG: 1 };
  var ATTRS = { A: ["href"], IMG: ["src", "alt"], TD: ["colspan", "rowspan"], TH: ["colspan", "rowspan"] };

  function clean(html) {
    // Word's conditional comments and namespaced tags (o:p, v:shape …).
    html = html.replace(/<!--[\s\S]*?-->/g, "").replace(/<\/?\w+:[^>]*>/g, "");
    var doc = new DOMParser().parseFromString(html, "text/html");
    cleanNode(doc.body);
    // Word leaves empty paragraphs between the real ones.
    var ps = doc.body.querySelectorAll("p");
    for (var i = 0; i < ps.length; i++) {
      if (!ps[i].textContent.replace(/[\s\u00a0]/g, "") && !ps[i].querySelector("img")) { ps[i].remove(); }
    }
    return doc.body.innerHTML;
  }

  function cleanNode(node) {
    var kids = Array.prototype.slice.call(node.childNodes);
    for (var i = 0; i < kids.length; i++) {
      var c = kids[i];
      if (c.nodeType === 8) { c.remove(); continue; }
      if (c.nodeType !== 1) { continue; }
      var tag = c.tagName.toUpperCase();
      if (DROP[tag]) { c.remove(); continue; }
      cleanNode(c);
      if (tag === "DIV") { // a div from Word or a web page is a paragraph
        var p = c.ownerDocument.createElement("p");
        while (c.firstChild) { p.appendChild(c.firstChild); }
        c.replaceWith(p);
        c = p;
        tag = "P";
      }
      if (tag === "H1") { tag = "H2"; var h = c.ownerDocument.createElement("h2"); while (c.firstChild) { h.appendChild(c.firstChild); } c.replaceWith(h); c = h; }
      if (!KEEP[tag]) {
        while (c.firstChild) { c.parentNode.insertBefore(c.firstChild, c); }
        c.remove();
        continue;
      }
      var align = (c.getAttribute("align") || (c.style && c.style.textAlign) ||
        (/\balign-(left|right|center|justify)\b/.exec(c.className || "") || [])[1] || "").toLowerCase();
      var keep = ATTRS[tag] || [];
      for (var j = c.attributes.length - 1; j >= 0; j--) {
        var name = c.attributes[j].name;
        if (keep.indexOf(name) < 0) { c.removeAttribute(name); }
      }
      if (tag === "A" && /^\s*javascript:/i.test(c.getAttribute("href") || "")) { c.removeAttribute("href"); }
      if ((tag === "P" || tag === "TD" || tag === "TH") && /^(center|right|justify)$/.test(align)) {
        c.className = "align-" + align; // the page's policy refuses inline styles
      }
    }
  }

  // The editor replaces the textarea; the textarea stays the form field.
  var editor = document.createElement("div");
  editor.className = "ed-editor";
  editor.contentEditable = "true";
  editor.setAttribute("role", "textbox");
  editor.setAttribute("aria-multiline", "true");
  editor.setAttribute("aria-labelledby", "ed-body-label");
  editor.id = "ed-editor";
  editor.innerHTML = source.value;
  var toolbar = document.createElement("div");
  toolbar.className = "ed-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "正文格式");
  toolbar.setAttribute("aria-controls", "ed-editor");
  source.parentNode.insertBefore(toolbar, source);
  source.parentNode.insertBefore(editor, source);
  source.hidden = true;
  var label = document.getElementById("ed-body-label");
  if (label) { label.setAttribute("for", "ed-editor"); }

  var dirty = false;
  function sync() {
    var copy = editor.cloneNode(true);
    var marks = copy.querySelectorAll("mark.ed-mark");
    for (var i = 0; i < marks.length; i++) {
      while (marks[i].firstChild) { marks[i].parentNode.insertBefore(marks[i].firstChild, marks[i]); }
      marks[i].remove();
    }
    source.value = copy.innerHTML;
  }

  var buttons = [
    ["段落", function () { document.execCommand("formatBlock", false, "p"); }],
    ["标题", function () { document.execCommand("formatBlock", false, "h3"); }],
    ["加粗", function () { document.execCommand("bold"); }],
    ["斜体", function () { document.execCommand("italic"); }],
    ["项目列表", function () { document.execCommand("insertUnorderedList"); }],
    ["编号列表", function () { document.execCommand("insertOrderedList"); }],
    ["居中", function () { document.execCommand("justifyCenter"); }],
    ["链接", function () {
      var u = window.prompt("链接地址（http://、https:// 或 / 开头）", "https://");
      if (u && /^(https?:\/\/|\/)/.test(u)) { document.execCommand("createLink", false, u); }
    }],
    ["取消链接", function () { document.execCommand("unlink"); }],
    ["上传图片或附件", function () { file.click(); }],
    ["HTML 源码", function () {
      sync();
      source.hidden = !source.hidden;
      editor.hidden = !source.hidden;
      if (editor.hidden) { source.focus(); } else { editor.innerHTML = source.value; editor.focus(); }
    }]
  ];
  buttons.forEach(function (b) {
    var el = document.createElement("button");
    el.type = "button";
    el.textContent = b[0];
    el.addEventListener("click", function () { editor.focus(); b[1](); sync(); dirty = true; });
    toolbar.appendChild(el);
  });

  var file = document.createElement("input");
  file.type = "file";
  file.hidden = true;
  file.accept = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.wps,.et";
  toolbar.appendChild(file);
  file.addEventListener("change", function () {
    if (!file.files.length) { return; }
    var fd = new FormData();
    fd.append("file", file.files[0]);
    say("正在上传……");
    post(form.getAttribute("data-upload"), fd).then(function (r) {
      if (!r.ok) { say(r.error || "上传失败"); return; }
      editor.focus();
      if (r.image) {
        document.execCommand("insertHTML", false, '<img src="' + attr(r.url) + '" alt="' + attr(r.name) + '">');
      } else {
        document.execCommand("insertHTML", false, '<a href="' + attr(r.url) + '">' + text(r.name) + "</a>");
      }
      sync();
      dirty = true;
      say("已上传：" + r.name);
    });
    file.value = "";
  });

  function attr(s) { return String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;"); }
  function text(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;"); }
  function say(msg) { if (status) { status.textContent = msg; } }

  editor.addEventListener("paste", function (ev) {
    var dt = ev.clipboardData;
    if (!dt) { return; }
    var html = dt.getData("text/html");
    ev.preventDefault();
    if (html) {
      document.execCommand("insertHTML", false, clean(html));
    } else {
      var plain = dt.getData("text/plain").split(/\r?\n/).filter(function (l) { return l.trim(); });
      document.execCommand("insertHTML", false, plain.map(function (l) { return "<p>" + text(l) + "</p>"; }).join(""));
    }
    sync();
    dirty = true;
  });
  editor.addEventListener("input", function () { sync(); dirty = true; });
  source.addEventListener("input", function () { dirty = true; });
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { if (!editor.hidden) { sync(); } });

  function post(url, fd) {
    return fetch(url, { method: "POST", body: fd, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } })
      .then(function (res) { return res.json(); })
      .catch(function () { return { ok: false, error: "网络连接失败，稍后会再试" }; });
  }

  // Autosave: every 30 seconds while something changed. A new article's
  // first autosave creates it; the form then edits that article.
  setInterval(function () {
    if (!dirty) { return; }
    dirty = false;
    if (!editor.hidden) { sync(); }
    var fd = new FormData(form);
    fd.set("op", "autosave");
    post(form.getAttribute("data-autosave"), fd).then(function (r) {
      if (!r.ok) { dirty = true; say("自动保存未成功：" + (r.error || "")); return; }
      if (r.edit) {
        form.action = r.edit;
        form.setAttribute("data-autosave", r.autosave);
        if (window.history && history.replaceState) { history.replaceState(null, "", r.edit); }
      }
      say("已自动保存（第 " + r.version + " 版，" + r.at + "）");
    });
  }, 30000);

  // Check results: list them and mark each place in the editor.
  function mark(hits) {
    var old = editor.querySelectorAll("mark.ed-mark");
    for (var i = 0; i < old.length; i++) {
      while (old[i].firstChild) { old[i].parentNode.insertBefore(old[i].firstChild, old[i]); }
      old[i].remove();
    }
    editor.normalize();
    var fields = { title: "ed-title", subtitle: "ed-subtitle", summary: "ed-summary", source: "ed-source", author: "ed-author" };
    ["ed-title", "ed-subtitle", "ed-summary", "ed-source", "ed-author"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.removeAttribute("aria-invalid"); }
    });
    hits.forEach(function (h) {
      if (h.field !== "body") {
        var el = document.getElementById(fields[h.field]);
        if (el) { el.setAttribute("aria-invalid", "true"); }
        return;
      }
      if (!h.text) { return; }
      markNth(h.text, h.occurrence, h.message);
    });
  }

  function markNth(word, nth, title) {
    var walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
    var seen = 0;
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      var at = n.data.indexOf(word);
      while (at >= 0) {
        if (seen === nth) {
          var r = document.createRange();
          r.setStart(n, at);
          r.setEnd(n, at + word.length);
          var m = document.createElement("mark");
          m.className = "ed-mark";
          m.title = title;
          r.surroundContents(m);
          return;
        }
        seen++;
        at = n.data.indexOf(word, at + 1);
      }
    }
  }

  var result = document.getElementById("ed-check-result");
  var checkBtn = document.getElementById("ed-check-btn");
  if (checkBtn) {
    checkBtn.addEventListener("click", function () {
      if (!editor.hidden) { sync(); }
      say("正在检查……");
      post(form.getAttribute("data-check"), new FormData(form)).then(function (r) {
        if (!r.ok) { say(r.error || "检查未完成"); return; }
        result.innerHTML = "";
        var h = document.createElement("h2");
        h.textContent = r.hits.length ? "检查发现 " + r.hits.length + " 处问题" + (r.blocked ? "（有必须修改的问题）" : "") : "检查通过，未发现问题";
        result.appendChild(h);
        var ol = document.createElement("ol");
        r.hits.forEach(function (x) {
          var li = document.createElement("li");
          li.className = "ed-hit ed-hit-" + x.level;
          li.textContent = (x.level === "block" ? "必须修改：" : "请核对：") + x.fieldLabel + "第 " + (x.offset + 1) + " 字处，" + x.message + (x.context ? "　" + x.context : "");
          ol.appendChild(li);
        });
        result.appendChild(ol);
        mark(r.hits);
        say("");
      });
    });
  }
  var shown = document.querySelector(".ed-hits[data-hits]");
  if (shown) {
    try { mark(JSON.parse(shown.getAttribute("data-hits"))); } catch (e) { /* the list above still shows them */ }
  }
  window.yiwangEditor = { clean: clean, sync: sync };
})();
