// /new-space: once the API made the Space (README, .gitattributes), the starter app is one more commit.
'use strict';

(function () {
  var page = window.spaceportPage;

  page.thens['new-space'] = function (form, data) {
    if (!data || !data.url) return;
    var to = new URL(data.url, location.href).pathname;
    var starters = JSON.parse((document.querySelector('[data-starters]') || {}).textContent || '{}');
    var files = form.elements._starter && form.elements._starter.checked ? starters[page.bodyOf(form).sdk] || {} : {};
    var ops = Object.keys(files).map(function (path) {
      return { path: path, content: page.b64text(files[path]) };
    });
    if (!ops.length) return location.assign(to);
    page.commit(to.replace(/^\/spaces\//, ''), 'Add a starter app', ops).then(
      function () {
        location.assign(to);
      },
      function (err) {
        page.say(form, 'The Space was created, but its starter app was not: ' + err.message, true);
      }
    );
  };
})();
