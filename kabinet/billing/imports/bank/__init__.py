"""Payments from banks: their payment registries (реестры платежей) and statements (выписки).

- profiles.py — the layouts of registries: which field is the date, the account, the amount…;
  the built-in Sberbank ones and how a file's layout is recognised;
- registry_file.py — the kind `sber-registry`: a registry read with its profile, its totals line
  checked, its payments recorded; a plainly good line is staged without the field parsers
  (`plain_line_check`), so that a million-line registry loads in seconds (bench/import_payments.py);
- blocks.py — on PostgreSQL, a registry's blocks of plain lines checked by one RE2 pattern each
  and staged without Python's work per line; other blocks are read line by line as above;
- statement.py — the kind `bank-statement`: 1С's exchange format (`1CClientBankExchange`), the
  incoming payment orders, the account and month found in the purpose (patterns.py), a bank
  agent's lump sum told from a resident's payment;
- record.py — what both share: the staged payments recorded once each by the bank's operation
  id, the unknown ones put in «Неразнесённые платежи», the balances rebuilt;
- readings.py — the meter readings payers typed at the bank, handed to the meters app through a
  hook it registers (billing never imports meters);
- report.py — what an import of a bank file did.

The layouts are in docs/bank-formats.md.
"""
