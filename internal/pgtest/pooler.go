package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Pooler is a PgBouncer in front of a Server, standing in for the pooling RDS Proxy does: TLS
// from the client (the server's certificate, so verify-full clients trust it), SCRAM for the
// client, and TLS verify-full plus SCRAM to the server. It measures pooling, not RDS Proxy.
type Pooler struct {
	Port int
	cmd  *exec.Cmd
	dir  string
}

// StartPooler starts PgBouncer (Debian's pgbouncer package) for the superuser, transaction
// pooling with poolSize server connections.
func (s *Server) StartPooler(poolSize int) (*Pooler, error) {
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, statErr := os.Stat("/usr/sbin/pgbouncer"); statErr != nil {
			return nil, fmt.Errorf("pgbouncer: %v; as root: apt-get install -y pgbouncer", err)
		}
		bin = "/usr/sbin/pgbouncer"
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(s.Dir, "pgbouncer")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := s.chown(dir); err != nil {
		return nil, err
	}
	ini := fmt.Sprintf(`[databases]
postgres = host=127.0.0.1 port=%d dbname=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = scram-sha-256
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_client_conn = 200
client_tls_sslmode = require
client_tls_cert_file = %s
client_tls_key_file = %s
server_tls_sslmode = verify-full
server_tls_ca_file = %s
logfile = %s
pidfile = %s
`, s.Port, port, filepath.Join(dir, "userlist.txt"), poolSize,
		filepath.Join(s.Dir, "server.crt"), filepath.Join(s.Dir, "server.key"), filepath.Join(s.Dir, "root.crt"),
		filepath.Join(dir, "pgbouncer.log"), filepath.Join(dir, "pgbouncer.pid"))
	for name, content := range map[string]string{
		"pgbouncer.ini": ini,
		// A plain password here lets PgBouncer answer the client's SCRAM and run its own to the server.
		"userlist.txt": fmt.Sprintf("%q %q\n", Superuser, s.Password),
	} {
		if err := s.writeFile(filepath.Join(dir, name), content, 0o600); err != nil {
			return nil, err
		}
	}
	argv := append(append([]string{}, s.runAs...), bin, filepath.Join(dir, "pgbouncer.ini"))
	cmd := exec.Command(argv[0], argv[1:]...) //nolint:gosec // Debian's pgbouncer with its config
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Pooler{Port: port, cmd: cmd, dir: dir}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			_ = c.Close()
			return p, nil
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log")) //nolint:gosec // the pooler's own log, in its temp dir
	p.Stop()
	return nil, fmt.Errorf("pgbouncer did not listen on %d:\n%s", port, log)
}

// Stop stops PgBouncer: the process its pidfile names (runuser may not pass a signal on), then
// the command that started it.
func (p *Pooler) Stop() {
	if raw, err := os.ReadFile(filepath.Join(p.dir, "pgbouncer.pid")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil {
			if proc, err := os.FindProcess(pid); err == nil {
				_ = proc.Signal(syscall.SIGTERM)
			}
		}
	}
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}
