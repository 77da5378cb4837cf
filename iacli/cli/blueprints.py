"""``iacli blueprints list|show``."""

from __future__ import annotations

from typing import Annotated

import typer

from iacli.cli.options import OutputFormat, OutputOpt

app = typer.Typer(help="List and inspect blueprints.", no_args_is_help=True)


@app.command("list")
def list_blueprints(output: OutputOpt = OutputFormat.TEXT) -> None:
    """List built-in and project blueprints."""
    from iacli.blueprint.loader import iter_blueprints
    from iacli.cli.options import make_engine
    from iacli.cli.output import Output

    engine = make_engine()
    Output(output is OutputFormat.JSON).blueprints(iter_blueprints(engine.project_dir))


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Blueprint name.")], output: OutputOpt = OutputFormat.TEXT
) -> None:
    """Show a blueprint's parameters (type, default, allowed values), outputs and what it builds."""
    from iacli.blueprint.loader import load_blueprint
    from iacli.cli.options import make_engine
    from iacli.cli.output import Output

    engine = make_engine()
    Output(output is OutputFormat.JSON).blueprint(load_blueprint(name, engine.project_dir))
