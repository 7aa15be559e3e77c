"""Flow files → :class:`~metaflow_expert.model.FlowFile`, via tree-sitter (error tolerant)."""

from metaflow_expert.parsing.flow_file import parse_flow_file

__all__ = ["parse_flow_file"]
