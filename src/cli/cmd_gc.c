/* bulwark gc: removes what no tag reaches any more (untagged manifests, unreferenced blobs). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/strutil.h"
#include "cli/cli.h"
#include "cli/serve_common.h"
#include "store/registry_meta.h"

static void gc_usage(FILE *f) {
  fputs("Usage: bulwark gc [--data DIR] [--dry-run] [--grace SECONDS]\n"
        "\n"
        "Removes from the registry's data directory what nothing refers to any more:\n"
        "  1. manifests without a tag that no index lists and no other manifest names as its\n"
        "     subject (a signature or SBOM attached to an image stays while the image exists);\n"
        "  2. blob links of a repository that none of its manifests use, older than the grace time\n"
        "     (layers of deleted images, pushes abandoned before their manifest);\n"
        "  3. blob files that no repository links, older than the grace time.\n"
        "The grace time (default: the upload expiry, 3600 s) keeps the blobs of a push in progress,\n"
        "whose manifest has not arrived yet. Prints each thing it removes.\n"
        "\n"
        "It can run while the server runs; a push that reuses an old, unlinked layer at the very\n"
        "moment gc removes it fails and is retried by the client. For none of that: stop the server.\n"
        "\n"
        "Options:\n"
        "  -d, --data DIR         data directory (default ./var/bulwark)\n"
        "  -n, --dry-run          print what would be removed, remove nothing\n"
        "      --grace SECONDS    minimum age of a blob or link to remove (default 3600)\n"
        "  -h, --help             show this help\n",
        f);
}

typedef struct gc_ctx {
  bw_reg_strlist live;
  bw_blobstore *blobs;
  int64_t before;
  bool dry;
  size_t removed;
  int64_t bytes;
} gc_ctx;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int visit_blob(void *c_, const char *digest, int64_t size, int64_t mtime) {
  gc_ctx *c = c_;
  const char *key = digest;
  if (c->live.len && bsearch(&key, c->live.items, c->live.len, sizeof(char *), cmp_str)) return 0;
  if (mtime >= c->before) return 0;
  bw_error err = {0};
  if (!c->dry && bw_blob_delete(c->blobs, digest, &err) < 0) {
    fprintf(stderr, "bulwark gc: %s\n", err.msg);
    return 0;
  }
  printf("%s blob %s (%lld bytes)\n", c->dry ? "would remove" : "removed", digest, (long long)size);
  c->removed++;
  c->bytes += size;
  return 0;
}

int bw_cmd_gc(int argc, char **argv) {
  static const struct option longopts[] = {
      {"data", required_argument, NULL, 'd'},
      {"dry-run", no_argument, NULL, 'n'},
      {"grace", required_argument, NULL, 'g'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *data = "./var/bulwark";
  bool dry = false;
  int64_t grace = BW_LIMIT_UPLOAD_EXPIRY;
  int opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "+d:nh", longopts, NULL)) != -1) {
    uint64_t v;
    switch (opt) {
    case 'd': data = optarg; break;
    case 'n': dry = true; break;
    case 'g':
      if (!bw_parse_u64(optarg, strlen(optarg), &v) || v > (uint64_t)INT32_MAX) {
        fprintf(stderr, "bulwark gc: bad --grace \"%s\"\n", optarg);
        return BW_EXIT_USAGE;
      }
      grace = (int64_t)v;
      break;
    case 'h': gc_usage(stdout); return BW_EXIT_OK;
    default: gc_usage(stderr); return BW_EXIT_USAGE;
    }
  }
  if (optind != argc) {
    gc_usage(stderr);
    return BW_EXIT_USAGE;
  }
  bw_error err = {0};
  bw_serve_stores st;
  if (bw_serve_open(&st, data, &err) < 0) {
    bw_cli_report_error(&err);
    return BW_EXIT_ERROR;
  }
  int rc = BW_EXIT_ERROR;
  gc_ctx c = {.blobs = st.blobs, .before = bw_meta_now() - grace, .dry = dry};
  size_t nman = 0, nlinks = 0;
  bw_reg_strlist links = {0};
  /* one transaction for the metadata; a dry run rolls it back */
  if (bw_meta_begin(st.meta, &err) < 0) goto out;
  for (int pass = 0; pass < 64; pass++) {
    bw_reg_manifest *v = NULL;
    size_t n = 0;
    if (bw_reg_gc_dangling_manifests(st.meta, &v, &n, &err) < 0) goto rollback;
    for (size_t i = 0; i < n; i++) {
      printf("%s manifest %s@%s (%s)\n", dry ? "would remove" : "removed", v[i].repo, v[i].digest, v[i].media_type);
      if (bw_reg_gc_delete_manifest(st.meta, v[i].id, &err) < 0) {
        free(v);
        goto rollback;
      }
    }
    free(v);
    nman += n;
    if (!n) break;
  }
  if (bw_reg_gc_prune_links(st.meta, c.before, &links, &err) < 0) goto rollback;
  for (size_t i = 0; i < links.len; i++) printf("%s link %s\n", dry ? "would remove" : "removed", links.items[i]);
  nlinks = links.len;
  if (bw_reg_gc_live_blobs(st.meta, &c.live, &err) < 0) goto rollback;
  if (dry)
    bw_meta_rollback(st.meta);
  else if (bw_meta_commit(st.meta, &err) < 0)
    goto out;
  qsort(c.live.items, c.live.len, sizeof(char *), cmp_str);
  if (bw_blob_list(st.blobs, visit_blob, &c, &err) < 0) goto out;
  printf("gc: %s %zu manifest(s), %zu link(s), %zu blob(s) (%lld bytes)\n", dry ? "would remove" : "removed", nman,
         nlinks, c.removed, (long long)c.bytes);
  rc = BW_EXIT_OK;
  goto out;
rollback:
  bw_meta_rollback(st.meta);
out:
  if (rc != BW_EXIT_OK) bw_cli_report_error(&err);
  bw_reg_strlist_dispose(&links);
  bw_reg_strlist_dispose(&c.live);
  bw_serve_close(&st);
  return rc;
}
