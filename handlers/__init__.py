"""Pipeline steps, one module each; PIPELINE is the order they run in, in one place."""

from handlers import language, noise, notify, number, oversize, parse, route, thread

PIPELINE = (parse, noise, oversize, thread, language, number, route, notify)
