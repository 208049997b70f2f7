/* Minimal ELF decoding (see elf.h). Offsets follow the System V gABI tables for ELF32/ELF64. */
#include "analyze/elf.h"

#include <stdlib.h>
#include <string.h>

#include "base/limits.h"

uint64_t bw_elf_uint(const uint8_t *p, size_t size, bool big_endian) {
  uint64_t v = 0;
  for (size_t i = 0; i < size; i++) {
    size_t k = big_endian ? i : size - 1 - i;
    v = (v << 8) | p[k];
  }
  return v;
}

bool bw_elf_is_elf(const uint8_t *head, size_t len) {
  return len >= 52 && memcmp(head, "\x7f" "ELF", 4) == 0 && (head[4] == 1 || head[4] == 2) &&
         (head[5] == 1 || head[5] == 2);
}

int bw_elf_ehdr_parse(bw_elf_ehdr *out, const uint8_t *buf, size_t len, bw_error *err) {
  memset(out, 0, sizeof *out);
  if (!bw_elf_is_elf(buf, len)) return BW_CORRUPT(err, "not an ELF file header");
  out->is64 = buf[4] == 2;
  out->big_endian = buf[5] == 2;
  bool be = out->big_endian;
  if (out->is64) {
    if (len < 64) return BW_CORRUPT(err, "ELF64 header truncated");
    out->phoff = bw_elf_uint(buf + 32, 8, be);
    out->shoff = bw_elf_uint(buf + 40, 8, be);
    out->phentsize = (uint16_t)bw_elf_uint(buf + 54, 2, be);
    out->phnum = (uint16_t)bw_elf_uint(buf + 56, 2, be);
    out->shentsize = (uint16_t)bw_elf_uint(buf + 58, 2, be);
    out->shnum = (uint16_t)bw_elf_uint(buf + 60, 2, be);
    out->shstrndx = (uint16_t)bw_elf_uint(buf + 62, 2, be);
  } else {
    out->phoff = bw_elf_uint(buf + 28, 4, be);
    out->shoff = bw_elf_uint(buf + 32, 4, be);
    out->phentsize = (uint16_t)bw_elf_uint(buf + 42, 2, be);
    out->phnum = (uint16_t)bw_elf_uint(buf + 44, 2, be);
    out->shentsize = (uint16_t)bw_elf_uint(buf + 46, 2, be);
    out->shnum = (uint16_t)bw_elf_uint(buf + 48, 2, be);
    out->shstrndx = (uint16_t)bw_elf_uint(buf + 50, 2, be);
  }
  /* entries may be larger than the standard layout (the gABI allows it), never smaller */
  size_t ph_min = out->is64 ? 56 : 32, sh_min = out->is64 ? 64 : 40;
  if (out->phnum && (out->phentsize < ph_min || out->phentsize > 1024))
    return BW_CORRUPT(err, "ELF program header entry size %u", out->phentsize);
  if (out->shnum && (out->shentsize < sh_min || out->shentsize > 1024))
    return BW_CORRUPT(err, "ELF section header entry size %u", out->shentsize);
  return 0;
}

static int entry_at(const uint8_t **p, size_t entsize, const uint8_t *buf, size_t len, size_t i, bw_error *err) {
  size_t off;
  if (__builtin_mul_overflow(i, entsize, &off) || off > len || len - off < entsize)
    return BW_CORRUPT(err, "ELF table entry %zu outside its table", i);
  *p = buf + off;
  return 0;
}

int bw_elf_phdr_at(bw_elf_phdr *out, const bw_elf_ehdr *eh, const uint8_t *buf, size_t len, size_t i, bw_error *err) {
  const uint8_t *p = NULL;
  int rc = entry_at(&p, eh->phentsize, buf, len, i, err);
  if (rc < 0) return rc;
  bool be = eh->big_endian;
  memset(out, 0, sizeof *out);
  out->type = (uint32_t)bw_elf_uint(p, 4, be);
  if (eh->is64) {
    out->flags = (uint32_t)bw_elf_uint(p + 4, 4, be);
    out->offset = bw_elf_uint(p + 8, 8, be);
    out->vaddr = bw_elf_uint(p + 16, 8, be);
    out->filesz = bw_elf_uint(p + 32, 8, be);
  } else {
    out->offset = bw_elf_uint(p + 4, 4, be);
    out->vaddr = bw_elf_uint(p + 8, 4, be);
    out->filesz = bw_elf_uint(p + 16, 4, be);
    out->flags = (uint32_t)bw_elf_uint(p + 24, 4, be);
  }
  return 0;
}

