"""The words people use for things the engine knows: credentials, software, skills, courses, languages.

Resumes and postings are free text; this module finds, in a line of it, the
mentions of known things and says what each one means in the engine's terms
(a credential code, a catalog product or software category, a skill or duty,
a course area, a language). It matches by meaning, not by string: "Kareo" is
Tebra, "EMR" and "electronic health records" are the EHR category, "claims
submission" is billing. Every finder returns each meaning once per call, so a
word repeated ten times counts once.

Names that are also ordinary words ("Word", "Teams", "Outlook", "Excel",
"Epic") are matched case-sensitively, and the riskiest only on a line that
talks about software.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from advisor.catalog import Catalog
from advisor.profile import Duty, EducationLevel

SKILLS: tuple[str, ...] = (
    *typing.get_args(Duty),
    "medical_terminology",
    "hipaa",
    "customer_service",
    "leadership",
    "revenue_cycle",
    "inventory",
)
"""The skills a posting can ask for; the first fifteen are also the profile's duties."""
DUTIES = SKILLS[:15]

_SKILL_WORDS: Mapping[str, tuple[str, ...]] = {
    "scheduling": (r"schedul\w*", r"appointment[s]?\b", r"calendars?\b", r"booking"),
    "patient_registration": (
        r"registration",
        r"registering",
        r"register(?:s|ing)? patients",
        r"check[- ]?ins?\b",
        r"check[- ]?outs?\b",
        r"check(?:s|ing)? (?:patients|them|families|clients) (?:in|out)\b",
        r"checking (?:patients )?in\b",
        r"patient intake",
        r"demographics",
    ),
    "insurance_verification": (
        r"(?:insurance|eligibility|benefits?|coverage) (?:verification|verif\w*|checks?)",
        r"verif\w* (?:of )?(?:patient |\w+ )?(?:insurance|eligibility|benefits|coverage)",
        r"prior[- ]auth\w*",
        r"pre-?auth\w*",
        r"pre-?certif\w*",
        r"referral (?:authoriz\w*|processing)",
    ),
    "billing": (
        r"\bbilling\b",
        r"\bbiller\b",
        r"claims?(?: submission| processing| entry| filing| management)?\b",
        r"charge entry",
        r"superbills?",
        r"payment posting",
        r"cms[- ]?1500",
        r"ub[- ]?04",
        r"\bbills? (?:insurance|patients)",
        r"post(?:s|ing)? (?:insurance |patient |insurance and patient )?payments",
    ),
    "coding": (
        r"\bcoding\b",
        r"\bcoders?\b",
        r"icd[- ]?10(?:[- ]cm)?",
        r"\bcpt(?: codes?| coding)\b",
        r"hcpcs",
        r"e/m (?:levels?|coding)",
        r"code (?:procedures|diagnoses|charts|encounters)",
    ),
    "collections": (
        r"collections?\b",
        r"\ba/?r\b(?: follow[- ]?up)?",
        r"accounts receivable",
        r"denials?\b",
        r"appeals?\b",
        r"patient balances",
        r"past[- ]due",
        r"aging reports?",
        r"collect\w* (?:co-?pays|payments|balances|fees|deductibles|point[- ]of[- ]service|patient)",
        r"co-?pays\b",
        r"unpaid claims",
        r"(?:client|patient|prior) balances",
        r"payment plans",
    ),
    "payroll": (r"payroll", r"time ?cards?", r"timekeeping", r"time[- ]and[- ]attendance"),
    "hiring": (
        r"\bhiring\b",
        r"\bhire(?:s|d)?\b(?!,? (?:date|packet))(?<!of hire)(?<!new hire)(?<!new hires)(?<!upon hire)",
        r"recruit\w*",
        r"interview(?:s|ing)? (?:and \w+ )?(?:candidates|applicants|staff)",
        r"interviewing",
        r"staffing decisions",
    ),
    "staff_training": (
        r"train(?:ed|s|ing)? (?:and \w+ )?(?:new |front[- ](?:desk|office) |office |billing |clinic )*"
        r"(?:staff|employees|hires|team members|team|personnel|receptionists|coworkers|subordinates)",
        r"(?:staff|subordinates|employees|team members) (?:are |is )?trained",
        r"\btrain\b(?=,| and (?:supervise|evaluate|develop|mentor))",
        r"training programs?",
        r"onboard\w*",
        r"orientation(?: of new staff)?",
        r"staff development",
        r"coach\w* (?:staff|employees|team)",
        r"mentor\w*",
    ),
    "budgeting": (
        r"budget\w*",
        r"\bp&l\b",
        r"profit (?:and|&) loss",
        r"cost control",
        r"expense management",
        r"financial performance",
    ),
    "marketing": (
        r"marketing",
        r"community outreach",
        r"referral (?:development|relationships)",
        r"social media",
        r"patient acquisition",
        r"practice growth",
    ),
    "compliance": (
        r"compliance",
        r"\bosha\b",
        r"regulator\w*",
        r"regulations",
        r"\bclia\b",
        r"audits?\b",
        r"auditing",
        r"policies and procedures",
        r"accreditation",
    ),
    "credentialing": (
        r"credential(?:ing|ed) (?:of )?(?:providers|physicians)",
        r"provider (?:enrollment|credentialing)",
        r"\bcredentialing\b",
        r"re-?credential\w*",
        r"payer enrollment",
        r"\bcaqh\b",
    ),
    "vendor_management": (
        r"vendors?\b",
        r"suppliers?\b",
        r"service contracts",
        r"vendor (?:relations|contracts|management)",
    ),
    "reporting": (
        r"\breports?\b",
        r"\breporting\b",
        r"\bkpis?\b",
        r"key performance indicators",
        r"metrics",
        r"dashboards?",
        r"financial statements",
        r"month[- ]end",
    ),
    "medical_terminology": (r"medical terminology", r"medical terms"),
    "hipaa": (r"\bhipaa\b", r"patient privacy", r"\bphi\b", r"protected health information"),
    "customer_service": (
        r"customer service",
        r"customer[- ]focused",
        r"patient (?:satisfaction|experience)",
        r"service excellence",
        r"guest service",
        r"answer(?:s|ing)? (?:the )?(?:phones?|telephones?|telephone inquiries|calls|patient calls)",
        r"phone etiquette",
        r"\bgreet(?:s|ing)? (?:patients|families|visitors|clients)",
        r"client service",
    ),
    "leadership": (
        r"leadership",
        r"\bleads? (?:a |the )?(?:team|staff)",
        r"supervis\w*",
        r"manag\w* (?:a )?(?:team|staff|employees)",
        r"direct reports",
    ),
    "revenue_cycle": (r"revenue cycle", r"\brcm\b"),
    "inventory": (
        r"inventory",
        r"(?:order\w*|purchas\w*|maintain\w*|stock\w*|manag\w*) (?:\w+ ){0,3}supplies",
        r"supply (?:orders|ordering|chain|inventory|levels)",
        r"supply ordering",
        r"ordering supplies",
        r"order(?:s|ing)? (?:office |medical )?supplies",
        r"supplies ordering",
        r"stock(?:ing)? supplies",
    ),
}
_SKILL_PATTERNS = {skill: "|".join(words) for skill, words in _SKILL_WORDS.items()}

