"""Resume and posting reading: accuracy on the labeled corpus, the formats people use, bad files."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import StratifiedKFold, cross_val_score

from advisor.errors import InputError
from advisor.posting import assess_posting, parse_posting, posting_rules
from advisor.profile import Profile
from advisor.resume import MAX_BYTES, ResumeError, parse_resume_text, read_resume
from advisor.titles import TITLES, _model, classify_titles, normalize_title
from tests.conftest import AS_OF, ROOT, example

CORPUS = ROOT / "tests" / "data"
WORDS = [
    "2019", " - ", "Jan", "years", "experience", "$", "5,000", "(", ")", "CPC", "or", "/", "Present", "•",
    "Bachelor's", "preferred", "required", "\n", "  ", "2-3", "yrs", "10",
]  # fmt: skip
"""The readers' own words, for text built to tempt their patterns into backtracking."""


def _bench():
    spec = importlib.util.spec_from_file_location("extraction_bench", ROOT / "bench" / "extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- accuracy on the corpus ---------------------------------------------------------------


def test_the_corpus_is_big_enough_and_labeled():
    postings = sorted((CORPUS / "postings").glob("*.txt"))
    resumes = sorted((CORPUS / "resumes").glob("*.expected.json"))
    assert len(postings) >= 25 and len(resumes) >= 25
    assert all(p.with_suffix(".expected.json").exists() for p in postings)
    formats = {
        next(p for p in r.parent.glob(r.name.replace(".expected.json", ".*")) if p != r).suffix
        for r in resumes
    }
    assert {".txt", ".docx", ".pdf", ".json"} <= formats


def test_postings_are_read_with_f1_of_at_least_0_9():
    tally, _ = _bench().score_postings()
    _, f1 = tally.table()
    assert f1 >= 0.9, "\n".join(tally.misses)


def test_resumes_are_read_with_f1_of_at_least_0_85():
    tally, _ = _bench().score_resumes()
    _, f1 = tally.table()
    assert f1 >= 0.85, "\n".join(tally.misses)


# --- job titles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "family"),
    [
        ("Front Desk Coord.", "front_desk"),
        ("Pt Access Rep II", "front_desk"),
        ("Billing Lead", "supervisor"),
        ("Practice Admin", "practice_administrator"),
        ("Sr. Medical Biller", "billing_coding"),
        ("Store Manager", "other"),
    ],
)
def test_free_text_titles_get_their_role_family(title, family):
    assert classify_titles([title])[0].role_family == family


def test_the_title_classifier_generalizes_to_titles_it_has_not_seen():
    with TITLES.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = [normalize_title(r["title"]) for r in rows]
    labels = [r["role_family"] for r in rows]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    accuracy = cross_val_score(_model(), texts, labels, cv=folds).mean()
    assert accuracy >= 0.8


# --- resumes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "start", "end"),
    [
        ("Jan 2019 – Present", "2019-01", None),
        ("January 2019 - Current", "2019-01", None),
        ("03/2016-08/2019", "2016-03", "2019-08"),
        ("3/2016 to 8/2019", "2016-03", "2019-08"),
        ("2016–2019", "2016-01", "2019-12"),
        ("Summer 2020", "2020-06", "2020-08"),
        ("May '18 – Jun '21", "2018-05", "2021-06"),
    ],
)
def test_job_dates_in_every_common_format(written, start, end):
    text = f"EXPERIENCE\nMedical Receptionist — Maple Family Clinic\n{written}\n- Checked in patients\n"
    job = parse_resume_text(text, as_of=AS_OF).profile_data["experience"][0]
    assert (job["start"], job["end"]) == (start, end)
    assert job["title"] == "Medical Receptionist" and job["employer"] == "Maple Family Clinic"
    assert job["setting"] == "medical_office" and job["role_family"] == "front_desk"


def test_nothing_that_is_not_in_the_text_appears():
    draft = parse_resume_text("Jordan Lee\n12 Elm St, Springfield, IL 62704\n(217) 555-0100\n", as_of=AS_OF)
    assert draft.profile_data == {}
    assert draft.profile() == Profile()


def test_every_item_carries_its_line_and_a_confidence():
    text = (
        "SKILLS\nEpic, Kareo, Excel\nCERTIFICATIONS\nCertified Professional Coder (AAPC)\nCPB - in progress\n"
    )
    draft = parse_resume_text(text, as_of=AS_OF)
    assert [s["name"] for s in draft.profile_data["software"]] == ["Epic", "Tebra", "Microsoft Excel"]
    assert draft.profile_data["certifications"] == [
        {"code": "CPC", "status": "earned"},
        {"code": "CPB", "status": "in_progress"},
    ]
    cpc = next(e for e in draft.evidence if e.value.startswith("CPC"))
    assert cpc.line == 4 and "Certified Professional Coder" in cpc.text and 0 < cpc.confidence <= 1


