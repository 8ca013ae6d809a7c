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
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html).
// shared_preload_libraries is judged on the engine's empty default: AWS's table
// (AuroraClusterLevel) gives pg_stat_statements for version 14 only, and a default judged too weak
// fails a control where one judged too strong would pass it.
func AuroraDefaultParameters() map[string]string {
	return map[string]string{"rds.force_ssl": "0"}
}

// AuroraClusterLevelSource is where AWS lists the parameters of an Aurora PostgreSQL DB cluster
// parameter group: the table "Aurora PostgreSQL cluster-level parameters" of the Aurora user guide,
// made from default.aurora-postgresql14 (the guide's source, awsdocs/amazon-aurora-user-guide,
// doc_source/AuroraPostgreSQL.Reference.ParameterGroups.md at commit 0181647f).
const AuroraClusterLevelSource = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Reference.ParameterGroups.html#AuroraPostgreSQL.Reference.Parameters.Cluster"

// ClusterLevelParameter is what AWS documents of a parameter of an Aurora cluster parameter
// group: the default its table gives ("–": none listed) and the pages that place it there.
type ClusterLevelParameter struct {
	Default string
	Sources []string
}

// AuroraClusterLevel are the parameters the hardened baseline writes to an Aurora cluster
// parameter group. A parameter AWS keeps per instance would be refused by
// ModifyDBClusterParameterGroup, and the cluster with it; a test holds the baseline to this list.
var AuroraClusterLevel = func() map[string]ClusterLevelParameter {
	table := map[string]string{
		"log_connections": "–", "log_disconnections": "–", "log_min_duration_statement": "–", "log_min_error_statement": "–",
		"log_statement": "–", "password_encryption": "–", "pgaudit.log": "–", "pgaudit.role": "–",
		"rds.accepted_password_auth_method": "md5+scram", "rds.force_ssl": "0",
		"shared_preload_libraries": "pg_stat_statements", "ssl_min_protocol_version": "TLSv1.2",
	}
	// Pages that also say where a parameter goes.
	also := map[string]string{
		// "you first add pgAudit to the shared libraries on the custom DB cluster parameter group"
		"shared_preload_libraries": auroraPgAuditSetup, "pgaudit.log": auroraPgAuditSetup, "pgaudit.role": auroraPgAuditSetup,
		// "The rds.force_ssl parameter is set to 0 (off) by default"
		"rds.force_ssl": "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html",
	}
	out := map[string]ClusterLevelParameter{}
	for name, def := range table {
		p := ClusterLevelParameter{Default: def, Sources: []string{AuroraClusterLevelSource}}
		if page, ok := also[name]; ok {
			p.Sources = append(p.Sources, page)
		}
		out[name] = p
	}
	return out
}()

const auroraPgAuditSetup = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Appendix.PostgreSQL.CommonDBATasks.pgaudit.basic-setup.html"

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
