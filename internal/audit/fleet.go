package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// FleetOptions say which accounts and Regions an audit reads, and how.
type FleetOptions struct {
	Options
	// Accounts are the account IDs to read; with Org, every active account of the Organization.
	// Neither: the caller's own account, with the caller's credentials.
	Accounts []string
	Org      bool
	// Role is the role assumed in each account (arn:PARTITION:iam::ACCOUNT:role/ROLE), from the
	// caller's credentials; required with Accounts or Org.
	Role string
	// Regions are the Regions read in each account; AllRegions reads the account's enabled
	// Regions (ec2:DescribeRegions). Neither: the configured Region.
	Regions    []string
	AllRegions bool
	// Parallel bounds how many account-Regions are read at once (1 when zero).
	Parallel int
	// SecurityHub imports each account-Region's findings into its Security Hub, stamped Now.
	SecurityHub bool
	Now         time.Time
}

// FleetOrgActions are what a fleet audit calls in the caller's account (the Organization's
// management account or a delegated administrator), besides Calls in each account it reads.
var FleetOrgActions = []string{"organizations:ListAccounts", "sts:AssumeRole"}

// Fleet is an audit of many accounts and Regions: a report per account-Region read, and what
// could not be read at all (an account whose role could not be assumed, a Region listing refused).
type Fleet struct {
	Reports  []*Report
	Failures []FleetFailure
}

// FleetFailure is an account, or an account's Region, the audit could not read.
type FleetFailure struct {
	Account string `json:"account"`
	Region  string `json:"region,omitempty"`
	Failure
}

func (f FleetFailure) String() string {
	where := f.Account
	if f.Region != "" {
		where += "/" + f.Region
	}
	return where + ": " + f.Failure.String()
}

// WithAdaptiveRetries makes every client of cfg retry throttled calls with the SDK's adaptive
// retryer, which also slows its own rate once AWS throttles: at fleet size AWS does.
func WithAdaptiveRetries(cfg aws.Config) aws.Config {
	cfg.Retryer = func() aws.Retryer {
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, func(s *retry.StandardOptions) { s.MaxAttempts = 8 })
		})
	}
	return cfg
}

// RunFleet audits every account and Region the options name, in parallel up to Parallel. An
// account or Region that cannot be read is reported, and the others are still judged.
func RunFleet(ctx context.Context, cfg aws.Config, fo FleetOptions) (*Fleet, error) {
	if (len(fo.Accounts) > 0 || fo.Org) && fo.Role == "" {
		return nil, fmt.Errorf("a fleet audit of Accounts or Org needs the Role to assume in each account")
	}
	if len(fo.Accounts) > 0 && fo.Org {
		return nil, fmt.Errorf("a fleet audit takes Accounts or Org, not both")
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("no region: set AWS_REGION or a profile's region")
	}
	cfg = WithAdaptiveRetries(cfg)
	fleet := &Fleet{}
	me, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	partition := strings.SplitN(aws.ToString(me.Arn), ":", 3)[1]
	accounts := fo.Accounts
	if fo.Org {
		if accounts, err = orgAccounts(ctx, cfg); err != nil {
			return nil, err
		}
	}
	type target struct {
		account string
		cfg     aws.Config
		region  string
	}
	var targets []target
	if len(accounts) == 0 {
		accounts = []string{aws.ToString(me.Account)}
	}
	for _, account := range accounts {
		acfg := cfg
		if fo.Role != "" {
			arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, fo.Role)
			acfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), arn, func(o *stscreds.AssumeRoleOptions) {
				o.RoleSessionName = "hardenedpg-audit"
			}))
			// Assume once here, so an account that refuses is named once, not per Region.
			if _, err := acfg.Credentials.Retrieve(ctx); err != nil {
				fleet.Failures = append(fleet.Failures, FleetFailure{Account: account, Failure: failureOf("sts:AssumeRole", arn, err)})
				continue
			}
		}
		regions := fo.Regions
		if fo.AllRegions {
			out, err := ec2.NewFromConfig(acfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
			if err != nil {
				fleet.Failures = append(fleet.Failures, FleetFailure{Account: account, Failure: failureOf("ec2:DescribeRegions", "", err)})
				continue
			}
			regions = nil
			for _, r := range out.Regions {
				regions = append(regions, aws.ToString(r.RegionName))
			}
			slices.Sort(regions)
		}
		if len(regions) == 0 {
			regions = []string{cfg.Region}
		}
		for _, region := range regions {
			targets = append(targets, target{account, acfg, region})
		}
	}
	reports := make([]*Report, len(targets))
	failures := make([]error, len(targets))
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(fo.Parallel, 1) {
		wg.Go(func() {
			for i := range work {
				tcfg := targets[i].cfg.Copy()
				tcfg.Region = targets[i].region
				tcfg.APIOptions = slices.Clone(tcfg.APIOptions) // Run appends to it
				reports[i], failures[i] = Run(ctx, tcfg, fo.Options)
				if failures[i] == nil && fo.SecurityHub {
					export := ExportToSecurityHub(ctx, tcfg, reports[i], fo.Now)
					reports[i].SecurityHub = &export
				}
			}
		})
	}
	for i := range targets {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, rep := range reports {
		if failures[i] != nil {
			fleet.Failures = append(fleet.Failures, FleetFailure{Account: targets[i].account, Region: targets[i].region, Failure: failureOf("audit", "", failures[i])})
			continue
		}
		if rep.Account == "" {
			rep.Account = targets[i].account // GetCallerIdentity refused: the account is the one assumed into
		}
		fleet.Reports = append(fleet.Reports, rep)
	}
	return fleet, nil
}

// orgAccounts lists the Organization's active accounts.
func orgAccounts(ctx context.Context, cfg aws.Config) ([]string, error) {
	var out []string
	pager := organizations.NewListAccountsPaginator(organizations.NewFromConfig(cfg), &organizations.ListAccountsInput{})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("organizations:ListAccounts (run it from the management account or a delegated administrator): %w", err)
		}
		for _, a := range page.Accounts {
			active := a.State == orgtypes.AccountStateActive || a.State == "" && a.Status == orgtypes.AccountStatusActive
			if active {
				out = append(out, aws.ToString(a.Id))
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// UnreadPlaces names what was not wholly read: an account or Region that could not be read at
// all, with why, and each account-Region where a call went unanswered (its NOT READ lines say
// which).
func (f *Fleet) UnreadPlaces() []string {
	var out []string
	for _, ff := range f.Failures {
		out = append(out, ff.String())
	}
	for _, r := range f.Reports {
		if len(r.Unread()) > 0 {
			out = append(out, r.Project())
		}
	}
	return out
}
