"""The tokenizer golden corpus: hand-written lines plus seeded generated ones.

Pure standard library and deterministic: the same lines on every machine and
Python version (random.Random with a fixed seed; no set or dict ordering
that depends on hashing). Each entry is (category, bytes).
"""

from __future__ import annotations

import random

SEED = 20241123

# ----------------------------------------------------------------------------
# Hand-written lines, by category.

PROSE = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "It was the best of times, it was the worst of times, it was the age of wisdom.",
    "Call me Ishmael. Some years ago - never mind how long precisely - I thought I would sail about a little.",
    "In 1969, Neil Armstrong became the first person to walk on the Moon.",
    "She said, \"Don't worry; it'll be fine!\" and left.",
    "Mr. Smith (the CEO) arrived at 9:30 a.m. -- late, as usual...",
    "Wait... what?! Really?!? No way!!!",
    "A sentence with  two spaces and   three spaces.",
    "hello\nworld",
    "line one\r\nline two\r\n",
    "  leading spaces",
    "trailing spaces   ",
    "\ttab at the start",
    "tab\tin\tthe\tmiddle",
    "UPPERCASE SHOUTING TEXT",
    "MiXeD cAsE tExT",
    "camelCaseIdentifier and snake_case_identifier and kebab-case-identifier",
    "e.g., i.e., etc., vs., a.k.a.",
    "The year 2024 had 366 days; 2023 had 365.",
    "Pi is approximately 3.14159265358979323846.",
    "\"Quoted\" 'single' `backtick` \u201ccurly\u201d \u2018single curly\u2019",
    "Em dash\u2014en dash\u2013hyphen-minus\u2212minus",
    "Ellipsis\u2026 and bullet \u2022 and section \u00a7 and pilcrow \u00b6",
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9 co\u00f6perate fa\u00e7ade \u00fcber Stra\u00dfe",
]

CONTRACTIONS = [
    "I'm sure you're right, but they've said we'll see what he'd do.",
    "It's John's book, isn't it? Don't, can't, won't, shouldn't.",
    "WE'LL SEE. THEY'RE HERE. IT'S OK. I'M FINE. YOU'VE WON. HE'D GO. DON'T.",
    "We'Ll mixed 'LL 'lL 'Ll 'S 'T 'Re 'rE 'Ve 'M 'D",
    "'s 't 're 've 'm 'll 'd",
    "'s't're've'm'll'd",
    "rock 'n' roll, 'tis the season, 'twas, ma'am, o'clock, y'all",
    "the dogs' bones, the boss's desk, James' car",
    "don\u2019t it\u2019s we\u2019ll (curly apostrophes)",
    "'sup 'til 'cause 'em",
    "a ' b ' c",
    " ' ",
    "x 's y 'm z 're w 've v 't u 'd q 'll",
    "Hello , world . How are you ? Fine !",
    "He said ' hello ' and left .",
]

