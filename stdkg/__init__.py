"""stdkg: a standard system (标准体系) as a knowledge graph."""

__version__ = "0.1.0"
