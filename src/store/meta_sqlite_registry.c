/* SQLite driver: repositories, blobs, manifests, tags, uploads, events (store/registry_meta.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/meta_sqlite_internal.h"
#include "store/registry_meta.h"

static const char *const migrations[] = {
    "CREATE TABLE repositories(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, namespace TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX repositories_ns ON repositories(namespace, name);"
    "CREATE TABLE repo_blobs(repo_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,"
    "  digest TEXT NOT NULL, size INTEGER NOT NULL, linked_at INTEGER NOT NULL, PRIMARY KEY(repo_id, digest));"
    "CREATE INDEX repo_blobs_digest ON repo_blobs(digest);"
    "CREATE TABLE manifests(id INTEGER PRIMARY KEY, repo_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,"
    "  digest TEXT NOT NULL, media_type TEXT NOT NULL, artifact_type TEXT NOT NULL DEFAULT '',"
    "  subject TEXT NOT NULL DEFAULT '', size INTEGER NOT NULL, content BLOB NOT NULL, pushed_at INTEGER NOT NULL,"
    "  UNIQUE(repo_id, digest));"
    "CREATE INDEX manifests_subject ON manifests(repo_id, subject);"
    "CREATE TABLE manifest_refs(manifest_id INTEGER NOT NULL REFERENCES manifests(id) ON DELETE CASCADE,"
    "  digest TEXT NOT NULL, kind INTEGER NOT NULL, PRIMARY KEY(manifest_id, digest, kind));"
    "CREATE INDEX manifest_refs_digest ON manifest_refs(digest);"
    "CREATE TABLE tags(repo_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE, name TEXT NOT NULL,"
    "  manifest_id INTEGER NOT NULL REFERENCES manifests(id) ON DELETE CASCADE, updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY(repo_id, name));"
    "CREATE INDEX tags_manifest ON tags(manifest_id);"
    "CREATE TABLE uploads(id TEXT PRIMARY KEY, repo TEXT NOT NULL, offset INTEGER NOT NULL DEFAULT 0,"
    "  started_at INTEGER NOT NULL, last_at INTEGER NOT NULL);"
    "CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, repository TEXT NOT NULL,"
    "  namespace TEXT NOT NULL, tag TEXT NOT NULL DEFAULT '', digest TEXT NOT NULL DEFAULT '',"
    "  media_type TEXT NOT NULL DEFAULT '', actor TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL);",
    /* 1: event data (JSON; scan.* events carry their summary here) */
    "ALTER TABLE events ADD COLUMN data TEXT;",
    NULL};
const meta_schema_part meta_schema_registry = {"registry", migrations};

void bw_reg_strlist_dispose(bw_reg_strlist *l) {
  if (!l) return;
  for (size_t i = 0; i < l->len; i++) free(l->items[i]);
  free(l->items);
  l->items = NULL;
  l->len = 0;
}

static int strlist_add(bw_reg_strlist *l, const char *s, bw_error *err) {
  char **n = realloc(l->items, (l->len + 1) * sizeof *n);
  if (!n) return bw_error_set(err, BW_ENOMEM, "out of memory");
  l->items = n;
  if (!(n[l->len] = strdup(s ? s : ""))) return bw_error_set(err, BW_ENOMEM, "out of memory");
  l->len++;
  return 0;
}

static const char *ns_of(const char *repo, char *buf, size_t cap) {
  const char *slash = strchr(repo, '/');
  size_t n = slash ? (size_t)(slash - repo) : strlen(repo);
  if (n >= cap) n = cap - 1;
  memcpy(buf, repo, n);
  buf[n] = '\0';
  return buf;
}

/* ---- repositories ---- */

