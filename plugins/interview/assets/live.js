// The live page of an interview: new answers appear as they are posted,
// through the platform's event stream (Server-Sent Events), and the TV
// station's HLS video plays with hls.js where the browser has no HLS of
// its own. Without JavaScript the page refreshes itself every 30 seconds
// instead (a <noscript> refresh), so this script only adds.
(function () {
  'use strict';
  var root = document.getElementById('iv-live');
  if (!root) { return; }
  var video = document.getElementById('iv-video');
  if (video) {
    var src = video.getAttribute('data-src');
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src;
    } else if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ enableWorker: false });
      hls.loadSource(src);
      hls.attachMedia(video);
    }
  }
  if (root.getAttribute('data-phase') !== 'live' || !window.EventSource) { return; }
  var list = document.getElementById('iv-answers');
  var status = document.getElementById('iv-status');
  var say = function (text) { if (status) { status.textContent = text; } };
  var es = new EventSource(root.getAttribute('data-events'));
  es.addEventListener('answer', function (e) {
    var d = JSON.parse(e.data);
    if (document.getElementById('a' + d.id)) { return; } // already on the page
    var empty = document.getElementById('iv-empty');
    if (empty) { empty.parentNode.removeChild(empty); }
    list.insertAdjacentHTML('beforeend', d.html);
    list.setAttribute('data-last', e.lastEventId);
  });
  es.addEventListener('state', function (e) {
    var d = JSON.parse(e.data);
    say(d.message);
    if (d.phase !== 'live') {
      es.close();
      var ask = document.getElementById('iv-ask');
      if (ask) { ask.hidden = true; }
    }
  });
  es.addEventListener('status', function (e) { say(JSON.parse(e.data).message); });
  es.onerror = function () {
    if (es.readyState === EventSource.CLOSED) { say('与服务器的连接已断开，请刷新页面。'); }
  };
})();