DEGREE_PATTERNS: tuple[tuple[EducationLevel, re.Pattern[str]], ...] = (
    # Words in any case; abbreviations ("BA", "AS") only in capitals, so "as" and "ba" stay words.
    ("doctorate", re.compile(r"(?i:\b(?:doctorate|doctoral|ph\.?d\.?|dha)\b)")),
    (
        "master",
        re.compile(r"(?i:\bmaster'?s?\b|\bmasters\b|\bgraduate degree)|\b(?:MBA|MHA|MPH|MHSA|MSN|M\.S\.)\b"),
    ),
    (
        "bachelor",
        re.compile(
            r"(?i:\bbachelor'?s?\b|\b(?:4|four)[- ]year (?:college )?degree|undergraduate degree"
            r"|college degree)"
            r"|\b(?:BA|BS|BSN|B\.A\.|B\.S\.)(?:/(?:BA|BS|B\.A\.|B\.S\.))?(?![A-Za-z])"
        ),
    ),
    (
        "associate",
        re.compile(
            r"(?i:\bassociate'?s?(?= degree| of| in\b)|\b(?:2|two)[- ]year (?:college )?degree)"
            r"|\b(?:AAS|AA|AS|A\.A\.S\.|A\.A\.|A\.S\.)(?![A-Za-z])"
        ),
    ),
    (
        "certificate",
        re.compile(
            r"(?i:certificate (?:program|course)|vocational|technical (?:school|program|training)"
            r"|post-?secondary (?:certificate|training|program|education)|(?:diploma|certificate) (?:in|from)"
            r" (?:a |an )?(?:medical|accredited)|graduat\w+ (?:of|from) (?:an? )?(?:accredited )?\w*"
            r" ?(?:medical assist\w*|program)|\bcertificate\b(?! of (?:completion|attendance|achievement))"
            r"|\bdiploma\b(?= in\b| program|,? (?:medical|coding|billing|pharmacy|dental)))"
        ),
    ),
    (
        "high_school",
        re.compile(r"(?i:high school|\bhs\b|\bh\.s\.|\bged\b|\bhsd\b|\bdiploma\b(?! in\b| program))"),
    ),
)
"""Education levels and the words for them, highest first."""


