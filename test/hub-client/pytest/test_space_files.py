"""A Space's whole life through huggingface_hub's file API, no git: create, upload_folder of a gradio app
with a 50 MB binary file (LFS), wait for RUNNING, read it back every way the client can, delete a file
(a new build), and the `hf` command line. Tests run in order and share one Space."""
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huggingface_hub import hf_hub_download, snapshot_download
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from conftest import new_space_id, app_get, wait_stage

BIG = 50 * 1024 * 1024
README = "---\ntitle: Model Space\nemoji: 🧪\nsdk: gradio\nsdk_version: 5.50.0\napp_file: app.py\n---\n# A Space that loads a 50 MB file\n"
APP = '''import hashlib
import gradio as gr

with open("model.bin", "rb") as f:
    DIGEST = hashlib.sha256(f.read()).hexdigest()

with gr.Blocks() as demo:
    gr.Markdown(f"model sha256 {DIGEST}")
demo.launch()
'''


def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("app")
    (d / "README.md").write_text(README, encoding="utf-8")
    (d / "app.py").write_text(APP)
    (d / "notes.txt").write_text("to be deleted\n")
    (d / "assets").mkdir()
    (d / "assets" / "style.css").write_text("body { color: teal; }\n")
    with open(d / "model.bin", "wb") as f:
        f.write(os.urandom(BIG))
    return d


@pytest.fixture(scope="module")
def space(api, owner, app_dir):
    repo_id = new_space_id(owner, "files")
    yield repo_id
    api.delete_repo(repo_id, repo_type="space", missing_ok=True)


def test_create_and_exist_ok(api, space):
    url = api.create_repo(space, repo_type="space", space_sdk="gradio")
    assert url.repo_id == space and url.repo_type == "space"
    again = api.create_repo(space, repo_type="space", space_sdk="gradio", exist_ok=True)
    assert again.repo_id == space
    with pytest.raises(HfHubHTTPError) as e:
        api.create_repo(space, repo_type="space", space_sdk="gradio")
    assert e.value.response.status_code == 409


def test_upload_folder_deploys_and_runs(api, space, app_dir, endpoint):
    info = api.upload_folder(repo_id=space, repo_type="space", folder_path=app_dir, commit_message="Deploy the app")
    assert len(info.oid) == 40 and info.commit_url.startswith(f"{endpoint}/spaces/{space}/commit/")
    wait_stage(api, space)
    # The app read model.bin at start: it saw the real 50 MB file, not an LFS pointer.
    page = app_get(endpoint, api.space_info(space).host, "/config")
    assert f"model sha256 {sha256(app_dir / 'model.bin')}".encode() in page


def test_space_info(api, space, app_dir, owner):
    info = api.space_info(space, files_metadata=True)
    sub = space.replace("/", "-").lower()
    assert info.subdomain == sub and info.host.split("://")[1].startswith(f"{sub}.")
    assert info.card_data["title"] == "Model Space" and info.sdk == "gradio"
    assert info.runtime.stage == "RUNNING"
    siblings = {s.rfilename: s for s in info.siblings}
    assert {"README.md", "app.py", "notes.txt", "assets/style.css", "model.bin"} <= set(siblings)
    model = siblings["model.bin"]
    assert model.size == BIG and model.lfs is not None
    assert model.lfs.size == BIG and model.lfs.sha256 == sha256(app_dir / "model.bin") and 100 < model.lfs.pointer_size < 200
    assert siblings["app.py"].lfs is None and siblings["app.py"].size == len(APP.encode())
    assert info.used_storage >= BIG


def test_hf_hub_download_is_byte_identical(space, app_dir, endpoint, token, tmp_path):
    for name in ("model.bin", "README.md", "assets/style.css"):
        got = hf_hub_download(space, name, repo_type="space", endpoint=endpoint, token=token, cache_dir=tmp_path)
        assert sha256(got) == sha256(app_dir / name), name


def test_snapshot_download_is_byte_identical(space, app_dir, endpoint, token, tmp_path):
    d = Path(snapshot_download(space, repo_type="space", endpoint=endpoint, token=token, cache_dir=tmp_path))
    for name in ("model.bin", "README.md", "app.py", "notes.txt", "assets/style.css"):
        assert sha256(d / name) == sha256(app_dir / name), name


def test_browse(api, space, owner):
    files = api.list_repo_files(space, repo_type="space")
    assert {"README.md", "app.py", "model.bin", "assets/style.css"} <= set(files)
    assert api.file_exists(space, "model.bin", repo_type="space")
    assert api.file_exists(space, "assets/style.css", repo_type="space")
    assert not api.file_exists(space, "missing.txt", repo_type="space")
    top = {e.path: e for e in api.list_repo_tree(space, repo_type="space")}
    assert "assets" in top and not hasattr(top["assets"], "size") and "assets/style.css" not in top
    assert top["model.bin"].lfs.size == 50 * 1024 * 1024
    inside = [e.path for e in api.list_repo_tree(space, "assets", repo_type="space")]
    assert inside == ["assets/style.css"]
    deep = {e.path for e in api.list_repo_tree(space, repo_type="space", recursive=True)}
    assert {"assets", "assets/style.css", "model.bin"} <= deep
    paths = {e.path: e for e in api.get_paths_info(space, ["model.bin", "assets", "nope"], repo_type="space")}
    assert set(paths) == {"model.bin", "assets"} and paths["model.bin"].lfs.sha256
    commits = api.list_repo_commits(space, repo_type="space")
    assert commits[0].title == "Deploy the app" and owner in commits[0].authors
    refs = api.list_repo_refs(space, repo_type="space")
    assert [b.name for b in refs.branches] == ["main"] and refs.branches[0].target_commit == commits[0].commit_id
    assert api.space_info(space).sha == commits[0].commit_id


def test_delete_file_builds_again(api, space):
    info = api.delete_file("notes.txt", space, repo_type="space", commit_message="Remove the notes")
    assert not api.file_exists(space, "notes.txt", repo_type="space")
    assert api.list_repo_commits(space, repo_type="space")[0].commit_id == info.oid
    # The commit on main was built, exactly as after a push: its build log names it.
    deadline = time.monotonic() + 120
    log = ""
    while time.monotonic() < deadline and info.oid not in log:
        log = "\n".join(api.fetch_space_logs(space, build=True))
        time.sleep(1)
    assert f"at {info.oid}" in log, log[-2000:]
    wait_stage(api, space)
    assert api.space_info(space).sha == info.oid


def test_hf_cli_upload_and_download(space, tmp_path, endpoint, token):
    hf = str(Path(sys.executable).parent / "hf")
    env = {**os.environ, "HF_ENDPOINT": endpoint, "HF_TOKEN": token}
    src = tmp_path / "cli.txt"
    src.write_text("uploaded with hf upload\n")
    up = subprocess.run([hf, "upload", space, str(src), "docs/cli.txt", "--repo-type", "space", "--commit-message", "hf upload"], env=env, capture_output=True, text=True, timeout=300)
    assert up.returncode == 0, up.stderr
    out = tmp_path / "out"
    down = subprocess.run([hf, "download", space, "docs/cli.txt", "model.bin", "--repo-type", "space", "--local-dir", str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert down.returncode == 0, down.stderr
    assert (out / "docs" / "cli.txt").read_text() == "uploaded with hf upload\n"
    assert (out / "model.bin").stat().st_size == BIG


def test_missing_space_is_repository_not_found(api, owner):
    with pytest.raises(RepositoryNotFoundError):
        api.list_repo_files(f"{owner}/no-such-space-here", repo_type="space")
