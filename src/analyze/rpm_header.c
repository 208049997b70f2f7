/* rpm header blob parser. Layout (rpm lib/header.c, hdrblob*): il and dl (be32), il index
 * entries of 16 bytes, then dl bytes of data. Every offset comes from the image, so each one is
 * checked against dl before it is used, with 64-bit arithmetic so that nothing can wrap. */
#include "analyze/rpm_header.h"

#include <limits.h>
#include <string.h>

#include "base/limits.h"

/* Tag data types (rpm rpmTagType). */
enum {
  RPM_NULL = 0,
  RPM_CHAR = 1,
  RPM_INT8 = 2,
  RPM_INT16 = 3,
  RPM_INT32 = 4,
  RPM_INT64 = 5,
  RPM_STRING = 6,
  RPM_BIN = 7,
  RPM_STRING_ARRAY = 8,
  RPM_I18NSTRING = 9,
};

/* Tags (rpm rpmtag.h). */
enum {
  TAG_HEADERIMAGE = 61,
  TAG_HEADERSIGNATURES = 62,
  TAG_HEADERIMMUTABLE = 63,
  TAG_I18NTABLE = 100, /* tags below this are region tags, only valid as the first entry */
  TAG_NAME = 1000,
  TAG_VERSION = 1001,
  TAG_RELEASE = 1002,
  TAG_EPOCH = 1003,
  TAG_VENDOR = 1011,
  TAG_LICENSE = 1014,
  TAG_ARCH = 1022,
  TAG_SOURCERPM = 1044,
};

#define ENTRY_SIZE 16u
#define REGION_COUNT 16u /* a region tag's data is one 16-byte entry: the region trailer */

typedef struct hentry {
  uint32_t tag, type;
  int32_t offset; /* signed: a region trailer stores minus the region's index size */
  uint32_t count;
} hentry;

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void read_entry(const uint8_t *p, hentry *e) {
  e->tag = be32(p);
  e->type = be32(p + 4);
  e->offset = (int32_t)be32(p + 8);
  e->count = be32(p + 12);
}

/* Checks a region tag (rpm hdrblobVerifyRegion): a BIN entry of count 16 whose data, inside the
 * data store, is a trailer entry with the same tag and minus the size of the region's index. */
static int verify_region(const hentry *e, const uint8_t *data, uint32_t il, uint32_t dl, bw_error *err) {
  if (e->type != RPM_BIN || e->count != REGION_COUNT)
    return BW_CORRUPT(err, "rpm header: region tag %u has type %u count %u", e->tag, e->type, e->count);
  if (e->offset < 0 || (uint64_t)e->offset + REGION_COUNT > dl)
    return BW_CORRUPT(err, "rpm header: region trailer at %d is outside the %u-byte data store",
                      e->offset, dl);
  hentry t;
  read_entry(data + e->offset, &t);
  /* Some old packages have HEADERIMAGE in the signature region trailer (rpm fixes it up). */
  if (e->tag == TAG_HEADERSIGNATURES && t.tag == TAG_HEADERIMAGE) t.tag = TAG_HEADERSIGNATURES;
  if (t.tag != e->tag || t.type != RPM_BIN || t.count != REGION_COUNT)
    return BW_CORRUPT(err, "rpm header: bad region trailer (tag %u type %u count %u)", t.tag, t.type,
                      t.count);
  int64_t isize = -(int64_t)t.offset; /* the trailer's offset is minus the region's index size */
  if (isize <= 0 || isize % ENTRY_SIZE != 0 || (uint64_t)isize / ENTRY_SIZE > il)
    return BW_CORRUPT(err, "rpm header: region claims %lld index bytes of %u entries", (long long)isize,
                      il);
  return 0;
}

/* Byte alignment rpm requires of a type's data (hdrchkAlign). */
static uint32_t type_align(uint32_t type) {
  switch (type) {
  case RPM_INT16: return 2;
  case RPM_INT32: return 4;
  case RPM_INT64: return 8;
  default: return 1;
  }
}

/* Copies the first string of a STRING / I18NSTRING / STRING_ARRAY entry into the arena. */
static int read_string(const hentry *e, const uint8_t *data, uint32_t dl, bw_arena *arena,
                       const char **out, bw_error *err) {
  if (e->type != RPM_STRING && e->type != RPM_I18NSTRING && e->type != RPM_STRING_ARRAY)
    return BW_CORRUPT(err, "rpm header: tag %u has type %u, want a string", e->tag, e->type);
  if (e->type == RPM_STRING && e->count != 1)
    return BW_CORRUPT(err, "rpm header: string tag %u has count %u", e->tag, e->count);
  if (e->count == 0) return BW_CORRUPT(err, "rpm header: tag %u has count 0", e->tag);
  size_t off = (size_t)e->offset, avail = dl - off; /* offset < dl checked by the caller */
  size_t scan = avail < (size_t)BW_LIMIT_FIELD_BYTES + 1 ? avail : (size_t)BW_LIMIT_FIELD_BYTES + 1;
  const uint8_t *nul = memchr(data + off, 0, scan);
  if (!nul) {
    if (scan < avail)
      return bw_error_set(err, BW_ELIMIT, "rpm header: tag %u is longer than %u bytes (BW_LIMIT_FIELD_BYTES)",
                          e->tag, (unsigned)BW_LIMIT_FIELD_BYTES);
    return BW_CORRUPT(err, "rpm header: string of tag %u runs past the data store", e->tag);
  }
  char *s = bw_arena_strndup(arena, (const char *)data + off, (size_t)(nul - (data + off)));
  if (!s) return bw_error_set(err, BW_ENOMEM, "rpm header: out of memory");
  *out = s;
  return 0;
}

