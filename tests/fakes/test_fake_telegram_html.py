"""The fake Bot API's fast HTML parse mode renders exactly what the character-by-character
original did: the same text and entities for what Telegram accepts, the same 400 "can't parse
entities: …" (same wording, same byte offset) for what it refuses. The hostile-input tests
rely on the fake refusing malformed HTML as Telegram does; this keeps the speed-up honest."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.fakes.fake_telegram.errors import BotApiError
from tests.fakes.fake_telegram.formatting import render_html
from tests.fakes.html_reference import reference_render_html

#: Pieces of HTML-ish text: every tag the parse mode knows (with and without the attributes that
#: change the entity), tags it refuses, entities it decodes or leaves alone, astral characters
#: (two UTF-16 units), a lone surrogate (which cannot be encoded) and the stray ``<``, ``>``,
#: ``&`` and quotes user input brings.
FRAGMENTS = [
    *(f"<{t}>" for t in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code")),
    *(f"</{t}>" for t in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code")),
    "<pre>",
    "</pre>",
    "<tg-spoiler>",
    "</tg-spoiler>",
    '<span class="tg-spoiler">',
    "<span>",
    "</span>",
    '<code class="language-python">',
    "<code class='language-'>",
    '<a href="https://example.org/?a=1&amp;b=2">',
    "<a href=tg://user?id=42>",
    '<a href="">',
    "<a>",
    "</a>",
    "<blockquote>",
    "<blockquote expandable>",
    "</blockquote>",
    '<tg-emoji emoji-id="5368324170671202286">',
    "</tg-emoji>",
    "<B>",
    "</B >",
    "<br>",
    "<br/>",
    "<div>",
    "</b x='1'>",
    "<b\tid = 'x'>",
    "<",
    ">",
    "</",
    "< b>",
    "<1>",
    "&",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&apos;",
    "&#65;",
    "&#x1F600;",
    "&#0;",
    "&#1114112;",
    "&#xD800;",
    "&nbsp;",
    "&amp",
    '"',
    "'",
    " ",
    "\n",
    "😀",
    "é",
    "\ud800",
    "Artist Number 7",
]

html_ish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=24).map(
    "".join
)

_BALANCED_TAGS = ["b", "i", "u", "s", "code", "pre", "tg-spoiler", "blockquote", "a"]


def _wrapped(children: list[str], tag: str) -> str:
    opening = {"a": '<a href="https://x.org">', "code": '<code class="language-go">'}
    return opening.get(tag, f"<{tag}>") + "".join(children) + f"</{tag}>"


#: Well-formed nested markup, so that the accepted path (entities, offsets) is reached often.
balanced = st.recursive(
    st.one_of(st.sampled_from(["x", "😀 ", "&lt;", "&#x1F600;", "a &amp; b", ""]), st.text()),
    lambda inner: st.builds(_wrapped, st.lists(inner, max_size=4), st.sampled_from(_BALANCED_TAGS)),
    max_leaves=12,
)


def _outcome(render: Any, source: str) -> tuple[str, Any]:
    """What ``render`` made of ``source``: its result, the Bot API error it answered, or the
    kind of any other exception (a lone surrogate cannot be UTF-16 encoded)."""
    try:
        return "ok", render(source)
    except BotApiError as exc:
        return "refused", (exc.status, exc.body())
    except Exception as exc:  # both must fail the same way, whatever the way
        return "crashed", type(exc)


@settings(max_examples=200, deadline=None)
@given(html_ish)
@example("<b>Please check your signature</b>\n\nArtist Number 7 · musician · Somewhere")
@example("a < b")
@example("<b>x</i>")
@example("</b>")
@example("<b>open")
@example("&#xD800;<b>")
@example('<a href="\ud800">x</a><br>')
@example("x\ud800<br>")
@example("<b>x</b>\ud800")
@example("<pre><code class='language-py'>1</code></pre>")
def test_fast_render_html_matches_the_reference(source: str) -> None:
    assert _outcome(render_html, source) == _outcome(reference_render_html, source)


@settings(max_examples=200, deadline=None)
@given(st.lists(balanced, max_size=4).map("".join))
def test_fast_render_html_matches_the_reference_on_well_formed_markup(source: str) -> None:
    assert _outcome(render_html, source) == _outcome(reference_render_html, source)
