// The Files tab's editor, for writers only (loaded on that tab after app.js): create, upload (files,
// folders, drag and drop), edit and delete files, each one commit through the Hub's commit API.
'use strict';

(function () {
  var page = window.spaceportPage;
  var say = page.say;
  var commit = page.commit;
  var b64text = page.b64text;

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
})();
