"""One KEP's lifecycle, one function per step (the KEP process as presented at KubeCon 2018).

=========  ============  ==============  ==================================================
step       who           state after     what it does
=========  ============  ==============  ==================================================
init       author        draft           skeleton, metadata, summary/motivation templates
create     author        provisional     today's layout: kep.yaml and the README template
promote    author        implementable   today's stages: alpha -> beta -> stable, per release
prr_approve  PRR approver  (unchanged)   the production readiness approval of a stage
propose    author        draft           refused while summary or motivation is a template
accept     SIG approver  provisional     principal becomes approver and reviewer
plan       author        provisional     renders the guides and graduation criteria
approve    SIG approver  implementable   all checks pass; claims the next KEP number
implement                implemented
defer                    deferred        may become provisional again
reject                   rejected
withdraw                 withdrawn
replace                  replaced        links both KEPs (superseded_by / replaces)
=========  ============  ==============  ==================================================

Each step takes a :class:`keps.settings.Runtime`, holds a lock on the KEP for its whole
run, appends an event (principal, UTC time, step), and changes every file it means to
change - the KEP's and ``keps.yaml`` - or none of them. A step killed half way (SIGKILL,
power cut) is rolled back by the next step that locks one of its KEPs, or by
:func:`recover`. :func:`editing` changes a KEP outside the lifecycle (a field, a pull
request to remember) with the same locks and the same all-or-nothing write.

:func:`recorded` runs a step and tells which files it changed (:class:`Changes`), for a
pull request that holds exactly those (:func:`keps.porcelain.open_step_pull_request`)::

    kep, changes = workflow.recorded(workflow.promote, runtime, stage="beta", release="v1.37")
"""

from keps.workflow._changes import Changes, recorded
from keps.workflow._recovery import recover
from keps.workflow._step import editing
from keps.workflow.stages import promote, prr_approve
from keps.workflow.steps import (
    accept,
    approve,
    create,
    defer,
    implement,
    init,
    plan,
    propose,
    reject,
    replace,
    withdraw,
)

# in lifecycle order, as the table above
__all__ = [  # noqa: RUF022
    "init",
    "propose",
    "accept",
    "plan",
    "approve",
    "implement",
    "defer",
    "reject",
    "withdraw",
    "replace",
    "recover",
    "editing",
    "create",
    "promote",
    "prr_approve",
    "recorded",
    "Changes",
]
