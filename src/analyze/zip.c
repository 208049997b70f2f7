/* Bounded in-memory zip reader (see zip.h). Record layouts: PKWARE APPNOTE.TXT 4.3.7 (local
 * header), 4.3.12 (central directory header), 4.3.14-4.3.16 (zip64 end records, end of central
 * directory), 4.5.3 (zip64 extended information extra field). */
#include "analyze/zip.h"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define EOCD_LEN 22u
#define EOCD64_LEN 56u
#define LOCATOR64_LEN 20u
#define CENTRAL_LEN 46u
#define LOCAL_LEN 30u
#define MAX_COMMENT 65535u
#define RATIO_FREE (1u << 20) /* a member may inflate this much before the ratio cap applies */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

void bw_zip_dispose(bw_zip *z) {
  if (!z) return;
  free(z->entries);
  free(z->offsets);
  z->entries = NULL;
  z->offsets = NULL;
  z->count = 0;
}

bool bw_zip_entry_is_dir(const bw_zip_entry *e) { return e->name_len > 0 && e->name[e->name_len - 1] == '/'; }

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The end of central directory record: the last signature whose comment fits in the file. */
static bool find_eocd(const uint8_t *buf, size_t len, size_t *pos) {
  if (len < EOCD_LEN) return false;
  size_t lowest = len - EOCD_LEN > MAX_COMMENT ? len - EOCD_LEN - MAX_COMMENT : 0;
  for (size_t i = len - EOCD_LEN + 1; i-- > lowest;) {
    if (buf[i] != 'P' || rd32(buf + i) != SIG_EOCD) continue;
    if (i + EOCD_LEN + rd16(buf + i + 20) <= len) {
      *pos = i;
      return true;
    }
  }
  return false;
}

/* Applies a zip64 extended information extra field (id 1) to the fields that overflowed. */
static int apply_zip64_extra(const uint8_t *x, size_t xlen, uint64_t *usize, uint64_t *csize, uint64_t *off,
                             uint32_t *disk, bw_error *err) {
  size_t i = 0;
  while (i + 4 <= xlen) {
    uint16_t id = rd16(x + i), n = rd16(x + i + 2);
    if (n > xlen - i - 4) return BW_CORRUPT(err, "extra field runs past its entry");
    if (id == 1) {
      const uint8_t *f = x + i + 4;
      size_t k = 0;
      uint64_t *want[3] = {*usize == 0xFFFFFFFFu ? usize : NULL, *csize == 0xFFFFFFFFu ? csize : NULL,
                           *off == 0xFFFFFFFFu ? off : NULL};
      for (int w = 0; w < 3; w++) {
        if (!want[w]) continue;
        if (k + 8 > n) return BW_CORRUPT(err, "zip64 extra field too short");
        *want[w] = rd64(f + k);
        k += 8;
      }
      if (*disk == 0xFFFFu) {
        if (k + 4 > n) return BW_CORRUPT(err, "zip64 extra field too short");
        *disk = rd32(f + k);
      }
      return 0;
    }
    i += 4 + (size_t)n;
  }
  return 0;
}

