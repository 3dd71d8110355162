"""Free-text job titles -> role family and seniority, by a trained classifier.

Trained on ``data/titles.csv`` (job titles labeled for this project, see
``data/titles.md``): TF-IDF over character n-grams of the title (so
"Front Desk Coord." and "Pt Access Rep II" land near their spelled-out
forms), after expanding the usual abbreviations, and a logistic regression.
It is trained once per process on first use (about a second) with a
fixed seed, so the same title always gets the same answer. Each guess comes
with a probability, which the resume reader passes on as its confidence.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from advisor.catalog import DATA_DIR

TITLES = DATA_DIR / "titles.csv"
_ABBREVIATIONS = {
    "coord": "coordinator", "mgr": "manager", "mngr": "manager", "rep": "representative", "pt": "patient",
    "admin": "administrator", "asst": "assistant", "assoc": "associate", "sr": "senior", "jr": "junior",
    "spec": "specialist", "supv": "supervisor", "supvr": "supervisor", "sup": "supervisor", "ofc": "office",
    "med": "medical", "recep": "receptionist", "dir": "director", "exec": "executive", "ops": "operations",
    "svc": "services", "svcs": "services", "bus": "business", "rcm": "revenue cycle",
    "a/r": "accounts receivable", "ar": "accounts receivable", "msa": "medical support assistant",
    "psr": "patient services representative",
    "par": "patient access representative", "bom": "business office manager", "hr": "human resources",
    "tech": "technician", "mgmt": "management", "ctr": "center", "dept": "department",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z/]+")


def normalize_title(title: str) -> str:
    """Lower case with the usual abbreviations spelled out: "Pt Access Rep II" -> "patient access
    representative ii"."""
    words = [_ABBREVIATIONS.get(w.lower().strip("."), w.lower()) for w in _WORD.findall(title)]
    return " ".join(words)


@dataclass(frozen=True)
class TitleGuess:
    """A title's role family (and, when asked for, seniority), each with the model's probability."""

    role_family: str
    family_confidence: float
    seniority: str | None = None
    seniority_confidence: float | None = None


def _model() -> Pipeline:
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1),
        LogisticRegression(C=20.0, max_iter=3000, random_state=0),
    )


@functools.lru_cache(maxsize=2)
def _trained(target: str) -> Pipeline:
    """The classifier for ``target`` ("role_family" or "seniority"), trained on first use."""
    with TITLES.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return _model().fit([normalize_title(r["title"]) for r in rows], [r[target] for r in rows])


def _best(model: Pipeline, texts: Sequence[str]) -> list[tuple[str, float]]:
    probabilities = model.predict_proba(texts)
    return [(str(model.classes_[int(p.argmax())]), float(p.max())) for p in probabilities]


def classify_titles(titles: Sequence[str], seniority: bool = False) -> list[TitleGuess]:
    """Role family (and seniority, if asked) for each title, in one batch."""
    if not titles:
        return []
    texts = [normalize_title(t) for t in titles]
    families = _best(_trained("role_family"), texts)
    levels = _best(_trained("seniority"), texts) if seniority else [(None, None)] * len(texts)
    return [TitleGuess(f, fc, s, sc) for (f, fc), (s, sc) in zip(families, levels, strict=True)]


def classify_title(title: str) -> TitleGuess:
    """Role family and seniority of one title."""
    return classify_titles([title], seniority=True)[0]
