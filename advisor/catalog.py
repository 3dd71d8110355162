"""The knowledge catalog: certifications, programs, software and the career ladder.

Loaded from the YAML files in ``data/``, validated once, and then read-only.
Everything a plan or a rule says about the world (prerequisites, costs,
durations, which fields of study count, which names mean the same product)
comes from here, each value with its source and ``as_of`` date.

Loading checks more than shape: codes and aliases must be unique, every
reference (a program's field group, a role's next rung, a product's category)
must exist, and every prerequisite condition must compile against the fact
vocabulary. All problems across all files are reported together.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Self, TypeVar

from pydantic import Field, model_validator

from advisor.citation import Cited, StrictModel
from advisor.errors import CatalogError, DataFileError, ExpressionError, Problem, suggest
from advisor.expression import Expression, compile_expression
from advisor.profile import CourseArea, EducationLevel, KnowledgeLevel
from advisor.sourcefile import Document, read_document, validate_document
from advisor.vocabulary import CONSTANTS, FactSpec, fact_specs

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
"""The catalog that ships with the product."""

KnowledgeArea = Literal["medical_terminology", "coding", "billing", "hipaa"]
CertLevel = Literal["entry", "specialist", "manager"]
Relevance = Literal["core", "related", "adjacent"]
NonNegative = Annotated[float, Field(ge=0)]


# --- certifications -----------------------------------------------------------------------


class Pathway(StrictModel):
    """One way to become eligible: every condition in ``all`` must hold.

    ``also`` lists requirements a profile cannot show (accreditation, contact
    hours, references): they are shown to the person, never assumed.
    """

    id: str
    label: str
    all: Annotated[list[str], Field(min_length=1)]
    also: list[str] = []
    note: str | None = None


class Prerequisites(Cited):
    """Eligibility: any pathway suffices; no pathways means open to anyone."""

    summary: str
    pathways: list[Pathway]
    also_pathways: list[str] = []
    blocked_without: str | None = None


class Exam(Cited):
    """Exam format as published."""

    summary: str
    questions: int | None = None
    minutes: int | None = None


class CostRange(Cited):
    """A cost range in US dollars, or a gap."""

    min: NonNegative | None = None
    max: NonNegative | None = None
    what: str

    @model_validator(mode="after")
    def _range(self) -> Self:
        if not self.gap and (self.min is None or self.max is None):
            raise ValueError("min and max are required unless gap: true")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Prep(Cited):
    """Typical preparation time, in months and/or study hours, or a gap."""

    months_min: NonNegative | None = None
    months_max: NonNegative | None = None
    hours_min: NonNegative | None = None
    hours_max: NonNegative | None = None

    @model_validator(mode="after")
    def _some_duration(self) -> Self:
        values = (self.months_min, self.months_max, self.hours_min, self.hours_max)
        if not self.gap and all(v is None for v in values):
            raise ValueError("give months or hours, or gap: true")
        return self


class Renewal(Cited):
    """How the credential is kept current."""

    summary: str
    cycle_years: NonNegative | None = None
    ceus: int | None = None
    fee_usd: NonNegative | None = None


class Certification(StrictModel):
    """A credential, its issuer, level, prerequisites, exam, cost, preparation and renewal."""

    code: Annotated[str, Field(pattern=r"^[A-Z][A-Za-z0-9-]*$")]
    name: str
    issuer: str
    level: CertLevel
    aliases: list[str] = []
    implies: dict[KnowledgeArea, KnowledgeLevel] = {}
    membership: str | None = None
    prerequisites: Prerequisites
    exam: Exam
    cost_usd: CostRange
    prep: Prep
    renewal: Renewal


class _CertificationFile(StrictModel):
    schema_version: Literal[1]
    certifications: list[Certification]


# --- software -----------------------------------------------------------------------------


class SoftwareCategory(StrictModel):
    """A kind of software; ``medical`` marks clinical-office systems."""

    label: str
    medical: bool


class Product(Cited):
    """A software product with every name people use for it."""

    name: str
    categories: Annotated[list[str], Field(min_length=1)]
    aliases: list[str] = []
    spreadsheet: bool = False
    history: str | None = None
    onet: str | None = None


class _SoftwareFile(StrictModel):
    schema_version: Literal[1]
    categories: dict[str, SoftwareCategory]
    generic_words: list[str]
    products: list[Product]


# --- programs -----------------------------------------------------------------------------


class FieldGroup(Cited):
    """A family of fields of study, matched by whole-word keywords."""

    id: str
    label: str
    relevance: Relevance
    keywords: Annotated[list[str], Field(min_length=1)]
    coursework: list[CourseArea]


class Duration(Cited):
    """Full-time length of a program in months."""

    months_min: NonNegative
    months_max: NonNegative


class CostBand(Cited):
    """A cost with its low, typical and high values, or a gap."""

    min: NonNegative | None = None
    typical: NonNegative | None = None
    max: NonNegative | None = None

    @model_validator(mode="after")
    def _band(self) -> Self:
        values = (self.min, self.typical, self.max)
        if not self.gap and any(v is None for v in values):
            raise ValueError("min, typical and max are required unless gap: true")
        if None not in values and not (self.min <= self.typical <= self.max):  # type: ignore[operator]
            raise ValueError("expected min <= typical <= max")
        return self


class Program(StrictModel):
    """A degree or certificate program a person can complete."""

    id: str
    name: str
    level: EducationLevel
    field_group: str
    coursework: list[CourseArea]
    unlocks: list[str] = []
    duration: Duration
    tuition_per_year: CostBand | None = None
    total_cost: CostBand | None = None

    @model_validator(mode="after")
    def _one_cost(self) -> Self:
        if (self.tuition_per_year is None) == (self.total_cost is None):
            raise ValueError("give exactly one of tuition_per_year or total_cost")
        return self


class _ProgramsFile(StrictModel):
    schema_version: Literal[1]
    field_groups: list[FieldGroup]
    programs: list[Program]


# --- roles --------------------------------------------------------------------------------


class CitedText(Cited):
    """A cited statement."""

    value: str


class Pay(Cited):
    """A median pay figure with its data year."""

    usd: NonNegative
    period: Literal["year", "hour"]
    data_year: str


class Outlook(Cited):
    """Projected employment growth, as stated."""

    text: str


class Role(StrictModel):
    """A rung on the career ladder with its BLS facts."""

    id: str
    title: str
    order: int
    soc: Annotated[str, Field(pattern=r"^[0-9]{2}-[0-9]{4}$")]
    soc_title: str
    summary: str
    typical_entry_education: CitedText
    median_pay: Pay
    outlook: Outlook
    next: list[str]


class _RolesFile(StrictModel):
    schema_version: Literal[1]
    roles: list[Role]


_F = TypeVar("_F", bound=StrictModel)


# --- the loaded catalog -------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower-case without accents: ``"Épic"`` -> ``"epic"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@functools.lru_cache(maxsize=64)
def _generic(generic_words: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Generic words folded, and the phrases among them longest first (folded once per list)."""
    generic = frozenset(re.sub(r"[^a-z0-9+]+", " ", _fold(g)).strip() for g in generic_words)
    return generic, tuple(sorted((g for g in generic if " " in g), key=lambda g: (-len(g), g)))


