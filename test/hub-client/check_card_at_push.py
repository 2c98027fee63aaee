"""cardData and tags at push time, with the real huggingface_hub (HF_ENDPOINT, HF_TOKEN; SPACEPORT_PREFIX names the Space).

The suite holds every build, so each check here runs while the Space is still BUILDING.
Prints one JSON object of what it saw; an assertion failure exits non-zero with the reason.
"""
import io
import json
import os

from huggingface_hub import HfApi

api = HfApi(endpoint=os.environ["HF_ENDPOINT"], token=os.environ["HF_TOKEN"])
repo = f"admin/{os.environ['SPACEPORT_PREFIX']}-card"
seen = {}


def readme(title, tags):
    lines = "".join(f"  - {t}\n" for t in tags)
    return f"---\ntitle: {title}\nsdk: static\nemoji: 🚀\ntags:\n{lines}---\n\n# {title}\n".encode()


def card():
    info = api.space_info(repo)
    data = info.card_data.to_dict() if info.card_data is not None else {}
    return {"title": data.get("title"), "card_tags": data.get("tags"), "tags": info.tags, "stage": api.get_space_runtime(repo).stage}


api.create_repo(repo, repo_type="space", space_sdk="static")
# The generated README's front matter, before any build has finished (the first build is held).
seen["created"] = card()
api.upload_file(path_or_fileobj=io.BytesIO(readme("First", ["alpha", "beta"])), path_in_repo="README.md", repo_id=repo, repo_type="space")
seen["first_push"] = card()
api.upload_file(path_or_fileobj=io.BytesIO(readme("Second", ["gamma"])), path_in_repo="README.md", repo_id=repo, repo_type="space")
seen["second_push"] = card()
print(json.dumps(seen))
