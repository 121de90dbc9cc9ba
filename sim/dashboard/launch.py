"""Run solara's server with its static assets compressed once, not on every request.

``python -m sim.dashboard.launch run MODULE --host ... --port ...`` is ``python -m
solara run ...`` with one change: solara compresses every response with starlette's
``GZipMiddleware``, so each participant joining a room made the server gzip the same
megabytes of JavaScript again (a profile of five participants joining showed it as
the server's largest cost). Here static assets (scripts, styles, fonts) are
compressed the first time they are asked for and served from memory afterwards;
everything else goes through solara's middleware as before. Versioned assets carry a
long ``Cache-Control`` (:func:`versioned`). Both the dashboard and the treaty game are
served this way.
"""

from __future__ import annotations

import gzip
import sys

import starlette.middleware.gzip as _gzip

#: Paths ending so are static files: the same bytes for every participant.
STATIC = (".js", ".css", ".woff", ".woff2", ".ttf", ".svg", ".wasm", ".map")
_Original = _gzip.GZipMiddleware
#: Kept a year by the browser (solara sends no cache header): a versioned package's file
#: (``/_solara/cdn/name@1.2.3/...``) or one asked for with its hash (``?v=...``), so a
#: participant who reloads or rejoins loads the scripts from their cache (and Chromium
#: reuses the code it compiled), not again from the server.
IMMUTABLE = (b"cache-control", b"public, max-age=31536000, immutable")


def versioned(path: str, query: str) -> bool:
    """Whether a static file's URL names its version (so its bytes never change)."""
    if query:  # solara's ?v=<hash>, requirejs's ?<hash>
        return True
    parts = path.split("/")  # "", "_solara", "cdn", ["@scope",] "name@1.2.3", "dist", ...
    if parts[1:3] != ["_solara", "cdn"] or len(parts) < 5:
        return False
    package = parts[4] if parts[3].startswith("@") else parts[3]
    return "@" in package.lstrip("@")


class CachedGZipMiddleware:
    """``GZipMiddleware`` that compresses each static asset once and keeps the result."""

    def __init__(self, app, minimum_size: int = 1000, compresslevel: int = 6):
        self.app = app
        self.inner = _Original(app, minimum_size=minimum_size, compresslevel=compresslevel)
        self.minimum_size = minimum_size
        self.level = compresslevel
        self.cache: dict[str, tuple[int, list, bytes]] = {}

    async def __call__(self, scope, receive, send) -> None:  # noqa: D102
        headers = dict(scope.get("headers", ())) if scope["type"] == "http" else {}
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or not scope.get("path", "").endswith(STATIC)
            or b"gzip" not in headers.get(b"accept-encoding", b"")
            or b"range" in headers
        ):
            await self.inner(scope, receive, send)
            return
        key = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
        hit = self.cache.get(key)
        if hit is None:
            status, head, body = await _capture(self.app, scope, receive)
            names = {k.lower() for k, _ in head}
            if status != 200 or b"content-encoding" in names or len(body) < self.minimum_size:
                await _send(send, status, head, body)
                return
            zipped = gzip.compress(body, self.level)
            head = [(k, v) for k, v in head if k.lower() != b"content-length"]
            head += [
                (b"content-encoding", b"gzip"),
                (b"vary", b"Accept-Encoding"),
                (b"content-length", str(len(zipped)).encode()),
            ]
            if b"cache-control" not in names and versioned(scope["path"], key.split("?")[1]):
                head.append(IMMUTABLE)
            hit = self.cache[key] = (status, head, zipped)
        await _send(send, *hit)


async def _capture(app, scope, receive) -> tuple[int, list, bytes]:
    """Run ``app`` for ``scope`` and collect its response."""
    out: dict = {"status": 500, "headers": [], "body": []}

    async def collect(message) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            out["body"].append(message.get("body", b""))

    await app(scope, receive, collect)
    return out["status"], out["headers"], b"".join(out["body"])


async def _send(send, status: int, headers: list, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    """Patch the middleware, then hand over to solara's command line."""
    _gzip.GZipMiddleware = CachedGZipMiddleware
    from solara.__main__ import main as solara_main

    sys.argv[0] = "solara"
    solara_main()


if __name__ == "__main__":
    main()
