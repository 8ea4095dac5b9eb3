"""The presentation layer: texts, keyboards, callback data, formatting, deep links. No sessions."""
