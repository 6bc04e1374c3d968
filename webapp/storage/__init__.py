"""Storage of sessions, drafts, uploads and submissions (SQLModel; SQLite or PostgreSQL)."""
