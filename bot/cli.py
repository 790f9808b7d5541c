"""The ``pledgebot`` command line. Errors are one line on stderr and a non-zero exit code."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Coroutine, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings, load_settings
from bot.domain import Letter
from bot.logs import setup_logging

__all__ = ["main"]

EXIT_CONFIG = 2


def _version() -> str:
    try:
        return version("pledgebot")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pledgebot",
        description="Gather signatures for an open letter on Discord, Telegram and the console.",
    )
    parser.add_argument("--version", action="version", version=f"pledgebot {_version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", metavar="PATH", help="TOML config file (default: ./config.toml)"
    )
    common.add_argument("--storage-url", metavar="URL", help="overrides storage.url")
    common.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run", parents=[common], help="start every adapter whose token is set (else the console)"
    )
    run.add_argument(
        "--only",
        choices=("discord", "telegram", "console", "web"),
        help="run just this adapter (several processes can then share one PostgreSQL store)",
    )
    console = sub.add_parser("console", parents=[common], help="the terminal chat")
    console.add_argument(
        "--as",
        dest="user",
        default="artist",
        metavar="USER",
        help="act as this user (moderators are listed in [console])",
    )
    export = sub.add_parser("export", parents=[common], help="export approved signatures")
    export.add_argument("--format", choices=("csv", "json"), required=True)
    export.add_argument("--output", metavar="FILE", type=Path, help="default: standard output")
    export.add_argument(
        "--with-ids",
        action="store_true",
        help="include platform user ids (personal data: handle with care)",
    )
    publish = sub.add_parser(
        "publish", parents=[common], help="write the public page as a static site to DIR"
    )
    publish.add_argument("dir", type=Path, metavar="DIR")
    sub.add_parser(
        "check-config", parents=[common], help="validate the configuration and say what is on"
    )
    backup = sub.add_parser(
        "backup", parents=[common], help="online backup of the SQLite database to FILE"
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    copy = sub.add_parser(
        "copy-store", help="copy everything from one store to another and verify the copy"
    )
    copy.add_argument("--from", dest="source", required=True, metavar="URL")
    copy.add_argument("--to", dest="target", required=True, metavar="URL")
    copy.add_argument("--force", action="store_true", help="replace a non-empty target")
    copy.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    verify = sub.add_parser(
        "verify", help="check a snapshot's sha256 and, with --previous, the chain to another"
    )
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.add_argument("--previous", type=Path, metavar="FILE", help="the snapshot before it")
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if args.storage_url:
        overrides["storage"] = {"url": args.storage_url}
    return overrides


def _check_config(settings: Settings, path: Path | None) -> None:
    s = settings
    letter = Letter(s.letter.title, s.letter.preamble, tuple(s.letter.demands), s.letter.closing)

    def on(enabled: bool) -> str:
        return "on (token set)" if enabled else "off (no token)"

    print(f"config file: {path or 'none (defaults and environment only)'}")
    print(f"letter: “{letter.title}”, {len(letter.demands)} demands, version {letter.version}")
    print(
        f"signing: approval {s.signing.approval}, anonymous "
        f"{'allowed' if s.signing.allow_anonymous else 'not allowed'}"
    )
    print(f"milestones: {s.milestones.thresholds}, then every {s.milestones.every or 'never'}")
    print(f"storage: {s.storage.url.split('@')[-1] if '@' in s.storage.url else s.storage.url}")
    print(f"discord: {on(s.discord.enabled)}")
    print(f"telegram: {on(s.telegram.enabled)}")
    print("configuration OK")


def _secrets(settings: Settings) -> list[str]:
    return [
        settings.discord.token.get_secret_value(),
        settings.telegram.token.get_secret_value(),
        settings.telegram.webhook_secret.get_secret_value(),
    ]


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot import app

    if args.command == "run":
        await app.run_bot(settings, only=args.only)
    elif args.command == "console":
        await app.run_console(settings, user=args.user)
    elif args.command == "export":
        written = await app.export_to(settings, args.format, args.output, with_ids=args.with_ids)
        if args.output is not None:
            print(f"wrote {written} bytes to {args.output}", file=sys.stderr)
    elif args.command == "publish":
        site = await app.publish_to(settings, args.dir)
        print(f"published {site.pages} page(s), {site.files} files to {site.path}", file=sys.stderr)
    elif args.command == "backup":
        await app.backup_to(settings, args.file)
        print(f"backed up to {args.file}", file=sys.stderr)
    return 0


async def _copy_store(args: argparse.Namespace) -> int:
    from bot import app
    from bot.transfer import CopyMismatch, CopyRefused

    try:
        await app.copy_store(
            args.source, args.target, force=args.force, progress=lambda line: print(line)
        )
    except (CopyRefused, CopyMismatch) as exc:
        print(f"pledgebot: {exc}", file=sys.stderr)
        return 1
    return 0


def _verify(args: argparse.Namespace) -> int:
    """``pledgebot verify``: needs no configuration, only the files (anyone can run it)."""
    from bot.snapshot import report, verify

    try:
        data = args.file.read_bytes()
        previous = args.previous.read_bytes() if args.previous is not None else None
    except OSError as exc:
        print(f"pledgebot: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    lines, code = report(
        verify(data, previous), str(args.file), args.previous and str(args.previous)
    )
    print("\n".join(lines), file=sys.stderr if code else sys.stdout)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "verify":
        return _verify(args)
    if args.command == "copy-store":  # two explicit URLs: no config involved
        setup_logging(logging.DEBUG if args.verbose else logging.WARNING)
        return _run(_copy_store(args))
    try:
        settings, path = load_settings(args.config, **_overrides(args))
    except ConfigError as exc:
        print(f"pledgebot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "check-config":
        _check_config(settings, path)
        return 0
    quiet = args.command in ("console", "export", "backup", "publish")
    level = logging.DEBUG if args.verbose else logging.WARNING if quiet else logging.INFO
    setup_logging(level, _secrets(settings))
    return _run(_dispatch(args, settings))


def _run(job: Coroutine[Any, Any, int]) -> int:
    """Run a command; any error becomes one line on stderr and a non-zero exit."""
    try:
        return asyncio.run(job)
    except ConfigError as exc:
        print(f"pledgebot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one line for the operator; the details are in the debug log
        logging.getLogger("pledgebot").debug("fatal error", exc_info=True)
        print(f"pledgebot: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
