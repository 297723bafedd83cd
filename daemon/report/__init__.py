"""Period reports (投诉处理周报 and the monthly, quarterly and yearly summaries): periods in the
desk's time zone, the figures counted in SQL by written definitions, charts, the text, HTML, CSV
and JSON outputs, and the scheduled mail. May import ``daemon.store``, ``daemon.sla`` and
``daemon.mail``; never ``handlers`` or ``web``.
"""
