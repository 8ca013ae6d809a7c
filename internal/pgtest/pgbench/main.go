// Command pgbench measures what the hardened configuration costs against what a user would
// otherwise run: the same pgbench workload against RDS's default parameter group and
// hardenedpg.Baseline, on PostgreSQL 15 (Debian's, with pgAudit) and 17 (Debian 13's in the
// upgrade root, with pgAudit), with long-lived connections and with a new connection per
// transaction (-C). The server is pinned to one core and pgbench to the other; after a warm-up
// run, runs of every server are interleaved and repeated, and it prints the median and the spread
// (lowest to highest) of TPS and of the 95th percentile latency. With -attribute it measures, in the same
// interleaved runs, the hardened server with one setting at a time set back to RDS's default, so
// each setting's cost is measured rather than guessed. With -pooled it measures, on the hardened
// server, new connections per transaction direct and through PgBouncer (TLS and SCRAM on both
// sides): what pooling, as RDS Proxy does it, saves; it is not a measure of RDS Proxy itself.
//
//	go run ./internal/pgtest/pgbench -duration 5s -runs 7 -attribute -pooled
package main

import (
	"bufio"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
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
	// serverCPUs and clientCPUs pin the server and pgbench apart ("" leaves both unpinned).
	serverCPUs, clientCPUs string
}

