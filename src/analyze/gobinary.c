/* Go build info from an ELF stream (the file is never held: executables can be 200 MB).
 *
 * What the Go linker embeds (cmd/link, read back by debug/buildinfo): a 32-byte header, 16-byte
 * aligned, at the start of the .go.buildinfo section in the writable data segment:
 *   "\xff Go buildinf:" | pointer size (4, 8) | flags (bit 0 big-endian, bit 1 inline strings) | ...
 * Go >= 1.18 (flags & 2): two varint-length-prefixed strings follow the header: the toolchain
 * version and the module info. Older Go: the header holds two virtual addresses of Go string
 * headers {data pointer, length} for runtime.buildVersion and runtime.modinfo.
 *
 * Streaming, with memory that does not grow with the file:
 *  - the ELF program headers (at the start) map addresses to file offsets and tell which bytes
 *    are in a writable, non-executable PT_LOAD segment: only a magic there counts (Go's own
 *    search place), so a Go tool carrying the magic as a constant in .rodata is no Go binary.
 *  - the magic is searched with memmem over each chunk, with the last 13 bytes of the previous
 *    chunk kept to catch a magic split across chunks.
 *  - inline strings are collected after the header (each at most BW_LIMIT_GO_STRING_BYTES).
 *  - pointer format: the string headers come after the build info header (in .data/.noptrdata),
 *    so they are captured when the stream passes them; the string bytes usually sit in .rodata,
 *    before. So while streaming we remember (bounded) the module info strings bracketed by the
 *    16-byte sentinels Go puts around runtime.modinfo (cmd/go/internal/modload), and the small
 *    "go1." strings with their file offsets; a pointer is resolved against them by file offset.
 *    Bytes that lie ahead are captured as they pass.
 * A header that is damaged (bad pointer size, bad varint, a length past the cap, a pointer into no
 * segment) gives an error, which the dispatcher turns into a warning naming the file.
 *
 * The package list follows Trivy (pkg/dependency/parser/golang/binary): the toolchain is module
 * "stdlib" with version "v" + the version without "go" and without " X:..." suffixes; replaced
 * dependencies are reported as their replacement; "(devel)" versions are dropped; the main module
 * without a version gets one from -ldflags -X ...version=... when there is exactly one. */
#include "analyze/gobinary.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/elf.h"
#include "base/strutil.h"
#include "base/buf.h"
#include "base/limits.h"
#include "base/vec.h"

#define GO_MAGIC "\xff Go buildinf:"
#define GO_MAGIC_LEN 14
#define GO_HDR_LEN 32
#define GO_SENT_LEN 16
#define GO_VERS_MAX 64 /* bytes kept after each "go1." candidate (a version string is shorter) */
#define GO_MAX_LOADS 64
#define NONE UINT64_MAX

static const uint8_t go_sent_start[GO_SENT_LEN] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
                                                   0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const uint8_t go_sent_end[GO_SENT_LEN] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
                                                 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};

/* ---- searching a needle across chunk boundaries ---- */

typedef struct go_scan {
  const uint8_t *needle;
  size_t n;
  uint8_t carry[GO_SENT_LEN]; /* the last n-1 bytes scanned, ending at last_end */
  size_t carry_len;
  uint64_t last_end;
} go_scan;

/* The first match starting at or after `from` (absolute) that ends inside this piece
 * (buf, len at absolute offset start), or NONE. The carry counts only when the piece continues
 * the bytes scanned before (pieces are clipped to segments). */
static uint64_t scan_next(const go_scan *s, const uint8_t *buf, size_t len, uint64_t start, uint64_t from) {
  if (s->carry_len && s->last_end == start && from < start) {
    uint8_t tmp[2 * GO_SENT_LEN];
    size_t take = len < s->n - 1 ? len : s->n - 1;
    memcpy(tmp, s->carry, s->carry_len);
    memcpy(tmp + s->carry_len, buf, take);
    size_t tl = s->carry_len + take;
    uint64_t base = start - s->carry_len;
    for (size_t i = 0; i < s->carry_len && i + s->n <= tl; i++)
      if (base + i >= from && memcmp(tmp + i, s->needle, s->n) == 0) return base + i;
  }
  uint64_t off = from > start ? from - start : 0;
  if (off >= len) return NONE;
  const uint8_t *p = memmem(buf + off, len - (size_t)off, s->needle, s->n);
  return p ? start + (uint64_t)(p - buf) : NONE;
}

static void scan_advance(go_scan *s, const uint8_t *buf, size_t len, uint64_t start) {
  size_t keep_max = s->n - 1;
  if (s->last_end != start) s->carry_len = 0;
  s->last_end = start + len;
  if (len >= keep_max) {
    memcpy(s->carry, buf + len - keep_max, keep_max);
    s->carry_len = keep_max;
    return;
  }
  size_t keep = s->carry_len + len > keep_max ? keep_max - len : s->carry_len;
  memmove(s->carry, s->carry + s->carry_len - keep, keep);
  memcpy(s->carry + keep, buf, len);
  s->carry_len = keep + len;
}

/* ---- fixed-size captures of bytes ahead in the stream ---- */

typedef struct go_cap {
  uint64_t off;
  size_t len, got;
  uint8_t *buf; /* malloc'd, len bytes */
  bool on;
} go_cap;

static void cap_fill(go_cap *c, const uint8_t *buf, size_t len, uint64_t start) {
  if (!c->on || c->got == c->len) return;
  uint64_t want = c->off + c->got;
  if (want < start || want - start >= len) return;
  size_t at = (size_t)(want - start), k = len - at;
  if (k > c->len - c->got) k = c->len - c->got;
  memcpy(c->buf + c->got, buf + at, k);
  c->got += k;
}

static bool cap_done(const go_cap *c) { return c->on && c->got == c->len; }

static void cap_free(go_cap *c) {
  free(c->buf);
  memset(c, 0, sizeof *c);
}

typedef struct go_cand { /* a "go1." string seen in the stream */
  uint64_t off;
  uint8_t got;
  uint8_t b[GO_VERS_MAX];
} go_cand;

typedef struct go_mod { /* a sentinel-bracketed module info string seen in the stream */
  uint64_t off;
  char *data;
  size_t len;
} go_mod;

typedef struct go_range {
  uint64_t lo, hi;
} go_range;

