/* Python analysers: core metadata (METADATA / PKG-INFO / .egg-info files), poetry.lock,
 * Pipfile.lock and requirements.txt. Hand-written cases follow the Core metadata specification
 * (packaging.python.org/specifications/core-metadata: RFC 822 headers, License-Expression from
 * metadata 2.4, "License ::" classifiers), PEP 503 name normalisation, and the public METADATA of
 * well-known distributions (requests 2.31.0: License "Apache 2.0"; PyYAML 6.0: License "MIT";
 * attrs 24.x: License-Expression "MIT"). The shared Trivy fixtures must parse to exactly their
 * expected lists. */
#include "analyze/python.h"

#include "unit/analyze/app_fixture.h"

#define META "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"

static void test_metadata_basic(void) {
  parsed p;
  parse_str(&p, bw_python_metadata_parse, META,
            "Metadata-Version: 2.1\n"
            "Name: requests\n"
            "Version: 2.31.0\n"
            "Summary: Python HTTP for Humans.\n"
            "Home-page: https://requests.readthedocs.io\n"
            "Author: Kenneth Reitz\n"
            "License: Apache 2.0\n"
            "Classifier: Intended Audience :: Developers\n"
            "Classifier: License :: OSI Approved :: Apache Software License\n"
            "Requires-Python: >=3.7\n"
            "Requires-Dist: charset-normalizer (<4,>=2)\n"
            "\n"
            "# Requests\n\nName: not-a-header\nVersion: 0\n");
  CHECK(p.rc == 0);
  CHECK(npkg(&p) == 1);
  if (npkg(&p) == 1) {
    CHECK(pkg(&p, 0)->type == BW_PKG_PYPI);
    CHECK_STR(pkg(&p, 0)->name, "requests");
    CHECK_STR(pkg(&p, 0)->version, "2.31.0");
    CHECK_STR(pkg(&p, 0)->licenses, "Apache 2.0");
    CHECK(pkg(&p, 0)->dev == 0);
    CHECK(pkg(&p, 0)->path == NULL); /* the dispatcher fills it with the file */
  }
  done(&p);
}

static void test_metadata_names_and_licences(void) {
  parsed p;
  /* PEP 503: lowercase, runs of -_. become one '-'; License-Expression wins over License */
  parse_str(&p, bw_python_metadata_parse, META,
            "Metadata-Version: 2.4\r\nName: Zope.Interface\r\nVersion: 6.0\r\n"
            "License: ZPL 2.1\r\nLicense-Expression: ZPL-2.1\r\n\r\n");
  CHECK(p.rc == 0 && npkg(&p) == 1);
  if (npkg(&p) == 1) {
    CHECK_STR(pkg(&p, 0)->name, "zope-interface");
    CHECK_STR(pkg(&p, 0)->version, "6.0");
    CHECK_STR(pkg(&p, 0)->licenses, "ZPL-2.1");
  }
  done(&p);
  parse_str(&p, bw_python_metadata_parse, META, "Name: Foo__Bar-._baz\nVersion: 1.0.post1+local\n");
  CHECK(p.rc == 0 && npkg(&p) == 1 && strcmp(pkg(&p, 0)->name, "foo-bar-baz") == 0);
  CHECK(npkg(&p) == 1 && pkg(&p, 0)->licenses == NULL);
  done(&p);
  /* License UNKNOWN (old distutils) -> every licence classifier, last part, " AND "-joined */
  parse_str(&p, bw_python_metadata_parse, META,
            "Metadata-Version: 1.1\nName: packaging\nVersion: 21.3\nLicense: UNKNOWN\n"
            "Classifier: License :: OSI Approved :: Apache Software License\n"
            "Classifier: Programming Language :: Python\n"
            "Classifier: License :: OSI Approved :: BSD License\n");
  CHECK(p.rc == 0 && npkg(&p) == 1);
  if (npkg(&p) == 1) CHECK_STR(pkg(&p, 0)->licenses, "Apache Software License AND BSD License");
  done(&p);
  /* a License field holding a whole licence text (continuation lines) is not a licence name */
  parse_str(&p, bw_python_metadata_parse, META,
            "Name: oldpkg\nVersion: 0.1\nLicense: Copyright (c) 2010 Someone\n"
            "        Permission is hereby granted, free of charge, to any person\n"
            "        obtaining a copy of this software\n"
            "Classifier: License :: OSI Approved :: MIT License\n");
  CHECK(p.rc == 0 && npkg(&p) == 1);
  if (npkg(&p) == 1) CHECK_STR(pkg(&p, 0)->licenses, "MIT License");
  done(&p);
  /* the first occurrence of a field wins (email.message.Message.get); keys are case-insensitive */
  parse_str(&p, bw_python_metadata_parse, META, "name: first\nNAME: second\nversion: 1\nVersion: 2\n");
  CHECK(p.rc == 0 && npkg(&p) == 1);
  if (npkg(&p) == 1) {
    CHECK_STR(pkg(&p, 0)->name, "first");
    CHECK_STR(pkg(&p, 0)->version, "1");
  }
  done(&p);
  /* a line that is not a header ends the headers (as Python's email parser does) */
  parse_str(&p, bw_python_metadata_parse, META, "Name: x\nVersion: 1\nnot a header\nLicense: MIT\n");
  CHECK(p.rc == 0 && npkg(&p) == 1 && pkg(&p, 0)->licenses == NULL);
  done(&p);
}

