"""Exception hierarchy of the ARM template evaluator.

Every error raised by :mod:`iacli_azure.arm` derives from :class:`ArmTemplateError`, so a
caller can catch one type.  Messages name the offending function, parameter, variable or
resource, in the spirit of Azure Resource Manager's own ``InvalidTemplate`` errors.
"""

from __future__ import annotations


class ArmTemplateError(Exception):
    """Base class of every error raised while parsing or evaluating an ARM template."""


class TemplateValidationError(ArmTemplateError):
    """The template document itself is malformed (bad ``copy`` block, unknown dependency...)."""


class ExpressionSyntaxError(ArmTemplateError):
    """A ``[...]`` expression could not be tokenized or parsed.

    ``position`` is the 0-based character offset in ``expression`` where the problem was found.
    """

    def __init__(self, message: str, expression: str, position: int) -> None:
        super().__init__(f"{message} at position {position} in expression {expression!r}")
        self.reason = message
        self.expression = expression
        self.position = position


class EvaluationError(ArmTemplateError):
    """An expression is syntactically valid but could not be evaluated.

    ``expression`` is the template string being evaluated when the error happened (set by the
    evaluator; ``None`` when the error did not come from a template string).
    """

    expression: str | None = None


class FunctionArgumentError(EvaluationError):
    """A template function was called with the wrong number or type of arguments."""


class UnsupportedFunctionError(EvaluationError):
    """The expression calls a function that is unknown or that the evaluator does not support."""

    def __init__(self, function_name: str, detail: str = "") -> None:
        message = f"The template function '{function_name}' is not supported"
        super().__init__(f"{message}: {detail}" if detail else message)
        self.function_name = function_name


class ParameterValidationError(ArmTemplateError):
    """A parameter value is missing, unknown, of the wrong type or violates a constraint."""


class DependencyCycleError(ArmTemplateError):
    """The resources' ``dependsOn`` graph (or the variables' references) contain a cycle."""

    def __init__(self, message: str, cycle: tuple[str, ...]) -> None:
        super().__init__(message)
        self.cycle = cycle


class UnsupportedTemplateFeatureError(ArmTemplateError):
    """The template uses a feature the offline evaluator does not implement."""
