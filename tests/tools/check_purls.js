#!/usr/bin/env node
// Parses every purl of CycloneDX documents with packageurl-js (the purl project's reference
// JavaScript implementation) and checks that the decoded parts are what the component says:
// type, namespace + name, version (rpm: without the epoch, which must be the epoch= qualifier),
// arch, and the distro qualifier derived from the operating-system component.
// usage: NODE_PATH=<node_modules> node check_purls.js DOC.cdx.json...   exit 0 ok, 1 mismatch
"use strict";
const fs = require("fs");
const { PackageURL } = require("packageurl-js");

let failures = 0, checked = 0;
function fail(doc, msg) {
  failures++;
  console.error(`${doc}: ${msg}`);
}

for (const doc of process.argv.slice(2)) {
  const bom = JSON.parse(fs.readFileSync(doc, "utf8"));
  const os = (bom.components || []).find((c) => c.type === "operating-system");
  for (const c of bom.components || []) {
    if (!c.purl) continue;
    checked++;
    const prop = (n) => ((c.properties || []).find((p) => p.name === n) || {}).value;
    let p;
    try {
      p = PackageURL.fromString(c.purl);
    } catch (e) {
      fail(doc, `${c.purl}: not a valid purl: ${e.message}`);
      continue;
    }
    const type = prop("bulwark:type");
    if (p.type !== type) fail(doc, `${c.purl}: type ${p.type}, component says ${type}`);

    const sep = p.type === "maven" ? ":" : "/";
    const full = p.namespace && !["deb", "rpm", "apk"].includes(p.type) ? p.namespace + sep + p.name : p.name;
    let want = c.name;
    if (["deb", "apk", "npm", "golang", "composer"].includes(p.type)) want = want.toLowerCase();
    if (p.type === "pypi") want = want.toLowerCase().replace(/[-_.]+/g, "-"); // PEP 503
    if (full !== want) fail(doc, `${c.purl}: name decodes to ${JSON.stringify(full)}, want ${JSON.stringify(want)}`);

    const q = p.qualifiers || {};
    let version = c.version;
    if (p.type === "rpm") {
      const m = /^(\d+):(.*)$/.exec(version || "");
      if (m) {
        version = m[2];
        const e = Number(m[1]);
        if ((e > 0 ? String(e) : undefined) !== q.epoch) fail(doc, `${c.purl}: epoch ${q.epoch}, want ${e}`);
      } else if (q.epoch !== undefined) {
        fail(doc, `${c.purl}: epoch qualifier without an epoch in ${version}`);
      }
    }
    if (p.version !== version) fail(doc, `${c.purl}: version decodes to ${JSON.stringify(p.version)}, want ${JSON.stringify(version)}`);
    if (q.arch !== prop("bulwark:arch")) fail(doc, `${c.purl}: arch ${q.arch}, want ${prop("bulwark:arch")}`);

    if (["deb", "rpm", "apk"].includes(p.type) && os) {
      if (p.namespace !== os.name.toLowerCase()) fail(doc, `${c.purl}: namespace ${p.namespace}, want ${os.name}`);
      const distro = p.type === "apk" ? os.version : `${os.name.toLowerCase()}-${os.version}`;
      if (q.distro !== distro) fail(doc, `${c.purl}: distro ${q.distro}, want ${distro}`);
    }
  }
}
console.log(`check_purls: ${checked} purls checked, ${failures} problems`);
process.exit(failures || !checked ? 1 : 0);
