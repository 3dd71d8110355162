"""Resumes -> a draft profile, with the line each item came from and how sure the reading is.

:func:`read_resume` takes the bytes of a PDF (text layer, via pypdf), a Word
file (python-docx), plain text, or a JSON Resume (jsonresume.org), refuses
what it cannot read safely with a message a person can act on (encrypted or
image-only PDFs, zip bombs, huge or empty files, text that is not text), and
reads:

* education: level, field, year, in progress;
* jobs: title and employer as written, dates in the usual formats ("Jan 2019 –
  Present", "03/2016-08/2019", "2016–2019", "Summer 2020", "May '18"), the
  setting (from the employer and title), the role family (a trained title
  classifier, :mod:`advisor.titles`), supervisory role and direct reports
  where stated, duties;
* software, credentials, coursework and languages, by the catalog's names.

Nothing that is not in the text appears in the draft: an unknown stays
unknown. Every item carries its evidence (line and text) and a confidence, so
the app can show "found: CPC (line 14)" for the person to confirm.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from advisor.catalog import Catalog, load_catalog
from advisor.errors import DataFileError, Problem
from advisor.lexicon import (
    find_certifications,
    find_courses,
    find_degrees,
    find_duties,
    find_languages,
    find_software,
)
from advisor.profile import Profile, current_month, month_index
from advisor.titles import classify_titles

MAX_BYTES = 5 * 1024 * 1024
"""Bigger files are refused: a resume is a few pages."""
MAX_UNZIPPED = 30 * 1024 * 1024
"""A Word file that unpacks to more than this is refused (a zip bomb, or not a resume)."""
MAX_PAGES = 30
_TABLE_HEADINGS = {
    "dates", "date", "position", "title", "employer", "company", "organization", "location", "highlights",
    "duties", "responsibilities", "role", "years", "school", "degree",
}  # fmt: skip
MAX_CHARS = 200_000


class ResumeError(DataFileError):
    """A resume file that cannot be read; the message says what to do instead."""


class Evidence(BaseModel):
    """Where an item of the draft was read, and how sure the reading is (0-1)."""

    model_config = ConfigDict(frozen=True)

    field: str
    value: str
    line: int | None
    text: str
    confidence: float


@dataclass
class DraftProfile:
    """A profile read from a resume, not yet confirmed by its owner."""

    profile_data: dict[str, Any]
    evidence: list[Evidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things read but left out (a job without dates) or worth checking."""

    def profile(self) -> Profile:
        """The draft as a validated profile."""
        return Profile.model_validate(self.profile_data)


def _refuse(name: str, message: str) -> ResumeError:
    return ResumeError([Problem(name, None, "", message)])


# --- bytes to text ------------------------------------------------------------------------


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refuse(
                name, "the PDF is password-protected: save it without a password, or paste the text"
            )
        if len(reader.pages) > MAX_PAGES:
            raise _refuse(
                name, f"the PDF has {len(reader.pages)} pages; a resume of up to {MAX_PAGES} is read"
            )
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except ResumeError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise _refuse(
            name, f"the PDF could not be read ({type(exc).__name__}): paste the text instead"
        ) from None
    if len(re.sub(r"\s", "", text)) < 20:
        raise _refuse(
            name, "the PDF has no text layer: paste the text instead (it looks like a scan or an image)"
        )
    return text


def _docx_text(data: bytes, name: str) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNZIPPED:
                raise _refuse(name, f"the Word file unpacks to {unpacked // 2**20} MB; it is not read")
        document = docx.Document(io.BytesIO(data))
    except ResumeError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _refuse(
            name, f"the Word file could not be read ({type(exc).__name__}): paste the text"
        ) from None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(block, document)
            # Word keeps bullets in the paragraph style, not the text: put one back.
            listed = block.pPr is not None and block.pPr.numPr is not None
            style = paragraph.style.name if paragraph.style is not None else ""
            bullet = "- " if listed or style.lower().startswith("list") else ""
            lines.append(bullet + paragraph.text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                if all(c.lower() in _TABLE_HEADINGS for c in cells):
                    continue  # "Dates | Position | Employer": the table's own heading row
                # A row's cells are one job or one degree: keep them on one line, apart.
                lines.append(" | ".join(" ".join(c.split()) for c in cells))
    return "\n".join(lines)


def _plain_text(data: bytes, name: str) -> tuple[str, list[str]]:
    if b"\x00" in data[:4096]:
        raise _refuse(name, "this is not a text file: upload a PDF, Word or text file, or paste the text")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        # Not UTF-8: Windows text editors write cp1252; every byte decodes, so say it was guessed.
        return data.decode("cp1252", errors="replace"), [
            "The file is not UTF-8 text; it was read as Windows (cp1252) text: check names with accents."
        ]


def resume_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """The text of a resume file, and any notes about how it was read."""
    if not data:
        raise _refuse(name, "the file is empty")
    if len(data) > MAX_BYTES:
        raise _refuse(
            name, f"the file is {len(data) / 2**20:.1f} MB; the most read is {MAX_BYTES // 2**20} MB"
        )
    lower = name.lower()
    if data.startswith(b"%PDF") or lower.endswith(".pdf"):
        return _pdf_text(data, name), []
    if data.startswith(b"PK") or lower.endswith(".docx"):
        return _docx_text(data, name), []
    return _plain_text(data, name)


# --- dates --------------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        1,
    )
    for m in names
}  # fmt: skip
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (1, 2)}
_MONTH_WORD = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_YEAR4 = r"(?:19[5-9]\d|20[0-4]\d)"
_DATE = (
    rf"(?:{_MONTH_WORD}\s*,?\s*(?:{_YEAR4}|'\d\d)|(?:spring|summer|fall|autumn|winter)\s+{_YEAR4}"
    rf"|\d{{1,2}}/(?:{_YEAR4}|\d\d)\b|{_YEAR4})"
)
_NOW = r"(?:present|current(?:ly)?|now|today|ongoing)"
_RANGE = re.compile(
    rf"(?<![\w/])({_DATE})\s*(?:-|–|—|to|until|through|thru)\s*({_DATE}|{_NOW})(?![\w/])", re.I
)
_SINGLE = re.compile(rf"(?<![\w/$])({_DATE})(?![\w/])", re.I)


