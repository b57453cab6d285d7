"""A small tree of 2018-style flat KEP files written by the tests, so no test needs ../shared.

:func:`write_flat_tree` lays out what ``kubernetes/enhancements`` held at the end of
2018, in miniature: KEPs at the top and in SIG folders, a nested ``providers`` folder,
READMEs, templates, ``NEXT_KEP_NUMBER``, a file without front matter, and front matter in
the shapes that are neither valid YAML nor valid metadata (unquoted ``@handles``,
Markdown links as list items, typographic quotes, people as mappings, placeholders,
leading zeros, misspelled SIG names, states of other processes). :func:`kept_lines`
says, apart from keps.convert, which lines of a source must survive conversion.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

#: The SIG list in force for the tree (the 2018 names, sig-aws included).
SIGS_2018 = """\
sigs:
  - dir: sig-architecture
    name: Architecture
  - dir: sig-apps
    name: Apps
  - dir: sig-aws
    name: AWS
  - dir: sig-cli
    name: CLI
  - dir: sig-cloud-provider
    name: Cloud Provider
  - dir: sig-node
    name: Node
"""

_BODY = """\
# {title}

## Table of Contents

* [Summary](#summary)
* [Motivation](#motivation)
    * [Goals](#goals)
* [Proposal](#proposal)

## Summary

{title} in one paragraph, line {n}.

## Motivation

Why {title} matters.

### Goals

- a goal of {title}

## Proposal

The plan for {title}.

```yaml
---
kind: Example{n}
---
```

## Graduation Criteria

Alpha, then beta for {title}.

## Implementation History

- 2018-0{m}-01: first draft of {title}
"""


def _kep(front: str, title: str, n: int) -> str:
    return f"---\n{front}---\n\n" + _BODY.format(title=title, n=n, m=1 + n % 9)


#: relative path -> file text. Every KEP has a distinct title ("<Title> <n>").
FILES: dict[str, str] = {
    "README.md": "# Kubernetes Enhancement Proposals\n\nSee the folders.\n",
    "NEXT_KEP_NUMBER": "33\n",
    "0000-kep-template.md": _kep(
        "title: My KEP\nauthors:\n  - TBD\nowning-sig: sig-xxx\nstatus: provisional\n",
        "Template",
        0,
    ),
    "0001-kep-process.md": _kep(
        'kep-number: 1\ntitle: KEP Process 1\nauthors:\n  - "@calebamiles"\n'
        'owning-sig: sig-architecture\nreviewers:\n  - name: "@jbeda"\n'
        'approvers:\n  - "@bgrant0607"\neditor:\n  - "@jbeda"\n  - TBD\n'
        "creation-date: 2017-08-22\nlast-updated: 2018-03-02\nstatus: implementable\n",
        "KEP Process 1",
        1,
    ),
    "0002-no-front-matter.md": "# Documentation only\n\nNo front matter here.\n",
    "sig-apps/README.md": "# SIG Apps KEPs\n",
    "sig-apps/0031-workloads.md": _kep(
        "kep-number: 31\ntitle: Workloads 2\nauthors:\n  - @alice\nowning-sig: sig-apps\n"
        "reviewers:\n  - @bob\napprovers:\n  - @carol\neditor: TBD\n"
        "creation-date: 2018-05-14\nlast-updated: 2018-11-20\nstatus: provisional\n"
        "see-also:\n  - [KEP-1](https://example.com/0001-kep-process.md)\n",
        "Workloads 2",
        2,
    ),
    "sig-apps/sidecarcontainers.md": _kep(
        'title: Sidecar Containers 3\nauthors:\n  - "@joseph"\nowning-sig: sig-apps\n'
        'participating-sigs:\n  - sig-apps\n  - sig-node\nreviewers:\n  - "@fejta"\n'
        'approvers:\n  - "@enisoc"\neditor: TBD\ncreation-date: 2018-05-14\n'
        "last-updated: 2018-11-20\nstatus: provisional\n",
        "Sidecar Containers 3",
        3,
    ),
    "sig-cli/0031-kustomize.md": _kep(
        'kep-number: 31\ntitle: \u201cKustomize 4\u201d\nauthors:\n  - "@monopole"\n'
        'owning-sig: sig-cli\nreviewers:\n  - n/a\napprovers:\n  - "@soltysh"\n'
        "editor: TBD\ncreation-date: yyyy-mm-dd\nlast-updated: 2018-11-20\n"
        "status: implementable\n",
        "Kustomize 4",
        4,
    ),
    "sig-cli/0032-plugins.md": _kep(
        'kep-number: 0032\ntitle: Plugins 5\nauthors:\n  - "@juanvallejo"\n'
        'owning-sig: SIG CLI\nreviewers:\n  - "@pwittrock"\napprovers:\n  - "@soltysh"\n'
        'editor: TBD\ncreation-date: "2018-02-19"\nlast-updated: 2018-01-01\n'
        "status: accepted\n",
        "Plugins 5",
        5,
    ),
    "sig-node/0031-pod-ready.md": _kep(
        'kep-number: 31\ntitle: Pod Ready 6\nauthors:\n  - "@freehan"\nowning-sig: sig-node\n'
        'reviewers:\n  - "@freehan"\napprovers:\n  - "@dchen1107"\neditor: TBD\n'
        "creation-date: 2018-04-01\nlast-updated: 2018-09-01\nstatus: Implemented\n",
        "Pod Ready 6",
        6,
    ),
    "sig-node/0033-runtime-class.md": _kep(
        'kep-number: 33\ntitle: Runtime Class 7\nauthors:\n  - "@tallclair"\n'
        "owning-sig: sig-nodes\nparticipating-sigs:\n  - kubernetes-wide\n  - sig-gone\n"
        'reviewers:\n  - "@dchen1107"\napprovers:\n  - "@tallclair"\neditor: TBD\n'
        "creation-date: 2018-06-19\nlast-updated: 2018-09-01\nstatus: pending\n",
        "Runtime Class 7",
        7,
    ),
    "sig-aws/draft-20181127-aws-alb.md": _kep(
        'title: AWS ALB 8\nauthors:\n  - "@M00nF1sh"\nowning-sig: sig-aws\n'
        "reviewers:\n  - TBD\napprovers:\n  - TBD\neditor: TBD\n"
        "creation-date: 2018-11-27\nlast-updated: 2018-11-27\nstatus: provisional\n",
        "AWS ALB 8",
        8,
    ),
    "sig-cloud-provider/providers/0004-cloud-provider-template.md": _kep(
        "title: Cloud Provider FooBar\nauthors:\n  - TBD\nowning-sig: sig-cloud-provider\n"
        "status: provisional\n",
        "Provider Template",
        9,
    ),
    "sig-cloud-provider/providers/0020-cloud-provider-alibaba.md": _kep(
        'kep-number: 0\ntitle: Alibaba Cloud Provider 10\nauthors:\n  - "@aoxn"\n'
        'owning-sig: sig-cloud-provider\nreviewers:\n  - "@andrewsykim"\n'
        'approvers:\n  - "@andrewsykim"\neditor: TBD\ncreation-date: 2018-06-20\n'
        "last-updated: 2018-06-20\nstatus: provisional\n",
        "Alibaba Cloud Provider 10",
        10,
    ),
}

#: The files that are no KEP, with the reason the report gives.
SKIPPED = {
    "README.md": "not a KEP: a README",
    "sig-apps/README.md": "not a KEP: a README",
    "NEXT_KEP_NUMBER": "not a KEP: not a Markdown file",
    "0000-kep-template.md": "not a KEP: a template (its file name says so)",
    "sig-cloud-provider/providers/0004-cloud-provider-template.md": (
        "not a KEP: a template (its file name says so)"
    ),
    "0002-no-front-matter.md": "no front matter",
}

#: source -> (the KEP folder it becomes under the output root, its number, its state)
CONVERTED = {
    "0001-kep-process.md": ("kubernetes-wide/kep-process", 1, "implementable"),
    "sig-apps/0031-workloads.md": ("sig-apps/sig-wide/workloads", 31, "provisional"),
    "sig-apps/sidecarcontainers.md": ("sig-apps/sig-wide/sidecarcontainers", None, "provisional"),
    "sig-cli/0031-kustomize.md": ("sig-cli/sig-wide/kustomize", 31, "implementable"),
    "sig-cli/0032-plugins.md": ("sig-cli/sig-wide/plugins", 32, "provisional"),
    "sig-node/0031-pod-ready.md": ("sig-node/sig-wide/pod-ready", 31, "implemented"),
    "sig-node/0033-runtime-class.md": ("sig-nodes/sig-wide/runtime-class", 33, "draft"),
    "sig-aws/draft-20181127-aws-alb.md": ("sig-aws/sig-wide/aws-alb", None, "provisional"),
    "sig-cloud-provider/providers/0020-cloud-provider-alibaba.md": (
        "sig-cloud-provider/sig-wide/cloud-provider-alibaba",
        None,
        "provisional",
    ),
}


def write_flat_tree(root: Path) -> Path:
    """Every file of :data:`FILES` under *root*; returns *root*."""
    for relative, text in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


_HEADING = re.compile(r"^ {0,3}##[ \t]+(.+?)[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]")


def kept_lines(source: str) -> Counter[str]:
    """The non-blank lines of a flat KEP, but those of its table of contents.

    Written apart from keps.convert on purpose: a table of contents is a block between
    ``<!-- toc -->`` markers, or a `## Table of Contents` heading with the first list
    under it (prose may come first); every other line, also under that heading, is kept.
    """
    lines: Counter[str] = Counter()
    fence: str | None = None
    toc = "no"  # "heading": just after a TOC heading; "list", "marked": inside one
    for line in source.splitlines():
        opening = _FENCE.match(line)
        dropped = False
        if fence is None and opening:
            fence = opening.group(1)
            toc = "no"
        elif fence is not None:
            if line.strip().startswith(fence) and not line.strip(" \t`~"):
                fence = None
        elif toc == "marked":
            dropped = True
            closing = line.strip().lower() in ("<!-- /toc -->", "<!-- markdown-toc end -->")
            toc = "no" if closing else "marked"
        elif line.strip().lower() == "<!-- toc -->" or "<!-- markdown-toc start" in line:
            dropped, toc = True, "marked"
        elif toc == "heading" and line.strip(" *=").lower() in ("table of contents", ""):
            dropped = bool(line.strip())  # a title a tool gave the list: **…** or =-underlined
        elif heading := _HEADING.match(line):
            toc = "heading" if heading.group(1).strip().lower() == "table of contents" else "no"
            dropped = toc == "heading"
        elif toc in ("heading", "list") and _LIST_ITEM.match(line):
            dropped, toc = True, "list"
        elif toc == "list" and line.startswith("  ") and line.strip():
            dropped = True  # a wrapped item
        elif line.strip() and (toc == "list" or line.lstrip().startswith("#")):
            toc = "no"  # after the list, or a subheading before any list
        if line.strip() and not dropped:
            lines[line.rstrip()] += 1
    return lines
