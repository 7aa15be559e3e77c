"""metaflow-expert: static analysis, hovers and grounded answers for Metaflow flows."""

__version__ = "0.1.0"
