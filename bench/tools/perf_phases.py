#!/usr/bin/env python3
"""Splits a `perf record -g` profile into phases by call-stack patterns and prints, per phase,
its share of samples, the top self-time symbols and the top inclusive functions.

usage: perf script -i perf.data -F comm,tid,ip,sym,dso | bench/tools/perf_phases.py \
           --phase 'insert=insert_op::next' --phase 'select=index_scan' [--top 8] [--thread-main]

A sample belongs to the first phase whose regex matches any frame of its stack; samples that
match none go to "other". --by-comm adds the thread name (comm) to "other" so background
threads (CAF workers, TBB) show up separately.
"""
import argparse
import collections
import re
import sys


def short(sym):
    sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
    sym = re.sub(r"std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string", sym)
    sym = re.sub(r"std::less<std::string >", "less", sym)
    if len(sym) > 150:
        sym = sym[:147] + "..."
    return sym


def samples(stream):
    head, frames = None, []
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip():
            if head is not None:
                yield head, frames
            head, frames = None, []
            continue
        if head is None:
            head = line
        else:
            parts = line.strip().split(None, 1)
            sym = parts[1] if len(parts) > 1 else parts[0]
            m = re.search(r"\s+\(([^)]*)\)$", sym)
            if m:
                sym = sym[:m.start()]
                if sym.startswith("[unknown]"):
                    sym = "[unknown in " + m.group(1).rsplit("/", 1)[-1] + "]"
            frames.append(short(sym))
    if head is not None:
        yield head, frames


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phase", action="append", default=[], help="name=regex (first match wins)")
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument("--by-comm", action="store_true")
    a = ap.parse_args()
    phases = [(p.split("=", 1)[0], re.compile(p.split("=", 1)[1])) for p in a.phase]
    total = 0
    count = collections.Counter()
    self_t = collections.defaultdict(collections.Counter)
    incl = collections.defaultdict(collections.Counter)
    for head, frames in samples(sys.stdin):
        total += 1
        name = None
        for pname, rx in phases:
            if any(rx.search(f) for f in frames):
                name = pname
                break
        if name is None:
            name = "other" + (" [" + head.split()[0] + "]" if a.by_comm else "")
        count[name] += 1
        if frames:
            self_t[name][frames[0]] += 1
        for f in set(frames):
            incl[name][f] += 1
    print(f"{total} samples")
    for name, n in count.most_common():
        print(f"\n== {name}: {n} samples, {100.0 * n / total:.1f}% of all")
        print("   self time (% of phase):")
        for sym, k in self_t[name].most_common(a.top):
            print(f"     {100.0 * k / n:5.1f}%  {sym}")
        print("   inclusive (% of phase):")
        shown = 0
        for sym, k in incl[name].most_common():
            if k == n:
                continue  # frames every sample of the phase has (main, run_plan, ...)
            print(f"     {100.0 * k / n:5.1f}%  {sym}")
            shown += 1
            if shown >= a.top * 2:
                break


if __name__ == "__main__":
    main()
