/* Just enough ELF for the content analysers that look inside executables (Go build info,
 * cargo-auditable): the file header, program headers and section headers, decoded from byte
 * buffers in either byte order and either class. Pure functions, no I/O: the streaming callers
 * collect the bytes as the file passes. */
#ifndef BW_ANALYZE_ELF_H
#define BW_ANALYZE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BW_ELF_EHDR_MAX 64 /* an ELF64 file header; ELF32 uses the first 52 bytes */

#define BW_ELF_PT_LOAD 1u
#define BW_ELF_PF_X 1u
#define BW_ELF_PF_W 2u

typedef struct bw_elf_ehdr {
  bool is64, big_endian;
  uint64_t phoff, shoff;
  uint16_t phentsize, phnum, shentsize, shnum, shstrndx;
} bw_elf_ehdr;

typedef struct bw_elf_phdr {
  uint32_t type, flags;
  uint64_t offset, vaddr, filesz;
} bw_elf_phdr;

typedef struct bw_elf_shdr {
  uint32_t name, type;
  uint64_t offset, size;
  uint32_t link;
} bw_elf_shdr;

/* True when head starts like an ELF file we can read (magic, class 1/2, data 1/2). Cheap. */
bool bw_elf_is_elf(const uint8_t *head, size_t len);

/* Decodes the file header from the first bytes of a file. Checks the entry sizes against the
 * class, so the tables can be decoded with the functions below. BW_ECORRUPT on a bad header. */
int bw_elf_ehdr_parse(bw_elf_ehdr *out, const uint8_t *buf, size_t len, bw_error *err);

/* Decodes program header i of a table held in buf (len bytes, the whole table). */
int bw_elf_phdr_at(bw_elf_phdr *out, const bw_elf_ehdr *eh, const uint8_t *buf, size_t len, size_t i, bw_error *err);
/* Decodes section header i of a table held in buf (len bytes, the whole table). */
int bw_elf_shdr_at(bw_elf_shdr *out, const bw_elf_ehdr *eh, const uint8_t *buf, size_t len, size_t i, bw_error *err);

/* The file header and program header table of an ELF file read as a stream of chunks: both
 * lie at the start of an executable, before anything a content analyser looks for. */
typedef struct bw_elf_stream {
  uint8_t ehdr[BW_ELF_EHDR_MAX];
  size_t ehdr_got, ehdr_need;
  bw_elf_ehdr eh;
  bool have_eh;
  bool have_phdrs; /* ph holds the whole program header table */
  bool bad;        /* not an ELF file we can read: the caller ignores the rest quietly */
  uint8_t *ph;     /* malloc'd, ph_len bytes (at most BW_LIMIT_ELF_PHDR_BYTES) */
  size_t ph_len, ph_got;
} bw_elf_stream;

/* Takes the chunk at absolute offset start (chunks must come in order from 0). Sets es->bad on
 * a header we cannot use (no program headers, table too large or overlapping the header).
 * Only BW_ENOMEM fails. */
int bw_elf_stream_feed(bw_elf_stream *es, const uint8_t *buf, size_t len, uint64_t start, bw_error *err);
void bw_elf_stream_dispose(bw_elf_stream *es);
/* Program header i once es->have_phdrs (the decoded copy goes to *out). */
int bw_elf_stream_phdr(const bw_elf_stream *es, bw_elf_phdr *out, size_t i, bw_error *err);

/* Reads an unsigned integer of `size` bytes (1, 2, 4 or 8) in the file's byte order. */
uint64_t bw_elf_uint(const uint8_t *p, size_t size, bool big_endian);

#endif
