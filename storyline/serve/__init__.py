"""Serve stage: the command line (and later the HTTP API and web UI)."""
