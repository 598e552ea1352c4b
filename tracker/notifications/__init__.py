"""Notifications (issue 15 §2): the bell, the list, each user's channel per event kind, and
e-mail through SMTP from the job queue (with an outbox the administrator sees)."""
