FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY core ./core
COPY domain ./domain
COPY handlers ./handlers
COPY models ./models
COPY notifications ./notifications
COPY services ./services
COPY ui ./ui
COPY locales ./locales
COPY scripts ./scripts
RUN pip install -e . && python scripts/i18n.py compile \
    && useradd --create-home --uid 10001 bridge && mkdir -p /data && chown bridge /data

USER bridge
ENV DATABASE_URL=sqlite:////data/qingtian.db
VOLUME ["/data"]
EXPOSE 8080
CMD ["python", "-m", "bot"]
