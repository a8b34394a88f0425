"""Schemathesis hooks for scripts/api-fuzz: how the fuzzer authenticates.

The run fuzzes every operation, `DELETE /api/v1/tokens/{id}` included, and
its stateful phase feeds that operation the ids `GET /api/v1/tokens` lists:
sooner or later it revokes the very token it is using. A fixed
`Authorization` header would then turn the rest of the run into 401s. This
provider mints the token with the real CLI (`ficha token create`, straight
into the database the server uses) and schemathesis's reactive re-auth asks
for a new one whenever an answer is 401.

Environment (set by scripts/api-fuzz): FICHA_BIN, FICHA_DATABASE_URL,
FICHA_FUZZ_BUSINESS.
"""

import os
import subprocess

import schemathesis


def mint_token() -> str:
    """A new owner-level API token of the fuzzed business, from the CLI."""
    output = subprocess.run(
        [
            os.environ["FICHA_BIN"],
            "token",
            "create",
            "--business",
            os.environ.get("FICHA_FUZZ_BUSINESS", "demo"),
            "--name",
            "schemathesis",
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "FICHA_LOG": "warn"},
    ).stdout
    # The CLI prints a Spanish line, then the secret alone on its own line.
    tokens = [line.strip() for line in output.splitlines() if line.strip().startswith("ficha_")]
    if not tokens:
        raise RuntimeError(f"`ficha token create` printed no token: {output!r}")
    return tokens[-1]


# Cached for the whole run; a 401 (the token was revoked by the run itself)
# invalidates it and schemathesis replays the request with a fresh one.
@schemathesis.auth(refresh_interval=3600, retry_on=[401])
class FichaApiToken:
    def get(self, case, ctx):
        return mint_token()

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
