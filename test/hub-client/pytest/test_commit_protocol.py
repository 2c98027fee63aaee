"""The upload and download protocol under the client: preupload modes, parentCommit, the ndjson payload,
resolve headers and ranges, Git LFS through the client's own LFS code, bad input and permissions."""
import base64
import hashlib
import json
import os

import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete
from huggingface_hub.errors import BadRequestError, HfHubHTTPError
from huggingface_hub.lfs import post_lfs_batch_info
from huggingface_hub.utils._runtime import is_xet_available

from conftest import new_space_id, raw_request


@pytest.fixture(scope="module")
def repo(api, owner):
    repo_id = new_space_id(owner, "proto")
    api.create_repo(repo_id, repo_type="space", space_sdk="static")
    api.upload_file(path_or_fileobj=b"---\nsdk: static\n---\n", path_in_repo="README.md", repo_id=repo_id, repo_type="space")
    api.upload_file(path_or_fileobj=b"<h1>hello</h1>\n", path_in_repo="index.html", repo_id=repo_id, repo_type="space")
    yield repo_id
    api.delete_repo(repo_id, repo_type="space", missing_ok=True)


def preupload(endpoint, token, repo, files, user_agent):
    body = json.dumps({"files": [{"path": p, "sample": base64.b64encode(c[:512]).decode(), "size": len(c)} for p, c in files]}).encode()
    status, _, out = raw_request(endpoint, "POST", f"/api/spaces/{repo}/preupload/main", token, body, {"Content-Type": "application/json", "User-Agent": user_agent})
    assert status == 200, out
    return {f["path"]: f for f in json.loads(out)["files"]}


def test_preupload_modes(endpoint, token, repo):
    files = [("small.txt", b"text\n"), ("weights.bin", b"\x00\x01binary"), ("big.txt", b"a" * (11 * 1024 * 1024)), ("index.html", b"<h1>hello</h1>\n")]
    # A client without Xet (git-lfs, huggingface.js, huggingface_hub < 0.32): LFS for binary and large files, as the Hub.
    modes = preupload(endpoint, token, repo, files, "huggingface.js/2.0")
    assert {p: f["uploadMode"] for p, f in modes.items()} == {"small.txt": "regular", "weights.bin": "lfs", "big.txt": "lfs", "index.html": "regular"}
    assert modes["index.html"]["oid"] == hashlib.sha1(b"blob 15\x00<h1>hello</h1>\n").hexdigest()
    assert all(f["shouldIgnore"] is False for f in modes.values())
    # huggingface_hub >= 0.32 sends LFS files through Xet when hf_xet imports; Spaceport has no Xet: all regular.
    modes = preupload(endpoint, token, repo, files, "unknown/None; hf_hub/2.4.0; python/3.11")
    assert {f["uploadMode"] for f in modes.values()} == {"regular"}
    # Past the inline limit (one ndjson line), the Hub's answer; a Xet client is told how to send it.
    body = json.dumps({"files": [{"path": "huge.bin", "sample": "", "size": 300 * 1024 * 1024}]}).encode()
    status, _, out = raw_request(endpoint, "POST", f"/api/spaces/{repo}/preupload/main", token, body, {"Content-Type": "application/json", "User-Agent": "unknown/None; hf_hub/2.4.0"})
    assert json.loads(out)["files"][0]["uploadMode"] == "lfs"
    status, headers, _ = raw_request(endpoint, "GET", f"/api/spaces/{repo}/xet-write-token/main", token)
    assert status == 400 and "HF_HUB_DISABLE_XET=1" in headers["X-Error-Message"]


def test_preupload_should_ignore(endpoint, token, repo):
    body = json.dumps({"files": [{"path": p, "sample": "", "size": 1} for p in ("a.log", "logs/x.txt", "app.py")], "gitIgnore": "*.log\nlogs/\n"}).encode()
    status, _, out = raw_request(endpoint, "POST", f"/api/spaces/{repo}/preupload/main", token, body, {"Content-Type": "application/json"})
    assert status == 200, out
    assert {f["path"]: f["shouldIgnore"] for f in json.loads(out)["files"]} == {"a.log": True, "logs/x.txt": True, "app.py": False}


