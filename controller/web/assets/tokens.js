// /settings/tokens: list and revoke through the API; a new token is shown once.
'use strict';

(function () {
  var page = window.spaceportPage;
  var api = page.api;

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

  page.thens['show-token'] = function (form, data, button) {
    if (!data || !data.token) return;
    var box = document.querySelector('[data-new-token]');
    box.hidden = false;
    var input = box.querySelector('[data-new-token-value]');
    input.value = data.token;
    input.focus();
    input.select();
    form.reset();
    if (button) button.disabled = false;
    loadTokens();
  };
})();
