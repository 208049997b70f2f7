#include "layer/decompress.h"

#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "base/limits.h"

#define IN_BUF (256u * 1024u)

typedef struct {
  bw_reader base;
  bw_reader *inner;
  bw_compression kind;
  int detected, inner_eof, finished;
  size_t zstd_hint; /* ZSTD_decompressStream's last return: 0 = frame complete */
  unsigned char *in;
  size_t in_pos, in_len;
  uint64_t total_in, total_out;
  struct inflate_state *gz;
  ZSTD_DStream *zs;
} dec_reader;

static ssize_t fill_input(dec_reader *d, bw_error *err) {
  if (d->in_pos < d->in_len) return (ssize_t)(d->in_len - d->in_pos);
  if (d->inner_eof) return 0;
  ssize_t got = bw_reader_read(d->inner, d->in, IN_BUF, err);
  if (got < 0) return got;
  d->in_pos = 0;
  d->in_len = (size_t)got;
  d->total_in += (uint64_t)got;
  if (got == 0) d->inner_eof = 1;
  return got;
}

static int detect(dec_reader *d, bw_error *err) {
  /* gather at least 4 bytes (or EOF) */
  while (d->in_len - d->in_pos < 4 && !d->inner_eof) {
    if (d->in_pos > 0) {
      memmove(d->in, d->in + d->in_pos, d->in_len - d->in_pos);
      d->in_len -= d->in_pos;
      d->in_pos = 0;
    }
    ssize_t got = bw_reader_read(d->inner, d->in + d->in_len, IN_BUF - d->in_len, err);
    if (got < 0) return (int)got;
    if (got == 0) d->inner_eof = 1;
    d->in_len += (size_t)got;
    d->total_in += (uint64_t)got;
  }
  const unsigned char *p = d->in + d->in_pos;
  size_t n = d->in_len - d->in_pos;
  d->detected = 1;
  if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
    d->kind = BW_COMPRESSION_GZIP;
    d->gz = calloc(1, sizeof *d->gz);
    if (!d->gz) return bw_error_set(err, BW_ENOMEM, "out of memory");
    isal_inflate_init(d->gz);
    d->gz->crc_flag = ISAL_GZIP;
  } else if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) {
    d->kind = BW_COMPRESSION_ZSTD;
    d->zs = ZSTD_createDStream();
    if (!d->zs) return bw_error_set(err, BW_ENOMEM, "out of memory");
    ZSTD_initDStream(d->zs);
    d->zstd_hint = 1;
  } else {
    d->kind = BW_COMPRESSION_NONE;
  }
  return 0;
}

static int check_limits(dec_reader *d, bw_error *err) {
  if (d->total_out > BW_LIMIT_LAYER_UNPACKED)
    return bw_error_set(err, BW_ELIMIT, "layer decompresses to more than %llu bytes (limit)",
                        (unsigned long long)BW_LIMIT_LAYER_UNPACKED);
  if (d->total_out > (64ull << 20) && d->total_out / (d->total_in ? d->total_in : 1) > BW_LIMIT_LAYER_RATIO)
    return bw_error_set(err, BW_ELIMIT, "layer decompression ratio exceeds %llu:1 (a decompression bomb?)",
                        (unsigned long long)BW_LIMIT_LAYER_RATIO);
  return 0;
}

static bool only_zeros(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return false;
  return true;
}