def _month(text: str, end: bool) -> str | None:
    """``YYYY-MM`` for one written date; a year alone is January (start) or December (end)."""
    t = text.strip().lower().replace(",", " ")
    if re.fullmatch(_NOW, t):
        return None
    m = re.fullmatch(r"(spring|summer|fall|autumn|winter)\s+(\d{4})", t)
    if m:
        first, last = _SEASONS[m.group(1)]
        return f"{m.group(2)}-{(last if end else first):02d}"
    m = re.fullmatch(r"(\d{1,2})/(\d{4}|\d\d)", t)
    if m:
        year = int(m.group(2)) if len(m.group(2)) == 4 else 2000 + int(m.group(2))
        return f"{year}-{int(m.group(1)):02d}" if 1 <= int(m.group(1)) <= 12 else None
    m = re.fullmatch(rf"({_MONTH_WORD})\s*(\d{{4}}|'\d\d)", t)
    if m:
        word = m.group(1).rstrip(".")
        number = _MONTHS.get(word) or _MONTHS.get(word[:3])
        year = int(m.group(2)) if m.group(2).isdigit() else 2000 + int(m.group(2)[1:])
        return f"{year}-{number:02d}" if number else None
    if re.fullmatch(r"\d{4}", t):
        return f"{t}-{12 if end else 1:02d}"
    return None


@dataclass(frozen=True)
class _Span:
    start: str
    end: str | None
    at: tuple[int, int]


def _date_range(line: str) -> _Span | None:
    m = _RANGE.search(line)
    if m:
        start, end = _month(m.group(1), end=False), _month(m.group(2), end=True)
        if start is not None:
            return _Span(start, end, m.span())
    m = re.search(r"(?<!\w)(spring|summer|fall|autumn|winter)\s+(\d{4})(?!\w)", line, re.I)
    if m:  # "Summer 2020": the season is the whole job
        return _Span(_month(m.group(0), end=False) or "", _month(m.group(0), end=True), m.span())
    return None


# --- text to a draft ----------------------------------------------------------------------


def _words(*alternatives: str, flags: int = re.IGNORECASE, edges: bool = False) -> re.Pattern[str]:
    """One pattern from many alternatives (regex syntax allowed in each)."""
    body = "|".join(alternatives)
    return re.compile(rf"\b(?:{body})\b" if edges else body, flags)


_SECTION = re.compile(
    r"^\W*("
    + "|".join(
        (
            "experience",
            "work experience",
            "professional experience",
            "work history",
            r"employment(?: history)?",
            "career history",
            "relevant experience",
            "related experience",
            "additional experience",
            "other experience",
            r"education(?: and training)?",
            "education & training",
            "training",
            r"externships?",
            r"internships?",
            "clinical experience",
            r"military (?:service|experience)",
            "leadership experience",
            "key projects",
            "projects",
            "selected projects",
            r"certifications?(?: and licenses)?",
            r"certifications? & licenses",
            "licenses",
            "credentials",
            "skills",
            "technical skills",
            "core skills",
            "computer skills",
            "software",
            "key skills",
            "skills & software",
            r"languages?",
            "coursework",
            "relevant coursework",
            "courses",
            "continuing education",
            "professional development",
            "summary",
            "professional summary",
            "profile",
            "objective",
            "career objective",
            "references",
            r"volunteer(?: experience| work)?",
            "awards",
            "honors",
            "interests",
            "activities",
            "affiliations",
            "memberships",
            "accomplishments",
            "highlights",
        )
    )
    + r")\W*$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•▪●◦·‣–»›]|o\s|\d+[.)])\s*")
