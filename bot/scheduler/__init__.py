"""`modbot run`: the long-running service that polls, acts, reminds, purges and reports.

`schedules` says when each job runs (APScheduler triggers from the config), `lease` decides
which of several processes leads, `ledger` keeps each job's next tick in the database so a
tick runs once across processes, `jobs` says what each job does, and `service` wires them
into APScheduler with a clean shutdown on SIGTERM and SIGINT.
"""
