"""The live posts owed an edit, kept for one group transaction (both SQL stores).

Every count change asks the store which live posts are owed an edit (``live_edits_owed``), and in
a burst that is every unit of a group: reading it once per group instead spares each signature a
query (SQLite) or a round trip (PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.ports import LiveEditOwed

__all__ = ["LiveOwed"]


class LiveOwed:
    """The live posts owed an edit, as this group transaction has them: read once, then kept
    up to date by the group's own writes.

    Nothing outside the transaction can change the answer before COMMIT: on PostgreSQL a waiting
    edit is locked (no dispatcher can send it), on SQLite the group holds the write lock; and the
    edits this group schedules are seen by no one else. Inside it, scheduling takes posts off the
    list; adding or ending a post makes the group read again, and so does a store-internal job in
    the group (SQLite's outbox claims and deliveries run there).
    """

    __slots__ = ("posts",)

    def __init__(self) -> None:
        self.posts: list[LiveEditOwed] | None = None  # None: not read yet in this transaction

    def scheduled(self, edits: Sequence[LiveEditOwed]) -> None:
        if self.posts is not None:
            done = {post_id for post_id, _, _ in edits}
            self.posts = [owed for owed in self.posts if owed[0] not in done]

    def forget(self) -> None:
        self.posts = None