static void test_pkg_info(void) {
  /* an egg-info PKG-INFO as setuptools writes it (metadata 1.x, Description in the headers) */
  parsed p;
  parse_str(&p, bw_python_metadata_parse, "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO",
            "Metadata-Version: 2.1\n"
            "Name: PyYAML\n"
            "Version: 6.0\n"
            "Summary: YAML parser and emitter for Python\n"
            "License: MIT\n"
            "Description: YAML is a data serialization format designed for human readability\n"
            "        and interaction with scripting languages.\n"
            "Platform: Any\n"
            "Classifier: License :: OSI Approved :: MIT License\n");
  CHECK(p.rc == 0 && npkg(&p) == 1);
  if (npkg(&p) == 1) {
    CHECK_STR(pkg(&p, 0)->name, "pyyaml");
    CHECK_STR(pkg(&p, 0)->version, "6.0");
    CHECK_STR(pkg(&p, 0)->licenses, "MIT");
  }
  done(&p);
}

static void test_metadata_hostile(void) {
  CHECK_REJECTS(bw_python_metadata_parse, META, "Version: 1.0\n\nName: body\n", 25, BW_ECORRUPT);
  CHECK_REJECTS(bw_python_metadata_parse, META, "Name: x\n", 8, BW_ECORRUPT);
  CHECK_REJECTS(bw_python_metadata_parse, META, "Name: x\nVersion:   \n", 20, BW_ECORRUPT);
  CHECK_REJECTS(bw_python_metadata_parse, META, "", 0, BW_ECORRUPT);
  CHECK_REJECTS(bw_python_metadata_parse, META, "Name: a\0b\nVersion: 1\n", 20, BW_ECORRUPT);
  CHECK_REJECTS(bw_python_metadata_parse, META, "Name: a\x01\nVersion: 1\n", 20, BW_ECORRUPT);
  /* a NUL byte in the description body is no concern of ours */
  parsed p;
  parse_len(&p, bw_python_metadata_parse, META, "Name: a\nVersion: 1\n\nbody\0more", 28);
  CHECK(p.rc == 0 && npkg(&p) == 1);
  done(&p);
  /* over the cap */
  size_t big = (size_t)BW_LIMIT_APP_META_BYTES + 1;
  char *b = malloc(big);
  if (b) {
    memset(b, 'x', big);
    memcpy(b, "Name: a\nVersion: 1\n\n", 20);
    CHECK_REJECTS(bw_python_metadata_parse, META, b, big, BW_ELIMIT);
    /* a huge header line: no quadratic work, no crash */
    memset(b, 'A', big - 1);
    memcpy(b, "Name: a\nVersion: 1\nX: ", 22);
    b[big - 2] = '\n';
    parse_len(&p, bw_python_metadata_parse, META, b, big - 1);
    CHECK(p.rc == 0 && npkg(&p) == 1);
    done(&p);
    free(b);
  }
}

