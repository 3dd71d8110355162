"""Job postings: pasted text -> requirements (each with the line it came from) -> a rule set.

:func:`parse_posting` reads posting text the way a recruiter skims it: it
splits the text into lines and clauses, notes which section each line is in
(requirements, preferred, benefits...), and reads education, years of
experience, credentials, software, skills, bilingual and pay from them.
Whether something is *required* or *preferred* comes from the words around it
("preferred", "a plus", "must") and, failing that, from its section.

:func:`posting_rules` turns the requirements into a rules file in the same
format as ``rules/`` (validated by the same loader), so :func:`assess_posting`
is the ordinary engine assessing a profile against *this* posting: every
requirement met or missing, with what would close it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from advisor.catalog import Catalog, load_catalog
from advisor.errors import InputError, suggest
from advisor.lexicon import (
    DEGREE_PATTERNS,
    SKILLS,
    Mention,
    find_certifications,
    find_languages,
    find_skills,
    find_software,
)
from advisor.profile import EducationLevel, Profile, current_month
from advisor.rules import RuleSet, parse_ruleset
from advisor.scoring import Assessment, assess

MAX_CHARS = 60_000
"""Longer text is refused: no posting is that long, and parsing time stays bounded."""
LEVELS: tuple[EducationLevel, ...] = (
    "high_school",
    "certificate",
    "associate",
    "bachelor",
    "master",
    "doctorate",
)

Need = Literal["required", "preferred"]


class Posting(BaseModel):
    """What a posting asks for (the DESIGN.md Posting requirements object)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    title: str = "Pasted job posting"
    min_education: EducationLevel | None = None
    preferred_education: EducationLevel | None = None
    education_fields: list[str] = []
    equivalent_experience_substitutes_degree: bool = False
    min_years_experience: float | None = None
    min_years_medical_office: float | None = None
    min_years_supervisory: float | None = None
    required_certifications: list[str] = []
    certification_groups: list[list[str]] = []
    """Required credentials as alternatives: ``[["CPC", "CPB"]]`` is "CPC or CPB"."""
    preferred_certifications: list[str] = []
    software: list[str] = []
    skills: list[str] = []
    bilingual: Literal["required", "preferred"] | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_unit: Literal["hour", "year"] | None = None

    @field_validator("skills")
    @classmethod
    def _known_skills(cls, skills: list[str]) -> list[str]:
        for skill in skills:
            if skill not in SKILLS:
                raise ValueError(f"unknown skill {skill!r}{suggest(skill, SKILLS)}")
        return list(dict.fromkeys(skills))

    @field_validator("required_certifications", "preferred_certifications")
    @classmethod
    def _known_credentials(cls, codes: list[str]) -> list[str]:
        catalog = load_catalog()
        out = []
        for code in codes:
            cert = catalog.resolve_certification(code)
            if cert is None:
                raise ValueError(f"unknown credential {code!r}{suggest(code, list(catalog.certifications))}")
            out.append(cert.code)
        return list(dict.fromkeys(out))

    @field_validator("certification_groups")
    @classmethod
    def _known_groups(cls, groups: list[list[str]]) -> list[list[str]]:
        return [cls._known_credentials(group) for group in groups]

    @field_validator("software")
    @classmethod
    def _known_software(cls, items: list[str]) -> list[str]:
        catalog = load_catalog()
        out = []
        for item in items:
            if item.startswith("category:") and item.split(":", 1)[1] in catalog.categories:
                out.append(item)
                continue
            product = catalog.products.get(item) or catalog.resolve_software(item)
            if product is None:
                names = [p.name for p in catalog.products.values()] + [
                    f"category:{c}" for c in catalog.categories
                ]
                raise ValueError(f"unknown software {item!r}{suggest(item, names)}")
            out.append(product.name)
        return list(dict.fromkeys(out))


class Evidence(BaseModel):
    """Where in the posting a requirement was read."""

    model_config = ConfigDict(frozen=True)

    field: str
    value: str
    line: int = Field(ge=1)
    text: str


@dataclass(frozen=True)
class ParsedPosting:
    """The requirements and, for each, the line it came from."""

    posting: Posting
    evidence: list[Evidence]


# --- reading ------------------------------------------------------------------------------