int bw_zip_open(bw_zip *z, const uint8_t *buf, size_t len, bw_error *err) {
  memset(z, 0, sizeof *z);
  z->buf = buf;
  z->len = len;
  size_t eocd;
  if (!find_eocd(buf, len, &eocd)) return BW_CORRUPT(err, "not a zip archive (no end of central directory record)");
  const uint8_t *e = buf + eocd;
  uint64_t disk = rd16(e + 4), cd_disk = rd16(e + 6), count = rd16(e + 10), count_here = rd16(e + 8);
  uint64_t cd_size = rd32(e + 12), cd_off = rd32(e + 16);
  uint64_t cd_end = eocd; /* the directory ends where the end records start */

  if (count == 0xFFFF || count_here == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu) {
    if (eocd >= LOCATOR64_LEN && rd32(buf + eocd - LOCATOR64_LEN) == SIG_LOCATOR64) {
      size_t loc = eocd - LOCATOR64_LEN;
      uint64_t claimed = rd64(buf + loc + 8);
      /* Writers put the zip64 end record right before the locator; its claimed offset is off by
       * the prefix when bytes were put in front of the archive. */
      uint64_t at;
      if (loc >= EOCD64_LEN && rd32(buf + loc - EOCD64_LEN) == SIG_EOCD64)
        at = loc - EOCD64_LEN;
      else if (claimed <= loc && loc - claimed >= EOCD64_LEN && rd32(buf + claimed) == SIG_EOCD64)
        at = claimed;
      else
        return BW_CORRUPT(err, "zip64 end of central directory record not found");
      const uint8_t *r = buf + at;
      disk = rd32(r + 16);
      cd_disk = rd32(r + 20);
      count_here = rd64(r + 24);
      count = rd64(r + 32);
      cd_size = rd64(r + 40);
      cd_off = rd64(r + 48);
      cd_end = at;
    }
    /* no locator: the 16/32-bit values are taken as they are (exactly 65535 entries is legal) */
  }
  if (disk != 0 || cd_disk != 0) return bw_error_set(err, BW_EUNSUPPORTED, "multi-disk zip archive");
  if (count != count_here) return BW_CORRUPT(err, "end record counts %llu entries on this disk but %llu in all",
                                             (unsigned long long)count_here, (unsigned long long)count);
  if (count > BW_LIMIT_ARCHIVE_ENTRIES)
    return bw_error_set(err, BW_ELIMIT, "%llu entries, over the limit of %u (BW_LIMIT_ARCHIVE_ENTRIES)",
                        (unsigned long long)count, BW_LIMIT_ARCHIVE_ENTRIES);
  if (cd_size > cd_end) return BW_CORRUPT(err, "central directory larger than the archive");
  if (count > cd_size / CENTRAL_LEN) return BW_CORRUPT(err, "central directory too small for %llu entries",
                                                      (unsigned long long)count);

  /* Where is the directory really? Right before the end records, with every offset shifted by
   * the prefix; or, when something sits in between, exactly where it claims to be. */
  uint64_t actual = cd_end - cd_size;
  bool ok = false;
  if (actual >= cd_off && (count == 0 || rd32(buf + actual) == SIG_CENTRAL)) {
    z->prefix = actual - cd_off;
    ok = true;
  } else if (cd_off <= cd_end - cd_size && (count == 0 || rd32(buf + cd_off) == SIG_CENTRAL)) {
    z->prefix = 0;
    actual = cd_off;
    ok = true;
  }
  if (!ok) return BW_CORRUPT(err, "central directory not found where the end record puts it");
  z->cd_start = actual;

  if (count == 0) return 0;
  z->entries = calloc((size_t)count, sizeof *z->entries);
  z->offsets = calloc((size_t)count, sizeof *z->offsets);
  if (!z->entries || !z->offsets) {
    bw_zip_dispose(z);
    return bw_error_set(err, BW_ENOMEM, "out of memory reading a zip directory of %llu entries",
                        (unsigned long long)count);
  }
  uint64_t p = actual, end = actual + cd_size;
  for (size_t i = 0; i < count; i++) {
    if (end - p < CENTRAL_LEN || rd32(buf + p) != SIG_CENTRAL) {
      bw_zip_dispose(z);
      return BW_CORRUPT(err, "central directory truncated or damaged at entry %zu of %llu", i,
                        (unsigned long long)count);
    }
    const uint8_t *c = buf + p;
    size_t nlen = rd16(c + 28), xlen = rd16(c + 30), clen = rd16(c + 32);
    if (end - p - CENTRAL_LEN < nlen + xlen + clen) {
      bw_zip_dispose(z);
      return BW_CORRUPT(err, "central directory entry %zu runs past the directory", i);
    }
    bw_zip_entry *en = &z->entries[i];
    en->flags = rd16(c + 8);
    en->method = rd16(c + 10);
    en->crc = rd32(c + 16);
    en->csize = rd32(c + 20);
    en->usize = rd32(c + 24);
    uint32_t dstart = rd16(c + 34);
    uint64_t off = rd32(c + 42);
    int rc = apply_zip64_extra(c + CENTRAL_LEN + nlen, xlen, &en->usize, &en->csize, &off, &dstart, err);
    if (rc < 0) {
      bw_zip_dispose(z);
      return bw_error_wrap(err, "central directory entry %zu", i);
    }
    if (dstart != 0) {
      bw_zip_dispose(z);
      return bw_error_set(err, BW_EUNSUPPORTED, "multi-disk zip archive (entry %zu on disk %u)", i, dstart);
    }
    en->name = (const char *)c + CENTRAL_LEN;
    en->name_len = nlen;
    /* an offset past the buffer stays as it is: bw_zip_read rejects it, the others stay readable */
    if (__builtin_add_overflow(off, z->prefix, &en->offset)) en->offset = UINT64_MAX;
    z->offsets[i] = en->offset;
    z->count = i + 1;
    p += CENTRAL_LEN + nlen + xlen + clen;
  }
  qsort(z->offsets, z->count, sizeof *z->offsets, cmp_u64);
  return 0;
}