typedef struct go_state {
  uint64_t size, pos;
  bool ignore; /* not something we read (bad ELF header): the rest is skipped quietly */
  bool done;   /* both strings known */
  /* ELF */
  bw_elf_stream elf;
  bool have_loads;
  bw_elf_phdr loads[GO_MAX_LOADS];
  size_t nloads;
  /* file ranges scanned: wr = writable data (the header's place), ro = read-only data (where
   * .rodata keeps the strings of the pointer format); sorted, merged */
  go_range wr[GO_MAX_LOADS], ro[GO_MAX_LOADS];
  size_t nwr, nro;
  /* build info header */
  go_scan magic;
  bool hdr_found, hdr_decoded;
  go_cap hdr;
  unsigned ptrsize;
  bool big_endian, inl;
  /* inline strings: the bytes after the header */
  bw_buf inl_buf;
  /* pointer format */
  go_cap strhdr[2], strdata[2];
  bool data_sched[2];
  /* results: [0] version, [1] module info (malloc'd) */
  char *str[2];
  size_t str_len[2];
  bool str_ok[2];
  /* sentinel-bracketed module info copies */
  go_scan sent;
  bool sent_on, sent_active;
  uint64_t sent_from, sent_off;
  bw_buf sent_cur;
  size_t sent_checked;
  go_mod mods[BW_LIMIT_GO_MODINFO_COPIES];
  size_t nmods;
  /* "go1." candidates */
  go_scan go1;
  bool go1_on;
  bw_vec cands; /* go_cand */
} go_state;

static void go_stop_scans(go_state *s) {
  s->sent_on = s->sent_active = false;
  bw_buf_dispose(&s->sent_cur);
  for (size_t i = 0; i < s->nmods; i++) free(s->mods[i].data);
  s->nmods = 0;
  s->go1_on = false;
  bw_vec_dispose(&s->cands);
}

static void go_close(void *state) {
  go_state *s = state;
  if (!s) return;
  go_stop_scans(s);
  bw_elf_stream_dispose(&s->elf);
  cap_free(&s->hdr);
  for (int k = 0; k < 2; k++) {
    cap_free(&s->strhdr[k]);
    cap_free(&s->strdata[k]);
    free(s->str[k]);
  }
  bw_buf_dispose(&s->inl_buf);
  free(s);
}

static int go_open(void **state, const char *path, uint64_t size, bw_error *err) {
  (void)path;
  go_state *s = calloc(1, sizeof *s);
  if (!s) return bw_error_set(err, BW_ENOMEM, "out of memory");
  s->size = size;
  s->magic = (go_scan){.needle = (const uint8_t *)GO_MAGIC, .n = GO_MAGIC_LEN};
  s->sent = (go_scan){.needle = go_sent_start, .n = GO_SENT_LEN};
  s->go1 = (go_scan){.needle = (const uint8_t *)"go1.", .n = 4};
  s->sent_on = s->go1_on = true;
  bw_buf_init(&s->inl_buf, (size_t)BW_LIMIT_GO_STRING_BYTES * 2 + 2 * 10);
  bw_buf_init(&s->sent_cur, BW_LIMIT_GO_STRING_BYTES);
  bw_vec_init(&s->cands, sizeof(go_cand), BW_LIMIT_GO_VERSION_CANDIDATES);
  *state = s;
  return 0;
}

static bool go_wants(const char *path, uint32_t mode, uint64_t size, const uint8_t *head, size_t head_len) {
  (void)path;
  (void)mode;
  return size >= BW_ELF_EHDR_MAX && bw_elf_is_elf(head, head_len);
}

/* Starts a capture of len bytes at off, taking what the current chunk already holds. */
static int cap_start(go_cap *c, uint64_t off, size_t len, const uint8_t *buf, size_t blen, uint64_t start,
                     bw_error *err) {
  cap_free(c);
  c->buf = malloc(len ? len : 1);
  if (!c->buf) return bw_error_set(err, BW_ENOMEM, "out of memory");
  c->off = off;
  c->len = len;
  c->on = true;
  cap_fill(c, buf, blen, start);
  return 0;
}

/* File offset of virtual address a when [a, a+len) lies in one PT_LOAD's file bytes. */
static bool go_map(const go_state *s, uint64_t a, uint64_t len, uint64_t *off) {
  for (size_t i = 0; i < s->nloads; i++) {
    const bw_elf_phdr *p = &s->loads[i];
    if (a < p->vaddr || a - p->vaddr > p->filesz || len > p->filesz - (a - p->vaddr)) continue;
    uint64_t o;
    if (__builtin_add_overflow(p->offset, a - p->vaddr, &o)) continue;
    *off = o;
    return true;
  }
  return false;
}

/* Go's own search place: a writable, non-executable PT_LOAD segment. */
static bool go_in_data(const go_state *s, uint64_t off) {
  for (size_t i = 0; i < s->nloads; i++) {
    const bw_elf_phdr *p = &s->loads[i];
    if ((p->flags & (BW_ELF_PF_X | BW_ELF_PF_W)) != BW_ELF_PF_W) continue;
    if (off >= p->offset && off - p->offset < p->filesz && p->filesz - (off - p->offset) >= GO_HDR_LEN) return true;
  }
  return false;
}

/* Adds [lo, hi) to a sorted list of disjoint ranges, merging overlapping and adjacent ones. */
static void range_add(go_range *r, size_t *n, uint64_t lo, uint64_t hi) {
  size_t i = 0;
  while (i < *n && r[i].hi < lo) i++;
  if (i < *n && r[i].lo <= hi) { /* overlaps or touches r[i]: merge, then absorb the following ones */
    if (lo < r[i].lo) r[i].lo = lo;
    if (hi > r[i].hi) r[i].hi = hi;
    while (i + 1 < *n && r[i + 1].lo <= r[i].hi) {
      if (r[i + 1].hi > r[i].hi) r[i].hi = r[i + 1].hi;
      memmove(r + i + 1, r + i + 2, (*n - i - 2) * sizeof *r);
      (*n)--;
    }
    return;
  }
  if (*n == GO_MAX_LOADS) return;
  memmove(r + i + 1, r + i, (*n - i) * sizeof *r);
  r[i] = (go_range){lo, hi};
  (*n)++;
}

