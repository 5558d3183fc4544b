from .base import BaseLoader, retry

__all__ = ["BaseLoader", "retry"]
