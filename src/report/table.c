/* The human table: a header naming the image, then one aligned row per package. Everything that
 * comes from the image is printed through a filter that turns control characters into '?', so a
 * hostile package name cannot send escape sequences to the terminal. */
#include <string.h>

#include "base/arena.h"
#include "report/report_util.h"
#include "report/result.h"

#define COL_MAX 50 /* widest a column grows; longer cells overflow rather than widen every row */

/* Display width: UTF-8 continuation bytes take no column (good enough for a table). */
static size_t width(const char *s) {
  size_t w = 0;
  for (; s && *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
  return w;
}

static void put_cell(FILE *f, const char *s, size_t pad_to) {
  size_t w = 0;
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    fputc(c < 0x20 || c == 0x7F ? '?' : c, f);
    w += (c & 0xC0) != 0x80;
  }
  for (; w < pad_to; w++) fputc(' ', f);
}

static void put_line(FILE *f, const char *label, const char *value) {
  fputs(label, f);
  put_cell(f, value && *value ? value : "-", 0);
  fputc('\n', f);
}

enum { C_NAME, C_VERSION, C_TYPE, C_SOURCE, C_LAYER, NCOLS };

int bw_report_write_table(FILE *f, const bw_scan_result *r, bw_error *err) {
  const bw_image *img = r->image;
  bw_arena *a = bw_arena_new();
  if (!a) return bw_error_set(err, BW_ENOMEM, "out of memory writing the table");

  put_line(f, "Image:    ", img ? img->name : NULL);
  put_line(f, "Digest:   ", bw_image_digest(img));
  const char *os = r->os.name ? r->os.name
                   : r->os.family ? bw_arena_printf(a, "%s %s", r->os.family, r->os.version ? r->os.version : "")
                                  : "unknown";
  put_line(f, "OS:       ", os);
  put_line(f, "Arch:     ", img ? img->architecture : NULL);
  size_t n = bw_pkglist_len(&r->packages);
  fprintf(f, "Packages: %zu\n\n", n);

  static const char *const head[NCOLS] = {"Name", "Version", "Type", "Source", "Layer"};
  const char **cells = n ? bw_arena_calloc(a, n * NCOLS, sizeof *cells) : NULL;
  if (n && !cells) {
    bw_arena_free(a);
    return bw_error_set(err, BW_ENOMEM, "out of memory writing the table");
  }
  size_t w[NCOLS];
  for (int c = 0; c < NCOLS; c++) w[c] = strlen(head[c]);
  for (size_t i = 0; i < n; i++) {
    const bw_package *p = bw_pkglist_at(&r->packages, i);
    const char **row = &cells[i * NCOLS];
    char *layer = bw_arena_alloc(a, 13);
    const char *src = p->source_name && p->source_version
                          ? bw_arena_printf(a, "%s %s", p->source_name, p->source_version)
                          : p->source_name;
    row[C_NAME] = p->name ? p->name : "";
    row[C_VERSION] = p->version ? p->version : "";
    row[C_TYPE] = bw_pkg_type_name(p->type);
    row[C_SOURCE] = src ? src : "";
    row[C_LAYER] = layer ? bw_report_short_digest(p->layer, layer) : "";
    for (int c = 0; c < NCOLS; c++) {
      size_t cw = width(row[c]);
      if (cw > w[c]) w[c] = cw > COL_MAX ? (w[c] > COL_MAX ? w[c] : COL_MAX) : cw;
    }
  }
  for (int c = 0; c < NCOLS; c++) {
    put_cell(f, head[c], c + 1 < NCOLS ? w[c] : 0);
    fputs(c + 1 < NCOLS ? " | " : "\n", f);
  }
  for (int c = 0; c < NCOLS; c++) {
    for (size_t k = 0; k < w[c]; k++) fputc('-', f);
    fputs(c + 1 < NCOLS ? "-+-" : "\n", f);
  }
  for (size_t i = 0; i < n; i++) {
    for (int c = 0; c < NCOLS; c++) {
      put_cell(f, cells[i * NCOLS + c], c + 1 < NCOLS ? w[c] : 0);
      fputs(c + 1 < NCOLS ? " | " : "\n", f);
    }
  }
  bw_arena_free(a);
  if (fflush(f) != 0 || ferror(f)) return bw_error_sys(err, BW_EIO, "writing the table");
  return 0;
}
