# Connect's image: one image for every role (web, worker, beat, migrate, simulator); the
# docker-compose.yml services pick the role with their command.
# The base image is pinned by digest: a rebuild gets the same system and Python, not whatever
# the tag points to that day. README "Updating the lock files and the base image" says how to move it.
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CONNECT_DATA_DIR=/data \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN useradd --create-home --uid 1000 connect \
    && mkdir -p /data/media \
    && chown -R connect:connect /data \
    && chmod 700 /data

# Dependencies first, from the lock file alone (every package pinned and checked against its
# hashes), so a code change reuses this layer.
COPY requirements/runtime.txt /tmp/requirements.txt
RUN pip install --require-hashes --no-deps -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# Hashed, compressed static files served by WhiteNoise. The throw-away key and data folder exist
# only for this build step; the containers get theirs from the environment.
RUN DEBUG=0 STATIC_MANIFEST=1 SECRET_KEY=collectstatic-only CONNECT_DATA_DIR=/tmp/build \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build

USER connect
EXPOSE 8000
# gunicorn reads its worker count from WEB_CONCURRENCY.
CMD ["gunicorn", "connect.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
