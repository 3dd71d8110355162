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


def test_absurd_nesting_is_refused_not_a_crash():
    assert "nested more than" in problem("a: " + "[" * 400 + "]" * 400 + "\n")
    assert "nested more than" in problem('{"a": ' + "[" * 600 + "]" * 600 + "}", "json")
    assert "nested more than" in problem("a:\n" + "".join(" " * (2 * i) + "- \n" for i in range(300)))


def test_empty_files_comments_and_tabs_get_plain_words():
    assert problem("   \n") == "f.yaml: the file is empty"
    assert "JSON does not allow comments" in problem('{"a": 1 // note\n}', "json")
    assert "indent with spaces, not tabs" in problem("a:\n\tb: 1\n")


def test_a_byte_order_mark_is_accepted_and_other_encodings_refused():
    from advisor.sourcefile import decode_document

    assert decode_document(b'\xef\xbb\xbf{"id": "x"}', "f.json").data == {"id": "x"}
    with pytest.raises(DataFileError, match="not UTF-8"):
        decode_document("id: é".encode("latin-1"), "f.yaml")


def test_messages_stay_on_one_line_even_with_newlines_in_values():
    with pytest.raises(DataFileError) as err:
        parse_document('{"a": 1,\n "a": 2}', "f.json", "json")
    assert "\n" not in str(err.value.problems[0])
    from advisor.errors import Problem

    assert str(Problem("p", 3, "f", "bad\nvalue")) == "p:3: f: bad\\nvalue"
