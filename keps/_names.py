"""The names of the files keps reads and writes, in a module that imports nothing.

Modules on the start-up path of ``kepctl query`` need these names without importing the
object model that defines what the files hold.
"""

__all__ = [
    "INDEX_FILE",
    "KEPS_DIR",
    "KEP_FILE",
    "METADATA_FILE",
    "PRR_DIR",
    "README_FILE",
    "SIGS_FILE",
]

#: The index at the content root.
INDEX_FILE = "keps.yaml"

#: A seed-layout KEP's metadata, in its folder.
METADATA_FILE = "metadata.yaml"

#: A today's-layout (kubernetes/enhancements) KEP's metadata, in its folder.
KEP_FILE = "kep.yaml"

#: A today's-layout KEP's text, beside its kep.yaml (the 2018 layout generates one too).
README_FILE = "README.md"

#: A content root's own SIG list, beside its SIG folders.
SIGS_FILE = "sigs.yaml"

#: The folder of an enhancements checkout that holds its KEPs.
KEPS_DIR = "keps"

#: The folder of a checkout's keps/ folder that holds production readiness approvals.
PRR_DIR = "prod-readiness"
