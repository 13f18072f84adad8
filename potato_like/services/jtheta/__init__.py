"""Seed 000: the JTheta-style REST API on a workspace's root app (docs/services.md).

- `api.py`: the un-prefixed routes (`/validate_key/`, `/create_project/`, ...,
  `/api/export/download`) and the signed export download.
- `projects.py`: what they do to workspace projects (images, label schemes, counts).
- `invites.py`: on each project's app, the one-time invite links and the reviewer's page.
"""
