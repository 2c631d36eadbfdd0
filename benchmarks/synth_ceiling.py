#!/usr/bin/env python3
"""What the digits of a `numeral synth` set allow: each number scored as if every one of its
MNIST test digits had been cut out perfectly and shown clean, alone, to a digit model.

attributes.csv names each image's MNIST test images (column `sources`, in the label's digit
order); READS holds `numeral read --threshold 0` on the 10,000 test images saved as 28x28 PNGs
(benchmarks/mnist-png.py names them <index>_<label>.png), one "<path>\t<text>" per line. A number
is right when the model reads every one of its digits right; separators are taken as given.

    synth_ceiling.py --set DIR --reads NAME=READS [--reads ...] --pipeline NAME=JSONL [--pipeline ...]

Prints a Markdown table: per model, its accuracy on the test digits, the share of the set's
numbers all of whose digits it reads right, and how many of those the first pipeline reading
(a JSON-lines file of {"file", "text"}, as numeral read --json writes) got right; then each
pipeline reading's own share.
"""
import argparse, csv, json, os


def load_reads(path):
    right = {}
    with open(path) as f:
        for line in f:
            name, text = line.rstrip("\n").split("\t")
            base = os.path.basename(name)
            right[int(base.split("_")[0])] = text == base.split("_")[1][0]
    if len(right) != 10000:
        raise SystemExit(f"{path}: {len(right)} test images read, expected 10000")
    return right


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", required=True)
    parser.add_argument("--reads", action="append", required=True, metavar="NAME=READS")
    parser.add_argument("--pipeline", action="append", required=True, metavar="NAME=JSONL")
    args = parser.parse_args()
    rows = list(csv.DictReader(open(os.path.join(args.set, "attributes.csv"))))
    sources = {r["file"]: [int(i) for i in r["sources"].split()] for r in rows}
    labels = {r["file"]: r["label"] for r in rows}
    for r in rows:
        if len(sources[r["file"]]) != sum(c.isdigit() for c in r["label"]):
            raise SystemExit(f"{r['file']}: {len(sources[r['file']])} sources for label {r['label']}")
    def load_texts(path):
        texts = {}
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                texts[os.path.basename(record["file"])] = "".join((record["text"] or "").split())
        return texts
    pipelines = [(name, load_texts(path)) for name, path in (p.split("=", 1) for p in args.pipeline)]
    texts = pipelines[0][1]

    n = len(rows)
    print("| digits read by | test digits right | numbers whose digits are all right | "
          f"of those, read right by {pipelines[0][0]} |")
    print("|---|---:|---:|---:|")
    for spec in args.reads:
        name, path = spec.split("=", 1)
        right = load_reads(path)
        allowed = [f for f in labels if all(right[i] for i in sources[f])]
        both = sum(texts.get(f) == labels[f] for f in allowed)
        print(f"| {name} | {100 * sum(right.values()) / len(right):.2f}% | "
              f"{100 * len(allowed) / n:.2f}% ({len(allowed)}) | {100 * both / max(1, len(allowed)):.2f}% ({both}) |")
    for name, texts in pipelines:
        read = sum(texts.get(f) == label for f, label in labels.items())
        print(f"| {name} | | {100 * read / n:.2f}% ({read}) read right | |")


if __name__ == "__main__":
    main()
