"""The only place that prints: plans, progress events, outputs, tables, JSON, errors.

Text goes to stdout, progress and errors to stderr, so ``--output json`` stays machine-readable.
Colour follows rich's rules (NO_COLOR honoured, none when not a terminal).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from iacli.blueprint.model import Blueprint
    from iacli.plan import Change, Event, Plan, PropertyChange
    from iacli.providers import Diagnostic, Finding, SandboxInfo
    from iacli.state import Release, StackKey

_SYMBOL = {
    "create": ("+", "green"),
    "update": ("~", "yellow"),
    "replace": ("-/+", "magenta"),
    "delete": ("-", "red"),
    "noop": ("=", "dim"),
    "unknown": ("?", "cyan"),
}
_EVENT_STYLE = {"complete": "green", "failed": "red", "rolling-back": "magenta"}


class Output:
    """Renders values for people (rich) or machines (JSON)."""

    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        # emoji=False: ARNs like arn:aws:secretsmanager:…:secret:name must print as they are
        self.out = Console(highlight=False, soft_wrap=True, emoji=False)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

    # --- generic ----------------------------------------------------------------------------------
    def emit_json(self, data: Any) -> None:
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")

    def info(self, message: str) -> None:
        if not self.json_mode:
            self.out.print(message)

    def note(self, message: str) -> None:
        self.err.print(message)

    def warn(self, message: str) -> None:
        self.err.print(f"[yellow]warning:[/] {escape(message)}")

    def error(self, message: str, hint: str | None) -> None:
        self.err.print(f"[bold red]error:[/] {escape(message)}")
        if hint:
            self.err.print(f"  [dim]hint:[/] {escape(hint)}")

    # --- events -----------------------------------------------------------------------------------
    def event(self, event: Event) -> None:
        style = _EVENT_STYLE.get(event.status.value, "")
        reason = f"  {escape(event.reason)}" if event.reason else ""
        status = escape(event.raw_status or event.status.value)
        styled = f"[{style}]{status}[/]" if style else status
        self.err.print(f"  {escape(event.logical_id):<32} {styled}{reason}")

    # --- plans ------------------------------------------------------------------------------------
    def plan(self, plan: Plan, show_noop: bool = False, title: str = "Plan") -> None:
        if self.json_mode:
            self.emit_json(plan.to_dict())
            return
        new = " (new stack)" if plan.is_new_stack else ""
        self.out.print(f"{title} for [bold]{escape(plan.stack)}[/] on {escape(plan.target)}{new}")
        for change in plan.changes:
            if change.action.value != "noop" or show_noop:
                self._change(change)
        if plan.parameters:
            self.out.print("  Parameters:")
            for prop in plan.parameters:
                self.out.print(f"        {self._property(prop)}")
        self.out.print(self._summary(plan))

    def _change(self, change: Change) -> None:
        symbol, colour = _SYMBOL[change.action.value]
        risks = "".join(f" [bold red]\\[{r.value}][/]" for r in sorted(change.risks, key=lambda r: r.value))
        self.out.print(
            f"  [{colour}]{symbol:>3} {change.action.value:<8}[/] {escape(change.logical_id)}"
            f" [dim]({escape(change.resource_type)})[/]{risks}"
        )
        if change.reason:
            self.out.print(f"        [dim]{escape(change.reason)}[/]")
        for prop in change.properties:
            self.out.print(f"        {self._property(prop)}")

    @staticmethod
    def _property(prop: PropertyChange) -> str:
        if prop.sensitive:  # listed, so the values differ; neither is shown
            before = "(sensitive)" if prop.before is not None else "(none)"
            after = "(none)" if prop.after is None else "(sensitive, changed)" if prop.before is not None else "(sensitive)"
        else:
            before, after = _short(prop.before), _short(prop.after)
        forced = " [magenta](forces replacement)[/]" if prop.forces_replacement else ""
        return f"{escape(prop.path)}: {escape(before)} -> {escape(after)}{forced}"

    @staticmethod
    def _summary(plan: Plan) -> str:
        if not plan.has_changes:
            return "No changes. The deployed stack matches the template."
        if not any(ch.action.value != "noop" for ch in plan.changes):
            return f"Parameters change ({len(plan.parameters)}); no resource changes."
        c = {a.value: n for a, n in plan.counts().items()}
        parts = [
            f"{c['create']} to create",
            f"{c['update']} to update",
            f"{c['replace']} to replace",
            f"{c['delete']} to delete",
        ]
        if c["unknown"]:
            parts.append(f"{c['unknown']} unknown")
        loss = " [bold red]Data loss: some changes destroy stored data.[/]" if _has_data_loss(plan) else ""
        return f"Plan: {', '.join(parts)}; {c['noop']} unchanged.{loss}"

    # --- other results ----------------------------------------------------------------------------
    def outputs(self, outputs: Mapping[str, Any]) -> None:
        if self.json_mode:
            self.emit_json(dict(outputs))
            return
        if not outputs:
            self.out.print("No outputs.")
        for key, value in outputs.items():
            self.out.print(f"{escape(key)} = {escape(str(value))}")

    def diagnostics(self, diagnostics: Iterable[Diagnostic], source: str) -> None:
        items = list(diagnostics)
        if self.json_mode:
            self.emit_json([_diag_dict(d) for d in items])
            return
        for d in items:
            where = f"{d.source}:{d.line}" if d.line else d.source
            colour = "red" if d.severity.value == "error" else "yellow"
            self.out.print(f"[{colour}]{d.severity.value}[/] {escape(d.rule)} {escape(where)}: {escape(d.message)}")
        errors = sum(1 for d in items if d.severity.value == "error")
        self.out.print(f"{source}: {errors} error(s), {len(items) - errors} warning(s)")

    def blueprints(self, blueprints: Iterable[Blueprint]) -> None:
        items = list(blueprints)
        if self.json_mode:
            self.emit_json([_blueprint_summary(b) for b in items])
            return
        table = Table(box=None, pad_edge=False)
        for col in ("NAME", "VERSION", "PROVIDERS", "SOURCE", "DESCRIPTION"):
            table.add_column(col)
        for b in items:
            s = b.spec
            table.add_row(*(escape(x) for x in (s.name, s.version, ",".join(s.providers), b.origin, s.description)))
        self.out.print(table)

    def blueprint(self, bp: Blueprint) -> None:
        if self.json_mode:
            self.emit_json(_blueprint_detail(bp))
            return
        s = bp.spec
        self.out.print(f"[bold]{escape(s.name)}[/] {s.version} ({bp.origin}) - {escape(s.description)}")
        if s.details:
            self.out.print(escape(s.details.rstrip()))
        if s.hosting is not None:
            self.out.print(self._hosting_table(bp))
            for name, model in s.hosting.models.items():
                self.out.print(f"  [bold]{escape(name)}[/]: {escape(model.summary)}")
            self.out.print("")
        self.out.print(self._params_table(bp))
        self.out.print("\n[bold]Outputs[/]")
        for name, out in s.outputs.items():
            when = f" (when {out.when})" if out.when else ""
            self.out.print(f"  {escape(name)}{when}: {escape(out.description)}")
        self.out.print(f"\nProviders: {', '.join(s.providers)}")

    @staticmethod
    def _hosting_table(bp: Blueprint) -> Table:
        hosting = bp.spec.hosting
        assert hosting is not None
        table = Table(title=f"Hosting models (-p {hosting.parameter}=...)", title_justify="left", box=None,
                      pad_edge=False)
        for col in ("MODEL", "SCALE UNIT", "ABSTRACTED", "UNIT OF DEPLOYMENT", "TYPICAL LIFETIME", "YOUR RESPONSIBILITY"):
            table.add_column(col)
        for name, m in hosting.models.items():
            row = (name, m.scale_unit, m.abstracted, m.deployment_unit, m.lifetime, m.responsibility)
            table.add_row(*(escape(x) for x in row))
        return table

    @staticmethod
    def _params_table(bp: Blueprint) -> Table:
        table = Table(title="Parameters", title_justify="left", box=None, pad_edge=False)
        for col in ("NAME", "TYPE", "DEFAULT", "ALLOWED", "DESCRIPTION"):
            table.add_column(col)
        for name, p in bp.spec.parameters.items():
            default = "(required)" if p.required else json.dumps(p.default)
            kind = p.type.value + (" secret" if p.secret else "")
            table.add_row(*(escape(x) for x in (name, kind, default, _allowed(p), p.description)))
        return table

    def history(self, key: StackKey, releases: list[Release], generation: str | None) -> None:
        if self.json_mode:
            self.emit_json([{**r.to_dict(), "gone": r.is_gone(generation)} for r in releases])
            return
        if not releases:
            self.out.print(f"No releases recorded for {escape(key.stack)} on {escape(key.target)}.")
            return
        table = Table(box=None, pad_edge=False, title=f"{key.stack} on {key.target}", title_justify="left")
        for col in ("RELEASE", "WHEN", "WHO", "COMMIT", "KIND", "OUTCOME", "CHANGES"):
            table.add_column(col)
        for r in releases:
            gone = " (gone: sandbox reset)" if r.is_gone(generation) else ""
            kind = r.kind.value + (f" to {r.rollback_of}" if r.rollback_of else "")
            row = (str(r.number), short_time(r.started_at), r.user, r.git_commit or "-", kind, r.outcome.value + gone,
                   _changes(r.summary) + (f" - {r.error}" if r.error else ""))
            table.add_row(*(escape(x) for x in row))
        self.out.print(table)

    def status(self, data: Mapping[str, Any], indent: str = "") -> None:
        """Nested runtime state as indented ``key: value`` lines."""
        for key, value in data.items():
            if isinstance(value, Mapping):
                self.out.print(f"{indent}{escape(str(key))}:")
                self.status(value, indent + "  ")
            elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
                self.out.print(f"{indent}{escape(str(key))}:")
                for number, item in enumerate(value, 1):
                    self.out.print(f"{indent}  [{number}]")
                    self.status(item, indent + "    ")
            else:
                self.out.print(f"{indent}{escape(str(key))}: {escape(str(value))}")

    def findings(self, findings: list[Finding]) -> None:
        if self.json_mode:
            self.emit_json([{"code": f.code.value, "message": f.message, "remedy": f.remedy, "fixable": f.fixable}
                            for f in findings])
            return
        if not findings:
            self.out.print("No problems found.")
        for f in findings:
            self.out.print(f"[yellow]{f.code.value}[/]: {escape(f.message)}")
            self.out.print(f"    remedy: {escape(f.remedy)}" + ("" if f.fixable else " (manual)"))

    def sandbox(self, infos: Iterable[SandboxInfo]) -> None:
        items = list(infos)
        if self.json_mode:
            self.emit_json({i.provider: _sandbox_dict(i) for i in items})
            return
        for i in items:
            state = f"running at {i.endpoint_url}" if i.running else "stopped"
            extra = ", ".join(f"{k}: {_short(v)}" for k, v in i.details.items())
            self.out.print(f"{i.provider}: {state}" + (f" ({escape(extra)})" if extra else ""))


def short_time(text: str) -> str:
    """``2026-11-22T20:01:02.123Z`` -> ``2026-11-22 20:01:02``."""
    return text[:19].replace("T", " ")


def _changes(summary: Mapping[str, int]) -> str:
    parts = [f"{n} {action}" for action, n in summary.items() if n and action != "noop"]
    return ", ".join(parts) if parts else "-"


def _has_data_loss(plan: Plan) -> bool:
    return any(r.value == "data-loss" for r in plan.risks)


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else json.dumps(value)
    if value is None:
        text = "(none)"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _allowed(p: Any) -> str:
    if p.enum:
        return ", ".join(map(str, p.enum))
    bits = []
    if p.min is not None or p.max is not None:
        bits.append(f"{_num(p.min) if p.min is not None else ''}..{_num(p.max) if p.max is not None else ''}")
    if p.pattern:
        bits.append(p.pattern)
    return " ".join(bits)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _diag_dict(d: Diagnostic) -> dict[str, Any]:
    return {"rule": d.rule, "severity": d.severity.value, "message": d.message, "path": d.path, "line": d.line, "source": d.source}


def _blueprint_summary(bp: Blueprint) -> dict[str, Any]:
    s = bp.spec
    return {"name": s.name, "version": s.version, "description": s.description, "providers": list(s.providers), "source": bp.origin}


def _blueprint_detail(bp: Blueprint) -> dict[str, Any]:
    data = bp.spec.model_dump(mode="json", exclude_none=True)
    for name, p in bp.spec.parameters.items():
        data["parameters"][name]["required"] = p.required
    data["source"] = bp.origin
    return data


def _sandbox_dict(i: SandboxInfo) -> dict[str, Any]:
    return {"running": i.running, "endpoint_url": i.endpoint_url, **dict(i.details)}