_PREFERRED = re.compile(
    r"\b(?:preferred|prefer|a plus|is a plus|plus\b|desired|desirable|nice[- ]to[- ]have|bonus|ideally|ideal"
    r"|advantage|helpful|beneficial|welcome|strongly encouraged|would be great"
    r"|within (?:\d+|one|two|three|six|twelve) (?:days|months|years?) of (?:hire|start)"
    r"|(?:obtain(?:ed)?|attain(?:ed|ment)?|earn(?:ed)?) within)",
    re.IGNORECASE,
)
_REQUIRED = re.compile(
    r"\b(?:required|requires?|must|minimum|mandatory|necessary|need(?:ed|s)?)\b", re.IGNORECASE
)
_HEADING_PREFERRED = re.compile(
    r"^\W*(?:preferred|nice[- ]to[- ]have|bonus|desired|pluses|preferred qualifications|a plus)\b",
    re.IGNORECASE,
)
_HEADING_IGNORED = re.compile(
    r"^\W*(?:benefits|perks|what we offer|we offer|about (?:us|the company|our)|compensation and benefits"
    r"|why (?:join|work)|equal opportunity|eeo|our mission|who we are)\b",
    re.IGNORECASE,
)
_HEADING_REQUIRED = re.compile(
    r"^\W*(?:requirements|required|qualifications|minimum qualifications|required qualifications"
    r"|what you bring|what you'll need|what you need|must haves?|skills|education|experience|you have"
    r"|who you are)\b",
    re.IGNORECASE,
)
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "eighteen": 18,
    "a": 1,
}
_NUMBER = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen)(?:\s*\(\d+\))?"
_YEARS = re.compile(
    rf"(?:at least |minimum (?:of )?|min\.? |over |more than )?{_NUMBER}"
    rf"(?:\s*(?:-|–|—|to)\s*{_NUMBER})?\s*(\+|or more|plus)?\s*(years?|yrs?\.?|months?|mos?\.?)\b",
    re.IGNORECASE,
)
_EXPERIENCE = re.compile(
    r"\bexp(?:erience|\.)?\b|\bbackground\b|\bworking in\b|\bwork(?:ed)? in\b", re.IGNORECASE
)
_SUPERVISORY = re.compile(r"supervis|manag|leader|lead(?:ing)?\b|\blead\b|oversee|direct(?:ing)? staff", re.I)
_MEDICAL = re.compile(
    r"medical|health ?care|healthcare|physician|clinic|practice|hospital|patient|dental|ophthalm|optometr"
    r"|revenue cycle|billing|coding|front (?:desk|office)|chiropract|therapy|optical|eye ?care|urgent care"
    r"|pharmacy|registration",
    re.IGNORECASE,
)
_EQUIVALENT = re.compile(
    r"equivalent (?:combination|experience|work experience)|or (?:the )?equivalent|in lieu of"
    r"|may substitute|substitut\w+ for|(?:additional )?years? of (?:relevant )?experience (?:may be )?"
    r"(?:accepted |considered )?in place of|experience (?:may|can) (?:be )?substitut",
    re.IGNORECASE,
)
_SALARY_AMOUNT = r"\$?\s?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*([kK])?"
_SALARY = re.compile(
    rf"(up to |starting at |from |as high as )?{_SALARY_AMOUNT}(?:\s*(?:-|–|—|to)\s*{_SALARY_AMOUNT})?",
    re.IGNORECASE,
)
_PAY_WORDS = re.compile(
    r"salary|\bpay\b|pay rate|pay range|wages?\b|compensation|per hour|hourly|annually|/hr|/hour|/yr"
    r"|an hour|a year|per year|per annum|\$\s?\d+(?:\.\d+)?\s*(?:-|–|to)\s*\$",
    re.I,
)
_HOUR = re.compile(r"hour|/hr\b|\bhr\b|hourly|an hr", re.IGNORECASE)
_YEAR = re.compile(r"year|/yr\b|\byr\b|annual|annually|salary|per annum|\bk\b", re.IGNORECASE)
_BILINGUAL = re.compile(r"bilingual|\bspanish\b|second language|fluent in|fluency in", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"(?<=[.;!?])\s+|\s*;\s*|\s+[•·▪]\s+")


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    section: Literal["required", "preferred", "ignored", "other"]


