/* Permission checks over the risky modes the layer walk recorded (setuid/setgid files,
 * world-writable files and directories without the sticky bit) that are still live in the image. */
#include <string.h>
#include <sys/stat.h>

#include "baseline/internal.h"
#include "vuln/vulndb.h"

enum { PRM_SUID, PRM_WWDIR, PRM_WWFILE };

const bl_check bl_permission_checks[] = {
    [PRM_SUID] = {"BW-PRM-001", "permission", BW_SEV_HIGH, "Setuid or setgid file outside the known-good list",
                  "Remove the setuid/setgid bit (RUN chmod u-s,g-s FILE) or the file itself; if a program "
                  "really needs privileges, grant a narrow file capability (setcap) instead."},
    [PRM_WWDIR] = {"BW-PRM-002", "permission", BW_SEV_MEDIUM, "World-writable directory without the sticky bit",
                   "Remove write access for others (RUN chmod o-w DIR), or set the sticky bit (chmod +t) if it "
                   "is a shared scratch directory like /tmp."},
    [PRM_WWFILE] = {"BW-PRM-003", "permission", BW_SEV_MEDIUM, "World-writable file in a system path",
                    "Remove write access for others (RUN chmod o-w FILE); any user in the container can "
                    "otherwise change it."},
};
const size_t bl_n_permission_checks = sizeof bl_permission_checks / sizeof bl_permission_checks[0];

/* Setuid/setgid programs the distributions ship on purpose (Debian, Ubuntu, Alpine, RHEL family),
 * trusted only in a system directory. */
static const char *const known_good[] = {
    "passwd", "su", "mount", "umount", "chsh", "chfn", "gpasswd", "newgrp", "unix_chkpwd", "chage", "expiry",
    "ssh-agent", "wall", "write", "bsd-write", "ssh-keysign", "dbus-daemon-launch-helper", "sudo", "sudoedit",
    "crontab", "pam_extrausers_chkpwd", "at", "fusermount", "fusermount3", "pkexec", "polkit-agent-helper-1",
    "ntfs-3g", "postdrop", "postqueue", "dotlockfile", "mlocate", "plocate", "locate", "screen", "ping", "ping6",
    "traceroute6.iputils", "Xorg.wrap", "exim4", "procmail", "lockfile", "newuidmap", "newgidmap", "chrome-sandbox",
    "mount.nfs", "mount.cifs", "pam_timestamp_check", "userhelper", "usernetctl", "staprun", "bbsuid", "doas",
    "utempter", "ksu", "dmcrypt-get-device", "snap-confine", "mail-lock", "mail-unlock", "mail-touchlock",
    "lppasswd", "sg", "cgexec", "Xorg", "vmware-user-suid-wrapper", "ssh-keysign-pkcs11", NULL};

static bool in_system_dir(const char *path) {
  static const char *const dirs[] = {"bin/", "sbin/", "usr/bin/", "usr/sbin/", "usr/lib/", "usr/libexec/",
                                     "lib/", "usr/lib64/", "lib64/", NULL};
  for (size_t i = 0; dirs[i]; i++)
    if (!strncmp(path, dirs[i], strlen(dirs[i]))) return true;
  return false;
}

/* Programs that give a shell or arbitrary file access when setuid (GTFOBins). */
static bool is_escalation(const char *base) {
  static const char *const bad[] = {"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "csh", "tcsh", "fish",
                                    "busybox", "python", "python2", "python3", "perl", "ruby", "php", "lua", "node",
                                    "find", "vim", "vi", "nano", "less", "more", "awk", "gawk", "env", "cp", "mv",
                                    "tee", "nmap", "tar", "chmod", "chown", "dd", "socat", "nc", "bpftrace", NULL};
  for (size_t i = 0; bad[i]; i++)
    if (!strcmp(base, bad[i])) return true;
  if (!strncmp(base, "python", 6) || !strncmp(base, "perl5", 5)) return true;
  return false;
}

/* Trees where world-writable entries are expected (scratch, runtime, pseudo file systems). */
static bool volatile_path(const char *path) {
  static const char *const v[] = {"tmp", "var/tmp", "dev", "proc", "sys", "run", "var/run", "var/lock", NULL};
  for (size_t i = 0; v[i]; i++) {
    size_t n = strlen(v[i]);
    if (!strncmp(path, v[i], n) && (path[n] == 0 || path[n] == '/')) return true;
  }
  return false;
}

static void mode_str(char out[11], uint32_t mode) {
  out[0] = S_ISDIR(mode) ? 'd' : '-';
  const char *rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; i++) out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
  if (mode & S_ISUID) out[3] = (mode & S_IXUSR) ? 's' : 'S';
  if (mode & S_ISGID) out[6] = (mode & S_IXGRP) ? 's' : 'S';
  if (mode & S_ISVTX) out[9] = (mode & S_IXOTH) ? 't' : 'T';
  out[10] = 0;
}

int bl_permissions(bl_sink *s, const bl_mode_entry *e, size_t n) {
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    const bl_mode_entry *m = &e[i];
    char ms[11];
    mode_str(ms, m->mode);
    const char *base = strrchr(m->path, '/');
    base = base ? base + 1 : m->path;
    if (S_ISREG(m->mode) && (m->mode & (S_ISUID | S_ISGID))) {
      bool good = false;
      for (size_t k = 0; known_good[k] && !good; k++) good = !strcmp(base, known_good[k]);
      if (!(good && in_system_dir(m->path))) {
        bool root_suid = (m->mode & S_ISUID) && m->uid == 0;
        int sev = root_suid && is_escalation(base) ? BW_SEV_CRITICAL : -1;
        rc = bl_emit(s, &bl_permission_checks[PRM_SUID], sev, m->path, 0, m->layer, "%s %u:%u%s", ms, m->uid,
                     m->gid, sev == BW_SEV_CRITICAL ? " (gives a root shell or file access to any user)" : "");
        if (rc < 0) break;
      }
    }
    if (!(m->mode & S_IWOTH) || volatile_path(m->path)) continue;
    if (S_ISDIR(m->mode) && !(m->mode & S_ISVTX))
      rc = bl_emit(s, &bl_permission_checks[PRM_WWDIR], -1, m->path, 0, m->layer, "%s %u:%u", ms, m->uid, m->gid);
    else if (S_ISREG(m->mode))
      rc = bl_emit(s, &bl_permission_checks[PRM_WWFILE], -1, m->path, 0, m->layer, "%s %u:%u", ms, m->uid, m->gid);
  }
  return rc;
}
