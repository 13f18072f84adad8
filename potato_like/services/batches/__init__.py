"""Seed 002: Scale-style batches and tasks (`/v1/batches...`, `/v1/task...`) on a workspace's
root app. docs/service-api-002.md describes the API; api.py is the blueprint, tasks.py turns
tasks into project items, reconcile.py marks finished tasks and batches and queues their
callbacks through the outbox."""