def _lines(text: str) -> list[_Line]:
    """Non-empty lines with the kind of section each sits in."""
    out = []
    section: Literal["required", "preferred", "ignored", "other"] = "other"
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        bullet = re.match(r"^(?:[-*•▪·●◦]|\d+[.)])\s", line) is not None
        short = not bullet and len(line.split()) <= 6 and not line.endswith(".")
        if short and _HEADING_IGNORED.search(line):
            section = "ignored"
        elif short and _HEADING_PREFERRED.search(line):
            section = "preferred"
        elif short and _HEADING_REQUIRED.search(line):
            section = "required"
        elif short and re.match(
            r"^\W*(?:responsibilities|duties|what you'?ll do|the role|job summary|summary"
            r"|position summary|overview|about the (?:role|job|position))\b",
            line,
            re.I,
        ):
            section = "other"
        out.append(_Line(number, line, section))
    return out


def _clauses(line: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(line) if c.strip()]


_ASIDE = re.compile(r"\([^)]*\)|,?\s*\b(?:preferably|ideally)\b.*$", re.IGNORECASE)


def _core(clause: str) -> str:
    """The clause without its asides: "(ortho preferred)" or ", preferably in a hospital" qualify
    a detail, not the requirement itself."""
    return _ASIDE.sub("", clause)


def _need(clause: str, line: _Line) -> Need:
    """Preferred when the clause says so; else required when it or its section says so."""
    core = _core(clause)
    if _PREFERRED.search(core):
        return "preferred"
    if _REQUIRED.search(core):
        return "required"
    return "preferred" if line.section == "preferred" else "required"


def _number(text: str) -> float:
    text = text.lower()
    return float(_WORD_NUMBERS[text]) if text in _WORD_NUMBERS else float(text)


@dataclass
class _Reading:
    """What has been read so far, with evidence."""

    posting: Posting
    evidence: list[Evidence]

    def note(self, field: str, value: object, line: _Line) -> None:
        self.evidence.append(Evidence(field=field, value=str(value), line=line.number, text=line.text[:300]))


def _education(reading: _Reading, line: _Line, catalog: Catalog) -> None:
    p = reading.posting
    for clause in _clauses(line.text):
        if _substitutes(clause):
            p.equivalent_experience_substitutes_degree = True
            reading.note("equivalent_experience_substitutes_degree", True, line)
        found = [(level, m.start()) for level, pattern in DEGREE_PATTERNS for m in pattern.finditer(clause)]
        if not found:
            continue
        # Split the clause at each mention: "Bachelor's required, Master's preferred".
        found.sort(key=lambda f: f[1])
        for i, (level, start) in enumerate(found):
            stop = found[i + 1][1] if i + 1 < len(found) else len(clause)
            span = clause[start:stop]
            core = _core(span)
            need = (
                "preferred"
                if _PREFERRED.search(core)
                else "required"
                if _REQUIRED.search(core)
                else _need(clause, line)
            )
            if need == "required":
                if p.min_education is None or LEVELS.index(level) < LEVELS.index(p.min_education):
                    p.min_education = level
                    reading.note("min_education", level, line)
            elif p.preferred_education is None or LEVELS.index(level) > LEVELS.index(p.preferred_education):
                p.preferred_education = level
                reading.note("preferred_education", level, line)
        for group in catalog.field_groups_of(clause):
            if group.id not in p.education_fields:
                p.education_fields.append(group.id)
                reading.note("education_fields", group.id, line)


def _substitutes(clause: str) -> bool:
    """Experience accepted instead of a degree ("or an equivalent combination of education and
    experience", "four additional years ... may substitute for the degree"); not a GED ("high
    school diploma or equivalent")."""
    if not re.search(r"degree|education|bachelor|associate|diploma|\bBA\b|\bBS\b", clause, re.I):
        return False
    for m in _EQUIVALENT.finditer(clause):
        before = clause[max(0, m.start() - 30) : m.start()]
        if m.group(0).lower().startswith("or") and re.search(r"diploma|ged|high school", before, re.I):
            continue
        return True
    return False


