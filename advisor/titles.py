"""Free-text job titles -> role family and seniority, by a trained classifier.

Trained on ``data/titles.csv`` (job titles labeled for this project, see
``data/titles.md``): TF-IDF over character n-grams of the title (so
"Front Desk Coord." and "Pt Access Rep II" land near their spelled-out
forms), after expanding the usual abbreviations, and a logistic regression.
The fitted weights ship as plain arrays in ``data/model/titles.npz``
(written by ``python -m advisor train``, with the digest of the titles file
they were fitted on); if the titles change and the arrays do not, it is fitted
afresh on first use with a fixed seed, so the same title always gets the same
answer. Each guess comes
with a probability, which the resume reader passes on as its confidence.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

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


TARGETS = ("role_family", "seniority")
FITTED = DATA_DIR / "model" / "titles.npz"
"""The fitted classifiers as plain arrays (no pickle), written by ``python -m advisor train``."""
NGRAMS = (2, 5)


def _model() -> Any:
    """The scikit-learn pipeline that is fitted (imported only to fit: it takes a second to load)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, min_df=1),
        LogisticRegression(C=20.0, max_iter=3000, random_state=0),
    )


def titles_digest() -> str:
    """SHA-256 of ``data/titles.csv``: the fitted arrays are used only if they were fitted on it."""
    return hashlib.sha256(TITLES.read_bytes()).hexdigest()


def _char_ngrams(text: str) -> list[str]:
    """Character n-grams inside word boundaries, padded with a space: scikit-learn's ``char_wb``."""
    grams: list[str] = []
    low, high = NGRAMS
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(low, high + 1):
            grams.extend(padded[k : k + n] for k in range(max(len(padded) - n + 1, 1)))
            if n >= len(padded):  # a short word counts whole once, as scikit-learn does
                break
    return grams


@dataclass(frozen=True)
class _Fitted:
    """A fitted classifier as arrays: the TF-IDF vocabulary and weights, and the linear model's.

    Applying it needs only NumPy (a test checks it against scikit-learn's own
    ``predict_proba``), so reading a resume does not pay for importing scikit-learn.
    """

    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]
    intercept: npt.NDArray[np.float64]
    classes: npt.NDArray[np.str_]

    def _scores(self, text: str) -> npt.NDArray[np.float64]:
        counts = Counter(g for g in _char_ngrams(text) if g in self.vocabulary)
        if not counts:
            return self.intercept.astype(float)
        index = np.array([self.vocabulary[g] for g in counts])
        weight = (1.0 + np.log(np.array(list(counts.values()), dtype=float))) * self.idf[index]
        weight /= np.sqrt((weight**2).sum())
        return self.coef[:, index] @ weight + self.intercept

    def probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Class probabilities per text, as the logistic regression's ``predict_proba``."""
        scores = np.array([self._scores(t) for t in texts]).reshape(len(texts), -1)
        if self.coef.shape[0] == 1:  # two classes: one logit
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.stack([1.0 - positive, positive], axis=1)
        scores = scores - scores.max(axis=1, keepdims=True)
        weights = np.exp(scores)
        return np.asarray(weights / weights.sum(axis=1, keepdims=True))


def _fit(target: str) -> _Fitted:
    with TITLES.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    pipeline = _model().fit([normalize_title(r["title"]) for r in rows], [r[target] for r in rows])
    vectorizer, linear = pipeline.steps[0][1], pipeline.steps[1][1]
    vocabulary = {str(term): int(i) for term, i in vectorizer.vocabulary_.items()}
    return _Fitted(vocabulary, vectorizer.idf_, linear.coef_, linear.intercept_, linear.classes_.astype(str))


def write_fitted_titles(path: Path = FITTED) -> Path:
    """Fit both classifiers and save them as arrays with the digest of the titles they were fitted on."""
    arrays: dict[str, npt.NDArray[Any]] = {"digest": np.array(titles_digest())}
    for target in TARGETS:
        fitted = _fit(target)
        arrays[f"{target}.terms"] = np.array(sorted(fitted.vocabulary, key=fitted.vocabulary.__getitem__))
        arrays[f"{target}.idf"] = fitted.idf
        arrays[f"{target}.coef"] = fitted.coef
        arrays[f"{target}.intercept"] = fitted.intercept
        arrays[f"{target}.classes"] = fitted.classes
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]
    return path


def _load(target: str) -> _Fitted | None:
    """The saved classifier for ``target``, or None if there is none for the current titles."""
    if not FITTED.exists():
        return None
    with np.load(FITTED, allow_pickle=False) as saved:
        if str(saved["digest"]) != titles_digest():
            return None
        terms = saved[f"{target}.terms"].tolist()
        return _Fitted(
            {t: i for i, t in enumerate(terms)},
            saved[f"{target}.idf"],
            saved[f"{target}.coef"],
            saved[f"{target}.intercept"],
            saved[f"{target}.classes"],
        )


@functools.lru_cache(maxsize=2)
def _trained(target: str) -> _Fitted:
    """The classifier for ``target``: the saved arrays when they match ``data/titles.csv``,
    else fitted now (about half a second, once per process)."""
    return _load(target) or _fit(target)


def _best(model: _Fitted, texts: Sequence[str]) -> list[tuple[str, float]]:
    probabilities = model.probabilities(texts)
    return [(str(model.classes[int(p.argmax())]), float(p.max())) for p in probabilities]


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
