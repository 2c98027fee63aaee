"""Schemathesis hooks for Spaceport (loaded through SCHEMATHESIS_HOOKS by test/api/schemathesis.test.ts)."""
import schemathesis

# git smart-HTTP request bodies are opaque bytes (pkt-lines and packs): send them as such.
schemathesis.serializer.alias(
    ["application/x-git-upload-pack-request", "application/x-git-receive-pack-request"],
    "application/octet-stream",
)

# The commit body is JSON lines (`application/x-ndjson`): described as a string, sent as text.
schemathesis.serializer.alias(["application/x-ndjson"], "text/plain")