def _years(reading: _Reading, line: _Line) -> None:
    p = reading.posting
    for clause in _clauses(line.text):
        if not _EXPERIENCE.search(clause) or _need(clause, line) != "required":
            continue
        matches = list(_YEARS.finditer(clause))
        for i, m in enumerate(matches):
            value = _number(m.group(1))
            if m.group(4).lower().startswith(("month", "mo")):
                value = round(value / 12, 2)
            # What a figure is about is said after it, up to the next figure.
            rest = clause[m.start() : matches[i + 1].start() if i + 1 < len(matches) else len(clause)]
            kinds = ["min_years_experience"]
            if _SUPERVISORY.search(rest):
                kinds.append("min_years_supervisory")
            if _MEDICAL.search(rest):
                kinds.append("min_years_medical_office")
            # Every requirement must be met, so the bar for each kind is the highest figure
            # ("3 years in a medical office, including 1 supervising" needs 3 years in all).
            for kind in kinds:
                current = getattr(p, kind)
                if current is None or value > current:
                    setattr(p, kind, value)
                    reading.note(kind, value, line)


def _credentials(reading: _Reading, line: _Line, catalog: Catalog) -> None:
    p = reading.posting
    for clause in _clauses(line.text):
        mentions = find_certifications(clause, catalog)
        if not mentions:
            continue
        # "CPC or CPB required, CPMA preferred": split at each mention like degrees.
        groups: dict[Need, list[str]] = {"required": [], "preferred": []}
        for i, m in enumerate(mentions):
            stop = mentions[i + 1].start if i + 1 < len(mentions) else len(clause)
            span = clause[m.start : stop]
            if _PREFERRED.search(span):
                need: Need = "preferred"
            elif _REQUIRED.search(span):
                need = "required"
            else:
                later = [
                    "preferred" if _PREFERRED.search(clause[x.start :]) else None for x in mentions[i + 1 :]
                ]
                need = "preferred" if any(later) and not _REQUIRED.search(span) else _need(clause, line)
            groups[need].append(m.meaning)
        if groups["required"]:
            p.certification_groups.append(groups["required"])
            for code in groups["required"]:
                if code not in p.required_certifications:
                    p.required_certifications.append(code)
                    reading.note("required_certifications", code, line)
        for code in groups["preferred"]:
            if code not in p.preferred_certifications and code not in p.required_certifications:
                p.preferred_certifications.append(code)
                reading.note("preferred_certifications", code, line)


def _mentions(reading: _Reading, line: _Line, field: str, found: Iterable[Mention]) -> None:
    values: list[str] = getattr(reading.posting, field)
    for m in found:
        if m.meaning not in values:
            values.append(m.meaning)
            reading.note(field, m.meaning, line)


def _bilingual(reading: _Reading, line: _Line) -> None:
    for clause in _clauses(line.text):
        other = [m for m in find_languages(clause) if m.meaning != "English"]
        speaks = re.search(r"speak|fluen|bilingual|language", clause, re.I)
        if _BILINGUAL.search(clause) or (other and speaks):
            need: Need = (
                "required" if _REQUIRED.search(clause) and not _PREFERRED.search(clause) else "preferred"
            )
            if line.section == "required" and not _PREFERRED.search(clause) and "bilingual" in clause.lower():
                need = "required"
            if reading.posting.bilingual != "required":
                reading.posting.bilingual = need
                reading.note("bilingual", need, line)


def _amount(number: str, thousands: str | None) -> float:
    value = float(number.replace(",", ""))
    return value * 1000 if thousands else value


def _salary(reading: _Reading, line: _Line) -> None:
    p = reading.posting
    text = re.sub(r"401\s?\(?k\)?|403\s?\(?b\)?", " ", line.text, flags=re.I)  # plans, not pay
    if p.salary_unit is not None or not _PAY_WORDS.search(text):
        return
    for m in _SALARY.finditer(text):
        if "$" not in m.group(0) and not m.group(3) and not m.group(5):
            continue  # a bare number ("2 weeks") is not pay
        if re.match(r"\s*(?:m\b|mm\b|million|billion|%)", text[m.end() :], re.I):
            continue  # "$32M budget", "4% match"
        low = _amount(m.group(2), m.group(3))
        high = _amount(m.group(4), m.group(5) or m.group(3)) if m.group(4) else None
        if low < 7 or (high is not None and high < low):
            continue
        unit: Literal["hour", "year"] = (
            "hour" if _HOUR.search(text[m.end() :][:40]) or (low < 200) else "year"
        )
        if _YEAR.search(text[m.end() :][:40]) and low >= 200:
            unit = "year"
        prefix = (m.group(1) or "").lower().strip()
        if prefix in ("up to", "as high as"):
            p.salary_max = low
        elif prefix in ("starting at", "from") and high is None:
            p.salary_min = low
        else:
            p.salary_min, p.salary_max = low, high if high is not None else low
        p.salary_unit = unit
        reading.note("salary", m.group(0).strip(), line)
        return


