// Command pgbench measures what the hardened configuration costs: the same pgbench workload
// against a default PostgreSQL 15 and against one with the hardenedpg baseline (TLS, SCRAM,
// pgAudit ddl+role, connection logging, statement thresholds), with long-lived connections and
// with a new connection per transaction (-C). It prints TPS for each and the ratio.
//
//	go run ./internal/pgtest/pgbench -duration 10s
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
)

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)

func main() {
	duration := flag.Duration("duration", 10*time.Second, "length of each pgbench run")
	clients := flag.Int("clients", 8, "pgbench clients (-c)")
	scale := flag.Int("scale", 10, "pgbench scale factor (-s)")
	flag.Parse()
	if err := run(*duration, *clients, *scale); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type server struct {
	name string
	*pgtest.Server
}

func run(duration time.Duration, clients, scale int) error {
	var servers []server
	defer func() {
		for _, s := range servers {
			_ = s.Stop()
		}
	}()
	for _, c := range []struct {
		name string
		opts pgtest.Options
	}{{"default", pgtest.Options{Plain: true}}, {"hardened", pgtest.Options{}}} {
		s, err := pgtest.Launch(c.opts)
		if s != nil {
			servers = append(servers, server{c.name, s})
		}
		if err != nil {
			return fmt.Errorf("%s server: %w", c.name, err)
		}
		if _, err := pgbench(s, "-i", "-q", "-s", strconv.Itoa(scale)); err != nil {
			return fmt.Errorf("%s: pgbench -i: %w", c.name, err)
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(os.Stdout, "pgbench, TPC-B-like, scale %d, %d clients, %s per run, same machine for both servers\n", scale, clients, duration)
	fmt.Fprintln(tw, "connections\tdefault TPS\thardened TPS\thardened/default\t")
	for _, mode := range []struct {
		name  string
		extra []string
	}{{"long-lived", nil}, {"new per transaction (-C)", []string{"-C"}}} {
		tps := map[string]float64{}
		for _, s := range servers {
			args := append([]string{"-n", "-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(int(duration.Seconds()))}, mode.extra...)
			out, err := pgbench(s.Server, args...)
			if err != nil {
				return fmt.Errorf("%s %s: %w", s.name, mode.name, err)
			}
			m := tpsLine.FindStringSubmatch(out)
			if m == nil {
				return fmt.Errorf("%s %s: no tps line in:\n%s", s.name, mode.name, out)
			}
			tps[s.name], _ = strconv.ParseFloat(m[1], 64)
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.3f\t\n", mode.name, tps["default"], tps["hardened"], tps["hardened"]/tps["default"])
	}
	return tw.Flush()
}

// pgbench runs the client against s: TLS verify-full and SCRAM for the hardened server.
func pgbench(s *pgtest.Server, args ...string) (string, error) {
	argv := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-U", pgtest.Superuser}, args...)
	argv = append(argv, "postgres")
	cmd := exec.Command("pgbench", argv...) //nolint:gosec // the PostgreSQL client, fixed arguments
	cmd.Env = append(os.Environ(), "PGPASSWORD="+s.Password)
	if s.RootCert != "" {
		cmd.Env = append(cmd.Env, "PGSSLMODE=verify-full", "PGSSLROOTCERT="+s.RootCert)
	} else {
		cmd.Env = append(cmd.Env, "PGSSLMODE=disable")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%v\n%s", err, out)
	}
	return string(out), nil
}
