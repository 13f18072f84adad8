"""Seed 001: a Humans-in-the-Loop-style `/v1` API (projects, jobs, metrics) on a workspace.
docs/service-api-001.md describes it."""
