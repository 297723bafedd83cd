"""The system of record: database and schema (db, models, migrations/), history lines, numbering,
SQLite checkpoints. Imports ``daemon.clock``; one migration's downgrade renders mail drafts with
``daemon.mail.compose``. Never ``handlers`` or ``web``.
"""
