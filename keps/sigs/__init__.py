"""The SIG registry and the routing of KEP paths to the SIGs that own them.

Which SIGs exist is data: pass a :class:`SigRegistry`, or let :func:`registry_for` pick
the content root's own ``sigs.yaml``, else the list packaged with keps::

    >>> from keps.sigs import SigRegistry, route
    >>> registry = SigRegistry.packaged()
    >>> registry.display_name("sig-node")
    'Node'
    >>> route("sig-node/sig-wide/my-kep", registry).owning_sig
    'sig-node'
"""

from keps.sigs.dirs import create_sig_dirs
from keps.sigs.registry import (
    GROUP_KINDS,
    KUBERNETES_WIDE_DIR,
    KUBERNETES_WIDE_OWNER,
    PACKAGED_SOURCE,
    SIG_WIDE_DIR,
    Sig,
    SigRegistry,
    registry_for,
)
from keps.sigs.render import read_location, render_registry, render_sig_list, source_label
from keps.sigs.routing import Routing, route

__all__ = [
    "GROUP_KINDS",
    "KUBERNETES_WIDE_DIR",
    "KUBERNETES_WIDE_OWNER",
    "PACKAGED_SOURCE",
    "SIG_WIDE_DIR",
    "Routing",
    "Sig",
    "SigRegistry",
    "create_sig_dirs",
    "read_location",
    "registry_for",
    "render_registry",
    "render_sig_list",
    "route",
    "source_label",
]
