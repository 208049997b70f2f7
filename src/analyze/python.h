/* Python packages (type BW_PKG_PYPI, names in PEP 503 normal form):
 *   installed distributions: *.dist-info/METADATA, *.egg-info/PKG-INFO, EGG-INFO/PKG-INFO and
 *     *.egg-info files (distutils' single-file form), wherever they are (site-packages,
 *     dist-packages, virtualenvs, vendored copies), as Trivy does;
 *   lockfiles: poetry.lock (1.x category, 2.x groups), Pipfile.lock (default / develop = dev),
 *     requirements.txt (only exactly pinned "name==version" lines). */
#ifndef BW_ANALYZE_PYTHON_H
#define BW_ANALYZE_PYTHON_H

#include "analyze/analyzer.h"

extern const bw_analyzer bw_analyzer_python_metadata; /* METADATA / PKG-INFO / *.egg-info */
extern const bw_analyzer bw_analyzer_poetry;          /* poetry.lock */
extern const bw_analyzer bw_analyzer_pipenv;          /* Pipfile.lock */
extern const bw_analyzer bw_analyzer_pip_requirements; /* requirements.txt */

/* Core metadata (RFC 822 headers) of one installed distribution: one package with Name
 * (normalised), Version, and licence: License-Expression, else License (when it is one short
 * line, not "UNKNOWN"), else the last part of every "Classifier: License :: ..." joined with
 * " AND ". Errors: BW_ECORRUPT (no Name or Version, a NUL byte in the headers), BW_ELIMIT,
 * BW_ENOMEM; nothing appended on error. */
int bw_python_metadata_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
/* poetry.lock: every [[package]] with name and version; dev when category = "dev" (poetry 1.x)
 * or when groups (poetry 2.x) does not hold "main". Errors: BW_ECORRUPT (not TOML, package not
 * an array of tables), BW_ELIMIT, BW_ENOMEM. */
int bw_poetry_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
/* Pipfile.lock: "default" (dev 0) and "develop" (dev 1) entries with a version ("==1.2" -> 1.2);
 * a package in both is kept once, not dev. Errors as bw_poetry_parse (JSON instead of TOML). */
int bw_pipenv_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
/* requirements.txt: lines "name[extras]==version [; markers] [--hash ...]"; every other line
 * (ranges, options, URLs, paths) is skipped. Errors: BW_ECORRUPT (NUL byte), BW_ELIMIT, BW_ENOMEM. */
int bw_pip_requirements_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

#endif
