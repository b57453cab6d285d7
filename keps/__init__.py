"""keps: Kubernetes Enhancement Proposal content as a Python library."""
