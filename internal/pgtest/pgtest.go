// Package pgtest starts a throwaway PostgreSQL for tests, as RDS would run it: on a free loopback
// port, with RDS's role model (a master that is not a superuser), RDS's authentication rules
// (hostssl when rds.force_ssl is on, md5 unless rds.accepted_password_auth_method is scram), a
// generated certificate for localhost and 127.0.0.1, and the engine parameters of
// hardenedpg.Baseline, so that what RDS will run is exercised for real. Majors: Debian's 15 with
// pgAudit, and the npm builds of the others (go run ./internal/pgtest/setup installs them).
package pgtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"maps"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"

	"github.com/jackc/pgx/v5"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

// Majors are the PostgreSQL majors the real-server tests run on: the default major we deploy
// (hardenedpg.DefaultMajorVersion), the newest RDS offers, and 15, the one Debian ships with pgAudit.
var Majors = []string{"15", "17", "18"}

// AuditMajor is the major whose server has pgAudit (Debian's postgresql-15-pgaudit); the npm
// builds of the other majors ship contrib but not pgAudit.
const AuditMajor = "15"

// RDSOnly maps each RDS-only parameter of the baseline to how the local server gets the same
// effect. It is the one place such parameters are translated; a baseline parameter starting with
// "rds." that is missing here fails Start.
var RDSOnly = map[string]string{ //nolint:gosec // descriptions of parameters, no credentials
	// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.Requiring.html:
	// RDS rewrites pg_hba.conf to hostssl lines (pg_hba_file_rules shows type hostssl).
	"rds.force_ssl": "pg_hba.conf has hostssl lines only: a connection without TLS matches no line and is refused",
	// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL_Password_Encryption_configuration.html:
	// RDS's own rules use md5, which also answers SCRAM; with scram, RDS accepts SCRAM-SHA-256 passwords only.
	"rds.accepted_password_auth_method": "md5+scram: the pg_hba.conf method is md5 (RDS's own); scram: the method is scram-sha-256",
}

// Superuser is the bootstrap superuser; its password is generated per server. On RDS nobody but
// AWS (rdsadmin) has it: tests use it only to stand in for what RDS sets up.
const Superuser = "postgres"

// Master is the RDS master user of the local server: not a superuser (see rdsRoles).
const Master = hardenedpg.DefaultAdminUsername

// Profile is what a server stands in for.
type Profile int

const (
	// Hardened runs hardenedpg.Baseline, as RDS applies it.
	Hardened Profile = iota
	// RDSDefault runs what RDS's default parameter group of the family gives.
	RDSDefault
	// Plain runs PostgreSQL's own defaults, without the TLS requirement.
	Plain
)

func (p Profile) String() string { return [...]string{"hardened", "rds-default", "plain"}[p] }

// Server is a running PostgreSQL.
type Server struct {
	Major    string
	Port     int
	Dir      string
	LogFile  string
	RootCert string // the CA that signed the server certificate, for verify-full clients
	Password string // the superuser's password
	// MasterPassword is the password of Master, the RDS-like master user.
	MasterPassword string
	// HasAudit reports whether the server loads pgAudit.
	HasAudit   bool
	loadsAudit bool
	bin        string
	runAs      []string
	// root is the Debian root the server runs chrooted in ("" for the host); bin and the paths
	// given to its programs are inside it, Dir and LogFile outside.
	root     string
	uid, gid int
	// data is the data directory, Dir/data unless an upgrade made another.
	data string
}

// in is path as the server's programs see it: inside its root.
func (s *Server) in(path string) string {
	if s.root == "" {
		return path
	}
	return "/" + strings.TrimPrefix(strings.TrimPrefix(path, s.root), "/")
}

