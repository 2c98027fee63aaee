"""Shared fixtures of the huggingface_hub suite (run by test/hub-client/pytest.test.ts, one venv per client version).

Environment (set by the runner): HF_ENDPOINT (a Spaceport on the Docker runtime), HF_TOKEN (a write token of
SPACEPORT_TEST_USER), HF_HOME (a temp dir). Add test_*.py files here; use `api`, `space_name` and the helpers.
"""
import json
import os
import secrets
import time
import urllib.request
from urllib.parse import urlparse

import huggingface_hub
import pytest
from huggingface_hub import HfApi
from huggingface_hub.utils._runtime import is_xet_available

ERROR_STAGES = {"BUILD_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "RUNTIME_ERROR"}
BUILD_TIMEOUT = float(os.environ.get("SPACEPORT_PYTEST_BUILD_TIMEOUT", "1500"))


@pytest.fixture(scope="session")
def endpoint() -> str:
    return os.environ["HF_ENDPOINT"].rstrip("/")


@pytest.fixture(scope="session")
def token() -> str:
    return os.environ["HF_TOKEN"]


@pytest.fixture(scope="session")
def api(endpoint, token) -> HfApi:
    return HfApi(endpoint=endpoint, token=token)


@pytest.fixture(scope="session")
def owner(api) -> str:
    return api.whoami()["name"]


@pytest.fixture(scope="session")
def client_version() -> str:
    """`1.33.0-lfs` or `2.4.0-xet`: which client, and whether it sends large files through Xet."""
    return f"{huggingface_hub.__version__}-{'xet' if is_xet_available() else 'lfs'}"


@pytest.fixture(scope="session")
def read_token(endpoint, token) -> str:
    """A read-only token of the same user (POST /api/tokens)."""
    status, _, out = raw_request(endpoint, "POST", "/api/tokens", token, json.dumps({"displayName": "pytest reader", "role": "read"}).encode(), {"Content-Type": "application/json"})
    assert status == 201, out
    return json.loads(out)["token"]


@pytest.fixture(scope="session")
def other_user_token(endpoint, token) -> str:
    """A write token of another (non-admin) user, made by the admin token (POST /api/users)."""
    name = f"{PREFIX}-other-{secrets.token_hex(3)}"
    status, _, out = raw_request(endpoint, "POST", "/api/users", token, json.dumps({"name": name}).encode(), {"Content-Type": "application/json"})
    assert status == 201, out
    return json.loads(out)["token"]


PREFIX = os.environ.get("SPACEPORT_PYTEST_PREFIX", "py")


def new_space_id(owner: str, kind: str) -> str:
    """A unique Space id under `owner`: `{owner}/{SPACEPORT_PYTEST_PREFIX}-{kind}-{major}x-{hex}` (the runner removes
    the images of Spaces named with its prefix)."""
    return f"{owner}/{PREFIX}-{kind}-{huggingface_hub.__version__.split('.')[0]}x-{secrets.token_hex(3)}"


@pytest.fixture
def space_name(owner):
    """A factory of unique Space ids under the token's user: space_name("demo") -> "admin/py-demo-2x-1a2b3c"."""
    return lambda kind="space": new_space_id(owner, kind)


def wait_stage(api: HfApi, repo_id: str, stages=("RUNNING",), timeout: float = BUILD_TIMEOUT):
    """Poll the runtime until its stage is one of `stages`; fail at once on an error stage (with its message)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = api.get_space_runtime(repo_id)
        if last.stage in stages:
            return last
        if last.stage in ERROR_STAGES:
            raise AssertionError(f"{repo_id} ended in {last.stage}: {last.raw.get('errorMessage')}")
        time.sleep(2)
    raise AssertionError(f"{repo_id} not in {stages} after {timeout}s (last: {last and last.raw})")


def app_get(endpoint: str, host: str, path: str = "/", timeout: float = 60) -> bytes:
    """GET a Space's app through Spaceport's port, with the Space's host (`info.host`) as Host header."""
    port = urlparse(endpoint).port
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": urlparse(host).netloc})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def raw_request(endpoint: str, method: str, path: str, token: str | None = None, body: bytes | None = None, headers: dict | None = None):
    """One HTTP request with the stdlib (no client logic): (status, headers, body). Errors are returned, not raised."""
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"{endpoint}{path}", data=body, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
