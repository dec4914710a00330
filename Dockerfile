# Image for the newsstream CLI: `newsstream worker` (default) and `newsstream ingest DIR`.
# Used by docker-compose.yml for the worker and ingest-seeds services.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml README.md ./
COPY streams/ streams/
COPY schemas/ schemas/
COPY deploy/ deploy/
COPY seeds/ seeds/

RUN pip install --no-cache-dir .

# Build the place tables once, into the image, so workers start without the several-second build
ENV NEWSSTREAM_CACHE_DIR=/opt/newsstream-cache
RUN python -c "from streams.reference.gazetteer import gazetteer; gazetteer()" && chmod -R a+rX /opt/newsstream-cache

# Unprivileged runtime user; /data is created here so a named volume mounted on it
# starts out owned by that user.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/newsstream newsstream \
    && mkdir -p /data \
    && chown newsstream:newsstream /data

USER newsstream

# Faust's local state (table stores) goes here unless overridden
ENV NEWSSTREAM_DATA_DIR=/data

EXPOSE 6066

CMD ["newsstream", "worker"]