func main() {
	var c config
	majors := flag.String("majors", "15,17", `PostgreSQL majors to measure ("" for none: -attribute or -pooled only); 17 runs in the Debian 13 root, with pgAudit`)
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "length of each pgbench run")
	flag.IntVar(&c.clients, "clients", 8, "pgbench clients (-c)")
	flag.IntVar(&c.scale, "scale", 10, "pgbench scale factor (-s)")
	flag.IntVar(&c.runs, "runs", 7, "interleaved runs per server and mode; the median and spread are reported")
	flag.BoolVar(&c.attribute, "attribute", false, "also measure the cost of each hardened setting (long-lived connections), in the same runs")
	flag.StringVar(&c.attributionMajor, "attribution-major", "17", "major of the attribution runs")
	flag.BoolVar(&c.pooled, "pooled", false, "also measure new connections per transaction through PgBouncer on the hardened server")
	pin := flag.Bool("pin", runtime.NumCPU() >= 2, "pin the server to CPU 0 and pgbench to CPU 1")
	flag.Parse()
	if c.runs < 1 || c.duration < time.Second {
		fmt.Fprintf(os.Stderr, "-runs %d -duration %s: want at least 1 run of at least 1s\n", c.runs, c.duration)
		os.Exit(2)
	}
	if *majors != "" {
		c.majors = strings.Split(*majors, ",")
	}
	if *pin {
		c.serverCPUs, c.clientCPUs = "0", "1"
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type mode struct {
	name  string
	extra []string
}

var (
	longLived = mode{"long-lived", nil}
	perTx     = mode{"new per transaction (-C)", []string{"-C"}}
)

// spec is one server to measure and the modes it is measured in.
type spec struct {
	name  string
	opts  pgtest.Options
	modes []mode
}

// sample is what one pgbench run measured.
type sample struct{ tps, p95ms float64 }

// options are the server options of a profile on major: 17 in the Debian 13 root, where it has
// pgAudit, so that both majors measure the whole baseline.
func (c config) options(major string, profile pgtest.Profile, extra map[string]string) pgtest.Options {
	o := pgtest.Options{Major: major, Profile: profile, Extra: extra, CPUs: c.serverCPUs}
	if major != pgtest.AuditMajor {
		o.Root = pgtest.UpgradeRoot()
	}
	return o
}

func run(c config) error {
	pinned := "unpinned"
	if c.serverCPUs != "" {
		pinned = fmt.Sprintf("server on CPU %s, pgbench on CPU %s", c.serverCPUs, c.clientCPUs)
	}
	fmt.Printf("pgbench, TPC-B-like, scale %d, %d clients, %s per run, %d interleaved runs, %s; each cell: median [lowest-highest]\n",
		c.scale, c.clients, c.duration, c.runs, pinned)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if len(c.majors) > 0 {
		fmt.Fprintln(tw, "major\tconnections\tRDS default TPS\thardened TPS\thardened/RDS default\tRDS default p95 ms\thardened p95 ms\t")
	}
	var attribution []spec
	var attributed map[string]map[string][]sample
	for _, major := range c.majors {
		specs := []spec{
			{"rds-default", c.options(major, pgtest.RDSDefault, nil), []mode{longLived, perTx}},
			{"hardened", c.options(major, pgtest.Hardened, nil), []mode{longLived, perTx}},
		}
		if c.attribute && major == c.attributionMajor {
			attribution = settingsSetBack(c, major)
			specs = append(specs, attribution...)
		}
		samples, err := measure(c, specs)
		if err != nil {
			return err
		}
		for _, m := range []mode{longLived, perTx} {
			rds, hard := samples["rds-default"][m.name], samples["hardened"][m.name]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.3f\t%s\t%s\t\n", major, m.name, spread(rds, tpsOf), spread(hard, tpsOf),
				median(hard, tpsOf)/median(rds, tpsOf), spread(rds, p95Of), spread(hard, p95Of))
		}
		if len(attribution) > 0 && major == c.attributionMajor {
			attributed = samples
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if attributed != nil {
		printAttribution(c.attributionMajor, attributed, attribution)
	}
	if c.attribute && !slices.Contains(c.majors, c.attributionMajor) {
		attribution = settingsSetBack(c, c.attributionMajor)
		samples, err := measure(c, append([]spec{{"hardened", c.options(c.attributionMajor, pgtest.Hardened, nil), []mode{longLived}}}, attribution...))
		if err != nil {
			return err
		}
		printAttribution(c.attributionMajor, samples, attribution)
	}
	if c.pooled {
		return pooled(c)
	}
	return nil
}

// settingsSetBack are the hardened server with each setting that differs from RDS's default set
// back to that default, one at a time: the gain is that setting's cost.
func settingsSetBack(c config, major string) []spec {
	hardened := pgtest.Settings(pgtest.Hardened, major, true)
	rdsDefault := pgtest.Settings(pgtest.RDSDefault, major, true)
	var out []spec
	for _, name := range slices.Sorted(maps.Keys(hardened)) {
		back, ok := rdsDefault[name]
		if !ok {
			back, _ = baseline.DefaultValue(major, name)
		}
		if back == hardened[name] || strings.HasPrefix(name, "pgaudit.") {
			continue // pgaudit.* only matter with the library, which shared_preload_libraries covers
		}
		out = append(out, spec{name + "=" + back, c.options(major, pgtest.Hardened, map[string]string{name: back}), []mode{longLived}})
	}
	return out
}

func printAttribution(major string, samples map[string]map[string][]sample, attribution []spec) {
	fmt.Printf("\nattribution on PostgreSQL %s, long-lived connections, in the same interleaved runs: the hardened server with one setting set back to RDS's default\n", major)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "setting set back\tTPS\tp95 ms\tcost of the hardened value\t")
	base := samples["hardened"][longLived.name]
	fmt.Fprintf(tw, "(none: hardened)\t%s\t%s\t\t\n", spread(base, tpsOf), spread(base, p95Of))
	for _, s := range attribution {
		got := samples[s.name][longLived.name]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%+.1f%%\t\n", s.name, spread(got, tpsOf), spread(got, p95Of), (median(got, tpsOf)-median(base, tpsOf))/median(got, tpsOf)*100)
	}
	_ = tw.Flush()
}

// pooled measures a new connection per transaction on the hardened server, direct and through
// PgBouncer with as many server connections as clients; runs interleave.
func pooled(c config) error {
	s, err := pgtest.Launch(pgtest.Options{Major: pgtest.AuditMajor, CPUs: c.serverCPUs})
	if s != nil {
		defer func() { _ = s.Stop() }()
	}
	if err != nil {
		return err
	}
	if _, err := pgbench(c, s, s.Port, "", "-i", "-q", "-s", strconv.Itoa(c.scale)); err != nil {
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
	samples := map[string][]sample{}
	for run := 0; run < c.runs; run++ {
		for _, path := range paths {
			got, err := bench(c, s, path.port, perTx)
			if err != nil {
				return fmt.Errorf("%s: %w", path.name, err)
			}
			samples[path.name] = append(samples[path.name], got)
		}
	}
	fmt.Printf("\npooling on PostgreSQL %s, hardened, a new connection per transaction (-C), TLS verify-full and SCRAM on every hop; PgBouncer stands in for RDS Proxy's pooling (transaction pooling, %d server connections): a measure of pooling, not of RDS Proxy\n", pgtest.AuditMajor, c.clients)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "path\tTPS\tp95 ms\tvs direct\t")
	direct := median(samples["direct"], tpsOf)
	for _, path := range paths {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2fx\t\n", path.name, spread(samples[path.name], tpsOf), spread(samples[path.name], p95Of), median(samples[path.name], tpsOf)/direct)
	}
	return tw.Flush()
}

func tpsOf(s sample) float64 { return s.tps }
func p95Of(s sample) float64 { return s.p95ms }

func median(xs []sample, of func(sample) float64) float64 {
	vs := values(xs, of)
	return vs[len(vs)/2]
}

func values(xs []sample, of func(sample) float64) []float64 {
	vs := make([]float64, len(xs))
	for i, x := range xs {
		vs[i] = of(x)
	}
	slices.Sort(vs)
	return vs
}

// spread renders the median and the range of the runs: "1234.5 [1200.1-1260.3]".
func spread(xs []sample, of func(sample) float64) string {
	vs := values(xs, of)
	format := "%.1f [%.1f-%.1f]"
	if vs[len(vs)-1] < 10 {
		format = "%.2f [%.2f-%.2f]"
	}
	return fmt.Sprintf(format, vs[len(vs)/2], vs[0], vs[len(vs)-1])
}

// measure starts the servers, initialises pgbench on each, runs every mode of every server runs
// times, interleaving servers so drift of the machine spreads over all of them.
func measure(c config, specs []spec) (map[string]map[string][]sample, error) {
	servers := map[string]*pgtest.Server{}
	defer func() {
		for _, s := range servers {
			_ = s.Stop()
		}
	}()
	for _, sp := range specs {
		s, err := pgtest.Launch(sp.opts)
		if s != nil {
			servers[sp.name] = s
		}
		if err != nil {
			return nil, fmt.Errorf("%s server: %w", sp.name, err)
		}
		if _, err := pgbench(c, s, s.Port, "", "-i", "-q", "-s", strconv.Itoa(c.scale)); err != nil {
			return nil, fmt.Errorf("%s: pgbench -i: %w", sp.name, err)
		}
		// A first run warms the caches and is not counted: it is slower on every server.
		if _, err := bench(c, s, s.Port, longLived); err != nil {
			return nil, fmt.Errorf("%s: warm-up: %w", sp.name, err)
		}
	}
	samples := map[string]map[string][]sample{}
	for run := 0; run < c.runs; run++ {
		for _, m := range []mode{longLived, perTx} {
			for _, sp := range specs {
				if !slices.ContainsFunc(sp.modes, func(x mode) bool { return x.name == m.name }) {
					continue
				}
				got, err := bench(c, servers[sp.name], servers[sp.name].Port, m)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", sp.name, m.name, err)
				}
				if samples[sp.name] == nil {
					samples[sp.name] = map[string][]sample{}
				}
				samples[sp.name][m.name] = append(samples[sp.name][m.name], got)
			}
		}
	}
	return samples, nil
}

