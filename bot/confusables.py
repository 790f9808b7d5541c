"""Names that look alike: comparison keys from the Unicode confusables data (UTS #39).

An impersonator signs as "Аlice Smith" (Cyrillic А) or "AIice Smith" (capital I for l) next to
the real Alice Smith. Moderators should see "possible duplicate of #12" on such a signature, so
each name gets keys that two look-alike names share.

The UTS #39 *skeleton* maps every character to the prototype of its confusable class. The data is
Unicode's confusables.txt as shipped by the maintained ``confusable-homoglyphs`` package; it pairs
each confusable character with its prototype, in both directions, so the prototype of a class is
the character paired with many (the centre of the star), and of a lone pair, the smaller one.

One key cannot serve both ways people fake a name: "ALICE" matches "alice" only if case is folded
first, while "AIice" matches "Alice" only if the skeleton is taken before folding (folding makes
the capital I an i, no longer an l look-alike). So a name has two keys and a match on either flags
a possible duplicate.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources

__all__ = ["name_keys", "skeleton"]

_MARKS = "\u200e\u200f"  # the data wraps right-to-left characters in direction marks


@cache
def _prototypes() -> dict[str, str]:
    raw = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )
    pairs = {k.strip(_MARKS): [e["c"].strip(_MARKS) for e in v] for k, v in raw.items()}
    prototype: dict[str, str] = {}
    for char, partners in pairs.items():
        if len(char) != 1:
            continue  # only single characters are looked up; sequences are prototypes
        if len(partners) == 1:
            (partner,) = partners
            centre = len(pairs.get(partner, ())) > 1
            prototype[char] = partner if centre else min(char, partner)
    return prototype


@cache
def _ascii_table() -> dict[int, str]:
    """The skeleton of printable ASCII as a translate table (the common case, done in C)."""
    found = _prototypes()
    return {ord(c): found[c] for c in map(chr, range(32, 127)) if c in found}


def skeleton(text: str) -> str:
    if text.isascii():
        return text.translate(_ascii_table())
    found = _prototypes()
    mapped = unicodedata.normalize("NFD", text)
    # Until nothing changes: a prototype read from the pairs may itself contain a look-alike
    # (Ø → O + U+0338, and U+0338 pairs with U+0337), and a key must be stable.
    for _ in range(4):
        again = unicodedata.normalize("NFD", "".join(found.get(c, c) for c in mapped))
        if again == mapped:
            break
        mapped = again
    return mapped


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _letters(text: str) -> str:
    """Letters and digits only, without accents: "Björk" and "Bjork" are the same name here."""
    if text.isascii():
        return "".join(c for c in text if c.isalnum())
    return "".join(c for c in unicodedata.normalize("NFD", text) if c.isalnum())


def name_keys(name: str) -> tuple[str, str]:
    """``(name_key, look_key)``: case-insensitive look-alike key, and the case-sensitive one."""
    if name.isascii() and "%" not in name:
        return _ascii_keys(name)
    return _letters(_fold(skeleton(_fold(name)))), _letters(_fold(skeleton(name)))


# The same keys for ASCII, with bytes tables (the hot path of a signing burst). Among ASCII only
# 0 1 I | m have look-alikes that are letters or digits (0→O, 1→l, I→l, |→l, m→rn); "%" maps
# to "º/₀", which folds to letters, so names with it take the general path. A property test
# checks both paths agree.
_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = b"abcdefghijklmnopqrstuvwxyz"
_KEEP = set(_LOWER + _UPPER + b"0123456789|")
_DROP = bytes(b for b in range(128) if b not in _KEEP)
# name_key folds first: "I" is an i there; look_key maps it to l before folding.
_FOLDED = bytes.maketrans(_UPPER + b"01|", _LOWER + b"oll")
_LOOKED = bytes.maketrans(_UPPER + b"01|", _LOWER.replace(b"i", b"l") + b"oll")


def _ascii_keys(name: str) -> tuple[str, str]:
    raw = name.encode()
    folded = raw.translate(_FOLDED, _DROP).replace(b"m", b"rn")
    looked = raw.replace(b"m", b"rn").translate(_LOOKED, _DROP)
    return folded.decode(), looked.decode()
