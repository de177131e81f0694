"""A minimal Word 97-2003 (.doc) writer for tests: one OLE2 compound file holding a FIB, a piece table and UTF-16 text.

Enough for antiword and catdoc to read the text back; no styles, fonts or formatting.
"""

from __future__ import annotations

import struct

SECTOR = 512
FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
MIN_STREAM = 4096  # streams at least this long live in regular sectors (no mini stream needed)


def _fib(ccp_text: int, fc_text: int, fc_clx: int, lcb_clx: int) -> bytes:
    base = bytearray(32)
    flags = 0x1000 | 0x0200  # fExtChar (UTF-16 text), fWhichTblStm (the table stream is 1Table)
    struct.pack_into("<HHHHHH", base, 0, 0xA5EC, 0x00C1, 0, 0x0804, 0, flags)
    struct.pack_into("<H", base, 12, 0x00BF)  # nFibBack
    struct.pack_into("<II", base, 24, fc_text, fc_text + 2 * ccp_text)  # fcMin, fcMac (older readers look here)
    rg_w = struct.pack("<H", 14) + bytes(28)
    lw = [0] * 22
    lw[0] = fc_text + 2 * ccp_text  # cbMac
    lw[3] = ccp_text
    rg_lw = struct.pack("<H", 22) + struct.pack("<22i", *lw)
    pairs = [0] * (93 * 2)
    pairs[33 * 2], pairs[33 * 2 + 1] = fc_clx, lcb_clx  # fcClx / lcbClx
    rg_fc = struct.pack("<H", 93) + struct.pack(f"<{len(pairs)}I", *pairs)
    return bytes(base) + rg_w + rg_lw + rg_fc + struct.pack("<H", 0)


def word_document(text: str) -> tuple[bytes, bytes]:
    """The WordDocument and 1Table streams for ``text`` (paragraphs separated by \\r)."""
    body = text.replace("\n", "\r")
    if not body.endswith("\r"):
        body += "\r"
    ccp = len(body)
    fc_text = 0x600
    fib = _fib(ccp, fc_text, 0, 0)
    encoded = body.encode("utf-16-le")
    # Piece table: one piece covering all characters, stored uncompressed (UTF-16) at fc_text.
    plc = struct.pack("<II", 0, ccp) + struct.pack("<HIH", 0, fc_text, 0)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    table = clx.ljust(MIN_STREAM, b"\x00")
    fib = _fib(ccp, fc_text, 0, len(clx))
    stream = bytearray(max(MIN_STREAM, fc_text + len(encoded) + SECTOR))
    stream[: len(fib)] = fib
    stream[fc_text : fc_text + len(encoded)] = encoded
    return bytes(stream), table


def _entry(name: str, kind: int, start: int, size: int, *, left: int = FREE, right: int = FREE, child: int = FREE) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le")
    entry = bytearray(128)
    entry[: len(encoded)] = encoded
    struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
    struct.pack_into("<III", entry, 68, left, right, child)
    struct.pack_into("<II", entry, 116, start, size)
    return bytes(entry)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file (version 3) with the given top-level streams, each at least 4096 bytes."""
    names = list(streams)
    chains: list[tuple[int, int]] = []
    sectors: list[bytes] = []
    for name in names:
        data = streams[name]
        assert len(data) >= MIN_STREAM
        padded = data + b"\x00" * (-len(data) % SECTOR)
        chains.append((len(sectors), len(padded) // SECTOR))
        sectors += [padded[i : i + SECTOR] for i in range(0, len(padded), SECTOR)]
    dir_start = len(sectors)
    # Directory: root, then the streams chained as right siblings (names sorted as CFB compares them).
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    entries = [_entry("Root Entry", 5, END, 0, child=order[0] + 1)]
    right_of = {order[k]: order[k + 1] + 1 for k in range(len(order) - 1)}
    for index, name in enumerate(names):
        start, count = chains[index]
        entries.append(_entry(name, 2, start, len(streams[name]), right=right_of.get(index, FREE)))
    directory = b"".join(entries)
    directory += b"\x00" * (-len(directory) % SECTOR)
    for i in range(0, len(directory), SECTOR):
        sectors.append(directory[i : i + SECTOR])
    dir_count = len(sectors) - dir_start
    fat_start = len(sectors)
    total = len(sectors) + 1
    fat_count = 1
    while total > fat_count * (SECTOR // 4):
        fat_count += 1
        total = len(sectors) + fat_count
    fat = [FREE] * (fat_count * SECTOR // 4)
    for start, count in chains + [(dir_start, dir_count)]:
        for s in range(start, start + count):
            fat[s] = s + 1 if s + 1 < start + count else END
    for s in range(fat_start, fat_start + fat_count):
        fat[s] = FAT_SECTOR
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    header = bytearray(SECTOR)
    header[:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, fat_count, dir_start, 0, MIN_STREAM, END, 0, END, 0)
    difat = [fat_start + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    struct.pack_into("<109I", header, 76, *difat)
    return bytes(header) + b"".join(sectors) + fat_bytes


def make_doc(text: str) -> bytes:
    """A .doc whose body is ``text``."""
    document, table = word_document(text)
    return compound_file({"WordDocument": document, "1Table": table})
