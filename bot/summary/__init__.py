"""The weekly moderation summary email: figures, chart, templates, SMTP and send records.

`figures` asks the store for aggregates (GROUP BY in the database, so a year of history
costs a few indexed range scans, not a loop over rows); `chart` draws the daily counts;
`render` turns both into an HTML and a plain-text part; `mailer` sends over SMTP with
bounded retries; `sends` records each week's send so the scheduler never sends it twice.
"""
