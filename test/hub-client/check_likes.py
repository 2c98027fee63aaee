"""Likes with the real huggingface_hub (HF_ENDPOINT; HF_TOKEN is bob's write token).

huggingface_hub has no like() ("not possible from a script" on the Hub), so the like is the Hub's
POST /api/spaces/{id}/like through the library's own session; the rest is the library's API.
Prints one JSON object of what it saw; an assertion failure exits non-zero with the reason.
"""
import json
import os

from huggingface_hub import HfApi
from huggingface_hub.errors import RepositoryNotFoundError
from huggingface_hub.utils import get_session, hf_raise_for_status

endpoint = os.environ["HF_ENDPOINT"]
api = HfApi(endpoint=endpoint, token=os.environ["HF_TOKEN"])
pub, priv = os.environ["SPACEPORT_PUBLIC"], os.environ["SPACEPORT_PRIVATE"]
seen = {}


def like(repo):
    r = get_session().post(f"{endpoint}/api/spaces/{repo}/like", headers=api._build_hf_headers())
    hf_raise_for_status(r)
    return r.json()


seen["like"] = like(pub)
seen["likes_after_like"] = api.space_info(pub).likes
seen["liked_by_bob"] = api.list_liked_repos("bob").spaces
seen["likers"] = [u.username for u in api.list_repo_likers(pub, repo_type="space")]
seen["most_liked_first"] = [s.id for s in api.list_spaces(sort="likes", limit=2)][0]
# The Hub's trending sort (sort=trendingScore): a like given now puts the Space first.
seen["trending_first"] = [s.id for s in api.list_spaces(sort="trending_score", limit=2)][0]
# trendingScore (SpaceInfo.trending_score): the likes of the last 7 days, in space_info and list_spaces, plain and with expand.
seen["trending_score"] = api.space_info(pub).trending_score
seen["trending_score_expanded"] = api.space_info(pub, expand=["trendingScore", "likes"]).trending_score
seen["trending_score_listed"] = {s.id: s.trending_score for s in api.list_spaces(search=pub.split("/")[1])}.get(pub)
seen["trending_score_listed_expanded"] = {s.id: s.trending_score for s in api.list_spaces(sort="trending_score", expand=["trendingScore"], limit=5)}.get(pub)
try:
    like(priv)
    seen["private"] = "liked"
except RepositoryNotFoundError:
    seen["private"] = "not found"
api.unlike(pub, repo_type="space")
seen["likes_after_unlike"] = api.space_info(pub).likes
seen["trending_score_after_unlike"] = api.space_info(pub).trending_score
seen["liked_after_unlike"] = api.list_liked_repos("bob").spaces
print(json.dumps(seen))