_TITLE_WORDS = _words(
    "receptionist",
    "recep",
    "manager",
    "mgr",
    "biller",
    "coder",
    "assistant",
    "asst",
    "lead",
    "supervisor",
    "specialist",
    "spec",
    "representative",
    "rep",
    "coordinator",
    "coord",
    "administrator",
    "admin",
    "clerk",
    "director",
    "associate",
    "technician",
    "tech",
    "officer",
    "agent",
    "secretary",
    "analyst",
    "cashier",
    "server",
    "sergeant",
    "corpsman",
    "intern",
    "extern",
    "scheduler",
    "registrar",
    "teller",
    "navigator",
    "counselor",
    "consultant",
    "trainer",
    "teacher",
    "aide",
    "worker",
    "crew",
    "barista",
    "bookseller",
    "member",
    "staff",
    "owner",
    "externship",
    "internship",
    "volunteer",
    "ma",
    "cma",
    "front desk",
    "patient access",
    r"patient services?",
    "billing",
    "coding",
    edges=True,
)
_EMPLOYER_WORDS = _words(
    "clinic",
    "medical",
    "health",
    "healthcare",
    "hospital",
    "associates",
    "group",
    "practice",
    "center",
    "centre",
    "llc",
    "inc",
    "pc",
    "pllc",
    "corp",
    "company",
    "co",
    "family",
    "pediatrics",
    "orthopedics",
    "dermatology",
    "dental",
    "dentistry",
    "care",
    "partners",
    "physicians",
    "services",
    "solutions",
    "store",
    "stores",
    "bank",
    "army",
    "navy",
    "air force",
    "marines",
    "hotel",
    "restaurant",
    "university",
    "college",
    "school",
    "systems",
    "foods",
    "pharmacy",
    "specialists",
    "surgery",
    "institute",
    "network",
    "foundation",
    "department",
    "office of",
    "law",
    "firm",
    "inn",
    "resort",
    "market",
    "cafe",
    "coffee",
    "starbucks",
    "kroger",
    "walmart",
    "target",
    "hilton",
    "marriott",
    edges=True,
)
_NOT_A_JOB = _words(
    "career break", "caregiv", "sabbatical", "employment gap", "gap in employment", "parental leave"
)
_SUFFIXES = {"inc", "inc.", "llc", "pc", "p.c.", "pllc", "md", "m.d.", "pa", "p.a.", "dds", "ltd", "lp"}
_STRONG_EMPLOYER = _words(
    "clinic",
    "hospital",
    "associates",
    "group",
    "llc",
    "inc",
    "pc",
    "pllc",
    "center",
    "centre",
    "family",
    "pediatrics",
    r"orthopa?edics",
    "dermatology",
    "dentistry",
    "physicians",
    "partners",
    "solutions",
    "company",
    "corp",
    r"stores?",
    "bank",
    "army",
    "navy",
    "air force",
    "hotel",
    "restaurant",
    "university",
    "college",
    "school",
    "foods",
    "pharmacy",
    "institute",
    "network",
    "foundation",
    r"markets?",
    "galleria",
    "urgent care",
    "health plan",
    "health system",
    "surgery",
    "specialists",
    edges=True,
)
_LOCATION = re.compile(r"^(?:[A-Z][A-Za-z.' ]+,\s*[A-Z]{2}|[A-Z]{2}|remote|hybrid|on-?site)$", re.I)
_SETTINGS = (
    (
        "hospital",
        _words(
            "hospital",
            "medical center",
            "health system",
            r"\bva\b",
            "veterans affairs",
            "infirmary",
            "regional medical",
            "university health",
            "health care system",
            "healthcare system",
        ),
    ),
    (
        "other_healthcare",
        _words(
            r"billing (?:company|services|solutions|group)",
            r"revenue cycle (?:company|partners|solutions)",
            r"coding (?:company|services|solutions)",
            r"health ?plan",
            "insurance company",
            "insurer",
            "blue cross",
            "aetna",
            "cigna",
            "humana",
            r"united ?health",
            "laborator",
            r"\blab\b",
            "pharmacy",
            "home health",
            "hospice",
            r"nursing (?:home|facility)",
            "rehab",
            "assisted living",
            "dialysis",
            "imaging",
            "radiology",
            "medical billing",
            "management services organization",
            r"\bmso\b",
        ),
    ),
    (
        "medical_office",
        _words(
            "clinic",
            "medical group",
            r"family (?:medicine|practice|physicians|health)",
            "pediatric",
            "orthop",
            "dermatolog",
            "cardiolog",
            "gastro",
            r"ob/?gyn",
            "women's health",
            "urolog",
            r"\bent\b",
            "ophthalm",
            "optometr",
            r"eye (?:care|associates|center|physicians)",
            "dental",
            "dentist",
            "orthodont",
            "chiropract",
            "physical therapy",
            "urgent care",
            "primary care",
            "internal medicine",
            "physicians",
            r"medical (?:practice|office|associates|partners|specialists|clinic)",
            "surgery center",
            "surgical",
            r"\bfqhc\b",
            "community health",
            "health center",
            "practice",
            "counseling",
            "behavioral health",
            "oncology",
            "neurology",
            "allergy",
            "podiatr",
            "endocrin",
            "rheumat",
            r"\bmd\b",
            r"\bm\.d\.",
            "med spa",
        ),
    ),
    (
        "non_healthcare",
        _words(
            "store",
            "retail",
            "restaurant",
            "cafe",
            "coffee",
            "hotel",
            r"\binn\b",
            "resort",
            "bank",
            "credit union",
            r"\barmy\b",
            r"\bnavy\b",
            "air force",
            "marine corps",
            "military",
            "school",
            "college",
            r"law (?:firm|office|group)",
            "attorney",
            "cable",
            "telecom",
            "warehouse",
            "logistics",
            "grocery",
            "kroger",
            "walmart",
            "target",
            "starbucks",
            "hilton",
            "marriott",
            "best buy",
            "dollar general",
            "wendy",
            "mcdonald",
            "daycare",
            r"child ?care",
            "library",
            "books",
            "foods",
            "market",
            "insurance agency",
            "call center",
            "construction",
            "manufactur",
        ),
    ),
)
_COUNT = r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"
_PEOPLE = (
    "staff",
    "employees",
    "people",
    "team members",
    "members",
    "receptionists",
    "billers",
    "coders",
    "collectors",
    "assistants",
    "representatives",
    "reps",
    "specialists",
    "direct reports",
    "reports",
    "managers",
    "supervisors",
    "associates",
    "clerks",
    "schedulers",
    "mas",
    "soldiers",
    "sailors",
    "coordinators",
    "agents",
    "front[- ]desk staff",
    "medical assistants",
    "fte",
)
_REPORTS = re.compile(
    r"(?:supervis\w*|manag\w*|led|lead(?:s|ing)?|oversaw|oversee\w*|direct(?:ed|s|ing)?|head(?:ed)?)\s+"
    rf"(?:a\s+)?(?:team\s+of\s+|staff\s+of\s+|group\s+of\s+)?{_COUNT}\b(?:\s+[\w-]+){{0,3}}?\s*"
    rf"(?:{'|'.join(_PEOPLE)})",
    re.IGNORECASE,
)
_TEAM_SIZE = re.compile(
    r"(?:staff|team|group|department) of (\d{1,3})\b|\b(\d{1,3})[- ](?:person|member|people)\b", re.I
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20}  # fmt: skip
_SUPERVISING = _words(
    r"\bsupervis\w*",
    r"\bmanag(?:e|ed|es|ing) (?:a )?(?:team|staff|\d)",
    r"\bled (?:a )?team",
    r"\blead(?:s)? (?:a )?team",
    "direct reports",
    r"oversaw (?:a )?(?:team|staff|\d)",
)
_IN_PROGRESS = _words(
    "in progress",
    "expected",
    "anticipated",
    r"currently (?:enrolled|pursuing|studying)",
    "pursuing",
    "candidate",
    "enrolled",
    "studying for",
    "exam scheduled",
    r"sitting (?:for )?the exam",
    "working toward",
    r"\(current\)",
)
_FIELD_END = r"(?=\s*(?:[,|—–(;]|\s-\s|\b(?:19|20)\d\d\b|$))"
_DEGREE_FIELD = re.compile(
    r"^(?:'?s?\.?(?: degree)?)?(?: of (?:applied )?(?:science|arts)(?: degree)?)?\s*(?:in\b|,|—|–|-|:)?\s*"
    rf"([A-Z][A-Za-z&/' ]+?){_FIELD_END}"
)
_DEGREE_OF = re.compile(rf"^'?s?\s+of\s+(?!(?:applied )?(?:science|arts)\b)([A-Z][A-Za-z&/' ]+?){_FIELD_END}")
_INSTITUTION = re.compile(r"college|university|school|institute|academy|campus|agency|center", re.I)
_NOT_FIELDS = {"degree", "science", "arts", "applied science", "diploma", "expected", "in progress",
               "currently enrolled", "graduated", "completed"}  # fmt: skip
