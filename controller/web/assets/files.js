// The Files tab's editor, for writers only (bundled after app.js and commit.js where the page holds it): create, upload (files,
// folders, drag and drop), edit and delete files, each one commit through the Hub's commit API.
'use strict';

(function () {
  var page = window.spaceportPage;
  var say = page.say;
  var commit = page.commit;
  var b64text = page.b64text;

  var api = page.api;
  var LFS_JSON = 'application/vnd.git-lfs+json';

  var picked = [];
  function bytesOf(file, end) {
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () { resolve(new Uint8Array(r.result)); };
      r.onerror = reject;
      r.readAsArrayBuffer(end === undefined ? file : file.slice(0, end));
    });
  }
  function b64bytes(bytes) {
    var bin = '';
    for (var i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }
  // The signed transfer URLs name the hub's public address: the same server answers them on this page's origin.
  function here(href) {
    var u = new URL(href, location.href);
    return u.pathname + u.search;
  }
  function lfsCall(method, url, body, type) {
    return fetch(url, { method: method, credentials: 'same-origin', headers: { Accept: LFS_JSON, 'Content-Type': type || LFS_JSON, 'X-CSRF-Token': page.csrf }, body: body }).then(function (res) {
      if (!res.ok) return res.text().then(function (t) { throw new Error(res.headers.get('X-Error-Message') || t || res.status + ' ' + res.statusText); });
      return res;
    });
  }
  // A large or binary file goes through Git LFS as huggingface_hub sends it: its sha256, the batch API,
  // the upload to the URL it hands out, the verify call; the commit then carries only the pointer.
  function lfsUpload(id, file) {
    if (!window.crypto || !crypto.subtle) return Promise.reject(new Error('Large files need this page on HTTPS (or localhost) to be hashed; push them with git lfs or huggingface_hub.'));
    return bytesOf(file).then(function (bytes) {
      return crypto.subtle.digest('SHA-256', bytes);
    }).then(function (digest) {
      var oid = Array.prototype.map.call(new Uint8Array(digest), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
      var obj = { oid: oid, size: file.size };
      var batch = JSON.stringify({ operation: 'upload', transfers: ['basic'], objects: [obj], hash_algo: 'sha256' });
      return lfsCall('POST', '/spaces/' + id + '.git/info/lfs/objects/batch', batch).then(function (res) { return res.json(); }).then(function (answer) {
        var o = answer.objects[0];
        if (o.error) throw new Error(o.error.message);
        var a = o.actions;
        if (!a || !a.upload) return obj; // already stored
        return lfsCall('PUT', here(a.upload.href), file, 'application/octet-stream').then(function () {
          return a.verify ? lfsCall('POST', here(a.verify.href), JSON.stringify(obj)) : null;
        }).then(function () { return obj; });
      });
    });
  }
  // Every upload: preupload says per file whether it is a regular blob or an LFS object (size, .gitattributes, binary).
  function uploadOps(id, list) {
    return Promise.all(list.map(function (p) {
      return bytesOf(p.file, 512).then(function (head) { return { path: p.path, size: p.file.size, sample: b64bytes(head) }; });
    })).then(function (files) {
      return api('POST', '/api/spaces/' + id + '/preupload/main', { files: files });
    }).then(function (answer) {
      var modes = {};
      answer.files.forEach(function (f) { modes[f.path] = f.uploadMode; });
      return Promise.all(list.map(function (p) {
        if (modes[p.path] === 'lfs') return lfsUpload(id, p.file).then(function (obj) { return { path: p.path, lfs: obj }; });
        return readFile(p.file).then(function (content) { return { path: p.path, content: content }; });
      }));
    });
  }
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
        // No entries (files dropped by a script): the file list.
        if (!out.length) Array.prototype.forEach.call(ev.dataTransfer.files || [], function (f) { out.push({ path: f.name, file: f }); });
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
      ops = uploadOps(id, picked.map(function (p) { return { path: (dir ? dir + '/' : '') + p.path, file: p.file }; }));
    } else {
      path = path || form.elements.path.value.trim();
      ops = Promise.resolve([{ path: path, content: b64text(form.elements.content.value) }]);
    }
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    ops.then(function (list) { return commit(id, summary, list); }).then(
      function () {
        // An upload lands in the folder it went into, as on the Hub.
        var tree = '/spaces/' + id + '/tree/main';
        location.assign(kind === 'delete' ? tree : kind === 'upload' ? tree + (dir ? '/' + dir : '') : '/spaces/' + id + '/blob/main/' + path);
      },
      function (err) {
        button.disabled = false;
        say(form, err.message, true);
      }
    );
  });
})();
