package baseline

// alertsControls are the controls of event subscriptions and the alerts topic, each with its check.
var alertsControls = []Control{
	{Key: "events-instance", Title: "Event subscription for instance maintenance, configuration change and failure", Severity: Low, Reads: []string{TypeInstance}, Waivable: true,
		Refs:  Refs{SecurityHub: []string{"RDS.20"}, Prowler: []string{"rds_instance_critical_event_subscription"}},
		check: eventCheck("db-instance", EventCategories["db-instance"]...),
	},
	{Key: "events-parameter-group", Title: "Event subscription for parameter group configuration change", Severity: Low, Reads: []string{TypeParameterGroup}, Waivable: true,
		Refs:  Refs{SecurityHub: []string{"RDS.21"}, Prowler: []string{"rds_instance_event_subscription_parameter_groups"}},
		check: eventCheck("db-parameter-group", EventCategories["db-parameter-group"]...),
	},
	{Key: "events-security-group", Title: "Security group changes alert: the RDS.22 subscription and an EventBridge rule on every rule change of the instance's groups", Severity: Low, Reads: []string{TypeSecurityGroup}, Waivable: true,
		Refs:  Refs{SecurityHub: []string{"RDS.22"}, Prowler: []string{"rds_instance_event_subscription_security_groups"}},
		check: securityGroupEventsCheck,
	},
	// Not in CONTROLS.md: they cover what the alerts and the audit archive add.
	{Key: "sns-cmk", Title: "Topics are encrypted with a stack key", Severity: Medium, Reads: []string{TypeTopic},
		Refs: Refs{SecurityHub: []string{"SNS.1"}, Prowler: []string{"sns_topics_kms_encryption_at_rest_enabled"}, Checkov: []string{"CKV_AWS_26"}},
		check: func(g *Graph) finding {
			f := finding{holds: "every topic is encrypted with a stack key"}
			for _, t := range g.ofType(TypeTopic) {
				f.read(t)
				if _, ok := g.keyByArn(t.Inputs["kmsMasterKeyId"]); !ok {
					f.fail("%s: kmsMasterKeyId is %s, want a key of the stack", t.Name, show(t.Inputs["kmsMasterKeyId"]))
				}
			}
			return f
		},
	},
}
