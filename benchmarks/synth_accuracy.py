#!/usr/bin/env python3
"""Scores readers on a `numeral synth` set: overall and per category, as a Markdown table.

String accuracy: the reader's text equals the label exactly. "Digit, capped" is a diagnostic:
the same, but no image counts for more errors than it has digits, so a few images read as
hundreds of digits (noise taken for ink) do not hide how the rest went. Digit accuracy: 1 - character error
rate on the digits ("?" counts as a wrong digit), i.e. 1 - sum(edit distance) / sum(label digits),
with separators ignored; no text counts as every digit deleted, and extra digits count as
insertions without limit, so digit accuracy can reach 0. Rejection: the text holds a "?".
The same definitions as `numeral evaluate --images` (docs/evaluation-json.md).

    synth_accuracy.py --set DIR --reader NAME=PREDICTIONS [--reader ...] [--title T]

PREDICTIONS is a JSON-lines file of {"file": ..., "text": ...} (numeral read --json), or a directory
of FILE.txt files (one per image, as tesseract writes them).
"""
import argparse, csv, json, os, sys


def digits(text):
    return [c for c in text if c.isdigit() or c == "?"]


def edit_distance(a, b):
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def load_predictions(source):
    if os.path.isdir(source):
        out = {}
        for name in os.listdir(source):
            if name.endswith(".txt"):
                with open(os.path.join(source, name), encoding="utf-8", errors="replace") as f:
                    out[name[:-4]] = "".join(f.read().split())
        return out
    out = {}
    with open(source, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            name = os.path.basename(record.get("file", ""))
            out[name] = "".join((record.get("text") or "").split())
    return out


def categories(row):
    """The groups an image belongs to, as (group, value) pairs."""
    h = int(row["digit_height"])
    q = row["jpeg_quality"]
    height = "12-19 px" if h < 20 else "20-39 px" if h < 40 else "40-99 px" if h < 100 else "100-400 px"
    n = int(row["digits"])
    yield "all", "all"
    yield "spacing", row["spacing"]
    yield "digit height", height
    yield "digits", "1-3" if n <= 3 else "4-6" if n <= 6 else "7-10"
    yield "separators", "with . , or -" if any(c in row["label"] for c in ".,-") else "digits only"
    yield "file", "PNG" if not q else ("JPEG q<50" if int(q) < 50 else "JPEG q>=50")
    yield "polarity", "inverted" if row["inverted"] == "1" else "normal"
    yield "rules", row["rules"]
    yield "ink", row["ink"]
    yield "paper", "white" if row["paper"] == "white" else "tinted"
    yield "light", row["illumination"]
    yield "rotation", "over 5 deg" if abs(float(row["rotation"])) > 5 else "up to 5 deg"
    yield "blur", "sigma > 1.5 px" if float(row["blur"]) > 1.5 else "sigma <= 1.5 px"
    yield "noise", "sigma > 6" if float(row["noise"]) > 6 else "sigma <= 6"


def score(rows, predictions):
    exact = rejected = errors = capped = total = 0
    for row in rows:
        text = predictions.get(row["file"], "")
        exact += text == row["label"]
        rejected += "?" in text
        truth = digits(row["label"])
        distance = edit_distance(digits(text), truth)
        errors += distance
        capped += min(distance, len(truth))
        total += len(truth)
    n = len(rows)
    return exact / n, max(0, 1 - errors / max(total, 1)), 1 - capped / max(total, 1), rejected / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", required=True)
    parser.add_argument("--reader", action="append", required=True, help="NAME=PREDICTIONS")
    parser.add_argument("--title", default="Synthetic handwritten numbers")
    parser.add_argument("--errors", type=int, default=0, help="list this many misreads per reader")
    args = parser.parse_args()
    with open(os.path.join(args.set, "attributes.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    readers = [(name, load_predictions(path)) for name, path in (r.split("=", 1) for r in args.reader)]

    groups = {}
    for row in rows:
        for key in categories(row):
            groups.setdefault(key, []).append(row)
    group_order = [g for g, _ in categories(rows[0])]

    out = [f"### {args.title}", ""]
    header = "| group | images |" + "".join(f" {n} string | {n} digit | {n} digit, capped | {n} rejected |" for n, _ in readers)
    out += [header, "|---|---:|" + "---:|---:|---:|---:|" * len(readers)]
    for key in sorted(groups, key=lambda k: (group_order.index(k[0]), k[1])):
        group_rows = groups[key]
        cells = []
        for _, predictions in readers:
            s, d, c, r = score(group_rows, predictions)
            cells.append(f" {100 * s:.1f}% | {100 * d:.2f}% | {100 * c:.2f}% | {100 * r:.1f}% |")
        label = "**all**" if key[0] == "all" else f"{key[0]}: {key[1]}"
        out.append(f"| {label} | {len(group_rows)} |" + "".join(cells))
    for name, predictions in readers:
        if args.errors:
            misreads = [(r["file"], r["label"], predictions.get(r["file"], "")) for r in rows
                        if predictions.get(r["file"], "") != r["label"]]
            out += ["", f"First {min(args.errors, len(misreads))} of {len(misreads)} misreads by {name} (file, label, read):", ""]
            out += [f"    {f}  {l!r:>14}  {p!r}" for f, l, p in misreads[: args.errors]]
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
