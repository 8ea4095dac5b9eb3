"""Turning outbox rows into messages, a batch at a time: `prefetch` reads everything a batch of
rows needs in a fixed number of queries (however many rows), and `render` words one row from it,
in the recipient's render context, with the renderer registered for its kind. The sender
(`bot.sender`) claims the rows and sends what this returns."""

from notifications.batch import Batch, prefetch
from notifications.registry import RENDERERS, Rendered, edits_of, render

__all__ = ["RENDERERS", "Batch", "Rendered", "edits_of", "prefetch", "render"]
