# potato_like server image. Build: docker build -t potato-like .
# Run one project (SQLite in the mounted project dir):
#   docker run -p 8000:8000 -v "$PWD/myproject:/project" potato-like /project/config.yaml
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 1000 potato
COPY setup.cfg pyproject.toml README.md run.py ./
COPY potato_like ./potato_like
COPY templates ./templates
COPY static ./static
COPY configs ./configs
RUN pip install -e ".[postgres]"

USER potato
EXPOSE 8000
# `run.py CONFIG --host 0.0.0.0` serves with cheroot (threads). For several worker processes on
# PostgreSQL use gunicorn instead (see docs/deployment.md and compose.yaml).
ENTRYPOINT ["python", "run.py"]
CMD ["configs/quickstart.yaml", "--host", "0.0.0.0", "--port", "8000"]
