"""The Clients page through AppTest: create a client, assess, add a note, re-assess, see the
history chart's data, the report and delete with undo, all in a throwaway database."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from advisor.store import Store
from tests.conftest import EXAMPLES, ROOT, example
from tests.test_app import _fresh_caches  # noqa: F401 - the same fresh caches for every test

PAGE = str(ROOT / "ui" / "pages" / "clients.py")


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'clients.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def opened() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    return at


def test_a_counselor_creates_assesses_notes_reassesses_and_sees_progress(database):
    at = opened()
    at.text_input(key="client_new_name_0").set_value("Ann Lee").run()
    at.radio(key="client_new_source").set_value("A profile file").run()
    body = (EXAMPLES / "front_desk_lead.yaml").read_bytes()
    at.file_uploader(key="client_new_file").set_value(("ann.yaml", body, "application/x-yaml")).run()
    at.button(key="client_create").click().run()
    assert not at.exception
    ann = Store(database).clients()[0]
    assert ann.name == "Ann Lee" and ann.current_profile() == example("front_desk_lead")
    assert at.selectbox(key="client_chosen").value == ann.id
    at.button(key="client_assess").click().run()
    assert not at.exception
    assert at.metric[0].label == "Score then"
    at.button(key="client_assess").click().run()  # a second visit
    at.text_area(key="client_note_text").set_value("Agreed: CMOM exam by spring; <b>not bold</b>").run()
    at.radio(key="client_note_kind").set_value("plan").run()
    at.button(key="client_note_add").click().run()
    assert not at.exception
    assert "Agreed: CMOM exam by spring; <b>not bold</b>" in [t.value for t in at.text]
    assert at.text_area(key="client_note_text").value == ""  # the box is emptied for the next note
    at.button(key="client_note_add").click().run()  # an empty note is refused with a message
    assert not at.exception and any("cannot be empty" in t.value for t in at.text)
    at.button(key="client_agree").click().run()
    assert not at.exception
    assert any(t.value.startswith("Agreed roadmap: ") for t in at.text)
    at.toggle(key="client_reassess").set_value(True).run()
    assert not at.exception
    assert any("same result" in s.value for s in at.success)
    chart = at.get("plotly_chart")
    assert chart, "the progress chart is drawn"
    history = next(d.value for d in at.dataframe if "Done since" in d.value.columns)
    assert len(history) == 2 and history["Score"].nunique() == 1
    picker = next(m for m in at.multiselect if m.label == "Notes to include")
    assert len(picker.value) == 2  # every note starts out included, the newest too
    picker.set_value([]).run()  # the counselor leaves the notes out
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "This assessment as it was (HTML report)" in labels
    assert {"Report (PDF)", "Report (HTML)", "Export this client (JSON)"} <= set(labels)
    store = Store(database)
    assert len(store.assessments(ann.id)) == 2 and store.notes(ann.id)[0].kind == "plan"
    assert store.notes(ann.id)[1].plan is not None and store.notes(ann.id)[1].plan["steps"]


def test_creating_with_no_name_is_a_message_and_delete_can_be_undone(database):
    at = opened()
    at.button(key="client_create").click().run()
    assert not at.exception
    assert any("needs a name" in t.value for t in at.text)
    at.text_input(key="client_new_name_0").set_value("Bo Diaz").run()
    at.button(key="client_create").click().run()
    assert at.selectbox(key="client_chosen").format_func(at.selectbox(key="client_chosen").value) == "Bo Diaz"
    assert at.text_input(key="client_new_name_1").value == ""  # an empty box for the next client
    client_id = at.selectbox(key="client_chosen").value
    assert at.button(key="client_delete").disabled  # until the delete is confirmed
    at.checkbox(key=f"client_confirm_{client_id}").check().run()
    at.button(key="client_delete").click().run()
    assert not at.exception and Store(database).clients() == []
    at.button(key=f"client_restore_{client_id}").click().run()
    assert [c.name for c in Store(database).clients()] == ["Bo Diaz"]


def test_an_unusable_database_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "not.db"
    bad.write_bytes(b"not a database")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{bad}")
    at = opened()
    assert any("cannot open the database" in t.value for t in at.text)
    assert bad.read_bytes() == b"not a database"


def test_saving_answers_back_never_overwrites_a_change_made_since_loading(database):
    seeded = Store(database)
    ann = seeded.create_client("Ann Lee", example("front_desk_lead"))
    bo = seeded.create_client("Bo Diaz")
    at = opened()
    at.selectbox(key="client_chosen").set_value(ann.id).run()
    assert at.button(key="client_save").disabled  # nothing loaded yet
    at.button(key="client_load").click().run()
    seeded.save_client(ann.id, ann.version, name="Ann B. Lee")  # another counselor, meanwhile
    at.button(key="client_save").click().run()
    assert not at.exception
    assert any("changed by someone else" in t.value for t in at.text)
    at.selectbox(key="client_chosen").set_value(bo.id).run()
    assert at.button(key="client_save").disabled  # Ann's answers cannot land on Bo
    assert Store(database).client(bo.id).profile == {}