/* The part of the chunk (buf, len at start) inside range r: false when none. */
static bool range_clip(const go_range *r, const uint8_t *buf, size_t len, uint64_t start, const uint8_t **pb,
                       size_t *pl, uint64_t *ps) {
  uint64_t lo = r->lo > start ? r->lo : start, end = start + len, hi = r->hi < end ? r->hi : end;
  if (lo >= hi) return false;
  *pb = buf + (lo - start);
  *pl = (size_t)(hi - lo);
  *ps = lo;
  return true;
}

static int go_elf_header(go_state *s, const uint8_t *buf, size_t len, uint64_t start, bw_error *err) {
  int rc = bw_elf_stream_feed(&s->elf, buf, len, start, err);
  if (rc < 0) return rc;
  if (s->elf.bad) s->ignore = true; /* not an executable we can map: nothing to say about it */
  if (s->have_loads || !s->elf.have_phdrs) return 0;
  for (size_t i = 0; i < s->elf.eh.phnum && s->nloads < GO_MAX_LOADS; i++) {
    bw_elf_phdr ph;
    bw_error e = {0};
    if (bw_elf_stream_phdr(&s->elf, &ph, i, &e) < 0) break;
    if (ph.type == BW_ELF_PT_LOAD) s->loads[s->nloads++] = ph;
  }
  s->have_loads = true;
  /* Only the bytes where Go puts things are scanned (ELF executables are mostly .text): the
   * header in a writable non-executable segment, the strings in read-only data. Linkers without
   * a separate read-only segment put .rodata with .text: then every non-writable one is scanned. */
  bool have_ro = false;
  for (size_t i = 0; i < s->nloads; i++) have_ro |= (s->loads[i].flags & (BW_ELF_PF_X | BW_ELF_PF_W)) == 0;
  for (size_t i = 0; i < s->nloads; i++) {
    const bw_elf_phdr *p = &s->loads[i];
    uint32_t f = p->flags & (BW_ELF_PF_X | BW_ELF_PF_W);
    uint64_t hi;
    if (!p->filesz || __builtin_add_overflow(p->offset, p->filesz, &hi)) continue;
    if (f == BW_ELF_PF_W) range_add(s->wr, &s->nwr, p->offset, hi);
    else if (!(f & BW_ELF_PF_W) && (f == 0 || !have_ro)) range_add(s->ro, &s->nro, p->offset, hi);
  }
  return 0;
}

static void go_find_magic(go_state *s, const uint8_t *buf, size_t len, uint64_t start, bw_error *err, int *rc) {
  uint64_t from = 0;
  for (;;) {
    uint64_t m = scan_next(&s->magic, buf, len, start, from);
    if (m == NONE) break;
    from = m + 1;
    if (m % 16 != 0 || !s->have_loads || !go_in_data(s, m)) continue;
    s->hdr_found = true;
    if ((*rc = cap_start(&s->hdr, m, GO_HDR_LEN, buf, len, start, err)) < 0) return;
    if (m < start) { /* split across chunks: the magic's first bytes are known */
      memcpy(s->hdr.buf, GO_MAGIC, GO_MAGIC_LEN);
      s->hdr.got = GO_MAGIC_LEN;
      cap_fill(&s->hdr, buf, len, start);
    }
    break;
  }
  scan_advance(&s->magic, buf, len, start);
}

/* Sentinel-bracketed module info copies: capture from a start sentinel to the end sentinel. */
static int go_sentinels(go_state *s, const uint8_t *buf, size_t len, uint64_t start, bw_error *err) {
  uint64_t at = start; /* absolute offset of the next chunk byte to look at */
  if (s->sent_active && s->sent_off + s->sent_cur.len != start) { /* a string never spans segments */
    s->sent_active = false;
    s->sent_cur.len = 0;
  }
  uint64_t end = start + len;
  while (s->sent_on) {
    if (s->sent_active) {
      size_t i = (size_t)(at - start);
      size_t room = s->sent_cur.max - s->sent_cur.len, k = len - i;
      bool over = k > room;
      if (over) k = room;
      if (bw_buf_append(&s->sent_cur, buf + i, k, err) < 0) return -err->code;
      const char *d = s->sent_cur.data;
      size_t from = s->sent_checked > GO_SENT_LEN - 1 ? s->sent_checked - (GO_SENT_LEN - 1) : 0;
      if (from < GO_SENT_LEN) from = GO_SENT_LEN;
      const char *e = s->sent_cur.len > from ? memmem(d + from, s->sent_cur.len - from, go_sent_end, GO_SENT_LEN) : NULL;
      s->sent_checked = s->sent_cur.len;
      if (e) {
        size_t n = (size_t)(e - d) + GO_SENT_LEN;
        uint64_t stop = s->sent_off + n;
        if (s->nmods < BW_LIMIT_GO_MODINFO_COPIES) {
          char *copy = malloc(n);
          if (!copy) return bw_error_set(err, BW_ENOMEM, "out of memory");
          memcpy(copy, d, n);
          s->mods[s->nmods++] = (go_mod){.off = s->sent_off, .data = copy, .len = n};
        }
        s->sent_active = false;
        s->sent_cur.len = 0;
        s->sent_from = stop;
        at = stop;
        continue;
      }
      if (over) { /* longer than any module info Go reads: not one; look again after its start */
        s->sent_active = false;
        s->sent_cur.len = 0;
        s->sent_from = s->sent_off + 1;
        at = s->sent_from > start ? s->sent_from : start;
        if (at >= end) break;
        continue;
      }
      break; /* the chunk is used up; the capture goes on in the next one */
    }
    uint64_t m = scan_next(&s->sent, buf, len, start, s->sent_from); /* may start in the carry */
    if (m == NONE) break;
    s->sent_active = true;
    s->sent_off = m;
    s->sent_cur.len = 0;
    s->sent_checked = 0;
    if (bw_buf_append(&s->sent_cur, go_sent_start, GO_SENT_LEN, err) < 0) return -err->code;
    at = m + GO_SENT_LEN;
    if (at >= end) break;
  }
  if (s->sent_on) scan_advance(&s->sent, buf, len, start);
  return 0;
}

static void cand_fill(go_cand *c, const uint8_t *buf, size_t len, uint64_t start) {
  uint64_t want = c->off + c->got;
  if (c->got == GO_VERS_MAX || want < start || want - start >= len) return;
  size_t at = (size_t)(want - start), k = len - at;
  if (k > (size_t)(GO_VERS_MAX - c->got)) k = GO_VERS_MAX - c->got;
  memcpy(c->b + c->got, buf + at, k);
  c->got = (uint8_t)(c->got + k);
}

