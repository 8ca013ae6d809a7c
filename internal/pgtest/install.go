package pgtest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// The pinned npm builds of the majors Debian does not ship.
var (
	//go:embed npm/package.json
	npmPackage []byte
	//go:embed npm/package-lock.json
	npmLock []byte
)

// NPMMajors are the majors installed from npm: every supported major but AuditMajor. The real-server
// tests run on Majors; the others are read only for their pg_settings.
var NPMMajors = []string{"14", "16", "17", "18"}

// auditStandIn is an empty extension named pgaudit for servers without pgAudit (see rdsRoles).
var auditStandIn = map[string]string{
	"pgaudit.control": "# hardenedpg test stand-in: this server has no pgAudit. An empty extension of the name lets the\n" +
		"# bootstrap SQL run unchanged; auditing itself is proven on PostgreSQL " + AuditMajor + " with Debian's pgAudit.\n" +
		"comment = 'hardenedpg test stand-in for pgAudit: audits nothing'\ndefault_version = '0.0'\nrelocatable = true\n",
	"pgaudit--0.0.sql": "-- hardenedpg test stand-in for pgAudit: no objects.\n",
}

// Install installs what the real-server tests need, reusing what is already there: Debian's
// PostgreSQL 15 with pgAudit (apt-get, as root), and the pinned npm builds of the other majors in
// CacheDir, and the Debian 13 root of the major-upgrade test (UpgradeRoot). It stops any cluster Debian's package started: the tests start their own servers.
// It also makes sure of npm and python3, which the component package's SDK tests use, and of
// chromium, which renders the report.
func Install(log io.Writer) error {
	for command, why := range map[string]string{
		"npm":     "the PostgreSQL builds of the majors Debian does not ship, and tsc for the TypeScript SDK",
		"python3": "byte-compiling the Python SDK",
		// make bench's stand-in for RDS Proxy's pooling.
		"pgbouncer": "the pooler make bench measures new connections through",
		// Debian's headless browser renders the auditor's report in its test.
		"chromium": "rendering bin/plan -report's page (cmd/plan TestTheReportRendersTheJSONsTotals)",
	} {
		if err := aptIfMissing(log, command, why); err != nil {
			return err
		}
	}
	if _, err := BinDir(AuditMajor); err != nil {
		if os.Geteuid() != 0 {
			return fmt.Errorf("%v; as root: apt-get update && apt-get install -y postgresql-15 postgresql-15-pgaudit", err)
		}
		fmt.Fprintln(log, "installing postgresql-15 and postgresql-15-pgaudit (apt-get)")
		if err := runLogged(log, "", []string{"DEBIAN_FRONTEND=noninteractive"}, "apt-get", "update", "-qq"); err != nil {
			return err
		}
		if err := runLogged(log, "", []string{"DEBIAN_FRONTEND=noninteractive"}, "apt-get", "install", "-y", "-qq", "postgresql-15", "postgresql-15-pgaudit"); err != nil {
			return err
		}
	}
	if out, err := exec.Command("pg_lsclusters", "--no-header").Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Fields(line); len(f) >= 4 && f[3] == "online" {
				_ = runLogged(log, "", nil, "pg_ctlcluster", f[0], f[1], "stop")
			}
		}
	}
	if err := installNPM(log); err != nil {
		return err
	}
	if err := installUpgradeRoot(log); err != nil {
		return err
	}
	return installMoto(log)
}

// MotoMinimum is the oldest moto whose server represents the prod shape: 5.2 answers
// PutBackupVaultLockConfiguration and subscription filters to another account's destination.
const MotoMinimum = "5.2"

// installMoto checks the live audit's local AWS API: the machine's python3 with moto's server.
// It cannot install it: PyPI is not reachable from these machines, and Debian's only package of it
// (Debian 13's python3-moto 5.1.1) lacks both calls above, so a test against it would prove less.
func installMoto(log io.Writer) error {
	out, err := exec.Command("python3", "-c", "import moto.server, moto; print(moto.__version__)").Output()
	if err != nil {
		return fmt.Errorf("moto's server is not importable by python3 (pip install 'moto[server]>=%s' where PyPI is reachable): %w", MotoMinimum, err)
	}
	version := strings.TrimSpace(string(out))
	if !versionAtLeast(version, MotoMinimum) {
		return fmt.Errorf("moto %s is older than %s, which the live audit's tests need", version, MotoMinimum)
	}
	fmt.Fprintf(log, "moto %s (python3), for the live audit's tests\n", version)
	return nil
}

