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

from ..models import ImportProfile
from . import accounts, accruals, mapping, payments
from .bank import profiles, registry_file, statement
from .read import ImportFileError, Progress, shown_name
from .report import Report


@dataclass(frozen=True)
class ImportKind:
    """One kind of billing file. `run(path=, file_name=, skip_bad=, progress=)` imports a file of
    the kind: a file with a bad row changes nothing (every bad row is reported) unless `skip_bad`.
    `file_name` is the name the file is known by, for every message, report and record that
    names it: an upload is kept under a random name (jobs.py), and the operator knows its own."""

    title: str
    columns: tuple[str, ...]
    run: Callable[..., Report]
    # The kind's profiles (name, title), for a file whose layout varies; `run` then takes
    # `profile=` (empty: found from the file).
    profiles: Callable[[], list[tuple[str, str]]] | None = None
    # `run` takes `keep=` (columns a foreign layout lacks, whose values known records keep):
    # kinds of records; a file of periods replaces them whole and has nothing to keep.
    keeps: bool = False


KINDS: dict[str, ImportKind] = {}


def register(code: str, kind: ImportKind) -> None:
    """Offer a kind of file under `code` (`import_billing CODE FILE`)."""
    KINDS[code] = kind


register("accounts", ImportKind("Лицевые счета", accounts.COLUMNS, accounts.import_file, keeps=True))
register("accruals", ImportKind("Начисления", accruals.COLUMNS, accruals.import_file))
register("payments", ImportKind("Оплаты", payments.COLUMNS, payments.import_file))
register(
    "sber-registry", ImportKind("Реестр платежей банка", (), registry_file.import_file, profiles.choices)
)
register("bank-statement", ImportKind("Выписка банка (1С)", (), statement.import_file))


def import_file(
    *,
    kind: str,
    path: Path,
    file_name: str = "",
    skip_bad: bool = False,
    progress: Progress | None = None,
    profile: str = "",
    column_profile: ImportProfile | None = None,
) -> Report:
    """Import a billing file of the given kind. Raises `read.ImportFileError` if the file can't
    be used at all (then nothing is written).

    `file_name` is the name the file is known by — an upload's own name, not that of the copy
    kept on disk; empty: the path's. Every kind names the file so, in its messages, its report
    and what it records (a registry's record, its unmatched payments).

    `progress(rows_read, share_of_file)` is called now and then while the file is read.
    A file with a bad row changes nothing (every bad row is reported) unless `skip_bad` is set,
    which imports the good rows. `profile` names the layout of a kind that has profiles
    (`ImportKind.profiles`), or, for a kind of Kabinet's columns, a saved `ImportProfile` of
    the file's own columns; `column_profile` is such a profile given as it is (an upload's).
    """
    chosen = KINDS[kind]
    file_name = shown_name(path, file_name)
    options = {}
    if profile and chosen.profiles is None:
        if not chosen.columns:
            raise ImportFileError(f"У вида «{chosen.title}» нет профилей: уберите --profile.")
        column_profile = mapping.find_profile(kind=kind, name=profile, title=chosen.title)
    elif profile:
        options["profile"] = profile
    try:
        if column_profile is not None:
            return mapping.import_mapped(
                path=path,
                layout=mapping.Layout.of(column_profile),
                columns=chosen.columns,
                run=chosen.run,
                keeps=chosen.keeps,
                skip_bad=skip_bad,
                progress=progress,
                file_name=file_name,
            )
        return chosen.run(path=path, file_name=file_name, skip_bad=skip_bad, progress=progress, **options)
    finally:
        stamps.changed(stamps.BILLING)  # written in bulk: every kept page goes (kabinet.core.stamps)
