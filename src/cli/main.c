/* bulwark: container image security scanner and registry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cli/cli.h"
#include "cli/serve_common.h"

static void usage(FILE *f) {
  fputs("Usage: bulwark COMMAND [OPTIONS]\n"
        "\n"
        "Bulwark scans container images (vulnerabilities, baseline, secrets, malware), writes SBOMs,\n"
        "and runs a container registry that scans what is pushed to it.\n"
        "\n"
        "Commands:\n"
        "  scan IMAGE     vulnerabilities, baseline checks, secrets and malware of an image\n"
        "  sbom IMAGE     list the OS packages of an image (table, JSON, CycloneDX 1.5, SPDX 2.3)\n"
        "  db COMMAND     the advisory database: import PATH..., update, info\n"
        "  serve          run the container registry (OCI Distribution v1.1) with access control\n"
        "  gc             remove untagged manifests and unreferenced blobs from the registry's data\n"
        "  user COMMAND   registry users: add, passwd, rm, ls\n"
        "  namespace COMMAND\n"
        "                 registry namespaces and roles: add, grant, revoke, ls\n"
        "  robot COMMAND  robot accounts with scoped, expiring secrets: add, ls, rm\n"
        "  malware COMMAND  malware rules and hash blocklist: import-hashes FILE, ls-rules, test FILE...\n"
        "  rule COMMAND   scan rules of the registry's scan service: add, ls, rm\n"
        "  webhook COMMAND\n"
        "                 event notifications (HTTP, DingTalk, Slack): add, ls, rm, test, log\n"
        "  version        print the version\n"
        "  version compare --ecosystem ECO A B\n"
        "                 compare two versions as the ecosystem does (-1, 0, 1; --batch)\n"
        "  help COMMAND   show help for a command\n"
        "\n"
        "IMAGE is one of (skopeo's transport names):\n"
        "  oci:DIR[:TAG]                        an OCI image layout directory\n"
        "  oci-archive:FILE[:TAG]               an OCI image layout in a tar file\n"
        "  docker-archive:FILE[:NAME:TAG|:@N]   the output of `docker save`\n"
        "  dir:ROOTFS                           an unpacked root filesystem\n"
        "  docker://HOST/REPO[:TAG|@DIGEST]     a registry (a bare HOST/REPO:TAG means docker://)\n"
        "\n"
        "Examples:\n"
        "  bulwark scan oci:./debian:12 --severity HIGH,CRITICAL\n"
        "  bulwark sbom oci:./debian:12\n"
        "  bulwark sbom docker-archive:app.tar --format cyclonedx -o app.cdx.json\n"
        "  bulwark sbom docker://localhost:5000/team/app:1.2 --insecure --format spdx\n"
        "\n"
        "  bulwark serve --data ./var/bulwark        (then push with skopeo, docker, podman, oras)\n"
        "\n"
        "Run 'bulwark sbom --help' for the options of a command.\n",
        f);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return BW_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "sbom")) {
      char *args[] = {"sbom", "--help", NULL};
      return bw_cmd_sbom(2, args);
    }
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "db")) {
      char *args[] = {"db", "--help", NULL};
      return bw_cmd_db(2, args);
    }
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "version")) {
      char *args[] = {"version", "--help", NULL};
      return bw_cmd_version(2, args);
    }
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "scan")) {
      char *args[] = {"scan", "--help", NULL};
      return bw_cmd_scan(2, args);
    }
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "user")) {
      char *args[] = {"user", "--help", NULL};
      return bw_cmd_user(2, args);
    }
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "namespace")) {
      char *args[] = {"namespace", "--help", NULL};
      return bw_cmd_namespace(2, args);
    }
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "robot")) {
      char *args[] = {"robot", "--help", NULL};
      return bw_cmd_robot(2, args);
    }
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "rule")) {
      char *args[] = {"rule", "--help", NULL};
      return bw_cmd_rule(2, args);
    }
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "webhook")) {
      char *args[] = {"webhook", "--help", NULL};
      return bw_cmd_webhook(2, args);
    }
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "serve")) {
      char *args[] = {"serve", "--help", NULL};
      return bw_cmd_serve(2, args);
    }
    if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "gc")) {
      char *args[] = {"gc", "--help", NULL};
      return bw_cmd_gc(2, args);
    }
    usage(stdout);
    return BW_EXIT_OK;
  }
  if (!strcmp(cmd, "version")) return bw_cmd_version(argc - 1, argv + 1);
  if (!strcmp(cmd, "--version")) {
    printf("bulwark %s\n", BW_VERSION);
    return BW_EXIT_OK;
  }
  if (!strcmp(cmd, "sbom")) return bw_cmd_sbom(argc - 1, argv + 1);
  if (!strcmp(cmd, "db")) return bw_cmd_db(argc - 1, argv + 1);
  if (!strcmp(cmd, "scan")) return bw_cmd_scan(argc - 1, argv + 1);
  if (!strcmp(cmd, "user")) return bw_cmd_user(argc - 1, argv + 1);
  if (!strcmp(cmd, "namespace")) return bw_cmd_namespace(argc - 1, argv + 1);
  if (!strcmp(cmd, "robot")) return bw_cmd_robot(argc - 1, argv + 1);
  if (!strcmp(cmd, "rule")) return bw_cmd_rule(argc - 1, argv + 1);
  if (!strcmp(cmd, "webhook")) return bw_cmd_webhook(argc - 1, argv + 1);
  if (!strcmp(cmd, "serve")) return bw_cmd_serve(argc - 1, argv + 1);
  if (!strcmp(cmd, "gc")) return bw_cmd_gc(argc - 1, argv + 1);
  if (!strcmp(cmd, "malware")) return bw_cmd_malware(argc - 1, argv + 1);
  fprintf(stderr, "bulwark: unknown command \"%s\"\n\n", cmd);
  usage(stderr);
  return BW_EXIT_USAGE;
}