@functools.lru_cache(maxsize=8192)
def normalize_name(text: str, generic_words: tuple[str, ...] = ()) -> str:
    """Lower-case, drop accents, punctuation and generic words: ``"Kareo PM"`` -> ``"kareo"``."""
    words = re.sub(r"[^a-z0-9+]+", " ", _fold(text).replace("&", " and ")).split()
    generic, phrases = _generic(generic_words)
    joined = " ".join(words)
    for phrase in phrases:
        stripped = re.sub(rf"(^| ){re.escape(phrase)}($| )", " ", joined).strip()
        joined = stripped or joined
    kept = [w for w in joined.split() if w not in generic]
    return " ".join(kept) if kept else joined


@functools.lru_cache(maxsize=8192)
def compact_code(text: str) -> str:
    """A credential code or name with only letters and digits: ``"C.P.C."`` -> ``"cpc"``."""
    return re.sub(r"[^a-z0-9]+", "", _fold(text))


@dataclass(frozen=True)
class Catalog:
    """The validated catalog plus the lookups built from it."""

    certifications: Mapping[str, Certification]
    categories: Mapping[str, SoftwareCategory]
    products: Mapping[str, Product]
    field_groups: Mapping[str, FieldGroup]
    programs: Mapping[str, Program]
    roles: Mapping[str, Role]
    facts: Mapping[str, FactSpec]
    prerequisites: Mapping[str, tuple[tuple[Pathway, tuple[Expression, ...]], ...]]
    fingerprint: str
    _generic_words: tuple[str, ...]
    _software_names: Mapping[str, str]
    _cert_names: Mapping[str, str]
    _field_patterns: tuple[tuple[str, re.Pattern[str]], ...]

    def resolve_software(self, name: str) -> Product | None:
        """The product a written name refers to, by name or alias, or ``None``."""
        key = normalize_name(name, self._generic_words)
        product = self._software_names.get(key)
        return self.products[product] if product else None

    def resolve_certification(self, code: str) -> Certification | None:
        """The credential a written code or full name refers to, or ``None``."""
        key = self._cert_names.get(compact_code(code))
        return self.certifications[key] if key else None

    def field_groups_of(self, field: str | None) -> tuple[FieldGroup, ...]:
        """Field-of-study groups a free-text field belongs to (may be several or none)."""
        if not field:
            return ()
        text = " " + normalize_name(field) + " "
        return tuple(self.field_groups[g] for g, pattern in self._field_patterns if pattern.search(text))

    def software_suggestion(self, name: str) -> str | None:
        """The product an unrecognized name most likely meant, if any is close."""
        close = difflib.get_close_matches(
            normalize_name(name, self._generic_words), list(self._software_names), n=1, cutoff=0.8
        )
        return self._software_names[close[0]] if close else None


