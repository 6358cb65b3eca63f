"""Kept values: settings-like rows every page reads (the company, the reading schedule), kept in
the shared cache and forgotten whenever one is saved or deleted.

Every web process reads the same cache (Redis in production), so a change an operator saves in
the back-office shows on the next page of every process: the key is deleted when the row is
saved, and again when the transaction commits (a page read between the two would otherwise put
the old row back). A raw `QuerySet.update()` would bypass this: these rows are only ever
changed through `save()` (the admin, `update_or_create`).

Without Redis the cache is a database table (settings.CACHES): reading a row from it costs what
reading the row itself does, so then nothing is kept and the row is read as before.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

M = TypeVar("M", bound=models.Model)

# A safety net only: saving forgets the value at once. (A page that read the old row just
# before a save committed and keeps it just after is the one way to keep it stale: for this long.)
KEPT_SECONDS = 300


def kept_key(model: type[models.Model], pk: object) -> str:
    return f"kept:{model._meta.label_lower}:{pk}"


# Keys of values every cabinet page reads (the company, the reading schedule, the latest news),
# named by their apps (`read_on_every_page`): a page reads them in the same round trip to the
# cache as its other kept values (`prefetched`), not in one each.
_EVERY_PAGE: list[str] = []
# What `prefetched` read for the request under way: (the keys asked for, what was found).
_fetched: ContextVar[tuple[frozenset[str], dict[str, Any]] | None] = ContextVar("kabinet_kept", default=None)


def read_on_every_page(key: str) -> None:
    if key not in _EVERY_PAGE:
        _EVERY_PAGE.append(key)


@contextmanager
def prefetched(keys: Iterable[str]) -> Iterator[None]:
    """Within: `get` and `get_many` answer these keys and those read on every page as read
    here, in one round trip."""
    wanted = [*keys, *_EVERY_PAGE]
    if not wanted or not shared_cache():
        yield
        return
    token = _fetched.set((frozenset(wanted), cache.get_many(wanted)))
    try:
        yield
    finally:
        _fetched.reset(token)


def get_many(keys: list[str]) -> dict[str, Any]:
    """The values under `keys`: as `prefetched` read them when it read them all, else asked now.
    The answer is what `prefetched` holds: what a caller adds to it is seen by the next call."""
    fetched = _fetched.get()
    if fetched is None or not fetched[0].issuperset(keys):
        return cache.get_many(keys)
    return fetched[1]


def get(key: str) -> Any:
    return get_many([key]).get(key)


def _forget_prefetched(key: str) -> None:
    fetched = _fetched.get()
    if fetched is not None:
        fetched[1].pop(key, None)


def shared_cache() -> bool:
    """Whether the cache is worth keeping values in: not when it is a database table."""
    return not isinstance(caches["default"], DatabaseCache)


def kept(model: type[M], pk: object, make: Callable[[], M]) -> M:
    """The row `model(pk)` from the cache, or `make()` (which reads or creates it) kept there."""
    if not shared_cache():
        return make()
    key = kept_key(model, pk)
    value = get(key)
    if value is None:
        value = make()
        cache.set(key, value, KEPT_SECONDS)
    return value


def forget(key: str) -> None:
    _forget_prefetched(key)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def keep_until_saved(model: type[models.Model], *, key: str | None = None, every_page: bool = False) -> None:
    """Forget the kept row of `model` (or the value under `key`, read from rows of `model`)
    whenever one is saved or deleted (called from `ready()`). `every_page`: the cabinet's pages
    read it (the kept row of pk 1), so it comes with their other kept values (`prefetched`)."""
    if every_page:
        read_on_every_page(key or kept_key(model, 1))

    def changed(sender, instance, **kwargs) -> None:
        forget(key or kept_key(sender, instance.pk))

    uid = f"kabinet_kept_{key or model._meta.label_lower}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}_save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}_delete")
