"""The self-assessment: a guided, multi-step intake, then the results.

Each step renders widgets seeded from the draft and writes their values back
into it, so moving back and forth never loses an answer. Problems found when
the draft is validated are shown next to the field that caused them. The
results step makes one engine call (all settings at once) and hands the
Assessments to :mod:`ui.results`.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from advisor.catalog import Catalog
from advisor.errors import DataFileError
from advisor.profile import (
    EDUCATION_LEVELS,
    FIRST_YEAR,
    CourseArea,
    Duty,
    KnowledgeLevel,
    Proficiency,
    Profile,
    RoleFamily,
    Setting,
    current_month,
    dump_profile,
    load_profile,
    parse_profile,
)
from advisor.sourcefile import format_of
from advisor.vocabulary import KNOWLEDGE_AREAS, SOFT_SKILLS
from ui import draft as drafts
from ui import markup, resources, results
from ui.draft import Draft, Problems, seed

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STEPS = ("Start", "Education", "Work history", "Software and credentials", "Knowledge and skills", "Results")
STEP = "step"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NOT_SURE = "(not sure)"

LEVEL_LABELS = {
    "high_school": "High school diploma or GED",
    "certificate": "Certificate or diploma (about a year)",
    "associate": "Associate degree (AA, AS, AAS)",
    "bachelor": "Bachelor's degree (BA, BS, BBA)",
    "master": "Master's degree (MHA, MBA, MPH ...)",
    "doctorate": "Doctorate",
}
SETTING_LABELS = {
    "medical_office": "Medical office: physician, dental or specialty practice, clinic, urgent care",
    "hospital": "Hospital",
    "other_healthcare": "Other healthcare: insurer, billing company, long-term care, lab",
    "non_healthcare": "Outside healthcare",
}
FAMILY_LABELS = {
    "front_desk": "Front desk, reception or patient access",
    "medical_assistant": "Medical assistant (clinical)",
    "admin_assistant": "Medical secretary or administrative assistant",
    "billing_coding": "Billing, coding or insurance follow-up",
    "office_admin": "Office administration or coordination",
    "supervisor": "Supervisor or team lead",
    "office_manager": "Office or practice manager",
    "practice_administrator": "Practice administrator or director",
    "other": "Other (retail, clinical, military ...)",
}
DUTY_LABELS = {
    "scheduling": "Scheduling",
    "patient_registration": "Patient registration",
    "insurance_verification": "Insurance verification",
    "billing": "Billing and claims",
    "coding": "Coding (ICD-10-CM, CPT)",
    "collections": "Collections",
    "payroll": "Payroll",
    "hiring": "Hiring",
    "staff_training": "Training staff",
    "budgeting": "Budgeting",
    "marketing": "Marketing",
    "compliance": "Compliance (HIPAA, OSHA)",
    "credentialing": "Provider credentialing",
    "vendor_management": "Managing vendors",
    "reporting": "Reports (A/R, productivity ...)",
}
COURSE_LABELS = {
    "management": "Management",
    "marketing": "Marketing",
    "accounting": "Accounting",
    "finance": "Finance",
    "human_resources": "Human resources",
    "health_law": "Health law and ethics",
    "medical_terminology": "Medical terminology",
    "coding": "Medical coding (ICD-10-CM, CPT, HCPCS)",
    "health_it": "Health information technology",
}
KNOWLEDGE_LABELS = {
    "none": "None",
    "basic": "Basic: I know the words",
    "working": "Working: I do it regularly",
    "expert": "Expert: I teach or audit it",
}
KNOWLEDGE_HELP = {
    "medical_terminology": "The clinical words in charts, codes and conversations with providers.",
    "coding": "ICD-10-CM (diagnoses), CPT and HCPCS (procedures and supplies).",
    "billing": "Claims, payers, denials, appeals and collections.",
    "hipaa": "HIPAA privacy and security rules (Health Insurance Portability and Accountability Act).",
}
SOFT_LABELS = {0: "not rated", 1: "1 weak", 2: "2", 3: "3 solid", 4: "4", 5: "5 strong"}
PROFICIENCY_LABELS = {"basic": "basic", "intermediate": "intermediate", "advanced": "advanced"}
LANGUAGES = (
    "English",
    "Spanish",
    "Chinese",
    "Tagalog",
    "Vietnamese",
    "Arabic",
    "French",
    "Korean",
    "Russian",
    "Haitian Creole",
    "Portuguese",
    "American Sign Language",
)


def _choice(labels: Mapping[Any, str]) -> Callable[[Any], str]:
    return lambda value: NOT_SURE if value is None else labels.get(value, str(value))


class ErrorSlots:
    """Places next to fields where problems are shown once the whole step has been read.

    A step's widgets write into the draft as they render, so the draft is only
    complete (and worth validating) after the step; the slots are filled then.
    """

    def __init__(self) -> None:
        self.slots: list[tuple[tuple[str | int, ...], Any]] = []

    def reserve(self, *prefix: str | int) -> None:
        self.slots.append((prefix, st.empty()))

    def fill(self, problems: Problems) -> None:
        """Each problem goes to the closest slot: the field's own, else its card's."""
        shown: dict[int, list[str]] = {}
        for loc, message in problems:
            best = max(
                (i for i, (prefix, _) in enumerate(self.slots) if loc[: len(prefix)] == prefix),
                key=lambda i: len(self.slots[i][0]),
                default=None,
            )
            if best is not None:
                shown.setdefault(best, []).append(message)
        for index, messages in shown.items():
            with self.slots[index][1].container():
                for message in messages:
                    st.error(message)


def _month_picker(label: str, key: str, value: str | None, help_text: str) -> str:
    """Month and year side by side; returns ``YYYY-MM``."""
    year_now = int(current_month()[:4])
    year, month = (int(value[:4]), int(value[5:7])) if value else (year_now, 1)
    left, right = st.columns(2)
    picked_month = left.selectbox(
        f"{label} month",
        range(1, 13),
        format_func=lambda m: MONTHS[m - 1],
        key=seed(f"{key}_month", month),
        help=help_text,
    )
    picked_year = right.number_input(
        f"{label} year",
        min_value=FIRST_YEAR,
        max_value=year_now,
        step=1,
        key=seed(f"{key}_year", min(max(year, FIRST_YEAR), year_now)),
    )
    return f"{int(picked_year):04d}-{int(picked_month):02d}"


# --- steps -------------------------------------------------------------------------------


def _example_label(name: str) -> str:
    """``billing_supervisor.yaml`` -> ``Billing supervisor: four years as a biller, then ...``."""
    title = name.removesuffix(".yaml").replace("_", " ").capitalize()
    first = (EXAMPLES / name).read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
    summary = first.split(":", 1)[-1].strip() if ":" in first else first
    return f"{title}: {summary}"


def _load_example() -> None:
    name = st.session_state["example_choice"]
    drafts.load(load_profile(EXAMPLES / name))
    st.toast(
        f"Loaded the example '{name.removesuffix('.yaml').replace('_', ' ')}'; earlier answers were replaced."
    )


def _start(draft: Draft, catalog: Catalog, slots: ErrorSlots) -> None:
    st.write(
        "About five minutes: your education, work, software, credentials and skills. "
        "Leave out what you are not sure of; nothing is assumed about it. "
        "Everything stays on this computer."
    )
    left, right = st.columns(2)
    with left:
        examples = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
        st.selectbox(
            "Start from an example",
            examples,
            key="example_choice",
            format_func=_example_label,
            help="Fill the form with one of the example people, then change anything.",
        )
        st.button(
            "Use this example",
            key="example_load",
            on_click=_load_example,
            help="Replaces the answers you have typed so far.",
        )
    with right:
        upload = st.file_uploader(
            "Or load a saved profile (JSON or YAML)",
            type=["json", "yaml", "yml"],
            key="profile_upload",
            max_upload_size=2,
            help="A profile saved from this app or written in the interchange format.",
        )
        _take_upload(upload)
    _resume_import()
    draft["name"] = st.text_input("Your name (optional, never scored)", key=seed("w_name", draft["name"]))
    st.subheader("Your goal")
    goals = draft["goals"]
    roles = resources.roles()
    goals["role"] = st.selectbox(
        "Target role", list(roles), format_func=roles.__getitem__, key=seed("w_goal_role", goals["role"])
    )
    rules = resources.ruleset(goals["role"])
    goals["setting"] = st.radio(
        "Kind of employer",
        rules.settings,
        format_func=lambda s: rules.spec.settings[s].label,
        key=seed(
            "w_goal_setting", goals["setting"] if goals["setting"] in rules.settings else rules.settings[0]
        ),
        help="The bar differs: small offices often hire on experience; large groups want a degree.",
    )
    left, right = st.columns(2)
    goals["hours_per_week"] = left.number_input(
        "Hours a week you can give to study",
        min_value=1,
        max_value=80,
        step=1,
        key=seed("w_goal_hours", goals["hours_per_week"]),
        help="Used to pace a plan.",
    )
    goals["budget_usd"] = right.number_input(
        "Budget for courses and exams (US$)",
        min_value=0,
        max_value=500_000,
        step=100,
        key=seed("w_goal_budget", goals["budget_usd"]),
        help="Used to cost a plan.",
    )


def _take_upload(upload: UploadedFile | None) -> None:
    """Load an uploaded profile once; show its problems right under the uploader."""
    if upload is None:
        st.session_state.pop("upload_seen", None)
        return
    if st.session_state.get("upload_seen") == upload.file_id:
        st.caption(f"Loaded {upload.name}.")
        return
    try:
        profile = parse_profile(upload.getvalue(), upload.name, format_of(upload.name), as_of=current_month())
    except DataFileError as exc:
        resources.show_problems(f"{upload.name} could not be loaded; nothing was changed:", exc)
        return
    st.session_state["upload_seen"] = upload.file_id
    drafts.load(profile)
    st.rerun()


RESUME_TYPES = ["pdf", "docx", "txt", "json"]
EVIDENCE_COLUMNS = {"field": "Found", "value": "Value", "line": "Line", "confidence": "Sure", "text": "Text"}


def _resume_import() -> None:
    """Start from a resume: read it, show what was found and where, and load it only once the
    person says so."""
    with st.expander("Start from my resume", key="resume_import"):
        st.caption(
            "PDF (with text), Word, plain text or JSON Resume. It is read on this computer. You see "
            "everything found, with the line it came from, before anything changes."
        )
        upload = st.file_uploader(
            "Resume", type=RESUME_TYPES, key="resume_upload", max_upload_size=5, label_visibility="collapsed"
        )
        if upload is None:
            return
        try:
            found = resources.resume(upload.getvalue(), upload.name, current_month())
        except DataFileError as exc:
            resources.show_problems(f"{upload.name} could not be read; nothing was changed:", exc)
            return
        if not found.evidence:
            st.warning("Nothing on the ladder was recognized in this file; nothing was changed.")
            return
        rows = [{EVIDENCE_COLUMNS[k]: v for k, v in e.model_dump().items()} for e in found.evidence]
        st.dataframe(
            rows,
            hide_index=True,
            key="resume_evidence",
            column_config={
                "Sure": st.column_config.ProgressColumn("Sure", min_value=0, max_value=1, format="percent")
            },
        )
        for note in found.notes:
            st.caption("Note: " + markup.escape(note))
        st.button(
            "Use these answers",
            key="resume_use",
            type="primary",
            on_click=_use_resume,
            args=(found.profile(),),
            help="Replaces the answers typed so far; check each step afterwards.",
        )


def _use_resume(profile: Profile) -> None:
    drafts.load(profile)
    st.session_state["resume_loaded"] = True


def _none_box(draft: Draft, section: str, label: str) -> None:
    if not draft[section]:
        draft[f"{section}_none"] = st.checkbox(
            label,
            key=seed(f"w_{section}_none", draft[f"{section}_none"]),
            help="Tick it to say so; leave it unticked if you would rather not say.",
        )


def _add(section: str, item: dict[str, Any]) -> None:
    drafts.current()[section].append(item)
    drafts.forget_widgets(f"w_{section}_")


def _remove(section: str, index: int) -> None:
    del drafts.current()[section][index]
    drafts.forget_widgets(f"w_{section}_")


def _education(draft: Draft, catalog: Catalog, slots: ErrorSlots) -> None:
    st.write("List every diploma, certificate and degree, finished or in progress.")
    for i, entry in enumerate(draft["education"]):
        with st.container(border=True):
            key = f"w_education_{i}"
            left, right = st.columns([2, 1])
            entry["level"] = left.selectbox(
                "Level",
                EDUCATION_LEVELS,
                format_func=LEVEL_LABELS.__getitem__,
                key=seed(f"{key}_level", entry.get("level", "high_school")),
            )
            entry["status"] = right.radio(
                "Status",
                ("completed", "in_progress"),
                horizontal=True,
                format_func=lambda s: "completed" if s == "completed" else "in progress",
                key=seed(f"{key}_status", entry.get("status", "completed")),
            )
            left, right = st.columns([2, 1])
            entry["field"] = left.text_input(
                "Field of study",
                key=seed(f"{key}_field", entry.get("field") or ""),
                placeholder="e.g. health administration, business, medical office administration",
                help="Health administration, health information, medical office administration and business "
                "count most; leave it empty if it does not apply.",
            )
            entry["year"] = right.number_input(
                "Year (optional)",
                min_value=FIRST_YEAR,
                max_value=int(current_month()[:4]) + 6,
                step=1,
                value=None,
                key=seed(f"{key}_year", entry.get("year")),
                help="Year finished, or expected for one in progress.",
            )
            slots.reserve("education", i)
            st.button("Remove", key=f"{key}_remove", on_click=_remove, args=("education", i))
    st.button(
        "Add education",
        key="w_education_add",
        on_click=_add,
        args=("education", {"level": "high_school", "status": "completed", "field": "", "year": None}),
    )
    _none_box(draft, "education", "I have no diploma or degree to list")


def _job(i: int, job: dict[str, Any], slots: ErrorSlots) -> None:
    key = f"w_experience_{i}"
    left, right = st.columns(2)
    job["title"] = left.text_input(
        "Job title", key=seed(f"{key}_title", job.get("title", "")), placeholder="e.g. Front Desk Lead"
    )
    job["employer"] = right.text_input(
        "Employer (optional)",
        key=seed(f"{key}_employer", job.get("employer", "")),
        placeholder="e.g. Lakeside Family Medicine (6 physicians)",
    )
    slots.reserve("experience", i, "title")
    left, right = st.columns(2)
    settings = [None, *typing.get_args(Setting)]
    job["setting"] = left.selectbox(
        "Where",
        settings,
        format_func=_choice(SETTING_LABELS),
        placeholder=NOT_SURE,
        key=seed(f"{key}_setting", job.get("setting")),
        help="Leave 'not sure' if it does not fit; it is then not assumed.",
    )
    families = [None, *typing.get_args(RoleFamily)]
    job["role_family"] = right.selectbox(
        "Kind of role",
        families,
        format_func=_choice(FAMILY_LABELS),
        placeholder=NOT_SURE,
        key=seed(f"{key}_family", job.get("role_family")),
    )
    job["start"] = _month_picker("Start", f"{key}_start", job.get("start"), "When the job started.")
    slots.reserve("experience", i, "start")
    current = st.checkbox("I still work here", key=seed(f"{key}_current", job.get("end") is None))
    if current:
        # Keep the last end date typed, so unticking and ticking again does not lose it.
        job["remembered_end"] = job.get("end") or job.get("remembered_end")
        job["end"] = None
    else:
        last = job.get("end") or job.get("remembered_end") or job["start"]
        job["end"] = _month_picker("End", f"{key}_end", last, "The last month in the job.")
        slots.reserve("experience", i, "end")
    left, right = st.columns(2)
    job["supervisory"] = left.checkbox(
        "I supervised or led staff",
        key=seed(f"{key}_supervisory", bool(job.get("supervisory"))),
        help="Assigning, training or reviewing other people's work.",
    )
    job["direct_reports"] = int(
        right.number_input(
            "People reporting to me",
            min_value=0,
            max_value=10_000,
            step=1,
            key=seed(f"{key}_reports", job.get("direct_reports", 0)),
            help="Anyone reporting to you also counts as supervising.",
        )
    )
    duties = list(typing.get_args(Duty))
    job["duties"] = st.multiselect(
        "Duties in this job",
        duties,
        format_func=DUTY_LABELS.__getitem__,
        select_all=False,
        key=seed(f"{key}_duties", list(job.get("duties") or [])),
        help="Pick every duty you did; those you leave out count as not done.",
    )
    slots.reserve("experience", i)


def _work(draft: Draft, catalog: Catalog, slots: ErrorSlots) -> None:
    st.write("List your jobs, most recent first or in any order; overlapping jobs are counted once.")
    for i, job in enumerate(draft["experience"]):
        with st.container(border=True):
            st.markdown(f"**Job {i + 1}**")
            _job(i, job, slots)
            st.button(
                "Remove this job", key=f"w_experience_{i}_remove", on_click=_remove, args=("experience", i)
            )
    st.button(
        "Add a job",
        key="w_experience_add",
        on_click=_add,
        args=(
            "experience",
            {
                "title": "",
                "employer": "",
                "setting": None,
                "role_family": None,
                "start": f"{int(current_month()[:4]) - 1}-01",
                "end": None,
                "supervisory": False,
                "direct_reports": 0,
                "duties": [],
            },
        ),
    )
    _none_box(draft, "experience", "I have not worked yet")


def _software_label(catalog: Catalog) -> Callable[[str], str]:
    def label(name: str) -> str:
        product = catalog.resolve_software(name)
        if product is None:
            return f"{name} (not in the catalog, not counted)"
        if product.name != name:
            return f"{name} (counts as {product.name})"
        aliases = [a for a in product.aliases if a.lower() != name.lower()][:3]
        return f"{name} (also {', '.join(aliases)})" if aliases else name

    return label


def _cert_label(catalog: Catalog) -> Callable[[str], str]:
    def label(code: str) -> str:
        cert = catalog.resolve_certification(code)
        if cert is None:
            return f"{code} (not in the catalog, not counted)"
        return f"{code}: {cert.name} ({cert.issuer})"

    return label


def _pick_with_detail(
    label: str,
    options: list[str],
    format_func: Callable[[str], str],
    key: str,
    held: Mapping[str, str],
    detail: Callable[[Any, str, str, str], str],
    default: str,
    help_text: str,
) -> list[tuple[str, str]]:
    """A searchable multiselect, then one detail per picked item (how well, earned or not)."""
    chosen = st.multiselect(
        label,
        sorted(set(options) | set(held), key=str.lower),
        format_func=format_func,
        accept_new_options=True,
        select_all=False,
        key=seed(key, list(held)),
        help=help_text,
    )
    columns = st.columns(3)
    return [
        (name, detail(columns[i % 3], name, f"{key}__{name}", held.get(name, default)))
        for i, name in enumerate(chosen)
    ]


def _proficiency(column: Any, name: str, key: str, value: str) -> str:
    picked: str = column.selectbox(
        f"{markup.escape(name)}: how well", typing.get_args(Proficiency), key=seed(key, value)
    )
    return picked


def _cert_status(column: Any, code: str, key: str, value: str) -> str:
    picked: str = column.radio(
        markup.escape(code),
        ("earned", "in_progress"),
        horizontal=True,
        format_func=lambda s: "earned" if s == "earned" else "in progress",
        key=seed(key, value),
    )
    return picked


def _credentials(draft: Draft, catalog: Catalog, slots: ErrorSlots) -> None:
    st.subheader("Software")
    software = _pick_with_detail(
        "Software you have used",
        list(catalog.products),
        _software_label(catalog),
        "w_software",
        {s["name"]: s["proficiency"] for s in draft["software"]},
        _proficiency,
        "intermediate",
        "Type to search; former names count (Kareo is now Tebra, Cerner is Oracle Health). "
        "Names not in the catalog are kept but not scored.",
    )
    draft["software"] = [{"name": n, "proficiency": p} for n, p in software]
    slots.reserve("software")
    _none_box(draft, "software", "I have not used any of these")

    st.subheader("Certifications")
    certs = _pick_with_detail(
        "Certifications earned or in progress",
        list(catalog.certifications),
        _cert_label(catalog),
        "w_certifications",
        {c["code"]: c["status"] for c in draft["certifications"]},
        _cert_status,
        "earned",
        "e.g. CMAA (Certified Medical Administrative Assistant), CPC (Certified Professional Coder), "
        "CMOM (Certified Medical Office Manager).",
    )
    draft["certifications"] = [{"code": c, "status": status} for c, status in certs]
    slots.reserve("certifications")
    _none_box(draft, "certifications", "I have no certifications")


def _knowledge(draft: Draft, catalog: Catalog, slots: ErrorSlots) -> None:
    courses = list(typing.get_args(CourseArea))
    draft["coursework"] = st.multiselect(
        "Courses you took outside a degree",
        courses,
        format_func=COURSE_LABELS.__getitem__,
        select_all=False,
        key=seed("w_coursework", list(draft["coursework"])),
        help="For example a community-college accounting class or a medical terminology course.",
    )
    _none_box(draft, "coursework", "None of these")
    st.subheader("What you know")
    levels: list[str | None] = [None, *typing.get_args(KnowledgeLevel)]
    columns = st.columns(2)
    for i, area in enumerate(KNOWLEDGE_AREAS):
        value = columns[i % 2].selectbox(
            area.replace("_", " ").capitalize().replace("Hipaa", "HIPAA"),
            levels,
            format_func=_choice(KNOWLEDGE_LABELS),
            placeholder=NOT_SURE,
            key=seed(f"w_knowledge_{area}", draft["knowledge"].get(area)),
            help=KNOWLEDGE_HELP[area] + " Self-ratings count for less than what credentials or work show.",
        )
        if value is None:
            draft["knowledge"].pop(area, None)
        else:
            draft["knowledge"][area] = value
    st.subheader("How you rate yourself")
    st.caption("Self-ratings are weak evidence and worth few points; skip any you prefer not to rate.")
    columns = st.columns(2)
    for i, skill in enumerate(SOFT_SKILLS):
        rating = columns[i % 2].select_slider(
            skill.replace("_", " ").capitalize(),
            options=list(SOFT_LABELS),
            format_func=SOFT_LABELS.__getitem__,
            key=seed(f"w_soft_{skill}", draft["soft_skills"].get(skill, 0)),
        )
        if rating:
            draft["soft_skills"][skill] = rating
        else:
            draft["soft_skills"].pop(skill, None)
    draft["languages"] = st.multiselect(
        "Languages you speak (never scored)",
        sorted(set(LANGUAGES) | set(draft["languages"])),
        accept_new_options=True,
        select_all=False,
        key=seed("w_languages", list(draft["languages"])),
        help="Kept with your profile for postings that ask for a bilingual manager; never part of the score.",
    )


SECTION_STEPS = {
    "education": "Education",
    "experience": "Work history",
    "software": "Software and credentials",
    "certifications": "Software and credentials",
    "coursework": "Knowledge and skills",
    "knowledge": "Knowledge and skills",
    "soft_skills": "Knowledge and skills",
    "name": "Start",
}


def _where(loc: tuple[str | int, ...]) -> str:
    """``("experience", 1, "end")`` -> ``Job 2, end``."""
    if not loc:
        return "Profile"
    names = {
        "experience": "Job",
        "education": "Education entry",
        "software": "Software",
        "certifications": "Certification",
    }
    section = str(loc[0])
    if len(loc) > 1 and isinstance(loc[1], int) and section in names:
        head = f"{names[section]} {loc[1] + 1}"
        rest = loc[2:]
    else:
        head = SECTION_STEPS.get(section, section).capitalize()
        rest = loc[1:]
    return ", ".join([head, *(str(p).replace("_", " ") for p in rest)])


def _results(draft: Draft, catalog: Catalog, slots: ErrorSlots) -> None:
    profile, problems = drafts.to_profile(draft, current_month())
    if profile is None:
        st.warning("A few answers need fixing before the assessment can run:")
        st.text("\n".join(f"{_where(loc)}: {message}" for loc, message in problems))
        steps = dict.fromkeys(SECTION_STEPS.get(str(loc[0]), "Start") for loc, _ in problems if loc)
        for name in steps:
            st.button(f"Go to {name}", key=f"fix_{name}", on_click=_go, args=(name,))
        return
    rules = resources.ruleset(draft["goals"]["role"])
    draft["goals"]["setting"] = st.radio(
        "Show the details for",
        rules.settings,
        format_func=lambda s: rules.spec.settings[s].label,
        horizontal=True,
        key=seed("w_results_setting", draft["goals"]["setting"]),
    )
    draft["goals"]["optimize"] = st.radio(
        "Plan for",
        ["time", "cost"],
        format_func={"time": "The quickest way to ready", "cost": "The cheapest way to ready"}.__getitem__,
        horizontal=True,
        key=seed("w_goal_optimize", draft["goals"].get("optimize", "time")),
        help="The roadmap under What next: fewest months, or lowest cost (within your budget when it can).",
    )
    goals = drafts.goals(draft)
    month, saved = current_month(), dump_profile(profile, "json")
    advice = resources.advice(saved, goals.model_dump_json(), month)
    results.render(
        advice,
        resources.assessments(saved, goals.role, month),
        profile,
        rules,
        run_what_if=lambda picked: resources.picked(saved, goals.model_dump_json(), month, picked),
        on_change_goals=lambda: _go("Start"),
    )


RENDERERS = (_start, _education, _work, _credentials, _knowledge, _results)


def _go(step: str) -> None:
    st.session_state[STEP] = step


def _navigation(position: int) -> None:
    left, _, right = st.columns([1, 3, 1])
    if position > 0:
        left.button("Back", key="nav_back", on_click=_go, args=(STEPS[position - 1],), width="stretch")
    if position < len(STEPS) - 1:
        right.button(
            "Next", key="nav_next", type="primary", on_click=_go, args=(STEPS[position + 1],), width="stretch"
        )


def _start_over() -> None:
    st.session_state[drafts.DRAFT] = drafts.empty()
    drafts.forget_widgets()
    st.session_state[STEP] = STEPS[0]


def _sidebar(profile: Profile | None, problems: Problems) -> None:
    with st.sidebar:
        st.subheader("Save your answers")
        if profile is None:
            st.caption("To save, first fix: " + "; ".join(f"{_where(loc)} ({m})" for loc, m in problems[:3]))
        elif not profile.model_fields_set:
            st.caption("Nothing to save yet.")
        else:
            results.profile_downloads(profile, "save", ("json", "yaml"))
            st.caption("Load it again on the Start step. Goals are not part of the profile file.")
        with st.popover("Start over", width="stretch"):
            st.write("Clear every answer and begin again? Save first if you want to keep them.")
            st.button("Clear all answers", key="start_over", on_click=_start_over, type="primary")


SCROLL_TO_TOP = """<script>
(() => {{  /* step {step}; a function scope, so running again declares nothing twice */
  const toTop = () => {{
    const main = document.querySelector('[data-testid="stMain"]');
    if (main) {{ main.scrollTo({{top: 0}}); }}
    window.scrollTo({{top: 0}});
  }};
  toTop(); setTimeout(toTop, 100); setTimeout(toTop, 400);
}})();
</script>"""
"""A fixed script of ours (no user data in it), hence allowed to run."""


def _scroll_to_top_on_new_step(step: str) -> None:
    """Land at the top of a step, not wherever the last one was scrolled to."""
    if st.session_state.get("shown_step") not in (None, step):
        # The step number makes the script differ per step, so the browser runs it again.
        st.html(SCROLL_TO_TOP.format(step=STEPS.index(step)), unsafe_allow_javascript=True)
    st.session_state["shown_step"] = step


def page() -> None:
    """The self-assessment page."""
    with resources.shielded():
        if st.session_state.pop("resume_loaded", False):
            st.toast("Loaded your resume. Check each step: anything not found is left blank.")
        st.title("Am I ready to be a medical office manager?")
        draft = drafts.current()
        catalog = resources.catalog()
        if STEP not in st.session_state:
            st.session_state[STEP] = STEPS[0]
        step = st.radio("Step", STEPS, key=STEP, horizontal=True, label_visibility="collapsed")
        _scroll_to_top_on_new_step(step)
        position = STEPS.index(step)
        slots = ErrorSlots()
        RENDERERS[position](draft, catalog, slots)
        profile, problems = drafts.to_profile(draft, current_month())
        slots.fill(problems)
        _navigation(position)
        _sidebar(profile, problems)
