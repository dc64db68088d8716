"""Accuracy of the intent matcher on a labelled file: `text<TAB>intent` lines, "a|b" for either."""

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nongbao.content import parse_vocabulary, read_yaml  # noqa: E402
from nongbao.matcher import IntentMatcher  # noqa: E402


def read_labelled(path: Path) -> list[tuple[str, set[str]]]:
    """The (text, acceptable intents) pairs of a TSV file, skipping comments."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        text, labels = line.rsplit("\t", 1)
        rows.append((text, set(labels.strip().split("|"))))
    return rows


def shipped_matcher(content_dir: Path = ROOT / "content") -> IntentMatcher:
    """A matcher built from the vocabularies in content/intents/."""
    vocabularies = {}
    for path in sorted((content_dir / "intents").glob("*.yaml")):
        vocab = parse_vocabulary(read_yaml(path), str(path))
        vocabularies[vocab["locale"]] = vocab
    return IntentMatcher(vocabularies)


def evaluate(matcher: IntentMatcher, rows) -> tuple[float, dict, list]:
    """Overall accuracy, recall per intent, and the misses.

    The service's first reply is what counts: an either/or question (clarify) is a miss, even when
    one of its two options is right (those are listed as "clarify:a|b"); a reply to several questions
    counts when one of the topics it covers is right.
    """
    hits, totals, misses = Counter(), Counter(), []
    for text, labels in rows:
        routed = matcher.route(text)
        covered = [i for i in routed.intents if i in labels] if routed.intent != "clarify" else []
        got = covered[0] if covered else routed.intent
        if routed.intent == "clarify":
            got = "clarify:" + "|".join(routed.intents)
        first = sorted(labels)[0]
        key = next((label for label in labels if label == got), first)
        totals[key] += 1
        if got in labels:
            hits[key] += 1
        else:
            misses.append((text, "|".join(sorted(labels)), got))
    accuracy = sum(hits.values()) / max(1, len(rows))
    recall = {intent: hits[intent] / totals[intent] for intent in sorted(totals)}
    return accuracy, recall, misses


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path, help="labelled TSV file")
    parser.add_argument("--min", type=float, default=0.0, help="exit 1 when accuracy is below this")
    args = parser.parse_args(argv)
    rows = read_labelled(args.path)
    accuracy, recall, misses = evaluate(shipped_matcher(), rows)
    print(f"accuracy: {accuracy:.1%} ({len(rows) - len(misses)}/{len(rows)})")
    print("recall per intent:")
    for intent, value in recall.items():
        print(f"  {intent:28} {value:.0%}")
    if misses:
        print("misses (text, expected, got):")
        for text, expected, got in misses:
            print(f"  {text}\t{expected}\t{got}")
    return 0 if accuracy >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
