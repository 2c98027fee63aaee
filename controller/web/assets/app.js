// Spaceport's pages: the little script they need. No framework, no build step, nothing fetched
// from elsewhere. Every action is a call to the same HTTP API clients use, with the session's
// CSRF token in X-CSRF-Token.
'use strict';

(function () {
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';

  // `type`: send `body` as is with that Content-Type (the commit API's ndjson); otherwise JSON.
  function api(method, url, body, type) {
    var headers = { Accept: 'application/json', 'X-CSRF-Token': csrf };
    if (body !== undefined) headers['Content-Type'] = type || 'application/json';
    return fetch(url, {
      method: method,
      headers: headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : type ? body : JSON.stringify(body),
    }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch (e) {
          data = text;
        }
        if (!res.ok) {
          var message = (data && data.error) || res.headers.get('X-Error-Message') || res.status + ' ' + res.statusText;
          var err = new Error(message);
          err.status = res.status;
          throw err;
        }
        return data;
      });
    });
  }

  // A form's outcome is said next to it (a status line right after the form), not at the top of the page.
  function resultArea(form) {
    var next = form.nextElementSibling;
    if (next && next.hasAttribute('data-form-result')) return next;
    var p = document.createElement('p');
    p.setAttribute('data-form-result', '');
    p.setAttribute('role', 'status');
    p.className = 'result';
    form.parentNode.insertBefore(p, form.nextSibling);
    return p;
  }

  function say(form, text, bad) {
    var area = resultArea(form);
    area.textContent = text;
    area.className = 'result' + (bad ? ' error' : ' ok');
    if (area.scrollIntoView) area.scrollIntoView({ block: 'nearest' });
  }

  // A message that survives the reload an action ends with, shown next to the form that asked for it.
  var flash = sessionStorage.getItem('spaceport-flash');
  if (flash) {
    sessionStorage.removeItem('spaceport-flash');
    var flashForm = null;
    document.querySelectorAll('form[data-api]').forEach(function (f) {
      if (!flashForm && f.getAttribute('data-api') === flash) flashForm = f;
    });
    if (flashForm) say(flashForm, 'Done.', false);
  }

  function bodyOf(form) {
    var body = {};
    var any = false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.charAt(0) === '_' || el.disabled) return;
      if ((el.type === 'radio' || el.type === 'checkbox') && !el.checked) return;
      var value = el.value;
      if (el.hasAttribute('data-optional') && value === '') return;
      var type = el.getAttribute('data-type');
      if (type === 'int') value = parseInt(value, 10);
      else if (type === 'bool') value = value === 'true';
      body[el.name] = value;
      any = true;
    });
    return any ? body : undefined;
  }

  function after(form, data, button) {
    var then = form.getAttribute('data-then') || 'reload';
    if (then === 'reload') {
      sessionStorage.setItem('spaceport-flash', form.getAttribute('data-api'));
      location.reload();
    } else if (then.indexOf('goto:') === 0) {
      location.assign(then.slice(5));
    } else if (then === 'new-space' && data && data.url) {
      // The API made the initial commit (README, .gitattributes); the starter app is one more commit.
      var to = new URL(data.url, location.href).pathname;
      var starters = JSON.parse((document.querySelector('[data-starters]') || {}).textContent || '{}');
      var files = form.elements._starter && form.elements._starter.checked ? starters[bodyOf(form).sdk] || {} : {};
      var ops = Object.keys(files).map(function (path) {
        return { path: path, content: b64text(files[path]) };
      });
      if (!ops.length) return location.assign(to);
      commit(to.replace(/^\/spaces\//, ''), 'Add a starter app', ops).then(
        function () {
          location.assign(to);
        },
        function (err) {
          say(form, 'The Space was created, but its starter app was not: ' + err.message, true);
        }
      );
    } else if (then === 'goto-response-url' && data && data.url) {
      location.assign(new URL(data.url, location.href).pathname);
    } else if (then === 'show-token' && data && data.token) {
      var box = document.querySelector('[data-new-token]');
      box.hidden = false;
      var input = box.querySelector('[data-new-token-value]');
      input.value = data.token;
      input.focus();
      input.select();
      form.reset();
      if (button) button.disabled = false;
      loadTokens();
    } else {
      form.reset();
      if (button) button.disabled = false;
      say(form, 'Done.', false);
    }
  }

  function b64text(text) {
    var bytes = new TextEncoder().encode(text);
    var bin = '';
    for (var i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }

  // One commit through the Hub's commit API (ndjson, as huggingface_hub's create_commit sends it).
  function commit(id, summary, ops) {
    var lines = [{ key: 'header', value: { summary: summary, description: '' } }].concat(
      ops.map(function (o) {
        return o.deleted ? { key: 'deletedFile', value: { path: o.path } } : { key: 'file', value: { path: o.path, encoding: 'base64', content: o.content } };
      })
    );
    return api('POST', '/api/spaces/' + id + '/commit/main', lines.map(JSON.stringify).join('\n'), 'application/x-ndjson');
  }

  // ---- Files tab (writers): create, upload (files, folders, drag and drop), edit, delete; each one commit.
  var picked = [];
  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () {
        resolve(String(r.result).replace(/^[^,]*,/, ''));
      };
      r.onerror = reject;
      r.readAsDataURL(file);
    });
  }
  function showPicked(form) {
    var list = form.querySelector('[data-upload-list]');
    list.textContent = picked.length ? picked.map(function (p) { return p.path; }).join(', ') : 'No files chosen.';
  }
  function entryFiles(entry, prefix, out) {
    if (entry.isFile) return new Promise(function (res) { entry.file(function (f) { out.push({ path: prefix + f.name, file: f }); res(); }, res); });
    var reader = entry.createReader();
    return new Promise(function (res) {
      var all = [];
      (function more() {
        reader.readEntries(function (batch) {
          if (!batch.length) return Promise.all(all.map(function (e) { return entryFiles(e, prefix + entry.name + '/', out); })).then(res);
          all = all.concat(Array.prototype.slice.call(batch));
          more();
        }, res);
      })();
    });
  }
  document.querySelectorAll('[data-drop]').forEach(function (form) {
    form.addEventListener('change', function (ev) {
      if (ev.target.type !== 'file') return;
      Array.prototype.forEach.call(ev.target.files, function (f) {
        picked.push({ path: f.webkitRelativePath || f.name, file: f });
      });
      showPicked(form);
    });
    form.addEventListener('dragover', function (ev) {
      ev.preventDefault();
      form.classList.add('over');
    });
    form.addEventListener('dragleave', function () {
      form.classList.remove('over');
    });
    form.addEventListener('drop', function (ev) {
      ev.preventDefault();
      form.classList.remove('over');
      var out = [];
      var items = Array.prototype.slice.call(ev.dataTransfer.items || []);
      Promise.all(items.map(function (it) {
        var e = it.webkitGetAsEntry && it.webkitGetAsEntry();
        return e ? entryFiles(e, '', out) : null;
      })).then(function () {
        picked = picked.concat(out);
        showPicked(form);
      });
    });
  });

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    var kind = form.getAttribute('data-commit');
    if (!kind) return;
    ev.preventDefault();
    var id = form.closest('[data-files-of]').getAttribute('data-files-of');
    var path = form.getAttribute('data-path');
    var summary = form.elements.summary.value.trim() || form.elements.summary.placeholder;
    var ops;
    if (kind === 'delete') {
      if (!window.confirm('Delete ' + path + '? This makes a commit.')) return;
      ops = Promise.resolve([{ path: path, deleted: true }]);
    } else if (kind === 'upload') {
      if (!picked.length) return say(form, 'Choose or drop files first.', true);
      var dir = form.elements.dir.value.replace(/^\/+|\/+$/g, '');
      ops = Promise.all(picked.map(function (p) {
        return readFile(p.file).then(function (content) { return { path: (dir ? dir + '/' : '') + p.path, content: content }; });
      }));
    } else {
      path = path || form.elements.path.value.trim();
      ops = Promise.resolve([{ path: path, content: b64text(form.elements.content.value) }]);
    }
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    ops.then(function (list) { return commit(id, summary, list); }).then(
      function () {
        location.assign(kind === 'delete' || kind === 'upload' ? '/spaces/' + id + '/tree/main' : '/spaces/' + id + '/blob/main/' + path);
      },
      function (err) {
        button.disabled = false;
        say(form, err.message, true);
      }
    );
  });

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    var spec = form.getAttribute('data-api');
    if (!spec) return;
    ev.preventDefault();
    var confirmWith = form.getAttribute('data-confirm');
    if (confirmWith !== null) {
      var typed = form.querySelector('[name="_confirm"]');
      if (!typed || typed.value !== confirmWith) {
        say(form, 'Type ' + confirmWith + ' exactly to confirm.', true);
        return;
      }
    }
    var i = spec.indexOf(' ');
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    api(spec.slice(0, i), spec.slice(i + 1), bodyOf(form)).then(
      function (data) {
        after(form, data, button);
      },
      function (err) {
        say(form, err.message, true);
        if (button) button.disabled = false;
      }
    );
  });

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

  // ---- copy buttons (Embed, Clone): the snippet named by data-copy.
  document.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('[data-copy]');
    if (!b) return;
    var field = document.getElementById(b.getAttribute('data-copy'));
    navigator.clipboard.writeText(field.value).then(function () {
      b.textContent = 'Copied';
    }, function () {
      field.select();
    });
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

  // ---- Files tab: the commit history, from the Hub's commits endpoint (list_repo_commits).
  var commits = document.querySelector('[data-commits-of]');
  if (commits) {
    api('GET', '/api/spaces/' + commits.getAttribute('data-commits-of') + '/commits/main').then(
      function (list) {
        commits.textContent = '';
        (list || []).slice(0, 50).forEach(function (c) {
          var li = document.createElement('li');
          var title = document.createElement('span');
          title.textContent = c.title || (c.message || '').split('\n')[0];
          var meta = document.createElement('span');
          meta.className = 'hint';
          var who = c.authors && c.authors[0] ? c.authors[0].user || c.authors[0].name || '' : '';
          meta.textContent = ' ' + String(c.id || '').slice(0, 7) + (who ? ' · ' + who : '') + (c.date ? ' · ' + String(c.date).slice(0, 10) : '');
          li.appendChild(title);
          li.appendChild(meta);
          commits.appendChild(li);
        });
        if (!commits.children.length) commits.innerHTML = '<li class="empty">No commits yet.</li>';
      },
      function (err) {
        commits.innerHTML = '<li class="empty"></li>';
        commits.firstChild.textContent = 'History is not available: ' + err.message;
      }
    );
  }

  // ---- /new-space: organizations the user may create in (whoami-v2's orgs).
  var ownerSelect = document.querySelector('[data-owner-select]');
  if (ownerSelect) {
    api('GET', '/api/whoami-v2').then(function (me) {
      (me.orgs || []).forEach(function (org) {
        if (org.roleInOrg && org.roleInOrg !== 'admin' && org.roleInOrg !== 'write') return;
        var o = document.createElement('option');
        o.value = org.name;
        o.textContent = org.name;
        ownerSelect.appendChild(o);
      });
    }, function () {});
  }

  // ---- /settings/tokens: list and revoke through the API.
  function loadTokens(then) {
    var list = document.querySelector('[data-token-list]');
    if (!list) return;
    api('GET', '/api/settings/tokens').then(
      function (tokens) {
        list.textContent = '';
        if (!tokens || !tokens.length) {
          list.innerHTML = '<p class="empty">No tokens.</p>';
          if (then) then();
          return;
        }
        var ul = document.createElement('ul');
        ul.className = 'plain tokens';
        tokens.forEach(function (t) {
          var li = document.createElement('li');
          var label = document.createElement('span');
          label.textContent = t.displayName + ' (' + t.role + ')' + (t.createdAt ? ' · created ' + t.createdAt.slice(0, 10) : '');
          var b = document.createElement('button');
          b.type = 'button';
          b.textContent = 'Revoke';
          b.setAttribute('aria-label', 'Revoke token ' + t.displayName);
          b.addEventListener('click', function () {
            if (!window.confirm('Revoke the token ' + t.displayName + '? Programs using it stop working.')) return;
            b.disabled = true;
            api('DELETE', '/api/settings/tokens/' + encodeURIComponent(t.id)).then(
              function () {
                // Keep keyboard users where they were: focus goes to the list's heading, not the top of the page.
                loadTokens(function () {
                  var next = list.querySelector('button') || document.querySelector('[data-token-heading]');
                  if (next) next.focus();
                });
              },
              function (err) {
                b.disabled = false;
                list.setAttribute('data-error', err.message);
                alert(err.message);
              }
            );
          });
          li.appendChild(label);
          li.appendChild(b);
          ul.appendChild(li);
        });
        list.appendChild(ul);
        if (then) then();
      },
      function (err) {
        list.textContent = 'Could not list tokens: ' + err.message;
      }
    );
  }
  loadTokens();
})();
