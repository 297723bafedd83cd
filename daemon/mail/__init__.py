"""Mail in and out: reading raw messages (reading, charsets, feedfix, replytext, attachments,
commands), making ours (compose, templates, staff, tokens) and sending it (outbox, dispatch,
transport, queue). May import ``daemon.store``; never ``handlers`` or ``web``.
"""