def find_degrees(text: str) -> list[Mention]:
    """Education levels named ("BA/BS", "Associate of Applied Science", "GED"), at their place."""
    found = [
        Mention(level, m.start(), m.end(), m.group(0))
        for level, pattern in DEGREE_PATTERNS
        for m in pattern.finditer(text)
    ]
    return sorted(found, key=lambda m: m.start)


_COURSE_PATTERNS: Mapping[str, str] = {
    "medical_terminology": r"medical terminology",
    "accounting": r"accounting|bookkeeping",
    "finance": r"\bfinanc\w*",
    "human_resources": r"human resources?|\bhr\b|personnel management",
    "health_law": r"(?:health(?: ?care)?|medical) law|(?:medical|health(?: ?care)?) ethics|law and ethics",
    "coding": r"\bcoding\b|icd[- ]?10|\bcpt\b",
    "health_it": r"health information (?:technology|systems)|health ?it\b|electronic health records?|\behr\b",
    "management": r"\bmanagement\b|supervision|leadership",
    "marketing": r"marketing",
}

LANGUAGES = (
    "English", "Spanish", "French", "German", "Italian", "Portuguese", "Russian", "Ukrainian", "Polish",
    "Arabic", "Hebrew", "Farsi", "Persian", "Urdu", "Hindi", "Bengali", "Punjabi", "Gujarati", "Tamil",
    "Telugu", "Chinese", "Mandarin", "Cantonese", "Japanese", "Korean", "Vietnamese", "Tagalog", "Filipino",
    "Thai", "Khmer", "Hmong", "Lao", "Somali", "Amharic", "Swahili", "Haitian Creole", "Creole", "Greek",
    "Turkish", "Armenian", "ASL", "American Sign Language", "Sign Language", "Navajo",
)  # fmt: skip

_GENERIC_SOFTWARE: Mapping[str, str] = {
    "category:ehr": r"\be[hm]rs?\b|electronic (?:health|medical) records?(?: systems?| software)?",
    "category:practice_management": r"practice[- ]management (?:systems?|software|platforms?)|\bpm systems?\b"
    r"|\bpms\b|billing software|scheduling software",
    "category:clearinghouse": r"clearing ?houses?",
    "category:payer_portal": r"payer (?:web ?)?portals?|insurance (?:web ?)?portals?",
    "category:coding": r"\bencoders?\b|encoding software",
}
_SOFTWARE_CONTEXT = re.compile(
    r"software|systems?\b|\bskills\b|proficien\w*|microsoft|\bms\b|office|computer|\bemr\b|\behr\b|technical",
    re.IGNORECASE,
)
_NEEDS_CONTEXT = frozenset(
    {"Word", "Teams", "Outlook", "Access", "Medical Manager", "EMA", "PCC", "QSI", "athena"}
)
"""Aliases that are also ordinary words or job titles: counted only on a line about software."""


@dataclass(frozen=True)
class Mention:
    """A thing found in text: what it means, and where (offsets in the text searched)."""

    meaning: str
    start: int
    end: int
    text: str


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class _Patterns:
    cert_codes: re.Pattern[str]
    cert_names: re.Pattern[str]
    cert_by_word: Mapping[str, str]
    software_exact: re.Pattern[str]
    software_any_case: re.Pattern[str]
    software_by_word: Mapping[str, str]


def _is_ordinary(word: str) -> bool:
    """One capitalized word ("Excel", "Epic", "Teams"): could be an ordinary word in lower case."""
    return " " not in word and word[:1].isupper() and word[1:].islower()


_COMPILED: dict[str, _Patterns] = {}
"""Patterns per catalog fingerprint: built once per process."""


def _patterns(catalog: Catalog) -> _Patterns:
    if catalog.fingerprint not in _COMPILED:
        _COMPILED[catalog.fingerprint] = _build(catalog)
    return _COMPILED[catalog.fingerprint]


