"""How a command ends when something goes wrong: one line saying what and what to do."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import Any

import typer
from typer.core import TyperGroup

from chartcascade.cli.console import errors
from chartcascade.cli.runtime import settle_prefect

try:  # typer 0.2x ships its own copy of click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import ClickException  # type: ignore[assignment]

INTERRUPTED_EXIT = 130
DEBUG_HINT = "run it again with --debug for the traceback"
RUN_COMMANDS = ("sync", "demo")  # commands that run the chart flow in this process


class CommandGroup(TyperGroup):
    """The CLI's command group: an exception a command lets through ends it with one line
    (the traceback only with `--debug`); Ctrl-C ends it with exit code 130."""

    def invoke(self, ctx: Any) -> Any:
        _command[:] = [next((w for w in sys.argv[1:] if not w.startswith("-")), None)]
        previous = signal.signal(signal.SIGINT, _note_interrupt)
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, ClickException):
            if _interrupted.is_set():
                end_interrupted(ctx.invoked_subcommand)
            raise
        except KeyboardInterrupt:
            if ctx.params.get("debug"):
                raise
            end_interrupted(ctx.invoked_subcommand)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            if _interrupted.is_set():  # what Ctrl-C broke (often the temporary API) is no news
                end_interrupted(ctx.invoked_subcommand)
            say(describe(exc))
            raise typer.Exit(1) from None
        finally:
            signal.signal(signal.SIGINT, previous)
            settle_prefect()


_interrupted = threading.Event()
_command: list[str | None] = [None]


def _note_interrupt(signum: int, frame: Any) -> None:
    """Ctrl-C. With a temporary Prefect API (a terminal's Ctrl-C stops it too, and the run
    could not even record its end) or at a second Ctrl-C: end at once. With a Prefect server:
    interrupt as Python does, so the run is recorded as ended."""
    if _interrupted.is_set() or not prefect_api_url():
        end_interrupted(_command[0])
    _interrupted.set()
    signal.default_int_handler(signum, frame)


def end_interrupted(command: str | None) -> None:
    """Say what Ctrl-C left behind and exit 130 at once: the temporary Prefect API may be gone,
    so nothing waits to talk to it (a temporary API still running is stopped first)."""
    say(interrupted(command))
    stop_temporary_api()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(INTERRUPTED_EXIT)


def stop_temporary_api() -> None:
    """Stop the temporary Prefect API this process started, if any."""
    server = sys.modules.get("prefect.server.api.server")
    if server is None:
        return
    for instance in list(server.SubprocessASGIServer._instances.values()):
        with contextlib.suppress(Exception):
            instance.stop()


def interrupted(command: str | None) -> str:
    """What Ctrl-C left behind."""
    if command in RUN_COMMANDS:
        return (
            "interrupted: the run stopped where it was; what it stored is kept, and the "
            "next sync of the chart fetches only what is still missing"
        )
    return f"interrupted: `chartcascade {command}` stopped before it finished"


def say(message: str) -> None:
    """One error line on stderr (wrapped by the terminal, never broken by us)."""
    text = " ".join(message.split())
    errors.print(f"[bold red]error:[/] {text}", highlight=False, soft_wrap=True, markup=True)


def describe(exc: BaseException) -> str:
    """What went wrong, and what to do about it, for the exceptions commands meet."""
    import httpx
    from sqlalchemy.exc import DBAPIError

    from chartcascade.settings import ConfigurationError

    if isinstance(exc, ConfigurationError):
        return str(exc)
    if "ephemeral Prefect API server" in str(exc):
        return (
            "the temporary Prefect API did not start in time (a busy machine): run it again, "
            "raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or start a server "
            "(`prefect server start`) and set PREFECT_API_URL"
        )
    if isinstance(exc, DBAPIError):
        return database_problem(exc)
    if isinstance(exc, httpx.TransportError):
        return unreachable(exc)
    prefect_problem = prefect_api_problem(exc)
    if prefect_problem:
        return prefect_problem
    return masked(f"{type(exc).__name__}: {first_line(exc)} ({DEBUG_HINT})")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def database_problem(exc: Any) -> str:
    """A database error as one line: unreachable, not migrated, or as the driver said."""
    from chartcascade.db import safe_url
    from chartcascade.settings import get_settings

    where = safe_url(get_settings().database_url)
    detail = first_line(exc.orig) if exc.orig is not None else first_line(exc)
    if "no such table" in detail or "does not exist" in detail and "relation" in detail:
        return (
            f"the database at {where} has no chartcascade schema ({detail}): run "
            "`chartcascade db upgrade` (or a sync) first"
        )
    if "unable to open database file" in detail:
        return f"cannot open the SQLite database {where}: check the folder exists and is writable"
    return (
        f"cannot use the database at {where}: {detail}. Check DATABASE_URL and that the "
        "database server is running"
    )


def unreachable(exc: Any) -> str:
    """A connection that failed: to the Prefect API, or to the Soundcharts API."""
    try:
        url = str(exc.request.url)
    except RuntimeError:
        url = ""
    api = prefect_api_url()
    if api and url.startswith(api.rstrip("/").removesuffix("/api")):
        return prefect_unreachable(api, first_line(exc))
    if not url:
        return f"a connection failed: {first_line(exc)} ({DEBUG_HINT})"
    return (
        f"cannot reach {url.split('?')[0]}: {first_line(exc)}. Check SOUNDCHARTS_BASE_URL and "
        "the network"
    )


def prefect_api_url() -> str:
    """The configured Prefect API (empty: a temporary one per process)."""
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value() or os.environ.get("PREFECT_API_URL", ""))


def prefect_unreachable(api: str, detail: str) -> str:
    return (
        f"cannot reach the Prefect API at {masked(api)} ({masked(detail)}): start it "
        "(`prefect server start`) or unset PREFECT_API_URL to let a local run use a temporary one"
    )


def masked(text: str) -> str:
    """`text` with the password of any `scheme://user:password@host` in it replaced by ***."""
    import re

    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)


def prefect_api_problem(exc: BaseException) -> str | None:
    """A Prefect API that answered with an error."""
    from prefect.exceptions import PrefectHTTPStatusError

    if isinstance(exc, PrefectHTTPStatusError):
        return (
            f"the Prefect API answered {exc.response.status_code} to "
            f"{exc.request.method} {exc.request.url.path}: {first_line(exc)}"
        )
    return None


def api_hint(error: object) -> str:
    """What to do about a Soundcharts error that ended a run ("" when the message says it)."""
    from chartcascade.soundcharts.errors import (
        ApiConnectionError,
        AuthenticationError,
        QuotaExceededError,
        ServerError,
    )

    if isinstance(error, AuthenticationError):
        return (
            ": check the credentials (SOUNDCHARTS_APP_ID and SOUNDCHARTS_API_KEY, or "
            "SOUNDCHARTS_CLIENT_ID and SOUNDCHARTS_CLIENT_SECRET)"
        )
    if isinstance(error, QuotaExceededError):
        return ": the API quota is used up; run again once it is renewed"
    if isinstance(error, ApiConnectionError | ServerError):
        return ": the API did not answer; try again later (check SOUNDCHARTS_BASE_URL)"
    return ""
