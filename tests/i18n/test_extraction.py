"""Every text the code translates reaches the catalogue.

``make messages`` (Babel's Python extractor) does not look inside f-strings: a button label
written ``f"✍️ {tr.t('Sign the letter')}"`` is translated at run time only if some other module
happens to say the same text, and otherwise stays English in every language while the catalogue
checks pass. So a translation call must not sit inside an f-string: give the text a name first
(``label = tr.t("Sign the letter")``), then format.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRANSLATING = {"t", "n", "p", "msg", "nmsg", "pmsg"}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _hidden_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.JoinedStr):
            continue
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.Call)
                and _name(inner) in TRANSLATING
                and inner.args
                and isinstance(inner.args[0], ast.Constant)
                and isinstance(inner.args[0].value, str)
            ):
                found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    return found


def test_no_translation_call_hides_inside_an_f_string() -> None:
    files = sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "adapters").rglob("*.py"))
    hidden = [where for path in files for where in _hidden_calls(path)]
    assert not hidden, f"translated texts `make messages` cannot see (name them first): {hidden}"
