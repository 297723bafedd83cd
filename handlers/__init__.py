"""Pipeline steps, one module each; PIPELINE is the order they run in, in one place."""

from handlers import (
    alert,
    assign,
    classify,
    hot,
    language,
    locate,
    noise,
    notify,
    number,
    oversize,
    parse,
    route,
    thread,
)

PIPELINE = (
    parse,
    noise,
    oversize,
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
