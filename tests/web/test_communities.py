"""The communities table on the public page: shown only when the campaign makes it public."""

from __future__ import annotations

from pathlib import Path

from bot.domain import Actor, Identity, SignatureForm
from bot.service import PledgeService
from tests.conftest import MOD
from tests.web.conftest import serve_site


async def _sign(site_service: PledgeService, n: int, community: str) -> None:
    signer = Actor(Identity("telegram", str(n)), f"s{n}")
    result = await site_service.sign(signer, SignatureForm(f"Signer {n}"), community=community)
    await site_service.approve(MOD, [result.signature.id])


async def test_the_page_shows_the_table_when_it_is_public(tmp_path: Path) -> None:
    async with serve_site(tmp_path, public_communities=True) as site:
        await site.service.community_seen("telegram:-100", "<script>alert(1)</script> Makers")
        await _sign(site.service, 1, "telegram:-100")
        await _sign(site.service, 2, "telegram:-100")
        await _sign(site.service, 3, "discord:dm")

        status, _, body = await site.get("/")

    assert status == 200
    page = body.decode()
    assert "Where the signatures come from" in page
    assert (
        "<tr><td>&lt;script&gt;alert(1)&lt;/script&gt; Makers</td><td>2</td><td>67%</td>"
        "<td>0</td><td>2</td></tr>"
    ) in page
    assert (
        "<tr><td>Discord direct messages</td><td>1</td><td>33%</td><td>0</td><td>1</td></tr>"
    ) in page
    assert "<script>alert(1)</script>" not in page


async def test_the_page_names_no_community_by_default(tmp_path: Path) -> None:
    async with serve_site(tmp_path) as site:
        await site.service.community_seen("telegram:-100", "Makers")
        await _sign(site.service, 1, "telegram:-100")

        status, _, body = await site.get("/")

    assert status == 200
    assert "Where the signatures come from" not in body.decode()
    assert "Makers" not in body.decode()
