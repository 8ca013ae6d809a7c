package baseline

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
