// Command gensettings writes baseline/pgsettings/<major>.tsv from the pg_settings of a real
// server of each supported major, so that which parameters exist and which are static is the
// engine's word, not ours, and keywords.txt from pg_get_keywords of the newest. Run it through
// go generate ./baseline.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
)

func main() {
	out := flag.String("out", "pgsettings", "directory of the tables")
	flag.Parse()
	keywords, err := pgtest.ReadReservedKeywords(baseline.KeywordsMajor)
	if err == nil {
		err = os.WriteFile(filepath.Join(*out, "keywords.txt"), []byte(keywords), 0o644) //nolint:gosec // a committed source file
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "keywords: %v\n", err)
		os.Exit(1)
	}
	for _, major := range baseline.SupportedMajorVersions {
		table, err := pgtest.ReadSettings(major)
		if err == nil {
			err = os.WriteFile(filepath.Join(*out, major+".tsv"), []byte(table), 0o644) //nolint:gosec // a committed source file
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "PostgreSQL %s: %v\n", major, err)
			os.Exit(1)
		}
	}
}
