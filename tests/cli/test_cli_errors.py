"""Bad input: one clear line on stderr, a documented exit code, no traceback, nothing deployed."""

from __future__ import annotations

from pathlib import Path

import pytest


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def project_blueprint(project: Path, template: str, spec_extra: str = "") -> None:
    folder = project / "blueprints" / "mine"
    (folder / "templates" / "aws").mkdir(parents=True)
    (folder / "blueprint.yaml").write_text(
        "name: mine\nversion: 1.0.0\ndescription: test\n"
        "parameters:\n  label:\n    type: string\n    default: x\n"
        "providers:\n  aws:\n    template: templates/aws/t.yaml.j2\n" + spec_extra
    )
    (folder / "templates" / "aws" / "t.yaml.j2").write_text(template)


def test_version(cli, project) -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("iacli ")


def test_unknown_blueprint(cli, project) -> None:
    result = cli("plan", "nope")
    assert result.exit_code == 3
    assert one_error_line(result.stderr) == "error: unknown blueprint 'nope'"


@pytest.mark.parametrize("name", ["../x", "a/b", "/etc", "UPPER"])
def test_path_like_names_are_refused(cli, project, name: str) -> None:
    result = cli("render", name)
    assert result.exit_code == 3
    assert "is not a blueprint name" in one_error_line(result.stderr)


def test_bad_parameter_value(cli, project) -> None:
    result = cli("plan", "serverless-web", "-p", "memory_mb=lots")
    assert result.exit_code == 3
    assert one_error_line(result.stderr) == (
        "error: parameter 'memory_mb' (from command line) must be an integer, got 'lots'"
    )


def test_unknown_parameter(cli, project) -> None:
    result = cli("plan", "serverless-web", "-p", "memry_mb=512")
    assert result.exit_code == 3
    assert "unknown parameter 'memry_mb' (from -p)" in one_error_line(result.stderr)
    assert "memory_mb" in result.stderr  # the hint lists the known ones


def test_malformed_params_file(cli, project) -> None:
    (project / "p.yaml").write_text("memory_mb: [1,\n")
    result = cli("plan", "serverless-web", "--params-file", "p.yaml")
    assert result.exit_code == 3
    assert "p.yaml:" in one_error_line(result.stderr) and "invalid YAML" in result.stderr


def test_missing_template_file(cli, project) -> None:
    result = cli("plan", "--template", "nowhere.yaml", "--name", "x")
    assert result.exit_code == 3
    assert one_error_line(result.stderr) == "error: nowhere.yaml: file not found"


def test_template_needs_a_name(cli, project) -> None:
    (project / "t.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    result = cli("plan", "--template", "t.yaml")
    assert result.exit_code == 2
    assert "--template needs --name NAME" in one_error_line(result.stderr)


def test_malformed_blueprint_yaml_names_file_and_field(cli, project) -> None:
    project_blueprint(project, "Resources: {}\n", spec_extra="colour: red\n")
    result = cli("render", "mine")
    assert result.exit_code == 3
    line = one_error_line(result.stderr)
    assert "blueprints/mine/blueprint.yaml: field 'colour'" in line


def test_template_injection_through_a_value_stays_a_string(cli, project) -> None:
    project_blueprint(project, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: {{ params.label | json }}\n")
    result = cli("render", "mine", "-p", "label=x\n      Evil: true")
    assert result.exit_code == 0, result.stderr
    assert "Evil" not in result.stdout.split("QueueName:")[0]
    assert '"x\\n      Evil: true"' in result.stdout


@pytest.mark.parametrize(
    "template",
    [
        "a: {{ params.__class__.__init__.__globals__ | json }}\n",
        "a: {{ ''.__class__.__mro__[1].__subclasses__() | json }}\n",
        "a: {{ params.label }}\n",
    ],
)
def test_template_injection_in_a_project_blueprint_is_refused(cli, project, template: str) -> None:
    project_blueprint(project, template)
    result = cli("render", "mine")
    assert result.exit_code == 3
    assert "t.yaml.j2:1:" in one_error_line(result.stderr)


def test_deploy_needs_yes_when_not_interactive(cli, project, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    result = cli("destroy", "serverless-web")
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr


def test_target_must_fit_provider(cli, project) -> None:
    result = cli("plan", "serverless-web", "--target", "azure")
    assert result.exit_code == 2
    assert "--target 'azure' does not fit provider 'aws'" in one_error_line(result.stderr)


def test_config_errors_name_the_field(cli, project) -> None:
    (project / "iacli.yaml").write_text("environments:\n  dev:\n    paramters: {}\n")
    result = cli("plan", "serverless-web")
    assert result.exit_code == 3
    assert "iacli.yaml: field 'environments.dev.paramters'" in one_error_line(result.stderr)


def test_config_parameters_apply_and_flags_win(cli, project) -> None:
    (project / "iacli.yaml").write_text("environments:\n  dev:\n    parameters: {memory_mb: 1024}\n")
    assert "MemorySize: 1024" in cli("render", "serverless-web").stdout
    assert "MemorySize: 2048" in cli("render", "serverless-web", "-p", "memory_mb=2048").stdout


def test_debug_shows_traceback(cli, project) -> None:
    result = cli("--debug", "plan", "nope")
    assert result.exit_code == 3 and "Traceback" in result.stderr
