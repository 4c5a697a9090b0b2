"""Steering figures (NF X 50-056, ISO 10002): aggregate SQL only, never every complaint in Python."""