// bench runs one pgbench of mode against port, with a per-transaction log from which it takes
// the 95th percentile latency.
func bench(c config, s *pgtest.Server, port int, m mode) (sample, error) {
	logs, err := os.MkdirTemp("", "hardenedpg-pgbench-")
	if err != nil {
		return sample{}, err
	}
	defer func() { _ = os.RemoveAll(logs) }()
	args := append([]string{"-n", "-c", strconv.Itoa(c.clients), "-j", "2", "-T", strconv.Itoa(int(c.duration.Seconds())), "-l", "--log-prefix", "tx"}, m.extra...)
	out, err := pgbench(c, s, port, logs, args...)
	if err != nil {
		return sample{}, err
	}
	match := tpsLine.FindStringSubmatch(out)
	if match == nil {
		return sample{}, fmt.Errorf("no tps line in:\n%s", out)
	}
	tps, _ := strconv.ParseFloat(match[1], 64)
	p95, err := p95Latency(logs)
	if err != nil {
		return sample{}, err
	}
	return sample{tps, p95}, nil
}

// p95Latency reads pgbench's per-transaction logs (client, transaction, latency in µs, ...) and
// returns the 95th percentile latency in milliseconds.
func p95Latency(dir string) (float64, error) {
	files, err := filepath.Glob(filepath.Join(dir, "tx.*"))
	if err != nil || len(files) == 0 {
		return 0, fmt.Errorf("no pgbench transaction log in %s", dir)
	}
	var us []float64
	for _, name := range files {
		f, err := os.Open(name) //nolint:gosec // pgbench's own log in our temporary directory
		if err != nil {
			return 0, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			if v, err := strconv.ParseFloat(fields[2], 64); err == nil {
				us = append(us, v)
			}
		}
		_ = f.Close()
	}
	if len(us) == 0 {
		return 0, fmt.Errorf("empty pgbench transaction logs in %s", dir)
	}
	slices.Sort(us)
	return us[len(us)*95/100] / 1000, nil
}

// pgbench runs Debian's client as s's superuser against port (s's, or a pooler's in front of it),
// pinned to the client's CPUs, from dir when given: TLS verify-full where the server has TLS.
func pgbench(c config, s *pgtest.Server, port int, dir string, args ...string) (string, error) {
	argv := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", pgtest.Superuser}, args...)
	argv = append(argv, "postgres")
	if c.clientCPUs != "" {
		argv = append([]string{"-c", c.clientCPUs, "pgbench"}, argv...)
	}
	program := "pgbench"
	if c.clientCPUs != "" {
		program = "taskset"
	}
	cmd := exec.Command(program, argv...) //nolint:gosec // the PostgreSQL client, fixed arguments
	cmd.Dir = dir
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
