/* Berkeley DB hash database reader, just enough for rpm's `Packages` (CentOS 5-7, RHEL 8).
 * Layout (libdb db_page.h / hash.h): page 0 is the hash metadata page; every page starts with a
 * 26-byte header; hash pages hold an index of 16-bit item offsets, items alternate key / value;
 * rpm's values (header blobs) are too big for a page and live in chains of overflow pages. The
 * file is in the byte order of the machine that wrote it; header blobs are always big-endian. */
#include <stdlib.h>
#include <string.h>

#include "analyze/rpm_db.h"
#include "base/limits.h"

#define HASH_MAGIC 0x061561u
#define BTREE_MAGIC 0x053162u
#define PAGE_HDR 26u /* SIZEOF_PAGE: lsn 8, pgno 4, prev 4, next 4, entries 2, hf_offset 2, level 1, type 1 */

/* Page types (db_page.h). */
enum { P_HASH_UNSORTED = 2, P_OVERFLOW = 7, P_HASHMETA = 8, P_HASH = 13 };
/* Hash item types: the first byte of an item. */
enum { H_KEYDATA = 1, H_DUPLICATE = 2, H_OFFPAGE = 3, H_OFFDUP = 4 };
#define HOFFPAGE_SIZE 12u /* type 1, unused 3, pgno 4, tlen 4 */
#define DBMETA_CHKSUM 0x01u

/* A blob larger than the biggest header we accept can be rejected before it is assembled. */
#define MAX_BLOB ((uint64_t)8 + (uint64_t)16 * BW_LIMIT_RPM_TAGS + BW_LIMIT_RPM_HEADER_BYTES)

typedef struct bdb {
  const uint8_t *buf;
  size_t len;
  bool be; /* file written big-endian */
  uint32_t pagesize, npages;
  uint64_t ovf_budget; /* overflow pages that may still be visited */
  uint8_t *scratch;    /* assembled overflow values, reused */
  size_t scratch_cap;
} bdb;

