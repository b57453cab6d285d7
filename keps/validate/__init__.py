"""Validating an enhancements checkout at two levels, with a baseline for adoption.

::

    import keps.validate as kv

    repo = kv.open_repository("path/to/enhancements")     # or its keps/ folder
    problems = kv.validate(repo, level="lint")            # "kepval" is what CI enforces
    kv.write_baseline(repo, problems, "baseline.json")    # today's problems...
    new = kv.new_problems(repo, problems, kv.read_baseline("baseline.json"))  # ...not again

Every problem has a stable code, a severity, the file, the field and its line.
"""

from keps.validate.baseline import new_problems, read_baseline, write_baseline
from keps.validate.export import entries_of, export_document
from keps.validate.kepval import KEPVAL_CHECKS, PRR_FROM, prr_required
from keps.validate.lint import LINT_CHECKS, is_template
from keps.validate.owners import Owners, read_owners
from keps.validate.repository import (
    Repository,
    find_kep_files,
    is_checkout,
    open_repository,
)
from keps.validate.run import LEVELS, validate

__all__ = [
    "KEPVAL_CHECKS",
    "LEVELS",
    "LINT_CHECKS",
    "PRR_FROM",
    "Owners",
    "Repository",
    "entries_of",
    "export_document",
    "find_kep_files",
    "is_checkout",
    "is_template",
    "new_problems",
    "open_repository",
    "prr_required",
    "read_baseline",
    "read_owners",
    "validate",
    "write_baseline",
]