int bw_elf_shdr_at(bw_elf_shdr *out, const bw_elf_ehdr *eh, const uint8_t *buf, size_t len, size_t i, bw_error *err) {
  const uint8_t *p = NULL;
  int rc = entry_at(&p, eh->shentsize, buf, len, i, err);
  if (rc < 0) return rc;
  bool be = eh->big_endian;
  memset(out, 0, sizeof *out);
  out->name = (uint32_t)bw_elf_uint(p, 4, be);
  out->type = (uint32_t)bw_elf_uint(p + 4, 4, be);
  if (eh->is64) {
    out->offset = bw_elf_uint(p + 24, 8, be);
    out->size = bw_elf_uint(p + 32, 8, be);
    out->link = (uint32_t)bw_elf_uint(p + 40, 4, be);
  } else {
    out->offset = bw_elf_uint(p + 16, 4, be);
    out->size = bw_elf_uint(p + 20, 4, be);
    out->link = (uint32_t)bw_elf_uint(p + 24, 4, be);
  }
  return 0;
}

int bw_elf_stream_feed(bw_elf_stream *es, const uint8_t *buf, size_t len, uint64_t start, bw_error *err) {
  if (es->bad || es->have_phdrs) return 0;
  if (!es->have_eh) {
    if (!es->ehdr_need) es->ehdr_need = BW_ELF_EHDR_MAX;
    /* class byte (offset 4): ELF32 headers are 52 bytes, and the program headers may follow at once */
    if (es->ehdr_got <= 4 && 4 - es->ehdr_got < len && buf[4 - es->ehdr_got] == 1) es->ehdr_need = 52;
    size_t take = es->ehdr_need - es->ehdr_got;
    if (take > len) take = len;
    memcpy(es->ehdr + es->ehdr_got, buf, take);
    es->ehdr_got += take;
    if (es->ehdr_got < es->ehdr_need) return 0;
    bw_error e = {0};
    size_t table;
    if (bw_elf_ehdr_parse(&es->eh, es->ehdr, es->ehdr_got, &e) < 0 || es->eh.phnum == 0 ||
        __builtin_mul_overflow((size_t)es->eh.phnum, (size_t)es->eh.phentsize, &table) ||
        table > BW_LIMIT_ELF_PHDR_BYTES || es->eh.phoff < es->ehdr_need) {
      es->bad = true;
      return 0;
    }
    es->have_eh = true;
    es->ph = malloc(table);
    if (!es->ph) return bw_error_set(err, BW_ENOMEM, "out of memory");
    es->ph_len = table;
  }
  uint64_t want = es->eh.phoff + es->ph_got;
  if (want >= start && want - start < len) {
    size_t at = (size_t)(want - start), k = len - at;
    if (k > es->ph_len - es->ph_got) k = es->ph_len - es->ph_got;
    memcpy(es->ph + es->ph_got, buf + at, k);
    es->ph_got += k;
  }
  if (es->ph_got == es->ph_len) es->have_phdrs = true;
  return 0;
}

void bw_elf_stream_dispose(bw_elf_stream *es) {
  free(es->ph);
  memset(es, 0, sizeof *es);
}

int bw_elf_stream_phdr(const bw_elf_stream *es, bw_elf_phdr *out, size_t i, bw_error *err) {
  if (!es->have_phdrs) return BW_CORRUPT(err, "ELF program headers not read yet");
  return bw_elf_phdr_at(out, &es->eh, es->ph, es->ph_len, i, err);
}
