/* NDB `Packages.db` reader (rpm lib/backend/ndb/rpmpkg.c; SUSE since SLE 15 SP3 / openSUSE).
 * Layout, little-endian (the byte order of the machine that wrote it; rpm never wrote NDB on a
 * big-endian system in practice):
 *   page 0..slotnpages-1: a 16-byte file header ("RpmP", version 0, generation, slotnpages),
 *     16 reserved bytes, then 16-byte slots ("Slot", pkgidx, blkoff, blkcnt); pkgidx 0 = free.
 *   blobs, addressed in 16-byte blocks: blob head ("BlbS", pkgidx, generation, bloblen), the
 *     header blob, padding, and a 12-byte tail (adler32, bloblen, "BlbE") in its last block. */
#include "analyze/rpm_db.h"
#include "base/limits.h"

#define NDB_PAGE 4096u
#define NDB_BLK 16u
#define NDB_TAIL 12u
#define MAGIC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NDB_HEADER_MAGIC MAGIC('R', 'p', 'm', 'P')
#define NDB_SLOT_MAGIC MAGIC('S', 'l', 'o', 't')
#define NDB_BLOB_MAGIC MAGIC('B', 'l', 'b', 'S')

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

bool bw_rpmdb_is_ndb(const uint8_t *buf, size_t len) {
  return len >= 16 && le32(buf) == NDB_HEADER_MAGIC;
}

int bw_rpmdb_ndb_walk(const uint8_t *buf, size_t len, bw_rpmdb_blob_fn fn, void *ctx, bw_error *err) {
  if (len < 32 || le32(buf) != NDB_HEADER_MAGIC)
    return BW_CORRUPT(err, "rpm ndb: missing RpmP header");
  uint32_t version = le32(buf + 4), slotnpages = le32(buf + 12);
  if (version != 0) return bw_error_set(err, BW_EUNSUPPORTED, "rpm ndb: version %u", version);
  if (slotnpages == 0 || (uint64_t)slotnpages * NDB_PAGE > len)
    return BW_CORRUPT(err, "rpm ndb: %u slot pages do not fit in %zu bytes", slotnpages, len);
  size_t slots_end = (size_t)slotnpages * NDB_PAGE;
  /* Every blob block belongs to one slot in a sound file; more blob bytes than the file holds
   * means slots share blobs, which would let a small file cost quadratic work. */
  uint64_t budget = len;
  for (size_t off = 32; off + 16 <= slots_end; off += 16) {
    const uint8_t *s = buf + off;
    if (le32(s) != NDB_SLOT_MAGIC)
      return BW_CORRUPT(err, "rpm ndb: bad slot magic at offset %zu", off);
    uint32_t pkgidx = le32(s + 4), blkoff = le32(s + 8), blkcnt = le32(s + 12);
    if (pkgidx == 0) continue; /* free slot */
    uint64_t start = (uint64_t)blkoff * NDB_BLK, size = (uint64_t)blkcnt * NDB_BLK;
    if (start < slots_end || size < NDB_BLK + NDB_TAIL || start + size > len)
      return BW_CORRUPT(err, "rpm ndb: package %u: blob blocks %u+%u are outside the file", pkgidx,
                        blkoff, blkcnt);
    const uint8_t *b = buf + start;
    if (le32(b) != NDB_BLOB_MAGIC || le32(b + 4) != pkgidx)
      return BW_CORRUPT(err, "rpm ndb: package %u: bad blob header at block %u", pkgidx, blkoff);
    uint32_t bloblen = le32(b + 12);
    if ((uint64_t)bloblen + NDB_BLK + NDB_TAIL > size)
      return BW_CORRUPT(err, "rpm ndb: package %u: %u-byte blob overflows its %u blocks", pkgidx,
                        bloblen, blkcnt);
    if (size > budget)
      return BW_CORRUPT(err, "rpm ndb: slots claim more blob bytes than the file holds");
    budget -= size;
    int rc = fn(ctx, b + NDB_BLK, bloblen, err);
    if (rc) return rc;
  }
  return 0;
}
