"""A canary secret goes through every command; it must never appear in clear anywhere iacli writes."""

from __future__ import annotations

from pathlib import Path

CANARY = "CanAry-7d1f-s3cr3t"
TEMPLATE = """\
Parameters:
  Password:
    Type: String
    NoEcho: true
    MinLength: 8
  Size:
    Type: Number
    Default: 1
Resources:
  Secret:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub "/canary/${AWS::StackName}"
      Type: String
      Value: !Sub '{"password": "${Password}", "size": "${Size}"}'
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags:
        - Key: pw
          Value: !Ref Password
"""


def test_canary_secret_never_leaks(cli, sandbox_project: Path, sandbox_home: Path) -> None:  # type: ignore[no-untyped-def]
    (sandbox_project / "app.yaml").write_text(TEMPLATE)
    base = ("--template", "app.yaml", "--name", "canary")
    secret = ("-p", f"Password={CANARY}")
    runs = [
        cli("validate", *base),
        cli("plan", *base, *secret),
        cli("plan", *base, *secret, "--output", "json"),
        cli("deploy", *base, *secret, "--yes"),
        cli("plan", *base, *secret, "-p", "Size=2", "-o", "plan.json"),
        cli("deploy", "plan.json", "--yes"),
        cli("diff", *base, "-p", "Password=another-secret-9", "--output", "json"),
        cli("diff", *base, *secret, "-p", "Size=3"),
        cli("outputs", *base, "--output", "json"),
        cli("history", *base, "--output", "json"),
        cli("history", *base),
        cli("rollback", *base, "--yes"),
        cli("resources", *base),
        cli("plan", *base, "-p", "Password=short"),  # an error message about the secret
        cli("doctor", *base),
        cli("destroy", *base, "--yes"),
    ]
    for result in runs:
        assert CANARY not in result.stdout + result.stderr
        assert "another-secret-9" not in result.stdout + result.stderr
    assert runs[3].exit_code == 0 and runs[5].exit_code == 0 and runs[11].exit_code == 0, [r.stderr for r in runs]
    assert runs[13].exit_code == 3 and "shorter than 8" in runs[13].stderr

    written = [p for p in sandbox_project.rglob("*") if p.is_file()]
    written += [p for p in (sandbox_home / "cache").rglob("*") if p.is_file()]
    written += [p for p in (sandbox_home / "sandbox").rglob("*.log")]
    assert any(p.name == "state.db" for p in written) and any(p.name == "plan.json" for p in written)
    for path in written:
        data = path.read_bytes()
        assert CANARY.encode() not in data, f"the canary secret is in {path}"


def test_a_changed_secret_is_planned_and_an_unchanged_one_is_not(  # type: ignore[no-untyped-def]
        cli, sandbox_project: Path, sandbox_home: Path) -> None:
    """Deployed NoEcho values read back masked; the history's salted hashes tell a new value from the same."""
    (sandbox_project / "app.yaml").write_text(TEMPLATE)
    base = ("--template", "app.yaml", "--name", "rotate")
    assert cli("deploy", *base, "-p", f"Password={CANARY}", "--yes").exit_code == 0

    same = cli("plan", *base, "-p", f"Password={CANARY}", "--detailed-exitcode")
    assert same.exit_code == 0 and "No changes" in same.stdout, same.stderr

    rotated = cli("plan", *base, "-p", "Password=rotated-secret-2", "--detailed-exitcode")
    assert rotated.exit_code == 6, rotated.stderr
    assert "~ update   Secret (AWS::SSM::Parameter)" in rotated.stdout
    assert "~ update   Queue (AWS::SQS::Queue)" in rotated.stdout
    assert "Password: (sensitive) -> (sensitive, changed)" in rotated.stdout
    assert "rotated-secret-2" not in rotated.stdout + rotated.stderr and CANARY not in rotated.stdout

    assert cli("deploy", *base, "-p", "Password=rotated-secret-2", "--yes").exit_code == 0
    again = cli("plan", *base, "-p", "Password=rotated-secret-2", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout
    assert cli("destroy", *base, "--yes").exit_code == 0
