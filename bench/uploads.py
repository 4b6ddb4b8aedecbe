"""Hostile uploads through the Score page's parser: seconds, CPU seconds and peak memory each.

Each case runs in a fresh process (`python bench/uploads.py case NAME`), bounded in time, so
one case's memory is not another's and a runaway parse is stopped, not waited for. The child
builds the file's bytes, resets its peak-RSS mark (/proc/self/clear_refs), calls
`parse_responses` once and prints one JSON line: wall and CPU seconds, the rise of VmHWM over
the RSS before the parse, and the first problem's message. Give `--base REV` to run the same
cases against a commit's parser too, side by side.

The child imports only the standard library before the parser, from whichever tree is first on
PYTHONPATH, so the same file measures today's code and a commit exported beside it. Run as
`python -m bench --uploads [--uploads-base REV]`.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.feather import checkouts

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
TIMEOUT_S = 120.0  # a case still parsing after this is reported as such, and killed
HEADER = b"prompt_uuid,content\n"
DEEP = 10_000


def _csv_ten_million_rows() -> bytes:
    return HEADER + b"x\n" * 10_000_000  # 20 MB, one short response per row


def _sixty_mb() -> bytes:
    return HEADER + b"x\n" * (30 * MiB)


def _utf16(bom: bool) -> bytes:
    rows = b"".join(b"p%07d,a response of a few words\n" % i for i in range(290_000))
    text = (HEADER + rows).decode("ascii")
    return ("\ufeff" if bom else "").encode("utf-16-le") + text.encode("utf-16-le")


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(20 * MiB - 16)


def _xlsx() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/worksheets/sheet1.xml", os.urandom(19 * MiB))
    return buffer.getvalue()


def _random_text_like() -> bytes:
    # Random bytes without NULs: no signature, no NUL, fails only as UTF-8 somewhere.
    return os.urandom(20 * MiB).replace(b"\x00", b"\x01")


def _jsonl_deep() -> bytes:
    return b"[" * DEEP + b"]" * DEEP + b'\n{"prompt_uuid": "p", "content": "x"}\n'


def _jsonl_deep_objects_file() -> bytes:
    line = b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"\n"
    return line * (20 * MiB // len(line))  # a 20 MB file of such lines


def _json_array_deep() -> bytes:
    return b"[" + b"[" * DEEP + b"]" * DEEP + b"]"


def _json_array_twenty_mb_deep() -> bytes:
    return b"[" * (10 * MiB) + b"]" * (10 * MiB)


def _jsonl_ten_million_lines() -> bytes:
    return b"{}\n" * (20 * MiB // 3)


def _json_array_ten_million_items() -> bytes:
    return b"[" + b"{}," * (20 * MiB // 3 - 1) + b"{}]"


def _csv_one_wide_row() -> bytes:
    return HEADER + b"," * (20 * MiB - 64) + b"\n"


def _valid_rows() -> list[dict[str, str]]:
    words = "a response of a few words, some of them repeated, " * 37  # ~1.9 kB
    return [{"prompt_uuid": f"p{i}", "content": f"{i} {words}"} for i in range(10_000)]


def _valid_csv() -> bytes:
    rows = "".join(f'{r["prompt_uuid"]},"{r["content"]}"\n' for r in _valid_rows())
    return HEADER + rows.encode()


def _valid_jsonl() -> bytes:
    return "".join(json.dumps(r) + "\n" for r in _valid_rows()).encode()


def _valid_json() -> bytes:
    return json.dumps(_valid_rows()).encode()


# name -> (file name, bytes, what it is)
CASES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "csv-10m-rows": ("r.csv", _csv_ten_million_rows, "CSV, 20 MB, 10,000,000 rows"),
    "size-60mb": ("r.csv", _sixty_mb, "CSV, 60 MB"),
    "utf16-bom": ("r.csv", lambda: _utf16(True), "UTF-16 LE with BOM, ~20 MB"),
    "utf16-no-bom": ("r.csv", lambda: _utf16(False), "UTF-16 LE without BOM, ~20 MB"),
    "png": ("r.csv", _png, "PNG bytes named .csv, 20 MB"),
    "xlsx": ("r.csv", _xlsx, "xlsx (zip) named .csv, 19 MB"),
    "random": ("r.csv", _random_text_like, "random bytes without NULs, 20 MB"),
    "jsonl-deep": ("r.jsonl", _jsonl_deep, "JSONL, one line nested 10,000 deep"),
    "jsonl-deep-20mb": ("r.jsonl", _jsonl_deep_objects_file, "JSONL, 20 MB of such lines"),
    "json-deep": ("r.json", _json_array_deep, "JSON array, an item nested 10,000 deep"),
    "json-deep-20mb": ("r.json", _json_array_twenty_mb_deep, "JSON, 20 MB nested 10M deep"),
    "jsonl-7m-lines": ("r.jsonl", _jsonl_ten_million_lines, "JSONL, 20 MB of 7M lines"),
    "json-7m-items": ("r.json", _json_array_ten_million_items, "JSON array of 7M items"),
    "csv-wide-row": ("r.csv", _csv_one_wide_row, "CSV, one row of 20M cells"),
    "valid-csv": ("r.csv", _valid_csv, "valid CSV, 10,000 rows, 19 MB (accepted)"),
    "valid-jsonl": ("r.jsonl", _valid_jsonl, "valid JSONL, 10,000 lines, 19 MB (accepted)"),
    "valid-json": ("r.json", _valid_json, "valid JSON array, 10,000 items, 19 MB (accepted)"),
}
KNOWN = frozenset(f"p{i}" for i in range(10_000))


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def run_case(name: str) -> dict[str, object]:
    """In the child: build the case's bytes, parse them once, measure."""
    from reporting.uploads.parse import parse_responses

    file_name, build, _ = CASES[name]
    data = build()
    try:  # reset the peak mark to the current RSS, so building the bytes is not counted
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass
    rss_kb = _status_kb("VmRSS")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    parsed = parse_responses(data, file_name, KNOWN, "Safety eval")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    problems = parsed.problems
    return {
        "case": name,
        "mb": round(len(data) / MiB, 1),
        "s": wall,
        "cpu_s": (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime),
        "peak_mb": max(0, _status_kb("VmHWM") - rss_kb) / 1024,
        "rss_before_mb": rss_kb / 1024,
        "problems": len(problems) + parsed.more_problems,
        "message": str(problems[0]) if problems else f"(accepted: {len(parsed.responses):,})",
    }