static int repo_id_locked(bw_meta *m, const char *name, bool create, int64_t *id, bw_error *err) {
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT id FROM repositories WHERE name=?1", "t", name);
  if (r) return r;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return meta_sqlite_fail(m, err, "repository");
  if (!create) return bw_error_set(err, BW_ENOTFOUND, "repository %s not found", name);
  char ns[BW_REG_NAME_MAX];
  if ((r = meta_prep(m, &st, err, "INSERT INTO repositories(name, namespace, created_at) VALUES(?1, ?2, ?3)", "tti", name,
                ns_of(name, ns, sizeof ns), bw_meta_now())))
    return r;
  if ((r = meta_run(m, st, err, "create repository"))) return r;
  *id = sqlite3_last_insert_rowid(m->db);
  return 0;
}

int bw_reg_repo_id(bw_meta *m, const char *name, bool create, int64_t *id, bw_error *err) {
  meta_lock(m);
  int r = repo_id_locked(m, name, create, id, err);
  meta_unlock(m);
  return r;
}

static int collect_strings(bw_meta *m, sqlite3_stmt *st, bw_reg_strlist *out, bw_error *err) {
  int rc, r = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if ((r = strlist_add(out, (const char *)sqlite3_column_text(st, 0), err))) break;
  if (!r && rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "list");
  sqlite3_finalize(st);
  if (r) bw_reg_strlist_dispose(out);
  return r;
}

int bw_reg_repo_list(bw_meta *m, const char *ns, const char *last, size_t n, bw_reg_strlist *out, bw_error *err) {
  out->items = NULL, out->len = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT name FROM repositories WHERE name > ?1 AND (?2 IS NULL OR namespace = ?2) ORDER BY name LIMIT ?3",
               "tti", last ? last : "", ns, n ? (int64_t)n : (int64_t)-1);
  if (!r) r = collect_strings(m, st, out, err);
  meta_unlock(m);
  return r;
}

/* ---- blobs ---- */

static int blob_link_locked(bw_meta *m, int64_t rid, const char *digest, int64_t size, bw_error *err) {
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "INSERT INTO repo_blobs(repo_id, digest, size, linked_at) VALUES(?1, ?2, ?3, ?4)"
               " ON CONFLICT(repo_id, digest) DO UPDATE SET linked_at=excluded.linked_at",
               "itii", rid, digest, size, bw_meta_now());
  return r ? r : meta_run(m, st, err, "link blob");
}

int bw_reg_blob_link(bw_meta *m, const char *repo, const char *digest, int64_t size, bw_error *err) {
  meta_lock(m);
  int64_t rid;
  int r = repo_id_locked(m, repo, true, &rid, err);
  if (!r) r = blob_link_locked(m, rid, digest, size, err);
  meta_unlock(m);
  return r;
}

int bw_reg_blob_linked(bw_meta *m, const char *repo, const char *digest, int64_t *size, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT b.size FROM repo_blobs b JOIN repositories r ON r.id=b.repo_id WHERE r.name=?1 AND b.digest=?2",
               "tt", repo, digest);
  if (!r) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      if (size) *size = sqlite3_column_int64(st, 0);
    } else if (rc == SQLITE_DONE) {
      r = bw_error_set(err, BW_ENOTFOUND, "blob %s not found in %s", digest, repo);
    } else {
      r = meta_sqlite_fail(m, err, "blob");
    }
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_reg_blob_unlink(bw_meta *m, const char *repo, const char *digest, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "DELETE FROM repo_blobs WHERE digest=?2 AND repo_id=(SELECT id FROM repositories WHERE name=?1)", "tt",
               repo, digest);
  if (!r) r = meta_run(m, st, err, "unlink blob");
  if (!r && sqlite3_changes(m->db) == 0) r = bw_error_set(err, BW_ENOTFOUND, "blob %s not found in %s", digest, repo);
  meta_unlock(m);
  return r;
}

/* ---- events ---- */

static int event_add_data_locked(bw_meta *m, const char *type, const char *repo, const char *tag,
                                 const char *digest, const char *media_type, const char *actor, const char *data,
                                 int64_t *id, bw_error *err) {
  char ns[BW_REG_NAME_MAX];
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "INSERT INTO events(type, repository, namespace, tag, digest, media_type, actor, at, data)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
               "ttttttti" "t", type, repo, ns_of(repo, ns, sizeof ns), tag ? tag : "", digest ? digest : "",
               media_type ? media_type : "", actor ? actor : "", bw_meta_now(), data);
  if (!r) r = meta_run(m, st, err, "event");
  if (!r && id) *id = sqlite3_last_insert_rowid(m->db);
  return r;
}

