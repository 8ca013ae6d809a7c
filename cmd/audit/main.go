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
	"regexp"
	"strings"
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
	reportPath := flags.String("report", "", "also write the report an auditor reads to this file: one self-contained HTML page, per database and compliance framework its requirements and the controls behind them, beside the plan's statuses with -compare")
	printPolicy := flags.Bool("iam-policy", false, "print the read-only IAM policy the audit needs, and exit")
	timeout := flags.Duration("timeout", 10*time.Minute, "give up reading after this long")
	accounts := flags.String("accounts", "", "comma-separated account IDs to read, assuming -role in each")
	org := flags.Bool("org", false, "read every active account of the Organization (from its management account or a delegated administrator), assuming -role in each")
	role := flags.String("role", "", "name of the role to assume in each account of -accounts or -org")
	regions := flags.String("regions", "", "comma-separated Regions to read in each account, or all (the account's enabled Regions); the configured Region by default")
	parallel := flags.Int("parallel", 4, "how many account-Regions to read at once")
	toSecurityHub := flags.Bool("security-hub", false, "import one finding per control and database into Security Hub, in the database's account and Region (ASFF; stable IDs, so a re-run updates them)")
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
	given := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { given[f.Name] = true })
	fleetOpts, err := fleetOptions(*accounts, *org, *role, *regions, *parallel, given["parallel"])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitBadFlag
	}
	if fleetOpts != nil && *compare != "" {
		fmt.Fprintln(stderr, "audit: -compare judges one account and Region against its stack's plan: give it without -accounts, -org or -regions")
		return exitBadFlag
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
	fleet := &audit.Fleet{}
	now := time.Now()
	if fleetOpts != nil {
		fleetOpts.Options = audit.Options{Waivers: waivers}
		fleetOpts.SecurityHub, fleetOpts.Now = *toSecurityHub, now
		if fleet, err = audit.RunFleet(ctx, cfg, *fleetOpts); err != nil {
			fmt.Fprintf(stderr, "audit: %v\n", err)
			return exitUnread
		}
	} else {
		cfg = audit.WithAdaptiveRetries(cfg)
		report, err := audit.Run(ctx, cfg, audit.Options{Waivers: waivers})
		if err != nil {
			fmt.Fprintf(stderr, "audit: %v\n", err)
			return exitUnread
		}
		if *toSecurityHub {
			export := audit.ExportToSecurityHub(ctx, cfg, report, now)
			report.SecurityHub = &export
		}
		fleet.Reports = []*audit.Report{report}
	}
	var diffs []audit.Difference
	if planned != nil {
		diffs = audit.Compare(planned, fleet.Reports[0])
	}
	if *reportPath != "" {
		if err := plan.WriteReportFile(*reportPath, "hardenedpg live audit", fleet.ReportStacks(planned)...); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailed
		}
	}
	if *asJSON {
		if err := fleet.WriteJSON(stdout); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailed
		}
		for _, d := range diffs {
			fmt.Fprintln(stderr, d)
		}
	} else {
		fleet.WriteScorecards(stdout)
		if planned != nil {
			fmt.Fprintf(stdout, "\n== compared with %s: %d differences\n", *compare, len(diffs))
			for _, d := range diffs {
				fmt.Fprintln(stdout, d)
			}
		}
	}
	for _, f := range fleet.Denied() {
		fmt.Fprintf(stderr, "audit: AWS refused %s: grant the permission %s (audit -iam-policy prints all it needs)\n", f.Action, f.Action)
	}
	exportFailed := false
	for _, r := range fleet.Reports {
		if e := r.SecurityHub; e != nil && (e.Imported > 0 || len(e.Failures) > 0) {
			fmt.Fprintf(stderr, "audit: Security Hub %s: %d findings imported, %d marked resolved\n", r.Project(), e.Imported, e.Resolved)
			for _, f := range e.Failures {
				fmt.Fprintf(stderr, "audit: Security Hub %s: %s\n", r.Project(), f)
				exportFailed = true
			}
		}
	}
	unread := fleet.UnreadPlaces()
	if len(unread) > 0 {
		fmt.Fprintf(stderr, "audit: not everything was read (its controls are unproven; NOT READ lines name the calls): %s\n", strings.Join(unread, "; "))
	}
	switch {
	case fleet.Fails() > 0 || len(diffs) > 0:
		return exitFailed
	case len(unread) > 0 || exportFailed:
		return exitUnread
	}
	return exitOK
}

// fleetOptions reads the flags that reach past one account and Region; nil when none is given.
func fleetOptions(accounts string, org bool, role, regions string, parallel int, parallelSet bool) (*audit.FleetOptions, error) {
	if accounts == "" && !org && role == "" && regions == "" {
		if parallelSet {
			return nil, errors.New("audit: -parallel needs -accounts, -org or -regions: one account and Region is read by itself")
		}
		return nil, nil
	}
	fo := &audit.FleetOptions{Org: org, Role: role, Parallel: parallel}
	var err error
	if fo.Accounts, err = flagList("-accounts", accounts, audit.AccountID, "an account ID: want 12 digits, comma-separated"); err != nil {
		return nil, err
	}
	switch {
	case accounts != "" && org:
		return nil, errors.New("audit: give the accounts once: -accounts or -org, not both")
	case (len(fo.Accounts) > 0 || org) && role == "":
		return nil, errors.New("audit: -role is required with -accounts and -org: the name of the role to assume in each account")
	case role != "" && len(fo.Accounts) == 0 && !org:
		return nil, errors.New("audit: -role needs -accounts or -org: the accounts to assume it in")
	case role != "" && !roleName.MatchString(role):
		return nil, fmt.Errorf("audit: -role %q: want a role's name (letters, digits and +=,.@_-, up to 64), not its ARN", role)
	case parallel < 1:
		return nil, fmt.Errorf("audit: -parallel %d: want 1 or more", parallel)
	}
	if regions == "all" {
		fo.AllRegions = true
		return fo, nil
	}
	fo.Regions, err = flagList("-regions", regions, regionName, "a Region: want names such as eu-west-1, comma-separated, or all")
	return fo, err
}

// flagList splits a comma-separated flag, refusing the first item that is not valid.
func flagList(flag, value string, valid *regexp.Regexp, want string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(value, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		if !valid.MatchString(item) {
			return nil, fmt.Errorf("audit: %s: %q is not %s", flag, item, want)
		}
		out = append(out, item)
	}
	return out, nil
}

var (
	roleName   = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
)

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
