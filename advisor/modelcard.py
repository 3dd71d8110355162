"""The model card: what a trained model is, what it learned from, how well it did, and its limits.

Written next to the model by :mod:`advisor.training` and shown on the app's
"About the model" page. Plain Markdown made only from the model's own
description (no user text).
"""

from __future__ import annotations

from typing import Any

from advisor.model import MAX_ADJUSTMENT, SETTING_FEATURE, ModelMeta

WAYS = {"rules": "rules alone", "model": "model alone", "blend": "blend (what the product shows)"}


def _metrics_table(meta: ModelMeta, raters: dict[str, dict[str, float]] | None) -> list[str]:
    lines = [
        "| setting | scoring | exact | within one band | quadratic weighted kappa | Brier (top band) |",
        "|---|---|---|---|---|---|",
    ]
    for setting, ways in meta.metrics["held_out"].items():
        for way, r in ways.items():
            lines.append(
                f"| {setting} | {WAYS[way]} | {r['exact']:.3f} | {r['within_one']:.3f} | "
                f"{r['qwk']:.3f} | {r['brier']:.3f} |"
            )
        if raters and setting in raters:
            r = raters[setting]
            lines.append(
                f"| {setting} | between the two raters (ceiling) | {r['exact']:.3f} | "
                f"{r['within_one']:.3f} | {r['qwk']:.3f} | |"
            )
    return lines


def _calibration(meta: ModelMeta) -> list[str]:
    lines = ["| predicted P(top band) | rows | mean predicted | observed share |", "|---|---|---|---|"]
    for b in meta.metrics["calibration"]:
        if b["n"]:
            lines.append(f"| {b['bin']} | {b['n']} | {b['predicted']:.2f} | {b['observed']:.2f} |")
    return lines


def _blend_verdict(meta: ModelMeta) -> str:
    held = meta.metrics["held_out"]
    better = [s for s, ways in held.items() if ways["blend"]["qwk"] >= ways["rules"]["qwk"]]
    if len(better) == len(held):
        return (
            "On the held-out folds the blend agrees with the labels at least as well as the rules alone "
            "in every setting."
        )
    worse = ", ".join(s for s in held if s not in better)
    return (
        f"On the held-out folds the blend agrees with the labels less well than the rules alone in: {worse}. "
        "The weight was chosen on the pooled folds, so a setting can lose a little while the pool gains."
    )


def _common(meta: ModelMeta) -> list[str]:
    libs = ", ".join(f"{k} {v}" for k, v in meta.libraries.items())
    features = [f for f in meta.features if f != SETTING_FEATURE]
    return [
        "## How it is used",
        "",
        f"The final score is the rules score plus the model's adjustment: {meta.weight:g} of the way from "
        f"the rules score to the model's own score, at most {MAX_ADJUSTMENT:g} points either way, and never "
        "past the top of a band that an unmet hard requirement caps. The Assessment shows the rules score, "
        "the adjustment and the model's three strongest reasons separately. The weight was chosen on the "
        "held-out folds (the kappa for each weight tried is in `model.json`), not by hand.",
        "",
        "## Features",
        "",
        f"{len(features)} derived facts (the same function the rules use) and `{SETTING_FEATURE}` "
        '(large group or hospital). Every fact is "more is better", and every classifier is constrained to '
        "be non-decreasing in each of them (scikit-learn `monotonic_cst`), so more experience, a higher "
        "degree or another credential never lowers the model's view. No name, id, language, age or other "
        "personal characteristic is a feature.",
        "",
        "The feature list: " + ", ".join(f"`{f}`" for f in meta.features) + ".",
        "",
        "## Reproducing it",
        "",
        f"- Trained {meta.trained} with seed {meta.seed}; data SHA-256 `{meta.data_sha256}`.",
        f"- Libraries: {libs}.",
        f"- Model file `model.npz`, SHA-256 `{meta.binary_sha256}`, {meta.metrics['size_kb']:.0f} KB: the "
        "trees' nodes and the calibration curves as plain arrays, loaded without pickle, so loading can "
        "never run code. The engine refuses a model whose hash, format or feature list does not match.",
        f"- Training with held-out evaluation took {meta.metrics['seconds']:.1f} s.",
        "",
    ]