static int event_add_locked(bw_meta *m, const char *type, const char *repo, const char *tag, const char *digest,
                            const char *media_type, const char *actor, int64_t *id, bw_error *err) {
  return event_add_data_locked(m, type, repo, tag, digest, media_type, actor, NULL, id, err);
}

int bw_reg_event_add_data(bw_meta *m, const char *type, const char *repo, const char *tag, const char *digest,
                          const char *media_type, const char *actor, const char *data, int64_t *id, bw_error *err) {
  if (data && strlen(data) >= BW_REG_EVENT_DATA_MAX)
    return bw_error_set(err, BW_ELIMIT, "event data is %zu bytes, at most %d", strlen(data), BW_REG_EVENT_DATA_MAX - 1);
  meta_lock(m);
  int r = event_add_data_locked(m, type, repo, tag, digest, media_type, actor, data, id, err);
  meta_unlock(m);
  return r;
}

int bw_reg_event_add(bw_meta *m, const char *type, const char *repo, const char *tag, const char *digest,
                     const char *media_type, const char *actor, int64_t *id, bw_error *err) {
  meta_lock(m);
  int r = event_add_locked(m, type, repo, tag, digest, media_type, actor, id, err);
  meta_unlock(m);
  return r;
}

int bw_reg_events_since(bw_meta *m, int64_t since, size_t max, bw_reg_event **out, size_t *n, bw_error *err) {
  *out = NULL, *n = 0;
  if (!max) max = 1000;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT id, type, repository, namespace, tag, digest, media_type, actor, at, data FROM events WHERE id > ?1"
               " ORDER BY id LIMIT ?2",
               "ii", since, (int64_t)max);
  if (!r) {
    bw_reg_event *ev = calloc(max, sizeof *ev);
    if (!ev) r = bw_error_set(err, BW_ENOMEM, "out of memory");
    size_t k = 0;
    int rc = SQLITE_DONE;
    while (!r && k < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      bw_reg_event *e = &ev[k++];
      e->id = sqlite3_column_int64(st, 0);
      meta_copy(e->type, sizeof e->type, sqlite3_column_text(st, 1));
      meta_copy(e->repo, sizeof e->repo, sqlite3_column_text(st, 2));
      meta_copy(e->namespace_, sizeof e->namespace_, sqlite3_column_text(st, 3));
      meta_copy(e->tag, sizeof e->tag, sqlite3_column_text(st, 4));
      meta_copy(e->digest, sizeof e->digest, sqlite3_column_text(st, 5));
      meta_copy(e->media_type, sizeof e->media_type, sqlite3_column_text(st, 6));
      meta_copy(e->actor, sizeof e->actor, sqlite3_column_text(st, 7));
      e->at = sqlite3_column_int64(st, 8);
      meta_copy(e->data, sizeof e->data, sqlite3_column_text(st, 9));
    }
    if (!r && rc != SQLITE_DONE && rc != SQLITE_ROW) r = meta_sqlite_fail(m, err, "events");
    sqlite3_finalize(st);
    if (r) {
      free(ev);
    } else {
      *out = ev, *n = k;
    }
  }
  meta_unlock(m);
  return r;
}

/* ---- manifests ---- */

/* Starts a transaction unless the caller holds one; *own says whether we must end it. */
static int tx_begin(bw_meta *m, int *own, bw_error *err) {
  *own = !m->in_tx;
  return *own ? bw_meta_begin(m, err) : 0;
}
static int tx_end(bw_meta *m, int own, int r, bw_error *err) {
  if (!own) return r;
  if (r) {
    bw_meta_rollback(m);
    return r;
  }
  return bw_meta_commit(m, err);
}

