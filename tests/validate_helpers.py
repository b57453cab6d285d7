"""A small enhancements checkout, complete as upstream's CI wants it, written by the tests.

``make_checkout`` lays out what ``pkg/repo`` needs (``keps/README.md``,
``keps/prod-readiness/``, the template), an OWNERS_ALIASES with PRR approvers and SIG
Node tech leads, KEP 1234 (the one tests break) with its PRR approval, and KEP 99.
Every README carries a table of contents written out by hand, so the TOC rule is
checked against text, not against itself.
"""

from __future__ import annotations

from pathlib import Path

import keps.validate as kv

#: KEP 1234, line by line (tests name lines: 1 title, 2 kep-number, 8 status, 16 stage...).
GOOD = """\
title: Pod Things
kep-number: 1234
authors:
  - "@alice"
owning-sig: sig-node
participating-sigs:
  - sig-apps
status: implementable
creation-date: 2023-01-05
reviewers:
  - "@rita"
approvers:
  - "@arnold"
see-also:
  - "/keps/sig-node/99-other"
stage: beta
latest-milestone: "v1.30"
milestone:
  alpha: "v1.29"
  beta: "v1.30"
feature-gates:
  - name: PodThings
    components:
      - kubelet
disable-supported: true
"""

OTHER = """\
title: Other
kep-number: 99
authors: ["@bob"]
owning-sig: sig-node
status: implemented
stage: stable
latest-milestone: "v1.19"
approvers: ["@arnold"]
"""

TEMPLATE_KEP = """\
title: KEP Template
kep-number: NNNN
authors:
  - "@jane.doe"
owning-sig: sig-xyz
status: provisional|implementable|implemented
approvers:
  - TBD
stage: alpha|beta|stable
latest-milestone: "v1.19"
"""

PRR = 'kep-number: 1234\nalpha:\n  approver: "@wojtek-t"\nbeta:\n  approver: "deads2k"\n'

OWNERS_ALIASES = """\
aliases:
  prod-readiness-approvers:
    - deads2k
  prod-readiness-approvers-emeritus:
    - wojtek-t
  sig-node-tech-leads:
    - dchen1107
    - mrunalp
"""

KEP = "keps/sig-node/1234-pod-things/kep.yaml"
README = "keps/sig-node/1234-pod-things/README.md"
PRR_FILE = "keps/prod-readiness/sig-node/1234.yaml"


def readme(title: str) -> str:
    """A KEP README whose table of contents is the one mdtoc makes of it."""
    return f"""\
# {title}

<!-- toc -->
- [Summary](#summary)
- [Motivation](#motivation)
  - [Goals](#goals)
  - [Alpha -&gt; Beta](#alpha---beta)
<!-- /toc -->

## Summary

Text.

## Motivation

### Goals

### Alpha -> Beta

```yaml
# not a heading
```
"""


def write(root: Path, relative: str, text: str) -> Path:
    """Write *text* at *relative* under *root*, making folders."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_checkout(root: Path, kep_yaml: str = GOOD, prr: str | None = PRR) -> Path:
    """A complete, valid checkout at *root* with KEP 1234 given by *kep_yaml* and *prr*."""
    write(root, "OWNERS_ALIASES", OWNERS_ALIASES)
    write(root, "keps/README.md", "# Kubernetes Enhancement Proposals\n")
    write(root, "keps/prod-readiness/README.md", "# Production Readiness Reviews\n")
    write(root, "keps/NNNN-kep-template/kep.yaml", TEMPLATE_KEP)
    write(root, "keps/NNNN-kep-template/README.md", readme("KEP-NNNN: Your short title"))
    write(root, KEP, kep_yaml)
    write(root, README, readme("KEP-1234: Pod Things"))
    write(root, "keps/sig-node/99-other/kep.yaml", OTHER)
    write(root, "keps/sig-node/99-other/README.md", readme("KEP-99: Other"))
    if prr is not None:
        write(root, PRR_FILE, prr)
    return root


Finding = tuple[str, str, int | None]


def findings(root: Path, level: str = "kepval", release: str | None = None) -> list[Finding]:
    """Every problem *level* finds, as (code, file relative to *root*, line), sorted."""
    repo = kv.open_repository(root, release=release)
    return sorted(
        ((p.code, repo.relative(p.path or ""), p.line) for p in kv.validate(repo, level=level)),
        key=lambda f: (f[1], f[2] or 0, f[0]),
    )
