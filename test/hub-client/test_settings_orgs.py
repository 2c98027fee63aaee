"""Settings, copies, organizations, tokens, private apps and the `hf` CLI, driven through the real
huggingface_hub (1.x and 2.x) against a Spaceport started by test/hub-client/access.test.ts.

Environment: HF_ENDPOINT (the hub), SPACEPORT_ADMIN_TOKEN (creates users). Spaces run on the fake
runtime, which serves `/cgi-bin/env` (the app's environment) on the Space's subdomain.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import urllib.error
import urllib.request

import pytest
from huggingface_hub import HfApi, __version__ as HF_VERSION
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

ENDPOINT = os.environ["HF_ENDPOINT"].rstrip("/")
ADMIN = os.environ.get("SPACEPORT_ADMIN_TOKEN") or os.environ["HF_TOKEN"]  # an admin token (creates users)
PORT = urlparse(ENDPOINT).port
MAJOR = int(HF_VERSION.split(".")[0])
RUN = secrets.token_hex(3)  # names unique per run: both client versions share one server
README = "---\ntitle: Access\nsdk: docker\napp_port: 7860\n---\n"


class Reply:
    def __init__(self, status_code, text):
        self.status_code = status_code
        self.text = text

    def json(self):
        return json.loads(self.text)


def http(method, url, headers=None, body=None, timeout=60):
    """One request with the standard library (httpx is 1.x's transport, not 2.x's)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={**(headers or {}), **({"content-type": "application/json"} if data else {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Reply(r.status, r.read().decode())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read().decode())


def rest(method, path, token, body=None):
    return http(method, f"{ENDPOINT}{path}", {"authorization": f"Bearer {token}"}, body)


def new_user(name):
    r = rest("POST", "/api/users", ADMIN, {"name": f"{name}-{RUN}"})
    assert r.status_code == 201, r.text
    return r.json()["name"], r.json()["token"]


def app_get(subdomain, path="/cgi-bin/env", token=None):
    """A request to a Space's host, by Host header (`*.localhost` need not resolve here)."""
    headers = {"host": f"{subdomain}.localhost:{PORT}"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return http("GET", f"http://127.0.0.1:{PORT}{path}", headers)


def push(repo_id, token, files=None):
    """Push a small docker Space with stock git (the upload API is tested elsewhere)."""
    work = tempfile.mkdtemp(prefix="spaceport-py-")
    try:
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t", "GIT_TERMINAL_PROMPT": "0"}
        for name, content in (files or {"README.md": README, "Dockerfile": "FROM scratch\n"}).items():
            Path(work, name).write_text(content)
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]):
            subprocess.run(["git", *args], cwd=work, env=env, check=True)
        url = f"http://user:{token}@127.0.0.1:{PORT}/spaces/{repo_id}"
        subprocess.run(["git", "-c", "credential.helper=", "push", "--force", "-q", url, "main"], cwd=work, env=env, check=True, capture_output=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def wait_running(api, repo_id, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        stage = api.get_space_runtime(repo_id).stage
        if stage == "RUNNING":
            return
        time.sleep(0.3)
    raise AssertionError(f"{repo_id} not RUNNING: {stage}")


def hf_cli(*args, token):
    """The `hf` command of this interpreter's huggingface_hub."""
    hf = Path(sys.executable).parent / "hf"
    env = {**os.environ, "HF_TOKEN": token, "HF_HUB_DISABLE_TELEMETRY": "1", "NO_COLOR": "1", "HF_HUB_DISABLE_UPDATE_CHECK": "1"}
    r = subprocess.run([str(hf), *args], env=env, capture_output=True, text=True, timeout=120)
    return r


@pytest.fixture(scope="module")
def people():
    """alice (admin of org acme-RUN), bob (write), carol (read), dave (no role)."""
    users = {n: new_user(n) for n in ("alice", "bob", "carol", "dave")}
    org = f"acme-{RUN}"
    alice_token = users["alice"][1]
    r = rest("POST", "/api/organizations/new", alice_token, {"name": org, "fullname": "Acme"})
    assert r.status_code == 201, r.text
    for who, role in (("bob", "write"), ("carol", "read")):
        r = rest("PUT", f"/api/organizations/{org}/members/{users[who][0]}", alice_token, {"role": role})
        assert r.status_code == 200, r.text
    return {"org": org, **{k: {"name": v[0], "token": v[1], "api": HfApi(endpoint=ENDPOINT, token=v[1])} for k, v in users.items()}}


def test_whoami_reports_each_tokens_own_created_at(people):
    alice = people["alice"]
    second = rest("POST", "/api/settings/tokens", alice["token"], {"displayName": "second", "role": "read"}).json()
    first_info = HfApi(endpoint=ENDPOINT).whoami(token=alice["token"])
    second_info = HfApi(endpoint=ENDPOINT).whoami(token=second["token"])
    assert second_info["auth"]["accessToken"]["createdAt"] == second["createdAt"]
    assert second_info["auth"]["accessToken"]["createdAt"] != first_info["auth"]["accessToken"]["createdAt"]
    assert second_info["auth"]["accessToken"]["role"] == "read"
    assert second_info["auth"]["accessToken"]["displayName"] == "second"
    listed = rest("GET", "/api/settings/tokens", alice["token"]).json()
    assert {t["displayName"] for t in listed} >= {"initial token", "second"}
    assert rest("DELETE", f"/api/settings/tokens/{second['id']}", alice["token"]).status_code == 200
    with pytest.raises(HfHubHTTPError):
        HfApi(endpoint=ENDPOINT).whoami(token=second["token"])


def test_whoami_lists_orgs(people):
    info = people["bob"]["api"].whoami()
    assert [(o["name"], o["roleInOrg"]) for o in info["orgs"]] == [(people["org"], "write")]
    assert people["dave"]["api"].whoami()["orgs"] == []


def test_org_roles_on_create_and_change(people):
    org = people["org"]
    bob, carol, dave = people["bob"]["api"], people["carol"]["api"], people["dave"]["api"]
    repo = f"{org}/internal"
    url = bob.create_repo(repo, repo_type="space", space_sdk="docker", private=True)
    assert url.repo_id == repo
    assert bob.create_repo(repo, repo_type="space", space_sdk="docker", exist_ok=True).repo_id == repo
    with pytest.raises(HfHubHTTPError) as denied:
        carol.create_repo(f"{org}/by-carol", repo_type="space", space_sdk="docker")
    assert denied.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as denied:
        dave.create_repo(f"{org}/by-dave", repo_type="space", space_sdk="docker")
    assert denied.value.response.status_code == 403
    # A read member sees the private Space and changes nothing; a stranger does not see it.
    assert carol.space_info(repo).private is True
    with pytest.raises(HfHubHTTPError) as denied:
        carol.restart_space(repo)
    assert denied.value.response.status_code == 403
    with pytest.raises(RepositoryNotFoundError):
        dave.space_info(repo)
    with pytest.raises(RepositoryNotFoundError):
        dave.restart_space(repo)
    assert repo in [s.id for s in carol.list_spaces(author=org)]
    assert repo not in [s.id for s in dave.list_spaces(author=org)]


def test_update_repo_settings_visibility(people):
    alice = people["alice"]["api"]
    repo = f"{people['alice']['name']}/settings"
    alice.create_repo(repo, repo_type="space", space_sdk="docker")
    push(repo, people["alice"]["token"])
    wait_running(alice, repo)
    sub = alice.space_info(repo).subdomain
    assert app_get(sub).status_code == 200
    alice.update_repo_settings(repo, repo_type="space", private=True)
    assert alice.space_info(repo).private is True
    with pytest.raises(RepositoryNotFoundError):
        HfApi(endpoint=ENDPOINT).space_info(repo, token=False)
    with pytest.raises(RepositoryNotFoundError):
        people["dave"]["api"].space_info(repo)
    assert app_get(sub).status_code == 404
    assert app_get(sub, token=people["dave"]["token"]).status_code == 404
    # The owner's app, programmatically: Authorization: Bearer to the app host (as gradio_client does).
    owner = app_get(sub, token=people["alice"]["token"])
    assert owner.status_code == 200 and f"SPACE_ID={repo}" in owner.text
    alice.update_repo_settings(repo, repo_type="space", visibility="protected")
    assert HfApi(endpoint=ENDPOINT).space_info(repo, token=False).id == repo
    assert app_get(sub).status_code == 200
    alice.update_repo_settings(repo, repo_type="space", visibility="public")
    assert HfApi(endpoint=ENDPOINT).space_info(repo, token=False).private is False
    with pytest.raises(HfHubHTTPError) as denied:
        people["dave"]["api"].update_repo_settings(repo, repo_type="space", private=True)
    assert denied.value.response.status_code == 403


def duplicate(api, from_id, to_id, **kw):
    """`duplicate_space` where the client has it (≤1.x), else `duplicate_repo(repo_type="space")` (2.x)."""
    if MAJOR < 2:
        return api.duplicate_space(from_id, to_id=to_id, **kw)
    renamed = {"variables": "space_variables", "secrets": "space_secrets", "hardware": "space_hardware", "sleep_time": "space_sleep_time"}
    return api.duplicate_repo(from_id, to_id, repo_type="space", **{renamed.get(k, k): v for k, v in kw.items()})


def test_duplicate(people):
    alice, bob = people["alice"]["api"], people["bob"]["api"]
    src = f"{people['alice']['name']}/orig"
    alice.create_repo(src, repo_type="space", space_sdk="docker", space_variables=[{"key": "GREETING", "value": "hi"}], space_secrets=[{"key": "TOKEN", "value": "s3cret"}])
    push(src, people["alice"]["token"])
    wait_running(alice, src)
    to = f"{people['bob']['name']}/copy"
    url = duplicate(bob, src, to, variables=[{"key": "EXTRA", "value": "1"}], secrets=[{"key": "MINE", "value": "x"}])
    assert url.repo_id == to
    assert sorted(bob.get_space_variables(to)) == ["EXTRA", "GREETING"]
    assert list(bob.get_space_secrets(to)) == ["MINE"]
    wait_running(bob, to)
    env = app_get(bob.space_info(to).subdomain).text
    assert "GREETING=hi" in env and "s3cret" not in env
    assert bob.space_info(to).sha == alice.space_info(src).sha
    # exist_ok: the same URL back; without it, a conflict.
    assert duplicate(bob, src, to, exist_ok=True).repo_id == to
    with pytest.raises(HfHubHTTPError) as conflict:
        duplicate(bob, src, to)
    assert conflict.value.response.status_code == 409
    # Into an org where the caller only reads: refused.
    with pytest.raises(HfHubHTTPError) as denied:
        duplicate(people["carol"]["api"], src, f"{people['org']}/copy")
    assert denied.value.response.status_code == 403
    # A private copy stays private.
    private_copy = f"{people['bob']['name']}/private-copy"
    duplicate(bob, src, private_copy, private=True)
    with pytest.raises(RepositoryNotFoundError):
        HfApi(endpoint=ENDPOINT).space_info(private_copy, token=False)


def test_move_keeps_private_and_frees_old_subdomain(people):
    alice = people["alice"]["api"]
    repo = f"{people['alice']['name']}/movable"
    alice.create_repo(repo, repo_type="space", space_sdk="docker", private=True)
    push(repo, people["alice"]["token"])
    wait_running(alice, repo)
    old_sub = alice.space_info(repo).subdomain
    to = f"{people['org']}/moved"
    alice.move_repo(repo, to, repo_type="space")
    assert app_get(old_sub, token=people["alice"]["token"]).status_code == 404
    new_sub = alice.space_info(to).subdomain
    deadline = time.time() + 30
    while app_get(new_sub, token=people["alice"]["token"]).status_code != 200 and time.time() < deadline:
        time.sleep(0.3)
    assert app_get(new_sub, token=people["carol"]["token"]).status_code == 200  # read member of the org
    assert app_get(new_sub, token=people["dave"]["token"]).status_code == 404
    assert app_get(new_sub).status_code == 404


def test_hf_cli(people):
    who = hf_cli("auth", "whoami", token=people["bob"]["token"])
    assert who.returncode == 0, who.stderr
    assert people["bob"]["name"] in who.stdout and people["org"] in who.stdout
    repo = f"{people['org']}/cli-space"
    # 1.x also answers to `hf repo …`; 2.x only to `hf repos …`.
    made = hf_cli("repo" if MAJOR < 2 else "repos", "create", repo, "--repo-type", "space", "--space-sdk", "docker", "--private", token=people["bob"]["token"])
    assert made.returncode == 0, made.stdout + made.stderr
    bob = people["bob"]["api"]
    assert bob.space_info(repo).private is True
    push(repo, people["bob"]["token"])
    wait_running(bob, repo)
    for args in (
        ["spaces", "info", repo],
        ["spaces", "ls", "--author", people["org"]],
        ["spaces", "hardware"],
        ["spaces", "templates"],
        ["spaces", "settings", repo, "--sleep-time", "3600"],
        ["spaces", "variables", "add", repo, "-e", "COLOR=blue"],
        ["spaces", "variables", "ls", repo],
        ["spaces", "secrets", "add", repo, "-s", "KEY=v"],
        ["spaces", "secrets", "ls", repo],
        ["spaces", "pause", repo],
        ["spaces", "restart", repo],
        ["spaces", "wait", repo, "--timeout", "60s"],
        ["spaces", "logs", repo, "--build"],
        ["spaces", "variables", "delete", repo, "COLOR", "--yes"],
        ["spaces", "secrets", "delete", repo, "KEY", "--yes"],
    ):
        r = hf_cli(*args, token=people["bob"]["token"])
        assert r.returncode == 0, f"hf {' '.join(args)}: {r.stdout}{r.stderr}"
    assert "COLOR" not in bob.get_space_variables(repo)
    assert "KEY" not in bob.get_space_secrets(repo)
    assert bob.get_space_runtime(repo).sleep_time == 3600
    info = hf_cli("spaces", "info", repo, token=people["dave"]["token"])
    assert info.returncode != 0
    denied = hf_cli("spaces", "pause", repo, token=people["carol"]["token"])
    assert denied.returncode != 0
