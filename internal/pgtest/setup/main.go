// Command setup installs the PostgreSQL servers the real-server tests use, or reuses them:
// Debian's PostgreSQL 15 with pgAudit, the pinned npm builds of the other majors, and the Debian 13
// root with PostgreSQL 17, pg_upgrade and pgAudit that the major-upgrade test runs in.
//
//	go run ./internal/pgtest/setup
package main

import (
	"fmt"
	"os"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
)

func main() {
	if err := pgtest.Install(os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	}
	for _, m := range append([]string{pgtest.AuditMajor}, pgtest.NPMMajors...) {
		dir, _ := pgtest.BinDir(m)
		fmt.Printf("PostgreSQL %s: %s\n", m, dir)
	}
	fmt.Printf("major-upgrade root (PostgreSQL 15 and %s, pg_upgrade): %s\n", pgtest.UpgradeMajor, pgtest.UpgradeRoot())
}
