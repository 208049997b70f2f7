/* CVSS base score calculators, transcribed from the FIRST specification documents:
 *   v2:   https://www.first.org/cvss/v2/guide  (section 3.2.1 equations)
 *   v3.0: https://www.first.org/cvss/v3.0/specification-document (section 8.1)
 *   v3.1: https://www.first.org/cvss/v3.1/specification-document (section 7.1, Appendix A Roundup) */
#include "vuln/cvss.h"

#include <math.h>
#include <string.h>

#define MAX_METRICS 32

typedef struct {
  char key[8];
  char val[4];
} metric;

/* Splits "K:V/K:V" into metrics; rejects empty parts, duplicate keys and oversized tokens. */
static int split(const char *s, size_t n, metric *m, size_t *count, bw_error *err) {
  size_t k = 0, i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && s[j] != '/') j++;
    const char *colon = memchr(s + i, ':', j - i);
    if (!colon) return BW_CORRUPT(err, "CVSS vector: part without ':'");
    size_t kl = (size_t)(colon - (s + i)), vl = j - i - kl - 1;
    if (kl == 0 || vl == 0 || kl >= sizeof m->key || vl >= sizeof m->val)
      return BW_CORRUPT(err, "CVSS vector: bad metric");
    if (k == MAX_METRICS) return BW_CORRUPT(err, "CVSS vector: too many metrics");
    memcpy(m[k].key, s + i, kl);
    m[k].key[kl] = 0;
    memcpy(m[k].val, colon + 1, vl);
    m[k].val[vl] = 0;
    for (size_t x = 0; x < k; x++)
      if (!strcmp(m[x].key, m[k].key)) return BW_CORRUPT(err, "CVSS vector: duplicate metric %s", m[k].key);
    k++;
    if (j == n) break;
    i = j + 1;
    if (i == n) return BW_CORRUPT(err, "CVSS vector: trailing '/'");
  }
  *count = k;
  return 0;
}

static const char *get(const metric *m, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(m[i].key, key)) return m[i].val;
  return NULL;
}

/* Maps value letter to weight; letters and weights are parallel. Returns -1 on unknown. */
static double weight(const char *v, const char *letters, const double *w) {
  if (!v || strlen(v) != 1) return -1;
  const char *p = strchr(letters, v[0]);
  return p && *p ? w[p - letters] : -1;
}

/* Metrics allowed in a vector (base + temporal + environmental), so a typo is an error. */
static bool known_key(const char *k, const char *const *keys) {
  for (size_t i = 0; keys[i]; i++)
    if (!strcmp(keys[i], k)) return true;
  return false;
}

static double round1(double x) { return floor(x * 10.0 + 0.5) / 10.0; }

static int score_v2(const metric *m, size_t n, double *score, bw_error *err) {
  static const char *const keys[] = {"AV", "AC", "Au", "C",  "I",  "A",  "E",  "RL", "RC",
                                     "CDP", "TD", "CR", "IR", "AR", NULL};
  for (size_t i = 0; i < n; i++)
    if (!known_key(m[i].key, keys)) return BW_CORRUPT(err, "CVSS v2 vector: unknown metric %s", m[i].key);
  double av = weight(get(m, n, "AV"), "LAN", (const double[]){0.395, 0.646, 1.0});
  double ac = weight(get(m, n, "AC"), "HML", (const double[]){0.35, 0.61, 0.71});
  double au = weight(get(m, n, "Au"), "MSN", (const double[]){0.45, 0.56, 0.704});
  const double ciaw[] = {0.0, 0.275, 0.660};
  double c = weight(get(m, n, "C"), "NPC", ciaw), i = weight(get(m, n, "I"), "NPC", ciaw),
         a = weight(get(m, n, "A"), "NPC", ciaw);
  if (av < 0 || ac < 0 || au < 0 || c < 0 || i < 0 || a < 0)
    return BW_CORRUPT(err, "CVSS v2 vector: missing or bad base metric");
  double impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
  double expl = 20 * av * ac * au;
  double f = impact == 0 ? 0 : 1.176;
  double s = round1(((0.6 * impact) + (0.4 * expl) - 1.5) * f);
  *score = s < 0 ? 0 : s;
  return 0;
}

/* v3.1 Appendix A: Roundup avoids floating point artefacts (4.000000001 -> 4.0). */
static double roundup31(double x) {
  long long i = llround(x * 100000.0);
  if (i % 10000 == 0) return (double)i / 100000.0;
  return (floor((double)i / 10000.0) + 1) / 10.0;
}
/* v3.0: "the smallest number, specified to one decimal place, that is equal to or higher". */
static double roundup30(double x) { return ceil(x * 10.0) / 10.0; }

