// Commits through the Hub's commit API, for the pages that make them (/new-space, the Files tab's editor).
'use strict';

(function () {
  var page = window.spaceportPage;

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
    return page.api('POST', '/api/spaces/' + id + '/commit/main', lines.map(JSON.stringify).join('\n'), 'application/x-ndjson');
  }

  page.b64text = b64text;
  page.commit = commit;
})();
