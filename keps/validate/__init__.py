"""Validating an enhancements checkout at two levels, with a baseline for adoption.

::

    import keps.validate as kv

    repo = kv.open_repository("path/to/enhancements")     # or its keps/ folder
    problems = kv.validate(repo, level="lint")            # "kepval" is what CI enforces
    kv.validate("path/to/enhancements", release="v1.37")  # the upcoming release, as CI has it
    kv.write_baseline(repo, problems, "baseline.json")    # today's problems...
    new = kv.new_problems(repo, problems, kv.read_baseline("baseline.json"))  # ...not again

Every problem has a stable code, a severity, the file, the field and its line.

``kepval`` mirrors what kubernetes/enhancements' own CI rejects on a pull request
(``hack/verify-*.sh`` and the Go tests they run: strict kep.yaml and PRR parsing,
production readiness approvals, SIG Node approvers, tables of contents, the checkout's
structure), and nothing more; :mod:`keps.validate.kepval` lists each rule with the
upstream file it mirrors. ``lint`` adds what a reviewer flags.
"""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps.validate.baseline import new_problems, read_baseline, write_baseline
    from keps.validate.checkout import find_kep_files, is_checkout
    from keps.validate.kepval import KEPVAL_CHECKS, PRR_FROM, prr_required
    from keps.validate.lint import LINT_CHECKS, is_template
    from keps.validate.owners import Owners, read_owners
    from keps.validate.repository import Repository, open_repository
    from keps.validate.run import LEVELS, validate

__all__ = [
    "KEPVAL_CHECKS",
    "LEVELS",
    "LINT_CHECKS",
    "PRR_FROM",
    "Owners",
    "Repository",
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

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.validate.baseline": (
            "new_problems",
            "read_baseline",
            "write_baseline",
        ),
        "keps.validate.export": (),
        "keps.validate.kepval": (
            "KEPVAL_CHECKS",
            "PRR_FROM",
            "prr_required",
        ),
        "keps.validate.lint": (
            "LINT_CHECKS",
            "is_template",
        ),
        "keps.validate.owners": (
            "Owners",
            "read_owners",
        ),
        "keps.validate.repository": (
            "Repository",
            "open_repository",
        ),
        "keps.validate.checkout": (
            "find_kep_files",
            "is_checkout",
        ),
        "keps.validate.run": (
            "LEVELS",
            "validate",
        ),
    },
)