def test_supervision_and_team_size_are_read_where_stated():
    text = (
        "EXPERIENCE\nOffice Manager | Lakeside Pediatrics | 2018 - Present\n"
        "- Supervise a team of 6 front desk and billing staff\n- Run bi-weekly payroll\n"
    )
    job = parse_resume_text(text, as_of=AS_OF).profile_data["experience"][0]
    assert job["supervisory"] is True and job["direct_reports"] == 6
    assert "payroll" in job["duties"]


def test_a_json_resume_is_read():
    work = {
        "name": "Riverside Family Medicine",
        "position": "Medical Biller",
        "startDate": "2020-03-01",
        "highlights": ["Submitted claims and worked denials"],
    }
    school = {
        "institution": "Metro College",
        "area": "Medical Billing and Coding",
        "studyType": "Certificate",
        "endDate": "2019-12",
    }
    data = {
        "basics": {"name": "Test Person"},
        "work": [work],
        "education": [school],
        "certificates": [{"name": "Certified Professional Biller"}],
        "languages": [{"language": "Spanish", "fluency": "Native"}],
    }
    draft = read_resume(json.dumps(data).encode(), "resume.json", as_of=AS_OF)
    job = draft.profile_data["experience"][0]
    assert (job["title"], job["employer"], job["start"], job["end"]) == (
        "Medical Biller",
        "Riverside Family Medicine",
        "2020-03",
        None,
    )
    assert draft.profile_data["certifications"] == [{"code": "CPB", "status": "earned"}]
    assert draft.profile_data["education"][0]["level"] == "certificate"
    assert draft.profile_data["languages"] == ["Spanish"]


def test_pdf_and_word_resumes_are_read_like_text():
    pdf = read_resume((CORPUS / "resumes/r23_pediatric_receptionist.pdf").read_bytes(), "r.pdf", as_of=AS_OF)
    docx = read_resume(
        (CORPUS / "resumes/r17_obgyn_office_manager_table.docx").read_bytes(), "r.docx", as_of=AS_OF
    )
    assert pdf.profile_data["experience"] and docx.profile_data["experience"]
    assert docx.profile_data["experience"][0]["title"] == "Office Manager"


# --- bad files ----------------------------------------------------------------------------


def _pdf(text: str | None, password: str | None = None) -> bytes:
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    doc = FPDF()
    doc.add_page()
    if text:
        doc.set_font("Helvetica", size=11)
        doc.multi_cell(0, 6, text)
    data = bytes(doc.output())
    if password:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(password)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (40 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            lambda: _pdf("Medical Receptionist 2019 - 2022 at a clinic", password="secret"),  # noqa: S106
            "r.pdf",
            "password",
        ),
        (lambda: _pdf(None), "r.pdf", "no text layer: paste the text instead"),
        (lambda: b"%PDF-1.4\n%broken\n" + b"x" * 200, "r.pdf", "could not be read"),
        (_zip_bomb, "r.docx", "unpacks to 40 MB"),
        (lambda: b"PK\x03\x04not really a zip", "r.docx", "could not be read"),
        (lambda: b"a" * (MAX_BYTES + 1), "r.txt", "the most read is 5 MB"),
        (lambda: b"", "r.txt", "the file is empty"),
        (lambda: b"\x00\x01\x02binary", "r.txt", "not a text file"),
        (lambda: b"{not json", "r.json", "not valid JSON"),
    ],
    ids=[
        "encrypted",
        "image-only",
        "corrupt-pdf",
        "zip-bomb",
        "corrupt-docx",
        "huge",
        "empty",
        "binary",
        "bad-json",
    ],
)
def test_a_file_that_cannot_be_read_gets_a_clear_message(data, name, message):
    with pytest.raises(ResumeError) as caught:
        read_resume(data(), name, as_of=AS_OF)
    assert message in str(caught.value)


def test_windows_text_is_read_and_the_guess_is_said():
    text = "EXPERIENCE\nRecepcionista — Clínica Familiar Peña\n2019 - 2021\n".encode("cp1252")
    draft = read_resume(text, "r.txt", as_of=AS_OF)
    assert draft.profile_data["experience"][0]["employer"] == "Clínica Familiar Peña"
    assert any("not UTF-8" in note for note in draft.notes)


def test_the_cli_refuses_a_bad_resume_in_one_line(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf(None))
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "parse-resume", str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0
    assert "no text layer" in done.stderr


@settings(max_examples=60, deadline=2000)
@given(text=st.text(min_size=0, max_size=3000))
def test_random_text_never_crashes_or_hangs_the_readers(text):
    try:
        parse_posting(text)
    except InputError:
        assert not text.strip()
    if text.strip():
        parse_resume_text(text, as_of=AS_OF).profile()


@settings(max_examples=25, deadline=2000)
@given(
    text=st.lists(
        st.sampled_from(WORDS),
        max_size=400,
    ).map("".join)
)
def test_adversarial_text_made_of_the_readers_own_words_stays_fast(text):
    if text.strip():
        parse_posting(text)
        parse_resume_text(text, as_of=AS_OF)


# --- postings -----------------------------------------------------------------------------


