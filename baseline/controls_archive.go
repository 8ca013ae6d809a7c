package baseline

// archiveControls are the controls of the audit archive: bucket and delivery stream, each with its check.
var archiveControls = []Control{
	{Key: "s3-object-lock", Title: "Archive buckets are Object-Locked in COMPLIANCE mode", Severity: High, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.15"}, Prowler: []string{"s3_bucket_object_lock"}, Checkov: []string{"CKV_AWS_143"}, CdkNag: []string{"S3BucketDefaultLockEnabled"}},
		check: bucketCheck("Object Lock in COMPLIANCE mode with a default retention", TypeBucketObjectLock, func(_ *Graph, f *finding, b Resource, lock *Resource) {
			if get(b.Inputs, "objectLockEnabled") != true {
				f.fail("%s: objectLockEnabled is %s, want true (it can only be set when the bucket is created)", b.Name, show(get(b.Inputs, "objectLockEnabled")))
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
		Refs: Refs{SecurityHub: []string{"S3.14"}, Prowler: []string{"s3_bucket_object_versioning"}, Checkov: []string{"CKV_AWS_21"}, CdkNag: []string{"S3BucketVersioningEnabled"}},
		check: bucketCheck("versioning is enabled", TypeBucketVersioning, func(_ *Graph, f *finding, b Resource, v *Resource) {
			if v == nil || str(object(v.Inputs, "versioningConfiguration"), "status") != "Enabled" {
				f.fail("%s: versioning is not enabled", b.Name)
			}
		}),
	},
	{Key: "s3-cmk", Title: "Archive buckets are encrypted with a stack key", Severity: Medium, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.17"}, Prowler: []string{"s3_bucket_kms_encryption"}, Checkov: []string{"CKV_AWS_145", "CKV_AWS_19"}, CdkNag: []string{"S3DefaultEncryptionKMS"}, CompliancePolicies: []string{"aws-s3-bucket-configure-server-side-encryption-customer-managed-key", "aws-s3-bucket-configure-server-side-encryption-kms", "aws-s3-bucket-enable-server-side-encryption", "aws-s3-bucket-enable-server-side-encryption-bucket-key"}},
		check: bucketCheck("SSE-KMS with a stack key and a bucket key", TypeBucketEncryption, func(g *Graph, f *finding, b Resource, enc *Resource) {
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
				if rule.(map[string]any)["bucketKeyEnabled"] != true {
					f.fail("%s: bucketKeyEnabled is %s, want true (one KMS call per bucket key, not per object)", enc.Name, show(rule.(map[string]any)["bucketKeyEnabled"]))
				}
			}
		}),
	},
	{Key: "s3-public-access-block", Title: "Archive buckets block every form of public access", Severity: Critical, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.8", "S3.2", "S3.3"}, Prowler: []string{"s3_bucket_level_public_access_block", "s3_bucket_object_public", "s3_bucket_policy_public_write_access", "s3_bucket_public_access", "s3_bucket_public_list_acl", "s3_bucket_public_write_acl"}, Checkov: []string{"CKV2_AWS_6", "CKV_AWS_20", "CKV_AWS_57", "CKV_AWS_70", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"}, CdkNag: []string{"S3BucketLevelPublicAccessProhibited", "S3BucketPublicReadProhibited", "S3BucketPublicWriteProhibited"}, CompliancePolicies: []string{"aws-s3-bucket-disallow-public-read"}},
		check: bucketCheck("all four public access blocks are on", TypeBucketPublicAccess, func(_ *Graph, f *finding, b Resource, pab *Resource) {
			if pab == nil {
				f.fail("%s: no public access block", b.Name)
				return
			}
			for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				if get(pab.Inputs, k) != true {
					f.fail("%s: %s is %s, want true", pab.Name, k, show(get(pab.Inputs, k)))
				}
			}
		}),
	},
	{Key: "s3-tls-only", Title: "Archive bucket policies refuse requests without TLS and admit no other account", Severity: Medium, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.5", "S3.6"}, Prowler: []string{"s3_bucket_secure_transport_policy", "s3_bucket_cross_account_access"}, Checkov: []string{"CKV_AWS_93"}, CdkNag: []string{"S3BucketSSLRequestsOnly"}},
		check: bucketCheck("the bucket policy denies aws:SecureTransport false and allows no other account", TypeBucketPolicy, func(g *Graph, f *finding, b Resource, policy *Resource) {
			if policy == nil {
				f.fail("%s: no bucket policy denies requests without TLS", b.Name)
				return
			}
			// A bucket's ARN names no account (arn:aws:s3:::name): the stack's keys name its owner.
			// Anyone is refused even under a condition: the archive has no public reader.
			judgeResourcePolicy(f, policy.Name, str(policy.Inputs, "policy"), func() string { return g.accountOf(b) }, true)
		}),
	},
	{Key: "firehose-cmk", Title: "Delivery streams and what they write are encrypted with a stack key", Severity: Medium, Reads: []string{TypeFirehose},
		Refs: Refs{SecurityHub: []string{"DataFirehose.1"}, Prowler: []string{"firehose_stream_encrypted_at_rest"}, Checkov: []string{"CKV_AWS_240", "CKV_AWS_241"}, CdkNag: []string{"KinesisDataFirehoseSSE"}},
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
	{Key: "s3-lifecycle", Title: "Archive buckets have a lifecycle that moves old logs cold and aborts incomplete uploads", Severity: Low, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.10", "S3.13"}, Prowler: []string{"s3_bucket_lifecycle_enabled"}, Checkov: []string{"CKV2_AWS_61", "CKV_AWS_300"}},
		check: bucketCheck("an enabled lifecycle rule transitions objects and aborts incomplete multipart uploads", TypeBucketLifecycle, func(_ *Graph, f *finding, b Resource, lc *Resource) {
			if lc == nil {
				f.fail("%s: no lifecycle configuration", b.Name)
				return
			}
			transitions, aborts := false, false
			for _, rule := range items(lc.Inputs, "rules") {
				rm, _ := rule.(map[string]any)
				if str(rm, "status") != "Enabled" {
					continue
				}
				transitions = transitions || len(items(rm, "transitions")) > 0
				_, days := num(object(rm, "abortIncompleteMultipartUpload"), "daysAfterInitiation")
				aborts = aborts || days
			}
			if !transitions {
				f.fail("%s: no enabled rule transitions objects", lc.Name)
			}
			if !aborts {
				f.fail("%s: no enabled rule aborts incomplete multipart uploads", lc.Name)
			}
		}),
	},
	{Key: "s3-acls-disabled", Title: "Archive buckets disable ACLs (the bucket owner owns every object)", Severity: Medium, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.12"}, Prowler: []string{"s3_bucket_acl_prohibited"}, Checkov: []string{"CKV2_AWS_65"}},
		check: bucketCheck("object ownership is BucketOwnerEnforced", TypeBucketOwnership, func(_ *Graph, f *finding, b Resource, own *Resource) {
			if own == nil || str(object(own.Inputs, "rule"), "objectOwnership") != "BucketOwnerEnforced" {
				f.fail("%s: object ownership is not BucketOwnerEnforced, so ACLs still grant access", b.Name)
			}
		}),
	},
}
