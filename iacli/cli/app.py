"""The root command and the one error boundary that turns exceptions into exit codes."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from iacli import __version__

app = typer.Typer(
    name="iacli",
    help="One command line for infrastructure blueprints on AWS and Azure, with an offline sandbox.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"iacli {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
) -> None:
    """iacli: plan, deploy, inspect and destroy blueprints; `iacli blueprints list` to start."""


def _register() -> None:
    from iacli.cli import blueprints, releases, sandbox, stack

    app.add_typer(blueprints.app, name="blueprints")
    app.add_typer(sandbox.app, name="sandbox")
    stack.register(app)
    releases.register(app)


_register()


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("IACLI_DEBUG", "") not in ("", "0")


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app, map every failure to one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        result = app(args=args, prog_name="iacli", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        _stderr("aborted")
        code = 130
    except typer.TyperException as exc:  # typer's (vendored click) usage errors
        show = getattr(exc, "show", None)
        show() if callable(show) else _stderr(f"error: {exc}")
        code = int(getattr(exc, "exit_code", 2))
    except KeyboardInterrupt:
        _stderr("interrupted")
        code = 130
    except Exception as exc:  # noqa: BLE001 - the one error boundary: every failure becomes one line + exit code
        code = _report(exc, _debug_requested(args))
    if argv is None:
        sys.exit(code)
    return code


def _report(exc: Exception, debug: bool) -> int:
    from iacli.cli.output import Output
    from iacli.errors import ExitCode, IacliError

    if debug:
        import traceback

        traceback.print_exception(exc)
    if isinstance(exc, IacliError):
        Output().error(exc.message, exc.hint)
        return int(exc.exit_code)
    Output().error(f"internal error: {exc.__class__.__name__}: {exc}", "rerun with --debug for the traceback")
    return int(ExitCode.INTERNAL)


def _stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