CODE = [
    "def fibonacci(n: int) -> int:",
    "    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)",
    "import numpy as np\nx = np.linspace(0, 2 * np.pi, 100)\ny = np.sin(x) ** 2",
    "class Foo(Bar):\n    def __init__(self, *args, **kwargs):\n        super().__init__(*args, **kwargs)",
    "print(f\"{name!r:>10} = {value:.3f}\")",
    "lambda x: [i for i in range(x) if i % 2 == 0]",
    "#include <iostream>\nint main() {\n    std::cout << \"Hello, world!\" << std::endl;\n    return 0;\n}",
    "template <typename T> constexpr auto square(T x) -> decltype(x * x) { return x * x; }",
    "std::vector<std::unique_ptr<Node>> nodes; nodes.emplace_back(std::make_unique<Node>(42));",
    "for (size_t i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
    "#define MAX(a, b) ((a) > (b) ? (a) : (b))",
    "fn main() {\n    let v: Vec<i32> = (0..10).map(|x| x * x).collect();\n    println!(\"{:?}\", v);\n}",
    "impl<'a, T: Clone + Send> Iterator for Iter<'a, T> { type Item = &'a T; }",
    "match result { Ok(v) => v, Err(e) => return Err(e.into()), }",
    "const add = (a, b) => a + b;\nconsole.log(`sum: ${add(1, 2)}`);",
    "async function fetchData(url) { const res = await fetch(url); return res.json(); }",
    "document.querySelectorAll('.item').forEach(el => el.classList.toggle('active'));",
    "SELECT u.id, u.name, COUNT(o.id) AS orders FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id HAVING COUNT(o.id) > 5 ORDER BY orders DESC;",
    "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y');",
    "CREATE TABLE IF NOT EXISTS events (id BIGSERIAL PRIMARY KEY, ts TIMESTAMPTZ NOT NULL DEFAULT now());",
    "#!/bin/bash\nset -euo pipefail\nfor f in *.txt; do wc -l \"$f\"; done",
    "find . -name '*.py' -exec grep -l 'TODO' {} \\; | xargs -I{} sh -c 'echo {}'",
    "export PATH=\"$HOME/.local/bin:$PATH\" && cd /tmp && ls -la | grep ^d",
    "git commit -m \"fix: handle edge case\" && git push origin main --force-with-lease",
    "curl -sSL -X POST -H 'Content-Type: application/json' -d '{\"a\":1}' https://api.example.com/v1/items",
    "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}",
    "<div class=\"container\"><p id='x'>Hello &amp; welcome</p><br/></div>",
    "body { margin: 0; padding: 0 1rem; font-family: -apple-system, sans-serif; }",
    "{\"name\": \"ingot\", \"version\": \"0.1.0\", \"tags\": [\"llm\", \"aot\"], \"nested\": {\"a\": null, \"b\": true}}",
    "key: value\nlist:\n  - one\n  - two\nnested:\n  deep: 3",
    "x+=1;y-=2;z*=3;w/=4;v%=5;u**=6;t//=7;s&=8;r|=9;q^=10;p<<=1;o>>=2",
    "if (a && b || !c) { return a != b ? a : b; } else if (x <= y && y >= z) {}",
    "arr[i][j] = (arr[i-1][j] + arr[i][j-1]) % 1000000007;",
    "    \t    mixed indentation line",
    "\t\t\tdeeply_indented();",
    "x = 0x1F; y = 0b1010; z = 0o17; w = 1_000_000; f = 1e-9; g = 6.022e23",
    "// comment\n/* block\n   comment */\n# python comment\n-- sql comment",
    "\\documentclass{article}\n\\begin{equation} E = mc^2 \\end{equation}",
    "regex = r'^(?P<user>[\\w.+-]+)@(?P<domain>[\\w-]+\\.[\\w.]+)$'",
    "a===b!==c<=>d=>e->f::g..h...i",
]

NUMBERS = [
    "0", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678901234567890",
    "3.14", "-42", "+7", "1,000,000", "1.000.000,50", "1e10", "6.02214076e23", "0.000001",
    "2024-01-15", "2024-01-15T13:45:30Z", "15/01/2024", "01.15.2024", "13:45:30.123",
    "$1,234.56", "\u20ac99.99", "\u00a3100", "\u00a5500", "100%", "50\u00b0C", "3/4", "1:2:3",
    "+1 (555) 123-4567", "ISBN 978-3-16-148410-0", "v1.2.3-beta.4+build.567",
    "192.168.0.1", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "0xDEADBEEF",
    "\u00bd \u00bc \u00be \u2153 \u215e", "\u00b2 \u00b3 \u00b9 \u2070 \u2074", "\u2460\u2461\u2462 \u2474\u2475",
    "\u2160 \u2161 \u2162 \u216b \u217f", "\u0660\u0661\u0662\u0663 \u06f4\u06f5", "\u0966\u0967\u0968\u0969",
    "\u0e51\u0e52\u0e53", "\uff11\uff12\uff13", "\U0001d7ce\U0001d7cf\U0001d7d0", "1\u00a0000", "12 345 678",
]

