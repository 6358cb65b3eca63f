"""Stamps: values kept in the shared cache that are never used once what they show has changed.

A kept value (a cabinet page, the signed-in user) carries the stamps it was made under. A stamp is
a random number in the cache, one per kind of fact:

- BILLING: every account's billing data (an import of any kind, balances rebuilt for many);
- SITE: rows many pages show and staff change now and then (the company, the reading window,
  houses, meters, news, services, accounts saved one by one);
- `user(pk)`: one cabinet: its user, resident, the accounts linked to it and their balances,
  payments and readings (a payment or a reading changes the stamps of the account's cabinets,
  `accounts(...)`), so that a page is checked against three stamps known before it is read.

A writer calls `changed(...)` for what it wrote: each stamp gets a new number at once and again
when the transaction commits. A reader takes the stamps in the same cache round trip as the
value, and uses the value only if every stamp it was made under is still the same. The stamps
are read *before* the facts: a value made from rows a writer is about to commit carries the old
number and is never used after the commit (the number given at the commit catches a reader
that read the rows before it and the stamps after the first bump).

Without a shared cache (the database table, settings.CACHES) nothing is kept. While Redis is
away reads miss and a new number that could not be written is written by this process at its
next call here; a kept value lives KEPT_SECONDS at most whatever happens.
"""

import secrets
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import caching
from .caching import KEPT_SECONDS, shared_cache

BILLING = "billing"
SITE = "site"
# A stamp outlives every value made under it: one that is gone (evicted, expired) gets a new
# random number, which no kept value carries.
STAMP_SECONDS = 24 * 3600

_owed: set[str] = set()  # stamps whose new number Redis did not take (it was away)


def user(pk: object) -> str:
    return f"user:{pk}"


def accounts(pks: Iterable[int]) -> list[str]:
    """The stamps of the cabinets the accounts `pks` are linked to (a query, for writers; none
    when nothing is kept)."""
    from django.apps import apps

    if not shared_cache():
        return []
    links = apps.get_model("residents", "ResidentAccount").objects.filter(account_id__in=list(pks))
    return [user(pk) for pk in set(links.values_list("resident__user_id", flat=True))]


def _key(name: str) -> str:
    return f"stamp:{name}"


@dataclass(frozen=True)
class Kept:
    """A value with the stamps it was made under and the moment it stops being true by itself
    (a date changes, a news item comes due), as a Unix time; None: never."""

    stamps: dict[str, int]
    until: float | None
    value: Any

    def good(self, current: dict[str, int | None], now: float) -> bool:
        if self.until is not None and now >= self.until:
            return False
        return all(current.get(name) == stamp for name, stamp in self.stamps.items())


class _AtCommit:
    """The stamps a transaction changed, given new numbers once when it commits."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def __call__(self) -> None:
        _renew(self.names)


def changed(*names: str) -> None:
    """What a writer calls for the facts it changed: new numbers now, and after the commit once
    per transaction and stamp however many rows an import saves one by one."""
    if not names or not shared_cache():
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _renew(set(names))
        return
    at_commit = next((f for _, f, _ in connection.run_on_commit if isinstance(f, _AtCommit)), None)
    if at_commit is None:
        at_commit = _AtCommit()
        transaction.on_commit(at_commit)
    at_commit.names.update(names)
    _renew(set(names))


def _renew(names: set[str]) -> None:
    names |= _owed
    failed = cache.set_many({_key(n): secrets.randbits(62) for n in names}, STAMP_SECONDS)
    _owed.clear()
    _owed.update(key.removeprefix("stamp:") for key in failed or ())


def read(keys: Iterable[str], names: Iterable[str]) -> tuple[dict[str, Any], dict[str, int | None]]:
    """The values under `keys` and the stamps `names`, in one round trip. A stamp the cache does
    not hold is given a number now (None when another process gave it one at the same moment)."""
    if _owed:
        _renew(set())
    keys, names = list(keys), list(names)
    found = caching.get_many(keys + [_key(n) for n in names])
    stamps = {name: found.get(_key(name)) for name in names}
    for name, stamp in stamps.items():
        if stamp is None:
            number = secrets.randbits(62)
            stamps[name] = number if cache.add(_key(name), number, STAMP_SECONDS) else None
            found[_key(name)] = stamps[name]  # what prefetched holds, for the next read
    return {k: found[k] for k in keys if k in found}, stamps


def prefetched(keys: list[str], names: list[str]) -> AbstractContextManager[None]:
    """Within: `read` and `lookup` take these values and stamps as read here, all in one round
    trip with the values every page reads (kabinet.core.caching), instead of one each (a page
    and the signed-in user, looked up one after the other)."""
    return caching.prefetched(keys + [_key(n) for n in names])


def lookup(key: str, names: Iterable[str]) -> tuple[Any, dict[str, int | None]]:
    """(the value kept under `key` if it is still good, else None; the stamps `names` as now)."""
    values, stamps = read([key], names)
    kept = values.get(key)
    if not isinstance(kept, Kept):
        return None, stamps
    return (kept.value if kept.good(stamps, timezone.now().timestamp()) else None), stamps


def keep(key: str, value: Any, stamps: dict[str, int | None], *, until: float | None = None) -> None:
    """Keep `value` made under `stamps` (read before the facts it shows). Not kept when a stamp
    is unknown."""
    if any(stamp is None for stamp in stamps.values()):
        return
    seconds = KEPT_SECONDS
    if until is not None:
        seconds = min(seconds, int(until - timezone.now().timestamp()))
    if seconds > 0:
        cache.set(key, Kept(stamps=dict(stamps), until=until, value=value), seconds)


def kept_value(key: str, names: list[str], make: Callable[[], Any], *, worth: Callable[[Any], bool]) -> Any:
    """The value under `key` while `names` stand, or `make()` kept there if `worth(it)`."""
    if not shared_cache():
        return make()
    value, stamps = lookup(key, names)
    if value is None:
        value = make()
        if worth(value):
            keep(key, value, stamps)
    return value


def watch(model, stamps_of: Callable[[Any], Iterable[str]]) -> None:
    """Rows of `model` saved or deleted one by one (the back-office, a service) change
    `stamps_of(row)` (called from `ready()`); writes in bulk call `changed` themselves."""
    from django.db.models.signals import post_delete, post_save

    def wrote(sender, instance, **kwargs) -> None:
        changed(*stamps_of(instance))

    uid = f"kabinet_stamps_{model._meta.label_lower}"
    post_save.connect(wrote, sender=model, weak=False, dispatch_uid=f"{uid}_save")
    post_delete.connect(wrote, sender=model, weak=False, dispatch_uid=f"{uid}_delete")


def site_rows(instance) -> list[str]:
    return [SITE]


def account_rows(instance) -> list[str]:
    return accounts([instance.account_id])