_DEFAULT_FIELDS = {"MHA": "Health Administration", "MBA": "Business Administration", "MPH": "Public Health"}


@dataclass
class _Line:
    number: int
    text: str
    section: str


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    section = "top"
    for number, raw in enumerate(text.splitlines(), 1):
        line = " ".join(raw.replace("\t", "  ").split())
        if not line:
            continue
        # A wrapped bullet ("- Assign CPT ... for clinic visits, injections and\n  fracture care")
        # continues the bullet above it.
        if (
            out
            and _BULLET.match(out[-1].text)
            and not _BULLET.match(line)
            and (raw[:2].isspace() or line[:1].islower())
        ):
            out[-1].text = f"{out[-1].text} {line}"
            continue
        m = _SECTION.match(line)
        if m and len(line.split()) <= 5:
            section = _section_kind(m.group(1).lower())
            continue
        if re.fullmatch(r"[A-Z][A-Z &/]{2,40}", line) and len(line.split()) <= 4:
            section = "other"  # a heading this reader does not know
            continue
        out.append(_Line(number, line, section))
    return out


def _section_kind(heading: str) -> str:
    for kind, words in (
        ("other", ("project",)),
        (
            "experience",
            ("experience", "employment", "work history", "career history", "extern", "intern", "military"),
        ),
        ("education", ("education", "training")),
        ("certifications", ("certification", "license", "credential")),
        ("skills", ("skill", "software")),
        ("languages", ("language",)),
        ("courses", ("course", "continuing education", "professional development")),
        ("volunteer", ("volunteer",)),
    ):
        if any(w in heading for w in words):
            return kind
    return "other"


