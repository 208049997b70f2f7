/* The human table: a header naming the image, then one aligned row per package. Everything that
 * comes from the image is printed through a filter that turns control characters into '?', so a
 * hostile package name cannot send escape sequences to the terminal. */
#include <string.h>

#include "base/arena.h"
#include "report/report_util.h"
#include "analyze/analyzer.h"
#include "report/result.h"
#include "vuln/vulndb.h"

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

/* ---- vulnerabilities: one table per class, 80 columns wide ---- */

#define VT_WIDTH 80
#define VT_SEP 2        /* spaces between columns */
#define VT_TITLE_MIN 20 /* narrower than this, id and title go on a line of their own */
enum { V_PKG, V_INST, V_FIXED, V_SEV, V_ID, V_TITLE, NVCOLS };

/* Writes s in exactly w columns: padded, or cut with a final '~' when longer. */
static void put_fit(FILE *f, const char *s, size_t w, bool pad) {
  size_t total = width(s), shown = 0;
  bool cut = total > w;
  size_t room = cut ? (w ? w - 1 : 0) : w;
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    bool starts = (c & 0xC0) != 0x80;
    if (starts && shown == room) break;
    fputc(c < 0x20 || c == 0x7F ? '?' : c, f);
    shown += starts;
  }
  if (cut && w) {
    fputc('~', f);
    shown++;
  }
  for (; pad && shown < w; shown++) fputc(' ', f);
}

static void vuln_table(FILE *f, const bw_scan_result *r, int app) {
  static const char *const head[NVCOLS] = {"Package", "Installed", "Fixed", "Severity", "ID", "Title"};
  size_t counts[BW_SEV_CRITICAL + 1] = {0}, n = 0;
  size_t w[NVCOLS];
  for (int c = 0; c < NVCOLS; c++) w[c] = width(head[c]);
  for (size_t i = 0; i < r->vulns.len; i++) {
    const bw_vuln *v = bw_vec_at(&r->vulns, bw_vuln, i);
    if (v->app != app) continue;
    n++;
    counts[v->severity >= 0 && v->severity <= BW_SEV_CRITICAL ? v->severity : 0]++;
    const char *cells[NVCOLS - 1] = {v->package->name, v->package->version,
                                     v->fixed_version ? v->fixed_version : v->status,
                                     bw_severity_name((bw_severity)v->severity), v->id};
    for (int c = 0; c < NVCOLS - 1; c++)
      if (width(cells[c]) > w[c]) w[c] = width(cells[c]);
  }
  fprintf(f, "%s: %zu vulnerabilit%s (CRITICAL: %zu, HIGH: %zu, MEDIUM: %zu, LOW: %zu, UNKNOWN: %zu)\n",
          app ? "Application packages" : "OS packages", n, n == 1 ? "y" : "ies", counts[BW_SEV_CRITICAL],
          counts[BW_SEV_HIGH], counts[BW_SEV_MEDIUM], counts[BW_SEV_LOW], counts[BW_SEV_UNKNOWN]);
  if (!n) {
    fputc('\n', f);
    return;
  }
  /* One line per finding when the title keeps at least VT_TITLE_MIN columns after the others;
   * else two: package, versions and severity, then the id and title indented below (an id is
   * never cut unless wider than the line). Only a package or version wider than the line is cut,
   * with '~'. */
  size_t one = VT_SEP * (NVCOLS - 1) + VT_TITLE_MIN;
  for (int c = 0; c < V_TITLE; c++) one += w[c];
  bool two_lines = one > VT_WIDTH;
  int ncols = two_lines ? V_ID : NVCOLS;
  if (two_lines) {
    for (;;) {
      size_t sum = VT_SEP * (V_ID - 1) + w[V_PKG] + w[V_INST] + w[V_FIXED] + w[V_SEV];
      if (sum <= VT_WIDTH) break;
      int widest = V_PKG;
      if (w[V_INST] > w[widest]) widest = V_INST;
      if (w[V_FIXED] > w[widest]) widest = V_FIXED;
      if (w[widest] <= 6) break;
      w[widest]--;
    }
  } else {
    w[V_TITLE] = VT_WIDTH - (one - VT_TITLE_MIN);
  }
  for (int c = 0; c < ncols; c++) {
    put_fit(f, head[c], w[c], c + 1 < ncols);
    fputs(c + 1 < ncols ? "  " : "\n", f);
  }
  if (two_lines) fputs("    ID  Title\n", f);
  for (int c = 0; c < ncols; c++) {
    for (size_t k = 0; k < w[c]; k++) fputc('-', f);
    fputs(c + 1 < ncols ? "  " : "\n", f);
  }
  for (size_t i = 0; i < r->vulns.len; i++) {
    const bw_vuln *v = bw_vec_at(&r->vulns, bw_vuln, i);
    if (v->app != app) continue;
    const char *cells[NVCOLS] = {v->package->name, v->package->version,
                                 v->fixed_version ? v->fixed_version : v->status,
                                 bw_severity_name((bw_severity)v->severity), v->id, v->title ? v->title : ""};
    for (int c = 0; c < ncols; c++) {
      put_fit(f, cells[c] ? cells[c] : "", w[c], c + 1 < ncols);
      fputs(c + 1 < ncols ? "  " : "\n", f);
    }
    if (two_lines) {
      fputs("    ", f);
      size_t idw = width(cells[V_ID]); /* real ids are short: cut only one wider than the line */
      if (idw > VT_WIDTH - 4) idw = VT_WIDTH - 4;
      put_fit(f, cells[V_ID], idw, false);
      idw += 4;
      if (*cells[V_TITLE] && idw + VT_SEP < VT_WIDTH) {
        fputs("  ", f);
        put_fit(f, cells[V_TITLE], VT_WIDTH - idw - VT_SEP, false);
      }
      fputc('\n', f);
    }
  }
  fputc('\n', f);
}

