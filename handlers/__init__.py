"""Pipeline steps, one module each; PIPELINE is the order they run in, in one place."""

from handlers import (
    alert,
    assign,
    classify,
    duplicate,
    hot,
    language,
    locate,
    noise,
    notify,
    number,
    oversize,
    parse,
    reply,
    route,
    thread,
)

PIPELINE = (
    parse,
    noise,
    oversize,
    duplicate,
    reply,
    thread,
    language,
    classify,
    locate,
    number,
    route,
    hot,
    notify,
    assign,
    alert,
)