def _build(catalog: Catalog) -> _Patterns:
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, cert in catalog.certifications.items():
        codes[code] = code
        for text in (cert.name, *cert.aliases):
            (codes if text.upper() == text and " " not in text else names)[text] = code
    exact: dict[str, str] = {}
    any_case: dict[str, str] = {}
    for product in catalog.products.values():
        for text in (product.name, *product.aliases):
            if _is_ordinary(text) or text in _NEEDS_CONTEXT:
                exact[text] = product.name
            else:
                any_case[text.lower()] = product.name
    return _Patterns(
        re.compile(rf"(?<![A-Za-z0-9])({_alternation(codes)})(?![A-Za-z0-9])"),
        re.compile(rf"\b({_alternation(names)})\b", re.IGNORECASE),
        {**codes, **{k.lower(): v for k, v in names.items()}},
        re.compile(rf"(?<![A-Za-z0-9])({_alternation(exact)})(?![A-Za-z0-9])"),
        re.compile(rf"(?<![A-Za-z0-9])({_alternation(any_case)})(?![A-Za-z0-9])", re.IGNORECASE),
        {**exact, **any_case},
    )


def _first(mentions: Iterable[Mention]) -> list[Mention]:
    """Each meaning once, at its first place."""
    seen: dict[str, Mention] = {}
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        seen.setdefault(m.meaning, m)
    return sorted(seen.values(), key=lambda m: m.start)


def find_certifications(text: str, catalog: Catalog) -> list[Mention]:
    """Credential codes mentioned, by code ("CPC") or name ("Certified Professional Coder")."""
    p = _patterns(catalog)
    found = [
        Mention(p.cert_by_word[m.group(1)], m.start(), m.end(), m.group(0))
        for m in p.cert_codes.finditer(text)
    ]
    found += [
        Mention(p.cert_by_word[m.group(1).lower()], m.start(), m.end(), m.group(0))
        for m in p.cert_names.finditer(text)
    ]
    return _first(found)


def find_software(text: str, catalog: Catalog) -> list[Mention]:
    """Catalog products by name or alias, and generic mentions as ``category:<id>``; a product's
    own categories are not repeated as generic mentions."""
    p = _patterns(catalog)
    context = bool(_SOFTWARE_CONTEXT.search(text))
    found = []
    for m in p.software_exact.finditer(text):
        if m.group(1) in _NEEDS_CONTEXT and not context:
            continue
        found.append(Mention(p.software_by_word[m.group(1)], m.start(), m.end(), m.group(0)))
    found += [
        Mention(p.software_by_word[m.group(1).lower()], m.start(), m.end(), m.group(0))
        for m in p.software_any_case.finditer(text)
    ]
    # "Certified Medical Manager" is a credential, not the old Medical Manager software.
    credentials = [(c.start, c.end) for c in find_certifications(text, catalog)]
    found = [m for m in found if not any(a <= m.start < b for a, b in credentials)]
    products = _first(found)
    taken = [(m.start, m.end) for m in products]
    for meaning, pattern in _GENERIC_SOFTWARE.items():
        for m in re.finditer(pattern, text, re.IGNORECASE):
            if not any(a <= m.start() < b for a, b in taken):
                found.append(Mention(meaning, m.start(), m.end(), m.group(0)))
    return _first(found)


def _find(patterns: Mapping[str, str], text: str) -> list[Mention]:
    found = []
    for meaning, pattern in patterns.items():
        for m in re.finditer(pattern, text, re.IGNORECASE):
            found.append(Mention(meaning, m.start(), m.end(), m.group(0)))
    return _first(found)


def find_skills(text: str) -> list[Mention]:
    """Skills and duties mentioned, by any of their usual names (see :data:`SKILLS`)."""
    return _find(_SKILL_PATTERNS, text)


def find_duties(text: str) -> list[Mention]:
    """Profile duties mentioned (the skills that are also duties)."""
    return [m for m in find_skills(text) if m.meaning in DUTIES]


def find_courses(text: str) -> list[Mention]:
    """Course areas named (read only on lines that list courses)."""
    return _find(_COURSE_PATTERNS, text)


def find_languages(text: str) -> list[Mention]:
    """Languages named, as their usual English names."""
    pattern = rf"\b({_alternation(LANGUAGES)})\b"
    return _first(
        Mention(_language_name(m.group(1)), m.start(), m.end(), m.group(0))
        for m in re.finditer(pattern, text)
    )


def _language_name(word: str) -> str:
    return {
        "ASL": "American Sign Language",
        "Sign Language": "American Sign Language",
        "Persian": "Farsi",
    }.get(word, word)
