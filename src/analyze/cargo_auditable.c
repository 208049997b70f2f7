/* Rust executables built with cargo-auditable: the `.dep-v0` ELF section holds the crate list as
 * zlib-compressed JSON (https://github.com/rust-secure-code/cargo-auditable, format "v0").
 *
 * The section is not allocated (not loaded at run time), so the linker places it after the loaded
 * segments, among .comment, .debug_* and .symtab, before the section header table at e_shoff. The file
 * is streamed, so we keep only the region from the end of the last PT_LOAD segment to the end of
 * the section header table (both known from the headers at the start of the file), capped at
 * BW_LIMIT_RUST_TAIL_BYTES: a binary whose debug sections make the region larger is given up with
 * a debug-level note (not a warning: nothing is wrong with it). At the end of the file the section
 * headers are decoded from that region, `.dep-v0` is found by name through .shstrtab, inflated
 * (capped) and its JSON read. Packages follow Trivy (pkg/dependency/parser/rust/binary): crates of
 * kind "runtime" (the default), each with its name and version. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "analyze/elf.h"
#include "analyze/rust.h"
#include "base/buf.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/log.h"

#define CA_SHN_XINDEX 0xffffu
#define CA_SHT_NOBITS 8u

typedef struct ca_state {
  char *path;
  uint64_t size, pos;
  bw_elf_stream elf;
  bool planned, skip;
  uint64_t region_off; /* absolute offset of region[0] */
  size_t region_len, region_got;
  uint8_t *region;
} ca_state;

static bool ca_wants(const char *path, uint32_t mode, uint64_t size, const uint8_t *head, size_t head_len) {
  (void)path;
  (void)mode;
  return size >= BW_ELF_EHDR_MAX && bw_elf_is_elf(head, head_len);
}

