"""The aggregate's ``@event`` mutators, triggered through fewer of the library's layers.

A command's call ``self._register(number=…, …)`` goes, with the library's decorator,
through a bound-decorator object made per call, a coercion of the arguments, a filtering
of them by the event's signature, and ``trigger_event``'s checks that the event's topic is
registered, before it constructs the event, applies it and appends it to the pending
events: a third of a command's time in an import. ``FastTrigger`` replaces the
decorator on the class once it is built (``fast_triggers``) and does the same: the event
class, the keyword defaults and the accepted names are the library's, worked out once; the
topic check is done once; the event is constructed, ``mutate`` applies it and it is
appended exactly as ``trigger_event`` does. Replaying stored events does not pass here
(the library applies them with the decorated function, as before).
"""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

from eventsourcing.domain import (
    BaseAggregate,
    CommandMethodDecorator,
    _check_explicit_topic_is_registered,
    decorated_func_callers,
)

__all__ = ["FastTrigger", "fast_triggers"]


class FastTrigger:
    """A class attribute that triggers its decorator's event on the aggregate it is read from."""

    def __init__(self, decorator: CommandMethodDecorator) -> None:
        self.decorator = decorator
        self.event_class: Any = decorated_func_callers[decorator]
        _check_explicit_topic_is_registered(self.event_class)
        signature = inspect.signature(decorator.decorated_func)
        self.params = frozenset(signature.parameters) - {"self"}
        # ``_coerce_args_to_kwargs``: keyword defaults the caller left out are given.
        self.defaults = {
            name: p.default
            for name, p in signature.parameters.items()
            if p.kind is p.KEYWORD_ONLY and p.default is not p.empty
        }
        # ``filter_kwargs_for_method_params``: only names the event class takes are passed.
        self.names = frozenset(inspect.signature(self.event_class).parameters)

    def __get__(self, aggregate: BaseAggregate[Any] | None, owner: type) -> Any:
        if aggregate is None:
            return self.decorator.__get__(None, owner)
        return partial(self.trigger, aggregate)

    def trigger(self, aggregate: BaseAggregate[Any], /, **kwargs: Any) -> None:
        """Record the event with these attributes and apply it (``trigger_event``)."""
        if not kwargs.keys() <= self.params:
            unexpected = sorted(kwargs.keys() - self.params)
            msg = f"{self.decorator.decorated_func.__qualname__}() got unexpected {unexpected}"
            raise TypeError(msg)
        names = self.names
        given = {**self.defaults, **kwargs} if self.defaults else kwargs
        state = {name: value for name, value in given.items() if name in names}
        state["originator_id"] = aggregate.id
        state["originator_version"] = aggregate.version + 1
        if state.get("timestamp") is None:
            state["timestamp"] = self.event_class.create_timestamp()
        new_event = self.event_class(**state)
        new_event.mutate(aggregate)
        aggregate.pending_events.append(new_event)


def fast_triggers(cls: type[BaseAggregate[Any]]) -> None:
    """Put a ``FastTrigger`` in place of each ``@event`` method of ``cls`` (not ``__init__``)."""
    for name, value in list(vars(cls).items()):
        if (
            isinstance(value, CommandMethodDecorator)
            and value.decorated_func.__name__ != "__init__"
            and value.decorated_property is None
            and value in decorated_func_callers
        ):
            setattr(cls, name, FastTrigger(value))
