"""Demo data for a fresh install: `python manage.py demo` (safe to run again)."""
