// The Files tab: the commit history, from the Hub's commits endpoint (list_repo_commits).
'use strict';

(function () {
  var page = window.spaceportPage;

  var commits = document.querySelector('[data-commits-of]');
  if (commits) {
    page.api('GET', '/api/spaces/' + commits.getAttribute('data-commits-of') + '/commits/main').then(
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

})();
