"""Accounts, sessions, roles and their scopes. The only user of Flask-Login."""
