package baseline_test

import (
	"strings"
	"testing"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// auroraTempStorageTable is the class column of AWS's table of temporary storage per Aurora
// PostgreSQL class (see auroraSizes), row by row, without db.r4, which Aurora PostgreSQL no
// longer offers.
const auroraTempStorageTable = `db.x2g.16xlarge db.x2g.12xlarge db.x2g.8xlarge db.x2g.4xlarge db.x2g.2xlarge db.x2g.xlarge db.x2g.large
db.r8g.48xlarge db.r8g.24xlarge db.r8g.16xlarge db.r8g.12xlarge db.r8g.8xlarge db.r8g.4xlarge db.r8g.2xlarge db.r8g.xlarge db.r8g.large
db.r7g.16xlarge db.r7g.12xlarge db.r7g.8xlarge db.r7g.4xlarge db.r7g.2xlarge db.r7g.xlarge db.r7g.large
db.r7i.48xlarge db.r7i.24xlarge db.r7i.16xlarge db.r7i.12xlarge db.r7i.8xlarge db.r7i.4xlarge db.r7i.2xlarge db.r7i.xlarge db.r7i.large
db.r6g.16xlarge db.r6g.12xlarge db.r6g.8xlarge db.r6g.4xlarge db.r6g.2xlarge db.r6g.xlarge db.r6g.large
db.r6i.32xlarge db.r6i.24xlarge db.r6i.16xlarge db.r6i.12xlarge db.r6i.8xlarge db.r6i.4xlarge db.r6i.2xlarge db.r6i.xlarge db.r6i.large
db.r5.24xlarge db.r5.16xlarge db.r5.12xlarge db.r5.8xlarge db.r5.4xlarge db.r5.2xlarge db.r5.xlarge db.r5.large
db.t4g.large db.t4g.medium db.t3.large db.t3.medium`

// TestAuroraClassesAreAWSTable checks every family and size either table knows, and a few that
// neither sells, against AWS's Aurora table: a class is accepted exactly when AWS lists it (or
// is an Optimized Reads class, which that table leaves out).
func TestAuroraClassesAreAWSTable(t *testing.T) {
	want := map[string]bool{}
	for _, c := range strings.Fields(auroraTempStorageTable) {
		want[c] = true
	}
	// RDS's sizes of the Optimized Reads families, which Aurora's table leaves out.
	for _, size := range strings.Fields("large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge") {
		want["db.r6gd."+size] = true
	}
	for _, size := range strings.Fields("large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge") {
		want["db.r6id."+size] = true
	}
	families := append(baseline.InstanceFamilies(), "db.r4", "db.r8gd", "db.serverless")
	sizes := strings.Fields("micro small medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge")
	for _, f := range families {
		for _, size := range sizes {
			class := f + "." + size
			if _, got := baseline.AuroraInstanceClassMemoryGiB(class); got != want[class] {
				t.Errorf("AuroraInstanceClassMemoryGiB(%q) accepted = %v, want %v (AWS's Aurora PostgreSQL table)", class, got, want[class])
			}
		}
	}
	for class, gib := range map[string]float64{"db.r8g.48xlarge": 1536, "db.r7i.24xlarge": 768, "db.x2g.large": 32, "db.t4g.medium": 4, "db.t3.large": 8} {
		if got, _ := baseline.AuroraInstanceClassMemoryGiB(class); got != gib {
			t.Errorf("AuroraInstanceClassMemoryGiB(%q) = %v GiB, want %v", class, got, gib)
		}
	}
	if got := strings.Join(baseline.AuroraInstanceFamilies(), ", "); got != "db.r5, db.r6g, db.r6gd, db.r6i, db.r6id, db.r7g, db.r7i, db.r8g, db.t3, db.t4g, db.x2g" {
		t.Errorf("AuroraInstanceFamilies() = %s", got)
	}
}
