// Command pgbench measures what the hardened configuration costs against what a user would
// otherwise run: the same pgbench workload against three servers of each major (plain
// PostgreSQL, RDS's default parameter group, and hardenedpg.Baseline), with long-lived
// connections and with a new connection per transaction (-C). Runs are interleaved and repeated;
// it prints the median TPS of each and the hardened / RDS-default ratio. With -attribute it also
// measures the hardened server with one setting at a time set back to RDS's default, so each
// setting's cost is measured rather than guessed. With -pooled it measures, on the hardened
// server, new connections per transaction direct and through PgBouncer (TLS and SCRAM on both
// sides): what pooling, as RDS Proxy does it, saves; it is not a measure of RDS Proxy itself.
//
//	go run ./internal/pgtest/pgbench -duration 10s -runs 3 -attribute -pooled
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
)

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)

type config struct {
	duration         time.Duration
	clients, scale   int
	runs             int
	majors           []string
	attribute        bool
	attributionMajor string
	pooled           bool
}

func main() {
	var c config
	majors := flag.String("majors", "15,17", `PostgreSQL majors to measure ("" for none: -attribute or -pooled only)`)
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "length of each pgbench run")
	flag.IntVar(&c.clients, "clients", 8, "pgbench clients (-c)")
	flag.IntVar(&c.scale, "scale", 10, "pgbench scale factor (-s)")
	flag.IntVar(&c.runs, "runs", 3, "runs per server and mode; the median is reported")
	flag.BoolVar(&c.attribute, "attribute", false, "also measure the cost of each hardened setting (long-lived connections)")
	flag.StringVar(&c.attributionMajor, "attribution-major", pgtest.AuditMajor, "major of the attribution runs (the one with pgAudit)")
	flag.BoolVar(&c.pooled, "pooled", false, "also measure new connections per transaction through PgBouncer on the hardened server")
	flag.Parse()
	if *majors != "" {
		c.majors = strings.Split(*majors, ",")
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type server struct {
	name string
	*pgtest.Server
}

type mode struct {
	name  string
	extra []string
}

var modes = []mode{{"long-lived", nil}, {"new per transaction (-C)", []string{"-C"}}}

func run(c config) error {
	fmt.Printf("pgbench, TPC-B-like, scale %d, %d clients, %s per run, median of %d interleaved runs\n", c.scale, c.clients, c.duration, c.runs)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if len(c.majors) > 0 {
		fmt.Fprintln(tw, "major\tconnections\tplain TPS\tRDS default TPS\thardened TPS\thardened/RDS default\t")
	}
	for _, major := range c.majors {
		servers := []struct {
			name string
			opts pgtest.Options
		}{
			{"plain", pgtest.Options{Major: major, Profile: pgtest.Plain}},
			{"rds-default", pgtest.Options{Major: major, Profile: pgtest.RDSDefault}},
			{"hardened", pgtest.Options{Major: major, Profile: pgtest.Hardened}},
		}
		medians, err := measure(c, servers, modes)
		if err != nil {
			return err
		}
		for _, m := range modes {
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.1f\t%.3f\t\n", major, m.name, medians["plain"][m.name], medians["rds-default"][m.name], medians["hardened"][m.name],
				medians["hardened"][m.name]/medians["rds-default"][m.name])
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if c.attribute {
		if err := attribute(c); err != nil {
			return err
		}
	}
	if c.pooled {
		return pooled(c)
	}
	return nil
}

// pooled measures a new connection per transaction on the hardened server, direct and through
// PgBouncer with as many server connections as clients; runs interleave.
func pooled(c config) error {
	s, err := pgtest.Launch(pgtest.Options{Major: pgtest.AuditMajor})
	if s != nil {
		defer func() { _ = s.Stop() }()
	}
	if err != nil {
		return err
	}
	if _, err := pgbench(s, s.Port, "-i", "-q", "-s", strconv.Itoa(c.scale)); err != nil {
		return fmt.Errorf("pgbench -i: %w", err)
	}
	pooler, err := s.StartPooler(c.clients)
	if err != nil {
		return err
	}
	defer pooler.Stop()
	paths := []struct {
		name string
		port int
	}{{"direct", s.Port}, {"through PgBouncer", pooler.Port}}
	samples := map[string][]float64{}
	for run := 0; run < c.runs; run++ {
		for _, path := range paths {
			out, err := pgbench(s, path.port, "-n", "-C", "-c", strconv.Itoa(c.clients), "-j", "2", "-T", strconv.Itoa(int(c.duration.Seconds())))
			if err != nil {
				return fmt.Errorf("%s: %w", path.name, err)
			}
			match := tpsLine.FindStringSubmatch(out)
			if match == nil {
				return fmt.Errorf("%s: no tps line in:\n%s", path.name, out)
			}
			tps, _ := strconv.ParseFloat(match[1], 64)
			samples[path.name] = append(samples[path.name], tps)
		}
	}
	fmt.Printf("\npooling on PostgreSQL %s, hardened, a new connection per transaction (-C), TLS verify-full and SCRAM on every hop; PgBouncer stands in for RDS Proxy's pooling (transaction pooling, %d server connections): a measure of pooling, not of RDS Proxy\n", pgtest.AuditMajor, c.clients)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "path\tTPS\tvs direct\t")
	direct := median(samples["direct"])
	for _, path := range paths {
		tps := median(samples[path.name])
		fmt.Fprintf(tw, "%s\t%.1f\t%.2fx\t\n", path.name, tps, tps/direct)
	}
	return tw.Flush()
}

func median(xs []float64) float64 {
	sorted := slices.Clone(xs)
	sort.Float64s(sorted)
	return sorted[len(sorted)/2]
}

// attribute measures the hardened server with each setting that differs from RDS's default set
// back to that default, one at a time: the gain is that setting's cost.
func attribute(c config) error {
	major := c.attributionMajor
	hardened := pgtest.Settings(pgtest.Hardened, major, true)
	rdsDefault := pgtest.Settings(pgtest.RDSDefault, major, true)
	servers := []struct {
		name string
		opts pgtest.Options
	}{{"hardened", pgtest.Options{Major: major}}}
	for _, name := range slices.Sorted(maps.Keys(hardened)) {
		back, ok := rdsDefault[name]
		if !ok {
			back, _ = baseline.DefaultValue(major, name)
		}
		if back == hardened[name] || strings.HasPrefix(name, "pgaudit.") {
			continue // pgaudit.* only matter with the library, which shared_preload_libraries covers
		}
		servers = append(servers, struct {
			name string
			opts pgtest.Options
		}{name + "=" + back, pgtest.Options{Major: major, Extra: map[string]string{name: back}}})
	}
	long := modes[:1]
	medians, err := measure(c, servers, long)
	if err != nil {
		return err
	}
	fmt.Printf("\nattribution on PostgreSQL %s, long-lived connections: the hardened server with one setting set back to RDS's default\n", major)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "setting set back\tTPS\tcost of the hardened value\t")
	base := medians["hardened"][long[0].name]
	fmt.Fprintf(tw, "(none: hardened)\t%.1f\t\t\n", base)
	for _, s := range servers[1:] {
		tps := medians[s.name][long[0].name]
		fmt.Fprintf(tw, "%s\t%.1f\t%+.1f%%\t\n", s.name, tps, (tps-base)/tps*100)
	}
	return tw.Flush()
}