WHITESPACE = [
    " ", "  ", "   ", "    ", "        ", "\t", "\t\t", "\n", "\n\n", "\n\n\n", "\r\n", "\r", "\r\r\n\n",
    " \n", "\n ", " \n ", "a \n b", "a  \n  b", "a\t\nb", "a \t b", "word \t\n \t word",
    "end with space ", "end with two spaces  ", "end with tab\t", "end with newline\n",
    "   three leading", "x" + " " * 40 + "y", "\t" * 12 + "tabs", "a\u00a0b", "a\u00a0\u00a0b",
    "a\u3000b", "\u3000\u3000indent", "a\u2028b", "a\u2029b", "a\u0085b", "a\u000bb", "a\u000cb",
    "a\u001cb\u001db\u001eb\u001fb", "a\u200bb", "a\u2009b\u200ab", "a\u202fb\u205fb", "a\u1680b",
    "a \u00a0 b", "\u00a0leading nbsp", "trailing nbsp\u00a0", " \u2003 \u2003 ", "a\u200db",
    "\u00a0\u00a0\u00a0", "\n\u00a0\n", "x \u3000 y", "\t \t \t", " \t", "\t ",
]

MULTILINGUAL = [
    # Chinese, Japanese, Korean
    "\u4f60\u597d\uff0c\u4e16\u754c\uff01",
    "\u4eca\u5929\u5929\u6c14\u5f88\u597d\uff0c\u6211\u4eec\u53bb\u516c\u56ed\u6563\u6b65\u5427\u3002",
    "\u673a\u5668\u5b66\u4e60\u662f\u4eba\u5de5\u667a\u80fd\u7684\u4e00\u4e2a\u5206\u652f\u3002",
    "\u3053\u3093\u306b\u3061\u306f\u3001\u4e16\u754c\u3002\u79c1\u306f\u5b66\u751f\u3067\u3059\u3002",
    "\u30ab\u30bf\u30ab\u30ca\u3068\u3072\u3089\u304c\u306a\u3068\u6f22\u5b57\u3092\u6df7\u305c\u308b\u3002\uff8a\uff9d\uff76\uff78",
    "\uc548\ub155\ud558\uc138\uc694, \uc138\uacc4! \ud55c\uad6d\uc5b4\ub97c \uacf5\ubd80\ud569\ub2c8\ub2e4.",
    "\u4e2d\u6587English\u6df7\u5408123\u6570\u5b57",
    # Arabic, Hebrew, Persian
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u0627\u0644\u0644\u063a\u0629 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u062c\u0645\u064a\u0644\u0629 \u062c\u062f\u064b\u0627.",
    "\u0628\u0650\u0633\u0652\u0645\u0650 \u0627\u0644\u0644\u0651\u064e\u0647\u0650",
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
    "\u0633\u0644\u0627\u0645 \u062f\u0646\u06cc\u0627",
    # Hindi and other Indic
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
    "\u0939\u093f\u0928\u094d\u0926\u0940 \u092d\u093e\u0937\u093e \u092c\u0939\u0941\u0924 \u0938\u0941\u0902\u0926\u0930 \u0939\u0948\u0964",
    "\u0bb5\u0ba3\u0b95\u0bcd\u0b95\u0bae\u0bcd \u0b89\u0bb2\u0b95\u0bae\u0bcd",
    "\u09b9\u09cd\u09af\u09be\u09b2\u09cb \u09ac\u09bf\u09b6\u09cd\u09ac",
    # Cyrillic, Greek
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!",
    "\u0411\u044b\u0441\u0442\u0440\u0430\u044f \u043a\u043e\u0440\u0438\u0447\u043d\u0435\u0432\u0430\u044f \u043b\u0438\u0441\u0430 \u043f\u0440\u044b\u0433\u0430\u0435\u0442 \u0447\u0435\u0440\u0435\u0437 \u043b\u0435\u043d\u0438\u0432\u0443\u044e \u0441\u043e\u0431\u0430\u043a\u0443.",
    "\u0423\u043a\u0440\u0430\u0457\u043d\u0441\u044c\u043a\u0430 \u043c\u043e\u0432\u0430: \u0457\u0436\u0430\u043a, \u0491\u0430\u043d\u043e\u043a.",
    "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03ba\u03cc\u03c3\u03bc\u03b5",
    # Thai, Vietnamese, others
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e0a\u0e32\u0e27\u0e42\u0e25\u0e01",
    "Xin ch\u00e0o th\u1ebf gi\u1edbi, ti\u1ebfng Vi\u1ec7t c\u00f3 d\u1ea5u.",
    "\u10d2\u10d0\u10db\u10d0\u10e0\u10ef\u10dd\u10d1\u10d0 \u0532\u0561\u0580\u0565\u0582 \u1230\u120b\u121d",
    "Z\u00fcrich, K\u00f8benhavn, \u0141\u00f3d\u017a, Reykjav\u00edk, \u0130stanbul",
]

