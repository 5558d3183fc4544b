import functools
import logging

log = logging.getLogger(__name__)


def retry(times=3):
    """Decorator factory: def inside a docstring does not count."""

    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            for attempt in range(times):
                try:
                    return fn(*args, **kwargs)
                except Exception:  # def in a comment: def commented_out():
                    log.warning('attempt %d failed', attempt)
            raise RuntimeError("def failed():")

        return wrapper

    return decorator


class BaseLoader:
    query = '''
        SELECT * FROM t  -- def fake_in_triple_single():
    '''

    def __init__(self, conn):
        self.conn = conn

    @property
    def name(self):
        return type(self).__name__

    @staticmethod
    @retry(times=5)
    def load(rows):
        return len(rows)

    async def aload(self, rows):
        return self.load(rows)

    class Config:
        def validate(self):
            return True
