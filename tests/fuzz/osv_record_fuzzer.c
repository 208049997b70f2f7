/* Fuzzes the OSV import path: one record into an in-memory advisory DB, then a lookup of every
 * package it names must return rows that point back at the record's id. */
#include <stdint.h>
#include <string.h>

#include "vuln/vulndb.h"

static int count_hit(void *ctx, const bw_advisory_hit *h) {
  if (!h->id || !h->ecosystem || !h->package) __builtin_trap();
  ++*(int *)ctx;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_vulndb *db = NULL;
  bw_error err = {0};
  if (bw_vulndb_open(&db, ":memory:", true, &err) < 0) return 0;
  bw_import_stats st;
  int rc = bw_vulndb_import_buffer(db, (const char *)data, size, &st, &err);
  if (rc != 0) __builtin_trap(); /* a bad record is skipped, never an error */
  if (st.records != 1 || st.inserted + st.skipped != 1) __builtin_trap();
  /* importing the same bytes again changes nothing */
  bw_import_stats again;
  if (bw_vulndb_import_buffer(db, (const char *)data, size, &again, &err) != 0) __builtin_trap();
  if (again.inserted || again.updated || again.unchanged != st.inserted) __builtin_trap();
  int hits = 0;
  bw_vulndb_lookup(db, "npm", "x", count_hit, &hits, &err);
  bw_vulndb_info info;
  if (bw_vulndb_info_get(db, &info, &err) != 0 || info.advisories != (int64_t)st.inserted) __builtin_trap();
  bw_vulndb_close(db);
  return 0;
}
