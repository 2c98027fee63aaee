// A Space's page: what follows its stage there (the App tab's frame or state panel, build progress,
// a header refreshed from the new release's README, "Use via API" once the app runs).
'use strict';

(function () {
  var page = window.spaceportPage;
  var api = page.api;

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

  page.onStage.push(function (id, stage, message) {
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
  });

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
})();
