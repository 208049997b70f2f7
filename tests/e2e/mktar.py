"""Writes a hand-made layer tar from a spec on stdin (one entry a line), for the e2e tests.

usage: /usr/bin/python3 mktar.py OUT.tar [pax|gnu] < spec

Spec lines (fields separated by one space; the last field may contain spaces; '#' starts a comment):
  dir PATH                  directory (mode 0755)
  file PATH SRC             regular file with the bytes of the local file SRC
  text PATH STRING          regular file with STRING ('\\n' and '\\t' are unescaped)
  symlink PATH TARGET       symbolic link
  hardlink PATH TARGET      hard link to TARGET (an earlier entry, or an escaping name)
  fifo PATH                 named pipe
  claim PATH SIZE           a regular-file header claiming SIZE bytes, then the stream ends: no
                            data, no end-of-archive blocks (a truncated or lying layer)
Names are written exactly as given: '../', absolute paths and '.wh.' names are not cleaned,
which is the point (tarfile only cleans names on extraction).
"""
import io
import sys
import tarfile

MTIME = 1700000000  # fixed, so the same spec gives the same bytes (and the same diff_id)


def info(name, kind, **kw):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mtime = MTIME
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    ti.mode = 0o755 if kind in (tarfile.DIRTYPE, tarfile.SYMTYPE) else 0o644
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti


def main():
    out = sys.argv[1]
    fmt = tarfile.GNU_FORMAT if len(sys.argv) > 2 and sys.argv[2] == "gnu" else tarfile.PAX_FORMAT
    with open(out, "wb") as raw:
        tf = tarfile.open(fileobj=raw, mode="w", format=fmt)
        for lineno, line in enumerate(sys.stdin, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            op, _, rest = line.partition(" ")
            if op == "dir":
                tf.addfile(info(rest, tarfile.DIRTYPE))
            elif op == "fifo":
                tf.addfile(info(rest, tarfile.FIFOTYPE))
            elif op in ("file", "text"):
                path, _, arg = rest.partition(" ")
                if op == "file":
                    with open(arg, "rb") as f:
                        data = f.read()
                else:
                    data = arg.replace("\\n", "\n").replace("\\t", "\t").encode()
                tf.addfile(info(path, tarfile.REGTYPE, size=len(data)), io.BytesIO(data))
            elif op in ("symlink", "hardlink"):
                path, _, target = rest.partition(" ")
                kind = tarfile.SYMTYPE if op == "symlink" else tarfile.LNKTYPE
                tf.addfile(info(path, kind, linkname=target))
            elif op == "claim":
                path, _, size = rest.partition(" ")
                ti = info(path, tarfile.REGTYPE, size=int(size))
                # header block(s) only: the data and the end-of-archive marker never come
                tf.fileobj.write(ti.tobuf(fmt, tf.encoding, tf.errors))
                tf.fileobj.flush()
                raw.flush()
                # stop here: closing the TarFile would pad and terminate the archive
                tf.closed = True
                return
            else:
                sys.exit(f"mktar.py: line {lineno}: unknown op {op!r}")
        tf.close()


if __name__ == "__main__":
    main()