static ssize_t gzip_read(dec_reader *d, void *buf, size_t n, bw_error *err) {
  struct inflate_state *s = d->gz;
  s->next_out = buf;
  s->avail_out = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
  while (s->avail_out > 0 && !d->finished) {
    if (s->block_state == ISAL_BLOCK_FINISH) {
      /* member done: another member may follow (concatenated gzip), or zero padding */
      ssize_t avail = fill_input(d, err);
      if (avail < 0) return avail;
      if (avail == 0) {
        d->finished = 1;
        break;
      }
      if (d->in[d->in_pos] != 0x1f) {
        if (!only_zeros(d->in + d->in_pos, d->in_len - d->in_pos))
          return bw_error_set(err, BW_ECORRUPT, "garbage after the end of the gzip stream");
        d->in_pos = d->in_len;
        continue;
      }
      isal_inflate_reset(s);
      s->crc_flag = ISAL_GZIP;
    }
    ssize_t avail = fill_input(d, err);
    if (avail < 0) return avail;
    if (avail == 0)
      return bw_error_set(err, BW_ECORRUPT, "truncated gzip stream (ends after %llu compressed bytes)",
                          (unsigned long long)d->total_in);
    s->next_in = d->in + d->in_pos;
    s->avail_in = (uint32_t)(d->in_len - d->in_pos);
    int rc = isal_inflate(s);
    d->in_pos = d->in_len - s->avail_in;
    if (rc < 0) {
      const char *why = rc == ISAL_INCORRECT_CHECKSUM ? "CRC mismatch"
                        : rc == ISAL_INVALID_WRAPPER  ? "bad gzip header"
                                                      : "invalid deflate data";
      return bw_error_set(err, BW_ECORRUPT, "corrupt gzip stream: %s (isa-l %d)", why, rc);
    }
  }
  size_t produced = n - s->avail_out;
  d->total_out += produced;
  int rc = check_limits(d, err);
  return rc < 0 ? rc : (ssize_t)produced;
}

static ssize_t zstd_read(dec_reader *d, void *buf, size_t n, bw_error *err) {
  ZSTD_outBuffer out = {buf, n, 0};
  while (out.pos == 0 && !d->finished) {
    ssize_t avail = fill_input(d, err);
    if (avail < 0) return avail;
    if (avail == 0) {
      if (d->zstd_hint != 0)
        return bw_error_set(err, BW_ECORRUPT, "truncated zstd stream (ends after %llu compressed bytes)",
                            (unsigned long long)d->total_in);
      d->finished = 1;
      break;
    }
    ZSTD_inBuffer in = {d->in + d->in_pos, d->in_len - d->in_pos, 0};
    d->zstd_hint = ZSTD_decompressStream(d->zs, &out, &in);
    d->in_pos += in.pos;
    if (ZSTD_isError(d->zstd_hint))
      return bw_error_set(err, BW_ECORRUPT, "corrupt zstd stream: %s", ZSTD_getErrorName(d->zstd_hint));
  }
  d->total_out += out.pos;
  int rc = check_limits(d, err);
  return rc < 0 ? rc : (ssize_t)out.pos;
}

static ssize_t dec_read(bw_reader *r, void *buf, size_t n, bw_error *err) {
  dec_reader *d = (dec_reader *)r;
  if (!d->detected) {
    int rc = detect(d, err);
    if (rc < 0) return rc;
  }
  switch (d->kind) {
  case BW_COMPRESSION_GZIP: return gzip_read(d, buf, n, err);
  case BW_COMPRESSION_ZSTD: return zstd_read(d, buf, n, err);
  default: {
    ssize_t avail = fill_input(d, err);
    if (avail <= 0) return avail;
    size_t k = (size_t)avail < n ? (size_t)avail : n;
    memcpy(buf, d->in + d->in_pos, k);
    d->in_pos += k;
    d->total_out += k;
    return (ssize_t)k;
  }
  }
}

static void dec_close(bw_reader *r) {
  dec_reader *d = (dec_reader *)r;
  bw_reader_close(d->inner);
  free(d->in);
  free(d->gz);
  if (d->zs) ZSTD_freeDStream(d->zs);
  free(d);
}

int bw_decompress_open(bw_reader **out, bw_reader *inner, bw_error *err) {
  dec_reader *d = calloc(1, sizeof *d);
  if (d) d->in = malloc(IN_BUF);
  if (!d || !d->in) {
    if (d) free(d);
    bw_reader_close(inner);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  d->base.read = dec_read;
  d->base.close = dec_close;
  d->inner = inner;
  *out = &d->base;
  return 0;
}

bw_compression bw_decompress_kind(const bw_reader *r) { return ((const dec_reader *)r)->kind; }
