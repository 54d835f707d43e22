#!/usr/bin/env python3
"""Check that the docs name only things that exist.

Reads README.md and docs/*.md and fails, listing each, if a repository
path or a tools/ command they name does not exist.  What counts as a
path: a word in `backticks` or in a code block that begins with one of the
repository's top-level folders (kernel/ pager/ libsys/ apps/ tests/
tools/ docs/ lib/ drivers/) or is one of its top-level files.  Not
checked: build outputs (build/..., which do not exist before a build),
placeholders (a word in capitals such as NAME or APP, like apps/NAME.c),
and the few paths a page tells the reader to create (CREATED below).  A
glob (pager/policies/*.c) must match something.  Usage:
  tools/check_docs.py [REPO]      (default: the repository it lives in)"""
import glob, os, re, sys

TOP_DIRS = ('kernel/', 'pager/', 'libsys/', 'apps/', 'tests/', 'tools/', 'docs/', 'lib/',
            'drivers/')
TOP_FILES = {'README.md', 'LICENSE', 'meson.build', 'meson_options.txt', 'cross-riscv.txt'}
# Made by following a page, so absent until someone does.
CREATED = {'pager/policies/around.c', 'pager/reclaim/lifo.c'}
PLACEHOLDER = re.compile(r'(^|/)[A-Z][A-Z_]+([./]|$)')


def spans(text):
    """Words in inline code and in code blocks."""
    for block in re.findall(r'```[^\n]*\n(.*?)```', text, re.S):
        yield from block.split()
    text = re.sub(r'```.*?```', '', text, flags=re.S)
    for code in re.findall(r'`([^`\n]+)`', text):
        yield from code.split()


def candidates(word):
    word = word.strip('\'"(),;:.').split(':')[0]
    word = re.sub(r'\(.*$', '', word)              # a function: pager/mm.c's mm_install(...)
    if word in TOP_FILES:
        return [word]
    if word.startswith(TOP_DIRS) and not PLACEHOLDER.search(word):
        return [word]
    return []


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), '..'))
    pages = [os.path.join(root, 'README.md')] + sorted(glob.glob(os.path.join(root, 'docs', '*.md')))
    missing = []
    for page in pages:
        with open(page) as f:
            text = f.read()
        for word in spans(text):
            for path in candidates(word):
                if path in CREATED:
                    continue
                full = os.path.join(root, path)
                found = glob.glob(full) if any(c in path for c in '*?[') else os.path.exists(full)
                if not found:
                    missing.append(f'{os.path.relpath(page, root)}: {path}')
    for m in sorted(set(missing)):
        print('missing:', m)
    print(f'docs: {len(pages)} pages checked, {len(set(missing))} missing paths')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
