"""Every AWS limit connect-scim chooses, in one place, with the reason for each number.

The constraint that drives them all: Amazon Connect's user-management APIs allow about
**2 requests/s with a burst of 5, shared by the whole account and Region** (see the team's
connect-api reference §6). A SCIM request costs 1-4 Connect calls (one SearchUsers/DescribeUser to
find the user, one call per changed facet), about 2 on average. Anything that lets more SCIM
requests in than Connect can absorb only converts them into throttled Connect calls, retries and
finally timeouts, so the front door is sized to Connect, not to Lambda.
"""

from __future__ import annotations

from typing import Final

# --- API Gateway stage (MethodSettings "*/*") -------------------------------------------------
#: Steady SCIM requests/s the stage lets through: ~2 Connect calls each ≈ Connect's 2 rps.
#: Beyond it API Gateway answers 429 with Retry-After before any Lambda or Connect call is spent;
#: Okta and Entra both back off and retry on 429, so the IdP converges instead of failing.
STAGE_RATE_LIMIT_RPS: Final = 1.0
#: Requests the stage admits at once: 2 requests x ~2 calls ≈ Connect's burst of 5.
STAGE_BURST_LIMIT: Final = 2
#: Seconds to wait after a stage 429: the token bucket refills one request per second.
THROTTLED_RETRY_AFTER_SECONDS: Final = 1
#: Seconds to wait after a gateway 5xx (function throttled, crashed or timed out).
UNAVAILABLE_RETRY_AFTER_SECONDS: Final = 5

# --- Provisioning function -------------------------------------------------------------------
#: API Gateway gives a REST integration 29 s. The function must give up first, or Connect may
#: still be changed after the IdP saw a 504 (the seed let it run 900 s). 20 s leaves 9 s for a
#: cold start (init runs before the timeout clock) and API Gateway's own overhead; the runtime's
#: boto3 retries (standard mode, 3 attempts, 2 s connect / 5 s read) are bounded inside it.
PROVISIONING_TIMEOUT_SECONDS: Final = 20
API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS: Final = 29
#: The work is I/O-bound on Connect, but Lambda CPU scales with memory and the cold start parses
#: botocore's Connect model (400+ operations). 512 MB keeps that parse well under a second;
#: peak use is under 150 MB, so there is no point going higher.
PROVISIONING_MEMORY_MB: Final = 512
#: At most this many SCIM requests work on Connect at once: one per unit of Connect's burst (5),
#: so concurrent invocations cannot overdraw it by more than the in-flight count. It also leaves
#: room (Little's law: 1 rps x up to 5 s per request under Connect backoff) so the stage's
#: admitted traffic never hits a Lambda throttle, which API Gateway would turn into a 5xx.
#: Reserving concurrency needs ≥ 100 unreserved executions left in the account (see README).
PROVISIONING_RESERVED_CONCURRENCY: Final = 5

# --- Connect client pacing (runtime/connect/pacing.py) ----------------------------------------
#: Each execution environment paces its own Connect calls to the account's whole rate and burst
#: (CONNECT_RATE_LIMIT / CONNECT_BURST): one environment can then use the entire quota, calls
#: wait for a token instead of drawing 429s and 0-1 s retry backoffs, and the overlap between
#: environments is what the reserved concurrency and the stage limits above bound. Raise both
#: with the account's Connect quota if AWS raised it (Service Quotas).
CONNECT_RATE_LIMIT_RPS: Final = 2.0
CONNECT_BURST: Final = 5

# --- Authorizer function ---------------------------------------------------------------------
#: One SSM GetParameter (two during rotation) and a constant-time compare: the smallest size.
AUTHORIZER_MEMORY_MB: Final = 128
#: Twice the SSM client's worst case (2 attempts x (0.5 s connect + 1 s read) + backoff) fits in
#: it, so a slow SSM ends in a clean 401 rather than a Lambda timeout that API Gateway reports as 500.
AUTHORIZER_TIMEOUT_SECONDS: Final = 10
#: API Gateway caches the allow policy per token this long (max 3600). The IdP sends bursts with
#: one token, so this is ~1 authorizer call per 5 minutes instead of one per request. The cost:
#: a token removed from SSM keeps working up to this long (+ the function's own cache), which
#: is small next to the rotation grace period.
AUTHORIZER_RESULT_TTL_SECONDS: Final = 300
#: How long the authorizer keeps the parameter in memory (TOKEN_CACHE_SECONDS).
TOKEN_CACHE_SECONDS: Final = 60
#: How long the previous token stays valid after a rotation (TOKEN_ROTATION_GRACE_SECONDS): a
#: working day to paste the new token into the IdP.
TOKEN_ROTATION_GRACE_SECONDS: Final = 86_400

# --- Runtimes --------------------------------------------------------------------------------
#: Newest Python runtime pulumi-aws 7.51 offers that Lambda has supported for a year (3.14 is
#: newer but young); the code targets 3.11+.
LAMBDA_RUNTIME: Final = "python3.13"
#: Graviton: cheaper per GB-s and the code is pure Python (no native wheels to rebuild).
LAMBDA_ARCHITECTURE: Final = "arm64"