static int score_v3(const metric *m, size_t n, bool v31, double *score, bw_error *err) {
  static const char *const keys[] = {"CVSS", "AV", "AC", "PR", "UI", "S",  "C",  "I",  "A",   "E",   "RL",
                                     "RC",   "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI",
                                     "MA",   NULL};
  for (size_t i = 0; i < n; i++)
    if (!known_key(m[i].key, keys)) return BW_CORRUPT(err, "CVSS v3 vector: unknown metric %s", m[i].key);
  const char *sv = get(m, n, "S");
  if (!sv || (strcmp(sv, "U") && strcmp(sv, "C"))) return BW_CORRUPT(err, "CVSS v3 vector: missing or bad S");
  bool changed = sv[0] == 'C';
  double av = weight(get(m, n, "AV"), "NALP", (const double[]){0.85, 0.62, 0.55, 0.2});
  double ac = weight(get(m, n, "AC"), "LH", (const double[]){0.77, 0.44});
  double pr = changed ? weight(get(m, n, "PR"), "NLH", (const double[]){0.85, 0.68, 0.5})
                      : weight(get(m, n, "PR"), "NLH", (const double[]){0.85, 0.62, 0.27});
  double ui = weight(get(m, n, "UI"), "NR", (const double[]){0.85, 0.62});
  const double ciaw[] = {0.56, 0.22, 0.0};
  double c = weight(get(m, n, "C"), "HLN", ciaw), i = weight(get(m, n, "I"), "HLN", ciaw),
         a = weight(get(m, n, "A"), "HLN", ciaw);
  if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || i < 0 || a < 0)
    return BW_CORRUPT(err, "CVSS v3 vector: missing or bad base metric");
  double iss = 1 - ((1 - c) * (1 - i) * (1 - a));
  double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
  double expl = 8.22 * av * ac * pr * ui;
  double (*ru)(double) = v31 ? roundup31 : roundup30;
  if (impact <= 0) *score = 0;
  else if (changed) *score = ru(fmin(1.08 * (impact + expl), 10));
  else *score = ru(fmin(impact + expl, 10));
  return 0;
}

/* v4.0: every base metric must be present with a valid value (section 2 of the specification). */
static int check_v4(const metric *m, size_t n, bw_error *err) {
  static const struct {
    const char *key, *vals;
  } base[] = {{"AV", "NALP"}, {"AC", "LH"}, {"AT", "NP"},  {"PR", "NLH"}, {"UI", "NPA"}, {"VC", "HLN"},
              {"VI", "HLN"},  {"VA", "HLN"}, {"SC", "HLN"}, {"SI", "HLN"}, {"SA", "HLN"}};
  for (size_t b = 0; b < sizeof base / sizeof base[0]; b++) {
    const char *v = get(m, n, base[b].key);
    if (!v || strlen(v) != 1 || !strchr(base[b].vals, v[0]))
      return BW_CORRUPT(err, "CVSS v4.0 vector: missing or bad %s", base[b].key);
  }
  return 0;
}

int bw_cvss_score(const char *vec, size_t len, bw_cvss_version *version, double *score, bw_error *err) {
  *version = BW_CVSS_NONE;
  *score = -1;
  if (len == 0 || len > 256) return BW_CORRUPT(err, "CVSS vector: empty or too long");
  /* NVD writes v2 vectors in parentheses at times */
  if (vec[0] == '(' && vec[len - 1] == ')') {
    vec++;
    len -= 2;
  }
  metric m[MAX_METRICS];
  size_t n = 0;
  int rc = split(vec, len, m, &n, err);
  if (rc < 0) return rc;
  if (n && !strcmp(m[0].key, "CVSS")) {
    if (!strcmp(m[0].val, "3.0") || !strcmp(m[0].val, "3.1")) {
      bool v31 = m[0].val[2] == '1';
      *version = v31 ? BW_CVSS_V31 : BW_CVSS_V30;
      return score_v3(m + 1, n - 1, v31, score, err);
    }
    if (!strcmp(m[0].val, "4.0")) {
      *version = BW_CVSS_V40;
      rc = check_v4(m + 1, n - 1, err);
      if (rc < 0) return rc;
      return bw_error_set(err, BW_EUNSUPPORTED, "CVSS v4.0 base score is not computed yet");
    }
    if (!strcmp(m[0].val, "2.0")) {
      *version = BW_CVSS_V2;
      return score_v2(m + 1, n - 1, score, err);
    }
    return BW_CORRUPT(err, "CVSS vector: unknown version %s", m[0].val);
  }
  *version = BW_CVSS_V2;
  return score_v2(m, n, score, err);
}

bw_severity bw_cvss_rating(bw_cvss_version v, double score) {
  if (v == BW_CVSS_NONE || score <= 0 || score > 10) return BW_SEV_UNKNOWN;
  if (v == BW_CVSS_V2) return score < 4 ? BW_SEV_LOW : score < 7 ? BW_SEV_MEDIUM : BW_SEV_HIGH;
  if (score < 4) return BW_SEV_LOW;
  if (score < 7) return BW_SEV_MEDIUM;
  if (score < 9) return BW_SEV_HIGH;
  return BW_SEV_CRITICAL;
}

const char *bw_cvss_version_name(bw_cvss_version v) {
  switch (v) {
  case BW_CVSS_V2: return "2.0";
  case BW_CVSS_V30: return "3.0";
  case BW_CVSS_V31: return "3.1";
  case BW_CVSS_V40: return "4.0";
  default: return "";
  }
}
