"""Drive Spaceport with the real huggingface_hub client (HF_ENDPOINT, HF_TOKEN from the environment).

Every call is one the Hub's own client makes; an assertion failure exits non-zero with the reason.
"""
import json
import os
import sys

from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

api = HfApi(endpoint=os.environ["HF_ENDPOINT"], token=os.environ["HF_TOKEN"])
seen = {}

me = api.whoami()
assert me["name"] == "admin", me
seen["whoami"] = me["name"]

url = api.create_repo("admin/hub-gradio", repo_type="space", space_sdk="gradio")
assert url.repo_id == "admin/hub-gradio", url
assert url.repo_type == "space", url
again = api.create_repo("admin/hub-gradio", repo_type="space", space_sdk="gradio", exist_ok=True)
assert again.repo_id == "admin/hub-gradio"

info = api.space_info("admin/hub-gradio")
assert info.id == "admin/hub-gradio", info
assert info.subdomain == "admin-hub-gradio", info.subdomain
assert info.host and "admin-hub-gradio" in info.host, info.host
seen["stage_new"] = info.runtime.stage

rt = api.get_space_runtime("admin/hub-gradio")
assert rt.requested_hardware == "cpu-basic", rt.raw
assert rt.sleep_time == 172800, rt.raw

api.add_space_variable("admin/hub-gradio", "MODE", "fast", description="speed")
variables = api.get_space_variables("admin/hub-gradio")
assert variables["MODE"].value == "fast", variables
api.delete_space_variable("admin/hub-gradio", "MODE")
assert "MODE" not in api.get_space_variables("admin/hub-gradio")

api.add_space_secret("admin/hub-gradio", "API_KEY", "s3cr3t-value")
api.delete_space_secret("admin/hub-gradio", "API_KEY")

rt = api.set_space_sleep_time("admin/hub-gradio", 3600)
assert rt.sleep_time == 3600, rt.raw

rt = api.pause_space("admin/hub-gradio")
assert rt.stage == "PAUSED", rt.raw
rt = api.restart_space("admin/hub-gradio")
assert rt.stage != "PAUSED", rt.raw
seen["stage_after_restart"] = rt.stage

names = [s.id for s in api.list_spaces(author="admin")]
assert "admin/hub-gradio" in names, names

try:
    api.space_info("admin/does-not-exist")
    raise AssertionError("space_info of a missing Space did not raise")
except RepositoryNotFoundError:
    seen["missing"] = "RepositoryNotFoundError"

try:
    api.pause_space("admin/does-not-exist")
    raise AssertionError("pause of a missing Space did not raise")
except RepositoryNotFoundError:
    pass

api.delete_repo("admin/hub-gradio", repo_type="space")
api.delete_repo("admin/hub-gradio", repo_type="space", missing_ok=True)
try:
    api.space_info("admin/hub-gradio")
    raise AssertionError("deleted Space still answers")
except RepositoryNotFoundError:
    pass

bad = HfApi(endpoint=os.environ["HF_ENDPOINT"], token="sp_not_a_token")
try:
    bad.whoami()
    raise AssertionError("a wrong token was accepted")
except HfHubHTTPError as err:
    assert err.response.status_code == 401, err

print(json.dumps(seen))