// Options adjusts a server; the zero value is the hardened baseline on the AuditMajor.
type Options struct {
	// Major is the PostgreSQL major version; AuditMajor when empty.
	Major   string
	Profile Profile
	// Extra are added to the settings, after the profile's; an RDS-only name is mapped as RDSOnly says.
	Extra map[string]string
	// Root runs the server chrooted in a Debian root (UpgradeRoot), with that root's binaries of
	// Major (Debian's 15 is copied in, next to trixie's 17).
	Root string
	// CPUs pins the server and every process it starts to these CPUs (taskset -c), so that a
	// benchmark's client does not share them.
	CPUs string
}

// SetupCommand installs every server the tests use; a missing one fails with it.
const SetupCommand = "go run ./internal/pgtest/setup (or make test-deps)"

// CacheDir is where the setup command installs the npm builds of PostgreSQL:
// $HARDENEDPG_PG_CACHE, or a directory the postgres user can read (root runs servers as postgres).
func CacheDir() string {
	if d := os.Getenv("HARDENEDPG_PG_CACHE"); d != "" {
		return d
	}
	if os.Geteuid() == 0 {
		return "/var/cache/hardenedpg/postgres"
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "hardenedpg", "postgres")
	}
	return filepath.Join(os.TempDir(), "hardenedpg-postgres")
}

// DebianBinDir is where Debian's postgresql-15 puts the 15 binaries.
const DebianBinDir = "/usr/lib/postgresql/15/bin"

// BinDir returns the directory of a major's initdb, pg_ctl and postgres: Debian's for 15
// (PG_BIN overrides it), the npm build in CacheDir for the others.
func BinDir(major string) (string, error) {
	dir := filepath.Join(CacheDir(), "node_modules", "pg"+major, "native", "bin")
	if major == AuditMajor {
		dir = DebianBinDir
		if d := os.Getenv("PG_BIN"); d != "" {
			dir = d
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil { //nolint:gosec // the tester's own directories
		return "", fmt.Errorf("PostgreSQL %s is not installed (no %s): run %s", major, filepath.Join(dir, "initdb"), SetupCommand)
	}
	if major == AuditMajor && !hasAudit(dir) {
		return "", fmt.Errorf("pgAudit is not installed next to %s: run %s", dir, SetupCommand)
	}
	return dir, nil
}

// hasAudit reports whether pgaudit.so is in the library directory of the binaries in dir
// (Debian: ../lib, npm builds: ../lib/postgresql).
func hasAudit(dir string) bool {
	for _, lib := range []string{filepath.Join(dir, "..", "lib", "pgaudit.so"), filepath.Join(dir, "..", "lib", "postgresql", "pgaudit.so")} {
		if _, err := os.Stat(lib); err == nil { //nolint:gosec // likewise
			return true
		}
	}
	return false
}

// Launch starts a server outside a test; the caller stops it with Stop (also after an error,
// when the returned server is not nil).
func Launch(opts Options) (*Server, error) { return start(opts) }

// Start starts a server and stops it, removing its files, when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	testenv.SkipWhenShort(t, "a real PostgreSQL server")
	s, err := start(opts)
	if s != nil {
		t.Cleanup(func() {
			if err := s.Stop(); err != nil {
				t.Errorf("stopping PostgreSQL: %v", err)
			}
		})
	}
	if err != nil {
		t.Fatalf("starting PostgreSQL %s: %v", opts.Major, err)
	}
	return s
}

func start(opts Options) (*Server, error) {
	if opts.Major == "" {
		opts.Major = AuditMajor
	}
	if opts.Root != "" {
		return startIn(opts)
	}
	bin, err := BinDir(opts.Major)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "hardenedpg-pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{Major: opts.Major, Dir: dir, bin: bin, LogFile: filepath.Join(dir, "postgresql.log"), HasAudit: hasAudit(bin)}
	// initdb refuses root: run the server as the postgres user and give it the directory.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return s, fmt.Errorf("running as root needs the postgres user (installed with postgresql-15): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return s, err
		}
		s.uid, s.gid = uid, gid
		s.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	return s, s.initAndStart(opts)
}