def test_large_regular_file_is_stored_in_lfs(api, repo):
    content = os.urandom(12 * 1024 * 1024)
    api.upload_file(path_or_fileobj=content, path_in_repo="data/blob.dat", repo_id=repo, repo_type="space")
    info = {e.path: e for e in api.get_paths_info(repo, ["data/blob.dat", ".gitattributes"], repo_type="space")}
    assert info["data/blob.dat"].lfs.sha256 == hashlib.sha256(content).hexdigest()
    assert ".gitattributes" in info  # a git clone smudges it: the path is tracked


@pytest.mark.skipif(is_xet_available(), reason="this client sends LFS files through Xet, which Spaceport does not serve; see test_preupload_modes")
def test_client_lfs_upload_path(api, repo, endpoint, token):
    """The client's own LFS code (batch API, PUT to the signed href without auth, verify, lfsFile in the commit)."""
    content = os.urandom(3 * 1024 * 1024)
    op = CommitOperationAdd(path_in_repo="weights/model.safetensors", path_or_fileobj=content)
    op._upload_mode = "lfs"  # what the Hub answers for a binary file; skips preupload's answer for this client
    op._should_ignore = False
    api.create_commit(repo, [op], commit_message="LFS through the batch API", repo_type="space")
    entry = api.get_paths_info(repo, "weights/model.safetensors", repo_type="space")[0]
    assert entry.lfs.sha256 == hashlib.sha256(content).hexdigest() and entry.lfs.size == len(content)
    # Asking again: the object is there, no upload action.
    actions, errors, _ = post_lfs_batch_info([op.upload_info], token, "space", repo, endpoint=endpoint)
    assert errors == [] and actions[0].get("actions") is None


def test_parent_commit_is_checked(api, repo):
    old = api.list_repo_commits(repo, repo_type="space")[0].commit_id
    api.upload_file(path_or_fileobj=b"one\n", path_in_repo="one.txt", repo_id=repo, repo_type="space")
    with pytest.raises(HfHubHTTPError) as e:
        api.create_commit(repo, [CommitOperationAdd("two.txt", b"two\n")], commit_message="stale", parent_commit=old, repo_type="space")
    assert e.value.response.status_code == 412
    head = api.list_repo_commits(repo, repo_type="space")[0].commit_id
    api.create_commit(repo, [CommitOperationDelete("one.txt")], commit_message="fresh", parent_commit=head, repo_type="space")
    assert not api.file_exists(repo, "one.txt", repo_type="space")


def test_bad_payloads_are_400_with_a_code(endpoint, token, repo):
    cases = [
        b'{"key":"file","value":{"path":"a.txt","content":"aGk=","encoding":"base64"}}\n',  # no header first
        b'{"key":"header","value":{"summary":"x"}}\nnot json\n',
        b'{"key":"header","value":{"summary":"x"}}\n{"key":"nope","value":{}}\n',
        b'{"key":"header","value":{"summary":"x"}}\n{"key":"file","value":{"path":"a.txt","content":"%%%","encoding":"base64"}}\n',
        b'{"key":"header","value":{"summary":"x"}}\n{"key":"file","value":{"path":"../../etc/passwd","content":"aGk=","encoding":"base64"}}\n',
        b'{"key":"header","value":{"summary":"x"}}\n{"key":"lfsFile","value":{"path":"x.bin","algo":"sha256","oid":"' + b"0" * 64 + b'","size":3}}\n',
        b'{"key":"header","value":{"summary":""}}\n',
    ]
    for body in cases:
        status, headers, out = raw_request(endpoint, "POST", f"/api/spaces/{repo}/commit/main", token, body, {"Content-Type": "application/x-ndjson"})
        assert status == 400, (body, status, out)
        assert headers["X-Error-Code"] == "BadRequest", body
    status, headers, _ = raw_request(endpoint, "POST", f"/api/spaces/{repo}/commit/main", token, b'{"key":"header","value":{"summary":"x"}}\n{"key":"deletedFile","value":{"path":"missing.txt"}}\n', {"Content-Type": "application/x-ndjson"})
    assert status == 404 and headers["X-Error-Code"] == "EntryNotFound"


