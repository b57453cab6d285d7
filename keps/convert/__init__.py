"""Converting KEPs written as one flat Markdown file into the directory format.

The 2018 KEPs (``kubernetes/enhancements`` at the end of 2018) are one Markdown file
each: YAML front matter between ``---`` lines, then ``## `` sections. This package
turns each into a KEP folder that :func:`keps.open` reads and whose checks pass::

    from keps.convert import convert_tree
    from keps.sigs import SigRegistry

    registry = SigRegistry.from_file(Path("sigs-2018.yaml"))
    report = convert_tree("flat-keps-2018", "converted", registry=registry)
    print(len(report.converted), "of", report.total)

Nothing a source says is lost: every body line (but the table of contents) lands in a
section file, and ``original-front-matter.yaml`` in each KEP folder keeps the front
matter as written, so a repaired value can always be compared with its original.
``python -m helpers.convert`` is the command line over :func:`convert_tree`.

:func:`convert_layout` moves a KEP between the seed's folder layout and today's
``kep.yaml`` + ``README.md`` layout of kubernetes/enhancements, losing no field or text.
"""

from keps.convert.flat import (
    EXEMPTION_REASONS,
    ORIGINAL_FRONT_MATTER,
    SEE_ALSO_KEY,
    Converted,
    NotAKepError,
    convert_file,
    output_location,
    slug_for,
)
from keps.convert.frontmatter import FrontMatter, split_front_matter
from keps.convert.layout import convert_layout
from keps.convert.repair import Repair, parse_front_matter
from keps.convert.sections import section_files, split_sections
from keps.convert.tree import (
    Failed,
    Report,
    Skipped,
    convert_tree,
    find_sources,
    write_sigs_file,
)

__all__ = [
    "EXEMPTION_REASONS",
    "ORIGINAL_FRONT_MATTER",
    "SEE_ALSO_KEY",
    "Converted",
    "Failed",
    "FrontMatter",
    "NotAKepError",
    "Repair",
    "Report",
    "Skipped",
    "convert_file",
    "convert_layout",
    "convert_tree",
    "find_sources",
    "output_location",
    "parse_front_matter",
    "section_files",
    "slug_for",
    "split_front_matter",
    "split_sections",
    "write_sigs_file",
]
