package baseline

import (
	"maps"
	"slices"
	"strings"
)

// AuroraEngine is Aurora PostgreSQL's engine. A cluster (aws:rds/cluster) holds the storage,
// its key, the master user, IAM authentication, backups and log exports; its instances
// (aws:rds/clusterInstance) hold what each host runs: class, zone, public access, monitoring,
// Performance Insights, the CA and minor upgrades. Every control reads each setting where AWS
// keeps it.
const AuroraEngine = "aurora-postgresql"

var (
	// AuroraMajorVersions are the Aurora PostgreSQL majors in standard support: 13 left it in
	// February 2026, and 17 is the newest Aurora offers (the Aurora PostgreSQL release calendar,
	// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html).
	AuroraMajorVersions = []string{"14", "15", "16", "17"}
	// AuroraLogExports are the logs an Aurora PostgreSQL cluster exports (rds-log-exports): Aurora
	// has no upgrade log, and its instance log holds what RDS writes about each host
	// (CreateDBCluster EnableCloudwatchLogsExports: "Aurora PostgreSQL - instance | postgresql |
	// iam-db-auth-error", https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html).
	AuroraLogExports = []string{"postgresql", "instance", "iam-db-auth-error"}
	// ServerlessInstanceClass is the class of an Aurora Serverless v2 instance.
	ServerlessInstanceClass = "db.serverless"
	// MaxServerlessCapacity is the most ACUs a Serverless v2 cluster scales to (256 since 2024,
	// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html).
	MaxServerlessCapacity = 256.0
)

// AuroraFamily is the parameter group family of an Aurora PostgreSQL major (pg-family-matches);
// a cluster parameter group and its instances' DB parameter groups share it.
func AuroraFamily(majorVersion string) string { return AuroraEngine + majorVersion }

// AuroraDefaultParameters are what Aurora's default groups (default.aurora-postgresqlNN) set that
// differ from the engine's boot values: none the controls accept. rds.force_ssl is 0 there ("The
// rds.force_ssl parameter is set to 0 (off) by default",
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html), and
// shared_preload_libraries is judged on the engine's empty default, as nothing documents more.
func AuroraDefaultParameters() map[string]string {
	return map[string]string{"rds.force_ssl": "0"}
}

// familyMajor splits a parameter group family into its engine prefix and major version.
func familyMajor(family string) (aurora bool, major string) {
	if m, ok := strings.CutPrefix(family, AuroraEngine); ok {
		return true, m
	}
	return false, strings.TrimPrefix(family, "postgres")
}

// clusterOf is the cluster a cluster instance belongs to: the one whose identifier (its ID, or
// the clusterIdentifier input) the instance names.
func (g *Graph) clusterOf(ci Resource) (Resource, bool) {
	want := get(ci.Inputs, "clusterIdentifier")
	for _, c := range g.ofType(TypeCluster) {
		if g.refers(want, c, "id") || g.refers(want, c, "clusterIdentifier") || want != nil && want == get(c.Inputs, "clusterIdentifier") {
			return c, true
		}
	}
	return Resource{}, false
}

// membersOf are the instances of a cluster.
func (g *Graph) membersOf(c Resource) []Resource {
	var out []Resource
	for _, ci := range g.ofType(TypeClusterInstance) {
		if owner, ok := g.clusterOf(ci); ok && owner.URN == c.URN {
			out = append(out, ci)
		}
	}
	return out
}

// clusterMultiAZ judges a cluster's availability as Security Hub RDS.15 does: instances in more
// than one zone. Instances that name no zone are placed by RDS, which may put them in one, so
// only named zones count.
func clusterMultiAZ(g *Graph, f *finding, c Resource) {
	members := g.membersOf(c)
	zones := map[string]bool{}
	for _, m := range members {
		f.read(m)
		if z := str(m.Inputs, "availabilityZone"); z != "" {
			zones[z] = true
		}
	}
	switch {
	case len(members) < 2:
		f.fail("%s: has %d instance(s), want a writer and a reader in another zone to fail over to", c.Name, len(members))
	case len(zones) < 2:
		named := append([]string{}, slices.Sorted(maps.Keys(zones))...)
		f.fail("%s: its %d instances are not placed in two or more availability zones (availabilityZone %s)", c.Name, len(members), show(named))
	}
}
