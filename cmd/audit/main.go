// Command audit judges what is live: it reads an AWS account and region (the standard credential
// chain and endpoint settings: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL and its per-service
// variants) and prints, for every RDS for PostgreSQL database found, the scorecard bin/plan prints
// for a stack. It only reads: -iam-policy prints the IAM policy it needs. It exits 0 when no control
// fails, 1 when one does (or -compare finds a difference), 2 when it could not read what it needs
// (a refused or unanswered call: the row says which call, and the permission) or on bad flags.
//
//	go run ./cmd/audit -stack prod
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUnread  = 2
	exitBadFlag = 2
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("audit", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stackName := flags.String("stack", "", "stack whose Pulumi.<stack>.yaml gives the waivers (hardenedpg:waivers)")
	dir := flags.String("dir", ".", "directory holding Pulumi.yaml")
	packConfig := flags.String("pack-config", "", "policy pack config JSON giving the waivers (make policy-config writes it)")
	asJSON := flags.Bool("json", false, "print a JSON array of documents, one per database, each as bin/plan -json prints a stack")
	compare := flags.String("compare", "", "bin/plan -json output to compare the live account with: what differs, and databases the plan does not have")
	printPolicy := flags.Bool("iam-policy", false, "print the read-only IAM policy the audit needs, and exit")
	timeout := flags.Duration("timeout", 10*time.Minute, "give up reading after this long")
	if err := flags.Parse(args); err != nil {
		return exitBadFlag
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "audit: unexpected argument %q\n", flags.Arg(0))
		return exitBadFlag
	}
	if *printPolicy {
		_, _ = stdout.Write(audit.ReadOnlyPolicy)
		return exitOK
	}
	waivers, err := waiversOf(*dir, *stackName, *packConfig)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitBadFlag
	}
	var planned []plan.Document
	if *compare != "" {
		if planned, err = readPlan(*compare); err != nil {
			fmt.Fprintln(stderr, err)
			return exitBadFlag
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "audit: AWS configuration: %v\n", err)
		return exitUnread
	}
	report, err := audit.Run(ctx, cfg, audit.Options{Waivers: waivers})
	if err != nil {
		fmt.Fprintf(stderr, "audit: %v\n", err)
		return exitUnread
	}
	var diffs []audit.Difference
	if planned != nil {
		diffs = audit.Compare(planned, report)
	}
	if *asJSON {
		if err := report.WriteJSON(stdout); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailed
		}
		for _, d := range diffs {
			fmt.Fprintln(stderr, d)
		}
	} else {
		report.WriteScorecards(stdout)
		if planned != nil {
			fmt.Fprintf(stdout, "\n== compared with %s: %d differences\n", *compare, len(diffs))
			for _, d := range diffs {
				fmt.Fprintln(stdout, d)
			}
		}
	}
	for _, f := range report.Denied() {
		fmt.Fprintf(stderr, "audit: AWS refused %s: grant the permission %s (audit -iam-policy prints all it needs)\n", f.Action, f.Action)
	}
	switch {
	case report.Fails() > 0 || len(diffs) > 0:
		return exitFailed
	case len(report.Unread()) > 0:
		return exitUnread
	}
	return exitOK
}

// waiversOf reads the waivers of a stack's config or of a pack config: the same waivers the plan
// and the policy pack apply, refused for the same reasons.
func waiversOf(dir, stack, packConfig string) (baseline.Waivers, error) {
	switch {
	case stack != "" && packConfig != "":
		return nil, errors.New("audit: give the waivers once: -stack or -pack-config, not both")
	case packConfig != "":
		data, err := os.ReadFile(packConfig) //nolint:gosec // a file the user names
		if err != nil {
			return nil, fmt.Errorf("-pack-config: %w", err)
		}
		var doc map[string]map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("-pack-config %s: want the JSON of make policy-config: %w", packConfig, err)
		}
		return baseline.PackWaivers(doc[baseline.PackWaiversPolicy])
	case stack != "":
		sc, err := plan.ReadStackConfig(dir, stack)
		if err != nil {
			return nil, err
		}
		cfg, err := sc.Load()
		if err != nil {
			return nil, err
		}
		return cfg.Args.Waivers, nil
	}
	return nil, nil
}

func readPlan(file string) ([]plan.Document, error) {
	data, err := os.ReadFile(file) //nolint:gosec // a file the user names
	if err != nil {
		return nil, fmt.Errorf("-compare: %w", err)
	}
	var one plan.Document
	if err := json.Unmarshal(data, &one); err == nil && one.Stack != "" {
		return []plan.Document{one}, nil
	}
	var many []plan.Document
	if err := json.Unmarshal(data, &many); err != nil {
		return nil, fmt.Errorf("-compare %s: want the JSON of bin/plan -json: %w", file, err)
	}
	return many, nil
}