/* Index of the first sorted offset greater than off. */
static size_t upper_bound(const uint64_t *v, size_t n, uint64_t off) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid] <= off) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* The member's compressed bytes, checked to lie between its local header and whatever follows. */
static int locate(const bw_zip *z, const bw_zip_entry *e, const uint8_t **data, bw_error *err) {
  uint64_t off = e->offset;
  if (off >= z->cd_start || z->cd_start - off < LOCAL_LEN)
    return BW_CORRUPT(err, "local header offset %llu outside the archive's data", (unsigned long long)off);
  const uint8_t *h = z->buf + off;
  if (rd32(h) != SIG_LOCAL) return BW_CORRUPT(err, "no local header at offset %llu", (unsigned long long)off);
  uint64_t start = off + LOCAL_LEN + rd16(h + 26) + rd16(h + 28);
  if (start > z->cd_start || z->cd_start - start < e->csize)
    return BW_CORRUPT(err, "member data runs past the central directory");
  /* Another member starting inside this one's header or data: overlapping members are how a few
   * kilobytes "contain" gigabytes without nesting (D. Fifield, "A better zip bomb", 2019). */
  size_t next = upper_bound(z->offsets, z->count, off);
  if (next >= 2 && z->offsets[next - 2] == off)
    return BW_CORRUPT(err, "member shares its local header with another member (overlapping entries)");
  uint64_t limit = next < z->count ? z->offsets[next] : z->cd_start;
  if (start + e->csize > limit) return BW_CORRUPT(err, "member data overlaps the next member (overlapping entries)");
  *data = z->buf + start;
  return 0;
}

static int inflate_member(const bw_zip_entry *e, const uint8_t *in, uint8_t **outp, bw_error *err) {
  struct inflate_state *s = malloc(sizeof *s);
  size_t target = (size_t)e->usize;
  size_t cap = target;
  if (e->csize < (SIZE_MAX - 65536) / 4 && cap > e->csize * 4 + 65536) cap = (size_t)e->csize * 4 + 65536;
  uint8_t *out = malloc(cap ? cap : 1);
  if (!s || !out) {
    free(s);
    free(out);
    return bw_error_set(err, BW_ENOMEM, "out of memory inflating a %zu-byte member", target);
  }
  isal_inflate_init(s);
  s->crc_flag = ISAL_GZIP_NO_HDR; /* raw deflate, CRC-32 of the output kept in s->crc */
  uint64_t in_left = e->csize;
  size_t produced = 0;
  int stalls = 0, rc = 0;
  while (s->block_state != ISAL_BLOCK_FINISH) {
    if (s->avail_in == 0 && in_left) {
      uint32_t chunk = in_left > (1u << 30) ? (1u << 30) : (uint32_t)in_left;
      s->next_in = (uint8_t *)(uintptr_t)in;
      s->avail_in = chunk;
      in += chunk;
      in_left -= chunk;
    }
    uint8_t scratch[64];
    bool over = false;
    if (produced < cap) {
      size_t room = cap - produced;
      s->next_out = out + produced;
      s->avail_out = room > (1u << 30) ? (1u << 30) : (uint32_t)room;
    } else if (cap < target) {
      size_t ncap = cap > target / 2 ? target : cap * 2;
      uint8_t *n = realloc(out, ncap);
      if (!n) {
        rc = bw_error_set(err, BW_ENOMEM, "out of memory inflating a %zu-byte member", target);
        break;
      }
      out = n;
      cap = ncap;
      continue;
    } else {
      /* everything declared is out: the stream must end without producing more */
      s->next_out = scratch;
      s->avail_out = sizeof scratch;
      over = true;
    }
    uint32_t in_before = s->avail_in, out_before = s->avail_out;
    int r = isal_inflate(s);
    if (r < 0) {
      rc = BW_CORRUPT(err, "invalid deflate data (isa-l %d)", r);
      break;
    }
    size_t made = out_before - s->avail_out;
    if (over && made) {
      rc = BW_CORRUPT(err, "inflates past the %zu bytes its directory entry declares", target);
      break;
    }
    produced += over ? 0 : made;
    if (made == 0 && in_before == s->avail_in && s->block_state != ISAL_BLOCK_FINISH) {
      if (s->avail_in == 0 && in_left == 0) {
        rc = BW_CORRUPT(err, "deflate data ends early (after %zu of %zu bytes)", produced, target);
        break;
      }
      if (++stalls > 4) {
        rc = BW_CORRUPT(err, "deflate stream makes no progress");
        break;
      }
    } else {
      stalls = 0;
    }
  }
  if (!rc && produced != target)
    rc = BW_CORRUPT(err, "inflates to %zu bytes, its directory entry declares %zu", produced, target);
  if (!rc && s->crc != e->crc) rc = BW_CORRUPT(err, "CRC-32 mismatch (corrupt member)");
  free(s);
  if (rc) {
    free(out);
    return rc;
  }
  *outp = out;
  return 0;
}

