// The Logs tab: the API's own SSE log streams.
'use strict';

(function () {
  // On reconnect the stream starts again, so start clean.
  var logs = document.querySelector('[data-logs-of]');
  if (logs && window.EventSource) {
    var space = logs.getAttribute('data-logs-of');
    logs.querySelectorAll('[data-log]').forEach(function (pre) {
      var kind = pre.getAttribute('data-log');
      var src = new EventSource('/api/spaces/' + space + '/logs/' + kind + '?follow=true&tail=2000');
      // An empty box says nothing: the box shows once a line arrives, a sentence until then.
      var waiting = pre.previousElementSibling && pre.previousElementSibling.hasAttribute('data-log-empty') ? pre.previousElementSibling : null;
      src.onopen = function () {
        pre.textContent = '';
      };
      src.onmessage = function (ev) {
        if (!ev.data.trim()) return;
        var line;
        try {
          line = JSON.parse(ev.data).data;
        } catch (e) {
          return;
        }
        if (pre.hidden) {
          pre.hidden = false;
          if (waiting) waiting.hidden = true;
        }
        var stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        pre.appendChild(document.createTextNode(line.replace(/\n?$/, '\n')));
        if (stick) pre.scrollTop = pre.scrollHeight;
      };
    });
  }
})();