// initAndStart makes the data directory, configures it for opts and starts the server.
func (s *Server) initAndStart(opts Options) error {
	if opts.CPUs != "" {
		s.runAs = append([]string{"taskset", "-c", opts.CPUs}, s.runAs...)
	}
	var err error
	if s.Port, err = freePort(); err != nil {
		return err
	}
	s.Password, s.MasterPassword = randomHex(16), randomHex(16)
	pwfile := filepath.Join(s.Dir, "pwfile")
	if err := s.writeFile(pwfile, s.Password+"\n", 0o600); err != nil {
		return err
	}
	s.data = filepath.Join(s.Dir, "data")
	data := s.data
	if out, err := s.run("initdb", "-D", s.in(data), "-U", Superuser, "--pwfile", s.in(pwfile), "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	_ = os.Remove(pwfile)
	conf, hba, err := s.configure(opts)
	if err != nil {
		return err
	}
	if err := s.writeFile(filepath.Join(data, "postgresql.auto.conf"), conf, 0o600); err != nil {
		return err
	}
	if err := s.writeFile(filepath.Join(data, "pg_hba.conf"), hba, 0o600); err != nil {
		return err
	}
	if out, err := s.run("pg_ctl", "-D", s.in(data), "-l", s.in(s.LogFile), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(s.LogFile)
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	if opts.Profile != Plain {
		if err := s.setUpRDSRoles(); err != nil {
			return fmt.Errorf("RDS role model: %w", err)
		}
	}
	return nil
}

// Settings are the engine parameters of a profile for a server of major, as RDS parameter
// names and values: hardenedpg.Baseline for Hardened (pgAudit's left out where the server has
// none), RDS's documented defaults for RDSDefault, none for Plain.
func Settings(profile Profile, major string, withAudit bool) map[string]string {
	out := map[string]string{}
	switch profile {
	case Hardened:
		for _, p := range hardenedpg.Baseline {
			out[p.Name] = p.Value
		}
		if !withAudit {
			for name := range out {
				if strings.HasPrefix(name, "pgaudit.") {
					delete(out, name)
				}
			}
			out["shared_preload_libraries"] = strings.Join(slices.DeleteFunc(strings.Split(out["shared_preload_libraries"], ","), func(l string) bool { return l == "pgaudit" }), ",")
		}
	case RDSDefault:
		for name, value := range baseline.RDSDefaultParameters(major) {
			out[name] = value
		}
	}
	return out
}

// configure renders postgresql.auto.conf and pg_hba.conf.
func (s *Server) configure(opts Options) (string, string, error) {
	settings := map[string]string{
		"listen_addresses":        "127.0.0.1",
		"port":                    strconv.Itoa(s.Port),
		"unix_socket_directories": s.in(s.Dir),
		"max_connections":         "100",
		"fsync":                   "off", // a throwaway server: durability buys nothing here
	}
	rds := Settings(opts.Profile, s.Major, s.HasAudit)
	for k, v := range opts.Extra {
		rds[k] = v
	}
	s.loadsAudit = s.HasAudit && slices.Contains(strings.Split(rds["shared_preload_libraries"], ","), "pgaudit")
	hba := "# TYPE  DATABASE USER     ADDRESS      METHOD\n"
	if opts.Profile == Plain {
		hba += "host    all      all      127.0.0.1/32 scram-sha-256\n"
	} else {
		lineType, method := "host", "md5"
		for name, value := range rds {
			if !strings.HasPrefix(name, "rds.") {
				continue
			}
			switch {
			case name == "rds.force_ssl" && value == "1":
				lineType = "hostssl"
			case name == "rds.force_ssl" && value == "0":
			case name == "rds.accepted_password_auth_method" && value == "scram":
				method = "scram-sha-256"
			case name == "rds.accepted_password_auth_method" && value == "md5+scram":
			default:
				return "", "", fmt.Errorf("RDS-only parameter %s = %q: pgtest.RDSOnly does not say how to apply it locally", name, value)
			}
		}
		hba += fmt.Sprintf("%-7s all      all      127.0.0.1/32 %s\n", lineType, method)
	}
	for k, v := range rds {
		if !strings.HasPrefix(k, "rds.") {
			settings[k] = v
		}
	}
	if opts.Profile != Plain {
		cert, key, root, err := s.certificates()
		if err != nil {
			return "", "", err
		}
		settings["ssl"], settings["ssl_cert_file"], settings["ssl_key_file"] = "on", s.in(cert), s.in(key)
		s.RootCert = root
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		fmt.Fprintf(&b, "%s = '%s'\n", k, strings.ReplaceAll(settings[k], "'", "''"))
	}
	return b.String(), hba, nil
}

// rdsRoles is the role model of RDS for PostgreSQL, from
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.html:
//   - rdsadmin is the superuser AWS keeps; nobody else is a superuser.
//   - rds_superuser is granted to the master; it holds the predefined monitoring roles and can
//     grant rds_iam, rds_password and rds_replication to others (WITH ADMIN OPTION).
//   - rds_iam: its members sign in with IAM tokens (the PAM method) instead of a password.
//   - the master user has LOGIN, CREATEROLE and CREATEDB and is a member of rds_superuser; it is
//     not a superuser, so it cannot set SUPERUSER, REPLICATION or BYPASSRLS (PostgreSQL's rule for
//     CREATEROLE, narrower still from 16: only roles it created or holds ADMIN on).
//
// RDS lets the master CREATE EXTENSION pgaudit; PostgreSQL marks pgaudit untrusted, so here the
// superuser creates it in template1 first and every database the master creates has it. Where the
// server has no pgAudit (the npm builds), the setup command installs an empty stand-in extension
// of that name, so the bootstrap runs unchanged; auditing itself is proven on AuditMajor.
func rdsRoles(major string) []string {
	monitoring := "pg_monitor, pg_signal_backend"
	if n, _ := strconv.Atoi(major); n >= 15 { // pg_checkpoint is new in 15
		monitoring += ", pg_checkpoint"
	}
	return []string{
		"CREATE ROLE rdsadmin SUPERUSER NOLOGIN",
		"CREATE ROLE rds_superuser NOLOGIN",
		"CREATE ROLE rds_iam NOLOGIN",
		"CREATE ROLE rds_password NOLOGIN",
		"CREATE ROLE rds_replication NOLOGIN",
		"GRANT " + monitoring + " TO rds_superuser",
		"GRANT rds_iam, rds_password, rds_replication TO rds_superuser WITH ADMIN OPTION",
		"CREATE ROLE " + Master + " LOGIN CREATEROLE CREATEDB NOSUPERUSER NOREPLICATION NOBYPASSRLS PASSWORD :'master_password'",
		"GRANT rds_superuser TO " + Master,
	}
}

func (s *Server) setUpRDSRoles() error {
	ctx := context.Background()
	c, err := s.connect(ctx, "template1", Superuser, s.Password)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close(ctx) }()
	for _, stmt := range rdsRoles(s.Major) {
		stmt = strings.ReplaceAll(stmt, ":'master_password'", "'"+s.MasterPassword+"'")
		if _, err := c.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", strings.ReplaceAll(stmt, s.MasterPassword, "…"), err)
		}
	}
	// In template1, see above; pgAudit refuses CREATE EXTENSION unless it is preloaded.
	if s.loadsAudit || !s.HasAudit {
		if _, err := c.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pgaudit"); err != nil {
			return fmt.Errorf("CREATE EXTENSION pgaudit: %w", err)
		}
	}
	return nil
}

