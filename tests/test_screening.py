"""Screening a pool of candidates: the table reads like a profile, rankings are reproducible and
explained, demographics never touch a score, exports are safe, bad input is named by row and column."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from advisor.audit import impact_report
from advisor.candidates import COLUMN_NAMES, CandidateFile, derive_table_facts, map_columns, template_csv
from advisor.catalog import load_catalog
from advisor.cli import main
from advisor.errors import InputError
from advisor.export import neutralize
from advisor.facts import derive_facts
from advisor.posting import parse_posting
from advisor.profile import Profile
from advisor.rules import BANDS
from advisor.screening import (
    Rubric,
    compile_rubric,
    export_csv,
    export_xlsx,
    impact,
    screen_file,
    screen_resumes,
)
from tests.conftest import AS_OF, ROOT
from tests.strategies import profiles

COLUMNS_USED = (
    "candidate_id,name,education_level,education_field,years_supervisory,years_healthcare,certifications"
)
HEADER = COLUMNS_USED + ",Gender"
HEADER += "\n"
POOL = (
    HEADER
    + "A1,Ann Smith,bachelor,Health administration,5,8,CPC; CMM,F\n"
    + "A2,Raj Patel,high_school,,1,3,none,M\n"
    + "A3,Lee Wong,master,,,2,,M\n"
    + "A4,Eve Park,associate,business,2,4,CPB,F\n"
)


def _csv(tmp_path: Path, text: str, name: str = "pool.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return list(frame[["candidate_id", "rank", "score", "band", "knockouts"]].itertuples(index=False))


# --- the table reads like a profile ---------------------------------------------------------


def _table_row(profile: Profile, facts: pd.Series) -> dict[str, str]:
    """A template row saying what the profile says (years by kind read off its derived facts)."""
    row = {"candidate_id": "x"}
    if profile.education is not None:
        entry = profile.education[0] if profile.education else None
        row["education_level"] = entry.level if entry else "none"
        if entry is not None:
            row["education_field"] = entry.field or ""
            row["education_status"] = entry.status
    if profile.coursework is not None:
        row["coursework"] = "; ".join(profile.coursework) or "none"
    if profile.experience is not None:
        kinds = [c.removeprefix("years_") for c in COLUMN_NAMES if c.startswith("years_")]
        for kind in kinds:
            row[f"years_{kind}"] = repr(float(facts[f"years_{kind}"]))
        row["recent_healthcare_admin"] = "yes" if facts["recent_healthcare_admin"] == 1 else "no"
        row["direct_reports"] = str(int(facts["max_direct_reports"]))
        duties = sorted({d for job in profile.experience for d in job.duties or ()})
        row["duties"] = "; ".join(duties) or "none"
    if profile.software is not None:
        row["software"] = "; ".join(f"{s.name} ({s.proficiency})" for s in profile.software) or "none"
    if profile.certifications is not None:
        row["certifications"] = (
            "; ".join(c.code for c in profile.certifications if c.status == "earned") or "none"
        )
        row["certifications_in_progress"] = "; ".join(
            c.code for c in profile.certifications if c.status == "in_progress"
        )
    for area in ("medical_terminology", "coding", "billing", "hipaa"):
        level = getattr(profile.knowledge, area) if profile.knowledge else None
        row[f"knowledge_{area}"] = level or ""
    for skill, value in (profile.soft_skills.model_dump() if profile.soft_skills else {}).items():
        row[f"soft_{skill}"] = "" if value is None else str(value)
    return row


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=profiles())
def test_a_table_row_gives_the_same_facts_as_the_profile_it_describes(data, catalog):
    if data.get("education"):
        data["education"] = data["education"][:1]  # the template has one degree per candidate
    profile = Profile.model_validate(data)
    facts = derive_facts([profile], AS_OF, catalog).iloc[0]
    row = _table_row(profile, facts)
    frame = pd.DataFrame([row]).reindex(columns=COLUMN_NAMES, fill_value="").fillna("").astype(str)
    table = derive_table_facts(frame, map_columns(list(frame.columns)), catalog)
    assert table.problems == {}
    got = table.lower.iloc[0]
    # The ladder is read from years by kind (a table has no job dates), and 'given' differs only
    # for sections whose values are all blank; everything else must agree exactly.
    skip = {"ladder_rung", "distinct_rungs", "completeness"}
    for name in catalog.facts:
        if name in skip:
            continue
        expected, actual = facts[name], got[name]
        assert (np.isnan(expected) and np.isnan(actual)) or expected == pytest.approx(actual), name


def test_the_template_screens_cleanly_and_is_documented():
    text = template_csv()
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == COLUMN_NAMES
    result = screen_file(text.encode(), Rubric(), name="template.csv")
    assert len(result.ranked) == 2 and result.skipped.empty
    readme = (ROOT / "README.md").read_text()
    missing = [
        c for c in COLUMN_NAMES if f"`{c}`" not in readme and c.split("_")[0] not in ("knowledge", "soft")
    ]
    assert not missing, f"template columns not documented in the README: {missing}"


def test_a_blank_cell_is_unknown_and_none_is_an_empty_list(tmp_path):
    text = "id,certifications\nB1,\nB2,none\nB3,CPC\n"
    result = screen_file(_csv(tmp_path, text), Rubric(knockouts=["must have CPC"]))
    status = dict(zip(result.ranked["candidate_id"], result.ranked["knockouts"], strict=True))
    assert status == {"B1": "unknown", "B2": "fail", "B3": "pass"}
    # Passing knockouts rank first, unknown next, failing last.
    assert result.ranked["candidate_id"].tolist() == ["B3", "B1", "B2"]
    frame = pd.DataFrame({"id": ["C1", "C2"], "years_supervisory": ["3", "3"], "direct_reports": ["", "0"]})
    facts = derive_table_facts(frame, map_columns(list(frame.columns)), load_catalog()).lower
    assert np.isnan(facts.loc[0, "max_direct_reports"]) and facts.loc[1, "max_direct_reports"] == 0


_PLAIN = st.floats(0, 70, allow_nan=False).map(lambda v: f"{v:.1f}")
_ODD = st.one_of(
    st.sampled_from(["", "3", "1,500", "2,5", "3_000", "inf", "nan", "1e1", "-1", "ten", "+.5", "１２"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
)


@settings(max_examples=60, deadline=None)
@given(plain=st.lists(_PLAIN, min_size=1, max_size=10), odd=st.lists(_ODD, max_size=2))
def test_a_cell_reads_the_same_whatever_else_is_in_its_batch(plain, odd):
    """Numbers are parsed a batch at a time (a fast path for plain numbers, cell by cell when any
    cell is not one): a cell's value and its problem never depend on its neighbours."""
    catalog = load_catalog()
    cells = plain + odd

    def read(column):
        frame = pd.DataFrame({"id": [f"C{i}" for i in range(len(column))], "years_healthcare": column})
        facts = derive_table_facts(frame, map_columns(["id", "years_healthcare"]), catalog)
        return facts.lower["years_healthcare"].tolist(), facts.problems

    together, problems = read(cells)
    alone = [read([cell]) for cell in cells]
    assert together == pytest.approx([values[0] for values, _ in alone], nan_ok=True)
    assert problems == {i: p[0] for i, (_, p) in enumerate(alone) if p}


