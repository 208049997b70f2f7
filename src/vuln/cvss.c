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


/* ---- v4.0: https://www.first.org/cvss/v4-0/specification-document section 8 (MacroVectors and
 * interpolation) and FIRST's reference calculator for the tables. Base score only: threat and
 * environmental metrics take their defaults (E:A, CR/IR/AR:H, no modified metrics). ---- */

/* Score of each MacroVector EQ1 EQ2 EQ3 EQ4 EQ5 EQ6 (the spec's expert-ranked table); EQ3=2 only
 * exists with EQ6=1. Rows: prefix EQ1 EQ2 EQ3; columns: EQ4 EQ5 EQ6 from 000 to 221. */
static const double v4_table[3][2][3][18] = {
    {{{10.0, 9.9, 9.8, 9.5, 9.5, 9.2, 10.0, 9.6, 9.3, 8.7, 9.1, 8.1, 9.3, 9.0, 8.9, 8.0, 8.1, 6.8},
      {9.8, 9.5, 9.5, 9.2, 9.0, 8.4, 9.3, 9.2, 8.9, 8.1, 8.1, 6.5, 8.8, 8.0, 7.8, 7.0, 6.9, 4.8},
      {-1, 9.2, -1, 8.2, -1, 7.2, -1, 7.9, -1, 6.9, -1, 5.0, -1, 6.9, -1, 5.5, -1, 2.7}},
     {{9.9, 9.7, 9.5, 9.2, 9.2, 8.5, 9.5, 9.1, 9.0, 8.3, 8.4, 7.1, 9.2, 8.1, 8.2, 7.1, 7.2, 5.3},
      {9.5, 9.3, 9.2, 8.5, 8.5, 7.3, 9.2, 8.2, 8.0, 7.2, 7.0, 5.9, 8.4, 7.0, 7.1, 5.2, 5.0, 3.0},
      {-1, 8.6, -1, 7.5, -1, 5.2, -1, 7.1, -1, 5.2, -1, 2.9, -1, 6.3, -1, 2.9, -1, 1.7}}},
    {{{9.8, 9.5, 9.4, 8.7, 9.1, 8.1, 9.4, 8.9, 8.6, 7.4, 7.7, 6.4, 8.7, 7.5, 7.4, 6.3, 6.3, 4.9},
      {9.4, 8.9, 8.8, 7.7, 7.6, 6.7, 8.6, 7.6, 7.4, 5.8, 5.9, 5.0, 7.2, 5.7, 5.7, 5.2, 5.2, 2.5},
      {-1, 8.3, -1, 7.0, -1, 5.4, -1, 6.5, -1, 5.8, -1, 2.6, -1, 5.3, -1, 2.1, -1, 1.3}},
     {{9.5, 9.0, 8.8, 7.6, 7.6, 7.0, 9.0, 7.7, 7.5, 6.2, 6.1, 5.3, 7.7, 6.6, 6.8, 5.9, 5.2, 3.0},
      {8.9, 7.8, 7.6, 6.7, 6.2, 5.8, 7.4, 5.9, 5.7, 5.7, 4.7, 2.3, 6.1, 5.2, 5.7, 2.9, 2.4, 1.6},
      {-1, 7.1, -1, 5.9, -1, 3.0, -1, 5.8, -1, 2.6, -1, 1.5, -1, 2.3, -1, 1.3, -1, 0.6}}},
    {{{9.3, 8.7, 8.6, 7.2, 7.5, 5.8, 8.6, 7.4, 7.4, 6.1, 5.6, 3.4, 7.0, 5.4, 5.2, 4.0, 4.0, 2.2},
      {8.5, 7.5, 7.4, 5.5, 6.2, 5.1, 7.2, 5.7, 5.5, 4.1, 4.6, 1.9, 5.3, 3.6, 3.4, 1.9, 1.9, 0.8},
      {-1, 6.4, -1, 5.1, -1, 2.0, -1, 4.7, -1, 2.1, -1, 1.1, -1, 2.4, -1, 0.9, -1, 0.4}},
     {{8.8, 7.5, 7.3, 5.3, 6.0, 5.0, 7.3, 5.5, 5.9, 4.0, 4.1, 2.0, 5.4, 4.3, 4.5, 2.2, 2.0, 1.1},
      {7.5, 5.5, 5.8, 4.5, 4.0, 2.1, 6.1, 5.1, 4.8, 1.8, 2.0, 0.9, 4.6, 1.8, 1.7, 0.7, 0.8, 0.2},
      {-1, 5.3, -1, 2.4, -1, 1.4, -1, 2.4, -1, 1.2, -1, 0.5, -1, 1.0, -1, 0.3, -1, 0.1}}},
};

