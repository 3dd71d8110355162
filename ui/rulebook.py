"""Rules and sources: every rule, weight, gate and source, readable by a non-programmer,
and a checker for an uploaded rules file with line-accurate errors."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import streamlit as st

from advisor.errors import RuleFileError
from advisor.goals import DEFAULT_ROLE
from advisor.rules import CompiledRule, RuleSet, parse_ruleset
from ui import resources
from ui.markup import plural

LINK = st.column_config.LinkColumn
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _short(label: str) -> str:
    """``Small practice (1-5 physicians)`` -> ``Small practice``."""
    return label.split(" (")[0]


def _readable(template: str) -> str:
    """``{years_supervisory} supervising`` -> ``(years supervising staff) supervising``."""
    return _PLACEHOLDER.sub(lambda m: "(" + m.group(1).replace("_", " ") + ")", template)


def _share(ruleset: RuleSet, rule: CompiledRule) -> dict[str, str]:
    index = ruleset.rules.index(rule)
    return {s: f"{ruleset.rule_points(s)[index]:.1f}" for s in ruleset.settings}


def _overview(ruleset: RuleSet) -> None:
    spec = ruleset.spec
    st.write(spec.description)
    st.caption(
        f"Rules version {ruleset.version} · SOC {', '.join(spec.soc)} · file rules/{Path(ruleset.path).name}"
    )
    rows = [
        {
            "setting": info.label,
            "what it means": info.description,
            "ready from": spec.bands.thresholds[key].ready,
            "nearly from": spec.bands.thresholds[key].nearly,
            "developing from": spec.bands.thresholds[key].developing,
        }
        for key, info in spec.settings.items()
    ]
    st.subheader("Settings and bands")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if spec.bands.note:
        st.caption(spec.bands.note)
    st.subheader("Points by dimension")
    dims = [
        {
            "dimension": d.title,
            **{spec.settings[s].label: d.points.get(s, 0) for s in spec.settings},
            "what it covers": d.description,
        }
        for d in spec.dimensions.values()
    ]
    st.dataframe(pd.DataFrame(dims), hide_index=True, width="stretch")


def _rules(ruleset: RuleSet) -> None:
    spec = ruleset.spec
    st.subheader("Rules")
    st.caption(
        "A rule's levels are checked top to bottom; a person earns the highest credit of any level "
        "that holds. Points are the rule's share of its dimension in each setting."
    )
    for key, dim in spec.dimensions.items():
        with st.expander(dim.title):
            for rule in (r for r in ruleset.rules if r.spec.dimension == key):
                st.markdown(f"**{rule.spec.statement}**" + (" (self-rated)" if rule.spec.self_rated else ""))
                points = _share(ruleset, rule)
                st.caption(
                    "Points: "
                    + ", ".join(f"{_short(spec.settings[s].label)} {p}" for s, p in points.items())
                    + ". Credit (0 to 1) per setting:"
                )
                levels = [
                    {
                        "when": lv.condition.text,
                        **{
                            _short(spec.settings[s].label): (
                                f"{lv.credit[s]:g}" if s in lv.settings else "does not apply"
                            )
                            for s in spec.settings
                        },
                        "shown as": _readable(lv.explain),
                    }
                    for lv in rule.levels
                ]
                st.dataframe(pd.DataFrame(levels), hide_index=True, width="stretch")
                st.caption(
                    "Otherwise: "
                    + rule.spec.unmet.replace("{", "").replace("}", "")
                    + " · Sources: "
                    + ", ".join(spec.sources[s].title for s in rule.spec.sources)
                )


def _gates(ruleset: RuleSet) -> None:
    spec = ruleset.spec
    st.subheader("Hard requirements (gates)")
    rows = [
        {
            "requirement": g.spec.statement,
            "in": ", ".join(_short(spec.settings[s].label) for s in g.spec.settings),
            "if not met, band at most": g.spec.caps_band,
            "condition": g.condition.text,
            "sources": ", ".join(spec.sources[s].title for s in g.spec.sources),
        }
        for g in ruleset.gates
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _sources(ruleset: RuleSet) -> None:
    st.subheader("Sources")
    rows = []
    for key, src in ruleset.spec.sources.items():
        flags = ", ".join(
            f
            for f, on in (("secondary", src.secondary), ("uncertain", src.uncertain), ("not found", src.gap))
            if on
        )
        rows.append(
            {
                "source": src.title,
                "as of": src.as_of,
                "flags": flags,
                "link": next((u for u in src.source if u.startswith("http")), ""),
                "note": src.note or "",
                "id": key,
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={"link": LINK("link", display_text="open")},
    )


def _checker() -> None:
    st.subheader("Check a rules file")
    st.write("Upload an edited rules file (YAML) to see every problem with its line, before using it.")
    upload = st.file_uploader("Rules file", type=["yaml", "yml"], key="rules_upload", max_upload_size=2)
    if upload is None:
        return
    try:
        checked = parse_ruleset(upload.getvalue(), upload.name, resources.catalog())
    except RuleFileError as exc:
        resources.show_problems(f"{upload.name} has {plural(len(exc.problems), 'problem')}:", exc)
        return
    st.success(
        f"{upload.name} is valid: {len(checked.rules)} rules, {len(checked.gates)} gates, "
        f"version {checked.version}."
    )


def page() -> None:
    """The rules and sources page."""
    with resources.shielded():
        st.title("Rules and sources")
        roles = resources.roles()
        ids = list(roles)
        role = st.selectbox(
            "Role",
            ids,
            index=ids.index(DEFAULT_ROLE) if DEFAULT_ROLE in ids else 0,
            format_func=roles.__getitem__,
            key="rules_role",
        )
        ruleset = resources.ruleset(role)
        _overview(ruleset)
        _rules(ruleset)
        _gates(ruleset)
        _sources(ruleset)
        _checker()
