"""The ``pledgebot`` command line. Errors are one line on stderr and a non-zero exit code.

Only :mod:`argparse` is imported before the arguments are parsed: ``--help`` and ``--version``
answer without loading pydantic, asyncio or any platform library. Everything a command builds
comes from the composition root, :mod:`bot.app`.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from bot.i18n.languages import LANGUAGES

if TYPE_CHECKING:
    from pathlib import Path

    from bot.config import Settings
    from bot.domain import TranslationCheck
    from bot.logs import Redactor

__all__ = ["EXIT_CONFIG", "EXIT_ERROR", "main", "parse_args", "whole_parser"]

EXIT_ERROR = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130


class _Version(argparse.Action):
    """``--version``: printed from ``bot.__version__``, which packaging reads too, so no package
    metadata is scanned to answer it."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from bot import __version__

        print(f"pledgebot {__version__}")
        parser.exit()


class _Nowhere:
    """A stream that is never a terminal (so no progress bars are drawn on it)."""

    def isatty(self) -> bool:
        return False


_NOWHERE: Any = _Nowhere()


def _path(text: str) -> Path:
    from pathlib import Path

    return Path(text)


PROG = "pledgebot"


def _run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "--only",
        choices=("discord", "telegram", "console", "web"),
        help="run just this adapter (several processes can then share one PostgreSQL store)",
    )


def _console_options(console: argparse.ArgumentParser) -> None:
    console.add_argument(
        "--as",
        dest="user",
        default="artist",
        metavar="USER",
        help="act as this user (moderators are listed in [console])",
    )
    console.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="the console's language (default: [console] language, else [i18n] default_language)",
    )


def _export_options(export: argparse.ArgumentParser) -> None:
    export.add_argument("--format", choices=("csv", "json"), required=True)
    export.add_argument("--output", metavar="FILE", type=_path, help="default: standard output")
    export.add_argument(
        "--with-ids",
        action="store_true",
        help="include platform user ids (personal data: handle with care)",
    )


def _snapshot_options(snapshot: argparse.ArgumentParser) -> None:
    snapshot.add_argument("--output", metavar="FILE", type=_path, help="also write it to FILE")


def _publish_options(publish: argparse.ArgumentParser) -> None:
    publish.add_argument("dir", type=_path, metavar="DIR")


def _health_options(health: argparse.ArgumentParser) -> None:
    health.add_argument(
        "--max-age",
        type=float,
        default=None,
        metavar="SECONDS",
        help="a heartbeat older than this means the bot is stuck (default: 60)",
    )


def _backup_options(backup: argparse.ArgumentParser) -> None:
    backup.add_argument("file", type=_path, metavar="FILE")


def _copy_options(copy: argparse.ArgumentParser) -> None:
    copy.add_argument("--from", dest="source", required=True, metavar="URL")
    copy.add_argument("--to", dest="target", required=True, metavar="URL")
    copy.add_argument("--force", action="store_true", help="replace a non-empty target")
    copy.add_argument("-v", "--verbose", action="store_true", help="log debug details")


def _verify_options(verify: argparse.ArgumentParser) -> None:
    verify.add_argument("file", type=_path, metavar="FILE")
    verify.add_argument("--previous", type=_path, metavar="FILE", help="the snapshot before it")


#: Each command: its line in ``--help``, whether it takes the common options (``--config``,
#: ``--storage-url``, ``-v``), and what adds its own.
_COMMANDS: dict[str, tuple[str, bool, Callable[[argparse.ArgumentParser], None] | None]] = {
    "run": ("start every adapter whose token is set (else the console)", True, _run_options),
    "console": ("the terminal chat", True, _console_options),
    "export": ("export approved signatures", True, _export_options),
    "snapshot": ("record a verifiable snapshot of the signatories", True, _snapshot_options),
    "publish": ("write the public page as a static site to DIR", True, _publish_options),
    "check-config": ("validate the configuration, try the store and say what is on", True, None),
    "health": (
        "is the running bot well? (reads run.heartbeat_file; exit 0 if so, 1 if not)",
        True,
        _health_options,
    ),
    "backup": ("online backup of the SQLite database to FILE", True, _backup_options),
    "copy-store": (
        "copy everything from one store to another and verify the copy",
        False,
        _copy_options,
    ),
    "verify": (
        "check a snapshot's sha256 and, with --previous, the chain to another",
        False,
        _verify_options,
    ),
}


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", metavar="PATH", help="TOML config file (default: ./config.toml)"
    )
    common.add_argument("--storage-url", metavar="URL", help="overrides storage.url")
    common.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    return common


