#!/usr/bin/env python3
"""Writes (or checks) test/golden/chat_templates.json: llama.cpp's own chat-template cases.

llama.cpp's tests/test-chat-template.cpp renders one conversation with each of 36 real chat
templates through llama_chat_apply_template (its built-in formats, detected from the template
text; not Jinja) and asserts the exact text. This script takes those cases from that file, as
the pinned llama-cpp-python source package vendors it (sha256 checked), so that ingot's chat
formats are checked against llama.cpp's strings without llama.cpp installed.

The file is {"provenance", "conversation": [{"role", "content"}], "cases": [{"name",
"template", "expected", "extra_conversation"}]}; "expected" is the add_generation_prompt=true
rendering of the conversation followed by the case's extra messages.

Usage (standard library only; downloads the sdist with pip):
  python scripts/goldens/make_chat_template_goldens.py            # regenerate
  python scripts/goldens/make_chat_template_goldens.py --check    # recompute, compare
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "test" / "golden" / "chat_templates.json"
SDIST_SPEC = "llama-cpp-python==0.3.36"
SDIST_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
MEMBER = "vendor/llama.cpp/tests/test-chat-template.cpp"

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", "0": "\0"}
# One C++ string literal, optionally u8-prefixed or wrapped in U8C(...).
LITERAL = r'(?:u8)?"(?:[^"\\]|\\.)*"'
FIELD = re.compile(r"/\* \.(\w+)= \*/\s*((?:U8C\()?(?:" + LITERAL + r"\s*)+\)?|\{.*?\}\}?,?\s*$)",
                   re.S | re.M)


def c_string(text: str) -> str:
    """The value of adjacent C++ string literals (simple escapes only, as the file uses)."""
    out = []
    for literal in re.findall(LITERAL, text):
        body = literal[literal.index('"') + 1:-1]
        i = 0
        while i < len(body):
            if body[i] == "\\":
                if body[i + 1] not in ESCAPES:
                    raise ValueError(f"unsupported escape \\{body[i + 1]} in {literal[:60]}")
                out.append(ESCAPES[body[i + 1]])
                i += 2
            else:
                out.append(body[i])
                i += 1
    return "".join(out)


def messages(text: str) -> list[dict]:
    """The {role, content} pairs of a C++ braced list of llama_chat_message."""
    pairs = re.findall(r'\{\s*(' + LITERAL + r')\s*,\s*(' + LITERAL + r')\s*\}', text)
    return [{"role": c_string(role), "content": c_string(content)} for role, content in pairs]


def parse(source: str) -> dict:
    body = source[source.index("int main_automated_tests(void) {"):]
    conversation = messages(body[body.index("std::vector<llama_chat_message> conversation"):
                                 body.index("};")])
    cases_text = body[body.index("std::vector<TestCase> test_cases"):]
    cases_text = cases_text[:cases_text.index("std::vector<char> formatted_chat")]
    cases = []
    for block in re.split(r"\n        \{\n", cases_text)[1:]:
        case = {"extra_conversation": []}
        for key in ("name", "template_str", "expected_output"):
            # (llama.cpp spells one of them "/* .template_str */", without the "=")
            match = re.search(r"/\* \." + key + r"=? \*/\s*((?:U8C\()?(?:" + LITERAL + r"\s*)+)",
                              block)
            if match is None:
                raise ValueError(f"a test case has no {key}: {block[:80]}")
            case[key] = c_string(match.group(1))
        extra = re.search(r"/\* \.extra_conversation= \*/\s*(\{\{.*\}\})", block)
        if extra:
            case["extra_conversation"] = messages(extra.group(1))
        cases.append({"name": case["name"], "template": case["template_str"],
                      "expected": case["expected_output"],
                      "extra_conversation": case["extra_conversation"]})
    return {"conversation": conversation, "cases": cases}


def source_text(work: Path) -> str:
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                    "--no-deps", "--no-binary", ":all:", SDIST_SPEC, "-d", str(work)], check=True)
    sdist = next(work.glob("llama_cpp_python-*.tar.gz"))
    if hashlib.sha256(sdist.read_bytes()).hexdigest() != SDIST_SHA256:
        raise SystemExit(f"{sdist.name} does not have sha256 {SDIST_SHA256}")
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(MEMBER))
        return tar.extractfile(member).read().decode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        data = parse(source_text(Path(work)))
    golden = {"provenance": {"source": f"{SDIST_SPEC} {MEMBER}", "sdist_sha256": SDIST_SHA256},
              **data}
    text = json.dumps(golden, ensure_ascii=False, indent=1) + "\n"
    if args.check:
        if args.out.read_text(encoding="utf-8") != text:
            print(f"{args.out} differs from llama.cpp's cases")
            return 1
        print(f"chat templates: {len(data['cases'])} cases agree with llama.cpp's")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {len(data['cases'])} cases to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
