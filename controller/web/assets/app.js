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
    // data-join="repository:owner,name": two fields sent as one `owner/name` (Duplicate's picker).
    var join = form.getAttribute('data-join');
    if (join && any) {
      var parts = join.split(':')[1].split(',');
      body[join.split(':')[0]] = parts.map(function (k) { return body[k]; }).join('/');
      parts.forEach(function (k) { delete body[k]; });
    }
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
    } else if (then.indexOf('goto-name:') === 0 && data && data.name) {
      location.assign(then.slice(10) + encodeURIComponent(data.name));
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
        if (o.deleted) return { key: 'deletedFile', value: { path: o.path } };
        if (o.lfs) return { key: 'lfsFile', value: { path: o.path, algo: 'sha256', oid: o.lfs.oid, size: o.lfs.size } };
        return { key: 'file', value: { path: o.path, encoding: 'base64', content: o.content } };
      })
    );
    return api('POST', '/api/spaces/' + id + '/commit/main', lines.map(JSON.stringify).join('\n'), 'application/x-ndjson');
  }

  // The Files tab's editor (files.js, on that tab for writers only) calls these.
  window.spaceportPage = { api: api, say: say, commit: commit, b64text: b64text, csrf: csrf };

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
    var ask = form.getAttribute('data-ask');
    if (ask !== null && !window.confirm(ask)) return;
    // `{_field}` in the URL: that field's value (a member's user name), path-encoded.
    spec = spec.replace(/\{(_[a-z]+)\}/g, function (_m, name) {
      return encodeURIComponent(form.elements[name] ? form.elements[name].value.trim() : '');
    });
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

  // ---- gallery filters: a list choice applies at once.
  document.addEventListener('change', function (ev) {
    var form = ev.target.form;
    if (ev.target.tagName === 'SELECT' && form && form.classList.contains('filters')) form.requestSubmit();
  });

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
