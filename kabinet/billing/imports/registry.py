"""The kinds of billing files: what the operator calls each, its columns, and its import.

Adding a file format is adding its module (a `COLUMNS` tuple and an `import_file`, as
accounts.py) and one `register` line here — or, for an app above billing, in its AppConfig's
`ready` (meters registers «Приборы учёта» so: billing never imports the apps built on it).
The command (`import_billing`), the back-office upload and its worker all go through
`import_file`, so a kind registered here is offered by all three.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kabinet.core import stamps

from . import accounts, accruals, payments
from .bank import profiles, registry_file, statement
from .read import ImportFileError, Progress
from .report import Report


@dataclass(frozen=True)
class ImportKind:
    """One kind of billing file. `run(path=, skip_bad=, progress=)` imports a file of the kind:
    a file with a bad row changes nothing (every bad row is reported) unless `skip_bad`."""

    title: str
    columns: tuple[str, ...]
    run: Callable[..., Report]
    # The kind's profiles (name, title), for a file whose layout varies; `run` then takes
    # `profile=` (empty: found from the file).
    profiles: Callable[[], list[tuple[str, str]]] | None = None


KINDS: dict[str, ImportKind] = {}


def register(code: str, kind: ImportKind) -> None:
    """Offer a kind of file under `code` (`import_billing CODE FILE`)."""
    KINDS[code] = kind


register("accounts", ImportKind("Лицевые счета", accounts.COLUMNS, accounts.import_file))
register("accruals", ImportKind("Начисления", accruals.COLUMNS, accruals.import_file))
register("payments", ImportKind("Оплаты", payments.COLUMNS, payments.import_file))
register(
    "sber-registry", ImportKind("Реестр платежей банка", (), registry_file.import_file, profiles.choices)
)
register("bank-statement", ImportKind("Выписка банка (1С)", (), statement.import_file))


def import_file(
    *, kind: str, path: Path, skip_bad: bool = False, progress: Progress | None = None, profile: str = ""
) -> Report:
    """Import a billing file of the given kind. Raises `read.ImportFileError` if the file can't
    be used at all (then nothing is written).

    `progress(rows_read, share_of_file)` is called now and then while the file is read.
    A file with a bad row changes nothing (every bad row is reported) unless `skip_bad` is set,
    which imports the good rows. `profile` names the layout of a kind that has profiles
    (`ImportKind.profiles`); a kind without them refuses one.
    """
    chosen = KINDS[kind]
    options = {}
    if profile:
        if chosen.profiles is None:
            raise ImportFileError(f"У вида «{chosen.title}» нет профилей: уберите --profile.")
        options["profile"] = profile
    try:
        return chosen.run(path=path, skip_bad=skip_bad, progress=progress, **options)
    finally:
        stamps.changed(stamps.BILLING)  # written in bulk: every kept page goes (kabinet.core.stamps)
