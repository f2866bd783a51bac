"""WSGI entry point: `flask --app wsgi …` and `gunicorn wsgi:app`."""

from podcast_hub import create_app

app = create_app()
