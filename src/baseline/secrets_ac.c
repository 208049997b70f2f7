/* Aho-Corasick as a full DFA over a compressed alphabet: bytes that occur in no keyword share
 * class 0, letters are folded, so the table is states x classes of uint16 (a few tens of KiB for
 * the built-in rules). The top bit of a transition marks a state where some keyword ends. */
#include "baseline/secrets_ac.h"

#include <stdlib.h>
#include <string.h>

#include "base/limits.h"

#define TERM 0x80000000u

struct bw_ac {
  uint8_t cls[256];
  uint32_t nclass;
  uint32_t nstates;
  uint32_t *next;    /* nstates * nclass: target state * nclass (the row offset), TERM bit on
                        terminal targets; pre-multiplied so the loop has no multiply */
  uint32_t *out_off; /* nstates + 1: outputs of state s are out[out_off[s], out_off[s+1]) */
  uint32_t *out;
};

static uint8_t fold(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

void bw_ac_free(bw_ac *ac) {
  if (!ac) return;
  free(ac->next);
  free(ac->out_off);
  free(ac->out);
  free(ac);
}

bw_ac *bw_ac_build(const char *const *keywords, size_t n, bw_error *err) {
  bw_ac *ac = calloc(1, sizeof *ac);
  if (!ac) goto oom;
  /* Alphabet classes. */
  uint32_t nclass = 1;
  for (size_t k = 0; k < n; k++) {
    size_t len = strlen(keywords[k]);
    if (len == 0 || len > 255) {
      bw_error_set(err, BW_EINVAL, "secret keyword %zu: empty or longer than 255 bytes", k);
      goto fail;
    }
    for (size_t i = 0; i < len; i++) {
      uint8_t c = fold((uint8_t)keywords[k][i]);
      if (!ac->cls[c]) {
        if (nclass == 255) {
          bw_error_set(err, BW_EINVAL, "secret keywords use too many distinct bytes");
          goto fail;
        }
        ac->cls[c] = (uint8_t)nclass++;
      }
    }
  }
  for (int c = 'A'; c <= 'Z'; c++) ac->cls[c] = ac->cls[c + 32];
  ac->nclass = nclass;
  size_t total = 1;
  for (size_t k = 0; k < n; k++) total += strlen(keywords[k]);
  if (total > BW_LIMIT_SECRET_AC_STATES) {
    bw_error_set(err, BW_EINVAL, "secret keywords need %zu automaton states, over the %u limit", total,
                 (unsigned)BW_LIMIT_SECRET_AC_STATES);
    goto fail;
  }
  /* Trie (goto function; 0 = none except from the root). */
  uint16_t *go = calloc(total * nclass, sizeof *go);
  uint32_t *fail_link = calloc(total, sizeof *fail_link);
  uint32_t *own_cnt = calloc(total, sizeof *own_cnt);
  uint32_t *queue = calloc(total, sizeof *queue);
  uint32_t *kw_state = calloc(n ? n : 1, sizeof *kw_state);
  if (!go || !fail_link || !own_cnt || !queue || !kw_state) {
    free(go), free(fail_link), free(own_cnt), free(queue), free(kw_state);
    goto oom;
  }
  uint32_t ns = 1;
  for (size_t k = 0; k < n; k++) {
    uint32_t s = 0;
    for (const char *p = keywords[k]; *p; p++) {
      uint8_t c = ac->cls[(uint8_t)*p];
      if (!go[s * nclass + c]) go[s * nclass + c] = (uint16_t)ns++;
      s = go[s * nclass + c];
    }
    kw_state[k] = s;
    own_cnt[s]++;
  }
  ac->nstates = ns;
  /* BFS: failure links, complete transitions. */
  size_t qh = 0, qt = 0;
  for (uint32_t c = 0; c < nclass; c++) {
    uint32_t t = go[c];
    if (t) {
      fail_link[t] = 0;
      queue[qt++] = t;
    }
  }
  while (qh < qt) {
    uint32_t s = queue[qh++];
    for (uint32_t c = 0; c < nclass; c++) {
      uint32_t t = go[s * nclass + c];
      uint32_t f = go[fail_link[s] * nclass + c];
      if (t) {
        fail_link[t] = f;
        queue[qt++] = t;
      } else {
        go[s * nclass + c] = (uint16_t)f;
      }
    }
  }
  /* Outputs: own keywords then the failure chain's (BFS order guarantees parents are done). */
  ac->out_off = calloc(ns + 1, sizeof *ac->out_off);
  uint32_t *cnt = calloc(ns, sizeof *cnt);
  if (!ac->out_off || !cnt) {
    free(go), free(fail_link), free(own_cnt), free(queue), free(kw_state), free(cnt);
    goto oom;
  }
  cnt[0] = own_cnt[0];
  for (size_t i = 0; i < qt; i++) cnt[queue[i]] = own_cnt[queue[i]] + cnt[fail_link[queue[i]]];
  for (uint32_t s = 0; s < ns; s++) ac->out_off[s + 1] = ac->out_off[s] + cnt[s];
  ac->out = calloc(ac->out_off[ns] ? ac->out_off[ns] : 1, sizeof *ac->out);
  if (!ac->out) {
    free(go), free(fail_link), free(own_cnt), free(queue), free(kw_state), free(cnt);
    goto oom;
  }
  memset(cnt, 0, ns * sizeof *cnt);
  for (size_t k = 0; k < n; k++) ac->out[ac->out_off[kw_state[k]] + cnt[kw_state[k]]++] = (uint32_t)k;
  for (size_t i = 0; i < qt; i++) {
    uint32_t s = queue[i], f = fail_link[s];
    for (uint32_t j = ac->out_off[f]; j < ac->out_off[f + 1]; j++) ac->out[ac->out_off[s] + cnt[s]++] = ac->out[j];
  }
  /* Final table with terminal marks. */
  ac->next = malloc((size_t)ns * nclass * sizeof *ac->next);
  if (!ac->next) {
    free(go), free(fail_link), free(own_cnt), free(queue), free(kw_state), free(cnt);
    goto oom;
  }
  for (size_t i = 0; i < (size_t)ns * nclass; i++) {
    uint32_t t = go[i];
    ac->next[i] = t * nclass | (ac->out_off[t + 1] > ac->out_off[t] ? TERM : 0);
  }
  free(go), free(fail_link), free(own_cnt), free(queue), free(kw_state), free(cnt);
  return ac;
oom:
  bw_error_set(err, BW_ENOMEM, "out of memory building the secret keyword automaton");
fail:
  bw_ac_free(ac);
  return NULL;
}

size_t bw_ac_next(const bw_ac *ac, uint32_t *state, const uint8_t *buf, size_t len) {
  const uint32_t *next = ac->next;
  const uint8_t *cls = ac->cls;
  uint32_t k = ac->nclass, row = *state * k;
  for (size_t i = 0; i < len; i++) {
    uint32_t t = next[row + cls[buf[i]]];
    row = t & ~TERM;
    if (t & TERM) {
      *state = row / k;
      return i;
    }
  }
  *state = row / k;
  return len;
}

size_t bw_ac_outputs(const bw_ac *ac, uint32_t state, const uint32_t **out) {
  *out = ac->out + ac->out_off[state];
  return ac->out_off[state + 1] - ac->out_off[state];
}

int bw_ac_scan(const bw_ac *ac, uint32_t *state, const uint8_t *buf, size_t len, bw_ac_hit_fn hit, void *ctx) {
  size_t pos = 0;
  while (pos < len) {
    size_t i = bw_ac_next(ac, state, buf + pos, len - pos);
    if (i == len - pos) break;
    const uint32_t *o;
    size_t no = bw_ac_outputs(ac, *state, &o);
    for (size_t j = 0; j < no; j++) {
      int r = hit(ctx, o[j], pos + i + 1);
      if (r) return r;
    }
    pos += i + 1;
  }
  return 0;
}