def _title(lines: Sequence[_Line]) -> str:
    for line in lines[:3]:
        text = re.sub(r"^(?:job title|position|title)\s*:\s*", "", line.text, flags=re.I).strip(" *#-")
        if 3 <= len(text) <= 90 and not text.endswith("."):
            return text
    return "Pasted job posting"


def parse_posting(text: str, catalog: Catalog | None = None) -> ParsedPosting:
    """Read a pasted posting's requirements, each with the line it came from."""
    if len(text) > MAX_CHARS:
        raise InputError(f"the posting is {len(text):,} characters; the most this reads is {MAX_CHARS:,}")
    if not text.strip():
        raise InputError("the posting is empty: paste the text of a job posting")
    catalog = catalog or load_catalog()
    lines = _lines(text)
    reading = _Reading(Posting(title=_title(lines)), [])
    for line in lines:
        if line.section == "ignored":
            continue
        _education(reading, line, catalog)
        _years(reading, line)
        _credentials(reading, line, catalog)
        _mentions(reading, line, "software", find_software(line.text, catalog))
        _mentions(reading, line, "skills", find_skills(line.text))
        _bilingual(reading, line)
        _salary(reading, line)
    p = reading.posting
    if (
        p.preferred_education
        and p.min_education
        and LEVELS.index(p.preferred_education) <= LEVELS.index(p.min_education)
    ):
        p.preferred_education = None
    return ParsedPosting(p, reading.evidence)


# --- requirements as rules ----------------------------------------------------------------

_SKILL_CONDITIONS = {
    "scheduling": "duty_scheduling",
    "patient_registration": "duty_patient_registration",
    "insurance_verification": "duty_insurance_verification",
    "billing": "duty_billing or knowledge_billing >= working",
    "coding": "duty_coding or evidence_coding >= working",
    "collections": "duty_collections",
    "payroll": "duty_payroll",
    "hiring": "duty_hiring",
    "staff_training": "duty_staff_training",
    "budgeting": "duty_budgeting",
    "marketing": "duty_marketing or course_marketing",
    "compliance": "duty_compliance or course_health_law",
    "credentialing": "duty_credentialing",
    "vendor_management": "duty_vendor_management",
    "reporting": "duty_reporting",
    "medical_terminology": "knowledge_medical_terminology >= working",
    "hipaa": "knowledge_hipaa >= working",
    "customer_service": "years_experience >= 1",
    "leadership": "years_supervisory >= 1",
    "revenue_cycle": "knowledge_billing >= working or certs_specialist >= 1",
    "inventory": "years_office_admin >= 1",
}
_SKILL_MET = {
    "medical_terminology": "Knows medical terminology",
    "hipaa": "Knows HIPAA",
    "customer_service": "Has a year or more of work with the public",
    "leadership": "Has supervised staff",
    "revenue_cycle": "Knows billing and the revenue cycle",
    "inventory": "Has a year or more of office administration",
}
_SKILL_ACTIONS = {
    "budgeting": ["duty:budgeting"],
    "hiring": ["duty:hiring"],
    "compliance": ["duty:compliance"],
    "vendor_management": ["duty:vendor_management"],
    "medical_terminology": ["course:medical_terminology"],
    "coding": ["course:coding"],
    "marketing": ["course:marketing"],
    "leadership": ["experience:supervisory_healthcare"],
}
_SOFTWARE_ACTIONS = {
    "ehr": "software:ehr",
    "practice_management": "software:practice_management",
    "office": "software:office",
    "accounting": "software:accounting",
}
_WEIGHTS = {"education": 20, "experience": 30, "certifications": 15, "software": 10, "skills": 25}
SETTING = "posting"


def _category(item: str, catalog: Catalog) -> str | None:
    if item.startswith("category:"):
        return item.split(":", 1)[1]
    product = catalog.products.get(item) or catalog.resolve_software(item)
    return product.categories[0] if product else None


