"""Background jobs of the management API: a durable job table (store/jobs.py), a registry of
job kinds (registry.py; training, inference, export) and a worker that runs them in its own
process, never inside a request (worker.py)."""
