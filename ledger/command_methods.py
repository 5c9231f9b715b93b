"""The ledger's typed command methods: one per command of ``ledger.commands``, from one table.

``AppealsLedger.register_appeal(appeal_id, number=…, actor=…)`` builds ``RegisterAppeal``
from its arguments and executes it: each method takes exactly its command's fields (the
appeal id, the command's own fields, the ``actor``, the business time ``at`` with an optional
``time_reason`` and the ``expected_version``) and returns what was recorded.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import MethodType
from typing import Any, Generic, ParamSpec, Protocol, cast, overload

from ledger import commands
from ledger.records import Recorded

__all__ = ["CommandMethod", "CommandMethods"]

P = ParamSpec("P")


class Executes(Protocol):
    """The ledger a command method executes its command on."""

    def execute(self, command: commands.AppealCommand) -> Recorded: ...


class CommandMethod(Generic[P]):
    """A method that takes its command's arguments, builds the command and executes it.

    The function is built once, named after its attribute and given the command's signature
    and docstring (``help`` and tracebacks name it); an instance binds it as Python binds any
    method.
    """

    def __init__(self, command: Callable[P, commands.AppealCommand]) -> None:
        self.command = command

        def method(ledger: Executes, /, *args: P.args, **kwargs: P.kwargs) -> Recorded:
            return ledger.execute(command(*args, **kwargs))

        fields = inspect.signature(command).parameters.values()
        first = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
        declared: Any = method
        declared.__signature__ = inspect.Signature([first, *fields], return_annotation=Recorded)
        method.__doc__ = self.__doc__ = command.__doc__
        self.function = method

    def __set_name__(self, owner: type, name: str) -> None:
        self.function.__name__ = name
        self.function.__qualname__ = f"{owner.__qualname__}.{name}"

    @overload
    def __get__(self, ledger: None, owner: type) -> CommandMethod[P]: ...

    @overload
    def __get__(self, ledger: Executes, owner: type) -> Callable[P, Recorded]: ...

    def __get__(
        self, ledger: Executes | None, owner: type
    ) -> CommandMethod[P] | Callable[P, Recorded]:
        if ledger is None:
            return self
        return cast(Callable[P, Recorded], MethodType(self.function, ledger))


class CommandMethods:
    """The typed command half of ``AppealsLedger``."""

    register_appeal = CommandMethod(commands.RegisterAppeal)
    categorize_appeal = CommandMethod(commands.CategorizeAppeal)
    assign_appeal = CommandMethod(commands.AssignAppeal)
    forward_appeal = CommandMethod(commands.ForwardAppeal)
    extend_appeal_deadline = CommandMethod(commands.ExtendAppealDeadline)
    answer_appeal = CommandMethod(commands.AnswerAppeal)
    close_appeal = CommandMethod(commands.CloseAppeal)
    reopen_appeal = CommandMethod(commands.ReopenAppeal)
    rate_appeal = CommandMethod(commands.RateAppeal)
    leave_appeal_without_answer = CommandMethod(commands.LeaveAppealWithoutAnswer)
    send_appeal_notice = CommandMethod(commands.SendAppealNotice)