int bw_reg_manifest_put(bw_meta *m, const bw_reg_manifest *mf, const void *bytes, size_t len, const bw_reg_ref *refs,
                        size_t nrefs, const char *tag, const char *actor, bw_error *err) {
  meta_lock(m);
  int own;
  int r = tx_begin(m, &own, err);
  if (r) {
    meta_unlock(m);
    return r;
  }
  int64_t rid = 0, mid = 0;
  sqlite3_stmt *st = NULL;
  r = repo_id_locked(m, mf->repo, true, &rid, err);
  if (!r)
    r = meta_prep(m, &st, err,
             "INSERT INTO manifests(repo_id, digest, media_type, artifact_type, subject, size, content, pushed_at)"
             " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(repo_id, digest) DO UPDATE SET"
             " media_type=excluded.media_type, artifact_type=excluded.artifact_type, subject=excluded.subject,"
             " pushed_at=excluded.pushed_at RETURNING id",
             "itttti" "bi", rid, mf->digest, mf->media_type, mf->artifact_type, mf->subject, (int64_t)len, bytes, len,
             bw_meta_now());
  if (!r) {
    if (sqlite3_step(st) == SQLITE_ROW)
      mid = sqlite3_column_int64(st, 0);
    else
      r = meta_sqlite_fail(m, err, "store manifest");
    sqlite3_finalize(st);
  }
  if (!r && (r = meta_prep(m, &st, err, "DELETE FROM manifest_refs WHERE manifest_id=?1", "i", mid)) == 0)
    r = meta_run(m, st, err, "manifest refs");
  for (size_t i = 0; !r && i < nrefs; i++) {
    if (!(r = meta_prep(m, &st, err, "INSERT OR IGNORE INTO manifest_refs(manifest_id, digest, kind) VALUES(?1, ?2, ?3)",
                   "iti", mid, refs[i].digest, (int64_t)refs[i].kind)))
      r = meta_run(m, st, err, "manifest refs");
  }
  if (!r && tag && *tag) {
    if (!(r = meta_prep(m, &st, err,
                   "INSERT INTO tags(repo_id, name, manifest_id, updated_at) VALUES(?1, ?2, ?3, ?4)"
                   " ON CONFLICT(repo_id, name) DO UPDATE SET manifest_id=excluded.manifest_id,"
                   " updated_at=excluded.updated_at",
                   "itii", rid, tag, mid, bw_meta_now())))
      r = meta_run(m, st, err, "tag");
  }
  if (!r) r = event_add_locked(m, "artifact.pushed", mf->repo, tag, mf->digest, mf->media_type, actor, NULL, err);
  r = tx_end(m, own, r, err);
  meta_unlock(m);
  return r;
}

#define MANIFEST_COLS "m.id, r.name, m.digest, m.media_type, m.artifact_type, m.subject, m.size, m.pushed_at"

static void manifest_row(sqlite3_stmt *st, bw_reg_manifest *o) {
  memset(o, 0, sizeof *o);
  o->id = sqlite3_column_int64(st, 0);
  meta_copy(o->repo, sizeof o->repo, sqlite3_column_text(st, 1));
  meta_copy(o->digest, sizeof o->digest, sqlite3_column_text(st, 2));
  meta_copy(o->media_type, sizeof o->media_type, sqlite3_column_text(st, 3));
  meta_copy(o->artifact_type, sizeof o->artifact_type, sqlite3_column_text(st, 4));
  meta_copy(o->subject, sizeof o->subject, sqlite3_column_text(st, 5));
  o->size = sqlite3_column_int64(st, 6);
  o->pushed_at = sqlite3_column_int64(st, 7);
}

