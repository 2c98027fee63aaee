"""Persistent storage with the real huggingface_hub client (1.x; 2.0 removed these calls).

Run by test/hub-client/storage.test.ts with HF_ENDPOINT and HF_TOKEN set. Prints one JSON line.
"""
import json
import warnings

from huggingface_hub import HfApi
from huggingface_hub.errors import BadRequestError

warnings.simplefilter("ignore")  # the storage arguments and methods are deprecated in 1.x
api = HfApi()
seen = {}

api.create_repo("admin/hub-data", repo_type="space", space_sdk="docker", space_storage="small")
seen["created"] = api.get_space_runtime("admin/hub-data").storage
seen["upgraded"] = api.request_space_storage("admin/hub-data", "medium").storage
try:
    api.request_space_storage("admin/hub-data", "small")
    seen["downgrade"] = "accepted"
except BadRequestError as err:
    seen["downgrade"] = "delete the storage first" in str(err)
seen["deleted"] = api.delete_space_storage("admin/hub-data").storage
try:
    api.delete_space_storage("admin/hub-data")
    seen["delete_again"] = "accepted"
except BadRequestError:
    seen["delete_again"] = "BadRequestError"
seen["info"] = api.space_info("admin/hub-data").runtime.storage
print(json.dumps(seen))
