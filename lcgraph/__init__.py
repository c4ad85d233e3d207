"""lcgraph: a linked-data knowledge graph of low-carbon cities, networks and collaborations."""

__version__ = "0.1.0"
__all__ = ["__version__"]
