#!/usr/bin/env python3
"""Real reading: Numeral vs RapidOCR (PP-OCRv6) vs Tesseract on real handwriting, in one run.

Run by benchmarks/real-reading.sh, which installs the readers; this builds the sets, runs the
readers on each set in turn, scores them and writes benchmarks/real-reading.md.

    real_reading.py run --numeral BIN --ocr-python VENV/bin/python --shared DIR --work DIR --n N
    real_reading.py rapidocr-worker --mode rec|page --list FILES --out JSONL --meta JSON
        (the RapidOCR side, run by `run` under the venv's Python, one process per set)

Only the standard library here (the worker imports rapidocr inside the venv).
"""
import argparse
import concurrent.futures
import csv
import datetime
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

WHITELIST = "tessedit_char_whitelist=0123456789.,-"
SYNTH_SEED = 5151

# name, kind (digit = one digit a crop, line = one number a crop, page = a photo of a page),
# and what the set is in one line for the report.
SETS = [
    ("cvl-valid", "digit", "CVL single digits, validation writers (`cvl/valid`, 28x28 grey)"),
    ("parish-validation", "line", "Danish parish-register row numbers, validation pages "
     "(`parish-row-numbers/validation`, colour JPEG crops of one column), digit-only labels"),
    ("mnist-test", "digit", "MNIST test set (28x28, light digit on black, written as PNGs by "
     "`benchmarks/mnist-png.py`)"),
    ("synth-pages", "page", f"`numeral synth --count 300 --seed {SYNTH_SEED}` (photos of pages "
     "with a handwritten number made of MNIST test digits)"),
    ("cheque-fields", "line", f"`numeral synth --preset field --count 500 --seed {SYNTH_SEED} "
     "--shared SHARED` (crops of cheque-amount fields, register numbers and single digits drawn "
     "from real glyphs kept for measuring: MNIST test, cvl/valid; Tesseract reads them all as "
     "lines, `--psm 7`)"),
]
TESSERACT_PSM = {"digit": "10", "line": "7", "page": "6"}
RELIABILITY_SETS = ("cvl-valid", "parish-validation")
# Crop sets on which RapidOCR also runs with its detector, as an extra row: a parish crop is a
# whole register column (about 141x201, the number a small part of it), which recognition alone
# squeezes to 48 pixels high. (The cheque fields are tight crops of one line: recognition only.)
RAPIDOCR_DET_TOO = ("parish-validation",)
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif", ".webp", ".ppm", ".pgm")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- scoring

def digits(text):
    """The digit string of a text: NFKC (so full-width digits count as digits), then 0-9 only."""
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text or ""))


def outcome(text, label, marks):
    """right / unsure / wrong for one image. A reader with marks (Numeral) is unsure when its
    text has a '?' or is empty; one without (the peers) only when its text is empty."""
    text = (text or "").strip()
    if not text or (marks and "?" in text):
        return "unsure"
    return "right" if digits(text) == digits(label) else "wrong"


def forced_right(text, label):
    return digits(text) == digits(label)


# ----------------------------------------------------------------------------- sets

def read_labels(path):
    with open(path, newline="") as f:
        return [(r["file"], r["label"]) for r in csv.DictReader(f)]