/* Candidates still short of bytes take them from the chunk: they are the last ones (offsets grow). */
static void go_cand_fill_all(go_state *s, const uint8_t *buf, size_t len, uint64_t start) {
  for (size_t i = s->cands.len; i-- > 0;) {
    go_cand *c = bw_vec_at(&s->cands, go_cand, i);
    if (c->off + GO_VERS_MAX <= start) break;
    cand_fill(c, buf, len, start);
  }
}

/* New "go1." candidates in a piece (buf, len at start) of the current chunk (cbuf, clen at cstart). */
static void go_candidates(go_state *s, const uint8_t *buf, size_t len, uint64_t start, const uint8_t *cbuf,
                          size_t clen, uint64_t cstart) {
  uint64_t from = 0;
  for (;;) {
    uint64_t m = scan_next(&s->go1, buf, len, start, from);
    if (m == NONE) break;
    from = m + 1;
    go_cand *c = bw_vec_push(&s->cands);
    if (!c) break; /* at the cap: later ones are not remembered */
    c->off = m;
    memcpy(c->b, "go1.", 4);
    c->got = 4;
    cand_fill(c, cbuf, clen, cstart);
  }
  scan_advance(&s->go1, buf, len, start);
}

static uint64_t go_ptr(const go_state *s, const uint8_t *p) { return bw_elf_uint(p, s->ptrsize, s->big_endian); }

static int go_set_str(go_state *s, int k, const void *p, size_t n, bw_error *err) {
  s->str[k] = malloc(n + 1);
  if (!s->str[k]) return bw_error_set(err, BW_ENOMEM, "out of memory");
  memcpy(s->str[k], p, n);
  s->str[k][n] = 0;
  s->str_len[k] = n;
  s->str_ok[k] = true;
  return 0;
}

/* Go's binary.Uvarint: value and byte count; 0 = need more bytes, -1 = overflow. */
static int go_uvarint(const uint8_t *p, size_t n, uint64_t *v) {
  uint64_t x = 0;
  unsigned shift = 0;
  for (size_t i = 0; i < n; i++) {
    if (i == 10) return -1;
    uint8_t b = p[i];
    if (b < 0x80) {
      if (i == 9 && b > 1) return -1;
      *v = x | (uint64_t)b << shift;
      return (int)i + 1;
    }
    x |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
  }
  return n >= 10 ? -1 : 0;
}

/* Inline strings: decodes what has arrived; returns 1 when both strings are known. */
static int go_inline_step(go_state *s, bool at_eof, bw_error *err) {
  const uint8_t *p = (const uint8_t *)s->inl_buf.data;
  size_t n = s->inl_buf.len, at = 0;
  if (!p) { /* nothing has arrived yet (NULL + 0 is undefined) */
    if (at_eof) return BW_CORRUPT(err, "Go build info: strings truncated by the end of the file");
    return 0;
  }
  for (int k = 0; k < 2; k++) {
    uint64_t v = 0;
    int vl = go_uvarint(p + at, n - at, &v);
    if (vl < 0) return BW_CORRUPT(err, "Go build info: bad string length (varint)");
    if (vl == 0) goto more;
    if (v > BW_LIMIT_GO_STRING_BYTES)
      return BW_CORRUPT(err, "Go build info: string of %llu bytes, over the %u-byte cap", (unsigned long long)v,
                        (unsigned)BW_LIMIT_GO_STRING_BYTES);
    at += (size_t)vl;
    if (n - at < v) goto more;
    if (!s->str_ok[k] && go_set_str(s, k, p + at, (size_t)v, err) < 0) return -err->code;
    at += (size_t)v;
  }
  return 1;
more:
  if (at_eof) return BW_CORRUPT(err, "Go build info: strings truncated by the end of the file");
  return 0;
}

/* A string whose bytes lie before the stream position: look it up by file offset. */
static int go_lookup_behind(go_state *s, int k, uint64_t off, size_t n, bw_error *err) {
  if (k == 0) {
    for (size_t i = 0; i < s->cands.len; i++) {
      const go_cand *c = bw_vec_at(&s->cands, go_cand, i);
      if (c->off == off && n <= c->got) return go_set_str(s, 0, c->b, n, err);
    }
    return BW_CORRUPT(err, "Go build info: the toolchain version string (%zu bytes at file offset %llu) was not found",
                      n, (unsigned long long)off);
  }
  /* Go reads exactly n bytes there: a shorter n gets a prefix of the copy (and then fails the
   * sentinel check, as in Go); a longer one reaches bytes we did not keep */
  for (size_t i = 0; i < s->nmods; i++)
    if (s->mods[i].off == off && n <= s->mods[i].len) return go_set_str(s, 1, s->mods[i].data, n, err);
  return BW_CORRUPT(err, "Go build info: the module info string (%zu bytes at file offset %llu) was not found", n,
                    (unsigned long long)off);
}

