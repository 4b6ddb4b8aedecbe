# The eval dashboard as a container: `docker build -t eval-dashboard .`, then
# `docker run -p 8501:8501 -e AYMARA_AI_API_KEY=... eval-dashboard` (see docs/deploy.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    EVAL_DASHBOARD_CACHE_DIR=/home/app/.cache/eval-dashboard

# An unprivileged user owns nothing but its home (the local store of finished runs lives there).
RUN useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# The code stays owned by root: the app user can read it but not change it.
# .dockerignore keeps secrets, the virtualenv, tests and git history out of the image.
COPY . .

USER app

EXPOSE 8501

# No curl in the slim image: the health check is Python's urllib (non-2xx raises, exit 1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"

CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
