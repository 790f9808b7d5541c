"""The HTML helpers every message goes through: escaping, clipping and splitting never produce
a message Telegram would refuse."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from adapters.telegram.render import clip, esc, split, units
from tests.fakes.fake_telegram import render_html

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)  # no lone surrogates


@given(TEXT, st.integers(min_value=1, max_value=400))
def test_clip_is_valid_html_within_the_limit(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert units(clipped) <= limit or clipped == "…"
    plain, entities = render_html(clipped)  # raises on anything Telegram would not parse
    assert entities == []
    assert plain == text or (plain.endswith("…") and text.startswith(plain[:-1]))


@given(st.lists(TEXT.map(lambda t: f"<b>{esc(t)}</b>"), max_size=40), st.sampled_from([50, 4096]))
def test_split_keeps_every_line_whole_and_every_message_within_the_limit(
    lines: list[str], limit: int
) -> None:
    messages = split(lines, limit)
    for message in messages:
        assert units(message) <= limit
        render_html(message)
    fitting = [line for line in lines if units(line) <= limit]
    joined = "\n".join(messages)
    assert all(line in joined for line in fitting)


def test_an_oversized_line_becomes_plain_pieces_not_lost() -> None:
    line = "<i>" + esc("a < b & c " * 100) + "</i>"
    messages = split(["intro", line, "outro"], 100)
    assert messages[0] == "intro" and messages[-1] == "outro"
    middle = "".join(html.unescape(m) for m in messages[1:-1])
    assert middle == "a < b & c " * 100
    assert all(units(m) <= 100 for m in messages)


def test_units_count_utf16_like_telegram() -> None:
    assert units("🎉") == 2 and units("é") == 1
