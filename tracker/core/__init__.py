"""Home page, health check, language switch and database commands."""
