"""Look-alike names (UTS #39 skeletons) are flagged to moderators as possible duplicates."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.confusables import name_keys, skeleton
from bot.domain import SignatureForm
from bot.service import PledgeService
from tests.conftest import MOD, artist


def alike(a: str, b: str) -> bool:
    (a1, a2), (b1, b2) = name_keys(a), name_keys(b)
    return a1 == b1 or a2 == b2


@pytest.mark.parametrize(
    ("real", "fake"),
    [
        ("Alice Smith", "Аlice Smith"),  # Cyrillic А
        ("Alice Smith", "AIice Smith"),  # capital I for l
        ("Alice Smith", "alice  SMITH"),
        ("KIM", "Kim"),
        ("John Doe", "J0hn Doe"),
        ("Kim", "Kirn"),  # rn for m
        ("Björk", "Bjork"),
        ("Zoë", "Zoe"),
        ("Ada Lovelace", "𝐀𝐝𝐚 𝐋𝐨𝐯𝐞𝐥𝐚𝐜𝐞"),  # mathematical bold
        ("Mira", "Мirа"),  # Cyrillic М and а
    ],
)
def test_look_alikes_share_a_key(real: str, fake: str) -> None:
    assert alike(real, fake)


@pytest.mark.parametrize(("a", "b"), [("Ann", "Anne"), ("Alice", "Alicia"), ("Li", "Lu")])
def test_different_names_do_not(a: str, b: str) -> None:
    assert not alike(a, b)


@given(st.text(max_size=40))
def test_skeleton_is_stable(text: str) -> None:
    once = skeleton(text)
    assert skeleton(once) == once
    assert name_keys(unicodedata.normalize("NFKC", text)) == name_keys(
        unicodedata.normalize("NFKC", unicodedata.normalize("NFD", text))
    )


async def test_an_impersonation_is_flagged_to_moderators(service: PledgeService) -> None:
    real = (await service.sign(artist(1), SignatureForm("Alice Smith"), community="c")).signature
    await service.approve(MOD, [real.id])
    for n, name in enumerate(["Аlice Smith", "AIice Smith", "Bob Jones"], 2):
        await service.sign(artist(n), SignatureForm(name), community="c")
    pending = await service.pending(MOD)
    ids = {i.signature.name: i.signature.id for i in pending}
    flagged = {i.signature.name: [d.id for d in i.possible_duplicates] for i in pending}
    # Each impersonation is flagged against the approved name and against the other, pending one.
    assert flagged == {
        "Аlice Smith": [real.id, ids["AIice Smith"]],
        "AIice Smith": [real.id, ids["Аlice Smith"]],
        "Bob Jones": [],
    }


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_the_ascii_fast_path_gives_the_general_keys(name: str) -> None:
    from bot.confusables import _fold, _letters

    general = (_letters(_fold(skeleton(_fold(name)))), _letters(_fold(skeleton(name))))
    assert name_keys(name) == general