def _rule(
    rid: str,
    dimension: str,
    statement: str,
    when: str,
    explain: str,
    unmet: str,
    more: Sequence[dict] = (),
    **extra: object,
) -> dict:
    """One rule in the rules-file format, sourced to the posting."""
    return {
        "id": rid,
        "dimension": dimension,
        "statement": statement,
        "levels": [{"when": when, "credit": 1, "explain": explain}, *more],
        "unmet": unmet,
        "sources": ["posting"],
        **extra,
    }


def _education_rules(p: Posting, rules: list[dict], gates: list[dict]) -> None:
    fields = p.education_fields
    has = (
        "max(" + ", ".join(f"{f}_education_level" for f in fields) + ")"
        if len(fields) > 1
        else f"{fields[0]}_education_level"
        if fields
        else "education_level"
    )
    target = p.preferred_education or p.min_education
    if target is None:
        return
    levels = (
        [{"when": f"{has} >= {p.min_education}", "credit": 0.8, "explain": "Has the required education"}]
        if (p.min_education and p.preferred_education)
        else []
    )
    if fields:
        levels.append(
            {"when": f"education_level >= {target}", "credit": 0.7, "explain": "The level, in another field"}
        )
    if p.equivalent_experience_substitutes_degree:
        levels.append(
            {
                "when": "years_experience >= 6",
                "credit": 0.6,
                "explain": "Equivalent experience instead of the degree",
            }
        )
    words = f"{target.replace('_', ' ')}" + (
        f" in {', '.join(f.replace('_', ' ') for f in fields)}" if fields else ""
    )
    rules.append(
        _rule(
            "education",
            "education",
            f"Education: {words}",
            f"{has} >= {target}",
            "Has it ({education_level})",
            "Highest education: {education_level}",
            more=levels,
            actions=[],
        )
    )
    if p.min_education:
        when = f"education_level >= {p.min_education}"
        if p.equivalent_experience_substitutes_degree:
            when = f"({when}) or years_experience >= 6"
        gates.append(
            {
                "id": "required_education",
                "statement": f"Required: {p.min_education.replace('_', ' ')} or higher",
                "settings": [SETTING],
                "when": when,
                "caps_band": "nearly",
                "met": "Meets the education requirement",
                "unmet": "Below the required education ({education_level})",
                "sources": ["posting"],
            }
        )


def _experience_rules(p: Posting, rules: list[dict], gates: list[dict]) -> None:
    kinds = (
        ("experience_years", p.min_years_experience, "years_experience", "years of experience"),
        (
            "medical_office_years",
            p.min_years_medical_office,
            "max(years_medical_office, years_healthcare)",
            "years in a medical office or healthcare",
        ),
        ("supervisory_years", p.min_years_supervisory, "years_supervisory", "years supervising staff"),
    )
    for rid, years, fact, words in kinds:
        if years is None:
            continue
        words = words.replace("years", "year" if years == 1 else "years", 1)
        half = round(years / 2, 2)
        rules.append(
            _rule(
                rid,
                "experience",
                f"{years:g} {words}",
                f"{fact} >= {years}",
                f"Has {years:g}+ {words}",
                f"Fewer than {half:g} {words}",
                more=[
                    {"when": f"{fact} >= {half}", "credit": 0.5, "explain": f"Has at least half: {half:g}+"}
                ],
                actions=["experience:supervisory_healthcare"] if rid == "supervisory_years" else [],
            )
        )
        gates.append(
            {
                "id": f"required_{rid}",
                "statement": f"Required: {years:g} {words}",
                "settings": [SETTING],
                "when": f"{fact} >= {years}",
                "caps_band": "nearly",
                "met": f"Has {years:g}+ {words}",
                "unmet": f"Fewer than {years:g} {words}",
                "sources": ["posting"],
            }
        )