class _Reader:
    """Builds the draft and its evidence."""

    def __init__(self, catalog: Catalog, as_of: str) -> None:
        self.catalog, self.as_of = catalog, as_of
        self.data: dict[str, Any] = {}
        self.evidence: list[Evidence] = []
        self.notes: list[str] = []

    def note(self, path: str, value: object, line: _Line | None, confidence: float) -> None:
        self.evidence.append(
            Evidence(
                field=path,
                value=str(value),
                line=line.number if line else None,
                text=line.text[:200] if line else "",
                confidence=round(confidence, 2),
            )
        )


def _split_header(texts: Sequence[str]) -> tuple[str | None, str | None]:
    """Title and employer from a job's header lines ("Billing Lead — Valley Ortho, Boise, ID")."""
    parts: list[str] = []
    for text in texts:
        text = re.sub(r"\s*\([^)]*\)?", " ", text)  # descriptors in parentheses: "(remote)", "(FQHC)"
        for piece in re.split(r"\s+[|—–]\s+|\s+-{1,2}\s+|\s*\|\s*|\s+at\s+|\s{2,}", text):
            piece = piece.strip(" ,;:-–—|•")
            if not piece or _LOCATION.match(piece):
                continue
            if len(piece) > 60:  # a description (a table's "highlights" cell), not a name
                parts.append(piece)
                continue
            # "Title, Employer, PA, City, ST": commas split it, a legal suffix stays with its name,
            # and places are dropped.
            merged: list[str] = []
            state = False
            for p in (p.strip() for p in piece.split(",")):
                if merged and p.lower() in _SUFFIXES and _STRONG_EMPLOYER.search(merged[-1]):
                    merged[-1] = f"{merged[-1]}, {p}"
                elif re.fullmatch(r"[A-Z]{2}(?: \d{5})?", p):
                    state = True
                elif p and not _LOCATION.match(p):
                    merged.append(p)
            if state and len(merged) > 1 and not _TITLE_WORDS.search(merged[-1]):
                merged = merged[:-1]  # "Valley Ortho, Boise, ID": the city went with its state
            parts += merged
    if not parts:
        return None, None

    def titleness(p: str) -> int:
        return (
            len(_TITLE_WORDS.findall(p)) * 2
            - len(_STRONG_EMPLOYER.findall(p)) * 3
            - (9 if len(p) > 60 else 0)
        )

    ranked = sorted(range(len(parts)), key=lambda i: (-titleness(parts[i]), i))
    title = parts[ranked[0]]
    rest = [p for i, p in enumerate(parts) if i != ranked[0]]
    short = [p for p in rest if len(p) <= 60]
    employer = next((p for p in short if _EMPLOYER_WORDS.search(p)), short[0] if short else None)
    return title, employer


def _setting(employer: str | None, title: str | None, lines: Sequence[str]) -> str | None:
    text = f"{employer or ''} | {title or ''}"
    for setting, pattern in _SETTINGS:
        if pattern.search(text):
            return setting
    return None


def _number_word(text: str) -> int:
    return int(text) if text.isdigit() else _WORD_NUMBERS.get(text.lower(), 0)


