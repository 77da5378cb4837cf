"""How much of the real world iacli's "bring your own template" deploys in the offline AWS sandbox.

    python bench/corpus_aws.py [--corpus DIR] [--assisted] [--only SUBSTRING] [--json OUT]
                               [--timeout 60] [--budget 1800]

The corpus (``<repo>/../shared/corpus/aws``, or ``$IACLI_CORPUS``) holds public CloudFormation templates
with parameter files (see its README). For each template this runs, in-process through the engine, what
``iacli deploy --template FILE --name NAME -p K=V --yes`` runs, then ``iacli resources`` and
``iacli destroy``, all against a sandbox of its own (a temporary ``IACLI_HOME``).

A template counts as *deployed* only when the apply succeeds, every resource the template creates (its
condition, if any, true for the values used) is listed by ``engine.resources`` with a physical id, and the
destroy succeeds. Otherwise the outcome names the first stage that failed:

- ``fixture``  a prerequisite could not be set up (a key pair, a prerequisite stack...);
- ``validate`` parameters refused or template invalid (``engine.prepare`` / ``engine.validate``);
- ``plan``     the change set could not be created (the sandbox refuses unsupported types here);
- ``apply``    executing the change set failed;
- ``verify``   a resource is missing from ``engine.resources`` or has no physical id;
- ``destroy``  deleting the stack failed;
- ``timeout``  the template took longer than ``--timeout`` seconds (it is abandoned, not killed);
- ``skipped``  the ``--budget`` for the whole run was spent.

A failure is *internal* when something other than an ``IacliError`` escaped, or an ``IacliError`` with exit
code 1: the CLI would exit 1 ("internal error"), which is always an iacli bug.

``--assisted`` also creates what a real account would already have (IAM instance profiles, SSM public
parameters, prerequisite stacks, a peer VPC) and uses the parameter files' ``assisted.parameters``.
Two stand-ins, reported per template in ``notes``:

- SSM public parameters (``/aws/service/...``) cannot be written through the SSM API (moto, like AWS,
  answers AccessDenied for the reserved ``/aws`` prefix), so the value is stored under
  ``/iacli-corpus/public/aws/service/...`` and the template parameter whose Default names the public
  path is pointed there: CloudFormation still resolves an ``AWS::SSM::Parameter::Value<...>``.
- A prerequisite stack is deployed through iacli, whose stack names are ``<name>-<env>``: the
  dependent template's parameter whose Default is the prerequisite's name (``StackName: production``)
  is set to the real stack name. When the named prerequisite template is not in the corpus, a template
  from the corpus that exports every name the dependent imports stands in (named in the notes).

Numbers, not pass/fail; ``tests/aws_corpus/test_corpus_floor.py`` turns them into a regression floor.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
STAGES = ("fixture", "validate", "plan", "apply", "verify", "destroy")
PLACEHOLDER = re.compile(r"\{\{([a-z_]+)(?::(\d+))?\}\}")
SSM_MIRROR_PREFIX = "/iacli-corpus/public"
_PSEUDO = {
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NoValue": None,
}


def default_corpus() -> Path:
    configured = os.environ.get("IACLI_CORPUS")
    return Path(configured) if configured else REPO.parent / "shared" / "corpus" / "aws"


# --- results ------------------------------------------------------------------------------------------
@dataclass
class Result:
    template: str
    stack: str
    outcome: str = "skipped"  # "deployed" or the stage that failed
    error: str = ""
    error_type: str = ""  # the exception class (ProviderError, TemplateError, TypeError...)
    internal: bool = False
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    resources: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def deployed(self) -> bool:
        return self.outcome == "deployed"


class StageFailure(Exception):
    """A stage failed with a one-line message (already classified)."""

    def __init__(self, stage: str, message: str, internal: bool = False, error_type: str = "") -> None:
        super().__init__(message)
        self.stage = stage
        self.message = message
        self.internal = internal
        self.error_type = error_type


# --- corpus -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    template: str  # relative to the corpus folder, e.g. templates/SQS/SQSFIFOQueue.json
    params_file: str
    resources: int

    @property
    def short(self) -> str:
        return self.template.removeprefix("templates/")


def read_index(corpus: Path) -> list[Entry]:
    with open(corpus / "index.tsv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Entry(r["template"], r["params"], int(r["resources"] or 0)) for r in rows]


def load_body(path: Path) -> dict[str, Any]:
    """The template as data (cfn-lint's decoder: YAML short tags become Fn:: mappings)."""
    from cfnlint.decode.decode import decode_str

    body, _ = decode_str(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(body)) if isinstance(body, dict) else {}


def stack_name(index: int, entry: Entry, prefix: str = "c") -> str:
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", Path(entry.short).stem).strip("-").lower()
    return f"{prefix}{index:02d}-{slug}"[:60].rstrip("-")


# --- conditions (to know which resources a stack must hold) ------------------------------------------
class _Unknown(Exception):
    pass


def _value(node: Any, params: Mapping[str, Any], body: Mapping[str, Any], conds: dict[str, bool]) -> Any:
    if not isinstance(node, dict):
        return node
    if len(node) != 1:
        raise _Unknown
    ((key, arg),) = node.items()
    if key == "Ref":
        if arg in params:
            return params[arg]
        if arg in _PSEUDO:
            return _PSEUDO[arg]
        raise _Unknown
    if key == "Condition":
        return _condition(arg, params, body, conds)
    if key == "Fn::Equals":
        a, b = (_value(x, params, body, conds) for x in arg)
        return str(a) == str(b)
    if key == "Fn::Not":
        return not _value(arg[0], params, body, conds)
    if key == "Fn::And":
        return all(_value(x, params, body, conds) for x in arg)
    if key == "Fn::Or":
        return any(_value(x, params, body, conds) for x in arg)
    if key == "Fn::FindInMap":
        m, k1, k2 = (_value(x, params, body, conds) for x in arg)
        return body["Mappings"][m][k1][k2]
    if key == "Fn::Join":
        sep, items = arg
        return str(sep).join(str(_value(x, params, body, conds)) for x in _value(items, params, body, conds))
    if key == "Fn::Select":
        i, items = arg
        return _value(items, params, body, conds)[int(_value(i, params, body, conds))]
    if key == "Fn::Split":
        sep, text = arg
        return str(_value(text, params, body, conds)).split(sep)
    raise _Unknown


def _condition(name: str, params: Mapping[str, Any], body: Mapping[str, Any], conds: dict[str, bool]) -> bool:
    if name not in conds:
        conds[name] = bool(_value((body.get("Conditions") or {})[name], params, body, conds))
    return conds[name]


def expected_resources(body: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, str]:
    """Logical id -> type of every resource the stack must hold (false conditions left out)."""
    out: dict[str, str] = {}
    conds: dict[str, bool] = {}
    for lid, res in (body.get("Resources") or {}).items():
        cond = res.get("Condition")
        if cond is not None:
            try:
                if not _condition(cond, params, body, conds):
                    continue
            except (_Unknown, KeyError, IndexError, TypeError, ValueError):
                pass  # cannot tell: expect it
        out[lid] = str(res.get("Type", ""))
    return out


# --- the account: facts, fixtures, placeholders -------------------------------------------------------
class Account:
    """boto3 against the sandbox endpoint: the facts placeholders name and the fixtures files ask for."""

    def __init__(self, endpoint: str) -> None:
        import boto3

        self.session = boto3.session.Session(
            aws_access_key_id="iacli", aws_secret_access_key="sandbox", region_name=REGION
        )
        self.endpoint = endpoint
        self._clients: dict[str, Any] = {}
        self._facts: dict[str, Any] = {}
        self.created: set[tuple[str, str]] = set()

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, endpoint_url=self.endpoint)
        return self._clients[service]

    # facts, looked up once
    def fact(self, name: str) -> Any:
        if name not in self._facts:
            self._facts[name] = getattr(self, f"_fact_{name}")()
        return self._facts[name]

    def _fact_default_vpc_id(self) -> str:
        vpcs = self.client("ec2").describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
        return str(vpcs[0]["VpcId"])

    def _fact_default_subnets(self) -> list[dict[str, Any]]:
        subnets = self.client("ec2").describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [self.fact("default_vpc_id")]}]
        )["Subnets"]
        return sorted(subnets, key=lambda s: (s["AvailabilityZone"], s["SubnetId"]))

    def _fact_default_sg_id(self) -> str:
        groups = self.client("ec2").describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [self.fact("default_vpc_id")]},
            {"Name": "group-name", "Values": ["default"]},
        ])["SecurityGroups"]
        return str(groups[0]["GroupId"])

    def _fact_default_route_table_id(self) -> str:
        tables = self.client("ec2").describe_route_tables(Filters=[
            {"Name": "vpc-id", "Values": [self.fact("default_vpc_id")]},
            {"Name": "association.main", "Values": ["true"]},
        ])["RouteTables"]
        return str(tables[0]["RouteTableId"])

    def _fact_azs(self) -> list[str]:
        zones = self.client("ec2").describe_availability_zones()["AvailabilityZones"]
        return sorted(z["ZoneName"] for z in zones)

    def _fact_account_id(self) -> str:
        return str(self.client("sts").get_caller_identity()["Account"])

    def _fact_moto_ami_id(self) -> str:
        images = self.client("ec2").describe_images(Owners=["amazon"])["Images"]
        x86 = sorted((i for i in images if i.get("Architecture") == "x86_64"), key=lambda i: i["ImageId"])
        return str((x86 or images)[0]["ImageId"])

    def _fact_peer_vpc_id(self) -> str:
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.250.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "iacli-corpus-peer"}])
        return str(vpc)

    def _fact_peering_connection_id(self) -> str:
        ec2 = self.client("ec2")
        pcx = ec2.create_vpc_peering_connection(
            VpcId=self.fact("default_vpc_id"), PeerVpcId=self.fact("peer_vpc_id")
        )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
        return str(pcx)

    def resolve(self, text: str) -> str:
        """Replace every ``{{name}}`` / ``{{name:N}}`` placeholder in ``text``."""

        def one(match: re.Match[str]) -> str:
            name, n = match.group(1), match.group(2)
            index = int(n) if n is not None else 0
            if name == "default_subnet_id":
                return str(self.fact("default_subnets")[index]["SubnetId"])
            if name == "default_subnet_ids":
                return ",".join(s["SubnetId"] for s in self.fact("default_subnets")[:index])
            if name == "az":
                return str(self.fact("azs")[index])
            if name in ("default_vpc_id", "default_sg_id", "default_route_table_id", "account_id",
                        "moto_ami_id", "peer_vpc_id", "peering_connection_id"):
                return str(self.fact(name))
            raise ValueError(f"unknown placeholder {match.group(0)}")

        return PLACEHOLDER.sub(one, text)

    # fixtures, created once each
    def key_pair(self, name: str) -> None:
        if ("key", name) not in self.created:
            self.client("ec2").create_key_pair(KeyName=name)
            self.created.add(("key", name))

    def instance_profile(self, name: str) -> None:
        if ("profile", name) in self.created:
            return
        iam = self.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        iam.create_instance_profile(InstanceProfileName=name)
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
        self.created.add(("profile", name))

    def public_parameter(self, name: str, value: str) -> str:
        """Make a public parameter resolvable; return the name it can be read under.

        The real name when the sandbox lets it be written; otherwise (AWS and moto refuse names under
        ``/aws``) a mirror name under :data:`SSM_MIRROR_PREFIX`.
        """
        for candidate in (name, SSM_MIRROR_PREFIX + name):
            if ("ssm", candidate) in self.created:
                return candidate
            try:
                self.client("ssm").put_parameter(Name=candidate, Value=value, Type="String", Overwrite=True)
            except Exception as exc:
                if candidate != name:
                    raise
                if _client_code(exc) not in ("AccessDeniedException", "ValidationException"):
                    raise
                continue
            self.created.add(("ssm", candidate))
            return candidate
        raise AssertionError("unreachable")


