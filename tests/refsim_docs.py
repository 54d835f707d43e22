#!/usr/bin/env python3
"""Check that the refsim examples in docs/paging.md print what the page says.

Runs every `$ build/tools/refsim/refsim ...` line of the page's code
blocks with the refsim given (the build's) and compares its output, line
for line, with the lines that follow it in the block up to the next `$`
line.  Commands under a heading that starts with "Adding" are skipped:
they need a policy the reader creates.  Usage:
  tests/refsim_docs.py REFSIM PAGE"""
import re, shlex, subprocess, sys

SHOWN = 'build/tools/refsim/refsim'
SKIP_HEADING = re.compile(r'^#+ Adding')


def examples(text):
    """(command words, expected lines) for each refsim example."""
    skipping = False
    in_block = False
    current = None
    for line in text.splitlines():
        if not in_block and line.startswith('#'):
            skipping = bool(SKIP_HEADING.match(line))
        if line.strip().startswith('```'):
            if current:
                yield current
                current = None
            in_block = not in_block
            continue
        if not in_block or skipping:
            continue
        body = line.strip()
        if body.startswith('$ '):
            if current:
                yield current
            words = shlex.split(body[2:])
            current = (words[1:], []) if words and words[0] == SHOWN else None
        elif current:
            current[1].append(line.rstrip())


def main():
    refsim, page = sys.argv[1], sys.argv[2]
    with open(page) as f:
        text = f.read()
    failed = checked = 0
    for args, expected in examples(text):
        checked += 1
        got = subprocess.run([refsim] + args, capture_output=True, text=True)
        lines = got.stdout.splitlines()
        if got.returncode != 0 or [l.strip() for l in lines] != [e.strip() for e in expected]:
            failed += 1
            print(f'refsim {" ".join(args)}: status {got.returncode}', file=sys.stderr)
            print('  expected:\n    ' + '\n    '.join(expected), file=sys.stderr)
            print('  got:\n    ' + '\n    '.join(lines) + got.stderr, file=sys.stderr)
    print(f'refsim_docs: {checked} examples checked, {failed} failed')
    return 1 if failed or checked == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
