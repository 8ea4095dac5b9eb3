"""SQLModel tables. Import this package to register every table on the shared metadata."""

from models.base import metadata
from models.catalog import Category, ExchangeRate, Product
from models.user import User

__all__ = ["Category", "ExchangeRate", "Product", "User", "metadata"]
