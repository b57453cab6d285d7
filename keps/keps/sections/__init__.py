"""Sections of a KEP: names, files, order, templates and the generated README."""

from keps.keps.sections.render import is_unedited, render, render_readme, template_text
from keps.keps.sections.table import (
    DEVELOPER_GUIDE,
    GRADUATION_CRITERIA,
    KNOWN_SECTIONS,
    MOTIVATION,
    OPERATOR_GUIDE,
    README,
    SUMMARY,
    TEACHER_GUIDE,
    SectionSpec,
    filename_for,
    name_for,
    required_for,
    sort_sections,
    spec_for,
)

__all__ = [
    "DEVELOPER_GUIDE",
    "GRADUATION_CRITERIA",
    "KNOWN_SECTIONS",
    "MOTIVATION",
    "OPERATOR_GUIDE",
    "README",
    "SUMMARY",
    "TEACHER_GUIDE",
    "SectionSpec",
    "filename_for",
    "is_unedited",
    "name_for",
    "render",
    "render_readme",
    "required_for",
    "sort_sections",
    "spec_for",
    "template_text",
]