int bw_reg_manifest_get(bw_meta *m, const char *repo, const char *ref, bw_reg_manifest *out, char **bytes,
                        size_t *len, bw_error *err) {
  if (bytes) *bytes = NULL;
  bool by_digest = !strncmp(ref, "sha256:", 7);
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = by_digest ? meta_prep(m, &st, err,
                           "SELECT " MANIFEST_COLS ", m.content FROM manifests m JOIN repositories r ON r.id=m.repo_id"
                           " WHERE r.name=?1 AND m.digest=?2",
                           "tt", repo, ref)
                    : meta_prep(m, &st, err,
                           "SELECT " MANIFEST_COLS ", m.content FROM tags t JOIN repositories r ON r.id=t.repo_id"
                           " JOIN manifests m ON m.id=t.manifest_id WHERE r.name=?1 AND t.name=?2",
                           "tt", repo, ref);
  if (!r) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      manifest_row(st, out);
      if (bytes) {
        int n = sqlite3_column_bytes(st, 8);
        const void *p = sqlite3_column_blob(st, 8);
        char *b = malloc((size_t)n + 1);
        if (!b) {
          r = bw_error_set(err, BW_ENOMEM, "out of memory");
        } else {
          if (n) memcpy(b, p, (size_t)n);
          b[n] = '\0';
          *bytes = b;
          *len = (size_t)n;
        }
      }
    } else if (rc == SQLITE_DONE) {
      r = bw_error_set(err, BW_ENOTFOUND, "manifest %s:%s not found", repo, ref);
    } else {
      r = meta_sqlite_fail(m, err, "manifest");
    }
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

bool bw_reg_manifest_exists(bw_meta *m, const char *repo, const char *digest) {
  bw_reg_manifest mf;
  bw_error err = {0};
  return bw_reg_manifest_get(m, repo, digest, &mf, NULL, NULL, &err) == 0;
}

static int collect_manifests(bw_meta *m, sqlite3_stmt *st, bw_reg_manifest **out, size_t *n, bw_error *err) {
  bw_reg_manifest *v = NULL;
  size_t k = 0, cap = 0;
  int rc, r = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (k == cap) {
      cap = cap ? cap * 2 : 8;
      bw_reg_manifest *nv = realloc(v, cap * sizeof *v);
      if (!nv) {
        r = bw_error_set(err, BW_ENOMEM, "out of memory");
        break;
      }
      v = nv;
    }
    manifest_row(st, &v[k++]);
  }
  if (!r && rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "manifests");
  sqlite3_finalize(st);
  if (r) {
    free(v);
    return r;
  }
  *out = v, *n = k;
  return 0;
}

int bw_reg_manifest_list(bw_meta *m, const char *repo, bw_reg_manifest **out, size_t *n, bw_error *err) {
  *out = NULL, *n = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT " MANIFEST_COLS " FROM manifests m JOIN repositories r ON r.id=m.repo_id WHERE r.name=?1"
               " ORDER BY m.id",
               "t", repo);
  if (!r) r = collect_manifests(m, st, out, n, err);
  meta_unlock(m);
  return r;
}

int bw_reg_referrers(bw_meta *m, const char *repo, const char *subject, const char *artifact_type,
                     bw_reg_manifest **out, size_t *n, bw_error *err) {
  *out = NULL, *n = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT " MANIFEST_COLS " FROM manifests m JOIN repositories r ON r.id=m.repo_id WHERE r.name=?1"
               " AND m.subject=?2 AND (?3 IS NULL OR m.artifact_type=?3) ORDER BY m.id",
               "ttt", repo, subject, artifact_type && *artifact_type ? artifact_type : NULL);
  if (!r) r = collect_manifests(m, st, out, n, err);
  meta_unlock(m);
  return r;
}

int bw_reg_manifest_delete(bw_meta *m, const char *repo, const char *digest, const char *actor, bw_error *err) {
  meta_lock(m);
  bw_reg_manifest mf;
  int r = bw_reg_manifest_get(m, repo, digest, &mf, NULL, NULL, err);
  int own = 0;
  if (!r) r = tx_begin(m, &own, err);
  if (r) {
    meta_unlock(m);
    return r;
  }
  sqlite3_stmt *st = NULL;
  if (!(r = meta_prep(m, &st, err, "DELETE FROM manifests WHERE id=?1", "i", mf.id))) r = meta_run(m, st, err, "delete manifest");
  if (!r) r = event_add_locked(m, "artifact.deleted", repo, NULL, digest, mf.media_type, actor, NULL, err);
  r = tx_end(m, own, r, err);
  meta_unlock(m);
  return r;
}