def _shown(path: Path) -> Path:
    """A path as a person would type it: relative to the working directory when inside it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _load(path: Path, model: type[_F], problems: list[Problem]) -> tuple[Document, _F] | None:
    try:
        doc = read_document(_shown(path))
        return doc, validate_document(doc, model, CatalogError)
    except DataFileError as exc:
        problems.extend(exc.problems)
        return None


def _unique(
    doc: Document, key: str, items: list[tuple[int, str]], what: str, problems: list[Problem]
) -> None:
    seen: dict[str, int] = {}
    for index, name in items:
        if name in seen:
            problems.append(
                doc.problem((key, index), f"{what} '{name}' is already used by {key}[{seen[name]}]")
            )
        else:
            seen[name] = index


def load_catalog(data_dir: str | Path | None = None) -> Catalog:
    """Load and validate the catalog in ``data_dir`` (the shipped one by default).

    Cached per directory: the catalog is read once per process.
    """
    return _load_catalog(str(Path(data_dir).resolve() if data_dir else DATA_DIR))


@functools.lru_cache(maxsize=8)
def _load_catalog(directory: str) -> Catalog:
    root = Path(directory)
    problems: list[Problem] = []
    certs_loaded = _load(root / "certifications.yaml", _CertificationFile, problems)
    soft_loaded = _load(root / "software.yaml", _SoftwareFile, problems)
    prog_loaded = _load(root / "programs.yaml", _ProgramsFile, problems)
    roles_loaded = _load(root / "roles.yaml", _RolesFile, problems)
    if problems or not (certs_loaded and soft_loaded and prog_loaded and roles_loaded):
        raise CatalogError(problems)
    cert_doc, cert_file = certs_loaded
    soft_doc, soft_file = soft_loaded
    prog_doc, prog_file = prog_loaded
    role_doc, role_file = roles_loaded

    certs = cert_file.certifications
    _unique(cert_doc, "certifications", list(enumerate(c.code for c in certs)), "code", problems)
    cert_names: dict[str, str] = {}
    for i, cert in enumerate(certs):
        for name in (cert.code, cert.name, *cert.aliases):
            key = compact_code(name)
            if cert_names.setdefault(key, cert.code) != cert.code:
                problems.append(
                    cert_doc.problem(
                        ("certifications", i, "aliases"), f"'{name}' also names {cert_names[key]}"
                    )
                )

    generic = tuple(soft_file.generic_words)
    products = soft_file.products
    _unique(soft_doc, "products", list(enumerate(p.name for p in products)), "name", problems)
    software_names: dict[str, str] = {}
    for i, product in enumerate(products):
        for j, category in enumerate(product.categories):
            if category not in soft_file.categories:
                problems.append(
                    soft_doc.problem(
                        ("products", i, "categories", j),
                        f"unknown category '{category}'" + suggest(category, soft_file.categories),
                    )
                )
        for name in (product.name, *product.aliases):
            key = normalize_name(name, generic)
            if software_names.setdefault(key, product.name) != product.name:
                problems.append(
                    soft_doc.problem(("products", i, "aliases"), f"'{name}' also names {software_names[key]}")
                )

    groups = {g.id: g for g in prog_file.field_groups}
    _unique(prog_doc, "field_groups", list(enumerate(g.id for g in prog_file.field_groups)), "id", problems)
    _unique(prog_doc, "programs", list(enumerate(p.id for p in prog_file.programs)), "id", problems)
    for i, program in enumerate(prog_file.programs):
        if program.field_group not in groups:
            problems.append(
                prog_doc.problem(
                    ("programs", i, "field_group"),
                    f"unknown field group '{program.field_group}'" + suggest(program.field_group, groups),
                )
            )
        for j, code in enumerate(program.unlocks):
            if code not in {c.code for c in certs}:
                problems.append(
                    prog_doc.problem(
                        ("programs", i, "unlocks", j),
                        f"unknown certification '{code}'" + suggest(code, [c.code for c in certs]),
                    )
                )

    roles = {r.id: r for r in role_file.roles}
    _unique(role_doc, "roles", list(enumerate(r.id for r in role_file.roles)), "id", problems)
    for i, role in enumerate(role_file.roles):
        for j, nxt in enumerate(role.next):
            if nxt not in roles:
                problems.append(
                    role_doc.problem(("roles", i, "next", j), f"unknown role '{nxt}'" + suggest(nxt, roles))
                )

    facts = fact_specs([c.code for c in certs], soft_file.categories, groups)
    kinds = {name: spec.kind for name, spec in facts.items()}
    prerequisites: dict[str, tuple[tuple[Pathway, tuple[Expression, ...]], ...]] = {}
    for i, cert in enumerate(certs):
        compiled = []
        for j, pathway in enumerate(cert.prerequisites.pathways):
            exprs = []
            for k, text in enumerate(pathway.all):
                loc = ("certifications", i, "prerequisites", "pathways", j, "all", k)
                try:
                    exprs.append(compile_expression(text, kinds, CONSTANTS))
                except ExpressionError as exc:
                    problems.append(
                        cert_doc.problem(loc, str(exc), f"{cert.code}.prerequisites.{pathway.id}")
                    )
            compiled.append((pathway, tuple(exprs)))
        prerequisites[cert.code] = tuple(compiled)

    if problems:
        raise CatalogError(problems)

    field_patterns = tuple(
        (g.id, re.compile("|".join(rf" {re.escape(normalize_name(k))} " for k in g.keywords)))
        for g in prog_file.field_groups
    )
    digest = hashlib.sha256()
    for name in ("certifications.yaml", "software.yaml", "programs.yaml", "roles.yaml"):
        digest.update((root / name).read_bytes())
    return Catalog(
        certifications={c.code: c for c in certs},
        categories=dict(soft_file.categories),
        products={p.name: p for p in products},
        field_groups=groups,
        programs={p.id: p for p in prog_file.programs},
        roles=dict(sorted(roles.items(), key=lambda kv: kv[1].order)),
        facts=facts,
        prerequisites=prerequisites,
        fingerprint=digest.hexdigest()[:12],
        _generic_words=generic,
        _software_names=software_names,
        _cert_names=cert_names,
        _field_patterns=field_patterns,
    )