static void test_wants(void) {
  const bw_analyzer *m = &bw_analyzer_python_metadata;
  CHECK(m->wants("usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA"));
  CHECK(m->wants("usr/local/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA"));
  CHECK(m->wants("opt/venv/lib/python3.11/site-packages/PyYAML-6.0.egg-info/PKG-INFO"));
  CHECK(m->wants("usr/lib/python3/dist-packages/PyYAML-6.0.egg-info"));  /* the single-file form */
  CHECK(m->wants("srv/app/vendor/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO")); /* unpacked egg */
  CHECK(m->wants("app/setuptools/_vendor/packaging-24.0.dist-info/METADATA"));
  CHECK(!m->wants("usr/lib/python3/dist-packages/requests-2.28.1.dist-info/RECORD"));
  CHECK(!m->wants("usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/requires.txt"));
  CHECK(!m->wants("src/foo/PKG-INFO"));
  CHECK(!m->wants("x/.dist-info/METADATA"));
  CHECK(!m->wants("METADATA"));
  CHECK(bw_analyzer_poetry.wants("app/poetry.lock") && bw_analyzer_poetry.wants("poetry.lock"));
  CHECK(!bw_analyzer_poetry.wants("app/poetry.lock.bak"));
  CHECK(bw_analyzer_pipenv.wants("srv/Pipfile.lock") && !bw_analyzer_pipenv.wants("srv/Pipfile"));
  CHECK(bw_analyzer_pip_requirements.wants("app/requirements.txt"));
  CHECK(!bw_analyzer_pip_requirements.wants("app/requirements-dev.txt"));
}

static void test_fixtures(void) {
  check_fixture(bw_poetry_parse, "trivy__pkg__dependency__parser__python__poetry__testdata__poetry_flask.lock", NULL,
                false);
  check_fixture(bw_poetry_parse, "trivy__pkg__dependency__parser__python__poetry__testdata__poetry_v2_flask.lock",
                NULL, false);
  check_fixture(bw_pipenv_parse, "trivy__pkg__dependency__parser__python__pipenv__testdata__Pipfile_django.lock",
                NULL, false);
}

static void test_poetry(void) {
  parsed p;
  /* names normalised; 2.x groups: dev unless "main" is among them; no groups and no category:
   * not dev; repeated name and version kept once */
  parse_str(&p, bw_poetry_parse, "poetry.lock",
            "# This file is automatically @generated by Poetry 2.0.1\n"
            "[[package]]\nname = \"Jinja2\"\nversion = \"3.1.5\"\ngroups = [\"main\", \"dev\"]\n"
            "files = [\n    {file = \"jinja2-3.1.5.tar.gz\", hash = \"sha256:8fe\"},\n]\n"
            "[package.dependencies]\nMarkupSafe = \">=2.0\"\n\n"
            "[[package]]\nname = \"sphinx\"\nversion = \"7.0.0\"\ngroups = [\"docs\"]\n\n"
            "[[package]]\nname = \"plain\"\nversion = \"1\"\n\n"
            "[[package]]\nname = \"plain\"\nversion = \"1\"\n\n"
            "[[package]]\nname = \"no-version\"\n\n"
            "[metadata]\nlock-version = \"2.1\"\n");
  CHECK(p.rc == 0);
  CHECK(npkg(&p) == 3);
  const bw_package *j = find(&p, "jinja2"), *s = find(&p, "sphinx"), *pl = find(&p, "plain");
  CHECK(j && j->dev == 0 && strcmp(j->version, "3.1.5") == 0);
  CHECK(s && s->dev == 1);
  CHECK(pl && pl->dev == 0);
  done(&p);
  /* no packages at all is fine */
  parse_str(&p, bw_poetry_parse, "poetry.lock", "[metadata]\nlock-version = \"1.1\"\n");
  CHECK(p.rc == 0 && npkg(&p) == 0);
  done(&p);
  /* hostile */
  CHECK_REJECTS(bw_poetry_parse, "poetry.lock", "package = 1\n", 12, BW_ECORRUPT);
  CHECK_REJECTS(bw_poetry_parse, "poetry.lock", "package = [1]\n", 14, BW_ECORRUPT);
  CHECK_REJECTS(bw_poetry_parse, "poetry.lock", "[[package]]\nname = \"a\nversion = \"1\"\n", 35, BW_ECORRUPT);
  CHECK_REJECTS(bw_poetry_parse, "poetry.lock", "[[package]]\nname = \"a\"\nname = \"b\"\n", 34, BW_ECORRUPT);
  CHECK_REJECTS(bw_poetry_parse, "poetry.lock", "[[package]]\nname = \"a\0\"\n", 24, BW_ECORRUPT);
  CHECK_REJECTS(bw_poetry_parse, "poetry.lock", "[[package]]\nname = \"a\\nb\"\nversion = \"1\"\n", 40,
                BW_ECORRUPT); /* a newline in a name */
  char deep[600];
  size_t k = (size_t)snprintf(deep, sizeof deep, "[[package]]\nname = \"a\"\nversion = \"1\"\nx = ");
  for (int i = 0; i < 100; i++) deep[k++] = '[';
  for (int i = 0; i < 100; i++) deep[k++] = ']';
  deep[k++] = '\n';
  CHECK_REJECTS(bw_poetry_parse, "poetry.lock", deep, k, BW_ELIMIT);
  size_t big = (size_t)BW_LIMIT_LOCKFILE_BYTES + 1;
  char *b = calloc(1, big);
  if (b) {
    memset(b, '#', big);
    CHECK_REJECTS(bw_poetry_parse, "poetry.lock", b, big, BW_ELIMIT);
    free(b);
  }
}

