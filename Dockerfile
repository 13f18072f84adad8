# potato_like server image. Build: docker build -t potato-like .
# Run one project (SQLite in the mounted project dir):
#   docker run -p 8000:8000 -v "$PWD/myproject:/project" potato-like /project/config.yaml
# The image installs the wheel, as a user would: templates, static files and migrations come
# from inside the installed package (tests/web/test_wheel_install.py builds and installs the
# same wheel in a fresh venv and serves the quick start from another directory).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1
WORKDIR /src
# The build inputs (tests/unit/test_packaging.py keeps this list equal to the test's).
COPY setup.py setup.cfg pyproject.toml README.md MANIFEST.in ./
COPY potato_like ./potato_like
COPY templates ./templates
COPY static ./static
RUN pip wheel --no-deps -w /dist .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid 1000 potato
COPY --from=build /dist /dist
RUN pip install "$(ls /dist/potato_like-*.whl)[postgres]" && rm -rf /dist
WORKDIR /app
# The quick start, the default project; its output goes beside its config, so potato owns it.
COPY --chown=potato configs ./configs

USER potato
EXPOSE 8000
# `potato-like CONFIG --host 0.0.0.0` serves with cheroot (threads). For several worker
# processes on PostgreSQL use gunicorn instead (see docs/deployment.md and compose.yaml).
ENTRYPOINT ["potato-like"]
CMD ["configs/quickstart.yaml", "--host", "0.0.0.0", "--port", "8000"]
