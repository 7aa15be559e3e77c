"""Metaflow's DAG, rebuilt from the flow model with ``metaflow/graph.py``'s exact semantics.

Interface (implemented by the engine work; field names mirror Metaflow's ``DAGNode`` so rules
can be compared line by line with ``metaflow/lint.py``):

- ``build_graph(flow: FlowClass) -> FlowGraph`` never raises.
- ``FlowGraph.nodes: dict[str, GraphNode]`` in source order; ``start_step``/``end_step``
  (names or None); ``sorted_nodes`` (traversal order); ``graph[name]``, ``name in graph``,
  ``iter(graph)`` like Metaflow's.
- ``GraphNode`` fields: name, type ("start"|"linear"|"split"|"foreach"|"split-switch"|"join"|
  "end"|None), out_funcs, in_funcs (sorted list), split_parents, split_branches,
  matching_join, is_inside_foreach, has_tail_next, invalid_tail_next, tail_next_lineno,
  func_lineno, num_args, foreach_param, num_parallel, parallel_foreach, parallel_step,
  condition, switch_cases (dict key → step), is_start_step, is_end_step, decorators (names),
  step (the model Step).
"""
