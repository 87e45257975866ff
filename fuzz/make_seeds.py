#!/usr/bin/env python3
"""Writes the committed seed corpus under fuzz/seeds/<target>/ (run from anywhere).

items_stream: the items fixtures (../fixtures/items_*.json) and a few hand-made bodies.
json_parser and run_decoder: the response fixtures (../fixtures/*.json) and a few hand-made
documents; http_response: the fixtures wrapped in HTTP responses (Content-Length, chunked,
close-delimited) and a few hand-made heads. Each starts with the two chunking bytes the
targets read (see fuzz/src/lib.rs, `split`). request_encoder: hand-made inputs laid out the way
`arbitrary` 1.x reads the target's `Case` (values from the front, lengths from the back).
"""

import pathlib
import shutil

FUZZ = pathlib.Path(__file__).resolve().parent
FIXTURES = FUZZ.parent / "fixtures"
SEEDS = FUZZ / "seeds"

# Chunking headers: byte by byte, 16-byte chunks, one cut, varying sizes, with empty chunks, 64.
HEADERS = [b"\x00\x00", b"\x00\x0f", b"\x05\x00", b"\x02\x1f", b"\x03\x07", b"\x00\x3f", b"\x02\x03"]


def fixtures():
    """The run and error fixtures (the items fixtures seed items_stream only)."""
    return sorted((p.name, p.read_bytes()) for p in FIXTURES.glob("*.json") if not p.name.startswith("items_"))


# items_stream: bodies that are not arrays, faults, and a 100-deep array.
ITEMS_EXTRA = {
    "not_an_array_run": b'{"data": {"id": "HG7ML7M8z78YcAPEB", "status": "READY"}}',
    "trailing_comma": b"[1, {\"a\": [2]},]",
    "strings_with_brackets": b'["],", "\\\"]", {"k,": "}"}, [[], {}]]',
    "deep": b"[" * 100 + b"]" * 100,
}


def status_for(name):
    if name.startswith("run"):
        return "201 Created"
    code = name.split("_")[1]
    reasons = {"400": "Bad Request", "401": "Unauthorized", "402": "Payment Required",
               "403": "Forbidden", "404": "Not Found", "408": "Request Timeout",
               "429": "Too Many Requests"}
    return f"{code} {reasons[code]}"


def with_length(status, body, extra=""):
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\n{extra}"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


def chunked(status, body, sizes=(1, 100, 3, 64)):
    out = f"HTTP/1.1 {status}\r\nTransfer-Encoding: chunked\r\nX-Other: x\r\n\r\n".encode()
    i = 0
    while body:
        n = max(1, min(sizes[i] if i < len(sizes) else 7, len(body)))
        out += f"{n:x}".encode() + (b';name="value"' if i % 3 == 1 else b"") + b"\r\n"
        out += body[:n] + b"\r\n"
        body = body[n:]
        i += 1
    return out + b"0\r\nX-Trailer: done\r\n\r\n"


def until_close(status, body):
    return f"HTTP/1.0 {status}\r\nServer: test\r\n\r\n".encode() + body


JSON_EXTRA = {
    "escapes": rb'{"k\n":"\u00e9\ud83d\ude00","n":-12.50e1,"t":[true,null],"e":"","u":"\u0000\/"}',
    "numbers": b"[1e999999999999999, 123456789012345678901234567890, -0, 0.0e-0, 1E+2, 0.0056211830505728715]",
    "depth_126": b"[" * 126 + b"]" * 126,
    "depth_128": b"[" * 128 + b"]" * 128,
    "depth_129": b"[" * 129 + b"]" * 129,
    "duplicate_keys": b'{"a":1,"a":{"b":[2]},"":"x"}',
    "invalid_utf8": b'["ok", "\xe2\x82"]',
    "trailing_comma": b"[1,]",
    "top_level_number": b" 42 ",
}

HTTP_EXTRA = {
    "continue_then_201": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nLocation: https://api.apify.com/v2/actor-runs/HG7ML7M8z78YcAPEB\r\nContent-Length: 52\r\n\r\n"
    + b'{"data":{"id":"HG7ML7M8z78YcAPEB","status":"READY"}}',
    "no_content_204": b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
    "html_502_close": b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n\r\n<html><body><h1>502 Bad Gateway</h1></body></html>\n",
    "retry_after_429": with_length("429 Too Many Requests",
                                   b'{"error":{"type":"rate-limit-exceeded","message":"slow down"}}',
                                   "Retry-After: 3\r\nX-RateLimit-Limit: 30\r\n"),
    "retry_after_date_503": b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\nContent-Length: 5\r\n\r\nbusy\n",
}

DECODER_EXTRA = {
    "written_run": b'{"data":{"status":"RUNNING","meta":{},"stats":{},"options":{}}}',
    "minimal_error": b'{"error":{"type":"x","message":"y"}}',
    "neither": b'{"other":[1,2,{"data":null}]}',
}


