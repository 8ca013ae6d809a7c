package baseline

// pgControls are the controls of the engine parameters the instance runs with, each with its check.
var pgControls = []Control{
	{Key: "pg-force-ssl", Title: "rds.force_ssl is 1", Severity: High, Reads: databaseTypes,
		Refs:  Refs{SecurityHub: []string{"RDS.38"}, Prowler: []string{"rds_instance_transport_encrypted"}, Checkov: []string{"CKV2_AWS_69"}},
		check: parameterCheck("pg-force-ssl"),
	},
	{Key: "pg-tls-min", Title: "TLS 1.2 or newer", Severity: High, Reads: databaseTypes,
		check: parameterCheck("pg-tls-min"),
	},
	{Key: "pg-scram", Title: "Only SCRAM-SHA-256 passwords: stored as SCRAM, and RDS accepts no md5 password", Severity: High, Reads: databaseTypes,
		check: parameterCheck("pg-scram"),
	},
	{Key: "pg-connection-logging", Title: "Connections and disconnections are logged", Severity: Medium, Reads: databaseTypes, Waivable: true,
		check: parameterCheck("pg-connection-logging"),
	},
	{Key: "pg-statement-logging", Title: "Slow statements are measured without their text: pg_stat_statements is loaded", Severity: Medium, Reads: databaseTypes, Waivable: true,
		check: parameterCheck("pg-statement-logging"),
	},
	// CIS's PostgreSQL rule for Cloud SQL (Checkov CKV_GCP_57) turns slow-statement logging off for the same reason.
	{Key: "pg-log-redaction", Title: "No statement text reaches the log, on success, failure or slowness: pgAudit logs DDL and ROLE with passwords redacted", Severity: High, Reads: databaseTypes, Waivable: true,
		// CKV2_AWS_30 wants log_statement and log_min_duration_statement set; here they are, to
		// none and -1, since the text of a statement can carry a password.
		Refs:  Refs{Prowler: []string{"cloudwatch_log_group_no_secrets_in_logs"}, Checkov: []string{"CKV2_AWS_30", "CKV2_AWS_27"}},
		check: parameterCheck("pg-log-redaction"),
	},
	{Key: "pg-audit", Title: "pgAudit is loaded, logs DDL and ROLE statements, and its lines reach the log", Severity: High, Reads: databaseTypes, Waivable: true,
		check: parameterCheck("pg-audit"),
	},
	{Key: "pg-family-matches", Title: "Parameter group family matches the engine major version", Severity: High, Reads: databaseTypes,
		check: databaseCheck(databaseTypes, "the family is postgres (aurora-postgresql for an Aurora cluster and its instances) and the engine major version", func(g *Graph, f *finding, r Resource, in map[string]any) {
			major := MajorOf(engineVersionOf(g, r))
			want := familyOf(r, major)
			var pg Resource
			var ok bool
			switch r.Type {
			case TypeInstance:
				pg, ok = readGroup(g, f, r, "parameterGroupName", TypeParameterGroup, want)
			case TypeCluster:
				pg, ok = readGroup(g, f, r, "dbClusterParameterGroupName", TypeClusterParameters, want)
			case TypeClusterInstance:
				pg, ok = readGroup(g, f, r, "dbParameterGroupName", TypeParameterGroup, want)
			}
			if ok && str(pg.Inputs, "family") != want {
				f.fail("%s: family is %s, want %s", pg.Name, show(get(pg.Inputs, "family")), want)
			}
		}),
	},
}