/* Advances the build info state machine as far as the current chunk allows. */
static int go_step(go_state *s, const uint8_t *buf, size_t len, uint64_t start, bw_error *err) {
  int rc;
  if (!s->hdr_decoded && cap_done(&s->hdr)) {
    s->hdr_decoded = true;
    const uint8_t *h = s->hdr.buf;
    s->ptrsize = h[14];
    s->big_endian = (h[15] & 1) != 0;
    s->inl = (h[15] & 2) != 0;
    if (s->inl) {
      go_stop_scans(s);
      uint64_t from = s->hdr.off + GO_HDR_LEN;
      if (from >= start && from - start < len) {
        size_t at = (size_t)(from - start), k = len - at;
        if (k > s->inl_buf.max) k = s->inl_buf.max;
        if (bw_buf_append(&s->inl_buf, buf + at, k, err) < 0) return -err->code;
      }
    } else {
      if (s->ptrsize != 4 && s->ptrsize != 8)
        return BW_CORRUPT(err, "Go build info: pointer size %u", s->ptrsize);
      s->go1_on = false; /* the version bytes, if before us, are already remembered */
      for (int k = 0; k < 2; k++) {
        uint64_t a = go_ptr(s, h + 16 + (size_t)k * s->ptrsize), off;
        if (!go_map(s, a, 2ull * s->ptrsize, &off))
          return BW_CORRUPT(err, "Go build info: string header address 0x%llx is in no segment", (unsigned long long)a);
        if (off < start)
          return BW_CORRUPT(err, "Go build info: string header at file offset %llu precedes the build info header",
                            (unsigned long long)off);
        if ((rc = cap_start(&s->strhdr[k], off, 2u * s->ptrsize, buf, len, start, err)) < 0) return rc;
      }
    }
  }
  if (!s->hdr_decoded) return 0;
  if (s->inl) {
    rc = go_inline_step(s, false, err);
    if (rc < 0) return rc;
    if (rc == 1) s->done = true;
    return 0;
  }
  for (int k = 0; k < 2; k++) {
    if (!s->data_sched[k] && cap_done(&s->strhdr[k])) {
      s->data_sched[k] = true;
      uint64_t a = go_ptr(s, s->strhdr[k].buf), n = go_ptr(s, s->strhdr[k].buf + s->ptrsize), off;
      if (n > BW_LIMIT_GO_STRING_BYTES)
        return BW_CORRUPT(err, "Go build info: %s string of %llu bytes, over the %u-byte cap",
                          k == 0 ? "version" : "module info", (unsigned long long)n, (unsigned)BW_LIMIT_GO_STRING_BYTES);
      if (n == 0) {
        if ((rc = go_set_str(s, k, "", 0, err)) < 0) return rc;
        continue;
      }
      if (!go_map(s, a, n, &off))
        return BW_CORRUPT(err, "Go build info: string address 0x%llx is in no segment", (unsigned long long)a);
      if (off >= start) {
        if ((rc = cap_start(&s->strdata[k], off, (size_t)n, buf, len, start, err)) < 0) return rc;
      } else if ((rc = go_lookup_behind(s, k, off, (size_t)n, err)) < 0) {
        return rc;
      }
    }
    if (!s->str_ok[k] && cap_done(&s->strdata[k])) {
      if ((rc = go_set_str(s, k, s->strdata[k].buf, s->strdata[k].len, err)) < 0) return rc;
      cap_free(&s->strdata[k]);
    }
  }
  if (s->str_ok[0] && s->str_ok[1]) {
    s->done = true;
    go_stop_scans(s);
  }
  return 0;
}

static int go_feed(void *state, const uint8_t *buf, size_t len, bw_error *err) {
  go_state *s = state;
  uint64_t start = s->pos;
  if (__builtin_add_overflow(s->pos, len, &s->pos)) return BW_CORRUPT(err, "stream offset overflow");
  if (s->ignore || s->done || len == 0) return 0;
  int rc = go_elf_header(s, buf, len, start, err);
  if (rc < 0 || s->ignore || !s->have_loads) return rc;
  const uint8_t *pb;
  size_t pl;
  uint64_t ps;
  if (!s->hdr_found) {
    for (size_t i = 0; i < s->nwr && !s->hdr_found; i++) {
      if (!range_clip(&s->wr[i], buf, len, start, &pb, &pl, &ps)) continue;
      go_find_magic(s, pb, pl, ps, err, &rc);
      if (rc < 0) return rc;
    }
  } else {
    cap_fill(&s->hdr, buf, len, start);
  }
  for (int k = 0; k < 2; k++) {
    cap_fill(&s->strhdr[k], buf, len, start);
    cap_fill(&s->strdata[k], buf, len, start);
  }
  if (s->hdr_decoded && s->inl) {
    uint64_t next = s->hdr.off + GO_HDR_LEN + s->inl_buf.len;
    if (next >= start && next - start < len) {
      size_t at = (size_t)(next - start), k = len - at;
      if (k > s->inl_buf.max - s->inl_buf.len) k = s->inl_buf.max - s->inl_buf.len;
      if (bw_buf_append(&s->inl_buf, buf + at, k, err) < 0) return -err->code;
    }
  }
  for (size_t i = 0; s->sent_on && i < s->nro; i++) {
    if (!range_clip(&s->ro[i], buf, len, start, &pb, &pl, &ps)) continue;
    if ((rc = go_sentinels(s, pb, pl, ps, err)) < 0) return rc;
  }
  if (s->go1_on) {
    go_cand_fill_all(s, buf, len, start);
    for (size_t i = 0; i < s->nro; i++)
      if (range_clip(&s->ro[i], buf, len, start, &pb, &pl, &ps)) go_candidates(s, pb, pl, ps, buf, len, start);
  }
  return go_step(s, buf, len, start, err);
}

static int go_finish(void *state, bw_analyze_out *out, bw_error *err) {
  go_state *s = state;
  if (s->ignore || !s->hdr_found) return 0; /* not a Go binary */
  if (!s->done) {
    if (s->hdr_decoded && s->inl) {
      int rc = go_inline_step(s, true, err);
      if (rc < 0) return rc;
    }
    return BW_CORRUPT(err, "Go build info: truncated by the end of the file");
  }
  /* debug/buildinfo: the module info is kept only when bracketed by the 16-byte sentinels */
  const char *mod = s->str[1];
  size_t mlen = s->str_len[1];
  if (mlen >= 33 && mod[mlen - 17] == '\n') {
    mod += 16;
    mlen -= 32;
  } else {
    mlen = 0;
  }
  if (s->str_len[0] == 0) return BW_CORRUPT(err, "Go build info: empty toolchain version");
  return bw_gobinary_packages(s->str[0], s->str_len[0], mod, mlen, out, err);
}

const bw_stream_analyzer bw_stream_gobinary = {
    .name = "gobinary",
    .wants = go_wants,
    .open = go_open,
    .feed = go_feed,
    .finish = go_finish,
    .close = go_close,
};

/* ---- module info text -> packages ---- */

typedef struct go_span {
  const char *p;
  size_t n;
} go_span;

typedef struct go_module {
  go_span path, version;
  bool replaced;
  go_span rpath, rversion;
} go_module;

static bool span_eq(go_span s, const char *lit) { return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0; }

/* Splits [p, p+n) at tabs into at most max fields; returns the count (max+1 when there are more). */
static size_t split_tabs(const char *p, size_t n, go_span *f, size_t max) {
  size_t k = 0, s = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && p[i] != '\t') continue;
    if (k == max) return max + 1;
    f[k++] = (go_span){p + s, i - s};
    s = i + 1;
  }
  return k;
}