def test_resolve_headers_and_ranges(endpoint, token, repo, api):
    sha = api.list_repo_commits(repo, repo_type="space")[0].commit_id
    status, h, body = raw_request(endpoint, "GET", f"/spaces/{repo}/resolve/main/index.html", token)
    assert status == 200 and body == b"<h1>hello</h1>\n"
    assert h["X-Repo-Commit"] == sha and h["ETag"] == '"' + hashlib.sha1(b"blob 15\x00" + body).hexdigest() + '"' and h["Content-Length"] == "15"
    status, h, body = raw_request(endpoint, "GET", f"/spaces/{repo}/resolve/{sha}/index.html", token, headers={"Range": "bytes=4-8"})
    assert status == 206 and body == b"hello" and h["Content-Range"] == "bytes 4-8/15"
    status, h, _ = raw_request(endpoint, "GET", f"/spaces/{repo}/resolve/main/index.html", token, headers={"Range": "bytes=99-"})
    assert status == 416 and h["Content-Range"] == "bytes */15"
    status, h, body = raw_request(endpoint, "HEAD", f"/spaces/{repo}/resolve/main/data/blob.dat", token)
    assert status == 200 and body == b"" and h["X-Linked-Size"] == str(12 * 1024 * 1024) and h["X-Linked-Etag"] == h["ETag"]
    for path, code in [
        (f"/spaces/{repo}/resolve/main/nope.txt", "EntryNotFound"),
        (f"/spaces/{repo}/resolve/no-such-branch/index.html", "RevisionNotFound"),
        (f"/spaces/{repo}/resolve/main/%2E%2E/%2E%2E/etc/passwd", "BadRequest"),
        (f"/spaces/{repo}/resolve/main/a%ZZb", "BadRequest"),
        (f"/spaces/{repo}/resolve/HEAD~1/index.html", "RevisionNotFound"),
        (f"/api/spaces/{repo}/tree/main/%2E%2E", "BadRequest"),
    ]:
        status, h, _ = raw_request(endpoint, "GET", path, token)
        assert h["X-Error-Code"] == code, (path, status)


def test_lfs_batch_refuses_bad_objects(endpoint, token, repo):
    body = json.dumps({"operation": "upload", "transfers": ["basic"], "objects": [{"oid": hashlib.sha256(b"abc").hexdigest(), "size": 3}]}).encode()
    status, _, out = raw_request(endpoint, "POST", f"/spaces/{repo}.git/info/lfs/objects/batch", token, body, {"Content-Type": "application/vnd.git-lfs+json"})
    assert status == 200, out
    href = json.loads(out)["objects"][0]["actions"]["upload"]["href"]
    put = lambda data: raw_request(endpoint, "PUT", href[len(endpoint):], None, data)
    assert put(b"abd")[0] == 400  # wrong sha256
    assert put(b"abcd")[0] == 400  # wrong size
    assert put(b"abc")[0] == 200
    status, _, _ = raw_request(endpoint, "PUT", href[len(endpoint):].replace("sig=", "sig=x"), None, b"abc")
    assert status == 403


def test_writes_need_a_write_token(endpoint, repo, read_token, other_user_token):
    commit = b'{"key":"header","value":{"summary":"x"}}\n{"key":"file","value":{"path":"a.txt","content":"aGk=","encoding":"base64"}}\n'
    for who, want in [(None, 401), (read_token, 403), (other_user_token, 403)]:
        status, _, _ = raw_request(endpoint, "POST", f"/api/spaces/{repo}/commit/main", who, commit, {"Content-Type": "application/x-ndjson"})
        assert status == want
        status, _, _ = raw_request(endpoint, "POST", f"/api/spaces/{repo}/preupload/main", who, b'{"files":[]}', {"Content-Type": "application/json"})
        assert status == want
    lfs = json.dumps({"operation": "upload", "objects": [{"oid": hashlib.sha256(b"z").hexdigest(), "size": 1}]}).encode()
    for who, want in [(None, 401), (read_token, 403), (other_user_token, 403)]:
        status, _, _ = raw_request(endpoint, "POST", f"/spaces/{repo}.git/info/lfs/objects/batch", who, lfs, {"Content-Type": "application/vnd.git-lfs+json"})
        assert status == want
    # Reading a public Space needs no token.
    assert raw_request(endpoint, "GET", f"/spaces/{repo}/resolve/main/index.html")[0] == 200
