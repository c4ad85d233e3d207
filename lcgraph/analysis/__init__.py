"""Network analysis of the knowledge graph: centrality and brokerage among cities and networks.

In the style of networkx's own algorithm modules: pure functions of a graph in
:mod:`~lcgraph.analysis.centrality` and :mod:`~lcgraph.analysis.brokerage`; graphs built from
the store by saved queries in :mod:`~lcgraph.analysis.graphs`; tables, plots and the findings
report (``docs/analysis.md``) kept apart in :mod:`~lcgraph.analysis.tables`,
:mod:`~lcgraph.analysis.plots` and :mod:`~lcgraph.analysis.report`.

Importing this package is cheap; networkx, numpy and matplotlib load with the submodules.
"""