/* Go's strconv.Unquote for "..." and `...` (the escapes Go writes); false when invalid. */
static bool go_unquote(const char *p, size_t n, bw_buf *out) {
  if (n < 2 || p[n - 1] != p[0]) return false;
  if (p[0] == '`') {
    if (memchr(p + 1, '`', n - 2)) return false;
    return bw_buf_append(out, p + 1, n - 2, NULL) == 0;
  }
  if (p[0] != '"') return false;
  for (size_t i = 1; i < n - 1; i++) {
    char c = p[i];
    if (c == '"' || c == '\n') return false;
    if (c != '\\') {
      if (bw_buf_append(out, &c, 1, NULL) < 0) return false;
      continue;
    }
    if (++i >= n - 1) return false;
    char e = p[i], ch;
    uint32_t cp;
    size_t digits = 0;
    switch (e) {
      case 'a': ch = '\a'; break;
      case 'b': ch = '\b'; break;
      case 'f': ch = '\f'; break;
      case 'n': ch = '\n'; break;
      case 'r': ch = '\r'; break;
      case 't': ch = '\t'; break;
      case 'v': ch = '\v'; break;
      case '\\': ch = '\\'; break;
      case '"': ch = '"'; break;
      case 'x': digits = 2; break;
      case 'u': digits = 4; break;
      case 'U': digits = 8; break;
      default:
        if (e >= '0' && e <= '7') {
          if (i + 2 >= n - 1) return false;
          unsigned v = 0;
          for (size_t d = 0; d < 3; d++) {
            char o = p[i + d];
            if (o < '0' || o > '7') return false;
            v = v * 8 + (unsigned)(o - '0');
          }
          if (v > 255) return false;
          i += 2;
          ch = (char)v;
          break;
        }
        return false;
    }
    if (!digits) {
      if (bw_buf_append(out, &ch, 1, NULL) < 0) return false;
      continue;
    }
    if (i + digits > n - 2) return false; /* the digits must end before the closing quote */
    cp = 0;
    for (size_t d = 1; d <= digits; d++) {
      char h = p[i + d];
      unsigned v = h >= '0' && h <= '9' ? (unsigned)(h - '0')
                   : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
                   : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10)
                                          : 16u;
      if (v == 16) return false;
      cp = cp * 16 + v;
    }
    i += digits;
    char u[4];
    size_t ul;
    if (e == 'x') {
      u[0] = (char)cp;
      ul = 1;
    } else if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    } else {
      ul = bw_utf8_encode((uint32_t)cp, u);
    }
    if (bw_buf_append(out, u, ul, NULL) < 0) return false;
  }
  return true;
}

/* Length of the quoted prefix of [p, p+n) (strconv.QuotedPrefix), 0 when there is none. */
static size_t quoted_prefix(const char *p, size_t n) {
  if (!n || (p[0] != '"' && p[0] != '`')) return 0;
  for (size_t i = 1; i < n; i++) {
    if (p[0] == '"' && p[i] == '\\') {
      i++;
      continue;
    }
    if (p[0] == '"' && p[i] == '\n') return 0;
    if (p[i] == p[0]) return i + 1;
  }
  return 0;
}

/* One "build\tKEY=VALUE" line: key and unquoted value into key and val (arena strings). */
static int go_build_line(bw_arena *a, const char *kv, size_t n, const char **key, const char **val, bw_error *err) {
  if (n < 1) return BW_CORRUPT(err, "Go module info: build line missing '='");
  bw_buf kb, vb;
  bw_buf_init(&kb, BW_LIMIT_GO_STRING_BYTES);
  bw_buf_init(&vb, BW_LIMIT_GO_STRING_BYTES);
  int rc = 0;
  const char *raw;
  size_t rawn;
  if (kv[0] == '=') {
    rc = BW_CORRUPT(err, "Go module info: build line with missing key");
    goto out;
  }
  if (kv[0] == '"' || kv[0] == '`') {
    size_t q = quoted_prefix(kv, n);
    if (!q || !go_unquote(kv, q, &kb) || q >= n || kv[q] != '=') {
      rc = BW_CORRUPT(err, "Go module info: invalid quoted key in build line");
      goto out;
    }
    raw = kv + q + 1;
    rawn = n - q - 1;
  } else {
    const char *eq = memchr(kv, '=', n);
    if (!eq) {
      rc = BW_CORRUPT(err, "Go module info: build line missing '='");
      goto out;
    }
    if (bw_buf_append(&kb, kv, (size_t)(eq - kv), NULL) < 0) {
      rc = bw_error_set(err, BW_ENOMEM, "out of memory");
      goto out;
    }
    raw = eq + 1;
    rawn = n - (size_t)(eq - kv) - 1;
  }
  if (rawn && (raw[0] == '"' || raw[0] == '`')) {
    if (!go_unquote(raw, rawn, &vb)) {
      rc = BW_CORRUPT(err, "Go module info: invalid quoted value in build line");
      goto out;
    }
  } else if (rawn && bw_buf_append(&vb, raw, rawn, NULL) < 0) {
    rc = bw_error_set(err, BW_ENOMEM, "out of memory");
    goto out;
  }
  *key = bw_arena_strndup(a, kb.data ? kb.data : "", kb.len);
  *val = bw_arena_strndup(a, vb.data ? vb.data : "", vb.len);
  if (!*key || !*val) rc = bw_error_set(err, BW_ENOMEM, "out of memory");
out:
  bw_buf_dispose(&kb);
  bw_buf_dispose(&vb);
  return rc;
}