int bw_rpm_header_parse(const uint8_t *buf, size_t len, bw_arena *arena, bw_rpm_header *out,
                        bw_error *err) {
  memset(out, 0, sizeof *out);
  out->epoch = -1;
  if (len < 8) return BW_CORRUPT(err, "rpm header: %zu bytes, shorter than its 8-byte preamble", len);
  uint32_t il = be32(buf), dl = be32(buf + 4);
  if (il == 0) return BW_CORRUPT(err, "rpm header: no index entries");
  if (il > BW_LIMIT_RPM_TAGS)
    return bw_error_set(err, BW_ELIMIT, "rpm header: %u index entries, more than %u (BW_LIMIT_RPM_TAGS)",
                        il, (unsigned)BW_LIMIT_RPM_TAGS);
  if (dl > BW_LIMIT_RPM_HEADER_BYTES)
    return bw_error_set(err, BW_ELIMIT,
                        "rpm header: %u-byte data store, more than %u (BW_LIMIT_RPM_HEADER_BYTES)", dl,
                        (unsigned)BW_LIMIT_RPM_HEADER_BYTES);
  /* Both values are capped above, so this cannot overflow 64 bits. */
  uint64_t need = 8 + (uint64_t)il * ENTRY_SIZE + dl;
  if (need > len)
    return BW_CORRUPT(err, "rpm header: truncated: %u entries and %u data bytes need %llu bytes, have %zu",
                      il, dl, (unsigned long long)need, len);
  const uint8_t *index = buf + 8;
  const uint8_t *data = index + (size_t)il * ENTRY_SIZE;

  uint32_t first = 0;
  hentry e;
  read_entry(index, &e);
  if (e.tag == TAG_HEADERIMAGE || e.tag == TAG_HEADERSIGNATURES || e.tag == TAG_HEADERIMMUTABLE) {
    int rc = verify_region(&e, data, il, dl, err);
    if (rc) return rc;
    first = 1;
  }

  /* Find the last entry of each wanted tag: entries after the region replace region entries
   * (rpm headerImport: "dribble entries replace duplicate region entries"). */
  static const uint32_t wanted[] = {TAG_NAME,   TAG_VERSION, TAG_RELEASE, TAG_EPOCH,
                                    TAG_VENDOR, TAG_LICENSE, TAG_ARCH,    TAG_SOURCERPM};
  enum { NWANTED = sizeof wanted / sizeof wanted[0] };
  hentry found[NWANTED];
  int have[NWANTED] = {0};
  for (uint32_t i = first; i < il; i++) {
    read_entry(index + (size_t)i * ENTRY_SIZE, &e);
    /* The generic checks rpm applies to every entry (hdrblobVerifyInfo). */
    if (e.tag < TAG_I18NTABLE)
      return BW_CORRUPT(err, "rpm header: entry %u has reserved tag %u", i, e.tag);
    if (e.type > RPM_I18NSTRING)
      return BW_CORRUPT(err, "rpm header: entry %u (tag %u) has unknown type %u", i, e.tag, e.type);
    if (e.offset < 0 || (uint32_t)e.offset > dl)
      return BW_CORRUPT(err, "rpm header: entry %u (tag %u) offset %d is outside the %u-byte data store",
                        i, e.tag, e.offset, dl);
    if ((uint32_t)e.offset % type_align(e.type) != 0)
      return BW_CORRUPT(err, "rpm header: entry %u (tag %u) offset %d is misaligned", i, e.tag, e.offset);
    if (e.count & 0xff000000u)
      return BW_CORRUPT(err, "rpm header: entry %u (tag %u) count %u is too large", i, e.tag, e.count);
    for (size_t w = 0; w < NWANTED; w++) {
      if (e.tag == wanted[w]) {
        found[w] = e;
        have[w] = 1;
      }
    }
  }

  const char **strs[NWANTED] = {&out->name,   &out->version, &out->release, NULL,
                                &out->vendor, &out->license, &out->arch,    &out->sourcerpm};
  for (size_t w = 0; w < NWANTED; w++) {
    if (!have[w]) continue;
    const hentry *f = &found[w];
    if (wanted[w] == TAG_EPOCH) {
      if (f->type != RPM_INT32 || f->count < 1)
        return BW_CORRUPT(err, "rpm header: EPOCH has type %u count %u", f->type, f->count);
      if ((uint64_t)f->offset + 4 > dl)
        return BW_CORRUPT(err, "rpm header: EPOCH at %d runs past the data store", f->offset);
      uint32_t v = be32(data + f->offset);
      if (v > INT_MAX) return BW_CORRUPT(err, "rpm header: EPOCH %u is out of range", v);
      out->epoch = (int)v;
      continue;
    }
    if ((uint32_t)f->offset >= dl)
      return BW_CORRUPT(err, "rpm header: string of tag %u starts at the end of the data store", f->tag);
    int rc = read_string(f, data, dl, arena, strs[w], err);
    if (rc) return rc;
  }
  return 0;
}
