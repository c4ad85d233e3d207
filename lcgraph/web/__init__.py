"""The web layer: ``create_app`` in :mod:`lcgraph.web.app`; routers, templates and static files."""