static bool is_ident(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool bad_num(const char *p, size_t n) {
  size_t i = 0;
  while (i < n && is_digit(p[i])) i++;
  return i == n && i > 1 && p[0] == '0';
}
static bool parse_int(const char *p, size_t n, size_t *used) {
  if (!n || !is_digit(p[0])) return false;
  size_t i = 1;
  while (i < n && is_digit(p[i])) i++;
  if (p[0] == '0' && i != 1) return false;
  *used = i;
  return true;
}

bool bw_go_semver_valid(const char *v, size_t n) {
  if (!n || v[0] != 'v') return false;
  size_t at = 1, u;
  if (!parse_int(v + at, n - at, &u)) return false;
  at += u;
  if (at == n) return true;
  if (v[at] != '.') return false;
  at++;
  if (!parse_int(v + at, n - at, &u)) return false;
  at += u;
  if (at == n) return true;
  if (v[at] != '.') return false;
  at++;
  if (!parse_int(v + at, n - at, &u)) return false;
  at += u;
  if (at < n && v[at] == '-') { /* prerelease: dot-separated non-empty identifiers */
    size_t i = at + 1, s = i;
    for (; i < n && v[i] != '+'; i++) {
      if (!is_ident(v[i]) && v[i] != '.') return false;
      if (v[i] == '.') {
        if (s == i || bad_num(v + s, i - s)) return false;
        s = i + 1;
      }
    }
    if (s == i || bad_num(v + s, i - s)) return false;
    at = i;
  }
  if (at < n && v[at] == '+') {
    size_t i = at + 1, s = i;
    for (; i < n; i++) {
      if (!is_ident(v[i]) && v[i] != '.') return false;
      if (v[i] == '.') {
        if (s == i) return false;
        s = i + 1;
      }
    }
    if (s == i) return false;
    at = i;
  }
  return at == n;
}

/* mattn/go-shellwords (defaults): whitespace-separated words, quotes and backslashes; stops at an
 * unquoted ; & | < >. Returns the number of words (at most max), -1 on unbalanced quotes. */
#define GO_MAX_WORDS 256
static int shell_words(bw_arena *a, const char *s, const char **words, int max) {
  size_t n = strlen(s);
  char *buf = bw_arena_alloc(a, n + 1);
  if (!buf) return -1;
  int count = 0;
  size_t bl = 0;
  bool sq = false, dq = false, esc = false, got = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (esc) {
      buf[bl++] = c;
      esc = false;
      got = true;
      continue;
    }
    if (c == '\\') {
      if (sq) buf[bl++] = c;
      else esc = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (sq || dq) {
        buf[bl++] = c;
      } else if (got) {
        buf[bl] = 0;
        if (count < max) words[count++] = buf;
        buf += bl + 1;
        bl = 0;
        got = false;
      }
      continue;
    }
    if (c == '"' && !sq) {
      if (dq) got = true;
      dq = !dq;
      continue;
    }
    if (c == '\'' && !dq) {
      if (sq) got = true;
      sq = !sq;
      continue;
    }
    if ((c == ';' || c == '&' || c == '|' || c == '<' || c == '>') && !sq && !dq) break;
    buf[bl++] = c;
    got = true;
  }
  if (sq || dq || esc) return -1;
  if (got) {
    buf[bl] = 0;
    if (count < max) words[count++] = buf;
  }
  return count;
}

static bool ends_with_ci(const char *s, size_t n, const char *suf) {
  size_t k = strlen(suf);
  if (n < k) return false;
  for (size_t i = 0; i < k; i++) {
    char c = s[n - k + i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != suf[i]) return false;
  }
  return true;
}

typedef struct go_kv {
  const char *k, *v;
} go_kv;

/* pflag's StringToString for one -X value: "k=v", or several "k=v,k2=v2" (csv). false = error. */
static bool x_value(bw_arena *a, const char *val, go_kv *kv, int *nkv, int max) {
  size_t eqs = 0;
  for (const char *p = val; *p; p++) eqs += *p == '=';
  if (eqs == 0) return false;
  const char *parts[GO_MAX_WORDS];
  int np = 0;
  char *copy = bw_arena_strdup(a, val);
  if (!copy) return false;
  if (eqs == 1) {
    size_t n = strlen(copy);
    char *p = copy;
    while (*p == '"') p++, n--;
    while (n && p[n - 1] == '"') p[--n] = 0;
    parts[np++] = p;
  } else {
    char *p = copy;
    for (;;) {
      char *c = strchr(p, ',');
      if (np < GO_MAX_WORDS) parts[np++] = p;
      if (!c) break;
      *c = 0;
      p = c + 1;
    }
  }
  for (int i = 0; i < np; i++) {
    char *eq = strchr(parts[i], '=');
    if (!eq) return false;
    *eq = 0;
    const char *k = parts[i], *v = eq + 1;
    int j = 0;
    while (j < *nkv && strcmp(kv[j].k, k) != 0) j++;
    if (j == *nkv) {
      if (*nkv == max) continue;
      (*nkv)++;
    }
    kv[j] = (go_kv){k, v};
  }
  return true;
}

const char *bw_gobinary_ldflags_version(bw_arena *a, const char *module, const char *ldflags) {
  const char *words[GO_MAX_WORDS];
  int nw = shell_words(a, ldflags, words, GO_MAX_WORDS);
  if (nw < 0) return "";
  go_kv kv[GO_MAX_WORDS];
  int nkv = 0;
  for (int i = 0; i < nw; i++) {
    const char *w = words[i], *val = NULL;
    if (!strcmp(w, "--")) break;
    if (!strcmp(w, "-X")) {
      if (i + 1 >= nw) return ""; /* flag needs an argument: pflag fails the whole parse */
      val = words[++i];
    } else if (!strncmp(w, "-X", 2)) {
      val = w[2] == '=' ? w + 3 : w + 2;
    } else {
      continue;
    }
    if (!x_value(a, val, kv, &nkv, GO_MAX_WORDS)) return "";
  }
  /* three categories, first non-empty wins; more than one version in it = ambiguous */
  const char *found[3] = {NULL, NULL, NULL};
  int count[3] = {0, 0, 0};
  size_t mlen = strlen(module);
  for (int i = 0; i < nkv; i++) {
    const char *k = kv[i].k, *v = kv[i].v;
    while (*k == '\'') k++;
    size_t vn = strlen(v);
    while (vn && v[vn - 1] == '\'') vn--;
    size_t kn = strlen(k);
    if (!ends_with_ci(k, kn, ".version") && !ends_with_ci(k, kn, ".ver")) continue;
    bool valid = bw_go_semver_valid(v, vn);
    if (!valid) {
      char tmp[256];
      if (vn + 1 < sizeof tmp) {
        tmp[0] = 'v';
        memcpy(tmp + 1, v, vn);
        valid = bw_go_semver_valid(tmp, vn + 1);
      }
    }
    if (!valid) continue;
    int cat = 2;
    if (mlen && kn > mlen + 5 && !strncmp(k, module, mlen) && !strncmp(k + mlen, "/cmd/", 5)) {
      cat = 0;
    } else {
      const char *base = strrchr(k, '/');
      base = base && base != k ? base + 1 : k;
      size_t bn = strcspn(base, ".");
      static const char *const prefixes[] = {"main", "common", "version", "cmd"};
      for (size_t p = 0; p < 4; p++) {
        size_t pn = strlen(prefixes[p]);
        bool eq = bn == pn;
        for (size_t c = 0; eq && c < pn; c++) {
          char ch = base[c];
          if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
          eq = ch == prefixes[p][c];
        }
        if (eq) cat = 1;
      }
    }
    if (count[cat]++ == 0) found[cat] = bw_arena_strndup(a, v, vn);
  }
  for (int c = 0; c < 3; c++) {
    if (count[c] == 0) continue;
    return count[c] > 1 ? "" : found[c];
  }
  return "";
}