def spread(rows, n):
    """Rows sorted by file name, then row floor(i*M/N) for i < N: every k-th row, k = M/N."""
    rows = sorted(rows)
    m = len(rows)
    if n >= m:
        return rows
    return [rows[i * m // n] for i in range(n)]


def link_set(dest, src_dir, rows, spec):
    """The set as a folder of symlinks to the source images plus labels.csv; reused when its
    .spec (what it was made from) matches."""
    spec_path = os.path.join(dest, ".spec.json")
    if os.path.exists(spec_path) and json.load(open(spec_path)) == spec:
        log(f"  reusing {dest}")
        return
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    for name, _ in rows:
        link = os.path.join(dest, name)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(os.path.abspath(os.path.join(src_dir, name)), link)
    with open(os.path.join(dest, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "label"])
        w.writerows(rows)
    with open(spec_path, "w") as f:
        json.dump(spec, f)


def synth_has_field_preset(numeral):
    """Whether `numeral synth` has --preset field, and whether it takes --shared."""
    help_text = subprocess.run([numeral, "synth", "--help"], capture_output=True, text=True)
    text = help_text.stdout + help_text.stderr
    # The --preset option's help: its line and the indented lines after it.
    m = re.search(r"--preset[^\n]*(\n {10,}[^\n]*)*", text)
    return bool(m and "field" in m.group(0)), "--shared" in text


def build_sets(a):
    """{name: (dir, [(file, label)], note)}; a set that cannot be made has dir None and a note."""
    sources = os.path.join(a.work, "source")
    os.makedirs(sources, exist_ok=True)
    sets = {}
    for name, kind, _ in SETS:
        log(f"set {name}...")
        dest = os.path.join(a.work, "sets", name)
        note = ""
        if name == "cvl-valid":
            src = os.path.join(a.shared, "cvl", "valid")
            rows = read_labels(os.path.join(src, "labels.csv"))
            total = f"{len(rows):,} images"
        elif name == "parish-validation":
            src = os.path.join(a.shared, "parish-row-numbers", "validation")
            all_rows = read_labels(os.path.join(src, "labels.csv"))
            rows = [r for r in all_rows if re.fullmatch(r"[0-9]+", r[1])]
            total = f"{len(rows):,} images whose label is all digits (of {len(all_rows):,})"
        elif name == "mnist-test":
            src = os.path.join(sources, "mnist-png")
            if not os.path.exists(os.path.join(src, ".done")):
                shutil.rmtree(src, ignore_errors=True)
                subprocess.run([sys.executable, os.path.join(HERE, "mnist-png.py"),
                                os.path.join(a.shared, "mnist"), src], check=True)
                open(os.path.join(src, ".done"), "w").close()
            rows = []
            for f in os.listdir(src):
                m = re.fullmatch(r"(\d+)_(\d)\.png", f)
                if m:
                    rows.append((f, m.group(2)))
            with open(os.path.join(src, "labels.csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["file", "label"])
                w.writerows(sorted(rows))
            total = f"{len(rows):,} images"
        elif name == "synth-pages":
            src = os.path.join(sources, "synth-pages")
            if not os.path.exists(os.path.join(src, "labels.csv")):
                shutil.rmtree(src, ignore_errors=True)
                subprocess.run([a.numeral, "synth", "--count", "300", "--seed", str(SYNTH_SEED),
                                "--data", os.path.join(a.shared, "mnist"), "--output", src],
                               check=True, stdout=sys.stderr)
            rows = read_labels(os.path.join(src, "labels.csv"))
            total = f"{len(rows):,} images"
        elif name == "cheque-fields":
            has, takes_shared = synth_has_field_preset(a.numeral)
            if not has:
                sets[name] = (None, [], "skipped: `numeral synth --help` has no `--preset` option "
                              "that mentions `field` in this build")
                log("  " + sets[name][2])
                continue
            src = os.path.join(sources, "cheque-fields")
            if not os.path.exists(os.path.join(src, "labels.csv")):
                shutil.rmtree(src, ignore_errors=True)
                cmd = [a.numeral, "synth", "--preset", "field", "--count", "500",
                       "--seed", str(SYNTH_SEED), "--output", src]
                if takes_shared:  # where its real glyphs come from
                    cmd += ["--shared", a.shared]
                made = subprocess.run(cmd, stdout=sys.stderr, stderr=subprocess.PIPE, text=True)
                if made.returncode != 0 or not os.path.exists(os.path.join(src, "labels.csv")):
                    tail = " ".join(made.stderr.strip().splitlines()[-2:])
                    sets[name] = (None, [], f"skipped: `numeral synth --preset field` failed "
                                  f"(exit {made.returncode}: {tail})")
                    log("  " + sets[name][2])
                    continue
            rows = read_labels(os.path.join(src, "labels.csv"))
            total = f"{len(rows):,} images"
        rows = spread(rows, a.n)
        link_set(dest, src, rows, {"source": os.path.abspath(src), "n": a.n, "files": len(rows)})
        note = f"{len(rows):,} of {total}"
        sets[name] = (dest, rows, note)
    return sets


# ----------------------------------------------------------------------------- readers

def rel_name(path, set_dir):
    """An image's name in labels.csv from the path a reader reports."""
    return os.path.relpath(os.path.abspath(path), os.path.abspath(set_dir))


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class Timed:
    """CPU seconds (user+sys of the children reaped inside) and wall seconds of a block."""

    def __enter__(self):
        self.cpu0, self.wall0 = children_cpu(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu = children_cpu() - self.cpu0
        self.wall = time.perf_counter() - self.wall0


def run_numeral(a, set_dir, rows, threshold, raw_path):
    """`numeral read --json [--threshold T] DIR`: one JSON object per image."""
    cmd = [a.numeral, "read", "--json"]
    if threshold is not None:
        cmd += ["--threshold", str(threshold)]
    cmd.append(set_dir)
    with Timed() as t:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        log(f"  numeral exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    by_file = {}
    with open(raw_path, "w") as raw:
        for line in proc.stdout.splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            item = json.loads(line)
            raw.write(json.dumps(item) + "\n")
            by_file[rel_name(item.get("file", ""), set_dir)] = item
    missing = [f for f, _ in rows if f not in by_file]
    if missing:
        log(f"  numeral gave no answer for {len(missing)} images (e.g. {missing[0]})")
    out = {}
    for f, _ in rows:
        item = by_file.get(f, {})
        if "error" in item and not item.get("text"):
            log(f"  numeral: {f}: {item['error']}")
        out[f] = {"text": item.get("text") or "", "item": item}
    return out, t, " ".join(cmd[:-1] + ["DIR"])


def ocr_env():
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", OMP_THREAD_LIMIT="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    return env


def run_rapidocr(a, set_dir, rows, mode, raw_path):
    """mode "rec": recognition only on the whole image; "page": detection + recognition."""
    lst = raw_path + ".list"
    with open(lst, "w") as f:
        for name, _ in rows:
            f.write(os.path.join(set_dir, name) + "\n")
    meta_path = raw_path + ".meta.json"
    cmd = [a.ocr_python, os.path.abspath(__file__), "rapidocr-worker", "--mode", mode,
           "--list", lst, "--out", raw_path, "--meta", meta_path]
    with Timed() as t:
        with open(raw_path + ".log", "w") as err:
            proc = subprocess.run(cmd, env=ocr_env(), stderr=err)
    if proc.returncode != 0:
        log(f"  rapidocr worker exited {proc.returncode}; see {raw_path}.log")
    out = {}
    if os.path.exists(raw_path):
        for line in open(raw_path):
            item = json.loads(line)
            out[rel_name(item["file"], set_dir)] = {"text": item["text"], "item": item}
    for f, _ in rows:
        out.setdefault(f, {"text": "", "item": {"error": "no answer"}})
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    return out, t, meta


def run_tesseract(a, set_dir, rows, kind, raw_path):
    psm = TESSERACT_PSM[kind]
    env = ocr_env()

    def one(name):
        cmd = ["tesseract", os.path.join(set_dir, name), "stdout", "--psm", psm, "-c", WHITELIST]
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        err = p.stderr.strip()
        return name, p.stdout, p.returncode, err

    out = {}
    with Timed() as t:
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
            results = list(pool.map(one, [f for f, _ in rows]))
    with open(raw_path, "w") as raw:
        for name, stdout, code, err in results:
            text = " ".join(stdout.split())
            item = {"file": name, "text": text, "raw": stdout, "exit": code}
            if err:
                item["stderr"] = err[-300:]
            raw.write(json.dumps(item) + "\n")
            out[name] = {"text": text, "item": item}
    return out, t, f"tesseract IMG stdout --psm {psm} -c {WHITELIST}"


def rapidocr_worker(argv):
    """Runs inside benchmarks/.venv-ocr: one RapidOCR engine, every image of one set."""
    p = argparse.ArgumentParser(prog="real_reading.py rapidocr-worker")
    p.add_argument("--mode", choices=["rec", "page"], required=True)
    p.add_argument("--list", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--meta", required=True)
    a = p.parse_args(argv)

    import logging
    import cv2
    cv2.setNumThreads(1)
    import onnxruntime
    import rapidocr
    from rapidocr import RapidOCR

    used = []

    class Catch(logging.Handler):
        def emit(self, record):
            msg = record.getMessage()
            if msg.startswith("Using ") and msg.endswith(".onnx"):
                used.append(msg[len("Using "):])

    logging.getLogger("RapidOCR").addHandler(Catch())
    params = {
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        "Global.log_level": "info",
    }
    engine = RapidOCR(params=params)
    # Load the models now (RapidOCR loads them at the first call otherwise); either way the
    # loading is inside this process and so inside its CPU time.
    if a.mode == "page":
        engine._load_det_model()
    engine._load_rec_model()
    sess = engine.text_rec.session.session
    opts = sess.get_session_options()
    cfg = engine.cfg
    meta = {
        "rapidocr": getattr(rapidocr, "__version__", None) or _dist_version("rapidocr"),
        "onnxruntime": onnxruntime.__version__,
        "opencv": cv2.__version__,
        "models": [os.path.basename(m) for m in used],
        "model_sha256": {os.path.basename(m): _sha256(m) for m in used},
        "rec": {"ocr_version": str(cfg.Rec.ocr_version.value if hasattr(cfg.Rec.ocr_version, "value") else cfg.Rec.ocr_version),
                "model_type": str(getattr(cfg.Rec.model_type, "value", cfg.Rec.model_type)),
                "lang_type": str(getattr(cfg.Rec.lang_type, "value", cfg.Rec.lang_type))},
        "det": {"ocr_version": str(getattr(cfg.Det.ocr_version, "value", cfg.Det.ocr_version)),
                "model_type": str(getattr(cfg.Det.model_type, "value", cfg.Det.model_type))},
        "intra_op_num_threads": opts.intra_op_num_threads,
        "inter_op_num_threads": opts.inter_op_num_threads,
        "providers": sess.get_providers(),
        "text_score": float(cfg.Global.text_score),
        "mode": a.mode,
    }
    files = [line.strip() for line in open(a.list) if line.strip()]
    with open(a.out, "w") as out:
        for path in files:
            item = {"file": path}
            try:
                if a.mode == "rec":
                    r = engine(path, use_det=False, use_cls=False, use_rec=True)
                else:
                    r = engine(path, use_det=True, use_cls=False, use_rec=True)
                item["result"] = type(r).__name__
                texts = list(getattr(r, "txts", None) or ())
                scores = [float(s) for s in (getattr(r, "scores", None) or ())]
                item["texts"], item["scores"] = texts, scores
                boxes = getattr(r, "boxes", None)
                if boxes is not None and len(boxes):
                    item["boxes"] = [[[round(float(v), 1) for v in pt] for pt in b] for b in boxes]
                # In order as RapidOCR returns them: its detector sorts the boxes top to bottom,
                # then left to right within a line.
                item["text"] = " ".join(t.strip() for t in texts if t.strip())
            except Exception as e:  # an unreadable image counts as no answer
                item["text"], item["error"] = "", f"{type(e).__name__}: {e}"
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    meta["images"] = len(files)
    with open(a.meta, "w") as f:
        json.dump(meta, f)


def _sha256(path):
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _dist_version(name):
    from importlib.metadata import version
    return version(name)


# ----------------------------------------------------------------------------- reliability

def numeral_digits(item):
    """The digits Numeral read, in order: (value, confidence) for each lines[].digits[] entry."""
    found = []
    for line in item.get("lines") or []:
        for d in line.get("digits") or []:
            value = d.get("digit", d.get("value", d.get("text")))
            found.append((None if value is None else str(value), d.get("confidence")))
    return found


def reliability(rows, outputs):
    """Digits binned by confidence where the read has as many digits as the label, aligned one
    by one; returns (bins, aligned images, ece)."""
    bins = [[0, 0.0, 0] for _ in range(10)]  # count, confidence sum, right
    aligned = 0
    for f, label in rows:
        want = digits(label)
        got = numeral_digits(outputs[f]["item"])
        if not got or len(got) != len(want) or any(c is None for _, c in got):
            continue
        aligned += 1
        for (value, conf), truth in zip(got, want):
            b = min(9, max(0, int(float(conf) * 10)))
            bins[b][0] += 1
            bins[b][1] += float(conf)
            bins[b][2] += int(value == truth)
    total = sum(b[0] for b in bins)
    ece = sum(abs(b[2] / b[0] - b[1] / b[0]) * b[0] / total for b in bins if b[0]) if total else None
    return bins, aligned, ece


# ----------------------------------------------------------------------------- report

def pct(x):
    return f"{100 * x:.1f}%"


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip()
    except OSError:
        return ""


def commit():
    head = sh("git rev-parse --short HEAD") or "unknown"
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--"], cwd=ROOT).returncode != 0
    return head + ("+dirty" if dirty else "")


def machine():
    model = ""
    for line in sh("lscpu").splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    return f"{model or 'unknown CPU'}, {os.cpu_count()} cores"


def set_table(rows):
    head = ("| reader | forced accuracy | right | unsure | wrong, no mark | CPU ms/image | wall s |\n"
            "|---|---:|---:|---:|---:|---:|---:|")
    return head + "\n" + "\n".join(rows)


def main_run(argv):
    p = argparse.ArgumentParser(prog="real_reading.py run")
    p.add_argument("--numeral", required=True)
    p.add_argument("--ocr-python", required=True)
    p.add_argument("--shared", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--jobs", type=int, default=os.cpu_count())
    p.add_argument("--out", default=os.path.join(HERE, "real-reading.md"))
    a = p.parse_args(argv)
    a.numeral = os.path.abspath(a.numeral)
    a.work = os.path.abspath(a.work)
    started = time.time()
    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    sets = build_sets(a)
    results = {}
    rapid_meta = {}
    numeral_cmds = []
    tess_cmds = {}
    sections = []
    for name, kind, what in SETS:
        set_dir, rows, note = sets[name]
        if set_dir is None:
            sections.append(f"### {name}\n\n{what}: {note}.\n")
            continue
        raw = os.path.join(a.work, "raw", name)
        os.makedirs(raw, exist_ok=True)
        n = len(rows)
        labels = dict(rows)
        log(f"{name}: {n} images")

        # The readers take turns on the set: Numeral (threshold 0, then the default), RapidOCR,
        # Tesseract.
        log("  numeral --threshold 0...")
        forced, t_forced, cmd0 = run_numeral(a, set_dir, rows, 0, os.path.join(raw, "numeral-threshold0.jsonl"))
        log("  numeral (default threshold)...")
        default, t_default, cmd1 = run_numeral(a, set_dir, rows, None, os.path.join(raw, "numeral-default.jsonl"))
        numeral_cmds = [cmd0, cmd1]
        mode = "page" if kind == "page" else "rec"
        log(f"  rapidocr ({mode})...")
        rapid, t_rapid, meta = run_rapidocr(a, set_dir, rows, mode, os.path.join(raw, f"rapidocr-{mode}.jsonl"))
        rapid_meta[mode] = meta
        rapid_det = None
        if name in RAPIDOCR_DET_TOO:
            log("  rapidocr (page: detection + recognition)...")
            rapid_det, t_rapid_det, meta = run_rapidocr(a, set_dir, rows, "page",
                                                        os.path.join(raw, "rapidocr-page.jsonl"))
            rapid_meta["page"] = meta
        log("  tesseract...")
        tess, t_tess, tcmd = run_tesseract(a, set_dir, rows, kind, os.path.join(raw, "tesseract.jsonl"))
        tess_cmds[kind] = tcmd

        def score(out_forced, out_default, marks):
            counts = {"right": 0, "unsure": 0, "wrong": 0}
            for f, label in rows:
                counts[outcome(out_default[f]["text"], label, marks)] += 1
            acc = sum(forced_right(out_forced[f]["text"], labels[f]) for f in labels) / n
            return acc, {k: v / n for k, v in counts.items()}

        r = {}
        r["Numeral"] = score(forced, default, True) + (t_default, t_forced)
        r["RapidOCR PP-OCRv6" + (", detection + recognition" if mode == "page" else ", recognition only")] = \
            score(rapid, rapid, False) + (t_rapid, None)
        if rapid_det is not None:
            r["RapidOCR PP-OCRv6, detection + recognition"] = score(rapid_det, rapid_det, False) + (t_rapid_det, None)
        r["Tesseract"] = score(tess, tess, False) + (t_tess, None)
        results[name] = r

        # Scored per image, for inspection.
        with open(os.path.join(raw, "scored.jsonl"), "w") as f:
            for file, label in rows:
                f.write(json.dumps({
                    "file": file, "label": label,
                    "numeral_threshold0": forced[file]["text"], "numeral": default[file]["text"],
                    "numeral_outcome": outcome(default[file]["text"], label, True),
                    "rapidocr": rapid[file]["text"], "rapidocr_outcome": outcome(rapid[file]["text"], label, False),
                    **({"rapidocr_det": rapid_det[file]["text"],
                        "rapidocr_det_outcome": outcome(rapid_det[file]["text"], label, False)}
                       if rapid_det is not None else {}),
                    "tesseract": tess[file]["text"], "tesseract_outcome": outcome(tess[file]["text"], label, False),
                }, ensure_ascii=False) + "\n")

        lines = []
        for reader, (acc, c, t, t0) in r.items():
            lines.append(f"| {reader} | {pct(acc)} | {pct(c['right'])} | {pct(c['unsure'])} | "
                         f"{pct(c['wrong'])} | {1000 * t.cpu / n:.1f} | {t.wall:.1f} |")
        text = f"### {name}\n\n{what}: {note}.\n\n" + set_table(lines) + "\n"
        text += (f"\nNumeral's CPU and wall time are those of the default-threshold run; the "
                 f"threshold-0 run took {1000 * t_forced.cpu / n:.1f} CPU ms/image, {t_forced.wall:.1f} s.\n")
        if name in RELIABILITY_SETS:
            bins, aligned, ece = reliability(rows, default)
            text += (f"\nNumeral's reliability at the default threshold: {aligned} of {n} images read "
                     f"with as many digits as the label, their digits aligned one by one"
                     + (f"; expected calibration error {ece:.3f}" if ece is not None else "") + ".\n\n")
            text += "| confidence | digits | mean confidence | right |\n|---|---:|---:|---:|\n"
            for i, (count, conf, right) in enumerate(bins):
                if count:
                    text += f"| {i / 10:.1f}–{(i + 1) / 10:.1f} | {count} | {conf / count:.3f} | {pct(right / count)} |\n"
                else:
                    text += f"| {i / 10:.1f}–{(i + 1) / 10:.1f} | 0 | – | – |\n"
        sections.append(text)
        print(text, flush=True)

    elapsed = time.time() - started
    meta = rapid_meta.get("rec") or rapid_meta.get("page") or {}
    models = sorted({m for v in rapid_meta.values() for m in v.get("models", [])})
    tess_version = sh("tesseract --version 2>&1 | head -n 1")
    binary = (f"`.build/release/numeral` built "
              f"{datetime.datetime.fromtimestamp(os.path.getmtime(a.numeral), datetime.timezone.utc):%Y-%m-%d %H:%M} UTC "
              f"(sha256 {_sha256(a.numeral)[:12]}, copied with its resource bundles into WORK for the run)")
    help_text = sh(f"'{a.numeral}' read --help")
    m = re.search(r"--threshold <threshold>.*?\(default: ([0-9.]+)\)", help_text, re.S)
    default_threshold = m.group(1) if m else "?"
    samples = ", ".join(f"{name} {len(sets[name][1])}" for name, _, _ in SETS if sets[name][0])

    doc = [
        "## Real reading: Numeral vs RapidOCR (PP-OCRv6) vs Tesseract",
        "",
        f"Made {day} at commit {commit()} by `benchmarks/real-reading.sh` (N={a.n}) on {machine()}, "
        f"in {elapsed / 60:.1f} minutes. All three readers see the same image files.",
        "",
        "Each image is scored on its **digit string**: every character that is not 0-9 is dropped "
        "from the label and from the reader's text (after NFKC, so full-width digits count) and the "
        "two compared. *Forced accuracy*: the share read right with every digit forced (Numeral "
        "`--threshold 0`; the peers as they are). At Numeral's default threshold every image is "
        "*right*, *unsure* (Numeral: the text has a `?` or is empty; the peers have no unsure mark, "
        "so only an empty output counts) or *wrong, no mark* (a non-empty answer without `?` whose "
        "digits differ) — the three add up to 100%. For the peers right = forced accuracy; a peer's "
        "answer with no digit in it (say `,` or `—`) is non-empty, so it counts as wrong, not unsure.",
        "",
    ]
    doc += sections
    doc += [
        "### What ran",
        "",
        f"- Numeral, {binary}: `numeral read --json --threshold 0 DIR` and `numeral read --json DIR` "
        f"(default threshold {default_threshold}), one process per set and threshold, on the set's "
        "folder (symlinks to the images, and labels.csv, which `read` skips); all cores"
        + (f"; NUMERAL_MODEL={os.environ['NUMERAL_MODEL']} was set" if os.environ.get("NUMERAL_MODEL") else "")
        + ".",
        f"- RapidOCR {meta.get('rapidocr', '?')} on ONNX Runtime {meta.get('onnxruntime', '?')} "
        f"(OpenCV {meta.get('opencv', '?')}), in `benchmarks/.venv-ocr` from `benchmarks/requirements-ocr.txt`; "
        f"models loaded: {', '.join(f'`{m}`' for m in models) or '?'} (shipped in the rapidocr wheel; "
        f"PP-OCRv6 `small` with lang `ch`, the multilingual model, is rapidocr 3.10's default for "
        f"detection and recognition, so no model was selected by hand). *Recognition only* (the "
        f"crop sets): `engine(path, use_det=False, use_cls=False, use_rec=True)` on the whole "
        f"image, its text as it comes (RapidOCR applies no score threshold without detection). "
        f"*Detection + recognition* (synth-pages, and as an extra row on "
        f"{' and '.join(n for n in RAPIDOCR_DET_TOO if sets.get(n, (None,))[0])}): "
        f"`use_det=True, use_cls=False, use_rec=True`, the lines' texts joined with spaces in the "
        f"order RapidOCR returns them (its detector sorts the boxes top to bottom, then left to "
        f"right within a line), lines under its default `text_score` {meta.get('text_score', 0.5)} "
        f"dropped by RapidOCR itself. The extra row is there because a parish crop is a whole "
        f"register column (about 141x201 with the number in a small part of it, plus ruling and a "
        f"printed footer), which recognition alone squeezes to 48 pixels high. One process per set "
        f"with `EngineConfig.onnxruntime.intra_op_num_threads=1` and `inter_op_num_threads=1` "
        f"(read back: {meta.get('intra_op_num_threads', '?')} and {meta.get('inter_op_num_threads', '?')}), "
        f"`cv2.setNumThreads(1)`, and OMP_NUM_THREADS=OMP_THREAD_LIMIT=1 in the environment.",
        f"- {tess_version} (Debian tesseract-ocr, eng), one process per image, {a.jobs} at a time, "
        f"OMP_THREAD_LIMIT=1: " + "; ".join(f"{k} sets `{v}`" for k, v in tess_cmds.items()) + ".",
        "",
        "### Sampling",
        "",
        f"N={a.n}: each set's labels.csv rows sorted by file name, then row floor(i·M/N) for "
        f"i = 0…N−1 (every k-th row, k = M/N; all rows when M ≤ N). Images used: {samples}. "
        "parish-validation keeps only the rows whose label is all digits before sampling. "
        f"synth-pages and cheque-fields are generated with seed {SYNTH_SEED}, which is never used "
        "for tuning.",
        "",
        "### How measured",
        "",
        "CPU ms/image is the user+sys CPU time of the reader's processes (`getrusage(RUSAGE_CHILDREN)` "
        "deltas around each reader's batch on a set) divided by the set's images; it **includes "
        "each process's start-up and model loading** (one Numeral or RapidOCR process per set, so "
        "small sets pay more per image; one Tesseract process per image, so Tesseract pays its "
        "start-up on every image). Wall seconds are for the whole batch; Numeral uses both cores, "
        f"RapidOCR one, Tesseract {a.jobs} processes. The readers take turns on each set in one run "
        "(Numeral threshold 0, Numeral default, RapidOCR, RapidOCR with detection where it has an "
        f"extra row, Tesseract), on a shared {os.cpu_count()}-core machine (this run at niceness "
        f"{os.nice(0)}): compare speeds as ratios within this run. The raw per-image outputs are "
        "JSON lines under the run's WORK folder (`raw/SET/*.jsonl`, with `scored.jsonl` per set).",
        "",
    ]
    text = "\n".join(doc).rstrip() + "\n"
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, a.out)
    log(f"wrote {a.out} in {elapsed:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "rapidocr-worker":
        rapidocr_worker(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "run":
        main_run(sys.argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
