// Stage badges (gallery cards, a Space's header) kept live from the stage stream; a page's own
// script (app-tab.js) hears each change through `onStage`.
'use strict';

(function () {
  var page = window.spaceportPage;
  page.onStage = [];

  var LABELS = {
    RUNNING: ['Running', 'ok'], RUNNING_BUILDING: ['Running', 'ok'], RUNNING_APP_STARTING: ['Running', 'ok'],
    BUILDING: ['Building', 'busy'], APP_STARTING: ['Starting', 'busy'], SLEEPING: ['Sleeping', 'idle'],
    PAUSED: ['Paused', 'idle'], NO_APP_FILE: ['No app file', 'idle'], BUILD_ERROR: ['Build error', 'bad'],
    CONFIG_ERROR: ['Config error', 'bad'], RUNTIME_ERROR: ['Runtime error', 'bad'],
  };

  function applyStage(id, stage, message) {
    document.querySelectorAll('[data-stage-of]').forEach(function (badge) {
      if (badge.getAttribute('data-stage-of') !== id || badge.getAttribute('data-stage') === stage) return;
      var l = LABELS[stage] || [stage.toLowerCase().replace(/_/g, ' '), 'idle'];
      badge.textContent = l[0];
      badge.className = 'badge ' + l[1];
      badge.setAttribute('data-stage', stage);
    });
    page.onStage.forEach(function (f) {
      f(id, stage, message);
    });
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
})();
