"""The bootstrap a worker process runs: a small stand-in for the Lambda Python runtime.

    python -I -u local/lambda_runtime.py <parent_pid> <fd> <handler> <code_dir> [<layer_dir> ...]

It is started as a script in isolated mode, so nothing of the repository is importable except
what Lambda would put on sys.path: the function's code directory first, then the layer
directories, then the interpreter's site-packages (standing in for the layer's dependencies).
Like Lambda it imports the handler module once (the init phase), then handles one event at a
time for as long as it lives, with module state kept between invocations (a warm instance).

It talks to the stack over the inherited socket `fd` with length-prefixed JSON messages
(multiprocessing.connection framing), never over stdout/stderr: those stay the function's log
streams, as in Lambda. Standard library only, on purpose.

    worker -> stack   {"type": "ready"} | {"type": "init_error", <error>}
    stack -> worker   {"requestId", "deadlineMs", "invokedFunctionArn", "event"}
    worker -> stack   {"type": "result", "payload"} | {"type": "error", <error>}

<error> is Lambda's shape: errorType, errorMessage, stackTrace.
"""

from __future__ import annotations

import ctypes
import decimal
import importlib
import json
import os
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any


class LambdaContext:
    """The context object Lambda passes to a Python handler."""

    def __init__(self, request_id: str, deadline_ms: int, invoked_function_arn: str):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorType": error_type or type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exception(exc),
    }


def _to_json(value: Any) -> str:
    """Serialize a handler's result the way the Lambda Python runtime does (Decimals as numbers)."""

    def default(obj: Any) -> Any:
        if isinstance(obj, decimal.Decimal):
            return int(obj) if obj == obj.to_integral_value() else float(obj)
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")

    return json.dumps(value, default=default, ensure_ascii=False)


class _InitError(Exception):
    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


def _load_handler(handler: str):
    """Import the handler as the Lambda Python runtime does, with its error types for failures."""
    module_name, _, function_name = handler.rpartition(".")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        message = f"Unable to import module '{module_name}': {exc}"
        raise _InitError("Runtime.ImportModuleError", message) from exc
    except SyntaxError as exc:
        message = f"Syntax error in module '{module_name}': {exc}"
        raise _InitError("Runtime.UserCodeSyntaxError", message) from exc
    try:
        return getattr(module, function_name)
    except AttributeError:
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        raise _InitError("Runtime.HandlerNotFound", message) from None


def _die_with_parent(parent_pid: int) -> None:
    """Linux: get SIGTERM when the stack dies, even by SIGKILL, so no worker outlives it. Set here,
    after exec, rather than in a preexec_fn (unsafe in the stack's multi-threaded process); the
    pid check closes the gap in which the stack could have died before the call."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the closed channel still ends the worker
        return
    if os.getppid() != parent_pid:
        sys.exit(0)


def main(argv: list[str]) -> int:
    parent_pid, fd, handler_name, code_dir, *layer_dirs = argv[1:]
    _die_with_parent(int(parent_pid))
    # The stack stops workers itself; a Ctrl-C in the terminal is for the stack, not for us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.path[:0] = [code_dir, *layer_dirs]
    os.chdir(code_dir)  # Lambda's working directory is the code directory (/var/task)
    channel = Connection(int(fd))

    try:
        handler = _load_handler(handler_name)
    except Exception as exc:  # noqa: BLE001 - an init failure is reported, then the worker ends
        traceback.print_exc()
        failure = _error(exc, exc.error_type if isinstance(exc, _InitError) else None)
        channel.send_bytes(_to_json({"type": "init_error", **failure}).encode())
        return 1
    channel.send_bytes(b'{"type": "ready"}')

    while True:
        try:
            message = json.loads(channel.recv_bytes())
        except (EOFError, OSError):
            return 0  # the stack closed our channel: it is stopping, or it died
        context = LambdaContext(message["requestId"], message["deadlineMs"], message["invokedFunctionArn"])
        try:
            result = handler(message["event"], context)
        except Exception as exc:  # noqa: BLE001 - a handler error is the invocation's result
            request_id = context.aws_request_id
            print(f"[ERROR] {type(exc).__name__}: {exc} (RequestId: {request_id})", file=sys.stderr)
            traceback.print_exc()
            reply = _to_json({"type": "error", **_error(exc)})
        else:
            try:
                reply = _to_json({"type": "result", "payload": result})
            except (TypeError, ValueError) as exc:  # the result is not JSON: Lambda's marshal error
                failure = _error(exc, "Runtime.MarshalError")
                failure["errorMessage"] = f"Unable to marshal response: {exc}"
                reply = _to_json({"type": "error", **failure})
        try:
            channel.send_bytes(reply.encode())
        except OSError:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