// certificates writes a CA and a server certificate for localhost and 127.0.0.1.
func (s *Server) certificates() (cert, key, root string, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", "", err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hardenedpg test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return "", "", "", err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", "", err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return "", "", "", err
	}
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		return "", "", "", err
	}
	cert, key, root = filepath.Join(s.Dir, "server.crt"), filepath.Join(s.Dir, "server.key"), filepath.Join(s.Dir, "root.crt")
	for path, block := range map[string]*pem.Block{
		cert: {Type: "CERTIFICATE", Bytes: srvDER},
		key:  {Type: "EC PRIVATE KEY", Bytes: keyDER},
		root: {Type: "CERTIFICATE", Bytes: caDER},
	} {
		if err := s.writeFile(path, string(pem.EncodeToMemory(block)), 0o600); err != nil {
			return "", "", "", err
		}
	}
	return cert, key, root, nil
}

// writeFile writes a file the server user owns.
func (s *Server) writeFile(path, content string, mode os.FileMode) error {
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		return err
	}
	return s.chown(path)
}

// chown gives path to the user the server runs as.
func (s *Server) chown(path string) error {
	if len(s.runAs) == 0 {
		return nil
	}
	return os.Chown(path, s.uid, s.gid)
}

func (s *Server) run(name string, args ...string) ([]byte, error) {
	argv := append(append([]string{}, s.runAs...), filepath.Join(s.bin, name))
	argv = append(argv, args...)
	cmd := exec.Command(argv[0], argv[1:]...) //nolint:gosec // fixed binaries of the PostgreSQL install
	cmd.Dir = s.Dir
	return cmd.CombinedOutput()
}

