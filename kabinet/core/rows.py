"""Rows of the pages every resident opens, read by SQL written once per process into model
instances, as the ORM would give them.

Building a query with the ORM costs a cabinet page more than PostgreSQL takes to run it (a
third of a millisecond for a join of two models), and a `RawQuerySet` maps its columns again on
every call. Here a model's columns are listed, and its values converted as the ORM converts
them (SQLite gives dates as text and decimals as floats), once per process.

An instance is made as `Model.from_db` leaves it, without `Model.__init__`: the constructor's
walk over the fields and its two signals were a good part of a page's reads (sixteen instances
for a month of charges). A model something listens to at its construction (`pre_init`,
`post_init`: an image field's dimensions, say), or with a `from_db` of its own, is made by
`from_db` as before.
"""

import functools
from collections.abc import Callable, Sequence

from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


class Reader:
    """A model's columns in a query (`columns(alias)`) and its instances from their values."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = model._meta.concrete_fields
        self.names = [f.attname for f in self.fields]
        self.width = len(self.fields)
        # (the column's place, its converters, the column) of the columns that need converting.
        self._converters: list[tuple[int, list[Callable], object]] | None = None

    @functools.lru_cache(maxsize=8)  # noqa: B019 (readers live as long as the process)
    def columns(self, alias: str) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{alias}.{quote(f.column)}" for f in self.fields)

    def _converted(self, values: Sequence[object]) -> list[object]:
        if self._converters is None:
            self._converters = []
            for at, f in enumerate(self.fields):
                column = f.get_col(self.model._meta.db_table)
                functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if functions:
                    self._converters.append((at, functions, column))
        out = list(values)
        for at, functions, column in self._converters:
            for convert in functions:
                out[at] = convert(out[at], column, connection)
        return out

    @functools.cached_property
    def _plain(self) -> bool:
        """Nothing listens to the model's construction and it makes its instances as Django does:
        they may skip `__init__`. Decided at the first read, after the apps connected their
        receivers (in `ready()`)."""
        own_from_db = self.model.from_db.__func__ is not models.Model.from_db.__func__
        return not (own_from_db or pre_init.has_listeners(self.model) or post_init.has_listeners(self.model))

    def instance(self, values: Sequence[object]) -> models.Model:
        """The instance from its columns' values, in the order of `columns`."""
        if not self._plain:
            return self.model.from_db(connection.alias, self.names, self._converted(values))
        made = self.model.__new__(self.model)
        made.__dict__.update(zip(self.names, self._converted(values), strict=True))
        state = made._state = ModelState()
        state.adding, state.db = False, connection.alias
        return made


@functools.cache
def reader(model: type[models.Model], vendor: str) -> Reader:
    """The reader of `model` for the database `vendor` (its converters are the backend's)."""
    return Reader(model)


def of(model: type[models.Model]) -> Reader:
    return reader(model, connection.vendor)