int bw_zip_read(const bw_zip *z, const bw_zip_entry *e, size_t max, bw_zip_budget *budget, const uint8_t **data,
                size_t *len, uint8_t **owned, bw_error *err) {
  *data = NULL;
  *len = 0;
  *owned = NULL;
  if (e->flags & 1) return bw_error_set(err, BW_EUNSUPPORTED, "encrypted member");
  if (e->method != BW_ZIP_STORED && e->method != BW_ZIP_DEFLATED)
    return bw_error_set(err, BW_EUNSUPPORTED, "compression method %u", e->method);
  if (e->usize > max)
    return bw_error_set(err, BW_ELIMIT, "declares %llu bytes, over the limit of %zu", (unsigned long long)e->usize,
                        max);
  /* Claims are checked before any work: output never exceeds the declared size (inflate_member
   * stops there), so a member cannot inflate past these caps by lying either. */
  if (e->method == BW_ZIP_DEFLATED && e->usize > RATIO_FREE &&
      (e->csize == 0 || e->usize / e->csize >= BW_LIMIT_ARCHIVE_RATIO))
    return bw_error_set(err, BW_ELIMIT, "inflates %llu bytes from %llu (over %llu:1, BW_LIMIT_ARCHIVE_RATIO): zip bomb?",
                        (unsigned long long)e->usize, (unsigned long long)e->csize, BW_LIMIT_ARCHIVE_RATIO);
  if (budget && e->usize > budget->left)
    return bw_error_set(err, BW_ELIMIT,
                        "reading %llu more bytes would pass the %llu bytes read from one file "
                        "(BW_LIMIT_ARCHIVE_INFLATED): zip bomb?",
                        (unsigned long long)e->usize, (unsigned long long)BW_LIMIT_ARCHIVE_INFLATED);
  const uint8_t *in = NULL;
  int rc = locate(z, e, &in, err);
  if (rc < 0) return rc;
  if (e->method == BW_ZIP_STORED) {
    if (e->csize != e->usize) return BW_CORRUPT(err, "stored member with different compressed and real sizes");
    if (crc32_gzip_refl(0, in, (uint64_t)e->usize) != e->crc) return BW_CORRUPT(err, "CRC-32 mismatch (corrupt member)");
    *data = in;
  } else {
    rc = inflate_member(e, in, owned, err);
    if (rc < 0) return rc;
    *data = *owned;
  }
  *len = (size_t)e->usize;
  if (budget) budget->left -= e->usize;
  return 0;
}
