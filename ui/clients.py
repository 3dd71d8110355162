"""Clients: a counselor's records. Create, search, open, archive and delete (with undo); assess
and keep each assessment; see progress over visits; notes and the agreed plan; the report.

Records live in the store (:mod:`advisor.store`); this page only turns widgets
into calls on it and renders what it returns. Everything a client or counselor
wrote is shown as plain text.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from advisor.errors import AdvisorError
from advisor.printout import render_pdf
from advisor.profile import current_month, parse_profile
from advisor.progress import assess_client, progress, reassess
from advisor.report import BAND_MEANING, render_html
from advisor.store import GRACE_DAYS, AssessmentRecord, ClientRecord, NoteKind, Store, parse_export
from ui import charts, resources
from ui import draft as drafts
from ui.markup import escape

CHOSEN = "client_chosen"
LOADED = "client_loaded"
"""(client id, version) last loaded into the self-assessment."""


def _new_client(store: Store) -> None:
    with st.expander("New client", icon=":material/person_add:", key="client_new"):
        round_ = st.session_state.get("client_new_round", 0)  # a new box after each client made
        name = st.text_input("Name", key=f"client_new_name_{round_}", max_chars=200)
        source = st.radio(
            "Profile",
            ["Empty for now", "The self-assessment's current answers", "A profile file"],
            key="client_new_source",
        )
        upload = None
        if source == "A profile file":
            upload = st.file_uploader(
                "Profile (JSON or YAML)",
                type=["json", "yaml", "yml"],
                key="client_new_file",
                max_upload_size=2,
            )
        if st.button("Create", key="client_create"):
            profile = None
            if source == "The self-assessment's current answers":
                profile, _ = drafts.to_profile(drafts.current(), current_month())
                if profile is None:
                    st.error("The self-assessment has answers that need fixing first.")
                    return
            elif upload is not None:
                profile = parse_profile(upload.getvalue(), upload.name)
            client = store.create_client(name, profile, drafts.goals(drafts.current()))
            st.session_state[CHOSEN] = client.id
            st.session_state["client_new_round"] = round_ + 1
            st.rerun()


def _deleted(store: Store) -> None:
    gone = store.deleted_clients()
    if not gone:
        return
    with st.expander(f"Recently deleted ({len(gone)})", key="client_deleted"):
        st.caption(f"Deleted clients can be restored for {GRACE_DAYS} days.")
        for c in gone:
            left, right = st.columns([3, 1])
            left.text(f"{c.name} (deleted {c.deleted_at:%Y-%m-%d})")
            if right.button("Restore", key=f"client_restore_{c.id}"):
                store.restore_client(c.id)
                st.rerun()


def _assessment_view(a_record: AssessmentRecord) -> None:
    """A stored assessment exactly as it was: score, band, dimensions, hard requirements."""
    a = a_record.assessment()
    left, right = st.columns(2)
    left.metric("Score then", f"{a.score:.1f} / 100")
    right.metric("Band then", a.band.upper(), help=BAND_MEANING[a.band])
    st.caption(
        f"Assessed {a_record.created_at:%Y-%m-%d} as of {a.as_of} for {a.role_title}, {a.setting_label}; "
        f"rules {a.rules_version}, engine {a.engine_version}, model {a.model_version or 'none'}."
    )
    st.plotly_chart(charts.dimensions(a), key=f"client_dims_{a_record.id}")
    st.dataframe(
        pd.DataFrame(
            [{"Requirement": g.statement, "Status": g.status, "Why": g.explanation} for g in a.gates]
        ),
        hide_index=True,
        key=f"client_gates_{a_record.id}",
    )


def _comparison(record: AssessmentRecord) -> None:
    comparison = reassess(record)
    then, now = comparison.then, comparison.now
    c1, c2 = st.columns(2)
    c1.metric("Then", f"{then.score:.1f} ({then.band})", help=f"rules {comparison.rules_then}")
    c2.metric("With today's rules", f"{now.score:.1f} ({now.band})", delta=f"{now.score - then.score:+.1f}")
    if not comparison.changed:
        st.success("Today's rules give the same result for the same profile.")
        return
    st.caption(f"Rules then: {comparison.rules_then}; today: {comparison.rules_now}.")
    if comparison.dimensions:
        st.dataframe(
            pd.DataFrame([d.model_dump() for d in comparison.dimensions]),
            hide_index=True,
            key="client_cmp_dims",
        )
    if comparison.rules:
        st.dataframe(
            pd.DataFrame([r.model_dump() for r in comparison.rules]), hide_index=True, key="client_cmp_rules"
        )


def _assessments(store: Store, client: ClientRecord) -> None:
    if st.button(
        "Assess now", type="primary", key="client_assess", help="Assess the current profile and keep it"
    ):
        assess_client(store, client.id, current_month())
    records = store.assessments(client.id)
    if not records:
        st.info("No assessment yet. Press 'Assess now'.")
        return
    labels = {r.id: f"{r.created_at:%Y-%m-%d %H:%M}: {r.score:.1f} ({r.band}), {r.setting}" for r in records}
    chosen = st.selectbox(
        "Open an assessment", list(reversed(list(labels))), format_func=labels.get, key="client_open"
    )
    record = next(r for r in records if r.id == chosen)
    _assessment_view(record)
    st.download_button(
        "This assessment as it was (HTML report)",
        functools.partial(render_html, record.assessment(), name=client.name, made=record.created_at.date()),
        f"assessment-{record.created_at:%Y-%m-%d}.html",
        "text/html",
        key="client_old_html",
    )
    if st.toggle("Re-assess with today's rules", key="client_reassess"):
        _comparison(record)


def _progress(store: Store, client: ClientRecord) -> None:
    visits = progress(store.assessments(client.id))
    if not visits:
        st.info("Progress shows after the first assessment.")
        return
    figure = go.Figure(
        go.Scatter(
            x=[v.date for v in visits],
            y=[v.score for v in visits],
            mode="lines+markers+text",
            text=[v.band for v in visits],
            textposition="top center",
            line={"color": "#333"},
        )
    )
    figure.update_layout(height=320, yaxis={"range": [0, 100], "title": "Score"}, margin={"t": 20})
    st.plotly_chart(figure, key="client_progress_chart")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Date": f"{v.date:%Y-%m-%d}",
                    "Score": v.score,
                    "Band": v.band,
                    "Done since": "; ".join(v.done_since),
                }
                for v in visits
            ]
        ),
        hide_index=True,
        key="client_progress_table",
    )


def _add_note(store: Store, client_id: str, kind: NoteKind) -> None:
    """Add the typed note and empty the box (a callback: it runs before the page is drawn)."""
    try:
        store.add_note(client_id, st.session_state.get("client_note_text", ""), kind)
    except AdvisorError as exc:
        st.session_state["client_note_problem"] = str(exc)
        return
    st.session_state["client_note_text"] = ""


def _notes_tab(store: Store, client: ClientRecord) -> None:
    kind = st.radio("Kind", ["note", "plan"], horizontal=True, key="client_note_kind",
                    format_func={"note": "Note", "plan": "Agreed plan"}.get)  # fmt: skip
    st.text_area("Text", key="client_note_text", max_chars=20_000)
    st.button("Add", key="client_note_add", on_click=_add_note, args=(store, client.id, kind))
    problem = st.session_state.pop("client_note_problem", None)
    if problem:
        st.error("The note was not added:")
        st.text(problem)
    records = store.assessments(client.id)
    road = (records[-1].result.get("plan") or {}).get("roadmap") if records else None
    if road and road.get("steps") and st.button("Agree the latest roadmap as the plan", key="client_agree"):
        steps = "; ".join(f"{s['title']} ({s['start']} to {s['end']})" for s in road["steps"])
        store.add_note(client.id, f"Agreed roadmap: {steps}. {road['note']}", "plan", plan=road)
        st.rerun()
    for date, note_kind, body in reversed(store.note_rows(client.id)):
        st.caption(f"{date} · {'agreed plan' if note_kind == 'plan' else 'note'}")
        st.text(body)


def _report(store: Store, client: ClientRecord) -> None:
    records = store.assessments(client.id)
    if not records:
        st.info("The report needs an assessment first.")
        return
    latest = records[-1].assessment()
    every = store.note_rows(client.id)
    labels = [f"{date} {kind}: {text[:60]}" for date, kind, text in every]
    # Keyed by the notes themselves, so a note added since starts out included.
    key = "client_report_notes_" + hashlib.sha256("\n".join(labels).encode()).hexdigest()[:10]
    chosen = st.multiselect("Notes to include", labels, default=labels, key=key)
    notes = [n for n, label in zip(every, labels, strict=True) if label in chosen]
    day = dt.date.today()
    st.caption(f"The latest assessment ({records[-1].created_at:%Y-%m-%d}) with the notes chosen above.")
    left, right = st.columns(2)
    left.download_button(
        "Report (PDF)", functools.partial(render_pdf, latest, client.name, day, notes), f"report-{day}.pdf",
        "application/pdf", key="client_pdf",
    )  # fmt: skip
    right.download_button(
        "Report (HTML)", functools.partial(render_html, latest, name=client.name, made=day, notes=notes),
        f"report-{day}.html", "text/html", key="client_html",
    )  # fmt: skip


def _manage(store: Store, client: ClientRecord) -> None:
    left, right = st.columns(2)
    if left.button("Load into the self-assessment", key="client_load"):
        drafts.load(client.current_profile(), client.current_goals())
        st.session_state[LOADED] = (client.id, client.version)  # what a save later may overwrite
        st.success("Loaded: open the Self-assessment page to edit, then save the answers back here.")
    loaded = st.session_state.get(LOADED)
    mine = loaded is not None and loaded[0] == client.id
    if right.button(
        "Save the self-assessment's answers here",
        key="client_save",
        disabled=not mine,
        help=None if mine else "Load this client into the self-assessment first",
    ):
        profile, _ = drafts.to_profile(drafts.current(), current_month())
        if profile is None:
            st.error("The self-assessment has answers that need fixing first.")
        else:
            # Saved against the version that was loaded: a change made since is never overwritten.
            saved = store.save_client(
                client.id, loaded[1], profile=profile, goals=drafts.goals(drafts.current())
            )
            st.session_state[LOADED] = (saved.id, saved.version)
            st.success("Saved.")
    archived = client.archived_at is not None
    if st.button("Unarchive" if archived else "Archive", key="client_archive"):
        store.archive_client(client.id, not archived)
        st.rerun()
    st.download_button(
        "Export this client (JSON)",
        lambda: store.export([client.id]).model_dump_json(indent=2),
        f"client-{client.id[:8]}.json",
        "application/json",
        key="client_export",
    )
    confirm = st.checkbox(f"Yes, delete {escape(client.name)}", key=f"client_confirm_{client.id}")
    if st.button("Delete", key="client_delete", disabled=not confirm):
        store.delete_client(client.id)
        st.session_state.pop(CHOSEN, None)
        st.rerun()
    st.caption(f"A deleted client can be restored for {GRACE_DAYS} days (under 'Recently deleted').")


def _import(store: Store) -> None:
    with st.expander("Import clients (JSON export)", key="client_import"):
        upload = st.file_uploader("Export file", type=["json"], key="client_import_file", max_upload_size=50)
        if upload is not None and st.button("Import", key="client_import_run"):
            added = store.import_clients(parse_export(upload.getvalue(), upload.name))
            st.success(f"Imported {len(added)} clients.")


def page() -> None:
    """The Clients page."""
    with resources.shielded():
        st.title("Clients")
        st.write(
            "Each client's profile, every assessment as it was made, notes and the agreed plan, kept in a "
            "database on this computer."
        )
        store = resources.store()
        left, right = st.columns([2, 1])
        search = left.text_input("Search by name", key="client_search")
        archived = right.toggle("Show archived", key="client_show_archived")
        clients = store.clients(search, archived=archived)
        _new_client(store)
        _import(store)
        _deleted(store)
        if not clients:
            st.info("No clients yet." if not search else "No client matches.")
            return
        names = {c.id: c.name + (" (archived)" if c.archived_at else "") for c in clients}
        if st.session_state.get(CHOSEN) not in names:
            st.session_state[CHOSEN] = next(iter(names))
        chosen = st.selectbox("Client", list(names), format_func=names.get, key=CHOSEN)
        client = store.client(chosen)
        st.subheader(escape(client.name))
        tabs = st.tabs(["Assessments", "Progress", "Notes and plan", "Report", "Manage"], key="client_tab")
        with tabs[0]:
            _assessments(store, client)
        with tabs[1]:
            _progress(store, client)
        with tabs[2]:
            _notes_tab(store, client)
        with tabs[3]:
            _report(store, client)
        with tabs[4]:
            _manage(store, client)
