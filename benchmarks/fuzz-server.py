#!/usr/bin/env python3
"""Fuzzes a running or freshly started `numeral serve` with random and mutated requests.

Sends a few thousand requests to every route: valid bodies mutated (bit flips, cuts,
splices, repeats), random bytes, hostile JSON (deep nesting, huge numbers, NaN), broken
multipart, random Content-Types and headers, odd methods and paths, plus some raw
malformed HTTP on a bare socket. Passes when every well-formed request is answered 2xx or
4xx (never 5xx, never a dropped connection), /healthz stays green throughout, and the
server process is still alive at the end.

    python3 benchmarks/fuzz-server.py                       # starts .build/release/numeral serve
    python3 benchmarks/fuzz-server.py --binary .build/debug/numeral --requests 500
    python3 benchmarks/fuzz-server.py --url http://127.0.0.1:8080   # an already running server
"""
import argparse, base64, http.client, json, os, random, socket, struct, subprocess, sys, tempfile, time, zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests/NumeralServerTests/Fixtures"


def png(pixels, width, height):
    raw = b"".join(b"\0" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def multipart(parts, boundary="fuzzBoundary42"):
    body = b""
    for name, filename, ctype, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if ctype:
            body += f"Content-Type: {ctype}\r\n".encode()
        body += b"\r\n" + data + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def seeds():
    samples = json.loads((FIXTURES / "mnist-test-10.json").read_text())
    digit = (FIXTURES / "digit-7.png").read_bytes()
    paper = (FIXTURES / "digit-7-paper.png").read_bytes()
    sheet = png([255] * (120 * 60), 120, 60)
    three, three_type = multipart([("file", f"{i}.png", "image/png", d) for i, d in enumerate([digit, paper, sheet])])
    fb_multi, fb_multi_type = multipart([("text", None, None, b"7"), ("image", "7.png", "image/png", digit)])
    return {
        "/v1/classify": [
            (json.dumps({"pixels": samples[0]["pixels"]}).encode(), "application/json"),
            (json.dumps([p / 255 for p in samples[1]["pixels"]]).encode(), "application/json"),
            (digit, "image/png"),
        ],
        "/v1/read": [(digit, "image/png"), (paper, "application/octet-stream"), (sheet, "image/png"), (three, three_type)],
        "/v1/feedback": [
            (json.dumps({"text": "7", "image": base64.b64encode(digit).decode()}).encode(), "application/json"),
            (json.dumps({"text": "12", "readId": "nope"}).encode(), "application/json"),
            (fb_multi, fb_multi_type),
        ],
    }


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(7)
        if kind == 0 and data:                      # flip bits
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(data)); data[i] ^= 1 << rng.randrange(8)
        elif kind == 1 and data:                    # cut
            data = data[:rng.randrange(len(data))]
        elif kind == 2 and data:                    # delete a span
            i = rng.randrange(len(data)); del data[i:i + rng.randint(1, 64)]
        elif kind == 3:                             # insert random bytes
            i = rng.randrange(len(data) + 1); data[i:i] = os.urandom(rng.randint(1, 64))
        elif kind == 4 and data:                    # repeat a span
            i = rng.randrange(len(data)); span = data[i:i + rng.randint(1, 256)]
            data[i:i] = span * rng.randint(2, 20)
        elif kind == 5 and len(data) > 8:           # overwrite with interesting values
            i = rng.randrange(len(data) - 4)
            data[i:i + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff", b"\x80\x00\x00\x00"])
        elif kind == 6 and data:                    # splice two halves
            i = rng.randrange(len(data)); data = data[i:] + data[:i]
    return bytes(data)


HOSTILE_JSON = [
    b"[" * 100000 + b"]" * 100000,
    b'{"pixels": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"pixels": [' + b",".join([b"1e308"] * 784) + b"]}",
    b'{"pixels": [' + b",".join([b"NaN"] * 784) + b"]}",
    b'{"pixels": [' + b",".join([b"-0"] * 784) + b"]}",
    b'{"pixels": [' + b",".join([b"1" * 400] * 784) + b"]}",
    b'{"text": "' + b"9" * 100000 + b'", "image": "AAAA"}',
    b'{"text": "7", "image": "' + b"A" * 200000 + b'"}',
    b'{"text": "\\ud800", "readId": "\\u0000"}',
    b'{"text": 7}', b"null", b"true", b'""', b"{}", b"[]", b"\xef\xbb\xbf{}", b"\x00" * 100,
]
CONTENT_TYPES = ["application/json", "image/png", "image/jpeg", "application/octet-stream", "text/plain",
                 "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
                 "multipart/form-data; boundary=" + "x" * 200, "image/png; charset=\x7f", "application/json; q=0.1",
                 "", ";;;;", "*/*", "IMAGE/PNG", None]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
ODD_PATHS = ["/", "/index.html", "/app.js", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/v1/", "/v1//read",
             "/v1/read/", "/v1/read?threshold=2", "/v1/read?threshold=-1", "/v1/read?threshold=NaN",
             "/v1/read?threshold=abc", "/v1/read?" + "a=b&" * 500, "/" + "a" * 4000, "/v1/model?x=%ff%00",
             "/metrics/../healthz", "/%00", "/v1/classify#frag"]


def request(url, method, path, body, headers, timeout=20):
    host, port = url.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, payload
    finally:
        connection.close()


def raw(url, data):
    host, port = url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            return s.recv(200)
        except OSError:
            return b""


RAW = [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"POST /v1/read HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
       b"POST /v1/read HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
       b"POST /v1/read HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n",
       b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"pix",
       b"GET /healthz HTTP/1.1\r\n" + b"X-Big: " + b"a" * 100000 + b"\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
       b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 5000 + b"\r\n"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url")
    parser.add_argument("--binary", default=str(ROOT / ".build/release/numeral"))
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", default=tempfile.gettempdir() + "/numeral-fuzz-failures",
                        help="directory for the bodies of failing requests")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    server = None
    if not args.url:
        s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
        database = tempfile.mktemp(suffix=".sqlite")
        log = open(tempfile.mktemp(prefix="numeral-fuzz-", suffix=".log"), "w")
        print(f"server log: {log.name}")
        server = subprocess.Popen([args.binary, "serve", "--port", str(port), "--database", database,
                                   "--max-upload-mb", "4", "--log-level", "warning"], stdout=log, stderr=log)
        args.url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if request(args.url, "GET", "/healthz", None, {})[0] == 200: break
            except OSError:
                time.sleep(0.1)

    corpus = seeds()
    routes = list(corpus) + ["/healthz", "/metrics", "/v1/model"]
    statuses, failures, by_route = Counter(), [], Counter()
    reported = 0
    started = time.time()
    for n in range(args.requests):
        route = rng.choice(list(corpus)) if rng.random() < 0.7 else rng.choice(routes + ODD_PATHS[:3])
        method = "POST" if route in corpus and rng.random() < 0.85 else rng.choice(METHODS)
        choice = rng.random()
        if route in corpus and choice < 0.55:
            body, ctype = rng.choice(corpus[route])
            if rng.random() < 0.85:                 # the rest go through unchanged, as controls
                body = mutate(rng, body)
            if rng.random() < 0.2: ctype = rng.choice(CONTENT_TYPES)
        elif choice < 0.7:
            body, ctype = rng.choice(HOSTILE_JSON), rng.choice(["application/json", None, "multipart/form-data; boundary=a"])
        elif choice < 0.85:
            body, ctype = os.urandom(rng.choice([0, 1, 7, 100, 5000, 100000])), rng.choice(CONTENT_TYPES)
        else:
            body, ctype = None, rng.choice(CONTENT_TYPES)
            route = rng.choice(ODD_PATHS)
        headers = {}
        if ctype is not None: headers["Content-Type"] = ctype
        if rng.random() < 0.1: headers["X-Request-Id"] = rng.choice(["", "a" * 500, "é", "x\ty", "ok-1"])
        if rng.random() < 0.05: headers["Accept"] = "\x01"
        try:
            status, payload = request(args.url, method, route, body, headers)
            statuses[status] += 1
            by_route[(method if method in ("GET", "POST") else "other", route.split("?")[0][:20], status)] += 1
            if not (200 <= status < 300 or 400 <= status < 500):
                failures.append(f"{method} {route} ({ctype}, {len(body or b'')} bytes) -> {status}: {payload[:200]!r}")
        except (OSError, http.client.HTTPException) as error:
            statuses["dropped"] += 1
            failures.append(f"{method} {route} ({ctype}, {len(body or b'')} bytes) -> connection error {error!r}")
        if len(failures) > reported:
            os.makedirs(args.save, exist_ok=True)
            saved = f"{args.save}/{n}.bin"
            open(saved, "wb").write(body or b"")
            failures[-1] += f" [body: {saved}]"
            reported = len(failures)
        if n % 100 == 0:
            raw(args.url, rng.choice(RAW))
            status, _ = request(args.url, "GET", "/healthz", None, {})
            if status != 200:
                failures.append(f"/healthz answered {status} after {n} requests")
        if server and server.poll() is not None:
            failures.append(f"the server exited with {server.returncode} after {n} requests")
            break

    alive = server is None or server.poll() is None
    healthy = request(args.url, "GET", "/healthz", None, {})[0] == 200 if alive else False
    rss = ""
    if server and alive:
        rss = next((l.split()[1] for l in open(f"/proc/{server.pid}/status") if l.startswith("VmRSS")), "?") + " kB"
    print(f"{args.requests} requests in {time.time() - started:.1f}s, seed {args.seed}: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=str)))
    print(f"server alive: {alive}, /healthz: {'green' if healthy else 'NOT green'}" + (f", RSS {rss}" if rss else ""))
    print("by route: " + ", ".join(f"{m} {r} {s}: {c}" for (m, r, s), c in sorted(by_route.items(), key=str) if c >= 5))
    for failure in failures[:20]:
        print("FAIL", failure)
    if server:
        server.terminate(); server.wait(timeout=30)
    ok = alive and healthy and not failures
    print("PASS" if ok else f"FAIL: {len(failures)} bad answers")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