def _experience(reader: _Reader, lines: Sequence[_Line]) -> None:
    jobs = [
        line
        for line in lines
        if line.section in ("experience", "volunteer", "top")
        and _date_range(line.text)
        and not _NOT_A_JOB.search(line.text)
    ]
    anchors = [i for i, line in enumerate(lines) if line in jobs]
    drafts: list[dict[str, Any]] = []
    for k, i in enumerate(anchors):
        anchor = lines[i]
        span = _date_range(anchor.text)
        if span is None or not span.start:
            continue
        remainder = (anchor.text[: span.at[0]] + " " + anchor.text[span.at[1] :]).strip(" |,-–—:()")
        header = [remainder] if remainder else []
        previous = anchors[k - 1] if k else -1
        j = i - 1
        above: list[_Line] = []
        while (
            j > previous
            and len(above) < 2
            and not _BULLET.match(lines[j].text)
            and lines[j].section == anchor.section
        ):
            if previous >= 0 and j <= previous + 1 and _bullets_after(lines, previous) > 0:
                break
            above.insert(0, lines[j])
            j -= 1
        # Lines above that belong to the previous job's text (no bullets) are not a header.
        above = [a for a in above if len(a.text) <= 90]
        header = [a.text for a in above] + header
        stop = anchors[k + 1] if k + 1 < len(anchors) else len(lines)
        body: list[_Line] = []
        for line in lines[i + 1 : stop]:
            if line.section != anchor.section:
                break
            if not body and _looks_like_header(line.text, header):
                header.append(line.text)
                continue
            body.append(line)
        # The next job's header lines sit at the end of this body; they are not this job's duties.
        next_header = _header_lines_before(lines, stop, i) if k + 1 < len(anchors) else 0
        if next_header:
            body = body[: max(0, len(body) - next_header)]
        title, employer = _split_header(header)
        if title is None:
            reader.notes.append(f"Line {anchor.number}: dates without a job title; left out")
            continue
        job: dict[str, Any] = {"title": title, "start": span.start, "end": span.end}
        if employer:
            job["employer"] = employer
        path = f"experience[{len(drafts)}]"
        reader.note(f"{path}.title", title, anchor, 0.8)
        reader.note(f"{path}.start", span.start, anchor, 0.95)
        reader.note(f"{path}.end", span.end or "current", anchor, 0.95)
        setting = _setting(employer, title, [b.text for b in body])
        if setting:
            job["setting"] = setting
            reader.note(f"{path}.setting", setting, anchor, 0.7)
        described = body + [_Line(anchor.number, h, anchor.section) for h in header if len(h) > 60]
        reports = [_number_word(m.group(1)) for b in described for m in _REPORTS.finditer(b.text)]
        reports += [
            int(m.group(1) or m.group(2))
            for b in described
            if _SUPERVISING.search(b.text) or re.search(r"\bmanag|\blead|\bled\b|oversaw", b.text, re.I)
            for m in _TEAM_SIZE.finditer(b.text)
        ]
        supervising = any(_SUPERVISING.search(b.text) for b in described) or bool(reports)
        job["supervisory"] = supervising
        if reports:
            job["direct_reports"] = max(reports)
            reader.note(f"{path}.direct_reports", max(reports), anchor, 0.8)
        duties = list(dict.fromkeys(m.meaning for b in described for m in find_duties(b.text)))
        if duties:
            job["duties"] = duties
            reader.note(f"{path}.duties", ", ".join(duties), anchor, 0.7)
        drafts.append(job)
    if not drafts:
        return
    guesses = classify_titles([j["title"] for j in drafts])
    for n, (job, guess) in enumerate(zip(drafts, guesses, strict=True)):
        if guess.family_confidence >= 0.5:
            job["role_family"] = guess.role_family
            reader.note(f"experience[{n}].role_family", guess.role_family, None, guess.family_confidence)
        if guess.role_family in ("supervisor", "office_manager", "practice_administrator"):
            job["supervisory"] = job["supervisory"] or guess.family_confidence >= 0.8
    reader.data["experience"] = drafts


def _looks_like_header(text: str, header: Sequence[str]) -> bool:
    """A line after a job's dates that still names the job (its title or employer), not a duty."""
    if not header:
        return True
    if len(header) >= 2 or _BULLET.match(text) or len(text.split()) > 8 or text.rstrip().endswith("."):
        return False
    return bool(_TITLE_WORDS.search(text) or _STRONG_EMPLOYER.search(text))


def _bullets_after(lines: Sequence[_Line], index: int) -> int:
    return sum(1 for line in lines[index + 1 : index + 6] if _BULLET.match(line.text))


def _header_lines_before(lines: Sequence[_Line], anchor: int, floor: int) -> int:
    """How many non-bullet short lines sit right above a job's date line (its header)."""
    count = 0
    j = anchor - 1
    while j > floor and count < 2 and not _BULLET.match(lines[j].text) and len(lines[j].text) <= 90:
        if _date_range(lines[j].text):
            break
        count += 1
        j -= 1
    return count


