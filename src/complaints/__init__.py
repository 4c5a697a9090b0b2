"""Customer complaint handling after ISO 10002 and NF X 50-056."""

__version__ = "0.1.0"
