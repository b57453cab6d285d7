"""Who decides, and what a KEP is waiting for: the sign-offs of each KEP, in both layouts.

::

    import keps, keps.signoff

    ks = keps.load("~/src/enhancements")
    signed = keps.signoff.of(ks, 753)           # SignOffs: approval, participation, PRR
    signed.missing                              # (SignOff(...), ...): nobody gave these
    keps.signoff.waiting(ks, sig="sig-node", older_than="90d")   # a SIG chair's agenda

**The final-say rule.** The owning SIG's approvers decide: the approval that makes a
KEP implementable is given by an approver the KEP lists who is one of the owning SIG's
leads, tech leads or approvers. Each participating SIG must have someone listed: an
approver or reviewer of the KEP who is one of that SIG's people. Production readiness
approvers approve each stage that needs it (implementable at alpha, beta or stable,
from v1.21 on). A draft or provisional KEP is still waiting for its owning SIG's
approval, whoever it lists.

A SIG's people are the members of its ``<sig>-leads``, ``<sig>-tech-leads`` and
``<sig>-approvers`` aliases in the checkout's ``OWNERS_ALIASES`` (PRR:
``prod-readiness-approvers``), else the chairs and tech leads of its ``leadership`` in
the content root's ``sigs.yaml`` (the 2018 layout). A sign-off is **given** when
someone listed for it is one of its group's people, **unconfirmed** when nobody listed
is but someone listed belongs to no group at all (the tree cannot say whom they speak
for), and **missing** otherwise. :mod:`keps.signoff.rules` holds the rule,
:mod:`keps.signoff.groups` the reading of the files (untrusted: faults are problems,
never crashes), :mod:`keps.signoff.since` how long a KEP has waited (its newest event,
else its newest change in git, else its last-updated, else its creation date).
"""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps.signoff.agenda import of, waiting
    from keps.signoff.groups import Groups, read_groups
    from keps.signoff.model import Kind, SignOff, SignOffs, Status, Waiting
    from keps.signoff.rules import FINAL_STATES, is_final, sign_offs
    from keps.signoff.since import Since, parse_age, since_of

__all__ = [
    "FINAL_STATES",
    "Groups",
    "Kind",
    "SignOff",
    "SignOffs",
    "Since",
    "Status",
    "Waiting",
    "is_final",
    "of",
    "parse_age",
    "read_groups",
    "sign_offs",
    "since_of",
    "waiting",
]

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.signoff.agenda": ("of", "waiting"),
        "keps.signoff.groups": ("Groups", "read_groups"),
        "keps.signoff.model": ("Kind", "SignOff", "SignOffs", "Status", "Waiting"),
        "keps.signoff.rules": ("FINAL_STATES", "is_final", "sign_offs"),
        "keps.signoff.since": ("Since", "parse_age", "since_of"),
    },
)
