"""Stack commands: render, validate, plan, deploy, outputs, destroy. Flags in, engine calls, output out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iacli.cli.options import OutputFormat, OutputOpt, YesOpt, make_engine, with_stack_options

if TYPE_CHECKING:
    from iacli.cli.output import Output
    from iacli.engine import StackRequest


def register(app: typer.Typer) -> None:
    """Add the stack commands to the root app."""
    for command in (render, validate, plan, diff, deploy, outputs, resources, status, logs, destroy):
        app.command(command.__name__)(command)


@with_stack_options
def render(
    request: StackRequest,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Write the rendered template here.")] = None,
) -> None:
    """Render a blueprint's template for a provider (printed, or written to a folder)."""
    prepared = make_engine().prepare(request)
    template = prepared.deployable.template
    if out_dir is None:
        sys.stdout.write(template.text)
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / template.source.name.removesuffix(".j2")
    target.write_text(template.text, encoding="utf-8")
    for asset in template.assets.values():
        (out_dir / f"{asset.sha256[:12]}.zip").write_bytes(asset.data)
    _output().info(f"wrote {target}" + (f" and {len(template.assets)} asset zip(s)" if template.assets else ""))


@with_stack_options
def validate(request: StackRequest, output: OutputOpt = OutputFormat.TEXT) -> None:
    """Render and check a template offline (cfn-lint on AWS); exit 3 on errors."""
    from iacli.errors import ExitCode

    engine = make_engine()
    prepared = engine.prepare(request, secrets_optional=True)  # validating needs no secret values
    diagnostics = engine.validate(prepared)
    _output(output).diagnostics(diagnostics, str(prepared.deployable.template.source))
    if any(d.severity.value == "error" for d in diagnostics):
        raise typer.Exit(int(ExitCode.INVALID))


@with_stack_options
def plan(
    request: StackRequest,
    output: OutputOpt = OutputFormat.TEXT,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Save the plan; `iacli deploy FILE` applies it.")
    ] = None,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 6 when there are changes, 0 when none.")
    ] = False,
) -> None:
    """Show what a deploy would create, change, replace or delete, and what loses data."""
    from iacli.errors import ExitCode
    from iacli.planfile import plan_document, write_plan

    ui = _output(output)
    engine = make_engine()
    planned = engine.plan(request, ui.event)
    ui.plan(planned.plan)
    if out_file is not None:
        prepared = planned.prepared
        secrets = frozenset(n for n, spec in prepared.specs.items() if spec.secret)
        write_plan(out_file, plan_document(planned.plan, request, secrets, prepared.params.public_digest()))
        ui.note(f"plan saved to {out_file}; apply it with: iacli deploy {out_file}")
    else:
        engine.discard(planned)
    if detailed_exitcode and planned.plan.has_changes:
        raise typer.Exit(int(ExitCode.CHANGES_PRESENT))


@with_stack_options
def diff(
    request: StackRequest,
    output: OutputOpt = OutputFormat.TEXT,
    show_secrets: Annotated[bool, typer.Option("--show-secrets", help="Show secret values in clear.")] = False,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 6 when something differs, 0 when nothing does.")
    ] = False,
) -> None:
    """What differs between what is deployed and what would be rendered now (no change set, no change)."""
    from iacli.errors import ExitCode

    result = make_engine().diff(request, show_secrets)
    _output(output).plan(result, title="Diff")
    if detailed_exitcode and result.has_changes:
        raise typer.Exit(int(ExitCode.CHANGES_PRESENT))


@with_stack_options
def deploy(request: StackRequest, yes: YesOpt = False, output: OutputOpt = OutputFormat.TEXT) -> None:
    """Render, validate, plan, ask, apply and print the outputs (or apply a saved plan: deploy FILE.json,
    with -p giving its secret values again where the provider needs them)."""
    from iacli.planfile import read_plan

    ui = _output(output)
    engine = make_engine()
    saved = _saved_plan(request)
    locked_request = read_plan(saved)[1] if saved else request
    with engine.lock(locked_request, "iacli deploy"):
        planned, request = (engine.saved_plan(saved, request.assignments) if saved
                            else (engine.plan(request, ui.event), request))
        if not planned.plan.has_changes:
            if not ui.json_mode:
                ui.plan(planned.plan)
            engine.discard(planned)
            ui.outputs(engine.outputs(request))
            return
        if not ui.json_mode:
            ui.plan(planned.plan)
        if not confirm(yes, f"Apply these changes to {planned.plan.stack}?"):
            engine.discard(planned)
            ui.note("nothing deployed")
            raise typer.Exit(0)
        ui.note(f"deploying {planned.plan.stack} ...")
        result = engine.apply(planned, ui.event, request=request)
    ui.info(f"\n[green]Deployed[/] {result.apply.stack} ({result.apply.status})")
    ui.outputs(result.outputs)


def _saved_plan(request: StackRequest) -> Path | None:
    name = request.blueprint
    if name and name.endswith(".json") and request.template_file is None:
        return Path(name)
    return None


@with_stack_options
def outputs(request: StackRequest, output: OutputOpt = OutputFormat.TEXT) -> None:
    """Print the deployed stack's outputs (neutral names for blueprints)."""
    _output(output).outputs(make_engine().outputs(request))


@with_stack_options
def resources(request: StackRequest, output: OutputOpt = OutputFormat.TEXT) -> None:
    """List the deployed stack's resources with their physical ids."""
    ui = _output(output)
    items = make_engine().resources(request)
    if ui.json_mode:
        ui.emit_json(items)
        return
    for r in items:
        ui.info(f"{r['logical_id']:<36} {r['type']:<40} {r['physical_id']}")


@with_stack_options
def status(request: StackRequest, output: OutputOpt = OutputFormat.TEXT) -> None:
    """Runtime state of the stack's containers: state, restarts, IP, FQDN, per-container state."""
    ui = _output(output)
    data = make_engine().status(request)
    if ui.json_mode:
        ui.emit_json(data)
        return
    ui.status(data)


@with_stack_options
def logs(
    request: StackRequest,
    container: Annotated[str | None, typer.Option("--container", metavar="NAME", help="Only this container.")] = None,
    tail: Annotated[int | None, typer.Option("--tail", metavar="N", help="Only the last N lines.")] = None,
) -> None:
    """Recent logs of the stack's containers."""
    sys.stdout.write(make_engine().logs(request, container, tail))


@with_stack_options
def destroy(request: StackRequest, yes: YesOpt = False) -> None:
    """Delete the stack and every resource it owns."""
    ui = _output()
    engine = make_engine()
    target = engine.target(request)
    if not confirm(yes, f"Destroy {target.stack} on {target.label} and every resource in it?"):
        ui.note("nothing destroyed")
        raise typer.Exit(0)
    with engine.lock(request, "iacli destroy"):
        deleted = engine.destroy(request, ui.event)
    ui.info(f"[green]Destroyed[/] {target.stack}: {len(deleted)} resource(s) deleted")


def _output(fmt: OutputFormat = OutputFormat.TEXT) -> Output:
    from iacli.cli.output import Output

    return Output(fmt is OutputFormat.JSON)


def confirm(yes: bool, question: str) -> bool:
    from iacli.errors import UsageError

    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(f"{question.rstrip('?')} needs confirmation", hint="pass --yes in non-interactive runs")
    return typer.confirm(question, default=False)
