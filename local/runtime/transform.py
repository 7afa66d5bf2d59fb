"""Local batch transform: runs an inference program over files the way a SageMaker Transform job does.

    python local/runtime/transform.py --code-dir DIR --program inference.py --model-dir DIR \\
        --input-dir DIR --output-dir DIR [--content-type text/csv] [--accept text/csv] \\
        [--split-type Line|None] [--batch-strategy SingleRecord|MultiRecord] [--max-payload-mb 6] \\
        [--assemble-with None|Line]

Every file under --input-dir (recursively, sorted; dot-files skipped) becomes ``<output-dir>/<relative path>.out``.
With SplitType Line each non-blank line is a record; MultiRecord sends mini-batches of lines up to the payload
limit (only when both content type and accept are text/csv, the one format whose output splits back into records;
other formats go one record per request). With SplitType None a whole file is one request.

AssembleWith (TransformOutput.AssembleWith) says how the responses make up the output file, as in SageMaker:
``Line`` writes each record's output followed by a newline; ``None`` (SageMaker's default) concatenates the
responses exactly as the program returned them.

Prints a one-line JSON summary on stdout: {"files": n, "records": n}. On an error: exit code 1 and a message that
names the file and line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from typing import Iterator, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from program import InferenceProgram, ProgramError  # noqa: E402

CSV = "text/csv"
ASSEMBLE_WITH = ("None", "Line")


class TransformError(Exception):
    """A record failed; the message names the file and line."""


@dataclass(frozen=True)
class Record:
    line: int  # 1-based line number in the input file (first line of the file for SplitType None)
    text: str


def input_files(input_dir: str) -> list[str]:
    if not os.path.isdir(input_dir):
        raise TransformError(f"input directory {input_dir!r} does not exist: pass --input-dir with the batch input")
    found: list[str] = []
    for root, dirs, files in os.walk(input_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(root, name) for name in sorted(files) if not name.startswith("."))
    if not found:
        raise TransformError(f"no input files under {input_dir!r}: upload the records to transform there first")
    return found


def read_records(path: str, relative: str, split_type: str) -> list[Record]:
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TransformError(f"{relative}: not UTF-8 text ({error}); transform input must be text") from error
    if split_type == "None":
        return [Record(line=1, text=text)] if text.strip() else []
    records = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.strip():
            records.append(Record(line=number, text=line))
    return records


def batches(records: Sequence[Record], multi_record: bool, max_bytes: int, relative: str) -> Iterator[list[Record]]:
    batch: list[Record] = []
    size = 0
    for record in records:
        record_size = len(record.text.encode("utf-8")) + 1
        if record_size > max_bytes:
            raise TransformError(
                f"{relative}:{record.line}: the record is {record_size} bytes, over the {max_bytes}-byte payload "
                "limit: raise --max-payload-mb or split the record"
            )
        if batch and (not multi_record or size + record_size > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += record_size
    if batch:
        yield batch


def _where(relative: str, batch: Sequence[Record]) -> str:
    if len(batch) == 1:
        return f"{relative}:{batch[0].line}"
    return f"{relative}:{batch[0].line}-{batch[-1].line}"


def _describe(program: InferenceProgram, error: Exception) -> str:
    status = program.payload_error_status(error)
    kind = f"rejected with status {status}" if status is not None else f"failed ({type(error).__name__})"
    return f"{kind}: {error}"


def transform_batch(
    program: InferenceProgram, batch: Sequence[Record], relative: str, content_type: str, accept: str, split: bool,
    assemble_with: str,
) -> list[str]:
    """Outputs for a batch: one per record (split=True) or the whole response (split=False), each without its
    trailing newline; with assemble_with None, the response exactly as returned."""
    # Containers hand the program the raw bytes of the mini-batch.
    body = "\n".join(record.text for record in batch).encode("utf-8")
    try:
        response = program.invoke(body, content_type, accept)
    except Exception as error:  # noqa: BLE001 - any program failure is reported with its file and line
        if len(batch) > 1:
            # Find the record that fails so the message can name its line.
            for record in batch:
                transform_batch(program, [record], relative, content_type, accept, split, assemble_with)
        raise TransformError(f"{_where(relative, batch)}: {_describe(program, error)}") from error
    text = response.body.decode("utf-8")
    if assemble_with == "None":
        return [text]
    if not split:
        return [text.rstrip("\n")]
    outputs = text.rstrip("\n").split("\n") if len(batch) > 1 else [text.rstrip("\n").replace("\n", " ")]
    if len(outputs) != len(batch):
        raise TransformError(
            f"{_where(relative, batch)}: the program returned {len(outputs)} output lines for {len(batch)} records; "
            "use --batch-strategy SingleRecord or an accept type with one line per record"
        )
    return outputs


def run_transform(
    code_dir: str,
    program_name: str,
    model_dir: str,
    input_dir: str,
    output_dir: str,
    content_type: str = CSV,
    accept: str = CSV,
    split_type: str = "Line",
    batch_strategy: str = "MultiRecord",
    max_payload_mb: float = 6,
    assemble_with: str = "None",
) -> dict[str, int]:
    if split_type not in ("Line", "None"):
        raise TransformError(f"--split-type {split_type!r} is not supported: use Line or None")
    if batch_strategy not in ("SingleRecord", "MultiRecord"):
        raise TransformError(f"--batch-strategy {batch_strategy!r} is not supported: use SingleRecord or MultiRecord")
    if not 0 < max_payload_mb <= 100:
        raise TransformError(
            f"--max-payload-mb must be in (0, 100] like SageMaker's MaxPayloadInMB, got {max_payload_mb}"
        )
    if assemble_with not in ASSEMBLE_WITH:
        raise TransformError(f"--assemble-with {assemble_with!r} is not supported: use None or Line")
    files = input_files(input_dir)
    try:
        program = InferenceProgram(code_dir, program_name, model_dir)
    except ProgramError as error:
        raise TransformError(str(error)) from error
    except Exception as error:  # noqa: BLE001 - report any import or model_fn failure with its cause
        raise TransformError(
            f"loading {program_name} from {code_dir!r} with the model in {model_dir!r} failed: "
            f"{type(error).__name__}: {error}"
        ) from error
    multi_record = (
        batch_strategy == "MultiRecord"
        and content_type.split(";")[0].strip() == CSV
        and accept.split(";")[0].strip() == CSV
    )
    max_bytes = int(max_payload_mb * 1024 * 1024)
    total_records = 0
    for path in files:
        relative = os.path.relpath(path, input_dir)
        records = read_records(path, relative, split_type)
        outputs: list[str] = []
        for batch in batches(records, multi_record, max_bytes, relative):
            outputs.extend(
                transform_batch(program, batch, relative, content_type, accept, split_type == "Line", assemble_with)
            )
        destination = os.path.join(output_dir, relative + ".out")
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        with open(destination, "w", encoding="utf-8") as handle:
            separator = "\n" if assemble_with == "Line" else ""
            handle.write("".join(output + separator for output in outputs))
        total_records += len(records)
    return {"files": len(files), "records": total_records}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run an inference program over files like a SageMaker Transform job.")
    parser.add_argument("--code-dir", required=True, help="folder holding the program (the extracted source tarball)")
    parser.add_argument("--program", required=True, help="file name of the program, e.g. inference.py")
    parser.add_argument("--model-dir", required=True, help="folder holding the extracted model artifact")
    parser.add_argument("--input-dir", required=True)
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--content-type", default=CSV)
    parser.add_argument("--accept", default=CSV)
    parser.add_argument("--split-type", default="Line", choices=("Line", "None"))
    parser.add_argument("--batch-strategy", default="MultiRecord", choices=("SingleRecord", "MultiRecord"))
    parser.add_argument("--max-payload-mb", type=float, default=6.0)
    parser.add_argument("--assemble-with", default="None", choices=ASSEMBLE_WITH)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        summary = run_transform(
            code_dir=args.code_dir,
            program_name=args.program,
            model_dir=args.model_dir,
            input_dir=args.input_dir,
            output_dir=args.output_dir,
            content_type=args.content_type,
            accept=args.accept,
            split_type=args.split_type,
            batch_strategy=args.batch_strategy,
            max_payload_mb=args.max_payload_mb,
            assemble_with=args.assemble_with,
        )
    except TransformError as error:
        print(f"error: transform failed: {error}", file=sys.stderr)
        return 1
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
