"""SageMaker Runtime's InvokeEndpoint as the AWS SDKs call it (restJson1; botocore's sagemaker-runtime model).

    POST /endpoints/<EndpointName>/invocations
        body: the payload; Content-Type, Accept, X-Amzn-SageMaker-Custom-Attributes, X-Amzn-SageMaker-Inference-Id,
        X-Amzn-SageMaker-Target-Variant, ... headers
    200: the model's answer with Content-Type and x-Amzn-Invoked-Production-Variant
    errors: the shape name in x-amzn-ErrorType, the status of the shape, a JSON body of its members ("Message", ...)

The errors are the operation's: ValidationError (400: a header breaking its constraint, an endpoint name that is not
this endpoint's), ModelError (424: the model answered 4xx/5xx, with OriginalStatusCode and OriginalMessage),
ModelNotReadyException (429), InternalFailure (500), ServiceUnavailable (503), InternalDependencyException (530).
This module holds the contract; serve.py answers with it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

RUNTIME_PATH = re.compile(r"/endpoints/([^/]+)/invocations")
ERROR_TYPE_HEADER = "x-amzn-ErrorType"
REQUEST_ID_HEADER = "x-amzn-RequestId"
INVOKED_VARIANT_HEADER = "x-Amzn-Invoked-Production-Variant"
INFERENCE_ID_HEADER = "X-Amzn-SageMaker-Inference-Id"
MAX_BODY_BYTES = 6291456  # BodyBlob's max: 6 MB
MAX_MESSAGE_CHARS = 2048  # the Message shape's max
# The container that answers in a single-container endpoint, as SageMaker names it in ModelError messages.
CONTAINER_NAME = "primary"

ERROR_STATUS = {
    "ValidationError": 400,
    "ModelError": 424,
    "ModelNotReadyException": 429,
    "InternalFailure": 500,
    "ServiceUnavailable": 503,
    "InternalDependencyException": 530,
}

# The constraints of the operation's input members (botocore's model: min, max, pattern), checked as the service
# does before anything else: (member, header, min length, max length, model pattern, Python pattern, sensitive).
_NAME = "^[a-zA-Z0-9](-*[a-zA-Z0-9])*"
_NAME_PY = r"[a-zA-Z0-9](-*[a-zA-Z0-9])*"
_PRINTABLE = r"\A\S[\p{Print}]*\z"
_PRINTABLE_PY = r"\S[\x20-\x7e]*"
_ASCII = r"\p{ASCII}*"
_ASCII_PY = r"[\x00-\x7f]*"
_HEADER_CONSTRAINTS: Tuple[Tuple[str, str, int, int, str, str, bool], ...] = (
    ("contentType", "Content-Type", 0, 1024, _ASCII, _ASCII_PY, False),
    ("accept", "Accept", 0, 1024, _ASCII, _ASCII_PY, False),
    ("customAttributes", "X-Amzn-SageMaker-Custom-Attributes", 0, 1024, _ASCII, _ASCII_PY, True),
    ("targetModel", "X-Amzn-SageMaker-Target-Model", 1, 1024, _PRINTABLE, _PRINTABLE_PY, False),
    ("targetVariant", "X-Amzn-SageMaker-Target-Variant", 0, 63, _NAME, _NAME_PY, False),
    ("targetContainerHostname", "X-Amzn-SageMaker-Target-Container-Hostname", 0, 63, _NAME, _NAME_PY, False),
    ("inferenceId", INFERENCE_ID_HEADER, 1, 64, _PRINTABLE, _PRINTABLE_PY, False),
    ("enableExplanations", "X-Amzn-SageMaker-Enable-Explanations", 1, 64, ".*", r"[^\r\n]*", False),
    (
        "inferenceComponentName",
        "X-Amzn-SageMaker-Inference-Component",
        0,
        63,
        "^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$",
        r"[a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?",
        False,
    ),
    (
        "sessionId",
        "X-Amzn-SageMaker-Session-Id",
        0,
        256,
        "^(NEW_SESSION)$|^[a-zA-Z0-9](-*[a-zA-Z0-9])*$",
        r"NEW_SESSION|[a-zA-Z0-9](-*[a-zA-Z0-9])*",
        False,
    ),
)

# Features of SageMaker endpoints this local endpoint (one model, one container, one variant) does not have:
# header -> (SDK parameter, what the endpoint lacks).
_UNSUPPORTED = (
    ("X-Amzn-SageMaker-Target-Model", "TargetModel", "is not a multi-model endpoint"),
    ("X-Amzn-SageMaker-Target-Container-Hostname", "TargetContainerHostname", "does not invoke containers directly"),
    ("X-Amzn-SageMaker-Inference-Component", "InferenceComponentName", "hosts no inference components"),
    ("X-Amzn-SageMaker-Session-Id", "SessionId", "has no stateful sessions"),
    ("X-Amzn-SageMaker-Enable-Explanations", "EnableExplanations", "has no Clarify explainer"),
)


@dataclass(frozen=True)
class EndpointIdentity:
    """What the endpoint answers as: its name, its one production variant, the account and region it names."""

    name: str
    variant: str
    account: str
    region: str

    @property
    def log_group_arn(self) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:/aws/sagemaker/Endpoints/{self.name}"


@dataclass(eq=False)
class ServiceError(Exception):
    """An error of the operation: its shape name (``code``), message and other members of the shape."""

    code: str
    message: str
    members: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        Exception.__init__(self, f"{self.code}: {self.message}")

    @property
    def status(self) -> int:
        return ERROR_STATUS[self.code]

    def document(self) -> bytes:
        return json.dumps({"Message": _limit(self.message), **self.members}).encode("utf-8")


def _limit(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 3] + "..."


def new_request_id() -> str:
    return str(uuid.uuid4())


def check_name(what: str, name: str) -> None:
    """Raises ValueError unless ``name`` is a valid EndpointName / VariantName."""
    if len(name) > 63 or re.fullmatch(_NAME_PY, name) is None:
        raise ValueError(
            f"{what} {name!r} is not a SageMaker endpoint or variant name: use 1 to 63 letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )


def _violations(member: str, value: str, low: int, high: int, pattern: str, python: str, sensitive: bool) -> List[str]:
    shown = "Value" if sensitive else f"Value '{value}'"
    found = []
    if len(value) < low:
        found.append(f"{shown} at '{member}' failed to satisfy constraint: Member must have length greater than or "
                     f"equal to {low}")
    if len(value) > high:
        found.append(f"{shown} at '{member}' failed to satisfy constraint: Member must have length less than or "
                     f"equal to {high}")
    if re.fullmatch(python, value) is None:
        found.append(f"{shown} at '{member}' failed to satisfy constraint: Member must satisfy regular expression "
                     f"pattern: {pattern}")
    return found


def _validation_error(violations: List[str]) -> ServiceError:
    count = len(violations)
    return ServiceError(
        "ValidationError", f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(violations)}"
    )


def body_too_large(length: int) -> ServiceError:
    return _validation_error(
        [f"Value at 'body' failed to satisfy constraint: Member must have length less than or equal to {MAX_BODY_BYTES}"
         f" (the request has {length} bytes: send fewer rows per request, or use batch transform)"]
    )


def check_request(identity: EndpointIdentity, endpoint_name: str, headers: Mapping[str, str]) -> None:
    """Raises the ValidationError SageMaker Runtime answers this request with, if any."""
    violations = _violations("endpointName", endpoint_name, 0, 63, _NAME, _NAME_PY, False)
    for member, header, low, high, pattern, python, sensitive in _HEADER_CONSTRAINTS:
        value = headers.get(header)
        if value is not None:
            violations += _violations(member, value, low, high, pattern, python, sensitive)
    if violations:
        raise _validation_error(violations)
    if endpoint_name != identity.name:
        raise ServiceError("ValidationError", f"Endpoint {endpoint_name} of account {identity.account} not found.")
    variant = headers.get("X-Amzn-SageMaker-Target-Variant")
    if variant is not None and variant != identity.variant:
        raise ServiceError(
            "ValidationError",
            f"Target variant {variant} is not a production variant of endpoint {identity.name}: its one variant is "
            f"{identity.variant}; send that or no TargetVariant.",
        )
    for header, parameter, lack in _UNSUPPORTED:
        if headers.get(header) is not None:
            raise ServiceError(
                "ValidationError", f"Endpoint {identity.name} {lack}: call InvokeEndpoint without {parameter}."
            )


def model_error(identity: EndpointIdentity, status: int, original_message: str) -> ServiceError:
    """The ModelError of a model (container) that answered ``status`` (4xx/5xx) with ``original_message``."""
    side = "client" if status < 500 else "server"
    return ServiceError(
        "ModelError",
        f'Received {side} error ({status}) from {CONTAINER_NAME} with message "{original_message}". See the local '
        f"endpoint's log (the stderr of local/runtime/serve.py) for endpoint {identity.name} in account "
        f"{identity.account} for more information.",
        {
            "ErrorCode": f"{side.upper()}_ERROR_FROM_MODEL",
            "OriginalStatusCode": status,
            "OriginalMessage": _limit(original_message),
            "LogStreamArn": identity.log_group_arn,
        },
    )


def service_unavailable(identity: EndpointIdentity) -> ServiceError:
    return ServiceError(
        "ServiceUnavailable", f"Endpoint {identity.name} is shutting down and takes no new invocations: try again."
    )


def internal_failure(error: BaseException) -> ServiceError:
    return ServiceError("InternalFailure", f"The local endpoint failed: {type(error).__name__}: {error}")
