package baseline

import (
	"slices"
	"strings"
)

// instanceFamily is one family of DB instance classes RDS offers for PostgreSQL.
type instanceFamily struct {
	// memPerVCPU is GiB per vCPU: 4 for general purpose, 8 for memory optimised, ...
	memPerVCPU float64
	sizes      []string
}

// Sizes by vCPU count (large = 2 vCPUs); burstable classes have their own memory per size.
var (
	vcpus = map[string]float64{"large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64, "24xlarge": 96, "32xlarge": 128, "48xlarge": 192}
	// burstableMemGiB is the memory of db.t3 and db.t4g by size.
	burstableMemGiB = map[string]float64{"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
)

// sizes lists the sizes from first to last, in order, leaving out those RDS does not sell in the
// family: the sizes are not contiguous (db.m7i has 24xlarge and 48xlarge, no 32xlarge).
func sizes(first, last string, except ...string) []string {
	order := []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge"}
	return slices.DeleteFunc(slices.Clone(order[slices.Index(order, first):slices.Index(order, last)+1]), func(s string) bool { return slices.Contains(except, s) })
}

// instanceFamilies are the DB instance classes RDS for PostgreSQL supports, by family, with the
// sizes of each family's row in "Supported DB engines for DB instance classes"
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.SupportAurora.html)
// and the class specifications in
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html.
var instanceFamilies = map[string]instanceFamily{
	"t3": {0, []string{"micro", "small", "medium", "large", "xlarge", "2xlarge"}}, "t4g": {0, []string{"micro", "small", "medium", "large", "xlarge", "2xlarge"}},
	"m5": {4, sizes("large", "24xlarge")}, "m5d": {4, sizes("large", "24xlarge")},
	"m6g": {4, sizes("large", "16xlarge")}, "m6gd": {4, sizes("large", "16xlarge")},
	"m6i": {4, sizes("large", "32xlarge")}, "m6id": {4, sizes("large", "32xlarge")}, "m6in": {4, sizes("large", "32xlarge")}, "m6idn": {4, sizes("large", "32xlarge")},
	"m7g": {4, sizes("large", "16xlarge")}, "m7i": {4, sizes("large", "48xlarge", "32xlarge")}, "m8g": {4, sizes("large", "48xlarge", "32xlarge")},
	"r5": {8, sizes("large", "24xlarge")}, "r5b": {8, sizes("large", "24xlarge")}, "r5d": {8, sizes("large", "24xlarge")},
	"r6g": {8, sizes("large", "16xlarge")}, "r6gd": {8, sizes("large", "16xlarge")},
	"r6i": {8, sizes("large", "32xlarge")}, "r6id": {8, sizes("large", "32xlarge")}, "r6in": {8, sizes("large", "32xlarge")}, "r6idn": {8, sizes("xlarge", "32xlarge")},
	"r7g": {8, sizes("large", "16xlarge")}, "r7i": {8, sizes("large", "48xlarge", "32xlarge")}, "r8g": {8, sizes("large", "48xlarge", "32xlarge")},
	"x2g":    {16, sizes("large", "16xlarge")},
	"x2iedn": {32, sizes("xlarge", "32xlarge", "12xlarge")},
}

// InstanceClassMemoryGiB returns the memory of a DB instance class RDS offers for PostgreSQL,
// and whether it is one.
func InstanceClassMemoryGiB(class string) (float64, bool) {
	parts := strings.Split(class, ".")
	if len(parts) != 3 || parts[0] != "db" {
		return 0, false
	}
	f, ok := instanceFamilies[parts[1]]
	if !ok || !slices.Contains(f.sizes, parts[2]) {
		return 0, false
	}
	if f.memPerVCPU == 0 {
		return burstableMemGiB[parts[2]], true
	}
	return f.memPerVCPU * vcpus[parts[2]], true
}

// InstanceFamilies lists the supported families, sorted, for error messages.
func InstanceFamilies() []string {
	out := make([]string, 0, len(instanceFamilies))
	for f := range instanceFamilies {
		out = append(out, "db."+f)
	}
	slices.Sort(out)
	return out
}

// auroraSizes are the sizes Aurora PostgreSQL sells, by family: the classes of the per-class table
// of temporary storage in "Performance and scaling for Amazon Aurora PostgreSQL"
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html#AuroraPostgreSQL.Managing.TempStorage,
// read from a copy of 2026), which lists every provisioned class but the Optimized Reads ones.
// They are RDS's sizes of each family, with no 32xlarge for r7i and r8g either; the burstable
// families come in medium and large only. db.r4, still in that table, is no longer offered for
// Aurora PostgreSQL ("Aurora DB instance classes", awsdocs/amazon-aurora-user-guide). The
// Optimized Reads families db.r6gd and db.r6id are named on "Supported DB engines for DB instance
// classes", whose sizes could not be read here: they keep RDS's.
var auroraSizes = map[string][]string{
	"r5": sizes("large", "24xlarge"), "r6g": sizes("large", "16xlarge"), "r6i": sizes("large", "32xlarge"),
	"r7g": sizes("large", "16xlarge"), "r7i": sizes("large", "48xlarge", "32xlarge"), "r8g": sizes("large", "48xlarge", "32xlarge"),
	"x2g": sizes("large", "16xlarge"), "t3": {"medium", "large"}, "t4g": {"medium", "large"},
	"r6gd": instanceFamilies["r6gd"].sizes, "r6id": instanceFamilies["r6id"].sizes,
}

// AuroraInstanceClassMemoryGiB is InstanceClassMemoryGiB for Aurora PostgreSQL's classes;
// db.serverless has no fixed memory and is not one of them.
func AuroraInstanceClassMemoryGiB(class string) (float64, bool) {
	parts := strings.Split(class, ".")
	if len(parts) != 3 || parts[0] != "db" || !slices.Contains(auroraSizes[parts[1]], parts[2]) {
		return 0, false
	}
	return InstanceClassMemoryGiB(class)
}

// AuroraInstanceFamilies lists Aurora PostgreSQL's families, sorted, for error messages.
func AuroraInstanceFamilies() []string {
	out := make([]string, 0, len(auroraSizes))
	for f := range auroraSizes {
		out = append(out, "db."+f)
	}
	slices.Sort(out)
	return out
}
