/* .NET analysers: *.deps.json and packages.lock.json. The deps.json cases follow the layout the
 * .NET SDK writes (runtimeTarget, targets per framework with runtime / runtimeTargets / native
 * assets, libraries "Name/Version" with type package, project or runtimepack) and the rules
 * Trivy applies (a library with no runtime asset in the runtime target is compile-time only).
 * packages.lock.json follows NuGet's documented format (dependencies per target framework,
 * type Direct / Transitive / Project / CentralTransitive, "resolved" versions). The shared Trivy
 * fixtures must parse to exactly their expected lists, except the root project row: a project is
 * the application itself, not a NuGet package, and is not reported (see dotnet.h). */
#include "analyze/dotnet.h"

#include "unit/analyze/app_fixture.h"

#define DEPS "app/MyApp.deps.json"

static void test_deps(void) {
  parsed p;
  parse_str(&p, bw_dotnet_deps_parse, DEPS,
            "{\"runtimeTarget\": {\"name\": \".NETCoreApp,Version=v8.0/linux-x64\", \"signature\": \"\"},\n"
            " \"targets\": {\n"
            "  \".NETCoreApp,Version=v8.0\": {},\n"
            "  \".NETCoreApp,Version=v8.0/linux-x64\": {\n"
            "   \"MyApp/1.0.0\": {\"dependencies\": {\"Serilog\": \"3.0.1\"}, \"runtime\": {\"MyApp.dll\": {}}},\n"
            "   \"runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0\": {\"runtime\": {\"System.dll\": {}}},\n"
            "   \"Serilog/3.0.1\": {\"runtime\": {\"lib/net7.0/Serilog.dll\": {}}},\n"
            "   \"SQLitePCLRaw.lib.e_sqlite3/2.1.6\": {\"runtimeTargets\": {\"runtimes/linux-x64/native/libe_sqlite3.so\": {}}},\n"
            "   \"Native.Only/1.0.0\": {\"native\": {\"x.so\": {}}},\n"
            "   \"Analyzers.Only/2.0.0\": {},\n"
            "   \"Null.Runtime/1.0.0\": {\"runtime\": null}\n"
            "  }},\n"
            " \"libraries\": {\n"
            "  \"MyApp/1.0.0\": {\"type\": \"project\", \"serviceable\": false, \"sha512\": \"\"},\n"
            "  \"runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0\": {\"type\": \"runtimepack\", \"serviceable\": false},\n"
            "  \"Serilog/3.0.1\": {\"type\": \"package\", \"serviceable\": true, \"path\": \"serilog/3.0.1\"},\n"
            "  \"SQLitePCLRaw.lib.e_sqlite3/2.1.6\": {\"type\": \"Package\"},\n"
            "  \"Native.Only/1.0.0\": {\"type\": \"package\"},\n"
            "  \"Analyzers.Only/2.0.0\": {\"type\": \"package\"},\n"
            "  \"Null.Runtime/1.0.0\": {\"type\": \"package\"},\n"
            "  \"Not.In.Target/4.0.0\": {\"type\": \"package\"},\n"
            "  \"Reference.Assembly/1.0.0\": {\"type\": \"reference\"},\n"
            "  \"NoSlash\": {\"type\": \"package\"}\n"
            " }}\n");
  CHECK(p.rc == 0);
  CHECK(npkg(&p) == 5);
  CHECK(find(&p, "Microsoft.NETCore.App.Runtime.linux-x64") &&
        strcmp(find(&p, "Microsoft.NETCore.App.Runtime.linux-x64")->version, "8.0.0") == 0);
  CHECK(find(&p, "Serilog") && find(&p, "Serilog")->type == BW_PKG_NUGET);
  CHECK(find(&p, "SQLitePCLRaw.lib.e_sqlite3") != NULL);
  CHECK(find(&p, "Native.Only") != NULL);
  CHECK(find(&p, "Not.In.Target") != NULL); /* kept rather than wrongly dropped */
  CHECK(!find(&p, "Analyzers.Only") && !find(&p, "Null.Runtime") && !find(&p, "MyApp"));
  done(&p);
  /* no runtime target: every package library */
  parse_str(&p, bw_dotnet_deps_parse, DEPS,
            "{\"targets\": {\"x\": {\"A/1.0\": {}}}, \"libraries\": {\"A/1.0\": {\"type\": \"package\"},"
            " \"B/2.0\": {\"type\": \"package\"}}}");
  CHECK(p.rc == 0 && npkg(&p) == 2);
  done(&p);
  parse_str(&p, bw_dotnet_deps_parse, DEPS, "{\"runtimeTarget\": {\"name\": \"x\"}}");
  CHECK(p.rc == 0 && npkg(&p) == 0);
  done(&p);
}