/* Score of a MacroVector, or -1 when it does not exist (a level past the last). */
static double v4_lookup(int e1, int e2, int e3, int e4, int e5, int e6) {
  if (e1 > 2 || e2 > 1 || e3 > 2 || e4 > 2 || e5 > 2 || e6 > 1) return -1;
  return v4_table[e1][e2][e3][e4 * 6 + e5 * 2 + e6];
}

/* Metric levels in 0.1 steps (severity distances). Index order of a v4 metric vector. */
enum { M_AV, M_PR, M_UI, M_AC, M_AT, M_VC, M_VI, M_VA, M_SC, M_SI, M_SA, M_CR, M_IR, M_AR, M_N };
static const char *const v4_names[M_N] = {"AV", "PR", "UI", "AC", "AT", "VC", "VI",
                                          "VA", "SC", "SI", "SA", "CR", "IR", "AR"};
static const char *const v4_letters[M_N] = {"NALP", "NLH", "NPA", "LH", "NP", "HLN", "HLN",
                                            "HLN",  "?HLN", "SHLN", "SHLN", "HML", "HML", "HML"};

/* Level of letter v for metric m: its index in v4_letters in 0.1 steps. The literals, not 0.1 * i:
 * 0.1 * 3 != 0.3 in binary, and the reference calculator's rounding depends on it. */
static double v4_level(int m, char v) {
  static const double levels[] = {0.0, 0.1, 0.2, 0.3};
  const char *p = strchr(v4_letters[m], v);
  return p ? levels[p - v4_letters[m]] : 0;
}

/* The highest-severity vectors of each EQ level ("max_composed" of the reference calculator):
 * strings of letters in metric order of the EQ. */
static const char *const eq1_max[3][3] = {{"NNN"}, {"ANN", "NLN", "NNP"}, {"PNN", "ALP"}};          /* AV PR UI */
static const char *const eq2_max[2][2] = {{"LN"}, {"HN", "LP"}};                                  /* AC AT */
static const char *const eq36_max[3][2][5] = {                                                     /* VC VI VA CR IR AR */
    {{"HHHHHH"}, {"HHLMMH", "HHHMMM"}},
    {{"LHHHHH", "HLHHHH"}, {"LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM"}},
    {{NULL}, {"LLLHHH"}}};
static const char *const eq4_max[3] = {"HSS", "HHH", "LLL"}; /* SC SI SA */
/* Depth of each EQ level in 0.1 steps ("max_severity"). */
static const int eq1_depth[3] = {1, 4, 5}, eq2_depth[2] = {1, 2}, eq4_depth[3] = {6, 5, 4};
static const int eq36_depth[3][2] = {{7, 6}, {8, 8}, {0, 10}};