def measure(name: str, root: Path) -> dict[str, object]:
    """One case in a fresh process whose parser comes from `root`; its figures."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    try:
        done = subprocess.run(
            [sys.executable, "-P", str(Path(__file__).resolve()), "case", name],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"case": name, "timeout": True}
    if done.returncode != 0:
        return {"case": name, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _figures(result: dict[str, object]) -> str:
    if result.get("timeout"):
        return f"over {TIMEOUT_S:.0f} s (stopped)"
    if "error" in result:
        return f"crashed: {result['error']}"
    return f"{result['s']:.2f} s, CPU {result['cpu_s']:.2f} s, +{result['peak_mb']:,.0f} MB peak"


def run(
    base: str | None, names: list[str] | None = None, say: Callable[[str], None] = print
) -> str:
    """Every case (or those named), each in a fresh process: a Markdown table, per checkout."""
    work = Path(tempfile.mkdtemp(prefix="bench-uploads-"))
    try:
        roots = checkouts(base, work)
        results: dict[str, dict[str, dict[str, object]]] = {}
        for name in names or list(CASES):
            for label, root in roots.items():
                say(f"  {name} ({label}) ...")
                results.setdefault(name, {})[label] = measure(name, root)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    labels = list(roots)
    header = ["Case", *labels, "Message (this checkout)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for name, by_label in results.items():
        mine = by_label["this checkout"]
        message = str(mine.get("message", ""))
        shown = message if len(message) <= 120 else message[:119] + "…"
        cells = [CASES[name][2], *(_figures(by_label[label]) for label in labels), shown]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "case":
        print(json.dumps(run_case(sys.argv[2])))
    else:
        sys.exit("run as: python -m bench --uploads [--uploads-base REV]")
