# The trusthub image: one image for the gateway, the workers and the one-shot migration.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# The locked dependencies first, in a layer of their own that a source change does not rebuild.
COPY requirements/runtime.lock ./requirements/
RUN pip install --no-cache-dir -r requirements/runtime.lock
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
# Editable install keeps migrations/ beside the package, where `trusthub migrate` finds them;
# --no-deps: every dependency came from the lock.
RUN pip install --no-cache-dir --no-deps -e . \
 && useradd --system --uid 10001 trusthub
USER trusthub
EXPOSE 8000
CMD ["trusthub", "serve", "--host", "0.0.0.0", "--port", "8000"]
