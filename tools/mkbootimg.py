#!/usr/bin/env python3
"""Build kine's boot image: a table of programs (name, offset, size) followed
by their ELF files, the pager first; then wrap it in an object file for the
kernel to link (section .bootimg).  Layout: kernel/include/kine/bootimg.h."""
import argparse, os, struct, subprocess, sys

MAGIC = 0x474D49454E494B   # "KINEIMG"
NAME_LEN = 32
ALIGN = 16

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--objcopy', required=True)
    ap.add_argument('--bin', required=True)
    ap.add_argument('--obj', required=True)
    ap.add_argument('programs', nargs='+')
    a = ap.parse_args()

    progs = []
    for path in a.programs:
        name = os.path.basename(path)
        if len(name.encode()) >= NAME_LEN:
            sys.exit(f'mkbootimg: program name too long: {name}')
        with open(path, 'rb') as f:
            progs.append((name, f.read()))
    if not progs or progs[0][0] != 'pager':
        sys.exit('mkbootimg: the pager must come first')
    if len({n for n, _ in progs}) != len(progs):
        sys.exit('mkbootimg: duplicate program names')

    header = 32 + 48 * len(progs)
    offset = (header + ALIGN - 1) // ALIGN * ALIGN
    table, blobs = b'', b''
    for name, data in progs:
        pad = (-offset) % ALIGN
        blobs += b'\0' * pad
        offset += pad
        table += struct.pack('<32sQQ', name.encode(), offset, len(data))
        blobs += data
        offset += len(data)
    image = struct.pack('<QQQQ', MAGIC, len(progs), 0, 0) + table
    image += b'\0' * ((header + ALIGN - 1) // ALIGN * ALIGN - header) + blobs
    image = image[:16] + struct.pack('<Q', len(image)) + image[24:]
    with open(a.bin, 'wb') as f:
        f.write(image)

    # objcopy names symbols after the path; run it beside the file.
    outdir = os.path.dirname(os.path.abspath(a.bin))
    subprocess.run([a.objcopy, '-I', 'binary', '-O', 'elf64-littleriscv', '-B', 'riscv',
                    '--rename-section', '.data=.bootimg,alloc,load,readonly,data,contents',
                    os.path.basename(a.bin), os.path.abspath(a.obj)], cwd=outdir, check=True)

if __name__ == '__main__':
    main()
