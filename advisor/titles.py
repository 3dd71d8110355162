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
    """A title's role family and seniority, each with the model's probability."""

    role_family: str
    family_confidence: float
    seniority: str
    seniority_confidence: float


def _model() -> Pipeline:
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1),
        LogisticRegression(C=20.0, max_iter=3000, random_state=0),
    )


@functools.lru_cache(maxsize=1)
def _trained() -> tuple[Pipeline, Pipeline]:
    with TITLES.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [normalize_title(r["title"]) for r in rows]
    family = _model().fit(texts, [r["role_family"] for r in rows])
    seniority = _model().fit(texts, [r["seniority"] for r in rows])
    return family, seniority


def classify_titles(titles: Sequence[str]) -> list[TitleGuess]:
    """Role family and seniority for each title (one batch)."""
    if not titles:
        return []
    family, seniority = _trained()
    texts = [normalize_title(t) for t in titles]
    fp, sp = family.predict_proba(texts), seniority.predict_proba(texts)
    out = []
    for f_row, s_row in zip(fp, sp, strict=True):
        fi, si = int(f_row.argmax()), int(s_row.argmax())
        out.append(
            TitleGuess(
                str(family.classes_[fi]), float(f_row[fi]), str(seniority.classes_[si]), float(s_row[si])
            )
        )
    return out


def classify_title(title: str) -> TitleGuess:
    """Role family and seniority of one title."""
    return classify_titles([title])[0]
