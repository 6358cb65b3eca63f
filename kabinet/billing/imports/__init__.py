"""Imports from the billing system (система начислений): files of accounts, accruals, payments.

One module per concern:

- read.py — reading a file: CSV (UTF-8 or cp1251, `;` or `,`) or XLSX, the header, the rows;
- fields.py — the field parsers every kind uses, and their one `FieldError`;
- report.py — what an import did: the report every kind returns;
- records.py, accounts.py — files whose rows are records of their own (accounts; meters, in
  the meters app);
- periods.py, staging.py, checks.py — the careful road of files that replace whole periods:
  rows checked in Python, staged, the periods replaced set-based;
- accruals.py (with accrual_rows.py), payments.py — those two kinds;
- copyroad/ — the COPY road: a plainly written accruals CSV on PostgreSQL goes with COPY into a
  partition of its own, without Python's work per row (its public interface is in
  copyroad/__init__.py);
- sources.py, mapping.py, built_in.py — a billing system's own export (any columns, CSV with any
  separator, XLSX or DBF, UTF-8, cp1251 or cp866) read through a profile of its columns
  (`ImportProfile`) and rewritten into Kabinet's layout for the kind's own import; the built-in
  profiles;
- jobs.py — uploads in the back-office and the worker that imports them;
- registry.py — the kinds of files and `import_file`, the one entry point.

Every import checks every row, reports the bad ones with their line numbers (`строка N:
причина`), changes nothing when a row is bad unless asked to skip bad rows, and gives the same
result when the same file is loaded twice. The layouts are in docs/billing-formats.md.
"""

from .read import ImportFileError
from .registry import KINDS, ImportKind, import_file, register

__all__ = ["KINDS", "ImportFileError", "ImportKind", "import_file", "register"]
