"""A value kept under stamps (kabinet.core.stamps) is never used once a writer said it changed
what the value shows, however the reader's and the writer's steps interleave."""

import pytest
from django.core.cache import cache, caches
from django.db import transaction
from django.test import override_settings

from kabinet.core import stamps

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def shared_cache(db):
    with override_settings(CACHES=LOCAL_CACHE):
        cache.clear()
        yield
        cache.clear()


def made(key: str = "kept:test", names: tuple[str, ...] = (stamps.SITE,)) -> None:
    """A reader: stamps first, then the facts, then the value kept."""
    value, current = stamps.lookup(key, list(names))
    assert value is None
    stamps.keep(key, "the page", current)


def test_a_kept_value_is_used_until_its_stamp_changes():
    made()
    assert stamps.lookup("kept:test", [stamps.SITE])[0] == "the page"

    stamps.changed(stamps.SITE)

    assert stamps.lookup("kept:test", [stamps.SITE])[0] is None


def test_a_change_of_another_stamp_leaves_the_value():
    made(names=(stamps.SITE, stamps.user(1)))

    stamps.changed(stamps.user(2))

    assert stamps.lookup("kept:test", [stamps.SITE, stamps.user(1)])[0] == "the page"


def test_a_value_made_while_a_writer_commits_is_not_used_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        stamps.changed(stamps.SITE)  # the rows are written, not committed yet
        made()  # a reader in between: the stamp already new, the rows still the old ones

    assert stamps.lookup("kept:test", [stamps.SITE])[0] is None


def test_a_stamp_gone_from_the_cache_leaves_nothing_kept_under_it_usable():
    made()

    cache.delete("stamp:site")  # evicted

    assert stamps.lookup("kept:test", [stamps.SITE])[0] is None


def test_a_new_stamp_the_cache_did_not_take_is_written_at_the_next_read():
    made()
    backend = caches["default"]
    backend.set_many = lambda data, *args, **kwargs: list(data)  # Redis away: nothing written
    stamps.changed(stamps.SITE)
    del backend.set_many  # back

    assert stamps.lookup("kept:test", [stamps.SITE])[0] is None


def test_a_value_is_not_kept_past_the_moment_it_stops_being_true(monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    _, current = stamps.lookup("kept:test", [stamps.SITE])
    stamps.keep("kept:test", "the page", current, until=(now + timedelta(minutes=5)).timestamp())
    assert stamps.lookup("kept:test", [stamps.SITE])[0] == "the page"

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=6))

    assert stamps.lookup("kept:test", [stamps.SITE])[0] is None


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kabinet_cache"}
    }
)
def test_with_the_cache_in_the_database_nothing_is_kept():
    calls = []

    assert (
        stamps.kept_value("kept:test", [stamps.SITE], lambda: calls.append(1) or "row", worth=bool) == "row"
    )
    assert (
        stamps.kept_value("kept:test", [stamps.SITE], lambda: calls.append(1) or "row", worth=bool) == "row"
    )
    assert calls == [1, 1]