static int ca_open(void **state, const char *path, uint64_t size, bw_error *err) {
  ca_state *s = calloc(1, sizeof *s);
  if (!s) return bw_error_set(err, BW_ENOMEM, "out of memory");
  s->path = strdup(path ? path : "");
  if (!s->path) {
    free(s);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  s->size = size;
  *state = s;
  return 0;
}

static void ca_close(void *state) {
  ca_state *s = state;
  if (!s) return;
  bw_elf_stream_dispose(&s->elf);
  free(s->region);
  free(s->path);
  free(s);
}

/* Decides, once the program headers are known, which bytes to keep. */
static int ca_plan(ca_state *s, uint64_t start, bw_error *err) {
  s->planned = true;
  const bw_elf_ehdr *eh = &s->elf.eh;
  s->skip = true;
  if (eh->shoff == 0 || eh->shnum == 0) return 0; /* no section headers: nothing to find */
  uint64_t loads_end = 0;
  for (size_t i = 0; i < eh->phnum; i++) {
    bw_elf_phdr ph;
    bw_error e = {0};
    if (bw_elf_stream_phdr(&s->elf, &ph, i, &e) < 0) return 0;
    uint64_t end;
    if (ph.type != BW_ELF_PT_LOAD) continue;
    if (__builtin_add_overflow(ph.offset, ph.filesz, &end)) return 0;
    if (end > loads_end) loads_end = end;
  }
  uint64_t table_end;
  if (__builtin_add_overflow(eh->shoff, (uint64_t)eh->shnum * eh->shentsize, &table_end)) return 0;
  if (table_end > s->size || eh->shoff < loads_end) return 0; /* not the usual layout */
  if (loads_end < start) loads_end = start;                    /* only bytes still ahead can be kept */
  if (table_end - loads_end > BW_LIMIT_RUST_TAIL_BYTES) {
    bw_debug("%s: %llu bytes after the loaded segments (over %u): not looked at for cargo-auditable data",
             s->path, (unsigned long long)(table_end - loads_end), (unsigned)BW_LIMIT_RUST_TAIL_BYTES);
    return 0;
  }
  s->region_off = loads_end;
  s->region_len = (size_t)(table_end - loads_end);
  s->region = malloc(s->region_len ? s->region_len : 1);
  if (!s->region) return bw_error_set(err, BW_ENOMEM, "out of memory");
  s->skip = false;
  return 0;
}

static int ca_feed(void *state, const uint8_t *buf, size_t len, bw_error *err) {
  ca_state *s = state;
  uint64_t start = s->pos;
  if (__builtin_add_overflow(s->pos, len, &s->pos)) return BW_CORRUPT(err, "stream offset overflow");
  if (s->skip || len == 0) return 0;
  if (!s->planned) {
    int rc = bw_elf_stream_feed(&s->elf, buf, len, start, err);
    if (rc < 0) return rc;
    if (s->elf.bad) {
      s->skip = true;
      return 0;
    }
    if (!s->elf.have_phdrs) return 0;
    if ((rc = ca_plan(s, start, err)) < 0 || s->skip) return rc;
  }
  uint64_t want = s->region_off + s->region_got;
  if (s->region_got < s->region_len && want >= start && want - start < len) {
    size_t at = (size_t)(want - start), k = len - at;
    if (k > s->region_len - s->region_got) k = s->region_len - s->region_got;
    memcpy(s->region + s->region_got, buf + at, k);
    s->region_got += k;
  }
  return 0;
}

/* [off, off+size) of the file inside the kept region, as a pointer; NULL when not there. */
static const uint8_t *ca_in_region(const ca_state *s, uint64_t off, uint64_t size) {
  if (off < s->region_off || off - s->region_off > s->region_len || size > s->region_len - (off - s->region_off))
    return NULL;
  return s->region + (off - s->region_off);
}

static int ca_finish(void *state, bw_analyze_out *out, bw_error *err) {
  ca_state *s = state;
  if (s->skip || !s->planned || s->region_got < s->region_len) return 0;
  const bw_elf_ehdr *eh = &s->elf.eh;
  size_t table_len = (size_t)eh->shnum * eh->shentsize;
  const uint8_t *table = ca_in_region(s, eh->shoff, table_len);
  if (!table) return 0;
  bw_elf_shdr sh, strtab;
  int rc;
  size_t strndx = eh->shstrndx;
  if (strndx == CA_SHN_XINDEX) { /* the real index is in section 0's sh_link */
    if ((rc = bw_elf_shdr_at(&sh, eh, table, table_len, 0, err)) < 0) return rc;
    strndx = sh.link;
  }
  if (strndx == 0 || strndx >= eh->shnum) return 0; /* no section names */
  if ((rc = bw_elf_shdr_at(&strtab, eh, table, table_len, strndx, err)) < 0) return rc;
  const uint8_t *names = ca_in_region(s, strtab.offset, strtab.size);
  if (!names) return 0;
  static const char want[] = ".dep-v0";
  for (size_t i = 1; i < eh->shnum; i++) {
    if ((rc = bw_elf_shdr_at(&sh, eh, table, table_len, i, err)) < 0) return rc;
    if (sh.name >= strtab.size || strtab.size - sh.name < sizeof want ||
        memcmp(names + sh.name, want, sizeof want) != 0)
      continue;
    if (sh.type == CA_SHT_NOBITS) return 0;
    const uint8_t *data = ca_in_region(s, sh.offset, sh.size);
    if (!data) {
      bw_debug("%s: .dep-v0 section outside the bytes kept after the loaded segments: not read", s->path);
      return 0;
    }
    return bw_cargo_auditable_section_parse(data, (size_t)sh.size, out, err);
  }
  return 0; /* not built with cargo-auditable */
}

const bw_stream_analyzer bw_stream_cargo_auditable = {
    .name = "cargo-auditable",
    .wants = ca_wants,
    .open = ca_open,
    .feed = ca_feed,
    .finish = ca_finish,
    .close = ca_close,
};

int bw_cargo_auditable_section_parse(const uint8_t *data, size_t len, bw_analyze_out *out, bw_error *err) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit(&z) != Z_OK) return bw_error_set(err, BW_ENOMEM, "out of memory (zlib)");
  bw_buf json;
  bw_buf_init(&json, BW_LIMIT_RUST_DEPINFO_BYTES);
  uint8_t chunk[16384];
  int rc = 0, zr = Z_OK;
  z.next_in = (Bytef *)(uintptr_t)data;
  size_t left = len;
  while (zr != Z_STREAM_END) {
    if (z.avail_in == 0) {
      if (left == 0) {
        rc = BW_CORRUPT(err, "cargo-auditable .dep-v0: compressed data truncated");
        break;
      }
      z.avail_in = left > UINT32_MAX ? UINT32_MAX : (uInt)left;
      left -= z.avail_in;
    }
    z.next_out = chunk;
    z.avail_out = sizeof chunk;
    zr = inflate(&z, Z_NO_FLUSH);
    if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
      rc = zr == Z_MEM_ERROR ? bw_error_set(err, BW_ENOMEM, "out of memory (zlib)")
                             : BW_CORRUPT(err, "cargo-auditable .dep-v0: bad zlib data (%s)", z.msg ? z.msg : "?");
      break;
    }
    size_t got = sizeof chunk - z.avail_out;
    if (zr == Z_BUF_ERROR && got == 0 && z.avail_in == 0 && left == 0) {
      rc = BW_CORRUPT(err, "cargo-auditable .dep-v0: compressed data truncated");
      break;
    }
    bw_error be = {0};
    if (got && bw_buf_append(&json, chunk, got, &be) < 0) {
      rc = be.code == BW_ELIMIT ? bw_error_set(err, BW_ELIMIT, "cargo-auditable .dep-v0: more than %u bytes inflated",
                                               (unsigned)BW_LIMIT_RUST_DEPINFO_BYTES)
                                : bw_error_set(err, BW_ENOMEM, "out of memory");
      break;
    }
  }
  inflateEnd(&z);
  if (rc == 0) rc = bw_cargo_auditable_json_parse((const uint8_t *)(json.data ? json.data : ""), json.len, out, err);
  bw_buf_dispose(&json);
  return rc;
}