static int score_v4(const metric *m, size_t n, double *score, bw_error *err) {
  static const char *const base_vals[] = {"NALP", "NLH", "NPA", "LH", "NP", "HLN", "HLN", "HLN", "HLN", "HLN", "HLN"};
  char v[M_N];
  for (int i = 0; i < 11; i++) {
    const char *x = get(m, n, v4_names[i]);
    if (!x || strlen(x) != 1 || !strchr(base_vals[i], x[0]))
      return BW_CORRUPT(err, "CVSS v4.0 vector: missing or bad %s", v4_names[i]);
    v[i] = x[0];
  }
  v[M_CR] = v[M_IR] = v[M_AR] = 'H'; /* "X" (not defined) counts as High */
  if (v[M_VC] == 'N' && v[M_VI] == 'N' && v[M_VA] == 'N' && v[M_SC] == 'N' && v[M_SI] == 'N' && v[M_SA] == 'N') {
    *score = 0;
    return 0;
  }
  int e1 = (v[M_AV] == 'N' && v[M_PR] == 'N' && v[M_UI] == 'N')                                  ? 0
           : ((v[M_AV] == 'N' || v[M_PR] == 'N' || v[M_UI] == 'N') && v[M_AV] != 'P')             ? 1
                                                                                                  : 2;
  int e2 = v[M_AC] == 'L' && v[M_AT] == 'N' ? 0 : 1;
  int e3 = v[M_VC] == 'H' && v[M_VI] == 'H'                                 ? 0
           : (v[M_VC] == 'H' || v[M_VI] == 'H' || v[M_VA] == 'H')            ? 1
                                                                            : 2;
  int e4 = (v[M_SC] == 'H' || v[M_SI] == 'H' || v[M_SA] == 'H') ? 1 : 2; /* 0 needs MSI/MSA:S */
  int e5 = 0;                                                          /* E:X counts as Attacked */
  int e6 = (v[M_VC] == 'H' || v[M_VI] == 'H' || v[M_VA] == 'H') ? 0 : 1; /* CR/IR/AR are H */
  double value = v4_lookup(e1, e2, e3, e4, e5, e6);

  double lower1 = v4_lookup(e1 + 1, e2, e3, e4, e5, e6), lower2 = v4_lookup(e1, e2 + 1, e3, e4, e5, e6);
  double lower36;
  if (e3 == 0 && e6 == 0) {
    double left = v4_lookup(e1, e2, e3, e4, e5, e6 + 1), right = v4_lookup(e1, e2, e3 + 1, e4, e5, e6);
    lower36 = left >= 0 && right >= 0 && left > right ? left : right;
  } else if (e3 == 1 && e6 == 0) {
    lower36 = v4_lookup(e1, e2, e3, e4, e5, e6 + 1);
  } else if (e6 == 1 && e3 <= 1) {
    lower36 = v4_lookup(e1, e2, e3 + 1, e4, e5, e6);
  } else {
    lower36 = v4_lookup(e1, e2, e3 + 1, e4, e5, e6 + 1);
  }
  double lower4 = v4_lookup(e1, e2, e3, e4 + 1, e5, e6), lower5 = v4_lookup(e1, e2, e3, e4, e5 + 1, e6);

  /* the first highest-severity vector of this MacroVector the vector does not exceed */
  double dist[M_N] = {0};
  bool found = false;
  for (int a = 0; a < 3 && eq1_max[e1][a] && !found; a++)
    for (int b = 0; b < 2 && eq2_max[e2][b] && !found; b++)
      for (int c = 0; c < 5 && eq36_max[e3][e6][c] && !found; c++) {
        char mx[M_N];
        memcpy(mx + M_AV, eq1_max[e1][a], 3);
        memcpy(mx + M_AC, eq2_max[e2][b], 2);
        memcpy(mx + M_VC, eq36_max[e3][e6][c], 3);
        memcpy(mx + M_SC, eq4_max[e4], 3);
        memcpy(mx + M_CR, eq36_max[e3][e6][c] + 3, 3);
        bool neg = false;
        for (int k = 0; k < M_N; k++) {
          dist[k] = v4_level(k, v[k]) - v4_level(k, mx[k]);
          if (dist[k] < 0) neg = true;
        }
        found = !neg;
      }
  double cur1 = dist[M_AV] + dist[M_PR] + dist[M_UI], cur2 = dist[M_AC] + dist[M_AT];
  double cur36 = dist[M_VC] + dist[M_VI] + dist[M_VA] + dist[M_CR] + dist[M_IR] + dist[M_AR];
  double cur4 = dist[M_SC] + dist[M_SI] + dist[M_SA];
  const double step = 0.1;
  double lowers[4] = {lower1, lower2, lower36, lower4};
  double curs[4] = {cur1, cur2, cur36, cur4};
  double depths[4] = {eq1_depth[e1] * step, eq2_depth[e2] * step, eq36_depth[e3][e6] * step, eq4_depth[e4] * step};
  double sum = 0;
  int existing = 0;
  for (int k = 0; k < 4; k++) {
    if (lowers[k] < 0) continue;
    existing++;
    sum += (value - lowers[k]) * (curs[k] / depths[k]);
  }
  if (lower5 >= 0) existing++; /* EQ5's share is always 0 in a base score */
  if (existing) value -= sum / existing;
  value = fmin(fmax(value, 0), 10);
  /* FIRST's calculator rounds half up after adding 1e-6, so a tie computed as 4.9499999... is 5.0 */
  *score = floor((value + 1e-6) * 10 + 0.5) / 10;
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
      return score_v4(m + 1, n - 1, score, err);
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