# --- running one template -----------------------------------------------------------------------------
def _no_event(_event: Any) -> None:
    return None


class Runner:
    """Runs templates through the engine against one sandbox, one after the other."""

    def __init__(self, corpus: Path, home: Path, project: Path, account: Account, assisted: bool,
                 timeout: float) -> None:
        self.corpus = corpus
        self.home = home
        self.project = project
        self.account = account
        self.assisted = assisted
        self.timeout = timeout
        self.prerequisites: dict[str, str] = {}  # corpus template path -> deployed stack (iacli name)
        self.prereq_failures: dict[str, StageFailure] = {}

    def engine(self) -> Any:
        from iacli.config import ProjectConfig
        from iacli.engine import Engine

        return Engine(self.project, ProjectConfig(), self.home)

    # the parameter file -> -p assignments
    def assignments(self, entry: Entry, body: Mapping[str, Any], result: Result) -> tuple[str, ...]:
        spec = json.loads((self.corpus / entry.params_file).read_text(encoding="utf-8"))
        values: dict[str, str] = dict(spec.get("parameters") or {})
        fixtures: dict[str, Any] = dict(spec.get("fixtures") or {})
        assisted = spec.get("assisted") or {}
        if self.assisted:
            values.update(assisted.get("parameters") or {})
        try:
            for key in fixtures.get("ec2_key_pair") or []:
                self.account.key_pair(key)
            if self.assisted:
                values.update(self._assisted_fixtures(assisted.get("fixtures") or {}, body, values, result))
            return tuple(f"{k}={self.account.resolve(str(v))}" for k, v in values.items())
        except StageFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - a fixture problem is reported, not raised
            raise StageFailure("fixture", f"{type(exc).__name__}: {_one_line(str(exc))}") from None

    def _assisted_fixtures(self, fixtures: Mapping[str, Any], body: Mapping[str, Any], given: Mapping[str, str],
                           result: Result) -> dict[str, str]:
        overrides: dict[str, str] = {}
        declared = body.get("Parameters") or {}
        for name in fixtures.get("iam_instance_profile") or []:
            self.account.instance_profile(name)
        for public, value in (fixtures.get("ssm_public_parameters") or {}).items():
            mirror = self.account.public_parameter(public, self.account.resolve(str(value)))
            if mirror == public:
                continue
            for pname, decl in declared.items():
                if isinstance(decl, dict) and decl.get("Default") == public and pname not in given:
                    overrides[pname] = mirror
                    result.notes.append(f"{pname}: SSM public parameter mirrored at {mirror}")
        if fixtures.get("peer_vpc"):
            self.account.fact("peer_vpc_id")
        prereq = fixtures.get("prerequisite_stack")
        if prereq:
            stack = self._prerequisite(prereq, body, result)
            for pname, decl in declared.items():
                if isinstance(decl, dict) and decl.get("Default") == prereq["name"] and pname not in given:
                    overrides[pname] = stack
                    result.notes.append(f"{pname}={stack} (prerequisite stack {prereq['name']!r})")
        return overrides

    def _prerequisite(self, prereq: Mapping[str, Any], body: Mapping[str, Any], result: Result) -> str:
        wanted = str(prereq["template"])
        path = self.corpus / "templates" / wanted
        if not path.is_file():
            stand_in = self._stand_in(wanted, body)
            if stand_in is None:
                raise StageFailure("fixture", f"prerequisite template {wanted} is not in the corpus")
            result.notes.append(f"prerequisite {wanted} is not in the corpus; {stand_in} stands in")
            wanted, path = stand_in, self.corpus / "templates" / stand_in
        if wanted in self.prerequisites:
            return self.prerequisites[wanted]
        if wanted in self.prereq_failures:  # tried once already: the same failure, no retry
            raise self.prereq_failures[wanted]
        from iacli.engine import StackRequest

        name = f"pre{len(self.prerequisites) + len(self.prereq_failures)}-" + re.sub(
            r"[^a-z0-9]+", "-", Path(wanted).stem.lower())
        request = StackRequest(template_file=path, name=name)
        engine = self.engine()
        try:
            planned = _stage("fixture", lambda: engine.plan(request, _no_event))
            _stage("fixture", lambda: engine.apply(planned, _no_event))
        except StageFailure as failure:
            self._cleanup(engine, request)
            self.prereq_failures[wanted] = StageFailure(
                "fixture", f"prerequisite {wanted}: {failure.message}", failure.internal, failure.error_type)
            raise self.prereq_failures[wanted] from None
        stack = str(engine.target(request).stack)
        self.prerequisites[wanted] = stack
        return stack

    def _stand_in(self, wanted: str, body: Mapping[str, Any]) -> str | None:
        """A corpus template with the same file name exporting every name ``body`` imports."""
        imports = _import_suffixes(body)
        for candidate in sorted((self.corpus / "templates").rglob(Path(wanted).name)):
            exports = _export_suffixes(load_body(candidate))
            if imports <= exports:
                return str(candidate.relative_to(self.corpus / "templates"))
        return None

    # the workflow
    def run(self, index: int, entry: Entry) -> Result:
        result = Result(entry.short, stack_name(index, entry))
        start = time.perf_counter()
        box: dict[str, Any] = {}
        worker = threading.Thread(target=self._guarded, args=(entry, result, box), daemon=True)
        worker.start()
        worker.join(self.timeout)
        result.seconds = round(time.perf_counter() - start, 2)
        if worker.is_alive():  # the worker keeps its own Result; report a copy
            return Result(result.template, result.stack, "timeout",
                          f"abandoned after {self.timeout:.0f} s during {box.get('stage', '?')}",
                          seconds=result.seconds, notes=list(result.notes))
        return result

    def _guarded(self, entry: Entry, result: Result, box: dict[str, Any]) -> None:
        try:
            self._workflow(entry, result, box)
            result.outcome = "deployed"
        except StageFailure as failure:
            result.outcome, result.error, result.internal = failure.stage, failure.message, failure.internal
            result.error_type = failure.error_type
        except Exception as exc:  # noqa: BLE001 - the bench's own failure, reported as such
            result.outcome = str(box.get("stage", "fixture"))
            result.error = f"bench error: {type(exc).__name__}: {_one_line(str(exc))}"
            result.error_type = "BenchError"

    def _workflow(self, entry: Entry, result: Result, box: dict[str, Any]) -> None:
        from iacli_aws.template import cfn_parameter_value

        from iacli.engine import StackRequest
        from iacli.providers import Severity

        path = self.corpus / entry.template
        t = result.stage_seconds
        box["stage"] = "fixture"
        body = load_body(path)
        request = StackRequest(template_file=path, name=result.stack,
                               assignments=self.assignments(entry, body, result))
        engine = self.engine()
        result.stack = engine.target(request).stack

        box["stage"] = "validate"
        prepared = _stage("validate", lambda: engine.prepare(request), t)
        diagnostics = _stage("validate", lambda: engine.validate(prepared), t)
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        if errors:
            first = errors[0]
            raise StageFailure("validate", _one_line(f"{first.rule} {first.message} (line {first.line})"),
                               error_type="TemplateError")

        box["stage"] = "plan"
        planned = _stage("plan", lambda: engine.plan(request, _no_event), t)
        box["stage"] = "apply"
        try:
            _stage("apply", lambda: engine.apply(planned, _no_event), t)
        except StageFailure:
            self._cleanup(engine, request)
            raise

        box["stage"] = "verify"
        params = {k: cfn_parameter_value(v) for k, v in planned.prepared.params.values.items()}
        expected = expected_resources(body, params)
        try:
            rows = _stage("verify", lambda: engine.resources(request), t)
            result.resources = len(rows)
            listed = {r["logical_id"]: r for r in rows}
            missing = [f"{lid} ({t})" for lid, t in expected.items() if lid not in listed]
            blank = [f"{lid} ({t})" for lid, t in expected.items()
                     if lid in listed and not (listed[lid].get("physical_id") or "").strip()]
            if missing or blank:
                parts = ([f"not listed: {', '.join(missing)}"] if missing else []) + (
                    [f"no physical id: {', '.join(blank)}"] if blank else [])
                raise StageFailure("verify", "; ".join(parts), error_type="Incomplete")
        except StageFailure:
            self._cleanup(engine, request)
            raise

        box["stage"] = "destroy"
        _stage("destroy", lambda: engine.destroy(request, _no_event), t)

    def _cleanup(self, engine: Any, request: Any) -> None:
        """Remove whatever a failed stack left behind (best effort; the outcome is already decided)."""
        with contextlib.suppress(Exception):
            engine.destroy(request, _no_event)

    def destroy_prerequisites(self) -> list[str]:
        from iacli.engine import StackRequest

        problems = []
        for wanted, stack in reversed(list(self.prerequisites.items())):
            name = stack.removesuffix("-dev")
            request = StackRequest(template_file=self.corpus / "templates" / wanted, name=name)
            try:
                self.engine().destroy(request, _no_event)
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{stack}: {getattr(exc, 'message', exc)}")
        return problems