static void test_pipenv(void) {
  parsed p;
  parse_str(&p, bw_pipenv_parse, "Pipfile.lock",
            "{\"_meta\": {\"pipfile-spec\": 6},\n"
            " \"default\": {\"Django\": {\"version\": \"==4.2.1\"}, \"six\": {\"version\": \"==1.16.0\"},\n"
            "             \"editable-thing\": {\"editable\": true, \"path\": \".\"}},\n"
            " \"develop\": {\"pytest\": {\"version\": \"==7.3.1\"}, \"six\": {\"version\": \"==1.16.0\"}}}\n");
  CHECK(p.rc == 0);
  CHECK(npkg(&p) == 3);
  const bw_package *d = find(&p, "django"), *s = find(&p, "six"), *t = find(&p, "pytest");
  CHECK(d && strcmp(d->version, "4.2.1") == 0 && d->dev == 0);
  CHECK(s && s->dev == 0); /* in default too: needed at run time */
  CHECK(t && t->dev == 1);
  done(&p);
  CHECK_REJECTS(bw_pipenv_parse, "Pipfile.lock", "{\"default\": [1]}", 16, BW_ECORRUPT);
  CHECK_REJECTS(bw_pipenv_parse, "Pipfile.lock", "[]", 2, BW_ECORRUPT);
  CHECK_REJECTS(bw_pipenv_parse, "Pipfile.lock", "{\"default\": {\"a\": {\"version\": \"==1\"}", 36, BW_ECORRUPT);
  CHECK_REJECTS(bw_pipenv_parse, "Pipfile.lock", "{\"a\": 1, \"a\": 2}", 16, BW_ECORRUPT);
  char deep[300];
  size_t k = 0;
  for (int i = 0; i < 100; i++) deep[k++] = '[';
  for (int i = 0; i < 100; i++) deep[k++] = ']';
  CHECK_REJECTS(bw_pipenv_parse, "Pipfile.lock", deep, k, BW_ELIMIT);
}

static void test_requirements(void) {
  parsed p;
  parse_str(&p, bw_pip_requirements_parse, "requirements.txt",
            "# comment\n"
            "requests==2.31.0\n"
            "Flask_Login [security] == 0.6.2 ; python_version >= \"3.8\"\n"
            "urllib3==1.26.16 \\\n    --hash=sha256:8d36afa7616d8ab714608411b4a3b13e58f463aee519024578e062e141dce20f\n"
            "six===1.16.0  # exact\n"
            "django>=4.0\n"
            "numpy==1.*\n"
            "pandas==2.0,<3\n"
            "-r other.txt\n"
            "-e git+https://example.org/x.git#egg=x\n"
            "./local/path\n"
            "\r\n");
  CHECK(p.rc == 0);
  CHECK(npkg(&p) == 4);
  CHECK(find(&p, "requests") && strcmp(find(&p, "requests")->version, "2.31.0") == 0);
  CHECK(find(&p, "flask-login") && strcmp(find(&p, "flask-login")->version, "0.6.2") == 0);
  CHECK(find(&p, "urllib3") && strcmp(find(&p, "urllib3")->version, "1.26.16") == 0);
  CHECK(find(&p, "six") && strcmp(find(&p, "six")->version, "1.16.0") == 0);
  CHECK(!find(&p, "django") && !find(&p, "numpy") && !find(&p, "pandas"));
  done(&p);
  CHECK_REJECTS(bw_pip_requirements_parse, "requirements.txt", "a==1\0\n", 6, BW_ECORRUPT);
}

int main(void) {
  test_metadata_basic();
  test_metadata_names_and_licences();
  test_pkg_info();
  test_metadata_hostile();
  test_wants();
  test_fixtures();
  test_poetry();
  test_pipenv();
  test_requirements();
  return test_finish();
}