EMOJI = [
    "\U0001f600", "\U0001f600\U0001f603\U0001f604\U0001f601", "I love \U0001f355 and \U0001f354!",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", "\U0001f469\u200d\U0001f4bb coding",
    "\U0001f44d\U0001f3fb\U0001f44d\U0001f3fc\U0001f44d\U0001f3fd\U0001f44d\U0001f3fe\U0001f44d\U0001f3ff",
    "\U0001f1fa\U0001f1f8\U0001f1ef\U0001f1f5\U0001f1e9\U0001f1ea", "\u2764\ufe0f \u2764 \u2763\ufe0f",
    "1\ufe0f\u20e3 #\ufe0f\u20e3 *\ufe0f\u20e3", "\U0001f3f3\ufe0f\u200d\U0001f308 \U0001f3f4\u200d\u2620\ufe0f",
    "\U0001f9d1\U0001f3fd\u200d\U0001f91d\u200d\U0001f9d1\U0001f3fb", "\u263a\ufe0e text style vs \u263a\ufe0f emoji style",
    "emoji\U0001f680in\U0001f30dthe\U0001f525middle", "\U0001faf6\U0001fae0\U0001fae1", "\u2728\u2b50\U0001f31f",
    "(\u256f\u00b0\u25a1\u00b0)\u256f\ufe35 \u253b\u2501\u253b", "\u00af\\_(\u30c4)_/\u00af", "\u2190\u2191\u2192\u2193\u2194 \u21d2 \u2200\u2203\u2208\u2211\u220f\u221a\u221e",
]

COMBINING = [
    "e\u0301", "cafe\u0301 vs caf\u00e9", "n\u0303 o\u0308 a\u030a", "a\u0300\u0301\u0302\u0303\u0304",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u036b\u0357\u0334\u0362\u0335\u031c\u0330\u0354L\u0368\u0367\u0369\u0358\u0320G\u0311\u0357\u030e\u0305\u035b\u0341\u0334\u033b\u0348\u034d\u0354\u0339O\u0342\u030c\u030c\u0358\u0328\u0335\u0339\u033b\u031d\u0333",
    "\u0915\u094d\u0937 \u0924\u094d\u0930 \u091c\u094d\u091e", "\u1100\u1161\u11a8 (conjoining jamo)",
    "\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd", "x\u20d7 y\u20d1", "\u0041\u030a\u0042\u0327",
    "\u0301 leading combining mark", "123\u0301", " \u0301", "\u200c\u200d zwnj zwj", "o\u0336v\u0336e\u0336r\u0336",
]

SPECIAL_LOOKALIKES = [
    "<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>",
    "Text with <|im_start|> inside it.",
    "<|im_st", "<|im_start", "<|im_start|", "im_start|>", "<|im_end", "<|endoftext", "|>",
    "<|im_start|><|im_end|><|endoftext|>", "<|im_start|><|im_start|>", "<|<|im_start|>|>",
    "<<|im_end|>>", "<|endoftext|>The end", "before<|endoftext|>after", "<|IM_START|>",
    "< |im_start| >", "<|im_start |>", "<|im_start|>\n<|im_start|>\n", " <|im_end|> ",
    "<repo_name>ingot<file_sep>src/main.cpp<filename>x", "<reponame> <gh_stars>100",
    "<issue_start><issue_comment><issue_closed>", "<jupyter_start><jupyter_text><jupyter_code><jupyter_output><jupyter_script><empty_output>",
    "<filename>README.md</filename>", "<file_sep", "<empty_output", "<s></s><unk><pad>",
    "<|begin_of_text|><|eot_id|>", "[INST] hi [/INST]", "<|im_start|>user\n\u4f60\u597d<|im_end|>",
    "\U0001f600<|im_end|>\U0001f600", "<|im_end|>" * 5, "a<|im_end|>b<|im_start|>c<|endoftext|>d",
]