// measure starts the servers, initialises pgbench on each, runs every mode runs times,
// interleaving servers so drift of the machine spreads over all of them, and returns medians.
func measure(c config, specs []struct {
	name string
	opts pgtest.Options
}, modes []mode) (map[string]map[string]float64, error) {
	var servers []server
	defer func() {
		for _, s := range servers {
			_ = s.Stop()
		}
	}()
	for _, spec := range specs {
		s, err := pgtest.Launch(spec.opts)
		if s != nil {
			servers = append(servers, server{spec.name, s})
		}
		if err != nil {
			return nil, fmt.Errorf("%s server: %w", spec.name, err)
		}
		if _, err := pgbench(s, s.Port, "-i", "-q", "-s", strconv.Itoa(c.scale)); err != nil {
			return nil, fmt.Errorf("%s: pgbench -i: %w", spec.name, err)
		}
	}
	samples := map[string]map[string][]float64{}
	for run := 0; run < c.runs; run++ {
		for _, m := range modes {
			for _, s := range servers {
				args := append([]string{"-n", "-c", strconv.Itoa(c.clients), "-j", "2", "-T", strconv.Itoa(int(c.duration.Seconds()))}, m.extra...)
				out, err := pgbench(s.Server, s.Port, args...)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", s.name, m.name, err)
				}
				match := tpsLine.FindStringSubmatch(out)
				if match == nil {
					return nil, fmt.Errorf("%s %s: no tps line in:\n%s", s.name, m.name, out)
				}
				tps, _ := strconv.ParseFloat(match[1], 64)
				if samples[s.name] == nil {
					samples[s.name] = map[string][]float64{}
				}
				samples[s.name][m.name] = append(samples[s.name][m.name], tps)
			}
		}
	}
	medians := map[string]map[string]float64{}
	for name, byMode := range samples {
		medians[name] = map[string]float64{}
		for m, xs := range byMode {
			sort.Float64s(xs)
			medians[name][m] = xs[len(xs)/2]
		}
	}
	return medians, nil
}

// pgbench runs Debian's client as s's superuser against port (s's, or a pooler's in front of it):
// TLS verify-full where the server has TLS.
func pgbench(s *pgtest.Server, port int, args ...string) (string, error) {
	argv := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", pgtest.Superuser}, args...)
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