// Stop stops the server and removes its directory.
func (s *Server) Stop() error {
	var stopErr error
	if _, err := os.Stat(filepath.Join(s.data, "postmaster.pid")); s.data != "" && err == nil {
		if out, err := s.run("pg_ctl", "-D", s.in(s.data), "-m", "fast", "-w", "stop"); err != nil {
			stopErr = fmt.Errorf("pg_ctl stop: %v: %s", err, out)
		}
	}
	if err := os.RemoveAll(s.Dir); err != nil && stopErr == nil {
		stopErr = err
	}
	return stopErr
}

// Log returns the server log so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.LogFile)
	return string(b)
}

// ConnConfig returns a verify-full TLS connection config for user/password to database.
func (s *Server) ConnConfig(database, user, password string) (*pgx.ConnConfig, error) {
	sslmode := "verify-full&sslrootcert=" + s.RootCert
	if s.RootCert == "" {
		sslmode = "disable"
	}
	return pgx.ParseConfig(fmt.Sprintf("postgres://%s:%s@localhost:%d/%s?sslmode=%s&connect_timeout=10",
		user, password, s.Port, database, sslmode))
}

func (s *Server) connect(ctx context.Context, database, user, password string) (*pgx.Conn, error) {
	cfg, err := s.ConnConfig(database, user, password)
	if err != nil {
		return nil, err
	}
	return pgx.ConnectConfig(ctx, cfg)
}

// Connect opens a TLS connection and closes it when the test ends.
func (s *Server) Connect(t testing.TB, database, user, password string) *pgx.Conn {
	t.Helper()
	conn, err := s.connect(context.Background(), database, user, password)
	if err != nil {
		t.Fatalf("connecting as %s: %v", user, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// AsMaster connects as the RDS-like master user.
func (s *Server) AsMaster(t testing.TB, database string) *pgx.Conn {
	t.Helper()
	return s.Connect(t, database, Master, s.MasterPassword)
}

// Superuser connects as the bootstrap superuser.
func (s *Server) Superuser(t testing.TB, database string) *pgx.Conn {
	t.Helper()
	return s.Connect(t, database, Superuser, s.Password)
}

// TLSConfig is the client TLS configuration that trusts the server's CA.
func (s *Server) TLSConfig() (*tls.Config, error) {
	pemBytes, err := os.ReadFile(s.RootCert)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	return &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }() // only the port number was wanted
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