int bw_cargo_auditable_json_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  json_t *root = NULL;
  int rc = bw_json_parse(&root, (const char *)buf, len, BW_LIMIT_RUST_DEPINFO_BYTES, "cargo-auditable JSON", err);
  if (rc < 0) return rc;
  size_t before = bw_pkglist_len(out->packages), count = 0;
  json_t *pkgs = json_is_object(root) ? json_object_get(root, "packages") : NULL;
  if (!json_is_array(pkgs)) {
    rc = BW_CORRUPT(err, "cargo-auditable JSON: no \"packages\" array");
    goto out;
  }
  size_t i;
  json_t *e;
  json_array_foreach(pkgs, i, e) {
    const char *name = json_is_object(e) ? bw_json_str(e, "name") : NULL;
    const char *version = json_is_object(e) ? bw_json_str(e, "version") : NULL;
    json_t *kind = json_is_object(e) ? json_object_get(e, "kind") : NULL;
    if (!name || !version || (kind && !json_is_string(kind))) {
      rc = BW_CORRUPT(err, "cargo-auditable JSON: package %zu lacks a string name or version", i);
      goto out;
    }
    const char *k = kind ? json_string_value(kind) : "runtime";
    if (strcmp(k, "runtime") != 0) {
      if (strcmp(k, "build") != 0) {
        rc = BW_CORRUPT(err, "cargo-auditable JSON: package %zu has unknown kind", i);
        goto out;
      }
      continue; /* build-time crates are not in the binary */
    }
    if (!*name || !*version) continue;
    if (++count > BW_LIMIT_PACKAGES) {
      rc = bw_error_set(err, BW_ELIMIT, "cargo-auditable JSON lists more than %u packages (BW_LIMIT_PACKAGES)",
                        (unsigned)BW_LIMIT_PACKAGES);
      goto out;
    }
    bw_package *p = bw_pkglist_add(out->packages, err);
    if (!p) {
      rc = err->code ? -err->code : -BW_ENOMEM;
      goto out;
    }
    p->type = BW_PKG_CARGO;
    p->name = bw_arena_strdup(out->arena, name);
    p->version = bw_arena_strdup(out->arena, version);
    if (!p->name || !p->version) {
      rc = bw_error_set(err, BW_ENOMEM, "out of memory");
      goto out;
    }
  }
out:
  json_decref(root);
  if (rc < 0) out->packages->v.len = before;
  return rc;
}