// versionAtLeast compares dotted versions by their leading numbers.
func versionAtLeast(version, minimum string) bool {
	v, m := strings.Split(version, "."), strings.Split(minimum, ".")
	for i := range m {
		if i >= len(v) {
			return false
		}
		a, _ := strconv.Atoi(strings.TrimFunc(v[i], func(r rune) bool { return r < '0' || r > '9' }))
		b, _ := strconv.Atoi(m[i])
		if a != b {
			return a > b
		}
	}
	return true
}

// aptIfMissing installs Debian's package of a command the tests run, when it is not on PATH.
func aptIfMissing(log io.Writer, command, why string) error {
	if _, err := exec.LookPath(command); err == nil {
		return nil
	}
	if _, err := os.Stat(filepath.Join("/usr/sbin", command)); err == nil {
		return nil // installed, outside a non-root PATH (pgbouncer)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("%s is needed for %s: apt-get install -y %s", command, why, command)
	}
	fmt.Fprintf(log, "installing %s (apt-get), for %s\n", command, why)
	env := []string{"DEBIAN_FRONTEND=noninteractive"}
	if err := runLogged(log, "", env, "apt-get", "update", "-qq"); err != nil {
		return err
	}
	return runLogged(log, "", env, "apt-get", "install", "-y", "-qq", command)
}

func installNPM(log io.Writer) error {
	dir := CacheDir()
	lock := filepath.Join(dir, "package-lock.json")
	current, _ := os.ReadFile(lock) //nolint:gosec // our own cache
	installed := bytes.Equal(current, npmLock)
	for _, m := range NPMMajors {
		if _, err := BinDir(m); err != nil {
			installed = false
		}
	}
	if !installed {
		fmt.Fprintf(log, "installing PostgreSQL %s from npm into %s\n", strings.Join(NPMMajors, ", "), dir)
		if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // the postgres user runs these binaries
			return err
		}
		for name, content := range map[string][]byte{"package.json": npmPackage, "package-lock.json": npmLock} {
			if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil { //nolint:gosec // likewise
				return err
			}
		}
		// --ignore-scripts: the packages' one script makes the library symlinks, which hydrate does.
		if err := runLogged(log, dir, nil, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"); err != nil {
			return err
		}
	}
	for _, m := range NPMMajors {
		bin, err := BinDir(m)
		if err != nil {
			return err
		}
		if err := hydrate(filepath.Join(bin, "..", "..")); err != nil {
			return fmt.Errorf("PostgreSQL %s: %w", m, err)
		}
		ext := filepath.Join(bin, "..", "share", "postgresql", "extension")
		if hasAudit(bin) {
			continue
		}
		for name, content := range auditStandIn {
			if err := os.WriteFile(filepath.Join(ext, name), []byte(content), 0o644); err != nil { //nolint:gosec // read by the server
				return err
			}
		}
	}
	return nil
}

// hydrate makes the shared-library symlinks an npm build lists in native/pg-symlinks.json
// (npm tarballs carry no links), each relative to its own directory.
func hydrate(pkg string) error {
	raw, err := os.ReadFile(filepath.Join(pkg, "native", "pg-symlinks.json")) //nolint:gosec // our own cache
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var links []struct{ Source, Target string }
	if err := json.Unmarshal(raw, &links); err != nil {
		return fmt.Errorf("pg-symlinks.json: %w", err)
	}
	for _, l := range links {
		target := filepath.Join(pkg, l.Target)
		if _, err := os.Lstat(target); err == nil {
			continue
		}
		rel, err := filepath.Rel(filepath.Dir(target), filepath.Join(pkg, l.Source))
		if err != nil {
			return err
		}
		if err := os.Symlink(rel, target); err != nil {
			return err
		}
	}
	return nil
}

func runLogged(log io.Writer, dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...) //nolint:gosec // fixed installers
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, log, log
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}