URLS_MARKDOWN = [
    "https://www.example.com/path/to/page?query=1&other=two#section",
    "http://localhost:8080/api/v2/users/123/orders?sort=desc&limit=50",
    "ftp://files.example.org/pub/file-1.2.3.tar.gz",
    "mailto:john.doe+tag@example.co.uk", "user@sub.domain.example.com",
    "https://en.wikipedia.org/wiki/Byte_pair_encoding", "www.example.com/a_b-c.d~e",
    "https://example.com/%E4%BD%A0%E5%A5%BD?q=%20space", "C:\\Users\\Admin\\Documents\\file.txt",
    "/usr/local/lib/python3.11/site-packages/numpy/__init__.py", "../relative/path/./to/../file",
    "# Heading 1", "## Heading 2 with `code`", "### Heading 3", "- item one\n- item two\n  - nested item",
    "1. first\n2. second\n3. third", "**bold** and *italic* and ***both*** and ~~strike~~",
    "[a link](https://example.com \"title\") and ![image](img.png)", "> a quote\n>> nested quote",
    "```python\nprint('hi')\n```", "| a | b | c |\n|---|:-:|--:|\n| 1 | 2 | 3 |", "---", "***",
    "Inline `code` and ``double `backtick` code``", "<https://autolink.example>", "Footnote[^1]\n\n[^1]: note",
    "- [ ] todo\n- [x] done", "Setext heading\n==============",
]

INVALID_UTF8 = [
    b"\x80", b"\xbf", b"\x80\x80\x80", b"\xc0", b"\xc1\xbf", b"\xc0\x80", b"\xc0\xaf", b"\xe0\x80\x80",
    b"\xe0\x80\xaf", b"\xf0\x80\x80\x80", b"\xf0\x80\x80\xaf", b"\xed\xa0\x80", b"\xed\xbf\xbf",
    b"\xed\xa0\xbd\xed\xb8\x80", b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80", b"\xfe", b"\xff",
    b"\xfe\xff", b"\xff\xfe\x00h\x00i", b"\xe2\x82", b"\xe2\x82 euro", b"\xf0\x9f\x98", b"\xf0\x9f\x98 smile",
    b"abc\xc3", b"\xc3(", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xe2\x82\x28", b"\xf0\x28\x8c\xbc",
    b"\xf0\x90\x28\xbc", b"\xf0\x28\x8c\x28", b"Hello \xff World", b"caf\xe9", b"na\xefve r\xe9sum\xe9",
    b"\xc3\xa9\x80\xc3\xa9", b"<|im_start|>\xff<|im_end|>", b"\x00", b"a\x00b\x00c", b"\xef\xbb\xbfBOM",
    b"\xef\xbf\xbe\xef\xbf\xbf", b"\xf4\x8f\xbf\xbf", b"\xf0\x9f\x98\x80\x80", b"12\xff34", b"  \xff  ",
    b"\x7f\x80\x81", b"\xc2\x80\xc2\x85\xc2\xa0",
]

# 4-byte forms above U+10FFFF: llama.cpp throws std::invalid_argument out of
# llama_tokenize and the process aborts, so the peer has no ids for these.
PEER_ABORTS = [b"\xf4\x90\x80\x80", b"\xf7\xbf\xbf\xbf", b"ok \xf5\x80\x80\x80 ok"]

