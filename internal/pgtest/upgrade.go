package pgtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The major-upgrade test needs pg_upgrade of the new major, and the old major's pg_controldata
// and pg_resetwal, which pg_upgrade runs on the old cluster. The npm builds ship neither (initdb,
// pg_ctl and postgres only), and Debian 12 ships only 15. Debian 13 (trixie) ships 17 with
// pg_upgrade and pgAudit, so the setup makes a trixie root (debootstrap) and copies Debian 12's
// 15 into it, with the libraries of 12 that 13 lacks under bookwormLibs: pg_upgrade then runs
// 15 → 17 as RDS runs it in place, with the real pgAudit on both sides.
const (
	upgradeSuite  = "trixie"
	upgradeMirror = "http://deb.debian.org/debian"
	// UpgradeMajor is the major the upgrade root's own PostgreSQL is.
	UpgradeMajor = "17"
	bookwormLibs = "/opt/bookworm-libs"
	// readyFile marks a finished root; its content says what it holds.
	readyFile = ".hardenedpg-upgrade-root"
	readyText = "trixie with postgresql-17 and postgresql-17-pgaudit; Debian 12's PostgreSQL 15 copied in\n"
)

// UpgradeRoot is where the setup command makes the Debian root of the major-upgrade test.
func UpgradeRoot() string {
	if d := os.Getenv("HARDENEDPG_UPGRADE_ROOT"); d != "" {
		return d
	}
	return filepath.Join(filepath.Dir(CacheDir()), "upgrade-root")
}

// UpgradeRootReady says whether the root is complete, and how to make it when not.
func UpgradeRootReady() error {
	if b, err := os.ReadFile(filepath.Join(UpgradeRoot(), readyFile)); err == nil && string(b) == readyText { //nolint:gosec // our own cache
		return nil
	}
	return fmt.Errorf("the major-upgrade root %s is missing or incomplete: run %s as root", UpgradeRoot(), SetupCommand)
}

// installUpgradeRoot makes the root unless it is complete: debootstrap (apt-get), then a trixie
// root with PostgreSQL 17 and pgAudit, then Debian 12's 15 and the libraries it needs.
func installUpgradeRoot(log io.Writer) error {
	if UpgradeRootReady() == nil {
		return nil
	}
	if os.Geteuid() != 0 {
		return UpgradeRootReady()
	}
	if err := aptIfMissing(log, "debootstrap", "the Debian 13 root of the major-upgrade test"); err != nil {
		return err
	}
	root := UpgradeRoot()
	if err := os.RemoveAll(root); err != nil {
		return err
	}
	fmt.Fprintf(log, "making %s: Debian %s with PostgreSQL %s and pgAudit (debootstrap), for the major-upgrade test\n", root, upgradeSuite, UpgradeMajor)
	if err := runLogged(log, "", nil, "debootstrap", "--variant=minbase", "--include=postgresql-17,postgresql-17-pgaudit", upgradeSuite, root, upgradeMirror); err != nil {
		return err
	}
	for _, dir := range []string{"/usr/lib/postgresql/15", "/usr/share/postgresql/15"} {
		if err := runLogged(log, "", nil, "cp", "-a", dir, filepath.Join(root, filepath.Dir(dir))+"/"); err != nil {
			return err
		}
	}
	if err := copyMissingLibraries(root); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, readyFile), []byte(readyText), 0o644) //nolint:gosec // a marker
}