static const char *go_dup(bw_arena *a, go_span s) { return bw_arena_strndup(a, s.p, s.n); }

/* "(devel)" is no version (Trivy's checkVersion); empty is none either. */
static const char *go_version(bw_arena *a, go_span v, bool *oom) {
  if (v.n == 0 || span_eq(v, "(devel)")) return NULL;
  const char *s = go_dup(a, v);
  if (!s) *oom = true;
  return s;
}

static int go_add(bw_analyze_out *out, const char *name, const char *version, size_t *count, bw_error *err) {
  if (!*name) return 0; /* a path of NUL bytes (hostile): nothing to name */
  if (++*count > BW_LIMIT_PACKAGES)
    return bw_error_set(err, BW_ELIMIT, "Go build info lists more than %u modules (BW_LIMIT_PACKAGES)",
                        (unsigned)BW_LIMIT_PACKAGES);
  bw_package *p = bw_pkglist_add(out->packages, err);
  if (!p) return err && err->code ? -err->code : -BW_ENOMEM;
  p->type = BW_PKG_GOLANG;
  p->name = name;
  p->version = version && *version ? version : NULL;
  return 0;
}

int bw_gobinary_packages(const char *go_version_str, size_t vlen, const char *mod, size_t mlen, bw_analyze_out *out,
                         bw_error *err) {
  bw_arena *a = out->arena;
  size_t before = bw_pkglist_len(out->packages), count = 0;
  bw_vec deps;
  bw_vec_init(&deps, sizeof(go_module), BW_LIMIT_PACKAGES);
  go_module main_mod;
  memset(&main_mod, 0, sizeof main_mod);
  bool have_main = false, oom = false;
  const char *ldflags = NULL;
  go_module *last = NULL;
  int rc = 0;

  /* debug.ParseBuildInfo: only complete lines count (text after the last newline is dropped) */
  size_t at = 0;
  while (at < mlen) {
    const char *nl = memchr(mod + at, '\n', mlen - at);
    if (!nl) break;
    const char *line = mod + at;
    size_t n = (size_t)(nl - line);
    at += n + 1;
    go_span f[4];
    if (n >= 5 && !memcmp(line, "path\t", 5)) {
      continue; /* the main package's import path: not a module */
    } else if ((n >= 4 && !memcmp(line, "mod\t", 4)) || (n >= 4 && !memcmp(line, "dep\t", 4))) {
      size_t k = split_tabs(line + 4, n - 4, f, 3);
      if (k != 2 && k != 3) {
        rc = BW_CORRUPT(err, "Go module info: expected 2 or 3 columns; got %zu", k);
        goto out;
      }
      go_module m = {.path = f[0], .version = f[1]};
      if (line[0] == 'm') {
        main_mod = m;
        have_main = true;
        last = &main_mod;
      } else {
        go_module *d = bw_vec_push(&deps);
        if (!d) {
          rc = deps.len >= BW_LIMIT_PACKAGES
                   ? bw_error_set(err, BW_ELIMIT, "Go build info lists more than %u modules (BW_LIMIT_PACKAGES)",
                                  (unsigned)BW_LIMIT_PACKAGES)
                   : bw_error_set(err, BW_ENOMEM, "out of memory");
          goto out;
        }
        *d = m;
        last = d;
      }
    } else if (n >= 3 && !memcmp(line, "=>\t", 3)) {
      size_t k = split_tabs(line + 3, n - 3, f, 3);
      if (k != 3) {
        rc = BW_CORRUPT(err, "Go module info: expected 3 columns for replacement; got %zu", k);
        goto out;
      }
      if (!last) {
        rc = BW_CORRUPT(err, "Go module info: replacement with no module on previous line");
        goto out;
      }
      last->replaced = true;
      last->rpath = f[0];
      last->rversion = f[1];
      last = NULL;
    } else if (n >= 6 && !memcmp(line, "build\t", 6)) {
      const char *key = NULL, *val = NULL;
      if ((rc = go_build_line(a, line + 6, n - 6, &key, &val, err)) < 0) goto out;
      if (!ldflags && !strcmp(key, "-ldflags")) ldflags = val;
    }
    /* other lines are ignored, as Go does */
  }

  /* the toolchain: "go1.22.3 X:boringcrypto" -> v1.22.3 */
  {
    const char *v = go_version_str;
    size_t n = vlen;
    if (n >= 2 && v[0] == 'g' && v[1] == 'o') v += 2, n -= 2;
    const char *sp = memchr(v, ' ', n);
    if (sp) n = (size_t)(sp - v);
    const char *ver = bw_arena_printf(a, "v%.*s", (int)n, v);
    if (!ver) goto nomem;
    if ((rc = go_add(out, "stdlib", ver, &count, err)) < 0) goto out;
  }
  for (size_t i = 0; i < deps.len; i++) {
    const go_module *d = bw_vec_at(&deps, go_module, i);
    if (d->path.n == 0) continue; /* old toolchains may list the main module with no path */
    go_span p = d->replaced ? d->rpath : d->path, v = d->replaced ? d->rversion : d->version;
    const char *name = go_dup(a, p), *ver = go_version(a, v, &oom);
    if (!name || oom) goto nomem;
    if ((rc = go_add(out, name, ver, &count, err)) < 0) goto out;
  }
  if (have_main && main_mod.path.n) {
    const char *name = go_dup(a, main_mod.path), *ver = go_version(a, main_mod.version, &oom);
    if (!name || oom) goto nomem;
    const char *ld = ldflags ? bw_gobinary_ldflags_version(a, name, ldflags) : "";
    if (!ld) goto nomem;
    if (!ver || (!strncmp(ver, "v0.0.0", 6) && *ld)) ver = ld;
    if ((rc = go_add(out, name, ver, &count, err)) < 0) goto out;
  }
  goto out;
nomem:
  rc = bw_error_set(err, BW_ENOMEM, "out of memory");
out:
  bw_vec_dispose(&deps);
  if (rc < 0) out->packages->v.len = before;
  return rc;
}