def _education(reader: _Reader, lines: Sequence[_Line]) -> None:
    entries: list[dict[str, Any]] = []
    candidates = [line for line in lines if line.section in ("education", "top", "other", "courses")]
    for idx, line in enumerate(candidates):
        mentions = [m for m in find_degrees(line.text) if not re.match(r"(?i)courses?:", line.text)]
        if not mentions or (
            line.section not in ("education",) and not re.search(r"degree|diploma|ged", line.text, re.I)
        ):
            continue
        level = mentions[0].meaning
        if (
            level == "high_school"
            and re.search(r"certificate|diploma program|technical", line.text, re.I)
            and any(m.meaning == "certificate" for m in mentions)
        ):
            level = "certificate"
        nxt = candidates[idx + 1].text if idx + 1 < len(candidates) else ""
        years = re.findall(rf"\b({_YEAR4})\b", line.text) or re.findall(rf"\b({_YEAR4})\b", nxt)
        entry: dict[str, Any] = {"level": level}
        field_text = _degree_field(line.text, mentions[0].end, mentions[0].text, level)
        if field_text:
            entry["field"] = field_text
        year = int(years[-1]) if years else None
        future = year is not None and year > int(reader.as_of[:4])
        progress = bool(_IN_PROGRESS.search(line.text) or _IN_PROGRESS.search(nxt)) or future
        entry["status"] = "in_progress" if progress else "completed"
        if year:
            entry["year"] = year
        if any(e["level"] == level and e.get("field") == entry.get("field") for e in entries):
            continue
        reader.note(f"education[{len(entries)}].level", level, line, 0.85)
        entries.append(entry)
    if entries:
        reader.data["education"] = entries


def _degree_field(text: str, after: int, degree: str, level: str) -> str | None:
    """The field of study written with a degree ("B.S., Health Administration", "Associate of
    Applied Science in Medical Assisting", "Master of Health Administration"), if any."""
    if level == "high_school":
        return None
    if degree.upper() in _DEFAULT_FIELDS and not re.search(r"\bin\b", text[after : after + 6]):
        return _DEFAULT_FIELDS[degree.upper()]
    rest = text[after:]
    m = _DEGREE_OF.match(rest) or _DEGREE_FIELD.match(rest)
    if not m and level == "certificate":  # "Medical Front Office Certificate": the field comes first
        before = re.split(r"\s[—–|-]\s|,", text[: after - len(degree)])[-1].strip()
        return before if before and not _INSTITUTION.search(before) and len(before) <= 60 else None
    if not m:
        return None
    words = m.group(1).strip(" .")
    if _INSTITUTION.search(words) or words.lower() in _NOT_FIELDS:
        return None
    return words if 2 <= len(words) <= 60 else None


def _credentials(reader: _Reader, lines: Sequence[_Line]) -> None:
    found: dict[str, dict[str, str]] = {}
    for line in lines:
        if line.section in ("summary",):
            continue
        for m in find_certifications(line.text, reader.catalog):
            status = "in_progress" if _IN_PROGRESS.search(line.text) else "earned"
            if m.meaning not in found or (status == "earned" and found[m.meaning]["status"] != "earned"):
                if m.meaning not in found:
                    reader.note(f"certifications[{len(found)}]", f"{m.meaning} ({status})", line, 0.9)
                found[m.meaning] = {"code": m.meaning, "status": status}
    if found:
        reader.data["certifications"] = list(found.values())


def _software(reader: _Reader, lines: Sequence[_Line]) -> None:
    names: list[str] = []
    for line in lines:
        for m in find_software(line.text, reader.catalog):
            if not m.meaning.startswith("category:") and m.meaning not in names:
                names.append(m.meaning)
                reader.note(f"software[{len(names) - 1}]", m.meaning, line, 0.9)
    if names:
        reader.data["software"] = [{"name": n} for n in names]


def _courses(reader: _Reader, lines: Sequence[_Line]) -> None:
    areas: list[str] = []
    listing = previous_ends_open = False
    for line in lines:
        listed = re.match(
            r"(?i)^\W*(?:\w+ )?(?:relevant )?(?:courses?|coursework|classes|training|continuing education)"
            r"\s*[:—–-]",
            line.text,
        )
        # A list of courses can run on to the next line ("..., Medical Coding,\nHealthcare Law").
        listing = bool(listed) or (listing and not _BULLET.match(line.text) and previous_ends_open)
        previous_ends_open = line.text.rstrip().endswith((",", ";", "&", "and"))
        if line.section == "courses" or listing:
            for m in find_courses(line.text):
                if m.meaning not in areas:
                    areas.append(m.meaning)
                    reader.note("coursework", m.meaning, line, 0.75)
    if areas:
        reader.data["coursework"] = areas


def _languages(reader: _Reader, lines: Sequence[_Line]) -> None:
    found: list[str] = []
    for line in lines:
        if line.section == "languages" or re.search(
            r"(?i)languages?\s*:|bilingual|fluent|native|conversational", line.text
        ):
            for m in find_languages(line.text):
                if m.meaning not in found:
                    found.append(m.meaning)
                    reader.note("languages", m.meaning, line, 0.85)
    if found:
        reader.data["languages"] = found