CONTROL_AND_ODD = [
    "\x00", "\x01\x02\x03", "\x07bell", "\x1b[31mred\x1b[0m", "\x7f", "\u0080\u0081\u009f",
    "\ufeffBOM at start", "\ue000\uf8ff private use", "\U000f0000\U0010fffd", "\ufffe\uffff",
    "\ufffd replacement", "\u00ad soft\u00adhyphen", "\u2060\u2061\u2062", "\u202eRTL override\u202c",
    "\u200e\u200f marks", "\U0001d400\U0001d401\U0001d402 math bold", "\uff21\uff22\uff23 fullwidth",
    "\u2126 \u212b \u212a", "\u0130\u0131 \u017f \u1e9e", "\ufb01\ufb02 ligatures", "\u3164 hangul filler",
    "\U000e0041\U000e0042 tags", "a\ufe00b\ufe0fc", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
]

# ----------------------------------------------------------------------------
# Generated lines.

WORDS = (
    "the of and to in is was for on that with as by at from his her they this have had not are "
    "but were which be one all we there their been has when who will more no if out so said what "
    "up its about into than them can only other new some could time these two may then do first any "
    "my now such like our over man me even most made after also did many before must through back "
    "years where much your way well down should because each just those people how too little state "
    "good very make world still own see men work long get here between both life being under never "
    "day same another know while last might us great old year off come since against go came right "
    "used take three tokenizer merges vocabulary inference compiler runtime kernel tensor attention"
).split()

CODE_IDENTS = "foo bar baz qux data result value index count buffer offset length size node tree list map".split()

SCRIPT_RANGES = [
    (0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x00FF), (0x0100, 0x017F), (0x0370, 0x03FF),
    (0x0400, 0x04FF), (0x0530, 0x058F), (0x05D0, 0x05EA), (0x0620, 0x064A), (0x0900, 0x097F),
    (0x0E01, 0x0E5B), (0x1100, 0x11FF), (0x3041, 0x3096), (0x30A1, 0x30FA), (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3), (0x2000, 0x206F), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2500, 0x257F),
    (0x1F300, 0x1F5FF), (0x1F600, 0x1F64F), (0x0300, 0x036F), (0x0030, 0x0039), (0x0021, 0x002F),
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(4, 18))]
    words[0] = words[0].capitalize()
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.replace(" ", ", ", 1)
    return text + rng.choice([".", ".", ".", "?", "!", "...", ";", ":"])


def _code_line(rng: random.Random) -> str:
    a, b, c = (rng.choice(CODE_IDENTS) for _ in range(3))
    n = rng.randint(0, 999)
    templates = [
        f"{a} = {b}[{n}] + {c}",
        f"    if {a} is None:\n        return {b}",
        f"for (int {a} = 0; {a} < {n}; {a}++) {{ {b}[{a}] = {c}; }}",
        f"let {a}: Vec<u{rng.choice([8, 16, 32, 64])}> = {b}.iter().map(|x| x + {n}).collect();",
        f"const {a} = {b}.filter(({c}) => {c}.id !== {n});",
        f"SELECT {a}, {b} FROM {c} WHERE {a} > {n};",
        f"echo \"${a}\" | grep -c '{b}' >> /tmp/{c}.log",
        f"def {a}_{b}(self, {c}={n}):",
        f"{a}->{b}.{c}({n}, &{a}_{n});",
        f"#define {a.upper()}_{b.upper()} {n}",
    ]
    return rng.choice(templates)


def _number_line(rng: random.Random) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return str(rng.randint(0, 10 ** rng.randint(1, 25)))
    if kind == 1:
        return f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 8)}f}"
    if kind == 2:
        return f"{rng.randint(1900, 2100):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == 3:
        return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    if kind == 4:
        return f"${rng.randint(0, 99999):,}.{rng.randint(0, 99):02d}"
    if kind == 5:
        return " ".join(str(rng.randint(0, 9999)) for _ in range(rng.randint(2, 8)))
    if kind == 6:
        return f"{rng.random():.3e}"
    return f"{rng.choice(WORDS)}{rng.randint(0, 999)}{rng.choice(WORDS)}"