def test_a_practice_administrator_title_lifts_only_a_healthcare_manager_to_the_top_rung():
    from advisor.vocabulary import LADDER_RUNGS

    frame = pd.DataFrame(
        {
            "id": ["P1", "P2", "P3", "P4"],
            "years_management_healthcare": ["3", "3", "0.5", "3"],
            "job_titles": [
                "Billing Lead; Practice Administrator",
                "Office Manager",
                "Practice Administrator",
                "",
            ],
        }
    )
    facts = derive_table_facts(frame, map_columns(list(frame.columns)), load_catalog()).lower
    assert facts["ladder_rung"].tolist() == [
        LADDER_RUNGS["practice_administrator"],
        LADDER_RUNGS["office_manager"],
        0,  # half a year managing: no rung held a year yet, and the titles do not count
        LADDER_RUNGS["office_manager"],
    ]


def test_names_the_catalog_does_not_know_are_reported_with_their_row_counts():
    text = b"candidate_id,certifications,software\nA1,CPC; XYZCERT,Epic\nA2,XYZCERT,FooSoft\nA3,,FooSoft\n"
    result = screen_file(text, Rubric(), name="t.csv", chunk_rows=2)  # counted across batches
    assert (
        "not in the catalog, so never credited (rows of the file naming it): 'FooSoft' (2 rows), "
        "'XYZCERT' (2 rows)" in result.notes
    )