int bw_reg_tag_delete(bw_meta *m, const char *repo, const char *tag, const char *actor, bw_error *err) {
  meta_lock(m);
  bw_reg_manifest mf;
  int r = bw_reg_manifest_get(m, repo, tag, &mf, NULL, NULL, err);
  int own = 0;
  if (!r) r = tx_begin(m, &own, err);
  if (r) {
    meta_unlock(m);
    return r;
  }
  sqlite3_stmt *st = NULL;
  if (!(r = meta_prep(m, &st, err,
                 "DELETE FROM tags WHERE name=?2 AND repo_id=(SELECT id FROM repositories WHERE name=?1)", "tt", repo,
                 tag)))
    r = meta_run(m, st, err, "delete tag");
  if (!r) r = event_add_locked(m, "artifact.deleted", repo, tag, mf.digest, mf.media_type, actor, NULL, err);
  r = tx_end(m, own, r, err);
  meta_unlock(m);
  return r;
}

int bw_reg_tag_list(bw_meta *m, const char *repo, const char *last, size_t n, bw_reg_strlist *out, bw_error *err) {
  out->items = NULL, out->len = 0;
  meta_lock(m);
  int64_t rid;
  int r = repo_id_locked(m, repo, false, &rid, err);
  sqlite3_stmt *st = NULL;
  if (!r)
    r = meta_prep(m, &st, err, "SELECT name FROM tags WHERE repo_id=?1 AND name > ?2 ORDER BY name LIMIT ?3", "iti", rid,
             last ? last : "", n ? (int64_t)n : (int64_t)-1);
  if (!r) r = collect_strings(m, st, out, err);
  meta_unlock(m);
  return r;
}

/* ---- uploads ---- */

int bw_reg_upload_create(bw_meta *m, const char *id, const char *repo, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int64_t now = bw_meta_now();
  int r = meta_prep(m, &st, err, "INSERT INTO uploads(id, repo, offset, started_at, last_at) VALUES(?1, ?2, 0, ?3, ?3)",
               "tti", id, repo, now);
  if (!r) r = meta_run(m, st, err, "create upload");
  meta_unlock(m);
  return r;
}

int bw_reg_upload_get(bw_meta *m, const char *id, bw_reg_upload *out, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT id, repo, offset, started_at, last_at FROM uploads WHERE id=?1", "t", id);
  if (!r) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      meta_copy(out->id, sizeof out->id, sqlite3_column_text(st, 0));
      meta_copy(out->repo, sizeof out->repo, sqlite3_column_text(st, 1));
      out->offset = sqlite3_column_int64(st, 2);
      out->started_at = sqlite3_column_int64(st, 3);
      out->last_at = sqlite3_column_int64(st, 4);
    } else if (rc == SQLITE_DONE) {
      r = bw_error_set(err, BW_ENOTFOUND, "upload %s not found", id);
    } else {
      r = meta_sqlite_fail(m, err, "upload");
    }
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_reg_upload_touch(bw_meta *m, const char *id, int64_t offset, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "UPDATE uploads SET offset=?2, last_at=?3 WHERE id=?1", "tii", id, offset, bw_meta_now());
  if (!r) r = meta_run(m, st, err, "upload progress");
  meta_unlock(m);
  return r;
}

int bw_reg_upload_delete(bw_meta *m, const char *id, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "DELETE FROM uploads WHERE id=?1", "t", id);
  if (!r) r = meta_run(m, st, err, "delete upload");
  if (!r && sqlite3_changes(m->db) == 0) r = bw_error_set(err, BW_ENOTFOUND, "upload %s not found", id);
  meta_unlock(m);
  return r;
}