def parse_resume_text(text: str, catalog: Catalog | None = None, as_of: str | None = None) -> DraftProfile:
    """Read a resume's text into a draft profile with evidence."""
    if len(text) > MAX_CHARS:
        raise _refuse("resume", f"the text is {len(text):,} characters; the most read is {MAX_CHARS:,}")
    if not text.strip():
        raise _refuse("resume", "the resume is empty")
    reader = _Reader(catalog or load_catalog(), as_of or current_month())
    lines = _lines(text)
    _education(reader, lines)
    _experience(reader, lines)
    _software(reader, lines)
    _credentials(reader, lines)
    _courses(reader, lines)
    _languages(reader, lines)
    return _validated(reader)


def _validated(reader: _Reader) -> DraftProfile:
    """Drop what would make the draft invalid (a job ending before it starts, dates in the
    future), saying so, rather than fail the whole resume."""
    now = month_index(reader.as_of)
    kept = []
    for job in reader.data.get("experience", []):
        start = month_index(job["start"])
        end = month_index(job["end"]) if job.get("end") else None
        if start > now or (end is not None and end < start):
            reader.notes.append(
                f"{job['title']}: the dates {job['start']} to {job.get('end')} do not add up; left out"
            )
            continue
        if end is not None and end > now:
            job["end"] = None if end > now else job["end"]
        kept.append(job)
    if "experience" in reader.data:
        reader.data["experience"] = kept
    try:
        Profile.model_validate(reader.data)
    except ValidationError as exc:  # should not happen; never lose the whole draft over one field
        for error in exc.errors():
            reader.notes.append(f"{'.'.join(map(str, error['loc']))}: {error['msg']}; left out")
        reader.data = {
            k: v for k, v in reader.data.items() if k not in {str(e["loc"][0]) for e in exc.errors()}
        }
    return DraftProfile(reader.data, reader.evidence, reader.notes)


# --- JSON Resume --------------------------------------------------------------------------


def _json_month(value: object, end: bool) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    m = re.match(r"^(\d{4})(?:-(\d{2}))?", value.strip())
    if not m:
        return _month(value, end)
    return f"{m.group(1)}-{m.group(2) or ('12' if end else '01')}"


def parse_json_resume(
    data: dict[str, Any], catalog: Catalog | None = None, as_of: str | None = None
) -> DraftProfile:
    """A JSON Resume (jsonresume.org) as a draft profile."""
    catalog = catalog or load_catalog()
    lines: list[str] = []
    for work in data.get("work") or []:
        if not isinstance(work, dict):
            continue
        start = _json_month(work.get("startDate"), end=False)
        end = _json_month(work.get("endDate"), end=True)
        if start:
            until = f"{end[5:]}/{end[:4]}" if end else "Present"
            lines += [
                "EXPERIENCE",
                f"{work.get('position', '')} | {work.get('name', '')}",
                f"{start[5:]}/{start[:4]} - {until}",
            ]
            lines += [f"- {h}" for h in work.get("highlights") or [] if isinstance(h, str)]
            if isinstance(work.get("summary"), str):
                lines.append(f"- {work['summary']}")
    lines.append("EDUCATION")
    for edu in data.get("education") or []:
        if isinstance(edu, dict):
            year = (_json_month(edu.get("endDate"), end=True) or "")[:4]
            degree = f"{edu.get('studyType', '')} in {edu.get('area', '')}"
            lines.append(f"{degree} — {edu.get('institution', '')} {year}".strip())
            lines += [f"Courses: {c}" for c in edu.get("courses") or [] if isinstance(c, str)]
    lines.append("CERTIFICATIONS")
    lines += [str(c.get("name", "")) for c in data.get("certificates") or [] if isinstance(c, dict)]
    lines.append("SKILLS")
    for skill in data.get("skills") or []:
        if isinstance(skill, dict):
            lines.append(", ".join([str(skill.get("name", "")), *map(str, skill.get("keywords") or [])]))
    lines.append("LANGUAGES")
    lines += [str(lang.get("language", "")) for lang in data.get("languages") or [] if isinstance(lang, dict)]
    return parse_resume_text("\n".join(lines), catalog, as_of)


def read_resume(
    data: bytes, name: str, catalog: Catalog | None = None, as_of: str | None = None
) -> DraftProfile:
    """Read a resume file (PDF, Word, text or JSON Resume) into a draft profile with evidence."""
    if name.lower().endswith(".json") or data.lstrip()[:1] == b"{":
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _refuse(
                name, f"not valid JSON ({exc}); a JSON Resume (jsonresume.org) is expected"
            ) from None
        if not isinstance(document, dict):
            raise _refuse(name, "a JSON Resume is an object with basics, work and education")
        return parse_json_resume(document, catalog, as_of)
    text, notes = resume_text(data, name)
    draft = parse_resume_text(text, catalog, as_of)
    draft.notes[:0] = notes
    return draft
