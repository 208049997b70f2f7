/* CVSS base scores: example vectors with the scores published by FIRST (v2 guide section 3.3
 * examples, v3.0/v3.1 examples documents) and NVD for well-known CVEs. */
#include <math.h>
#include <string.h>

#include "unit/test.h"
#include "vuln/cvss.h"

static void want(const char *vec, bw_cvss_version ver, double score) {
  bw_cvss_version v;
  double s;
  bw_error err = {0};
  int rc = bw_cvss_score(vec, strlen(vec), &v, &s, &err);
  CHECK(rc == 0);
  CHECK(v == ver);
  CHECK(fabs(s - score) < 1e-9);
  if (rc != 0 || fabs(s - score) >= 1e-9) fprintf(stderr, "  %s: got %.1f (%s), want %.1f\n", vec, s, err.msg, score);
}

static void bad(const char *vec) {
  bw_cvss_version v;
  double s;
  bw_error err = {0};
  CHECK(bw_cvss_score(vec, strlen(vec), &v, &s, &err) == -BW_ECORRUPT);
  CHECK(err.code == BW_ECORRUPT);
}

int main(void) {
  /* v2: the guide's examples (CVE-2002-0392, CVE-2003-0818, CVE-2003-0062) */
  want("AV:N/AC:L/Au:N/C:N/I:N/A:C", BW_CVSS_V2, 7.8);
  want("AV:N/AC:L/Au:N/C:C/I:C/A:C", BW_CVSS_V2, 10.0);
  want("AV:L/AC:H/Au:N/C:C/I:C/A:C", BW_CVSS_V2, 6.2);
  want("AV:N/AC:L/Au:N/C:P/I:P/A:P", BW_CVSS_V2, 7.5);
  want("AV:N/AC:M/Au:N/C:N/I:P/A:N", BW_CVSS_V2, 4.3);
  want("(AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C)", BW_CVSS_V2, 7.8); /* temporal ignored */
  want("AV:N/AC:L/Au:N/C:N/I:N/A:N", BW_CVSS_V2, 0.0);

  /* v3.1 / v3.0 */
  want("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BW_CVSS_V31, 9.8);
  want("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", BW_CVSS_V31, 10.0); /* CVE-2021-44228 */
  want("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", BW_CVSS_V31, 6.1); /* CVE-2013-1937 */
  want("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", BW_CVSS_V30, 7.5); /* CVE-2014-0160 */
  want("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", BW_CVSS_V31, 7.8);
  want("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", BW_CVSS_V31, 8.1);
  want("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", BW_CVSS_V31, 5.4);
  want("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", BW_CVSS_V31, 5.3);
  want("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", BW_CVSS_V31, 0.0);
  want("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C", BW_CVSS_V31, 9.8);

  /* v4.0 (scores as FIRST's calculator gives them) */
  want("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", BW_CVSS_V40, 9.3);
  want("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", BW_CVSS_V40, 10.0);
  want("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", BW_CVSS_V40, 6.9);
  want("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", BW_CVSS_V40, 8.5);
  want("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", BW_CVSS_V40, 0.0);
  /* interpolation ties (5.8 - 2.55/3 = 4.95; 6.1 - 1.35/3 = 5.65) round half up, as FIRST's
   * calculator does (it adds 1e-6 before rounding) */
  want("CVSS:4.0/AV:N/AC:H/AT:N/PR:H/UI:A/VC:N/VI:N/VA:L/SC:H/SI:H/SA:H", BW_CVSS_V40, 5.0);
  want("CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:H/VI:L/VA:N/SC:L/SI:L/SA:N", BW_CVSS_V40, 5.7);
  want("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/CR:X", BW_CVSS_V40, 9.3);
  bad("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N");
  bad("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:S/SI:N/SA:N");

  /* malformed */
  bad("");
  bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H");      /* A missing */
  bad("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");  /* bad value */
  bad("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"); /* duplicate */
  bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/");
  bad("CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1");
  bad("AV:N/AC:L/Au:N/C:P/I:P");
  bad("AV:N//AC:L");

  /* ratings */
  CHECK(bw_cvss_rating(BW_CVSS_V31, 9.8) == BW_SEV_CRITICAL);
  CHECK(bw_cvss_rating(BW_CVSS_V31, 9.0) == BW_SEV_CRITICAL);
  CHECK(bw_cvss_rating(BW_CVSS_V31, 8.9) == BW_SEV_HIGH);
  CHECK(bw_cvss_rating(BW_CVSS_V30, 7.0) == BW_SEV_HIGH);
  CHECK(bw_cvss_rating(BW_CVSS_V31, 6.9) == BW_SEV_MEDIUM);
  CHECK(bw_cvss_rating(BW_CVSS_V31, 4.0) == BW_SEV_MEDIUM);
  CHECK(bw_cvss_rating(BW_CVSS_V31, 3.9) == BW_SEV_LOW);
  CHECK(bw_cvss_rating(BW_CVSS_V31, 0.0) == BW_SEV_UNKNOWN);
  CHECK(bw_cvss_rating(BW_CVSS_V2, 10.0) == BW_SEV_HIGH);
  CHECK(bw_cvss_rating(BW_CVSS_V2, 6.9) == BW_SEV_MEDIUM);
  CHECK(bw_cvss_rating(BW_CVSS_V2, 3.9) == BW_SEV_LOW);
  CHECK_STR(bw_cvss_version_name(BW_CVSS_V31), "3.1");
  return test_finish();
}