class Arbitrary:
    """Lays out values as `arbitrary` 1.x reads them: values from the front, each length as
    one byte from the back (inputs stay under 256 bytes, so lengths take one byte)."""

    def __init__(self):
        self.front = bytearray()
        self.back = bytearray()

    def variant(self, index, count):
        # `(u32 * count) >> 32` picks the variant: aim at the middle of its range.
        value = ((2 * index + 1) << 32) // (2 * count)
        self.front += value.to_bytes(4, "little")

    def bool(self, b):
        self.front.append(1 if b else 0)

    def int(self, value, size):
        self.front += value.to_bytes(size, "little", signed=value < 0)

    def bytes(self, b):
        self.back.append(len(b))
        self.front += b

    def option(self, value, write):
        self.bool(value is not None)
        if value is not None:
            write(value)

    def finish(self):
        out = bytes(self.front) + bytes(reversed(self.back))
        assert len(out) <= 256, len(out)
        return out


def case(kind=0, id=b"janedoe~my-task", base=(0, None), token=None, user_agent=None, timeout=None,
         memory=None, max_items=None, charge=None, restart=None, build=None, wait=None,
         gracefully=None, hooks=None, input=None, short=7):
    """One `Case` of fuzz_targets/request_encoder.rs, field by field in its order."""
    a = Arbitrary()
    a.variant(kind, 4)
    a.bytes(id)
    a.variant(base[0], 5)
    if base[0] == 4:
        a.bytes(base[1])
    a.option(token, a.bytes)
    a.option(user_agent, a.bytes)
    a.option(timeout, lambda v: a.int(v, 4))
    a.option(memory, lambda v: (a.variant(0, 2), a.int(v, 1)))  # PowerOfTwo(exponent)
    a.option(max_items, lambda v: a.int(v, 8))
    a.option(charge, lambda v: (a.int(v[0] << 7, 8), a.int(v[1], 1), a.bool(v[2])))
    a.option(restart, a.bool)
    a.option(build, a.bytes)
    a.option(wait, lambda v: a.int(v, 1))
    a.option(gracefully, a.bool)

    def write_hooks(hooks):
        for events, url, key in hooks:
            a.bool(True)  # another element
            for e in events:
                a.bool(True)
                if isinstance(e, int):
                    a.variant(0, 2)
                    a.int(e, 1)
                else:
                    a.variant(1, 2)
                    a.bytes(e)
            a.bool(False)
            a.variant(1, 3)  # Url::Https(host and path)
            a.bytes(url)
            a.bool(False)  # payload template
            a.bool(False)  # headers template
            a.option(True, a.bool)  # shouldInterpolateStrings
            a.option(key, a.bytes)
            a.bool(False)
            a.option(False, a.bool)  # doNotRetry
        a.bool(False)

    a.option(hooks, write_hooks)
    a.option(input, a.bytes)
    a.int(short, 2)
    return a.finish()


ENCODER = {
    "run_task_minimal": case(),
    "run_task_options": case(token=b"apify_api_secret", timeout=300, memory=10, max_items=1000,
                             charge=(150, -2, False), restart=True, build=b"beta", wait=60),
    "run_task_webhooks": case(id=b"jane doe/t\xc3\xa9", token=b"tok",
                              hooks=[([1, 2, b"ACTOR.BUILD.SUCCEEDED"], b"example.com/done?x=1", b"dev-42")],
                              input=b'{"url": "https://example.com", "max": 3}'),
    "run_task_local_base": case(base=(1, None), user_agent=b"probe/1.0", wait=0),
    "run_task_parsed_base": case(base=(4, b"https://gw.local:8443/x/y/"), build=b"0.1.234"),
    "get_run": case(kind=1, id=b"HG7ML7M8z78YcAPEB", base=(3, None), wait=30),
    "abort_run": case(kind=2, id=b"HG7ML7M8z78YcAPEB", token=b"t", gracefully=True),
    "last_task_run": case(kind=3, id=b"~my-task", base=(2, None), token=b"t"),
}


def write(target, name, data):
    (SEEDS / target).mkdir(parents=True, exist_ok=True)
    (SEEDS / target / name).write_bytes(data)


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    for i, (name, body) in enumerate(fixtures()):
        stem = name.removesuffix(".json")
        header = HEADERS[i % len(HEADERS)]
        write("json_parser", stem, header + body)
        write("run_decoder", stem, HEADERS[(i + 3) % len(HEADERS)] + body)
        status = status_for(name)
        framing = [("length", with_length), ("chunked", chunked), ("close", until_close)][i % 3]
        write("http_response", f"{stem}.{framing[0]}", HEADERS[(i + 1) % len(HEADERS)] + framing[1](status, body))
    for i, (name, doc) in enumerate(JSON_EXTRA.items()):
        write("json_parser", name, HEADERS[i % len(HEADERS)] + doc)
    for i, (name, response) in enumerate(HTTP_EXTRA.items()):
        write("http_response", name, HEADERS[i % len(HEADERS)] + response)
    for i, (name, body) in enumerate(DECODER_EXTRA.items()):
        write("run_decoder", name, HEADERS[i % len(HEADERS)] + body)
    for name, data in ENCODER.items():
        write("request_encoder", name, data)
    items = sorted(FIXTURES.glob("items_*.json"))
    for i, path in enumerate(items):
        write("items_stream", path.stem, HEADERS[i % len(HEADERS)] + path.read_bytes())
    for i, (name, body) in enumerate(ITEMS_EXTRA.items()):
        write("items_stream", name, HEADERS[(i + len(items)) % len(HEADERS)] + body)


if __name__ == "__main__":
    main()