/* Baseline and malware findings: one block each, severity and id first, then where, what was
 * seen and what to do, indented (free text does not fit columns). */
static void put_indented(FILE *f, const char *label, const char *text) {
  if (!text || !*text) return;
  fprintf(f, "      %s", label);
  put_fit(f, text, width(text) > 200 ? 200 : width(text), false);
  fputc('\n', f);
}

static void counts_line(FILE *f, const char *what, size_t n, const size_t *counts) {
  fprintf(f, "%s: %zu (CRITICAL: %zu, HIGH: %zu, MEDIUM: %zu, LOW: %zu, UNKNOWN: %zu)\n", what, n,
          counts[BW_SEV_CRITICAL], counts[BW_SEV_HIGH], counts[BW_SEV_MEDIUM], counts[BW_SEV_LOW],
          counts[BW_SEV_UNKNOWN]);
}

static void baseline_table(FILE *f, const bw_scan_result *r) {
  size_t counts[BW_SEV_CRITICAL + 1] = {0};
  for (size_t i = 0; i < r->baseline.len; i++) {
    int s = bw_vec_at(&r->baseline, bw_baseline_finding, i)->severity;
    counts[s >= 0 && s <= BW_SEV_CRITICAL ? s : 0]++;
  }
  counts_line(f, "Baseline findings", r->baseline.len, counts);
  for (size_t i = 0; i < r->baseline.len; i++) {
    const bw_baseline_finding *b = bw_vec_at(&r->baseline, bw_baseline_finding, i);
    char layer[13];
    fprintf(f, "  %-8s  %-11s  ", bw_severity_name((bw_severity)b->severity), b->id ? b->id : "");
    put_fit(f, b->title ? b->title : "", width(b->title ? b->title : "") > 120 ? 120 : width(b->title ? b->title : ""),
            false);
    fprintf(f, " [%s]\n", b->category ? b->category : "");
    if (b->path) {
      fputs("      at: ", f);
      put_fit(f, b->path, width(b->path) > 160 ? 160 : width(b->path), false);
      if (b->line) fprintf(f, ":%u", b->line);
      if (b->layer) fprintf(f, " (layer %s)", bw_report_short_digest(b->layer, layer));
      fputc('\n', f);
    }
    put_indented(f, "seen: ", b->evidence);
    put_indented(f, "fix:  ", b->remediation);
  }
  fputc('\n', f);
}

static void malware_table(FILE *f, const bw_scan_result *r) {
  size_t counts[BW_SEV_CRITICAL + 1] = {0};
  for (size_t i = 0; i < r->malware.len; i++) {
    int s = bw_vec_at(&r->malware, bw_malware_finding, i)->severity;
    counts[s >= 0 && s <= BW_SEV_CRITICAL ? s : 0]++;
  }
  counts_line(f, "Malicious samples", r->malware.len, counts);
  for (size_t i = 0; i < r->malware.len; i++) {
    const bw_malware_finding *m = bw_vec_at(&r->malware, bw_malware_finding, i);
    char layer[13];
    fprintf(f, "  %-8s  %s (%s)\n", bw_severity_name((bw_severity)m->severity), m->rule ? m->rule : "",
            m->family ? m->family : "");
    fputs("      at: ", f);
    put_fit(f, m->path ? m->path : "", width(m->path ? m->path : "") > 160 ? 160 : width(m->path ? m->path : ""),
            false);
    if (m->layer) fprintf(f, " (layer %s)", bw_report_short_digest(m->layer, layer));
    fputc('\n', f);
    put_indented(f, "sha256: ", m->sha256);
    put_indented(f, "why:  ", m->description);
  }
  if (r->content_skipped)
    fprintf(f, "  (%llu files not scanned: over a size cap or a time limit)\n", (unsigned long long)r->content_skipped);
  fputc('\n', f);
}

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
  if (r->scanned_vulns || (r->scanners & (BW_SCANNER_BASELINE | BW_SCANNER_MALWARE))) {
    /* a scan shows its findings; `bulwark sbom` lists the packages */
    if (r->scanned_vulns) {
      vuln_table(f, r, 0);
      vuln_table(f, r, 1);
    }
    if (r->scanners & BW_SCANNER_BASELINE) baseline_table(f, r);
    if (r->scanners & BW_SCANNER_MALWARE) malware_table(f, r);
    bw_arena_free(a);
    if (fflush(f) != 0 || ferror(f)) return bw_error_sys(err, BW_EIO, "writing the table");
    return 0;
  }

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
