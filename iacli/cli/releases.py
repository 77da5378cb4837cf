"""Release commands: history, rollback, doctor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from iacli.cli.options import OutputFormat, OutputOpt, YesOpt, make_engine, with_stack_options

if TYPE_CHECKING:
    from iacli.engine import StackRequest


def register(app: typer.Typer) -> None:
    """Add the release commands to the root app."""
    for command in (history, rollback, doctor):
        app.command(command.__name__)(command)


@with_stack_options
def history(
    request: StackRequest,
    output: OutputOpt = OutputFormat.TEXT,
    limit: Annotated[int | None, typer.Option("--limit", help="Show only the newest N releases.")] = None,
) -> None:
    """The stack's releases: number, when, who, git commit, kind, outcome and what changed."""
    from iacli.cli.output import Output

    key, releases, generation = make_engine().history(request)
    Output(output is OutputFormat.JSON).history(key, releases[:limit] if limit else releases, generation)


@with_stack_options
def rollback(
    request: StackRequest,
    to: Annotated[int | None, typer.Option("--to", metavar="N", help="Release to go back to (default: the previous good one).")] = None,
    yes: YesOpt = False,
    output: OutputOpt = OutputFormat.TEXT,
) -> None:
    """Plan going back to an earlier release, show it, ask, apply; recorded as a new release.

    The release's own parameters are deployed; -p / --params-file may only give secret values, which
    iacli never stores (ARM needs them again; on AWS they otherwise stay at their deployed values)."""
    from dataclasses import replace

    from iacli.cli.output import Output
    from iacli.cli.stack import confirm
    from iacli.rollback import choose_release, plan_rollback
    from iacli.state import ReleaseKind

    ui = Output(output is OutputFormat.JSON)
    engine = make_engine()
    with engine.lock(request, "iacli rollback"):
        release = choose_release(engine, request, to)
        rollback_plan = plan_rollback(engine, request, release, ui.event)
        planned = rollback_plan.planned
        ui.info(f"Rolling {planned.plan.stack} back to release {release.number} ({release.started_at}, {release.origin})")
        for name in rollback_plan.changed_secrets:
            ui.warn(f"secret {name} differs from the value release {release.number} was deployed with; "
                    "the value you gave is deployed")
        ui.plan(planned.plan)
        if not confirm(yes, f"Roll {planned.plan.stack} back to release {release.number}?"):
            engine.discard(planned)
            ui.note("nothing changed")
            raise typer.Exit(0)
        recorded = replace(request, assignments=(), params_file=None)  # the release's values, not -p
        result = engine.apply(planned, ui.event, kind=ReleaseKind.ROLLBACK, rollback_of=release.number, request=recorded)
    ui.info(f"\n[green]Rolled back[/] {result.apply.stack} to release {release.number}")
    ui.outputs(result.outputs)


@with_stack_options
def doctor(
    request: StackRequest,
    fix: Annotated[bool, typer.Option("--fix", help="Apply the remedies (asks unless --yes).")] = False,
    yes: YesOpt = False,
    output: OutputOpt = OutputFormat.TEXT,
) -> None:
    """Find what keeps a stack stuck and explain each; --fix --yes applies the remedies.

    AWS: failed rollbacks, empty failed stacks, abandoned change sets. Azure: stuck or failed deployments,
    leftover tagged resources, foreign groups. Both: locks of dead runs, unfinished releases."""
    from iacli.cli.output import Output
    from iacli.cli.stack import confirm
    from iacli.doctor import diagnose, remedy

    ui = Output(output is OutputFormat.JSON)
    engine = make_engine()
    findings = diagnose(engine, request)
    ui.findings(findings)
    fixable = [f for f in findings if f.fixable]
    if fix and fixable and confirm(yes, f"Apply {len(fixable)} remedy(ies)?"):
        for finding in fixable:
            ui.info(f"fixing: {finding.code.value}: {remedy(engine, request, finding)}")
    if findings and not fix:
        from iacli.errors import ExitCode

        raise typer.Exit(int(ExitCode.PROVIDER))
