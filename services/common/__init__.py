"""Shared kernel of the town services: audit, files, gapless numbering, notification outbox,
status workflows and the Thai locale helpers."""
