// Command proxy-password gives each RDS Proxy user of a stack a new password, which never passes
// through Pulumi: it puts the password in the user's secret and prints the SQL that gives the
// database role the same password, as a SCRAM-SHA-256 verifier, to run as the master user.
//
//	proxy-password -secrets "$(pulumi stack output proxySecretArns --json)" > proxy-users.sql
//	psql "host=... dbname=orders user=dbadmin sslmode=verify-full ..." -v ON_ERROR_STOP=1 -f proxy-users.sql
//
// Run it after the first `up`, and again to change the passwords. Until the SQL has run, the
// proxy cannot sign in with the new password: run both together.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/proxypassword"
)

const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("proxy-password", flag.ContinueOnError)
	flags.SetOutput(stderr)
	secrets := flags.String("secrets", "", `the proxy users' secrets, as the stack output proxySecretArns: {"<user>":"<secret ARN>"}`)
	if err := flags.Parse(args); err != nil {
		return exitUsage
	}
	var users map[string]string
	if err := json.Unmarshal([]byte(*secrets), &users); err != nil || len(users) == 0 {
		fmt.Fprintf(stderr, "proxy-password: -secrets = %q: want a JSON object of database user to secret ARN, as `pulumi stack output proxySecretArns --json` prints\n", *secrets)
		return exitUsage
	}
	if err := proxypassword.CheckUsers(users); err != nil {
		fmt.Fprintf(stderr, "proxy-password: -secrets: %v\n", err)
		return exitUsage
	}
	// The client goes to the secrets' Region, whatever the environment says.
	region := ""
	for _, user := range slices.Sorted(maps.Keys(users)) { // the first bad one, every time
		arn := users[user]
		r := baseline.ArnField(arn, 3)
		if baseline.ArnField(arn, 2) != "secretsmanager" || r == "" || region != "" && r != region {
			fmt.Fprintf(stderr, "proxy-password: -secrets[%q] = %q: want the ARN of a Secrets Manager secret, all in one Region\n", user, arn)
			return exitUsage
		}
		region = r
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		fmt.Fprintf(stderr, "proxy-password: %v\n", err)
		return exitFailed
	}
	if err := proxypassword.Set(ctx, secretsmanager.NewFromConfig(cfg), users, stdout); err != nil {
		fmt.Fprintf(stderr, "proxy-password: %v\n", err)
		return exitFailed
	}
	return exitOK
}