def panel_card(meta: ModelMeta, raters: dict[str, dict[str, float]] | None) -> str:
    """The card for the shipped model, trained on the reference panel."""
    m = meta.metrics
    lines = [
        f"# Model card: Medical Office Manager readiness ({meta.version})",
        "",
        "## What it is",
        "",
        "An ordinal readiness model: three gradient-boosted classifiers (scikit-learn "
        "`HistGradientBoostingClassifier`), one per band boundary, give the probability that a profile is "
        "at least `developing`, at least `nearly`, and `ready`. Each is calibrated with isotonic regression "
        "on out-of-fold predictions, and the three are kept in order (P(ready) never exceeds P(nearly or "
        "better)). Their sum is the expected band (0 early to 3 ready), placed on the 0-100 scale at the "
        "middle of each band of the setting.",
        "",
        "Why an expected band rather than only P(ready): the labels have four ordered levels and the "
        "product reports a band, so a model of every boundary uses all the information in the labels "
        "(a `nearly` is closer to `ready` than an `early` is) and can be compared with the raters on the "
        "same scale (exact, within one band, quadratic weighted kappa). P(ready) is still reported and "
        "its calibration checked.",
        "",
        "## Data",
        "",
        f"The reference panel in `data/training/` ({m['people']} profiles written by the project team to "
        "span the ladder, not real people), each labeled by two independent raters (a healthcare staffing "
        "recruiter and a practice administrator) for a small practice and a large group. Both raters' "
        f"labels are training rows ({m['rows']} rows): the model learns their average view rather than "
        "either rater's, and a profile the raters disagree on counts half for each label. Hospitals were "
        "not rated; hospital profiles use the large-group setting flag.",
        "",
        "## Held-out figures",
        "",
        f"{m['folds']}-fold cross-validation grouped by profile: both settings and both raters of one "
        "person are always on the same side. Each figure is the mean over the two raters. The rules' band "
        "thresholds were themselves chosen on this whole panel, so the rules-alone figures are in-sample "
        "and flatter the rules; the model's figures are out-of-sample.",
        "",
        *_metrics_table(meta, raters),
        "",
        _blend_verdict(meta),
        "",
        "### Calibration of P(ready), held out",
        "",
        *_calibration(meta),
        "",
        *_common(meta),
        "## Intended use",
        "",
        "To nudge the rules' readiness score toward how experienced recruiters weigh the same evidence "
        "together, for Medical Office Manager in small practices, large groups and (by extension) hospitals; "
        "always shown beside the rules score, never instead of it.",
        "",
        "## Known limits",
        "",
        "- The labels are two raters' expert judgments, not hiring outcomes; two raters are a small panel.",
        "- The profiles were written to span the ladder; real applicant pools differ (more near-misses, "
        "fewer extremes).",
        "- Soft skills are self-rated and weak evidence by design; the model may lean on them a little.",
        "- Hospitals were not rated; their scores borrow the large-group view.",
        "- 240 profiles cannot support fine distinctions: treat differences of a few points as noise.",
        "- An organization can train on its own outcomes instead: `python -m advisor train --outcomes "
        "FILE.csv --out DIR`, then `ADVISOR_MODEL=DIR` (or `--model DIR` on the command line).",
        "",
    ]
    return "\n".join(lines)


def outcomes_card(meta: ModelMeta, raters: dict[str, Any] | None = None) -> str:
    """The card for a model an organization trained on its own decisions."""
    m = meta.metrics
    lines = [
        f"# Model card: local outcomes model ({meta.version})",
        "",
        "## What it is",
        "",
        "One gradient-boosted classifier (monotone in every fact, isotonic-calibrated on out-of-fold "
        "predictions) giving the probability that a profile was hired or advanced rather than rejected, "
        "from this organization's own past decisions. The probability is placed on the band scale (0 = "
        "the middle of `early`, 1 = the middle of `ready`); `nearly` or better counts as a prediction of "
        "hired or advanced in the figures below.",
        "",
        "## Data",
        "",
        f"{m['rows']} decisions from the organization's outcomes file (SHA-256 `{meta.data_sha256}`).",
        "",
        "## Held-out figures",
        "",
        f"{m['folds']}-fold cross-validation. Exact is accuracy; kappa is Cohen's kappa; Brier is for the "
        "probability of hired or advanced.",
        "",
        *_metrics_table(meta, None),
        "",
        _blend_verdict(meta),
        "",
        "### Calibration, held out",
        "",
        *_calibration(meta),
        "",
        *_common(meta),
        "## Known limits",
        "",
        "- Past decisions carry past habits, including any unfairness in them; check the screening "
        "results for adverse impact before relying on this model.",
        "- Small files give unstable models: the figures above say how much to trust this one.",
        "",
    ]
    return "\n".join(lines)
