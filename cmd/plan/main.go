// Command plan runs the stack offline, without an AWS account or the Pulumi CLI, and prints the
// resources it would create with their inputs, then the control scorecard. It exits 0 when no
// control fails, 1 when one does, 2 on bad configuration.
//
//	go run ./cmd/plan -stack prod
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/config"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
)

// Exit codes.
const (
	exitOK        = 0
	exitFailed    = 1
	exitBadConfig = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("plan", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stackName := flags.String("stack", "dev", "stack whose Pulumi.<stack>.yaml is read")
	asJSON := flags.Bool("json", false, "print one JSON document instead of the tree and scorecard (-format json)")
	format := flags.String("format", "text", "text (the tree and scorecard), json (as -json), or sarif (SARIF 2.1.0 for code scanning: a result per failing, waived or unproven control, at the stack's config file)")
	asSQL := flags.Bool("sql", false, "print only the bootstrap SQL of the stack (config key hardenedpg:bootstrap)")
	asWaivers := flags.Bool("waivers-json", false, "print only the policy pack config that waives what the stack waives")
	preview := flags.Bool("preview", false, "plan as the first `pulumi preview` of a new stack sees it: what AWS assigns at apply stays unknown")
	base := flags.String("base", "", "print only, as Markdown, the controls whose status differs from the plan in this file (bin/plan -json of the base branch)")
	dir := flags.String("dir", ".", "directory holding Pulumi.yaml")
	reportPath := flags.String("report", "", "also write the report an auditor reads to this file: one self-contained HTML page, per compliance framework its requirements and the controls behind them")
	networkOutputs := flags.String("network-outputs", "", "JSON file of the network stack's outputs (pulumi stack output --json -s <networkStack>), for a stack with hardenedpg:networkStack")
	if err := flags.Parse(args); err != nil {
		return exitBadConfig
	}
	if !slices.Contains([]string{"text", "json", "sarif"}, *format) {
		fmt.Fprintf(stderr, "plan: -format %q: want text, json or sarif\n", *format)
		return exitBadConfig
	}
	// Each prints a document of its own: given together, one would be dropped silently.
	var modes []string
	for name, on := range map[string]bool{"-json": *asJSON, "-sql": *asSQL, "-waivers-json": *asWaivers, "-base": *base != "", "-format " + *format: *format != "text"} {
		if on {
			modes = append(modes, name)
		}
	}
	if len(modes) > 1 {
		slices.Sort(modes)
		fmt.Fprintf(stderr, "plan: %s each print a document of their own: give one\n", strings.Join(modes, " and "))
		return exitBadConfig
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "plan: unexpected argument %q: name the stack with -stack (e.g. -stack %s)\n", flags.Arg(0), flags.Arg(0))
		return exitBadConfig
	}
	sc, err := plan.ReadStackConfig(*dir, *stackName)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitBadConfig
	}
	monitor, err := withNetworkStack(sc, *networkOutputs)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitBadConfig
	}
	if *preview {
		monitor.PreviewFirst()
	}
	result, err := plan.Run(sc, monitor, stack.Program)
	if err != nil {
		fmt.Fprintln(stderr, err)
		var cfgErr *plan.ConfigError
		if errors.As(err, &cfgErr) {
			return exitBadConfig
		}
		return exitFailed
	}
	if *asWaivers {
		waivers := map[string]string{}
		for _, c := range result.Controls {
			if c.Status == baseline.Waived {
				waivers[c.Key] = c.Waiver
			}
		}
		doc := map[string]any{baseline.PackWaiversPolicy: map[string]any{"waivers": waivers}}
		if err := json.NewEncoder(stdout).Encode(doc); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailed
		}
		return exitFor(result.Summary)
	}
	if *reportPath != "" {
		title := "hardenedpg report: " + result.Config.Project + "/" + result.Config.Stack
		if err := plan.WriteReportFile(*reportPath, title, plan.ReportStack{Result: result}); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailed
		}
	}
	if *asSQL {
		sql, ok := result.Outputs["bootstrapSql"].(string)
		if *preview && result.Outputs == nil {
			fmt.Fprintln(stderr, "-sql with -preview: the bootstrap SQL is a stack output, unknown at a preview; drop -preview")
			return exitBadConfig
		}
		if !ok {
			fmt.Fprintf(stderr, "stack %s has no hardenedpg:bootstrap configuration\n", *stackName)
			return exitBadConfig
		}
		fmt.Fprint(stdout, sql)
		return exitOK
	}
	if *base != "" {
		before, err := readPlan(*base)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitBadConfig
		}
		plan.WriteControlChanges(stdout, *stackName, plan.CompareControls(before.Controls, result.Controls))
		return exitFor(result.Summary)
	}
	switch {
	case *asJSON || *format == "json":
		if err := plan.WriteJSON(stdout, result); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailed
		}
	case *format == "sarif":
		file := filepath.ToSlash(filepath.Join(*dir, "Pulumi."+*stackName+".yaml"))
		text, err := os.ReadFile(file) //nolint:gosec // the stack's own config, read above already
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitBadConfig
		}
		if err := plan.WriteSARIF(stdout, result, file, text); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailed
		}
	default:
		plan.WriteTree(stdout, result)
		fmt.Fprintln(stdout)
		plan.WriteScorecard(stdout, result)
	}
	return exitFor(result.Summary)
}

// withNetworkStack answers the stack's StackReference offline with the outputs in file: another
// stack cannot be read without a backend, and a plan on invented outputs would not be this stack's.
func withNetworkStack(sc *plan.StackConfig, file string) (*hardenedpgtest.Monitor, error) {
	m := hardenedpgtest.New()
	key := config.Namespace + ":networkStack"
	name, ok := sc.Values[key]
	switch {
	case !ok && file == "":
		return m, nil
	case !ok:
		return nil, fmt.Errorf("-network-outputs %s: stack %s has no %s to answer", file, sc.Stack, key)
	case file == "":
		return nil, fmt.Errorf("%s = %q: the offline plan cannot read another stack; give its outputs with -network-outputs FILE, written by: pulumi stack output --json --show-secrets -s %s > FILE", key, name, name)
	}
	data, err := os.ReadFile(file) //nolint:gosec // a file the user names
	if err != nil {
		return nil, fmt.Errorf("-network-outputs: %w", err)
	}
	var outputs map[string]any
	if err := json.Unmarshal(data, &outputs); err != nil {
		return nil, fmt.Errorf("-network-outputs %s: want the JSON object of pulumi stack output --json: %w", file, err)
	}
	m.SetStackOutputs(name, outputs)
	return m, nil
}

// readPlan reads a plan's JSON document (bin/plan -json).
func readPlan(file string) (*plan.Document, error) {
	data, err := os.ReadFile(file) //nolint:gosec // a file the user names
	if err != nil {
		return nil, fmt.Errorf("-base: %w", err)
	}
	var doc plan.Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("-base %s: want the JSON of bin/plan -json: %w", file, err)
	}
	return &doc, nil
}

// exitFor is 1 when any control fails: CI gates on it.
func exitFor(s baseline.Summary) int {
	if s.Fail > 0 {
		return exitFailed
	}
	return exitOK
}
