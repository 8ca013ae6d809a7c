// Package pgtest starts a throwaway PostgreSQL 15 with pgAudit for tests: on a free loopback
// port, TLS-only (a generated certificate for localhost and 127.0.0.1), SCRAM-only, and with the
// engine parameters of hardenedpg.Baseline, so that what RDS will run is exercised for real.
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
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

// RDSOnly maps each RDS-only parameter of the baseline to how the local server gets the same
// effect. It is the one place such parameters are translated; a baseline parameter starting with
// "rds." that is missing here fails Start.
var RDSOnly = map[string]string{
	"rds.force_ssl": "pg_hba.conf has hostssl lines only: a connection without TLS matches no line and is refused",
}

// Superuser is the bootstrap superuser; its password is generated per server.
const Superuser = "postgres"

// Server is a running PostgreSQL.
type Server struct {
	Port     int
	Dir      string
	LogFile  string
	RootCert string // the CA that signed the server certificate, for verify-full clients
	Password string // the superuser's password
	bin      string
	runAs    []string
}

// Options adjusts a server; the zero value is the hardened baseline.
type Options struct {
	// Plain starts a default configuration instead: no TLS requirement, PostgreSQL's default
	// parameters (md5-compatible scram, no audit), for comparison benchmarks.
	Plain bool
	// Extra are added to postgresql.conf.
	Extra map[string]string
}

// binDir finds the PostgreSQL 15 binaries, or explains how to install them.
func binDir() (string, error) {
	dirs := []string{os.Getenv("PG_BIN"), "/usr/lib/postgresql/15/bin"}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil { //nolint:gosec // PG_BIN is the tester's own choice
			if _, err := os.Stat(filepath.Join(d, "..", "lib", "pgaudit.so")); err != nil { //nolint:gosec // likewise
				return "", fmt.Errorf("pgAudit is not installed next to %s: apt-get install -y postgresql-15-pgaudit", d)
			}
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL 15 binaries not found (set PG_BIN or run: apt-get update && apt-get install -y postgresql-15 postgresql-15-pgaudit)")
}

// Launch starts a server outside a test; the caller stops it with Stop (also after an error,
// when the returned server is not nil).
func Launch(opts Options) (*Server, error) { return start(opts) }

// Start starts a server and stops it, removing its files, when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := start(opts)
	if s != nil {
		t.Cleanup(func() {
			if err := s.Stop(); err != nil {
				t.Errorf("stopping PostgreSQL: %v", err)
			}
		})
	}
	if err != nil {
		t.Fatalf("starting PostgreSQL: %v", err)
	}
	return s
}

func start(opts Options) (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "hardenedpg-pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, bin: bin, LogFile: filepath.Join(dir, "postgresql.log")}
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
		s.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	if s.Port, err = freePort(); err != nil {
		return s, err
	}
	s.Password = randomHex(16)
	pwfile := filepath.Join(dir, "pwfile")
	if err := s.writeFile(pwfile, s.Password+"\n", 0o600); err != nil {
		return s, err
	}
	data := filepath.Join(dir, "data")
	if out, err := s.run("initdb", "-D", data, "-U", Superuser, "--pwfile", pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"); err != nil {
		return s, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	_ = os.Remove(pwfile)
	conf, hba, err := s.configure(data, opts)
	if err != nil {
		return s, err
	}
	if err := s.writeFile(filepath.Join(data, "postgresql.auto.conf"), conf, 0o600); err != nil {
		return s, err
	}
	if err := s.writeFile(filepath.Join(data, "pg_hba.conf"), hba, 0o600); err != nil {
		return s, err
	}
	if out, err := s.run("pg_ctl", "-D", data, "-l", s.LogFile, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(s.LogFile)
		return s, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return s, nil
}

// BaselineSettings are the engine parameters of hardenedpg.Baseline as postgresql.conf settings,
// RDS-only ones left to RDSOnly.
func BaselineSettings() (map[string]string, error) {
	out := map[string]string{}
	for _, p := range hardenedpg.Baseline {
		if strings.HasPrefix(p.Name, "rds.") {
			if _, ok := RDSOnly[p.Name]; !ok {
				return nil, fmt.Errorf("baseline parameter %s is RDS-only and pgtest.RDSOnly does not say how to apply it locally", p.Name)
			}
			continue
		}
		out[p.Name] = p.Value
	}
	return out, nil
}

// configure renders postgresql.auto.conf and pg_hba.conf.
func (s *Server) configure(data string, opts Options) (string, string, error) {
	settings := map[string]string{
		"listen_addresses":        "127.0.0.1",
		"port":                    strconv.Itoa(s.Port),
		"unix_socket_directories": s.Dir,
		"max_connections":         "100",
		"fsync":                   "off", // a throwaway server: durability buys nothing here
	}
	hba := "# TYPE  DATABASE USER ADDRESS      METHOD\n"
	if opts.Plain {
		hba += "host    all      all  127.0.0.1/32 scram-sha-256\n"
	} else {
		baseline, err := BaselineSettings()
		if err != nil {
			return "", "", err
		}
		for k, v := range baseline {
			settings[k] = v
		}
		cert, key, root, err := s.certificates()
		if err != nil {
			return "", "", err
		}
		settings["ssl"], settings["ssl_cert_file"], settings["ssl_key_file"] = "on", cert, key
		s.RootCert = root
		// rds.force_ssl=1, locally: TLS connections only, each with a SCRAM password.
		hba += "hostssl all      all  127.0.0.1/32 scram-sha-256\n"
	}
	for k, v := range opts.Extra {
		settings[k] = v
	}
	var b strings.Builder
	for k, v := range settings {
		fmt.Fprintf(&b, "%s = '%s'\n", k, strings.ReplaceAll(v, "'", "''"))
	}
	return b.String(), hba, nil
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
	if len(s.runAs) == 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(path, uid, gid)
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
	if _, err := os.Stat(filepath.Join(s.Dir, "data", "postmaster.pid")); err == nil {
		if out, err := s.run("pg_ctl", "-D", filepath.Join(s.Dir, "data"), "-m", "fast", "-w", "stop"); err != nil {
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

// Connect opens a TLS connection and closes it when the test ends.
func (s *Server) Connect(t testing.TB, database, user, password string) *pgx.Conn {
	t.Helper()
	cfg, err := s.ConnConfig(database, user, password)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("connecting as %s: %v", user, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
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