def whole_parser() -> argparse.ArgumentParser:
    """The whole command line: every command's parser, for ``--help`` and anything unusual."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Gather signatures for an open letter on Discord, Telegram and the console.",
    )
    parser.add_argument("--version", action=_Version)
    common = _common()
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_line, shared, options) in _COMMANDS.items():
        command = sub.add_parser(name, parents=[common] if shared else [], help=help_line)
        if options is not None:
            options(command)
    return parser


def _command_parser(name: str) -> argparse.ArgumentParser:
    """One command's parser, the same as :func:`whole_parser` makes for it (the same program name
    ``pledgebot NAME``, options, help and errors) without the other nine."""
    _, shared, options = _COMMANDS[name]
    command = argparse.ArgumentParser(prog=f"{PROG} {name}", parents=[_common()] if shared else [])
    if options is not None:
        options(command)
    return command


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The arguments, as :func:`whole_parser` parses them. ``pledgebot COMMAND ...`` is parsed
    by that command's parser alone: building every command's parser, each asking gettext for
    its headings, cost about 12 M instructions of every start (1.4 % of the console's way to
    its first line). Anything else -- ``--help``, ``--version``, an unknown command, arguments the
    command does not know -- goes to the whole parser, which answers as it always has."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in _COMMANDS:
        namespace = argparse.Namespace(version=None, command=args[0])
        parsed, unknown = _command_parser(args[0]).parse_known_args(args[1:], namespace)
        if not unknown:
            return parsed
    return whole_parser().parse_args(args)


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if args.storage_url:
        overrides["storage"] = {"url": args.storage_url}
    return overrides


async def _check_config(settings: Settings, path: Path | None) -> int:
    from bot import app
    from bot.config import ConfigError
    from bot.logs import hide_password

    s = settings
    letter = app.build_letter(settings)

    def on(enabled: bool) -> str:
        return "on (token set)" if enabled else "off (no token)"

    print(f"config file: {path or 'none (defaults and environment only)'}")
    print(f"letter: “{letter.title}”, {len(letter.demands)} demands, version {letter.version}")
    for check in letter.translation_checks():
        print(f"translation {check.language}: {_translation_state(check)}")
    print(
        f"signing: approval {s.signing.approval}, anonymous "
        f"{'allowed' if s.signing.allow_anonymous else 'not allowed'}"
    )
    print(f"milestones: {s.milestones.thresholds}, then every {s.milestones.every or 'never'}")
    code = 0
    try:
        opened, how = await app.check_store(settings)
    except ConfigError as exc:
        opened, how, code = False, str(exc).removeprefix("storage.url: "), EXIT_CONFIG
    print(f"storage: {hide_password(s.storage.url)}: {how}")
    print(f"discord: {on(s.discord.enabled)}")
    print(f"telegram: {on(s.telegram.enabled)}")
    for warning in app.config_warnings(settings):
        print(f"warning: {warning}")
    if not opened:
        print("the store cannot be used: see the storage line")
        return code or EXIT_ERROR
    print("configuration OK")
    return 0


def _translation_state(check: TranslationCheck) -> str:
    if check.complete:
        return "complete"
    gaps = (
        [f"{check.demands} of {check.of_demands} demands"]
        if check.demands != check.of_demands
        else []
    )
    gaps += [f"no {part}" for part in check.missing]
    return f"incomplete ({', '.join(gaps)}): readers of it see the original until it is complete"


def _secrets(settings: Settings) -> list[str]:
    from bot.logs import url_password

    return [
        settings.discord.token.get_secret_value(),
        settings.telegram.token.get_secret_value(),
        settings.telegram.webhook_secret.get_secret_value(),
        url_password(settings.storage.url),
    ]


async def _dispatch(args: argparse.Namespace, settings: Settings, path: Path | None) -> int:
    from bot import app
    from bot.progress import on_terminal

    if args.command == "run":
        await app.run_bot(settings, only=args.only)
    elif args.command == "console":
        await app.run_console(settings, user=args.user, language=args.lang)
    elif args.command == "export":
        # No bars when the export itself is printed on the same terminal.
        beside = args.output is None and sys.stdout.isatty()
        with on_terminal(_NOWHERE if beside else sys.stderr) as bars:
            written = await app.export_to(
                settings, args.format, args.output, with_ids=args.with_ids, progress=bars
            )
        if args.output is not None:
            print(f"wrote {written} bytes to {args.output}", file=sys.stderr)
    elif args.command == "publish":
        with on_terminal(sys.stderr) as bars:
            site = await app.publish_to(settings, args.dir, progress=bars)
        print(f"published {site.pages} page(s), {site.files} files to {site.path}", file=sys.stderr)
    elif args.command == "snapshot":
        taken, path = await app.snapshot_to(settings, args.output)
        print(f"{taken.sha256}  {path}")
        print(
            f"snapshot of {taken.approved} signatures ({taken.listed} listed), previous "
            f"{taken.previous or 'none'}",
            file=sys.stderr,
        )
    elif args.command == "backup":
        with on_terminal(sys.stderr) as bars:
            await app.backup_to(settings, args.file, progress=bars)
        print(f"backed up to {args.file}", file=sys.stderr)
    elif args.command == "check-config":
        return await _check_config(settings, path)
    return 0


async def _copy_store(args: argparse.Namespace) -> int:
    from bot import app
    from bot.progress import on_terminal
    from bot.transfer import CopyMismatch, CopyRefused

    try:
        with on_terminal(sys.stderr) as bars:
            await app.copy_store(
                args.source,
                args.target,
                force=args.force,
                progress=lambda line: print(line),
                bars=bars,
            )
    except (CopyRefused, CopyMismatch) as exc:
        print(f"pledgebot: {exc}", file=sys.stderr)
        return EXIT_ERROR
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


def _health(settings: Settings, max_age: float | None) -> int:
    """``pledgebot health``: a container's HEALTHCHECK. Reads the heartbeat file only."""
    from pathlib import Path

    from bot.health import MAX_AGE, read_heartbeat

    if not settings.run.heartbeat_file:
        print("pledgebot: run.heartbeat_file is not set: nothing to check", file=sys.stderr)
        return EXIT_CONFIG
    verdict = read_heartbeat(
        Path(settings.run.heartbeat_file), max_age=MAX_AGE if max_age is None else max_age
    )
    print(verdict.message, file=sys.stdout if verdict.healthy else sys.stderr)
    return 0 if verdict.healthy else EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    # The collector is paused while pledgebot starts: importing pydantic, the settings and the
    # core makes ~100,000 objects and almost no garbage, yet set 76 young and 7 middle passes
    # walking them, about 12 ms of CPU before the console's first line. The core turns it
    # back on once it serves (bot.app.collector.tuned_for_serving); a command ending here does.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(argv)
    finally:
        if collecting:
            gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    args = parse_args(argv)
    if args.command == "verify":
        return _verify(args)
    # Only now the heavy imports: parsing (and so --help and --version) needs none of them.
    import logging

    from bot.config import ConfigError, load_settings
    from bot.logs import Redactor, install_excepthooks, setup_logging, url_password

    if args.command == "copy-store":  # two explicit URLs: no config involved
        redact = Redactor([url_password(args.source), url_password(args.target)])
        install_excepthooks(redact)
        setup_logging(logging.DEBUG if args.verbose else logging.WARNING, redact)
        return _run(_copy_store(args), redact)
    try:
        settings, path = load_settings(args.config, **_overrides(args))
    except ConfigError as exc:
        print(f"pledgebot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    redact = Redactor(_secrets(settings))
    install_excepthooks(redact)
    if args.command == "health":
        return _health(settings, args.max_age)
    quiet = args.command in ("console", "export", "backup", "publish", "check-config", "snapshot")
    level = logging.DEBUG if args.verbose else logging.WARNING if quiet else logging.INFO
    setup_logging(level, redact)
    return _run(_dispatch(args, settings, path), redact)


def _run(job: Coroutine[Any, Any, int], redact: Redactor) -> int:
    """Run a command; any error becomes one line on stderr and a non-zero exit. The line goes
    through ``redact``: a library's exception text may quote a token."""
    import asyncio
    import logging

    from bot.config import ConfigError

    try:
        return asyncio.run(job)
    except ConfigError as exc:
        print(f"pledgebot: {redact(str(exc))}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # one line for the operator; the details are in the debug log
        logging.getLogger("pledgebot").debug("fatal error", exc_info=True)
        print(f"pledgebot: error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
