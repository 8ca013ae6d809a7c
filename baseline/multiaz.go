package baseline

import (
	"fmt"
	"slices"
	"strings"
)

// A Multi-AZ DB cluster is engine postgres on aws:rds/cluster: a writer and two readable
// standbys in three zones, which RDS makes itself and sets from the cluster. So the cluster holds
// what an RDS instance holds, its storage and its host settings alike (CreateDBCluster's
// MonitoringInterval, PerformanceInsightsEnabled, AutoMinorVersionUpgrade, PubliclyAccessible
// and CACertificateIdentifier: "Valid for Cluster Type: Multi-AZ DB clusters only"), runs the
// postgres family's parameters from its DB cluster parameter group, and exports the logs an
// instance exports ("RDS for PostgreSQL - postgresql | upgrade | iam-db-auth-error").
func multiAZCluster(r Resource) bool {
	return r.Type == TypeCluster && str(r.Inputs, "engine") == "postgres"
}

// familyOf is the parameter group family a database of major runs with: postgres for an RDS
// instance and a Multi-AZ DB cluster, aurora-postgresql for an Aurora cluster and its instances.
func familyOf(r Resource, major string) string {
	if r.Type == TypeInstance || multiAZCluster(r) {
		return Family(major)
	}
	return AuroraFamily(major)
}

// hosts are the resources that run the engine and hold its host settings: RDS instances, Aurora
// cluster instances, and Multi-AZ DB clusters.
func (g *Graph) hosts() []Resource {
	out := g.ofType(TypeInstance, TypeClusterInstance)
	for _, c := range g.ofType(TypeCluster) {
		if multiAZCluster(c) {
			out = append(out, c)
		}
	}
	return out
}

// multiAZFamilies are the instance families of Multi-AZ DB clusters, all with local NVMe storage
// ("Instance class availability for Multi-AZ DB clusters",
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html). Their
// sizes are RDS's (instanceFamilies); db.c6gd, sold for Multi-AZ DB clusters only, is left out
// until its sizes are read from AWS.
var multiAZFamilies = []string{"m5d", "m6gd", "m6id", "m6idn", "r5d", "r6gd", "r6id", "r6idn", "x2iedn"}

// MultiAZInstanceClass says whether a Multi-AZ DB cluster runs on class.
func MultiAZInstanceClass(class string) bool {
	parts := strings.Split(class, ".")
	_, ok := InstanceClassMemoryGiB(class)
	return ok && slices.Contains(multiAZFamilies, parts[1])
}

// MultiAZInstanceFamilies lists the families of Multi-AZ DB clusters, for error messages.
func MultiAZInstanceFamilies() []string {
	out := make([]string, len(multiAZFamilies))
	for i, f := range multiAZFamilies {
		out[i] = "db." + f
	}
	return out
}

// MultiAZMembers is how many instances RDS makes for a Multi-AZ DB cluster: a writer and two
// readers ("the request creates a writer and two reader DB instances for you", CreateDBCluster).
const MultiAZMembers = 3

// MultiAZMemberIdentifier names the i-th instance RDS makes for a Multi-AZ DB cluster. RDS names
// them itself, <cluster>-instance-1 to -3: that is why a Multi-AZ DB cluster's identifier is
// limited to 52 characters where an instance's is 63 (CreateDBCluster, DBClusterIdentifier).
func MultiAZMemberIdentifier(cluster string, i int) string {
	return fmt.Sprintf("%s-instance-%d", cluster, i+1)
}
