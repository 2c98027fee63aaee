"""Issue 19's client flows, with the real huggingface_hub (HF_ENDPOINT, HF_TOKEN; SPACEPORT_PREFIX names the Spaces).

Prints one JSON object of what it saw; an assertion failure exits non-zero with the reason.
"""
import io
import json
import os
import time

from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

api = HfApi(endpoint=os.environ["HF_ENDPOINT"], token=os.environ["HF_TOKEN"])
prefix = os.environ["SPACEPORT_PREFIX"]
seen = {}


def wait_stage(repo_id, stages, timeout=60):
    deadline = time.time() + timeout
    while True:
        stage = api.get_space_runtime(repo_id).stage
        if stage in stages or time.time() > deadline:
            return stage
        time.sleep(0.2)


# 1. A new Space has an initial commit: .gitattributes and README.md (static: index.html, style.css).
gradio = f"admin/{prefix}-gradio"
api.create_repo(gradio, repo_type="space", space_sdk="gradio")
files = sorted(api.list_repo_files(gradio, repo_type="space"))
assert files == [".gitattributes", "README.md"], files
readme = open(api.hf_hub_download(gradio, "README.md", repo_type="space"), encoding="utf-8").read()
assert f'title: "{prefix}-gradio"' in readme and "sdk: gradio" in readme and "pinned: false" in readme and "emoji:" in readme and "colorFrom:" in readme, readme
seen["gradio_files"] = files
seen["gradio_commits"] = [c.title for c in api.list_repo_commits(gradio, repo_type="space")]

static = f"admin/{prefix}-static"
api.create_repo(static, repo_type="space", space_sdk="static")
seen["static_files"] = sorted(api.list_repo_files(static, repo_type="space"))
api.upload_file(path_or_fileobj=io.BytesIO(b"<h1>hello from upload_file</h1>\n"), path_in_repo="index.html", repo_id=static, repo_type="space")
seen["static_stage"] = wait_stage(static, {"RUNNING", "BUILD_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "RUNTIME_ERROR"})

# 2. Branches and tags over the API.
api.create_branch(static, branch="dev", repo_type="space")
api.create_branch(static, branch="dev", repo_type="space", exist_ok=True)
try:
    api.create_branch(static, branch="dev", repo_type="space")
    raise AssertionError("create_branch of an existing branch did not raise")
except HfHubHTTPError as e:
    assert e.response.status_code == 409, e.response.status_code
main_before = api.list_repo_refs(static, repo_type="space").branches
api.upload_file(path_or_fileobj=io.BytesIO(b"dev only\n"), path_in_repo="dev.txt", repo_id=static, repo_type="space", revision="dev")
assert "dev.txt" in api.list_repo_files(static, repo_type="space", revision="dev")
assert "dev.txt" not in api.list_repo_files(static, repo_type="space")
api.create_tag(static, tag="v1", repo_type="space")
api.create_tag(static, tag="v1-dev", revision="dev", tag_message="the dev branch", repo_type="space")
try:
    api.create_tag(static, tag="v1", repo_type="space")
    raise AssertionError("create_tag of an existing tag did not raise")
except HfHubHTTPError as e:
    assert e.response.status_code == 409, e.response.status_code
refs = api.list_repo_refs(static, repo_type="space")
seen["branches"] = sorted(b.name for b in refs.branches)
seen["tags"] = sorted(t.name for t in refs.tags)
dev_head = next(b.target_commit for b in refs.branches if b.name == "dev")
assert next(t.target_commit for t in refs.tags if t.name == "v1-dev") == dev_head, refs
assert next(b.target_commit for b in refs.branches if b.name == "main") == next(b.target_commit for b in main_before if b.name == "main")
assert "dev.txt" in api.list_repo_files(static, repo_type="space", revision="v1-dev")
api.delete_tag(static, tag="v1", repo_type="space")
api.delete_branch(static, branch="dev", repo_type="space")
try:
    api.delete_branch(static, branch="main", repo_type="space")
    raise AssertionError("delete_branch of main did not raise")
except HfHubHTTPError as e:
    seen["delete_main"] = e.response.status_code
refs = api.list_repo_refs(static, repo_type="space")
seen["branches_after"] = sorted(b.name for b in refs.branches)
seen["tags_after"] = sorted(t.name for t in refs.tags)

# 5. list_repo_tree(expand=True) and get_paths_info(expand=True) carry lastCommit.
commits = api.list_repo_commits(static, repo_type="space")
titles = {c.commit_id: c.title for c in commits}
tree = {e.path: e for e in api.list_repo_tree(static, repo_type="space", expand=True)}
seen["tree_last"] = {p: titles.get(e.last_commit.oid) if e.last_commit else None for p, e in sorted(tree.items())}
assert tree["index.html"].last_commit.date is not None, tree["index.html"]
info = {e.path: e for e in api.get_paths_info(static, ["index.html", "style.css"], expand=True, repo_type="space")}
seen["paths_last"] = {p: titles.get(e.last_commit.oid) if e.last_commit else None for p, e in sorted(info.items())}
# 6. A Space asleep after its sleep time: the stage the Hub reports (SLEEPING).
api.set_space_sleep_time(static, 1)
seen["asleep_stage"] = wait_stage(static, {"SLEEPING", "STOPPED"}, timeout=60)
api.set_space_sleep_time(static, 600)

plain = {e.path: e for e in api.list_repo_tree(static, repo_type="space")}
seen["plain_last"] = [p for p, e in plain.items() if getattr(e, "last_commit", None)]

print(json.dumps(seen))