_CELL = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8),
    st.sampled_from(["", " ", "a,b", 'say "hi"', "two\nlines", "\r\n", "'=1+1", "  padded  ", '"', "é"]),
)


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=8),
    separator=st.sampled_from([",", ";", "\t"]),
    chunk=st.integers(1, 4),
    crlf=st.booleans(),
)
def test_the_fast_and_the_careful_reader_read_a_regular_file_alike(rows, separator, chunk, crlf):
    """A regular UTF-8 file is read by Arrow's parser; one more row with too many cells sends
    the same file to the careful reader. Both give every other row the same cells and number."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n" if crlf else "\n")
    if not crlf:  # Python's writer leaves a lone CR unquoted then: a line break to any reader
        rows = [[cell.replace("\r", "") for cell in row] for row in rows]
    writer.writerows([["candidate_id", "name", "years_healthcare"], *rows])
    regular = out.getvalue()
    irregular = regular + separator.join(["x"] * 5) + "\n"

    def read(text):
        table = CandidateFile.open(text.encode(), "t.csv")
        try:
            batches = list(table.batches(chunk))
        finally:
            table.close()
        frame = pd.concat([b.frame for b in batches], ignore_index=True) if batches else pd.DataFrame()
        numbers = [int(n) for b in batches for n in b.rows]
        return frame, numbers, table.bad_rows, table.reader

    fast, fast_rows, fast_bad, fast_reader = read(regular)
    careful, careful_rows, careful_bad, careful_reader = read(irregular)
    assert (fast_reader, careful_reader) == ("arrow", "careful")
    assert not fast_bad and len(careful_bad) == 1  # the extra row is named
    n = len(rows)
    assert fast_rows == careful_rows[:n] == list(range(2, n + 2))
    pd.testing.assert_frame_equal(fast, careful.iloc[:n])


def test_a_file_sent_to_the_careful_reader_is_read_whole():
    """Arrow reads ahead on threads of its own: when its check gives up early (row 7 has a
    cell too many), the careful reader must still get every row of the file."""
    rows = [b"%d,name%d" % (i, i) for i in range(200_000)]
    rows[5] = b"x,y,z"
    data = b"candidate_id,name\n" + b"\n".join(rows) + b"\n"
    for _ in range(3):
        table = CandidateFile.open(data, "t.csv")
        read = sum(len(b.frame) for b in table.batches())
        table.close()
        assert (table.reader, read, [p.line for p in table.bad_rows]) == ("careful", 200_000, [7])


def test_a_file_changed_after_it_was_opened_is_refused_not_read_in_part(tmp_path):
    path = _csv(tmp_path, "candidate_id,name\n" + "".join(f"C{i},n{i}\n" for i in range(10)))
    table = CandidateFile.open(path)
    with path.open("a", encoding="utf-8") as more:
        more.write("C10,n10\n")
    with pytest.raises(InputError, match="the file changed while it was being read"):
        list(table.batches(4))
    table.close()


def test_a_first_line_ended_by_a_lone_cr_leaves_the_next_row_alone():
    # Old Mac line ends, and a blank first cell (pandas' skiprows shifted it left).
    for data in (b"candidate_id,name\r,Ann\rB2,Bob\r", b"candidate_id,name\r,Ann\rB2,Bob\rx,y,z\r"):
        table = CandidateFile.open(data, "t.csv")
        frame = pd.concat([b.frame for b in table.batches(1)], ignore_index=True)
        assert frame.values.tolist()[:2] == [["", "Ann"], ["B2", "Bob"]], table.reader
        assert len(list(table.batches())) and len(table.bad_rows) <= 1  # read twice: listed once
        table.close()


def test_real_headers_are_matched_and_protected_ones_never_are():
    colmap = map_columns(
        ["Applicant ID", "Yrs Supervisory", "Certs", "Age", "Gender", "Race/Ethnicity", "Notes"]
    )
    assert colmap.columns["candidate_id"] == "Applicant ID"
    assert colmap.columns["years_supervisory"] == "Yrs Supervisory"
    assert colmap.columns["certifications"] == "Certs"
    assert {"Age", "Gender", "Race/Ethnicity", "Notes"} <= set(colmap.extra)
    assert any("closest name" in n for n in colmap.notes)
    with pytest.raises(InputError, match="protected characteristic"):
        map_columns(["id", "Age"], {"years_experience": "Age"})
    # A wrong automatic match can be switched off: that template column is then read from nothing.
    assert "years_supervisory" not in map_columns(["Yrs Supervisory"], {"years_supervisory": ""}).columns
    with pytest.raises(InputError, match="did you mean 'years_supervisory'"):
        map_columns(["id", "x"], {"years_supervisry": "x"})


# --- ranking: reproducible, explained, chunk- and engine-independent -------------------------


def test_the_ranking_has_reasons_and_the_same_file_and_rubric_give_the_same_ranking(tmp_path):
    path = _csv(tmp_path, POOL)
    rubric = Rubric(knockouts=["2+ years supervisory"], shortlist_band="developing")
    first, second = (
        screen_file(path, rubric),
        screen_file(path, Rubric.model_validate_json(rubric.model_dump_json())),
    )
    pd.testing.assert_frame_equal(first.ranked, second.ranked)
    top = first.ranked.iloc[0]
    assert top["candidate_id"] == "A1" and top["knockouts"] == "pass"
    assert top["for_1"].endswith(")") and "(+" in top["for_1"]
    assert first.ranked.loc[first.ranked["candidate_id"] == "A2", "knockouts"].item() == "fail"
    assert first.ranked["rank"].tolist() == [1, 2, 3, 4]
    against = first.ranked[["against_1", "against_2", "against_3"]].to_numpy().ravel()
    assert any(a.startswith(("Missing:", "Not given:", "Partly:")) for a in against)
    # Each row's reasons come largest first: the points in brackets never rise.
    for side in ("for", "against"):
        texts = first.ranked[[f"{side}_{k}" for k in (1, 2, 3)]].to_numpy()
        points = np.vectorize(lambda t: float(t.rsplit("(", 1)[1][1:-1]) if t else 0.0)(texts)
        assert (np.diff(points, axis=1) <= 0).all()


@settings(max_examples=15, deadline=None)
@given(chunk=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_chunk_size_never_changes_the_ranking(chunk, seed):
    rng = np.random.default_rng(seed)
    lines = [HEADER.strip()]
    for i in range(12):
        lines.append(
            f"C{i},N{i},{rng.choice(['bachelor', 'associate', 'high_school', ''])},,"
            f"{rng.integers(0, 9)},{rng.integers(0, 15)},{rng.choice(['CPC', 'none', '', 'CMM; CPB'])},"
            f"{rng.choice(['F', 'M', ''])}"
        )
    data = ("\n".join(lines) + "\n").encode()
    whole = screen_file(data, Rubric(), name="pool.csv")
    parts = screen_file(data, Rubric(), name="pool.csv", chunk_rows=chunk)
    pd.testing.assert_frame_equal(whole.ranked, parts.ranked)


@settings(max_examples=20, deadline=None)
@given(groups=st.lists(st.sampled_from(["F", "M", "X", "", "Hispanic", "=cmd()"]), min_size=4, max_size=4))
def test_changing_only_the_demographic_columns_never_changes_a_score_or_rank(groups):
    frame = pd.read_csv(io.StringIO(POOL), dtype=str, keep_default_na=False)
    base = screen_file(frame.to_csv(index=False).encode(), Rubric(), name="a.csv", carry=["Gender"])
    frame["Gender"] = groups
    changed = screen_file(frame.to_csv(index=False).encode(), Rubric(), name="b.csv", carry=["Gender"])
    scored = [c for c in base.ranked.columns if not c.startswith("carry:")]
    pd.testing.assert_frame_equal(base.ranked[scored], changed.ranked[scored])
    assert changed.ranked.set_index("candidate_id").loc["A1", "carry:Gender"] == groups[0]


def test_a_demographic_column_cannot_feed_the_score(tmp_path):
    with pytest.raises(InputError, match="cannot also be a demographic column"):
        screen_file(_csv(tmp_path, POOL), Rubric(), carry=["certifications"])


def test_weights_change_points_and_zero_removes_a_dimension(tmp_path):
    path = _csv(tmp_path, POOL)
    plain = screen_file(path, Rubric(model=False)).ranked.set_index("candidate_id")
    no_edu = screen_file(path, Rubric(model=False, weights={"education": 0})).ranked.set_index("candidate_id")
    assert (no_edu["points_education"] == 0).all()
    assert (plain.loc["A1", "points_education"] > 0) and plain.loc["A1", "score"] != no_edu.loc["A1", "score"]
    with pytest.raises(InputError, match="did you mean 'leadership'"):
        compile_rubric(Rubric(weights={"leadershp": 2}))
    with pytest.raises(InputError, match="from 0 to 5"):
        compile_rubric(Rubric(weights={"leadership": 9}))


@settings(max_examples=25, deadline=None)
@given(years=st.floats(0, 30), more=st.floats(0, 10))
def test_more_supervisory_years_never_lowers_the_rules_score(years, more):
    text = f"id,years_supervisory,years_healthcare\nP,{years},10\nQ,{years + more},10\n"
    ranked = screen_file(text.encode(), Rubric(model=False), name="p.csv").ranked.set_index("candidate_id")
    assert 0 <= ranked.loc["P", "score"] <= ranked.loc["Q", "score"] <= 100


def test_a_posting_can_be_the_rubric(tmp_path):
    posting = parse_posting(
        "Office Manager\nRequirements:\n- Bachelor's degree required\n- CPC required\n"
        "- 3+ years of supervisory experience"
    ).posting
    result = screen_file(_csv(tmp_path, POOL), Rubric(posting=posting))
    top = result.ranked.iloc[0]
    assert top["candidate_id"] == "A1" and top["model_adjustment"] == 0


def test_the_dask_engine_ranks_exactly_as_pandas_does(tmp_path):
    pytest.importorskip("distributed")
    lines = [HEADER.strip()] + [
        f"D{i},N{i},bachelor,,{i % 7},{i % 11},{'CPC' if i % 3 else 'none'},F" for i in range(60)
    ]
    path = _csv(tmp_path, "\n".join(lines) + "\n")
    local = screen_file(path, Rubric(), chunk_rows=16)
    dask = screen_file(path, Rubric(), chunk_rows=16, engine="dask")
    pd.testing.assert_frame_equal(local.ranked, dask.ranked)


# --- bad input, named by row and column -----------------------------------------------------


def test_bad_rows_are_skipped_and_listed_while_the_rest_are_ranked(tmp_path):
    text = (
        HEADER
        + "A1,Ann,bachelor,,5,8,CPC,F\n"
        + "A2,Raj,some college maybe,,1,3,,M\n"
        + "A3,Lee,master,,-4,2,,M\n"
        + "A1,Dup,bachelor,,1,1,,F\n"
        + ",NoId,bachelor,,1,1,,F\n"
        + "A6,Too,many,cells,1,1,CPC,F,extra\n"
        + "A7,Ok,associate,,2,2,,F\n"
    )
    result = screen_file(_csv(tmp_path, text), Rubric())
    assert result.ranked["candidate_id"].tolist() == ["A1", "A7"] or set(result.ranked["candidate_id"]) == {
        "A1",
        "A7",
    }
    problems = dict(zip(result.skipped["row"], result.skipped["problem"], strict=True))
    assert "column 'education_level'" in problems[3] and "some college maybe" in problems[3]
    assert "column 'years_supervisory'" in problems[4] and "'-4'" in problems[4]
    assert "duplicate candidate id 'A1' (first on row 2)" in problems[5]
    assert "candidate id is blank" in problems[6]
    assert "skipped" in problems[7]
    # Bands are ranked, not spelled: they compare in band order, and skipped rows add nothing.
    bands = result.ranked["band"]
    assert list(bands.cat.categories) == list(BANDS) and bands.cat.ordered
    assert ((bands >= "developing") == bands.isin(["developing", "nearly", "ready"])).all()
    assert result.ranked.attrs == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n\x00\x01\x02binary", "not a CSV or XLSX"),
        ("id,name\nA,B\n".encode("utf-16"), "UTF-16"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "old .xls"),
        (b"PK\x03\x04not really a zip", "damaged"),
        (b"\n\n", "column headers"),
        (b"id,id\nA,B\n", "appears twice"),
        (b'candidate_id,years_experience,name\nA1,3,Ann\nA2,4,"Bob\nA3,5,Cy\n', "row 3: a quote"),
    ],
)
def test_files_that_are_not_tables_get_a_clear_message(content, message):
    with pytest.raises(InputError, match=message):
        screen_file(content, Rubric(), name="upload.csv")


def test_a_windows_1252_file_is_read_and_said_so(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("id,name,years_healthcare\nA1,José Núñez,4\n".encode("cp1252"))
    result = screen_file(path, Rubric())
    assert result.ranked["name"].tolist() == ["José Núñez"]
    assert any("Windows-1252" in n for n in result.notes)


def test_a_stray_invalid_byte_skips_only_its_row(tmp_path):
    path = tmp_path / "mixed.csv"
    rows = "id,name,years_healthcare\nA0,José,1\n" + "".join(
        f"A{i},Name {i},{i % 20}\n" for i in range(1, 5000)
    )
    path.write_bytes(rows.encode() + b"B1,Bad \xff name,3\n")
    result = screen_file(path, Rubric())
    assert len(result.ranked) == 5000
    assert "column 'name'" in result.skipped["problem"].item()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:  # a sparse 2 GB file: nothing is really written
        handle.truncate(2 * 1024**3)
    with pytest.raises(InputError, match=r"2,048 MB, over the 1,024 MB limit"):
        screen_file(huge, Rubric())
    monkeypatch.setenv("ADVISOR_SCREEN_MAX_BYTES", "100")
    with pytest.raises(InputError, match="over the 100 bytes limit"):
        screen_file(POOL.encode(), Rubric(), name="pool.csv")


def test_a_knockout_that_does_not_parse_is_named(tmp_path):
    with pytest.raises(InputError) as caught:
        compile_rubric(Rubric(knockouts=["CPC", "years_supervisry >= 2", "3+ years supervising"]))
    message = str(caught.value)
    assert "knockout 2 'years_supervisry >= 2'" in message and "did you mean 'years_supervisory'" in message
    assert "knockout 3" in message and "years_supervisory" in message
    assert "knockout 1" not in message


def test_xlsx_files_are_read_and_written(tmp_path):
    frame = pd.read_csv(io.StringIO(POOL), dtype=str, keep_default_na=False)
    path = tmp_path / "pool.xlsx"
    frame.to_excel(path, index=False)
    from_xlsx = screen_file(path, Rubric())
    from_csv = screen_file(_csv(tmp_path, POOL), Rubric())
    assert _rows(from_xlsx.ranked) == _rows(from_csv.ranked)


# --- exports and impact ---------------------------------------------------------------------

PAYLOADS = ['=HYPERLINK("http://x")', "+SUM(A1)", "-2+3", "@cmd"]


def test_exports_never_carry_a_live_formula(tmp_path):
    lines = [HEADER.strip()] + [
        f'F{i},"{p.replace(chr(34), chr(34) * 2)}",bachelor,,1,1,,F' for i, p in enumerate(PAYLOADS)
    ]
    result = screen_file(_csv(tmp_path, "\n".join(lines) + "\n"), Rubric(), carry=["Gender"])
    rows = list(csv.DictReader(io.StringIO(export_csv(result).decode("utf-8-sig"))))
    names = {r["name"] for r in rows}
    assert names == {"'" + p for p in PAYLOADS}
    assert "Gender" not in rows[0] and "carry:Gender" not in rows[0]
    assert rows[0]["score"].replace(".", "").isdigit()  # numbers stay numbers
    book = load_workbook(io.BytesIO(export_xlsx(result)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert neutralize(-3) == -3 and neutralize("3") == "3"
    assert neutralize("\tTAB") == "'\tTAB" and neutralize("\rCR") == "'\rCR" and neutralize("\0x") == "'\0x"


def test_a_large_export_written_in_slices_is_the_same_file(tmp_path, monkeypatch):
    import advisor.export

    result = screen_file(_csv(tmp_path, POOL), Rubric())
    whole = export_csv(result)
    monkeypatch.setattr(advisor.export, "WRITE_SLICE_ROWS", 1)  # every row "large": one slice per core
    monkeypatch.setattr(advisor.export.os, "cpu_count", lambda: 4)  # four slices of the four rows
    sliced = export_csv(result)
    assert sliced == whole and sliced.startswith("\ufeff".encode())
    assert (
        sliced.count(b'"rank"') == 1
        and len(sliced.decode("utf-8-sig").splitlines()) == len(result.ranked) + 1
    )


def test_the_impact_report_matches_a_hand_computed_table():
    # 48 of 80 women and 12 of 40 men selected: rates 0.6 and 0.3, ratio 0.5 (flagged).
    sex = ["F"] * 80 + ["M"] * 40 + [""] * 5
    selected = [True] * 48 + [False] * 32 + [True] * 12 + [False] * 28 + [True] * 5
    report = impact_report(pd.DataFrame({"sex": sex}), selected, ["sex"], "shortlist")
    table = report.tables["sex"].set_index("group")
    assert table.loc["F", "selection_rate"] == pytest.approx(0.6)
    assert table.loc["M", "impact_ratio"] == pytest.approx(0.5)
    assert table.loc["M", "flag"] == "under 0.8" and table.loc["F", "flag"] == ""
    assert report.unknown["sex"] == 5
    assert report.flagged == [("sex", "M", 0.5)]
    # One candidate of another group (under 2%) selected: with it, the ratios are against its 100%.
    rare = impact_report(
        pd.DataFrame({"sex": [*sex, "X"]}), [*selected, True], ["sex"], "shortlist", exclude_rare=True
    )
    table = rare.tables["sex"].set_index("group")
    assert table.loc["X", "excluded"] and np.isnan(table.loc["X", "impact_ratio"])
    assert table.loc["M", "impact_ratio"] == pytest.approx(0.5) and table.loc["F", "impact_ratio"] == 1.0
    kept = impact_report(pd.DataFrame({"sex": [*sex, "X"]}), [*selected, True], ["sex"], "shortlist")
    assert kept.tables["sex"].set_index("group").loc["F", "impact_ratio"] == pytest.approx(0.6)
    assert "not a legal finding" in report.disclaimer


def test_the_impact_report_covers_intersections_and_warns_on_small_groups(tmp_path):
    text = "id,years_supervisory,years_healthcare,Sex,Race\n" + "".join(
        f"I{i},{i % 6},{i % 9},{'F' if i % 2 else 'M'},{['A', 'B', 'C'][i % 3]}\n" for i in range(60)
    )
    result = screen_file(_csv(tmp_path, text), Rubric(shortlist_band="developing"), carry=["Sex", "Race"])
    report = impact(result, ["Sex", "Race"])
    assert set(report.tables) == {"Sex", "Race", "Sex × Race"}
    assert len(report.tables["Sex × Race"]) == 6
    assert any("too few candidates" in w for w in report.warnings)
    scoring_rate = impact(result, ["Sex"], median=True)
    ranked = result.ranked
    above = (ranked["score"] > ranked["score"].median()).groupby(ranked["carry:Sex"]).mean()
    rates = scoring_rate.tables["Sex"].set_index("group")["selection_rate"]
    assert rates.to_dict() == pytest.approx(above.to_dict()) and "scoring rate" in scoring_rate.selection
    by_band = impact(result, ["Sex"], band="early")
    assert by_band.tables["Sex"]["selection_rate"].eq(1.0).all()
    assert any("everyone or no one" in w for w in by_band.warnings)


# --- resumes --------------------------------------------------------------------------------


def test_a_zip_of_resumes_is_screened_and_unreadable_files_are_listed():
    buffer = io.BytesIO()
    resumes = sorted((ROOT / "tests" / "data" / "resumes").glob("r0[1-3]*.txt"))
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in resumes:
            archive.write(path, path.name)
        archive.writestr("broken.pdf", b"%PDF-1.4 not really")
    result = screen_resumes(buffer.getvalue(), Rubric(), as_of=AS_OF)
    assert set(result.ranked["candidate_id"]) == {p.name for p in resumes}
    assert result.skipped["candidate_id"].tolist() == ["broken.pdf"]
    with pytest.raises(InputError, match="not a zip"):
        screen_resumes(b"plain text", Rubric())


# --- the command line -----------------------------------------------------------------------


def test_cli_screen_writes_a_ranking_and_a_rubric_that_reproduces_it(tmp_path, capsys):
    pool = _csv(tmp_path, POOL)
    out = tmp_path / "ranked.csv"
    code = main(["screen", str(pool), "--knockout", "CPC", "-o", str(out), "--impact-column", "Gender"])
    printed = capsys.readouterr().out
    assert code == 0 and out.exists() and "Adverse impact" in printed and "A1" in printed
    rubric = json.loads((tmp_path / "ranked.rubric.json").read_text())
    assert rubric["knockouts"] == ["CPC"]
    again = tmp_path / "again.csv"
    assert (
        main(["screen", str(pool), "--rubric", str(tmp_path / "ranked.rubric.json"), "-o", str(again)]) == 0
    )
    assert again.read_bytes() == out.read_bytes()
    xlsx = tmp_path / "ranked.xlsx"
    assert main(["screen", str(pool), "-o", str(xlsx)]) == 0
    assert load_workbook(xlsx).sheetnames == ["Ranking", "Rubric", "Skipped"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--knockout", "years_supervisry >= 2"], "did you mean 'years_supervisory'"),
        (["-o", "ranked.pdf"], "written as .csv or .xlsx"),
        (["--weight", "leadership"], "DIMENSION=NUMBER"),
        (["--impact-column", "Sex"], "no column 'Sex'"),
    ],
)
def test_cli_screen_bad_arguments_give_one_line_and_exit_2(tmp_path, capsys, args, message):
    code = main(["screen", str(_csv(tmp_path, POOL)), *args])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1


def test_cli_screen_prints_the_template_and_never_overwrites_on_failure(tmp_path, capsys):
    assert main(["screen", "--template"]) == 0
    assert capsys.readouterr().out.startswith("candidate_id,name,")
    out = tmp_path / "ranked.csv"
    out.write_text("kept")
    assert main(["screen", str(_csv(tmp_path, "id\n", "empty.csv")), "-o", str(out)]) == 2
    assert out.read_text() == "kept"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_a_candidate_file_reads_its_headers_and_closes(tmp_path):
    table = CandidateFile.open(_csv(tmp_path, POOL))
    assert table.headers[0] == "candidate_id"
    table.close()
    assert table.handle.closed


def test_a_folder_of_resumes_is_screened_like_a_zip(tmp_path, capsys):
    folder = tmp_path / "cvs"
    folder.mkdir()
    for path in sorted((ROOT / "tests" / "data" / "resumes").glob("r0[1-3]*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    assert main(["screen", str(folder), "--top", "5"]) == 0
    printed = capsys.readouterr().out
    assert "Screened 3 candidates" in printed and "r01_front_desk" in printed
    assert main(["screen", str(tmp_path / "cvs"), "--impact-column", "Sex"]) == 2


def test_a_column_can_be_mapped_by_hand(tmp_path, capsys):
    path = _csv(tmp_path, "Req,Hc\nR1,4\nR2,1\n")
    assert main(["screen", str(path), "--column", "candidate_id=Req", "--column", "years_healthcare=Hc"]) == 0
    assert "R1" in capsys.readouterr().out
    assert main(["screen", str(path), "--column", "years_helthcare=Hc"]) == 2
    assert "did you mean 'years_healthcare'" in capsys.readouterr().err


def test_spreadsheet_quirks_are_read_right_or_named():
    # A trailing separator is read as nothing more (never as a shift one column to the left) ...
    trailing = screen_file(
        b"candidate_id,name,years_experience\nA1,Ann,10,\nA2,Bob,1\n", Rubric(), name="t.csv"
    )
    assert sorted(zip(trailing.ranked["candidate_id"], trailing.ranked["name"], strict=True)) == [
        ("A1", "Ann"),
        ("A2", "Bob"),
    ]
    # ... and a row with more cells than the header is listed, not guessed at.
    extra = screen_file(
        b"candidate_id,name,years_experience\nA1,Ann,10,7\nA2,Bob,1\n", Rubric(), name="t.csv"
    )
    assert extra.ranked["candidate_id"].tolist() == ["A2"]
    assert (
        extra.skipped["row"].tolist() == [2]
        and "4 cells, the header has 3" in extra.skipped["problem"].item()
    )
    # Row numbers stay true after a blank line and a skipped line.
    text = b"name,years_experience\nAnn,3\n\nBob,4,9,9\nCy,5\n"
    numbered = screen_file(text, Rubric(), name="t.csv")
    assert dict(zip(numbered.ranked["name"], numbered.ranked["row"], strict=True)) == {"Ann": 2, "Cy": 5}
    assert numbered.skipped["row"].tolist() == [4]
    # Blank headers (trailing empty columns) are named by position; a semicolon file is read.
    blanks = screen_file(b"candidate_id,years_healthcare,,\nA1,2,,\n", Rubric(), name="t.csv")
    assert blanks.ranked["candidate_id"].tolist() == ["A1"]
    europe = screen_file(b"candidate_id;years_healthcare\nE1;2,5\nE2;1500\n", Rubric(), name="t.csv")
    assert europe.ranked["candidate_id"].tolist() == ["E1"] and any("';'" in n for n in europe.notes)
    assert "'1500' is not a number from 0 to 60" in europe.skipped["problem"].item()
    facts = derive_table_facts(
        pd.DataFrame({"id": ["E1", "E2"], "years_healthcare": ["2,5", "1,5"]}),
        map_columns(["id", "years_healthcare"]),
        load_catalog(),
    ).lower
    assert facts["years_healthcare"].tolist() == [2.5, 1.5]
    with pytest.raises(InputError, match="none of the columns"):
        screen_file(b"foo,bar\n1,2\n", Rubric(), name="t.csv")


def test_screening_is_rules_only_unless_the_model_is_asked_for(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ADVISOR_MODEL", raising=False)
    pool = _csv(tmp_path, POOL)
    plain = screen_file(pool, Rubric()).ranked
    assert (plain["model_adjustment"] == 0).all() and (plain["score"] == plain["rules_score"]).all()
    blended = screen_file(pool, Rubric(model=True)).ranked
    assert (blended["model_adjustment"] != 0).any()
    out = tmp_path / "blended.csv"
    assert main(["screen", str(pool), "--model", "shipped", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert any(float(r["model_adjustment"]) != 0 for r in rows)
    assert json.loads((tmp_path / "blended.rubric.json").read_text())["model"] is True
