"""A static website of KEPs that works from the file system and on any static host.

::

    import keps, keps.history, keps.site

    ks = keps.load("~/src/enhancements")                 # or a 2018 content root
    keps.site.build(ks, "site/")                         # then open site/index.html
    keps.site.build(ks, "site/", history=keps.history.load("~/src/enhancements"))

``kepctl site OUT`` does the same. The site holds:

=========================  ===========================================================
``index.html``             every KEP in a table that filters as you type and sorts by
                           a column (plain JavaScript; without it, all rows are there)
``keps/<sig>/<kep>.html``  one page per KEP: its text rendered from Markdown, its
                           metadata, milestones and PRR approvals per stage, the KEPs
                           it is linked with (both directions), its problems, and its
                           history when one is given
``sigs/<sig>.html``        one page per SIG: its KEPs by status and stage
``releases/v1.37.html``    one page per release: what goes alpha, beta, stable in it
``validation.html``        the findings, grouped by code
``keps.json``              the records of ``kepctl export --format json``
=========================  ===========================================================

Nothing is fetched from another site (no CDN, no web fonts, no remote images). KEP
text is untrusted: raw HTML shows as text and only harmless links stay links (see
:mod:`keps.site.markdown`). Templates are Jinja2 files in ``keps/site/templates/``;
``templates=DIR`` replaces any of them, or a static file, by file name. A rebuild
renders only the KEP pages whose inputs changed, writes only the files whose bytes
changed, and removes only files it wrote itself (see :mod:`keps.site.manifest`).
"""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps.site.builder import BuildResult, build
    from keps.site.manifest import MANIFEST

__all__ = ["MANIFEST", "BuildResult", "build"]

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.site.builder": ("BuildResult", "build"),
        "keps.site.manifest": ("MANIFEST",),
    },
)