// copyMissingLibraries copies the host libraries Debian 12's 15 links that the root lacks, until
// ldd inside the root finds them all (the JIT's LLVM is left out: the tests run with jit off).
func copyMissingLibraries(root string) error {
	if err := os.MkdirAll(filepath.Join(root, bookwormLibs), 0o755); err != nil { //nolint:gosec // read by the postgres user
		return err
	}
	objects, _ := filepath.Glob(filepath.Join(root, "usr/lib/postgresql/15/bin/*"))
	libs, _ := filepath.Glob(filepath.Join(root, "usr/lib/postgresql/15/lib/*.so"))
	for _, l := range libs {
		if !strings.HasSuffix(l, "llvmjit.so") {
			objects = append(objects, l)
		}
	}
	for round := 0; round < 6; round++ {
		missing := map[string]bool{}
		for _, o := range objects {
			out, _ := exec.Command("chroot", root, "/usr/bin/env", "LD_LIBRARY_PATH="+bookwormLibs, "ldd", "/"+strings.TrimPrefix(o, root+"/")).Output() //nolint:gosec // our own root
			sc := bufio.NewScanner(strings.NewReader(string(out)))
			for sc.Scan() {
				if f := strings.Fields(sc.Text()); len(f) >= 3 && f[1] == "=>" && f[2] == "not" {
					missing[f[0]] = true
				}
			}
		}
		if len(missing) == 0 {
			return nil
		}
		for lib := range missing {
			src, err := filepath.EvalSymlinks(filepath.Join("/usr/lib/x86_64-linux-gnu", lib))
			if err != nil {
				return fmt.Errorf("PostgreSQL 15 needs %s, which neither the root nor the host has: %w", lib, err)
			}
			b, err := os.ReadFile(src) //nolint:gosec // a host library
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(root, bookwormLibs, lib), b, 0o644); err != nil { //nolint:gosec // a library
				return err
			}
		}
	}
	return fmt.Errorf("the libraries of PostgreSQL 15 in %s are still incomplete after 6 rounds", root)
}

// rootUser is the uid and gid of the postgres user inside root.
func rootUser(root string) (int, int, error) {
	b, err := os.ReadFile(filepath.Join(root, "etc", "passwd")) //nolint:gosec // our own root
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Split(line, ":"); len(f) > 3 && f[0] == "postgres" {
			uid, _ := strconv.Atoi(f[2])
			gid, _ := strconv.Atoi(f[3])
			return uid, gid, nil
		}
	}
	return 0, 0, fmt.Errorf("%s has no postgres user", root)
}

// rootRunner is how a program runs as postgres inside root, from dir (inside).
func rootRunner(root, dir string, uid, gid int) []string {
	return []string{"chroot", fmt.Sprintf("--userspec=%d:%d", uid, gid), root, "/bin/sh", "-c",
		`cd "$0" && exec /usr/bin/env LD_LIBRARY_PATH=` + bookwormLibs + ` HOME="$0" "$@"`, dir}
}

// startIn starts a server chrooted in opts.Root.
func startIn(opts Options) (*Server, error) {
	if err := UpgradeRootReady(); opts.Root == UpgradeRoot() && err != nil {
		return nil, err
	}
	bin := filepath.Join("/usr/lib/postgresql", opts.Major, "bin")
	if _, err := os.Stat(filepath.Join(opts.Root, bin, "pg_ctl")); err != nil {
		return nil, fmt.Errorf("PostgreSQL %s is not in %s: run %s", opts.Major, opts.Root, SetupCommand)
	}
	uid, gid, err := rootUser(opts.Root)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(filepath.Join(opts.Root, "tmp"), "hardenedpg-pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{Major: opts.Major, Dir: dir, bin: bin, LogFile: filepath.Join(dir, "postgresql.log"), HasAudit: hasAudit(filepath.Join(opts.Root, bin)),
		root: opts.Root, uid: uid, gid: gid}
	if err := os.Chown(dir, uid, gid); err != nil {
		return s, err
	}
	s.runAs = rootRunner(opts.Root, s.in(dir), uid, gid)
	return s, s.initAndStart(opts)
}

// RunInRoot runs a program of the server's root (a client such as pg_dump) as postgres, from the
// server's directory, and returns its combined output.
func (s *Server) RunInRoot(program string, args ...string) ([]byte, error) {
	if s.root == "" {
		return nil, fmt.Errorf("the server does not run in a root")
	}
	argv := append(append([]string{}, s.runAs...), program)
	cmd := exec.Command(argv[0], append(argv[1:], args...)...) //nolint:gosec // the root's own programs
	return cmd.CombinedOutput()
}

