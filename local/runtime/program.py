"""Loads an inference program (e.g. ml/inference.py) the way SageMaker's framework containers do.

The container imports ``SAGEMAKER_PROGRAM`` from the extracted source directory, calls ``model_fn(model_dir)``
once and then ``output_fn(predict_fn(input_fn(body, content_type), model), accept)`` per request. The local batch
transform runner and the local endpoint share this module so both call the program exactly alike.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Union

HANDLERS = ("model_fn", "input_fn", "predict_fn", "output_fn")

Body = Union[str, bytes, bytearray]


class ProgramError(Exception):
    """The program cannot be loaded or lacks a handler; the message names the file and what is missing."""


def load_program(code_dir: str, program: str) -> ModuleType:
    """Import ``program`` (a file name inside code_dir) as a module, with code_dir on sys.path for its imports."""
    code_dir = os.path.abspath(code_dir)
    path = os.path.join(code_dir, program)
    if not os.path.isfile(path):
        held = ", ".join(sorted(os.listdir(code_dir))) if os.path.isdir(code_dir) else "the folder does not exist"
        raise ProgramError(
            f"program {program!r} is not in code directory {code_dir!r} ({held or 'it is empty'}): "
            "pass --program with the inference script's file name"
        )
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    module_name = os.path.splitext(os.path.basename(program))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ProgramError(f"cannot import {path!r}: it must be a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    missing = [name for name in HANDLERS if not callable(getattr(module, name, None))]
    if missing:
        raise ProgramError(
            f"{path} does not define {', '.join(missing)}: an inference program needs {', '.join(HANDLERS)}"
        )
    return module


@dataclass
class Response:
    body: bytes
    content_type: str


class InferenceProgram:
    """A loaded program with its model: ``invoke`` runs input_fn -> predict_fn -> output_fn."""

    def __init__(self, code_dir: str, program: str, model_dir: str) -> None:
        self.module = load_program(code_dir, program)
        self.model: Any = self.module.model_fn(os.path.abspath(model_dir))

    def payload_error_status(self, error: BaseException) -> int | None:
        """The HTTP status of the program's PayloadError, or None for any other exception."""
        payload_error = getattr(self.module, "PayloadError", None)
        if isinstance(payload_error, type) and isinstance(error, payload_error):
            return int(getattr(error, "status_code", 400))
        return None

    def invoke(self, body: Body, content_type: str | None, accept: str | None) -> Response:
        data = self.module.input_fn(body, content_type)
        prediction = self.module.predict_fn(data, self.model)
        result = self.module.output_fn(prediction, accept)
        response_type = accept or ""
        # sagemaker-inference lets output_fn return (body, content_type).
        if isinstance(result, tuple) and len(result) == 2:
            result, response_type = result
        if isinstance(result, str):
            encoded = result.encode("utf-8")
        elif isinstance(result, (bytes, bytearray)):
            encoded = bytes(result)
        else:
            raise TypeError(f"output_fn returned {type(result).__name__}; it must return str or bytes")
        return Response(body=encoded, content_type=response_type)
