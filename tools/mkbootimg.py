#!/usr/bin/env python3
"""Build kine's boot image: a table of programs (name, offset, size) followed
by their ELF files, the pager first; then wrap it in an object file for the
kernel to link (section .bootimg).  Layout: kernel/include/kine/bootimg.h.

Each ELF goes in as the loaders read it (lib/elf.c: the ELF header, the
program headers and the bytes they name), without the section headers and
what only they describe (debug information, symbols), which stay in the
build directory for GDB and tools/profile: the image is the kernel's to
carry, in RAM, and a 16 MiB machine must still have room for a pool."""
import argparse, os, struct, subprocess, sys

MAGIC = 0x474D49454E494B   # "KINEIMG"
NAME_LEN = 32
ALIGN = 16
EHDR_PHOFF, EHDR_SHOFF, EHDR_EHSIZE = 32, 40, 52      # ELF64 header fields' offsets
EHDR_SHNUM = 60                                       # then e_shstrndx
PHDR_OFFSET, PHDR_FILESZ = 8, 32                      # program header fields' offsets
PT_NULL, PT_LOAD = 0, 1


def loadable(data):
    """data, an ELF64 little-endian file, cut after the last byte of its ELF
    header, program headers and loadable segments, with no section header
    table; a program header of another kind whose bytes lay beyond becomes
    PT_NULL (the RISC-V attributes: nothing loads them).  Anything else, or
    anything that does not parse, as it is."""
    if len(data) < 64 or data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        return data
    phoff, = struct.unpack_from('<Q', data, EHDR_PHOFF)
    ehsize, phentsize, phnum = struct.unpack_from('<HHH', data, EHDR_EHSIZE)
    end = max(ehsize, phoff + phentsize * phnum)
    if end > len(data) or phentsize < PHDR_FILESZ + 8:
        return data
    headers = [phoff + i * phentsize for i in range(phnum)]
    for at in headers:
        kind, = struct.unpack_from('<I', data, at)
        offset, = struct.unpack_from('<Q', data, at + PHDR_OFFSET)
        filesz, = struct.unpack_from('<Q', data, at + PHDR_FILESZ)
        if kind == PT_LOAD:
            end = max(end, offset + filesz)
    if end > len(data):
        return data
    out = bytearray(data[:end])
    for at in headers:
        offset, = struct.unpack_from('<Q', data, at + PHDR_OFFSET)
        filesz, = struct.unpack_from('<Q', data, at + PHDR_FILESZ)
        if offset + filesz > end:
            out[at:at + phentsize] = struct.pack('<I', PT_NULL) + bytes(phentsize - 4)
    struct.pack_into('<Q', out, EHDR_SHOFF, 0)
    struct.pack_into('<HH', out, EHDR_SHNUM, 0, 0)      # e_shnum, e_shstrndx (SHN_UNDEF)
    return bytes(out)


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
            progs.append((name, loadable(f.read())))
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
