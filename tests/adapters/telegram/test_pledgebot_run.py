"""``pledgebot run`` with a Telegram token: the real composition root in a real process, serving
the fake Bot API, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from tests.adapters.telegram.conftest import JSON
from tests.fakes.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[3]


def _config(tmp_path: Path) -> Path:
    text = (ROOT / "config.example.toml").read_text()
    text = text.replace('url = "sqlite:///pledgebot.db"', f'url = "sqlite:///{tmp_path}/p.db"')
    text = text.replace('listen = "127.0.0.1:8080"', 'listen = ""')
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def _buttons(message: JSON) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def test_pledgebot_run_serves_telegram_and_stops_on_sigterm(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    ada, maud = fake.new_user("Ada"), fake.new_user("Maud")
    mod_chat = fake.new_supergroup("Moderators")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")},
        "PYTHONPATH": str(ROOT),
        "PLEDGEBOT_TELEGRAM__TOKEN": fake.token,
        "PLEDGEBOT_TELEGRAM__API_BASE_URL": fake.base_url,
        "PLEDGEBOT_TELEGRAM__MOD_CHAT_ID": str(mod_chat.id),
        "PLEDGEBOT_TELEGRAM__MODERATOR_USER_IDS": json.dumps([maud.id]),
        "PLEDGEBOT_I18N__DEFAULT_LANGUAGE": "fr",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(_config(tmp_path)),
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for("getUpdates", answered=False, timeout=30)
        fake.feed_command(ada, None, "/sign Ada Lovelace | composer")
        summary_call = await fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == ada.id)
        summary = fake.message(ada.id, summary_call.result["message_id"])
        assert summary is not None and "✍️ Sign" in _buttons(summary)
        fake.feed_button(ada, summary, "✍️ Sign")
        card_call = await fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == mod_chat.id, timeout=10
        )
        card = fake.message(mod_chat, card_call.result["message_id"])
        assert card is not None and card["text"].startswith("#1 Ada Lovelace, composer")
        # A post to the mod chat: in [i18n] default_language, whatever Ada's client speaks.
        assert "depuis telegram:private" in card["text"].splitlines()
        mark = fake.mark()
        fake.feed_button(maud, card, "✅ Approuver")
        notice = await fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == ada.id, since=mark, timeout=10
        )
        # To Ada, in the language she signed in (her client's, English), not the default one.
        assert "has been approved" in notice.params["text"]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    assert fake.token not in stderr.decode()
    last_poll = fake.calls_to("getUpdates")[-1]
    assert last_poll.params["timeout"] == 0  # polling was stopped, not killed
