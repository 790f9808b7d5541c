"""Plain-text rendering of core results for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from bot import texts
from bot.domain import AuditEntry, PendingItem, SignatoriesPage
from bot.service import Decision, Overview

__all__ = ["audit", "decisions", "letter", "pending", "signatories"]


def letter(view: Overview) -> str:
    lines = [view.letter.title.upper(), ""]
    if view.letter.preamble:
        lines += [view.letter.preamble, ""]
    lines += [f"  {n}. {d}" for n, d in enumerate(view.letter.demands, 1)]
    if view.letter.closing:
        lines += ["", view.letter.closing]
    lines += [
        "",
        count_line(view.count, view.next_milestone),
        "Sign with: /sign NAME | ROLE | LOCATION | LINK",
    ]
    return "\n".join(lines)


def count_line(count: int, next_milestone: int | None) -> str:
    return texts.count_line(count, next_milestone)


def signatories(page: SignatoriesPage) -> str:
    if not page.signatures:
        text = "No one is listed yet."
    else:
        lines = [f"Signatories, page {page.page} of {page.pages}:"]
        lines += [f"  #{s.id} {texts.describe_signature(s)}" for s in page.signatures]
        if page.has_next:
            lines.append(f"More: /signatories {page.page + 1}")
        text = "\n".join(lines)
    if page.anonymous:
        who = "person" if page.anonymous == 1 else "people"
        text += f"\n…and {page.anonymous} more {who} who signed without being listed."
    return text


def pending(items: Sequence[PendingItem]) -> str:
    if not items:
        return "No signatures are waiting for approval."
    blocks = [texts.mod_queue_summary(item) for item in items]
    return "\n".join(blocks) + "\nDecide with /approve ID… or /reject ID REASON."


def decisions(results: Sequence[Decision]) -> str:
    lines = []
    for d in results:
        if d.error is not None:
            lines.append(d.error.message)
        elif d.signature is not None:
            lines.append(f"#{d.signature_id} approved: {d.signature.public_name}.")
    return "\n".join(lines)


def audit(entries: Sequence[AuditEntry]) -> str:
    if not entries:
        return "The audit log is empty."
    lines = []
    for e in entries:
        target = f" #{e.signature_id}" if e.signature_id is not None else ""
        reason = f" — {e.reason}" if e.reason else ""
        lines.append(f"{e.at:%Y-%m-%d %H:%M:%S} {e.actor}: {e.action}{target}{reason}")
    return "\n".join(lines)
