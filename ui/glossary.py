"""Acronyms spelled out on hover, so nothing on the page needs a glossary."""

from __future__ import annotations

import re

from advisor.catalog import Catalog

TERMS = {
    "A/R": "accounts receivable: money owed to the practice",
    "BLS": "US Bureau of Labor Statistics",
    "CPT": "Current Procedural Terminology, the procedure code set",
    "EHR": "electronic health record",
    "EMR": "electronic medical record",
    "HCPCS": "Healthcare Common Procedure Coding System",
    "HIPAA": "Health Insurance Portability and Accountability Act (privacy and security rules)",
    "HR": "human resources",
    "ICD-10-CM": "International Classification of Diseases, 10th revision, Clinical Modification",
    "MBA": "Master of Business Administration",
    "MGMA": "Medical Group Management Association",
    "MHA": "Master of Health Administration",
    "O*NET": "the US Department of Labor's occupation database",
    "OSHA": "Occupational Safety and Health Administration (workplace safety rules)",
    "SOC": "Standard Occupational Classification code",
}
_WORD = re.compile(r"[A-Za-z*/][A-Za-z0-9*/-]*[A-Za-z0-9]")


def explain_acronyms(text: str, catalog: Catalog) -> str | None:
    """A hover text spelling out every acronym in ``text``, or ``None`` when there is none."""
    found: dict[str, str] = {}
    for word in _WORD.findall(text):
        if word in TERMS:
            found[word] = TERMS[word]
        elif word.isupper() and word in catalog.certifications:
            cert = catalog.certifications[word]
            found[word] = f"{cert.name} ({cert.issuer})"
    return "  \n".join(f"**{k}**: {v}" for k, v in found.items()) or None