// Upgrade upgrades the server in place to major with pg_upgrade, as RDS does: it stops the
// server, makes a new cluster with the same initdb options and opts' settings for major, runs
// pg_upgrade (copy mode) and starts the new server on the upgraded data, on the same port. It
// returns the new server, pg_upgrade's output and how long pg_upgrade took. Both majors must be
// in the server's root.
func (s *Server) Upgrade(major string, opts Options) (*Server, string, time.Duration, error) {
	if s.root == "" {
		return nil, "", 0, fmt.Errorf("pg_upgrade runs in the upgrade root: start the server with Options.Root")
	}
	n := &Server{Major: major, Dir: s.Dir, bin: filepath.Join("/usr/lib/postgresql", major, "bin"), LogFile: filepath.Join(s.Dir, "postgresql-"+major+".log"),
		root: s.root, uid: s.uid, gid: s.gid, runAs: s.runAs, Port: s.Port, Password: s.Password, MasterPassword: s.MasterPassword,
		data: filepath.Join(s.Dir, "data-"+major)}
	n.HasAudit = hasAudit(filepath.Join(s.root, n.bin))
	if out, err := s.run("pg_ctl", "-D", s.in(s.data), "-m", "fast", "-w", "stop"); err != nil {
		return nil, "", 0, fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	pwfile := filepath.Join(s.Dir, "pwfile")
	if err := s.writeFile(pwfile, s.Password+"\n", 0o600); err != nil {
		return nil, "", 0, err
	}
	if out, err := n.run("initdb", "-D", n.in(n.data), "-U", Superuser, "--pwfile", n.in(pwfile), "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"); err != nil {
		return nil, "", 0, fmt.Errorf("initdb %s: %v\n%s", major, err, out)
	}
	_ = os.Remove(pwfile)
	opts.Major = major
	conf, hba, err := n.configure(opts)
	if err != nil {
		return nil, "", 0, err
	}
	// pg_upgrade signs in to both clusters through their Unix sockets, which the hardened pg_hba
	// does not list; it is told to trust them for the upgrade (PostgreSQL's documented advice),
	// and the hardened file is put back before the new server starts.
	const local = "local   all      all                   trust\n"
	oldHba := filepath.Join(s.data, "pg_hba.conf")
	hardenedHba, err := os.ReadFile(oldHba) //nolint:gosec // the test's own server
	if err != nil {
		return nil, "", 0, err
	}
	for path, content := range map[string]string{
		oldHba: local + string(hardenedHba), filepath.Join(n.data, "pg_hba.conf"): local + hba,
		filepath.Join(n.data, "postgresql.auto.conf"): conf,
	} {
		if err := s.writeFile(path, content, 0o600); err != nil {
			return nil, "", 0, err
		}
	}
	started := time.Now()
	out, err := n.run("pg_upgrade", "-b", s.bin, "-B", n.bin, "-d", s.in(s.data), "-D", n.in(n.data),
		"-p", strconv.Itoa(freeOr(s.Port+1)), "-P", strconv.Itoa(freeOr(s.Port+2)), "-U", Superuser, "--copy")
	took := time.Since(started)
	if err != nil {
		return nil, string(out), took, fmt.Errorf("pg_upgrade %s → %s: %v\n%s", s.Major, major, err, out)
	}
	if err := s.writeFile(filepath.Join(n.data, "pg_hba.conf"), hba, 0o600); err != nil {
		return nil, "", 0, err
	}
	if out, err := n.run("pg_ctl", "-D", n.in(n.data), "-l", n.in(n.LogFile), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(n.LogFile)
		return n, "", took, fmt.Errorf("pg_ctl start %s: %v\n%s\n%s", major, err, out, log)
	}
	s.data = "" // the old cluster is stopped; Stop of the new server removes the directory
	return n, string(out), took, nil
}

// freeOr is a free port, or p when none can be had (pg_upgrade's servers listen on sockets only).
func freeOr(p int) int {
	if port, err := freePort(); err == nil {
		return port
	}
	return p
}

// InRoot is a path of the server's directory as the root's programs see it.
func (s *Server) InRoot(path string) string { return s.in(path) }
