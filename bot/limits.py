"""How much one answer holds: one number each, for every adapter.

A page of signatories, the audit log's default and longest listing, how many signatures one
command may decide. Adapters read these instead of writing their own (a slash command's option
range, a help line), so the console, Discord and Telegram always agree. Lengths of the text a
person types are a different matter: :data:`bot.hygiene.LIMITS`.
"""

from __future__ import annotations

from datetime import timedelta

__all__ = [
    "AUDIT_DEFAULT",
    "AUDIT_MAX",
    "COMMUNITIES_SHOWN",
    "LIVE_DEMAND_SHORT",
    "LIVE_EDIT_FLOOR",
    "LIVE_POSTS_MAX",
    "LOOK_ALIKES_READ",
    "MAX_BATCH_DECISIONS",
    "MAX_LINKED_ACCOUNTS",
    "MAX_NUMBER",
    "PAGE_SIZE",
    "PENDING_DEFAULT",
]

#: Signatories on one page of ``/signatories``.
PAGE_SIZE = 20
#: The highest page or demand number anyone may ask for: nine digits, so what is typed is never
#: turned into a huge integer.
MAX_NUMBER = 999_999_999
#: Entries ``/audit`` shows when no number is given, and the most it shows.
AUDIT_DEFAULT = 20
AUDIT_MAX = 100
#: Signatures one ``/approve`` may decide at once.
MAX_BATCH_DECISIONS = 50
#: Accounts one person may link together (``/link``): one per platform and a few more.
MAX_LINKED_ACCOUNTS = 8
#: Pending signatures ``/pending`` reads when an adapter does not say.
PENDING_DEFAULT = 50
#: Look-alike signatures one mod-queue read fetches at most: a brigade of one name (thousands of
#: copies) must not make every card read thousands of rows.
LOOK_ALIKES_READ = 200
#: Communities ``/communities`` and the public page list: the ones with the most approved.
COMMUNITIES_SHOWN = 20
#: Live letter posts kept current at once (each edit costs a platform call per count change).
LIVE_POSTS_MAX = 50
#: The shortest time between two edits of one live post, per platform, whatever the
#: configuration says: Telegram allows about 20 messages a minute in a group (one live post per
#: chat, so 3 s keeps it there), Discord five edits per 5 s in a channel.
LIVE_EDIT_FLOOR = {"telegram": timedelta(seconds=3), "discord": timedelta(seconds=1)}
#: A demand in a live post is cut to this many characters ("the demands in short").
LIVE_DEMAND_SHORT = 120
