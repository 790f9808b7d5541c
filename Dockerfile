# pledgebot — `docker build -t pledgebot .` then see docs/deploying.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
RUN pip install ".[postgres]"

# The example letter is the default; mount your own config over /app/config.toml.
COPY config.example.toml /app/config.toml

RUN useradd --system --uid 10001 --home-dir /data pledgebot \
    && mkdir -p /data && chown pledgebot /data
USER pledgebot
VOLUME ["/data"]

# The public page listens on every interface of the container (publish it with -p 8080:8080,
# behind a TLS reverse proxy); snapshots are kept in the volume.
ENV PLEDGEBOT_CONFIG=/app/config.toml \
    PLEDGEBOT_STORAGE__URL=sqlite:////data/pledgebot.db \
    PLEDGEBOT_WEB__LISTEN=0.0.0.0:8080 \
    PLEDGEBOT_WEB__SNAPSHOT_DIR=/data/snapshots \
    PLEDGEBOT_RUN__HEARTBEAT_FILE=/tmp/pledgebot-heartbeat.json
EXPOSE 8080

# `pledgebot run` rewrites the heartbeat every 15 s (the database answers, each platform is
# connected); `pledgebot health` reads it. The start period covers run.startup_retry_seconds.
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
    CMD ["pledgebot", "health"]

ENTRYPOINT ["pledgebot"]
CMD ["run"]
