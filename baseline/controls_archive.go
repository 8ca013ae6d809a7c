package baseline

import "slices"

// archiveControls are the controls of the audit archive: bucket and delivery stream, each with its check.
var archiveControls = []Control{
	{Key: "s3-object-lock", Title: "Archive buckets are Object-Locked in COMPLIANCE mode", Severity: High, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.15"}, Checkov: []string{"CKV_AWS_143"}},
		check: bucketCheck("Object Lock in COMPLIANCE mode with a default retention", TypeBucketObjectLock, func(_ *Graph, f *finding, b Resource, lock *Resource) {
			if b.Inputs["objectLockEnabled"] != true {
				f.fail("%s: objectLockEnabled is %s, want true (it can only be set when the bucket is created)", b.Name, show(b.Inputs["objectLockEnabled"]))
			}
			if lock == nil {
				f.fail("%s: no object lock configuration", b.Name)
				return
			}
			retention := object(object(lock.Inputs, "rule"), "defaultRetention")
			if str(retention, "mode") != "COMPLIANCE" {
				f.fail("%s: default retention mode is %s, want COMPLIANCE (GOVERNANCE can be bypassed)", lock.Name, show(retention["mode"]))
			}
		}),
	},
	{Key: "s3-versioning", Title: "Archive buckets are versioned", Severity: Medium, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.14"}, Prowler: []string{"s3_bucket_object_versioning"}, Checkov: []string{"CKV_AWS_21"}},
		check: bucketCheck("versioning is enabled", TypeBucketVersioning, func(_ *Graph, f *finding, b Resource, v *Resource) {
			if v == nil || str(object(v.Inputs, "versioningConfiguration"), "status") != "Enabled" {
				f.fail("%s: versioning is not enabled", b.Name)
			}
		}),
	},
	{Key: "s3-cmk", Title: "Archive buckets are encrypted with a stack key", Severity: Medium, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.17"}, Prowler: []string{"s3_bucket_kms_encryption"}, Checkov: []string{"CKV_AWS_145"}},
		check: bucketCheck("SSE-KMS with a stack key", TypeBucketEncryption, func(g *Graph, f *finding, b Resource, enc *Resource) {
			if enc == nil {
				f.fail("%s: no server-side encryption configuration", b.Name)
				return
			}
			for _, rule := range items(enc.Inputs, "rules") {
				def := object(rule.(map[string]any), "applyServerSideEncryptionByDefault")
				if str(def, "sseAlgorithm") != "aws:kms" {
					f.fail("%s: sseAlgorithm is %s, want aws:kms", enc.Name, show(def["sseAlgorithm"]))
				} else if _, ok := g.keyByArn(def["kmsMasterKeyId"]); !ok {
					f.fail("%s: kmsMasterKeyId is %s, want a key of the stack", enc.Name, show(def["kmsMasterKeyId"]))
				}
			}
		}),
	},
	{Key: "s3-public-access-block", Title: "Archive buckets block every form of public access", Severity: Critical, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.8"}, Prowler: []string{"s3_bucket_level_public_access_block"}, Checkov: []string{"CKV2_AWS_6"}},
		check: bucketCheck("all four public access blocks are on", TypeBucketPublicAccess, func(_ *Graph, f *finding, b Resource, pab *Resource) {
			if pab == nil {
				f.fail("%s: no public access block", b.Name)
				return
			}
			for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				if pab.Inputs[k] != true {
					f.fail("%s: %s is %s, want true", pab.Name, k, show(pab.Inputs[k]))
				}
			}
		}),
	},
	{Key: "s3-tls-only", Title: "Archive buckets refuse requests without TLS", Severity: Medium, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.5"}, Prowler: []string{"s3_bucket_secure_transport_policy"}},
		check: bucketCheck("the bucket policy denies aws:SecureTransport false", TypeBucketPolicy, func(_ *Graph, f *finding, b Resource, policy *Resource) {
			if policy == nil {
				f.fail("%s: no bucket policy denies requests without TLS", b.Name)
				return
			}
			statements, err := parsePolicy(str(policy.Inputs, "policy"))
			if err != nil {
				f.fail("%s: the policy is not valid JSON: %v", policy.Name, err)
				return
			}
			for _, st := range statements {
				cond, _ := st.Condition["Bool"].(map[string]any)
				if st.Effect == "Deny" && slices.Contains(Strings(cond["aws:SecureTransport"]), "false") {
					return
				}
			}
			f.fail("%s: no statement denies aws:SecureTransport false", policy.Name)
		}),
	},
	{Key: "firehose-cmk", Title: "Delivery streams and what they write are encrypted with a stack key", Severity: Medium, Reads: []string{TypeFirehose},
		Refs: Refs{Checkov: []string{"CKV_AWS_240", "CKV_AWS_241"}},
		check: func(g *Graph) finding {
			f := finding{holds: "streams encrypt at rest and write with a stack key"}
			for _, s := range g.ofType(TypeFirehose) {
				f.read(s)
				sse := object(s.Inputs, "serverSideEncryption")
				if sse["enabled"] != true || str(sse, "keyType") != "CUSTOMER_MANAGED_CMK" {
					f.fail("%s: server-side encryption is %s, want enabled with CUSTOMER_MANAGED_CMK", s.Name, show(sse))
				} else if _, ok := g.keyByArn(sse["keyArn"]); !ok {
					f.fail("%s: serverSideEncryption.keyArn is %s, want a key of the stack", s.Name, show(sse["keyArn"]))
				}
				if s3cfg := object(s.Inputs, "extendedS3Configuration"); s3cfg != nil {
					if _, ok := g.keyByArn(s3cfg["kmsKeyArn"]); !ok {
						f.fail("%s: extendedS3Configuration.kmsKeyArn is %s, want a key of the stack", s.Name, show(s3cfg["kmsKeyArn"]))
					}
				}
			}
			return f
		},
	},
}