static void test_nuget_lock(void) {
  parsed p;
  parse_str(&p, bw_nuget_lock_parse, "src/MyApp/packages.lock.json",
            "{\n  \"version\": 1,\n  \"dependencies\": {\n"
            "    \"net6.0\": {\n"
            "      \"Newtonsoft.Json\": {\"type\": \"Direct\", \"requested\": \"[13.0.3, )\", \"resolved\": \"13.0.3\",\n"
            "                           \"contentHash\": \"HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==\"},\n"
            "      \"Serilog\": {\"type\": \"Transitive\", \"resolved\": \"2.12.0\"},\n"
            "      \"Central.Pinned\": {\"type\": \"CentralTransitive\", \"requested\": \"[1.0.0, )\", \"resolved\": \"1.0.0\"},\n"
            "      \"MyLib\": {\"type\": \"Project\", \"dependencies\": {\"Serilog\": \"[2.12.0, )\"}},\n"
            "      \"No.Resolved\": {\"type\": \"Direct\", \"requested\": \"[1.0.0, )\"}\n"
            "    },\n"
            "    \"net6.0/linux-x64\": {\n"
            "      \"Newtonsoft.Json\": {\"type\": \"Direct\", \"requested\": \"[13.0.3, )\", \"resolved\": \"13.0.3\"}\n"
            "    },\n"
            "    \"net8.0\": {\"Serilog\": {\"type\": \"Transitive\", \"resolved\": \"3.0.1\"}}\n"
            "  }\n}\n");
  CHECK(p.rc == 0);
  CHECK(npkg(&p) == 4); /* Newtonsoft.Json once, Serilog at two versions, Central.Pinned */
  CHECK(find(&p, "Newtonsoft.Json") && strcmp(find(&p, "Newtonsoft.Json")->version, "13.0.3") == 0);
  CHECK(find(&p, "Central.Pinned") != NULL);
  CHECK(!find(&p, "MyLib") && !find(&p, "No.Resolved"));
  size_t serilog = 0;
  for (size_t i = 0; i < npkg(&p); i++) serilog += strcmp(pkg(&p, i)->name, "Serilog") == 0;
  CHECK(serilog == 2);
  done(&p);
}

static void test_hostile(void) {
  const char *const bad_deps[] = {
      "[]", "{\"libraries\": []}", "{\"libraries\": {\"A/1\": {\"type\": \"package\"}}",
      "{\"libraries\": {\"A\\nB/1\": {\"type\": \"package\"}}}", "",
  };
  for (size_t i = 0; i < sizeof bad_deps / sizeof bad_deps[0]; i++)
    CHECK_REJECTS(bw_dotnet_deps_parse, DEPS, bad_deps[i], strlen(bad_deps[i]), BW_ECORRUPT);
  const char *const bad_lock[] = {
      "[]", "{\"dependencies\": []}", "{\"dependencies\": {\"net6.0\": 1}}",
      "{\"dependencies\": {\"net6.0\": {\"A\": {\"resolved\": \"1\\u0001\"}}}}",
  };
  for (size_t i = 0; i < sizeof bad_lock / sizeof bad_lock[0]; i++)
    CHECK_REJECTS(bw_nuget_lock_parse, "packages.lock.json", bad_lock[i], strlen(bad_lock[i]), BW_ECORRUPT);
  char deep[300];
  size_t k = 0;
  for (int i = 0; i < 100; i++) deep[k++] = '[';
  for (int i = 0; i < 100; i++) deep[k++] = ']';
  CHECK_REJECTS(bw_dotnet_deps_parse, DEPS, deep, k, BW_ELIMIT);
  size_t big = (size_t)BW_LIMIT_LOCKFILE_BYTES + 1;
  char *b = malloc(big);
  if (b) {
    memset(b, ' ', big);
    CHECK_REJECTS(bw_nuget_lock_parse, "packages.lock.json", b, big, BW_ELIMIT);
    free(b);
  }
}

static void test_wants(void) {
  CHECK(bw_analyzer_dotnet_deps.wants("app/MyApp.deps.json"));
  CHECK(bw_analyzer_dotnet_deps.wants("usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.0/Microsoft.NETCore.App.deps.json"));
  CHECK(!bw_analyzer_dotnet_deps.wants("app/.deps.json"));
  CHECK(!bw_analyzer_dotnet_deps.wants("app/MyApp.runtimeconfig.json"));
  CHECK(bw_analyzer_nuget_lock.wants("src/packages.lock.json"));
  CHECK(!bw_analyzer_nuget_lock.wants("src/package-lock.json"));
}

int main(void) {
  test_deps();
  test_nuget_lock();
  test_hostile();
  test_wants();
  check_fixture(bw_dotnet_deps_parse, "trivy__pkg__dependency__parser__dotnet__core_deps__testdata__happy.deps.json",
                "root", false);
  check_fixture(bw_dotnet_deps_parse,
                "trivy__pkg__dependency__parser__dotnet__core_deps__testdata__without-runtime.deps.json", "root", false);
  return test_finish();
}
