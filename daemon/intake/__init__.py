"""Where items come from (maildir, imap, feeds) and the speed-ups that feed the pipeline from them
(background fetching, the readahead parse helper, batch prefetch). May import ``store``, ``mail``
and ``classify``; the parse helper itself loads only ``mail.reading`` and ``classify``.
"""
