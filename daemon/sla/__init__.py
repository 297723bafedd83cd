"""Time: the business calendar (working days, business hours, holidays) and the deadlines a ticket
gets from it. May import ``daemon.store`` and ``daemon.mail``; never ``handlers`` or ``web``.
"""