static uint32_t rd32(const bdb *d, const uint8_t *p) {
  if (d->be) return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
  return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static uint16_t rd16(const bdb *d, const uint8_t *p) {
  return d->be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}
static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool bw_rpmdb_is_bdb(const uint8_t *buf, size_t len) {
  if (len < 16) return false;
  uint32_t l = le32(buf + 12), b = be32(buf + 12);
  return l == HASH_MAGIC || b == HASH_MAGIC || l == BTREE_MAGIC || b == BTREE_MAGIC;
}

/* Assembles the value stored in the overflow chain starting at pgno (tlen bytes long). */
static int read_overflow(bdb *d, uint32_t pgno, uint32_t tlen, const uint8_t **out, bw_error *err) {
  if (tlen > MAX_BLOB)
    return bw_error_set(err, BW_ELIMIT, "rpm bdb: %u-byte record, larger than any header we accept", tlen);
  if (tlen > d->scratch_cap) {
    uint8_t *n = realloc(d->scratch, tlen);
    if (!n) return bw_error_set(err, BW_ENOMEM, "rpm bdb: out of memory for a %u-byte record", tlen);
    d->scratch = n;
    d->scratch_cap = tlen;
  }
  size_t got = 0;
  while (got < tlen) {
    if (pgno == 0 || pgno >= d->npages)
      return BW_CORRUPT(err, "rpm bdb: overflow chain points to page %u of %u", pgno, d->npages);
    /* In a sound file each overflow page belongs to one chain: more visits than pages means a
     * loop or a shared chain. */
    if (d->ovf_budget == 0)
      return BW_CORRUPT(err, "rpm bdb: overflow chains visit more pages than the file has (loop?)");
    d->ovf_budget--;
    const uint8_t *pg = d->buf + (size_t)pgno * d->pagesize;
    if (pg[25] != P_OVERFLOW)
      return BW_CORRUPT(err, "rpm bdb: page %u in an overflow chain has type %u", pgno, pg[25]);
    uint16_t used = rd16(d, pg + 22); /* OV_LEN: bytes of the value on this page */
    if (used == 0 || used > d->pagesize - PAGE_HDR || used > tlen - got)
      return BW_CORRUPT(err, "rpm bdb: overflow page %u claims %u bytes", pgno, used);
    memcpy(d->scratch + got, pg + PAGE_HDR, used);
    got += used;
    pgno = rd32(d, pg + 16);
  }
  *out = d->scratch;
  return 0;
}

/* Hands every value item of one hash page to fn. */
static int walk_hash_page(bdb *d, uint32_t pgno, bw_rpmdb_blob_fn fn, void *ctx, bw_error *err) {
  const uint8_t *pg = d->buf + (size_t)pgno * d->pagesize;
  uint32_t entries = rd16(d, pg + 20);
  if ((uint64_t)PAGE_HDR + 2ull * entries > d->pagesize)
    return BW_CORRUPT(err, "rpm bdb: page %u claims %u entries", pgno, entries);
  if (entries % 2)
    return BW_CORRUPT(err, "rpm bdb: page %u has an odd number of items (%u)", pgno, entries);
  const uint8_t *inp = pg + PAGE_HDR;
  for (uint32_t i = 1; i < entries; i += 2) {
    uint32_t off = rd16(d, inp + 2 * i), prev = rd16(d, inp + 2 * (i - 1));
    if (off < PAGE_HDR + 2 * entries || off >= d->pagesize)
      return BW_CORRUPT(err, "rpm bdb: page %u item %u at offset %u is outside the page", pgno, i, off);
    const uint8_t *item = pg + off;
    const uint8_t *blob = NULL;
    size_t blen = 0;
    if (item[0] == H_OFFPAGE) {
      if (off + HOFFPAGE_SIZE > d->pagesize)
        return BW_CORRUPT(err, "rpm bdb: page %u item %u: truncated off-page reference", pgno, i);
      uint32_t opg = rd32(d, item + 4), tlen = rd32(d, item + 8);
      int rc = read_overflow(d, opg, tlen, &blob, err);
      if (rc) {
        if (err) bw_error_wrap(err, "page %u item %u", pgno, i);
        return rc;
      }
      blen = tlen;
    } else if (item[0] == H_KEYDATA) {
      /* An on-page item runs up to the previous item (LEN_HITEM); rpm's small values, such as the
       * record-0 instance counter, are not headers, and the header parser rejects them. */
      if (prev <= off || prev > d->pagesize) continue; /* not a header; tolerate odd layouts */
      blob = item + 1;
      blen = prev - off - 1;
      if (blen < 8 + 16) continue; /* too small to hold a header with one tag */
    } else {
      continue; /* duplicates are never used by rpm */
    }
    int rc = fn(ctx, blob, blen, err);
    if (rc) return rc;
  }
  return 0;
}

int bw_rpmdb_bdb_walk(const uint8_t *buf, size_t len, bw_rpmdb_blob_fn fn, void *ctx, bw_error *err) {
  if (len < 512) return BW_CORRUPT(err, "rpm bdb: %zu bytes, shorter than a metadata page", len);
  bdb d = {.buf = buf, .len = len};
  uint32_t magic = le32(buf + 12);
  if (magic == HASH_MAGIC || magic == BTREE_MAGIC) {
    d.be = false;
  } else {
    d.be = true;
    magic = be32(buf + 12);
  }
  if (magic != HASH_MAGIC)
    return bw_error_set(err, BW_EUNSUPPORTED, "rpm bdb: not a hash database (magic %#x)", magic);
  uint32_t version = rd32(&d, buf + 16);
  d.pagesize = rd32(&d, buf + 20);
  uint8_t encrypt = buf[24], type = buf[25], metaflags = buf[26];
  if (version < 8 || version > 10)
    return bw_error_set(err, BW_EUNSUPPORTED, "rpm bdb: hash version %u", version);
  if (d.pagesize < 512 || d.pagesize > 65536 || (d.pagesize & (d.pagesize - 1)))
    return BW_CORRUPT(err, "rpm bdb: page size %u", d.pagesize);
  if (type != P_HASHMETA) return BW_CORRUPT(err, "rpm bdb: page 0 has type %u, not hash metadata", type);
  if (encrypt) return bw_error_set(err, BW_EUNSUPPORTED, "rpm bdb: encrypted database");
  if (metaflags & DBMETA_CHKSUM)
    return bw_error_set(err, BW_EUNSUPPORTED, "rpm bdb: page checksums are not supported");
  if (len < d.pagesize) return BW_CORRUPT(err, "rpm bdb: file shorter than one %u-byte page", d.pagesize);
  /* Scan the pages that are both in the file and claimed by the metadata (last_pgno). */
  uint64_t last = rd32(&d, buf + 32), in_file = len / d.pagesize;
  d.npages = (uint32_t)(last + 1 < in_file ? last + 1 : in_file);
  d.ovf_budget = d.npages;

  int rc = 0;
  for (uint32_t p = 1; p < d.npages && !rc; p++) {
    uint8_t t = buf[(size_t)p * d.pagesize + 25];
    if (t == P_HASH || t == P_HASH_UNSORTED) rc = walk_hash_page(&d, p, fn, ctx, err);
  }
  free(d.scratch);
  return rc;
}
