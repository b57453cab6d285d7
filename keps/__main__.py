"""``python -m keps`` runs kepctl."""

from keps.cli import main

main()
