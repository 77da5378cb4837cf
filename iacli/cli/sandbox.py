"""``iacli sandbox status|reset|stop``: the offline stand-ins of every installed provider."""

from __future__ import annotations

import typer

from iacli.cli.options import OutputFormat, OutputOpt

app = typer.Typer(help="Inspect, reset or stop the offline sandbox.", no_args_is_help=True)


def _sandboxes() -> list:  # type: ignore[type-arg]
    from iacli.cli.options import make_engine
    from iacli.providers import available_providers

    engine = make_engine()
    boxes = []
    for name in available_providers():
        box = engine.provider(name).sandbox()
        if box is not None:
            boxes.append(box)
    return boxes


@app.command()
def status(output: OutputOpt = OutputFormat.TEXT) -> None:
    """Show whether each provider's sandbox runs, its endpoint (usable with AWS_ENDPOINT_URL) and stacks."""
    from iacli.cli.output import Output

    Output(output is OutputFormat.JSON).sandbox(box.status() for box in _sandboxes())


@app.command()
def reset() -> None:
    """Forget everything deployed in the sandbox (it keeps running)."""
    from iacli.cli.output import Output

    for box in _sandboxes():
        box.reset()
    Output().info("sandbox reset: every stack and resource in it is gone")


@app.command()
def stop() -> None:
    """Stop the sandbox; its state is gone."""
    from iacli.cli.output import Output

    for box in _sandboxes():
        box.stop()
    Output().info("sandbox stopped")
