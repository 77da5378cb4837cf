"""Offline evaluator for the ARM template language (deploymentTemplate 2019-04-01 schema).

The package is pure Python and has no Azure SDK dependency:

* :mod:`.expressions` tokenizes and parses ``[...]`` template expressions into an AST;
* :mod:`.functions` is the registry of template functions (``concat``, ``resourceId``, ...);
* :mod:`.evaluator` resolves parameters and variables, evaluates any JSON value, expands
  resource/property/variable/output ``copy`` loops and orders resources for deployment.
"""

from .errors import (
    ArmTemplateError,
    DependencyCycleError,
    EvaluationError,
    ExpressionSyntaxError,
    FunctionArgumentError,
    ParameterValidationError,
    TemplateValidationError,
    UnsupportedFunctionError,
    UnsupportedTemplateFeatureError,
)
from .evaluator import (
    CopyInfo,
    DeploymentInfo,
    EvaluationContext,
    ExpandedResource,
    ListRequest,
    NestedDeployment,
    ReferenceRequest,
    ResourceGroupInfo,
    SubscriptionInfo,
    TenantInfo,
    deployment_batches,
    deployment_order,
    evaluate,
    evaluate_outputs,
    expand_resources,
    parameter_values_from_file,
    placeholder_list_resolver,
)
from .expressions import Expr, is_expression, parse_expression, parse_template_string
from .functions import FUNCTIONS, supported_function_names

__all__ = [
    "FUNCTIONS",
    "ArmTemplateError",
    "CopyInfo",
    "DependencyCycleError",
    "DeploymentInfo",
    "EvaluationContext",
    "EvaluationError",
    "ExpandedResource",
    "Expr",
    "ExpressionSyntaxError",
    "FunctionArgumentError",
    "ListRequest",
    "NestedDeployment",
    "ParameterValidationError",
    "ReferenceRequest",
    "ResourceGroupInfo",
    "SubscriptionInfo",
    "TemplateValidationError",
    "TenantInfo",
    "UnsupportedFunctionError",
    "UnsupportedTemplateFeatureError",
    "deployment_batches",
    "deployment_order",
    "evaluate",
    "evaluate_outputs",
    "expand_resources",
    "is_expression",
    "parameter_values_from_file",
    "parse_expression",
    "parse_template_string",
    "placeholder_list_resolver",
    "supported_function_names",
]