def _stage(stage: str, call: Callable[[], Any], timings: dict[str, float] | None = None) -> Any:
    from iacli.errors import IacliError

    start = time.perf_counter()
    try:
        return call()
    except IacliError as exc:
        kind = type(exc).__name__
        raise StageFailure(stage, _one_line(exc.message), int(exc.exit_code) == 1, kind) from None
    except Exception as exc:  # noqa: BLE001 - what the CLI would report as an internal error (exit 1)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        detail = f"{type(exc).__name__}: {_one_line(str(exc))} [{Path(where.filename).name}:{where.lineno}]"
        raise StageFailure(stage, f"internal error: {detail}", True, type(exc).__name__) from None
    finally:
        if timings is not None:
            timings[stage] = round(timings.get(stage, 0.0) + time.perf_counter() - start, 3)


def _client_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _one_line(text: str, limit: int = 400) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _walk(node: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _suffix(name: Any) -> str | None:
    """The constant part after the stack name of an import/export name (``X:VPCId`` -> ``VPCId``)."""
    if isinstance(name, dict) and "Fn::Join" in name:
        parts = name["Fn::Join"][1]
        return str(parts[-1]) if parts and isinstance(parts[-1], str) else None
    if isinstance(name, dict) and "Fn::Sub" in name:
        text = name["Fn::Sub"] if isinstance(name["Fn::Sub"], str) else name["Fn::Sub"][0]
        return text.rsplit("}", 1)[-1].lstrip(":-") or None
    return None


def _import_suffixes(body: Mapping[str, Any]) -> set[str]:
    return {s for k, v in _walk(body) if k == "Fn::ImportValue" and (s := _suffix(v))}


def _export_suffixes(body: Mapping[str, Any]) -> set[str]:
    out = set()
    for output in (body.get("Outputs") or {}).values():
        suffix = _suffix((output.get("Export") or {}).get("Name"))
        if suffix:
            out.add(suffix.lstrip(":-"))
    return out


# --- the run ------------------------------------------------------------------------------------------
def run_corpus(corpus: Path, *, assisted: bool = False, only: str | None = None, timeout: float = 60.0,
               budget: float | None = None, entries: Iterable[str] | None = None,
               progress: Callable[[Result], None] | None = None, keep: Path | None = None) -> dict[str, Any]:
    """Run (a subset of) the corpus against a fresh sandbox; the report as data.

    ``keep``: use this folder (created if needed, kept afterwards: the sandbox's ``server.log`` is in
    ``home/sandbox/aws/``) instead of a temporary one.
    """
    from iacli_aws.sandbox.manager import SandboxManager

    index = read_index(corpus)
    chosen = [(i, e) for i, e in enumerate(index)
              if (only is None or only.lower() in e.template.lower())
              and (entries is None or e.short in set(entries))]
    saved = {k: os.environ.get(k) for k in ("IACLI_HOME", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL")}
    started = time.perf_counter()
    results: list[Result] = []
    with (contextlib.nullcontext(str(keep)) if keep else tempfile.TemporaryDirectory(prefix="iacli-corpus-")) as tmp:
        home, project = Path(tmp) / "home", Path(tmp) / "project"
        project.mkdir(parents=True, exist_ok=True)
        os.environ["IACLI_HOME"] = str(home)
        os.environ["AWS_DEFAULT_REGION"] = REGION
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_ENDPOINT_URL", None)
        manager = SandboxManager(home)
        try:
            endpoint = manager.ensure_running()
            runner = Runner(corpus, home, project, Account(endpoint), assisted, timeout)
            for i, entry in chosen:
                if budget is not None and time.perf_counter() - started > budget:
                    result = Result(entry.short, stack_name(i, entry), "skipped", "run budget spent")
                else:
                    result = runner.run(i, entry)
                results.append(result)
                if progress:
                    progress(result)
            leftovers = runner.destroy_prerequisites()
        finally:
            manager.stop()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    by_outcome: dict[str, int] = {}
    for r in results:
        by_outcome[r.outcome] = by_outcome.get(r.outcome, 0) + 1
    return {
        "corpus": str(corpus),
        "assisted": assisted,
        "total": len(results),
        "deployed": sum(r.deployed for r in results),
        "internal_errors": sum(r.internal for r in results),
        "by_outcome": by_outcome,
        "seconds": round(time.perf_counter() - started, 1),
        "prerequisite_cleanup_problems": leftovers,
        "results": [asdict(r) for r in results],
    }


def print_table(report: Mapping[str, Any], out: Any = sys.stdout) -> None:
    rows = report["results"]
    width = max([len(r["template"]) for r in rows] + [8])
    print(f"{'template':<{width}}  {'outcome':<9} {'secs':>6}  error", file=out)
    for r in rows:
        flag = " [INTERNAL]" if r["internal"] else ""
        print(f"{r['template']:<{width}}  {r['outcome']:<9} {r['seconds']:>6.1f}  {r['error']}{flag}", file=out)
        for note in r["notes"]:
            print(f"{'':<{width}}  {'':<9} {'':>6}  note: {note}", file=out)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(report["by_outcome"].items()))
    mode = "assisted" if report["assisted"] else "plain"
    print(f"\ndeployed {report['deployed']} of {report['total']} ({mode}; {summary}); "
          f"internal errors: {report['internal_errors']}; {report['seconds']} s", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: $IACLI_CORPUS or "
                        "<repo>/../shared/corpus/aws)")
    parser.add_argument("--assisted", action="store_true", help="also create what a real account would have")
    parser.add_argument("--only", help="run only templates whose path contains this (case-insensitive)")
    parser.add_argument("--json", type=Path, help="write the report to this file")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per template (default 60)")
    parser.add_argument("--budget", type=float, default=1800.0, help="seconds for the whole run (default 1800)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (sandbox log in "
                        "KEEP/home/sandbox/aws/server.log)")
    parser.add_argument("--quiet", action="store_true", help="no per-template progress on stderr")
    args = parser.parse_args(argv)
    corpus = args.corpus or default_corpus()
    if not (corpus / "index.tsv").is_file():
        print(f"no corpus at {corpus} (index.tsv missing); pass --corpus or set IACLI_CORPUS", file=sys.stderr)
        return 2

    def progress(r: Result) -> None:
        if not args.quiet:
            print(f"  {r.outcome:<9} {r.seconds:6.1f}s  {r.template}", file=sys.stderr, flush=True)

    report = run_corpus(corpus, assisted=args.assisted, only=args.only, timeout=args.timeout,
                        budget=args.budget, progress=progress, keep=args.keep)
    print_table(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
