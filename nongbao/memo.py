"""Values made once by key: the texts one content version or one planning run makes again and again."""

_MISSING = object()


class Once:
    """What make() returns for a key, made the first time it is asked for; all forgotten when `limit` is reached."""

    def __init__(self, limit: int | None = None):
        self.limit, self._made = limit, {}

    def __call__(self, key, make):
        made = self._made.get(key, _MISSING)  # one lookup, so another thread's clear() cannot lose the value
        if made is _MISSING:
            if self.limit is not None and len(self._made) >= self.limit:
                self._made.clear()
            made = self._made[key] = make()
        return made
