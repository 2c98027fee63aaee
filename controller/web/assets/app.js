// Spaceport's pages: the script every page loads (forms, copy buttons, the gallery's filters). No
// framework, nothing fetched from elsewhere; a page's own features are small scripts of their own,
// bundled after this one by what the page holds (page-scripts.ts). Every action is a call to the same
// HTTP API clients use, with the session's CSRF token in X-CSRF-Token.
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

  // What a form does once the API answered (`data-then`); a page's own script adds to `thens`.
  var thens = {};
  function after(form, data, button) {
    var then = form.getAttribute('data-then') || 'reload';
    if (thens[then]) {
      thens[then](form, data, button);
    } else if (then === 'reload') {
      sessionStorage.setItem('spaceport-flash', form.getAttribute('data-api'));
      location.reload();
    } else if (then.indexOf('goto:') === 0) {
      location.assign(then.slice(5));
    } else if (then.indexOf('goto-name:') === 0 && data && data.name) {
      location.assign(then.slice(10) + encodeURIComponent(data.name));
    } else if (then === 'goto-response-url' && data && data.url) {
      location.assign(new URL(data.url, location.href).pathname);
    } else {
      form.reset();
      if (button) button.disabled = false;
      say(form, 'Done.', false);
    }
  }

  // The page's other scripts (page-scripts.ts picks them by what the page holds) use these.
  window.spaceportPage = { api: api, say: say, bodyOf: bodyOf, csrf: csrf, thens: thens };

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

})();
