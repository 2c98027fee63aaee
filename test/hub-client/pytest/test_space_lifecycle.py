"""The rest of a Space's life through huggingface_hub (both client versions): a private Space deployed with
upload_folder, then hardware, sleep time, variables, secrets (a value never comes back), pause, restart and
factory reboot, list_spaces(author=...), delete_repo (also missing_ok). A small Docker Space (static ones cannot be
paused, as on the Hub): it builds in seconds.
Tests run in order and share one Space."""

import pytest
from huggingface_hub.errors import RepositoryNotFoundError

from conftest import new_space_id, raw_request, wait_stage

README = "---\ntitle: Lifecycle\nemoji: 🔁\nsdk: docker\napp_port: 7860\n---\n"
DOCKERFILE = 'FROM spaceport/python:3.11\nWORKDIR /srv\nRUN echo "<h1>alive</h1>" > index.html\nCMD ["python3", "-m", "http.server", "7860"]\n'
SECRET_VALUE = "s3cr3t-never-shown-9c1e"


@pytest.fixture(scope="module")
def space(api, owner, tmp_path_factory):
    repo_id = new_space_id(owner, "life")
    d = tmp_path_factory.mktemp("life")
    (d / "README.md").write_text(README, encoding="utf-8")
    (d / "Dockerfile").write_text(DOCKERFILE)
    url = api.create_repo(repo_id, repo_type="space", space_sdk="docker", private=True)
    assert url.repo_id == repo_id
    api.upload_folder(repo_id=repo_id, repo_type="space", folder_path=d, commit_message="Deploy")
    yield repo_id
    api.delete_repo(repo_id, repo_type="space", missing_ok=True)


def test_private_space_runs_and_is_private(api, space, endpoint):
    wait_stage(api, space)
    info = api.space_info(space)
    assert info.private is True
    # Anonymous: it does not exist (the Hub's RepoNotFound), on the API and on its host.
    status, headers, _ = raw_request(endpoint, "GET", f"/api/spaces/{space}")
    assert status == 404 and headers.get("X-Error-Code") == "RepoNotFound"


def test_hardware_request(api, space):
    rt = api.request_space_hardware(space, "cpu-upgrade")
    assert rt.requested_hardware == "cpu-upgrade"
    rt = wait_stage(api, space)
    assert rt.hardware == "cpu-upgrade"


def test_sleep_time(api, space):
    rt = api.set_space_sleep_time(space, 3600)
    assert rt.sleep_time == 3600
    assert api.get_space_runtime(space).sleep_time == 3600


def test_variables(api, space):
    api.add_space_variable(space, "MODE", "fast", description="speed")
    variables = api.get_space_variables(space)
    assert variables["MODE"].value == "fast" and variables["MODE"].description == "speed"
    wait_stage(api, space)
    api.delete_space_variable(space, "MODE")
    assert "MODE" not in api.get_space_variables(space)


def test_secret_value_never_comes_back(api, space, endpoint, token):
    api.add_space_secret(space, "API_KEY", SECRET_VALUE, description="for the model")
    wait_stage(api, space)
    for path in (f"/api/spaces/{space}", f"/api/spaces/{space}/runtime", f"/api/spaces/{space}/variables", f"/api/spaces/{space}/secrets"):
        status, _, body = raw_request(endpoint, "GET", path, token)
        assert status in (200, 404, 405), (path, status)
        assert SECRET_VALUE.encode() not in body, path
    api.delete_space_secret(space, "API_KEY")


def test_pause_and_restart(api, space, endpoint):
    rt = api.pause_space(space)
    assert rt.stage == "PAUSED"
    assert api.get_space_runtime(space).stage == "PAUSED"
    api.restart_space(space)
    wait_stage(api, space)
    api.restart_space(space, factory_reboot=True)
    rt = wait_stage(api, space)
    assert rt.stage == "RUNNING"


def test_list_spaces_by_author(api, space, owner):
    ids = [s.id for s in api.list_spaces(author=owner)]
    assert space in ids


def test_delete_repo(api, space):
    api.delete_repo(space, repo_type="space")
    api.delete_repo(space, repo_type="space", missing_ok=True)
    with pytest.raises(RepositoryNotFoundError):
        api.space_info(space)