static int scalar(bw_meta *m, const char *sql, int64_t *v, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, sql, "");
  if (!r) {
    if (sqlite3_step(st) == SQLITE_ROW)
      *v = sqlite3_column_int64(st, 0);
    else
      r = meta_sqlite_fail(m, err, "count");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_reg_upload_count(bw_meta *m, int64_t *n, bw_error *err) {
  return scalar(m, "SELECT count(*) FROM uploads", n, err);
}

int bw_reg_upload_expired(bw_meta *m, int64_t before, bw_reg_strlist *out, bw_error *err) {
  out->items = NULL, out->len = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT id FROM uploads WHERE last_at < ?1 ORDER BY id", "i", before);
  if (!r) r = collect_strings(m, st, out, err);
  meta_unlock(m);
  return r;
}

/* ---- gc and accounting ---- */

int bw_reg_gc_live_blobs(bw_meta *m, bw_reg_strlist *out, bw_error *err) {
  out->items = NULL, out->len = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT digest FROM repo_blobs UNION SELECT digest FROM manifest_refs WHERE kind=0 ORDER BY 1", "");
  if (!r) r = collect_strings(m, st, out, err);
  meta_unlock(m);
  return r;
}

int bw_reg_gc_dangling_manifests(bw_meta *m, bw_reg_manifest **out, size_t *n, bw_error *err) {
  *out = NULL, *n = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT " MANIFEST_COLS " FROM manifests m JOIN repositories r ON r.id=m.repo_id"
               " WHERE NOT EXISTS(SELECT 1 FROM tags t WHERE t.manifest_id=m.id)"
               " AND NOT EXISTS(SELECT 1 FROM manifest_refs x JOIN manifests o ON o.id=x.manifest_id"
               "   WHERE x.kind=1 AND x.digest=m.digest AND o.repo_id=m.repo_id)"
               " AND NOT EXISTS(SELECT 1 FROM manifests s WHERE s.repo_id=m.repo_id AND s.subject=m.digest)"
               " AND (m.subject='' OR NOT EXISTS(SELECT 1 FROM manifests p WHERE p.repo_id=m.repo_id"
               "   AND p.digest=m.subject))"
               " ORDER BY m.id",
               "");
  if (!r) r = collect_manifests(m, st, out, n, err);
  meta_unlock(m);
  return r;
}

int bw_reg_gc_delete_manifest(bw_meta *m, int64_t id, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "DELETE FROM manifests WHERE id=?1", "i", id);
  if (!r) r = meta_run(m, st, err, "gc manifest");
  meta_unlock(m);
  return r;
}

int bw_reg_storage_bytes(bw_meta *m, int64_t *bytes, bw_error *err) {
  return scalar(m,
                "SELECT (SELECT coalesce(sum(size),0) FROM (SELECT digest, max(size) AS size FROM repo_blobs GROUP BY"
                " digest)) + (SELECT coalesce(sum(size),0) FROM manifests)",
                bytes, err);
}

int bw_reg_gc_prune_links(bw_meta *m, int64_t before, bw_reg_strlist *out, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  const char *where = " FROM repo_blobs b JOIN repositories r ON r.id=b.repo_id WHERE b.linked_at < ?1"
                      " AND NOT EXISTS(SELECT 1 FROM manifest_refs x JOIN manifests o ON o.id=x.manifest_id"
                      "   WHERE x.kind=0 AND x.digest=b.digest AND o.repo_id=b.repo_id)";
  char sql[768];
  snprintf(sql, sizeof sql, "SELECT r.name || '@' || b.digest%s ORDER BY 1", where);
  int r = meta_prep(m, &st, err, sql, "i", before);
  if (!r) {
    int rc;
    while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) r = strlist_add(out, (const char *)sqlite3_column_text(st, 0), err);
    sqlite3_finalize(st);
  }
  if (!r) {
    snprintf(sql, sizeof sql,
             "DELETE FROM repo_blobs WHERE rowid IN (SELECT b.rowid%s)", where);
    if (!(r = meta_prep(m, &st, err, sql, "i", before))) r = meta_run(m, st, err, "gc links");
  }
  meta_unlock(m);
  return r;
}