def _whitespace_line(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(2, 6)):
        parts.append(rng.choice(WORDS))
        parts.append("".join(rng.choice([" ", " ", "\t", "\n", "\r\n", "\u00a0", "\u3000"])
                             for _ in range(rng.randint(1, 6))))
    return "".join(parts)


def _random_unicode_line(rng: random.Random) -> str:
    chars = []
    for _ in range(rng.randint(3, 30)):
        lo, hi = rng.choice(SCRIPT_RANGES)
        chars.append(chr(rng.randint(lo, hi)))
        if rng.random() < 0.2:
            chars.append(" ")
    return "".join(chars)


def _long_line(rng: random.Random, i: int) -> str:
    kind = i % 8
    n = rng.randint(200, 700)
    if kind == 0:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
    if kind == 1:
        return "a" * n
    if kind == 2:
        return "".join(rng.choice("0123456789") for _ in range(n))
    if kind == 3:
        return " " * n + "x"
    if kind == 4:
        return "https://example.com/" + "/".join(rng.choice(WORDS) for _ in range(n // 6))
    if kind == 5:
        return "\u4e00" * (n // 3) + "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(n // 3))
    if kind == 6:
        return "".join(rng.choice(["\U0001f600", "\U0001f44d\U0001f3fd", "\u2764\ufe0f"]) for _ in range(n // 4))
    return "Pneumonoultramicroscopicsilicovolcanoconiosis" * (n // 45)


def _invalid_line(rng: random.Random) -> bytes:
    out = bytearray()
    for _ in range(rng.randint(2, 10)):
        choice = rng.randrange(5)
        if choice == 0:
            out += rng.choice(WORDS).encode()
        elif choice == 1:
            out.append(rng.randint(0x80, 0xFF))
        elif choice == 2:
            out += chr(rng.randint(0x80, 0xFFFF) if rng.random() < 0.5 else rng.randint(0x1F300, 0x1F64F)).encode(
                "utf-8", "surrogatepass")[: rng.randint(1, 3)]
        elif choice == 3:
            out += b" "
        else:
            out += "\u00e9\u4e2d\U0001f600".encode()
    return bytes(out)


def corpus() -> list[tuple[str, bytes]]:
    """Every corpus line as (category, bytes), in a fixed order."""
    rng = random.Random(SEED)
    lines: list[tuple[str, bytes]] = [("empty", b"")]
    hand = [("prose", PROSE), ("contractions", CONTRACTIONS), ("code", CODE), ("numbers", NUMBERS),
            ("whitespace", WHITESPACE), ("multilingual", MULTILINGUAL), ("emoji", EMOJI),
            ("combining", COMBINING), ("special_lookalike", SPECIAL_LOOKALIKES),
            ("url_markdown", URLS_MARKDOWN), ("control_odd", CONTROL_AND_ODD)]
    for category, items in hand:
        lines += [(category, s.encode("utf-8", "surrogatepass")) for s in items]
    lines += [("invalid_utf8", b) for b in INVALID_UTF8]
    lines += [("peer_aborts", b) for b in PEER_ABORTS]
    generated = [("gen_prose", lambda i: _sentence(rng) + (" " + _sentence(rng) if i % 3 == 0 else ""), 220),
                 ("gen_code", lambda i: _code_line(rng), 130), ("gen_numbers", lambda i: _number_line(rng), 100),
                 ("gen_whitespace", lambda i: _whitespace_line(rng), 60),
                 ("gen_unicode", lambda i: _random_unicode_line(rng), 120),
                 ("gen_long", lambda i: _long_line(rng, i), 24)]
    for category, make, count in generated:
        lines += [(category, make(i).encode("utf-8", "surrogatepass")) for i in range(count)]
    lines += [("gen_invalid_utf8", _invalid_line(rng)) for _ in range(30)]
    # Mixed lines: pieces of different categories glued together.
    pool = [b for c, b in lines if b and c != "peer_aborts"]
    for _ in range(60):
        lines.append(("gen_mixed", b"".join(rng.choice(pool)[:80] for _ in range(rng.randint(2, 4)))))
    return lines