def test_required_preferred_ranges_words_and_pay_are_read():
    text = (
        "Medical Office Manager\nRequirements\n"
        "• BA/BS required; MBA or MHA preferred, or an equivalent combination of education and experience\n"
        "• Two (2) years of medical office experience, including 1 year supervising staff\n"
        "• CPC or CPB required. CMM/CMPE preferred.\n• Kareo and EMR experience; Excel\n"
        "• Bilingual English/Spanish preferred\nPay: $55,000 - $70,000 per year\n"
        "Benefits\n• 401(k) with 4% match after 2 years of service\n"
    )
    p = parse_posting(text).posting
    assert (p.min_education, p.preferred_education) == ("bachelor", "master")
    assert p.equivalent_experience_substitutes_degree
    assert (p.min_years_experience, p.min_years_medical_office, p.min_years_supervisory) == (2, 2, 1)
    assert p.certification_groups == [["CPC", "CPB"]] and p.preferred_certifications == ["CMM", "CMPE"]
    assert set(p.software) == {"Tebra", "category:ehr", "Microsoft Excel"}
    assert p.bilingual == "preferred"
    assert (p.salary_min, p.salary_max, p.salary_unit) == (55000, 70000, "year")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Pay: $18.50 - $22.00 per hour", (18.5, 22.0, "hour")),
        ("Salary range: 55K-70K annually", (55000, 70000, "year")),
        ("Compensation: up to $90,000", (None, 90000, "year")),
        ("Starting at $18/hr", (18, None, "hour")),
        ("Pay: DOE", (None, None, None)),
    ],
)
def test_pay_in_its_usual_forms(line, expected):
    p = parse_posting(f"Front Desk Receptionist\n{line}\n").posting
    assert (p.salary_min, p.salary_max, p.salary_unit) == expected


def test_a_skill_stuffed_ten_times_counts_once():
    text = "Billing Specialist\n" + "Medical billing, billing, BILLING, claims submission. " * 10
    p = parse_posting(text).posting
    assert p.skills == ["billing"]
    rules = posting_rules(p)
    assert [r.spec.id for r in rules.rules] == ["skill_billing"]


def test_a_profile_is_assessed_against_the_posting_by_meaning():
    text = (
        "Billing Lead\nRequirements\n- Kareo experience\n- CPC required\n- 2+ years of billing experience\n"
    )
    posting = parse_posting(text).posting
    result = assess_posting(example("coder_with_cpc"), posting, AS_OF)
    items = {i.rule_id: i for d in result.dimensions for i in d.items}
    assert items["required_credential_0"].status == "met"
    assert items["software_practice_management"].statement == "Software: Tebra"
    missing = assess_posting(example("receptionist_new"), posting, AS_OF)
    gate = next(g for g in missing.gates if g.id == "required_credential_gate_0")
    assert gate.status == "unmet" and gate.actions == ["cert:CPC"]
    assert missing.band != "ready"


def test_an_empty_or_huge_posting_is_refused_clearly():
    with pytest.raises(InputError, match="empty"):
        parse_posting("   \n")
    with pytest.raises(InputError, match="characters"):
        parse_posting("x" * 70_000)
    with pytest.raises(InputError, match="nothing in the posting"):
        posting_rules(parse_posting("We are a friendly team.").posting)


def test_the_example_expected_files_are_profiles():
    for path in (CORPUS / "resumes").glob("*.expected.json"):
        Profile.model_validate(json.loads(path.read_text()))


def test_parse_posting_cli_prints_requirements_with_their_lines(tmp_path):
    path = tmp_path / "posting.txt"
    path.write_text(
        "Office Manager\nRequirements\n- CMPE preferred\n- 3+ years of practice management experience\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "parse-posting", str(path), "--json"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    data = json.loads(done.stdout)
    assert data["posting"]["preferred_certifications"] == ["CMPE"]
    assert {"field": "min_years_experience", "value": "3.0", "line": 4}.items() <= next(
        e for e in data["evidence"] if e["field"] == "min_years_experience"
    ).items()
    assert Path(path).exists()


def test_the_shipped_title_classifier_is_the_one_the_titles_file_gives():
    import numpy as np

    from advisor import titles

    with np.load(titles.FITTED, allow_pickle=False) as saved:
        assert str(saved["digest"]) == titles.titles_digest(), (
            "run `python -m advisor train` after editing titles"
        )
    names = (
        "Front Desk Coord.",
        "Pt Access Rep II",
        "Billing Lead",
        "A",
        "x y",
        "Sr. Billing & Coding Spec III",
    )
    texts = [titles.normalize_title(t) for t in names]
    for target in titles.TARGETS:
        shipped, fresh = titles._load(target), titles._fit(target)
        assert shipped is not None
        assert list(shipped.classes) == list(fresh.classes)
        assert np.allclose(shipped.probabilities(texts), fresh.probabilities(texts), atol=1e-9)
        pipeline = titles._model().fit(*_title_rows(target))
        assert np.allclose(fresh.probabilities(texts), pipeline.predict_proba(texts), atol=1e-9)


def _title_rows(target: str) -> tuple[list[str], list[str]]:
    import csv

    from advisor import titles

    with titles.TITLES.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [titles.normalize_title(r["title"]) for r in rows], [r[target] for r in rows]
