// What changes on a page while it is open: stage badges from the stage stream, build progress on the
// App tab, and the live logs (the API's own SSE streams). Loaded on every page after app.js.
'use strict';

(function () {
  var api = window.spaceportPage.api;

  // ---- live stages: one stream for every badge on the page (gallery cards, Space header).
  var LABELS = {
    RUNNING: ['Running', 'ok'], RUNNING_BUILDING: ['Running', 'ok'], RUNNING_APP_STARTING: ['Running', 'ok'],
    BUILDING: ['Building', 'busy'], APP_STARTING: ['Starting', 'busy'], SLEEPING: ['Sleeping', 'idle'],
    PAUSED: ['Paused', 'idle'], NO_APP_FILE: ['No app file', 'idle'], BUILD_ERROR: ['Build error', 'bad'],
    CONFIG_ERROR: ['Config error', 'bad'], RUNTIME_ERROR: ['Runtime error', 'bad'],
  };
  var STATE_TEXT = {
    BUILDING: ['Building', 'The Space is being built. The app appears here when it runs.'],
    APP_STARTING: ['Starting', 'The app is starting.'],
    PAUSED: ['Paused', 'This Space has been paused by its owner. It does not wake up on visits until it is restarted.'],
    BUILD_ERROR: ['Build error', 'The last build failed.'],
    CONFIG_ERROR: ['Configuration error', 'The README front matter is not valid.'],
    RUNTIME_ERROR: ['Runtime error', 'The app stopped or never answered.'],
    NO_APP_FILE: ['No application file', 'Push an app to this Space to see it here.'],
  };
  var COLORS = ['red', 'yellow', 'green', 'blue', 'indigo', 'purple', 'pink', 'gray'];
  var SERVING = { RUNNING: 1, RUNNING_BUILDING: 1, RUNNING_APP_STARTING: 1, SLEEPING: 1 };

  function applyStage(id, stage, message) {
    document.querySelectorAll('[data-stage-of]').forEach(function (badge) {
      if (badge.getAttribute('data-stage-of') !== id || badge.getAttribute('data-stage') === stage) return;
      var l = LABELS[stage] || [stage.toLowerCase().replace(/_/g, ' '), 'idle'];
      badge.textContent = l[0];
      badge.className = 'badge ' + l[1];
      badge.setAttribute('data-stage', stage);
    });
    var head = document.querySelector('[data-space]');
    if (!head || head.getAttribute('data-space') !== id) return;
    // "Use via API" waiting for the app (asleep, starting): the description, once it runs.
    if (stage === 'RUNNING' && document.querySelector('[data-api-waiting]')) location.reload();
    var panel = document.querySelector('[data-state-panel]');
    var frame = document.querySelector('[data-app-frame]');
    if (!panel || !frame) return;
    var serving = !!SERVING[stage];
    var iframe = frame.querySelector('iframe');
    if (serving && head.getAttribute('data-head-stage') !== stage) {
      // A new release may bring a new title, emoji, colours and description (README front matter): read them from the API.
      api('GET', '/api/spaces/' + id).then(function (info) {
        var card = (info && info.cardData) || {};
        var title = document.querySelector('[data-space-title]');
        var emoji = document.querySelector('[data-space-emoji]');
        var desc = head.querySelector('[data-space-desc]');
        if (title && card.title) title.textContent = String(card.title);
        if (emoji && card.emoji) emoji.textContent = String(card.emoji);
        if (desc) {
          desc.textContent = card.short_description ? String(card.short_description) : '';
          desc.hidden = !card.short_description;
        }
        var cls = head.className.replace(/ ?(from|to)-[a-z]+/g, '');
        if (COLORS.indexOf(card.colorFrom) >= 0) cls += ' from-' + card.colorFrom;
        if (COLORS.indexOf(card.colorTo) >= 0) cls += ' to-' + card.colorTo;
        head.className = cls;
      }, function () {});
    }
    head.setAttribute('data-head-stage', stage);
    followProgress(id, stage);
    if (serving) {
      if (frame.hidden || !iframe.getAttribute('src')) iframe.setAttribute('src', iframe.getAttribute('data-src'));
      frame.hidden = false;
      panel.hidden = true;
    } else {
      var t = STATE_TEXT[stage] || [stage, ''];
      panel.querySelector('[data-state-title]').textContent = t[0];
      panel.querySelector('[data-state-text]').textContent = t[1];
      var err = panel.querySelector('[data-state-error]');
      if (err) {
        err.textContent = message || '';
        err.hidden = !message;
      }
      panel.className = 'state' + (/ERROR|NO_APP_FILE/.test(stage) ? ' bad' : '');
      panel.hidden = false;
      frame.hidden = true;
    }
  }

  // ---- build progress on the App tab (writers): the step and the last lines of the build or run log.
  var progress = null;
  function followProgress(id, stage) {
    var box = document.querySelector('[data-progress]');
    if (!box) return;
    var kind = stage === 'BUILDING' ? 'build' : stage === 'APP_STARTING' ? 'run' : null;
    if (progress && progress.kind === kind) return;
    if (progress) progress.src.close();
    progress = null;
    box.hidden = !kind;
    if (!kind) return;
    var pre = box.querySelector('[data-progress-log]');
    var step = box.querySelector('[data-progress-step]');
    var lines = [];
    var src = new EventSource('/api/spaces/' + id + '/logs/' + kind + '?follow=true&tail=15');
    progress = { kind: kind, src: src };
    src.onopen = function () {
      lines = [];
    };
    src.onmessage = function (ev) {
      var line;
      try {
        line = String(JSON.parse(ev.data).data).replace(/\n$/, '');
      } catch (e) {
        return;
      }
      var m = /(Step \d+\/\d+.*|\[\s*\d+\/\d+\].*)/.exec(line);
      if (m) step.textContent = m[1].slice(0, 160);
      lines.push(line);
      if (lines.length > 15) lines.shift();
      pre.textContent = lines.join('\n');
      pre.scrollTop = pre.scrollHeight;
    };
  }

  if (document.querySelector('[data-live-stages]') && window.EventSource) {
    // EventSource reconnects by itself after a drop; the server sends the current stages on every connect.
    var ids = [];
    document.querySelectorAll('[data-stage-of]').forEach(function (b) {
      var id = b.getAttribute('data-stage-of');
      if (ids.indexOf(id) < 0) ids.push(id);
    });
    var events = new EventSource('/api/spaces/events?ids=' + encodeURIComponent(ids.join(',')));
    events.addEventListener('stage', function (ev) {
      var d = JSON.parse(ev.data);
      applyStage(d.id, d.stage, d.message);
    });
  }

  // ---- live logs (the API's own SSE log streams); on reconnect the stream starts again, so start clean.
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
