"""Strict YAML/JSON reading: the hazards safe_load lets through are refused, with lines."""

from __future__ import annotations

import pytest

from advisor.errors import DataFileError
from advisor.sourcefile import MAX_FILE_BYTES, parse_document, read_document


def problem(text: str, fmt: str = "yaml") -> str:
    with pytest.raises(DataFileError) as err:
        parse_document(text, f"f.{fmt}", fmt)  # type: ignore[arg-type]
    return str(err.value)


def test_duplicate_keys_are_refused_with_both_lines():
    assert problem("a: 1\nb:\n  c: 2\n  c: 3\n") == "f.yaml:4: duplicate key 'c' (first at line 3)"


def test_aliases_and_merge_keys_are_refused():
    assert "aliases" in problem("a: &x 1\nb: *x\n")
    assert "merge keys" in problem("a: &x {k: 1}\nb:\n  <<: {k: 2}\n")


def test_alias_bomb_is_refused_before_it_expands():
    bomb = "a: &a ['x','x']\nb: &b [*a,*a]\nc: &c [*b,*b]\n"
    assert problem(bomb).startswith("f.yaml:2:")


def test_python_tags_are_refused():
    assert "YAML syntax" in problem("a: !!python/object/apply:os.system ['true']\n")


def test_every_key_and_item_knows_its_line():
    doc = parse_document("rules:\n  - id: a\n    when: x\n  - id: b\n", "f.yaml")
    assert doc.line_of(("rules", 1, "id")) == 4
    assert doc.line_of(("rules", 0, "when")) == 3
    assert doc.line_of(("rules", 0, "nowhere", 3)) == 2  # falls back to the nearest ancestor


def test_json_values_have_lines_too():
    doc = parse_document('{\n  "a": [\n    {"b": 1}\n  ]\n}', "f.json", "json")
    assert doc.data == {"a": [{"b": 1}]}
    assert doc.line_of(("a", 0, "b")) == 3


def test_oversized_files_are_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * (MAX_FILE_BYTES + 10))
    with pytest.raises(DataFileError, match="larger than"):
        read_document(big)


def test_binary_file_is_reported_not_crashed(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(DataFileError, match="not UTF-8"):
        read_document(path)
