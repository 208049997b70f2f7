#!/usr/bin/env python3
"""Writes the seed corpora of the rpm fuzzers (tests/fuzz/corpora/{rpm_header,rpmdb,rpm_manifest}).

    tests/fuzz/gen_rpm_corpora.py [RPMDB_SQLITE]

Header blobs are built here; with RPMDB_SQLITE (e.g. the database tests/e2e/rpmdb_test.sh leaves
in build/.../e2e-work/rpmdb/db-sqlite/rpmdb.sqlite, made by Debian's rpm from packages the test
builds) the first real header blob is added too. The databases are small containers written here:
SQLite (512-byte pages, rpm's WAL marker), BDB hash in both byte orders (512-byte pages, so blobs
span overflow chains), and NDB. Layouts: see src/analyze/rpm_{bdb,ndb,sqlite}.c.
"""
import os
import sqlite3
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpora")


def header(entries, region=True, dribble=()):
    """entries: (tag, type, bytes, count). Returns il, dl, index, data as rpm stores a header."""
    idx, data = [], b""

    def add(tag, typ, val, count):
        nonlocal data
        align = {3: 2, 4: 4, 5: 8}.get(typ, 1)
        data += b"\0" * (-len(data) % align)
        idx.append((tag, typ, len(data), count))
        data += val

    if region:
        idx.append(None)  # region tag, filled in below
    for e in entries:
        add(*e)
    if region:
        ril = len(idx)
        idx[0] = (63, 7, len(data), 16)
        data += struct.pack(">IIiI", 63, 7, -16 * ril, 16)
    for e in dribble:
        add(*e)
    blob = struct.pack(">II", len(idx), len(data))
    for tag, typ, off, count in idx:
        blob += struct.pack(">IIII", tag, typ, off, count)
    return blob + data


def s(tag, text):
    return (tag, 6, text.encode() + b"\0", 1)


def pkg(name, ver, rel, epoch=None, srpm=None, lic="MIT", arch="x86_64"):
    e = [s(1000, name), s(1001, ver), s(1002, rel)]
    if epoch is not None:
        e.append((1003, 4, struct.pack(">I", epoch), 1))
    e += [s(1011, "Bulwark Seeds"), s(1014, lic), s(1022, arch)]
    if srpm:
        e.append(s(1044, srpm))
    return header(e)


def bdb(blobs, be, ps=512):
    """A BDB hash file: metadata page, one hash page, one overflow chain per blob."""
    o = ">" if be else "<"
    pages = {}
    items, nxt = [], 2
    items.append(b"\x01" + struct.pack(o + "I", 0))
    items.append(b"\x01" + struct.pack(o + "I", len(blobs) + 1))
    for i, b in enumerate(blobs):
        items.append(b"\x01" + struct.pack(o + "I", i + 1))
        items.append(struct.pack(o + "B3xII", 3, nxt, len(b)))
        done = 0
        while done < len(b):
            k = min(len(b) - done, ps - 26)
            nxt2 = nxt + 1 if done + k < len(b) else 0
            pg = struct.pack(o + "8xIIIHHBB", nxt, 0, nxt2, 1, k, 0, 7) + b[done:done + k]
            pages[nxt] = pg + b"\0" * (ps - len(pg))
            done += k
            nxt += 1
    hp = bytearray(ps)
    top, index = ps, b""
    for it in items:
        top -= len(it)
        hp[top:top + len(it)] = it
        index += struct.pack(o + "H", top)
    hp[0:26] = struct.pack(o + "8xIIIHHBB", 1, 0, 0, len(items), top, 0, 13)
    hp[26:26 + len(index)] = index
    pages[1] = bytes(hp)
    meta = bytearray(ps)
    meta[0:36] = struct.pack(o + "8xIIIIBBBxII", 0, 0x061561, 9, ps, 0, 8, 0, 0, nxt - 1)
    pages[0] = bytes(meta)
    return b"".join(pages[i] for i in range(nxt))


def ndb(blobs):
    f = bytearray(4096)
    f[0:16] = b"RpmP" + struct.pack("<III", 0, 1, 1)
    for i in range(254):
        f[32 + 16 * i:36 + 16 * i] = b"Slot"
    for i, b in enumerate(blobs):
        blocks = (16 + len(b) + 12 + 15) // 16
        off = len(f)
        f[32 + 16 * i:48 + 16 * i] = b"Slot" + struct.pack("<III", i + 1, off // 16, blocks)
        body = b"BlbS" + struct.pack("<III", i + 1, 1, len(b)) + b
        body += b"\0" * (blocks * 16 - 12 - len(body)) + struct.pack("<II", 0, len(b)) + b"BlbE"
        f += body
    return bytes(f)


def sqlite_db(blobs, wal):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "rpmdb.sqlite")
        c = sqlite3.connect(p)
        c.execute("PRAGMA page_size=512")
        c.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
        c.executemany("INSERT INTO Packages(blob) VALUES (?)", [(b,) for b in blobs])
        c.commit()
        c.execute("VACUUM")
        c.close()
        data = bytearray(open(p, "rb").read())
    if wal:
        data[18] = data[19] = 2
    return bytes(data)


def write(kind, name, data):
    d = os.path.join(OUT, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    print(f"{kind}/{name}: {len(data)} bytes")


def main():
    bash = pkg("bash", "4.2.46", "34.el7", srpm="bash-4.2.46-34.el7.src.rpm", lic="GPLv3+")
    vim = pkg("vim-minimal", "7.4.160", "4.el7", epoch=2, srpm="vim-7.4.160-4.el7.src.rpm", lic="Vim and MIT")
    key = pkg("gpg-pubkey", "f4a80eb5", "53a7ff4b", srpm="(none)", lic="pubkey", arch="")
    legacy = header([s(1000, "legacy"), (1014, 9, b"GPL\0GPL-de\0", 2), (1011, 8, b"V1\0V2\0", 2)], region=False)
    dribble = header([s(1000, "old"), s(1001, "1"), s(1002, "1")], dribble=[s(1000, "new")])
    blobs = [bash, vim, key]
    if len(sys.argv) > 1:
        c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
        real = c.execute("SELECT blob FROM Packages ORDER BY hnum LIMIT 1").fetchone()[0]
        c.close()
        write("rpm_header", "rpmbuild-real.hdr", real)
        blobs.append(real)
    write("rpm_header", "region.hdr", vim)
    write("rpm_header", "legacy.hdr", legacy)
    write("rpm_header", "dribble.hdr", dribble)
    write("rpmdb", "tiny.sqlite", sqlite_db(blobs, wal=True))
    write("rpmdb", "tiny-le.bdb", bdb(blobs, be=False))
    write("rpmdb", "tiny-be.bdb", bdb(blobs, be=True))
    write("rpmdb", "tiny.ndb", ndb(blobs))
    manifest = (
        "mariner-release\t2.0-12.cm2\t1653816591\t1653753130\tMicrosoft Corporation\t(none)\t580\tnoarch\t0\tmariner-release-2.0-12.cm2.src.rpm\n"
        "vim\t9.0-1.cm2\t1653816591\t1653753130\tMicrosoft Corporation\t2\t45000\tx86_64\t2\tvim-9.0-1.cm2.src.rpm\n"
    )
    write("rpm_manifest", "manifest-2.txt", manifest.encode())


if __name__ == "__main__":
    main()
