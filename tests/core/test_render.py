from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from iacli.errors import TemplateError
from iacli.render import render_template


def parse(text: str, source: str) -> dict[str, Any]:
    return yaml.safe_load(text)


def write(root: Path, text: str) -> None:
    (root / "t.yaml.j2").write_text(text)


def test_values_stay_data_even_when_they_look_like_yaml(tmp_path: Path) -> None:
    write(tmp_path, "Resources:\n  A:\n    Name: {{ params.name | json }}\n")
    evil = "x\n    Evil: true"
    out = render_template(tmp_path, "t.yaml.j2", {"params": {"name": evil}}, parse)
    assert out.body == {"Resources": {"A": {"Name": evil}}}


def test_unfiltered_value_is_refused_with_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "a: 1\nb: {{ params.name }}\n")
    with pytest.raises(TemplateError) as err:
        render_template(tmp_path, "t.yaml.j2", {"params": {"name": "x"}}, parse)
    assert err.value.message.startswith(f"{tmp_path / 't.yaml.j2'}:2:")
    assert "json filter" in err.value.message


def test_undefined_names_fail_with_line_and_available_params(tmp_path: Path) -> None:
    write(tmp_path, "a: 1\n\nb: {{ params.nope | json }}\n")
    with pytest.raises(TemplateError) as err:
        render_template(tmp_path, "t.yaml.j2", {"params": {"name": "x"}}, parse)
    assert ":3:" in err.value.message and "nope" in err.value.message
    assert err.value.hint == "available: params.name"


def test_sandbox_blocks_python_internals(tmp_path: Path) -> None:
    write(tmp_path, "a: {{ params.__class__.__mro__ | json }}\n")
    with pytest.raises(TemplateError):
        render_template(tmp_path, "t.yaml.j2", {"params": {}}, parse)


def test_syntax_error_names_line(tmp_path: Path) -> None:
    write(tmp_path, "a: 1\n{% if %}\n")
    with pytest.raises(TemplateError, match=r"t.yaml.j2:2:"):
        render_template(tmp_path, "t.yaml.j2", {"params": {}}, parse)


def test_include_cannot_escape_the_blueprint(tmp_path: Path) -> None:
    (tmp_path / "bp").mkdir()
    (tmp_path / "secret.txt").write_text("s")
    (tmp_path / "bp" / "t.yaml.j2").write_text("{% include '../secret.txt' %}\n")
    with pytest.raises(TemplateError):
        render_template(tmp_path / "bp", "t.yaml.j2", {"params": {}}, parse)


def test_assets_are_deterministic_and_content_addressed(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("x = 1\n")
    write(tmp_path, "code: {{ asset('src') | json }}\n")
    one = render_template(tmp_path, "t.yaml.j2", {}, parse)
    two = render_template(tmp_path, "t.yaml.j2", {}, parse)
    assert one.body == two.body and one.body["code"].startswith("iacli-asset://")
    (tmp_path / "src" / "app.py").write_text("x = 2\n")
    three = render_template(tmp_path, "t.yaml.j2", {}, parse)
    assert three.body["code"] != one.body["code"]
    assert json.dumps(list(three.assets)) == json.dumps([three.body["code"]])


def test_asset_outside_the_blueprint_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "code: {{ asset('../') | json }}\n")
    with pytest.raises(TemplateError, match="outside the blueprint"):
        render_template(tmp_path, "t.yaml.j2", {}, parse)


def test_fail_reports_the_blueprints_own_message(tmp_path: Path) -> None:
    write(tmp_path, "a: 1\n{% if params.n > 3 %}{{ fail('n must be at most 3') }}{% endif %}\n")
    with pytest.raises(TemplateError) as err:
        render_template(tmp_path, "t.yaml.j2", {"params": {"n": 5}}, parse)
    assert err.value.message.endswith("t.yaml.j2:2: n must be at most 3")