def _credential_rules(p: Posting, rules: list[dict], gates: list[dict]) -> None:
    for i, group in enumerate(p.certification_groups):
        when = " or ".join(f"cert_{c.replace('-', '_')}" for c in group)
        words = " or ".join(group)
        rules.append(
            _rule(
                f"required_credential_{i}",
                "certifications",
                f"Holds {words}",
                when,
                f"Holds {words}",
                f"Does not hold {words}",
                actions=[f"cert:{c}" for c in group],
            )
        )
        gates.append(
            {
                "id": f"required_credential_gate_{i}",
                "statement": f"Required: {words}",
                "settings": [SETTING],
                "when": when,
                "caps_band": "nearly",
                "met": f"Holds {words}",
                "unmet": f"Does not hold {words}",
                "sources": ["posting"],
                "actions": [f"cert:{c}" for c in group],
            }
        )
    for code in p.preferred_certifications:
        rules.append(
            _rule(
                f"preferred_{code.replace('-', '_').lower()}",
                "certifications",
                f"Preferred: {code}",
                f"cert_{code.replace('-', '_')}",
                f"Holds {code}",
                f"Does not hold {code}",
                weight=0.5,
                actions=[f"cert:{code}"],
            )
        )


def _software_rules(p: Posting, rules: list[dict], catalog: Catalog) -> None:
    by_category: dict[str, list[str]] = {}
    for item in p.software:
        category = _category(item, catalog)
        if category:
            by_category.setdefault(category, []).append(item.removeprefix("category:"))
    for category, names in by_category.items():
        label = category.replace("_", " ")
        asked = ", ".join(names)
        action = _SOFTWARE_ACTIONS.get(category)
        rules.append(
            _rule(
                f"software_{category}",
                "software",
                f"Software: {asked}",
                f"software_{category} >= 1",
                f"Knows {label} software",
                f"No {label} software listed",
                actions=[action] if action else [],
            )
        )


def _skill_rules(p: Posting, rules: list[dict]) -> None:
    for skill in p.skills:
        words = skill.replace("_", " ")
        rules.append(
            _rule(
                f"skill_{skill}",
                "skills",
                f"Skill: {words}",
                _SKILL_CONDITIONS[skill],
                _SKILL_MET.get(skill, f"Has done {words}"),
                f"No {words} shown",
                actions=_SKILL_ACTIONS.get(skill, []),
            )
        )


def posting_rules_yaml(posting: Posting, catalog: Catalog | None = None, as_of: str | None = None) -> str:
    """The posting's requirements as a rules file (the same format as ``rules/``)."""
    catalog = catalog or load_catalog()
    rules: list[dict] = []
    gates: list[dict] = []
    _education_rules(posting, rules, gates)
    _experience_rules(posting, rules, gates)
    _credential_rules(posting, rules, gates)
    _software_rules(posting, rules, catalog)
    _skill_rules(posting, rules)
    if not rules:
        raise InputError(
            "nothing in the posting could be read as a requirement; check the text or edit the table"
        )
    present = {r["dimension"] for r in rules}
    total = sum(_WEIGHTS[d] for d in present)
    points = {d: round(100 * _WEIGHTS[d] / total, 4) for d in present}
    last = sorted(points)[-1]
    points[last] = round(100 - sum(v for d, v in points.items() if d != last), 4)
    spec = {
        "schema_version": 1,
        "role": "posting",
        "title": posting.title,
        "version": "posting",
        "description": "Requirements read from a pasted job posting.",
        "soc": [],
        "settings": {SETTING: {"label": "This posting", "description": "The requirements of the posting."}},
        "bands": {
            "thresholds": {SETTING: {"ready": 75, "nearly": 55, "developing": 30}},
            "sources": [],
            "note": "Not calibrated: ready means the required items are met and most of the rest.",
        },
        "sources": {
            "posting": {
                "title": f"The job posting: {posting.title}",
                "source": ["the pasted posting text"],
                "as_of": as_of or current_month(),
            }
        },
        "dimensions": {
            d: {
                "title": d.capitalize(),
                "description": f"What the posting asks for: {d}.",
                "points": {SETTING: p},
            }
            for d, p in points.items()
        },
        "rules": rules,
        "gates": gates,
    }
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)


def posting_rules(posting: Posting, catalog: Catalog | None = None, as_of: str | None = None) -> RuleSet:
    """The posting as a compiled rule set."""
    catalog = catalog or load_catalog()
    return parse_ruleset(posting_rules_yaml(posting, catalog, as_of), "posting.yaml", catalog)


def assess_posting(profile: Profile, posting: Posting, as_of: str | None = None) -> Assessment:
    """Assess a profile against a posting's requirements: every requirement met or missing."""
    month = as_of or current_month()
    rules = posting_rules(posting, as_of=month)
    return assess(profile, "posting", SETTING, month, rules, model=None)
