"""Where a page's links point: the served site and the static site differ only here.

Every link is relative, so the served page works behind a reverse proxy under any path and the
static site works from any host or straight from the disk (``file://``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SERVED", "STATIC", "Links"]


@dataclass(frozen=True, slots=True)
class Links:
    static_site: bool

    @property
    def home(self) -> str:
        return "index.html" if self.static_site else "./"

    def signatories(self, page: int = 1) -> str:
        if self.static_site:
            return f"signatories-{page}.html"
        return "signatories" if page == 1 else f"signatories?page={page}"

    def asset(self, name: str) -> str:
        return f"static/{name}"

    @property
    def api_count(self) -> str:
        return "api/count.json" if self.static_site else "api/count"

    @property
    def api_letter(self) -> str:
        return "api/letter.json" if self.static_site else "api/letter"

    def api_signatories(self, page: int = 1) -> str:
        if self.static_site:
            return f"api/signatories-{page}.json"
        return f"api/signatories?page={page}"

    @property
    def snapshot_latest(self) -> str:
        return "snapshots/latest.json"

    def snapshot(self, sha256: str) -> str:
        return f"snapshots/{sha256}.json"


SERVED = Links(static_site=False)
STATIC = Links(static_site=True)
