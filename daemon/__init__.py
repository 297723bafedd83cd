"""complaintd: the process (cli, service, config, clock, states, admin, pipeline, i18n) at the top,
one package per concept below it: store, mail, intake, classify, sla, web.

The lower packages (store, mail, classify, sla) never import ``handlers`` or ``web``.
"""
