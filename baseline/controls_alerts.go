package baseline

import (
	"strings"
)

// alertsControls are the controls of event subscriptions and the alerts topic, each with its check.
var alertsControls = []Control{
	// A Multi-AZ DB cluster's three instances, which RDS makes, are db-instance sources too.
	{Key: "events-instance", Title: "Event subscription for instance maintenance, configuration change and failure", Severity: Low, Reads: []string{TypeInstance, TypeClusterInstance, TypeCluster}, Waivable: true,
		Refs:  Refs{SecurityHub: []string{"RDS.20"}, Prowler: []string{"rds_instance_critical_event_subscription"}},
		check: eventCheck("db-instance", EventCategories["db-instance"]...),
	},
	{Key: "events-cluster", Title: "Event subscription for cluster maintenance, failover and failure", Severity: Low, Reads: []string{TypeCluster}, Waivable: true,
		Refs:  Refs{SecurityHub: []string{"RDS.19"}, Prowler: []string{"rds_cluster_critical_event_subscription"}},
		check: eventCheck("db-cluster", EventCategories["db-cluster"]...),
	},
	// Security Hub's RDS.21 is the account's: a database on a default group needs it as much.
	{Key: "events-parameter-group", Title: "Event subscription for parameter group configuration change", Severity: Low, Reads: append([]string{TypeParameterGroup}, databaseTypes...), Waivable: true,
		Refs:  Refs{SecurityHub: []string{"RDS.21"}, Prowler: []string{"rds_instance_event_subscription_parameter_groups"}},
		check: eventCheck("db-parameter-group", EventCategories["db-parameter-group"]...),
	},
	{Key: "events-security-group", Title: "Security group changes alert: the RDS.22 subscription and an EventBridge rule on every rule change of the instance's groups", Severity: Low, Reads: []string{TypeSecurityGroup}, Waivable: true,
		Refs:  Refs{SecurityHub: []string{"RDS.22"}, Prowler: []string{"rds_instance_event_subscription_security_groups"}},
		check: securityGroupEventsCheck,
	},
	// Not in CONTROLS.md: they cover what the alerts and the audit archive add.
	{Key: "sns-cmk", Title: "Topics are encrypted with a stack key", Severity: Medium, Reads: []string{TypeTopic},
		Refs: Refs{SecurityHub: []string{"SNS.1"}, Prowler: []string{"sns_topics_kms_encryption_at_rest_enabled"}, Checkov: []string{"CKV_AWS_26"}, CdkNag: []string{"SNSEncryptedKMS"}},
		check: func(g *Graph) finding {
			f := finding{holds: "every topic is encrypted with a stack key"}
			for _, t := range g.ofType(TypeTopic) {
				f.read(t)
				if _, ok := g.keyByArn(get(t.Inputs, "kmsMasterKeyId")); !ok {
					f.fail("%s: kmsMasterKeyId is %s, want a key of the stack", t.Name, show(get(t.Inputs, "kmsMasterKeyId")))
				}
			}
			return f
		},
	},
	{Key: "sns-topic-policy", Title: "Topic policies admit no one outside the account and refuse publishing without TLS", Severity: High, Reads: []string{TypeTopic},
		Refs: Refs{SecurityHub: []string{"SNS.4"}, Prowler: []string{"sns_topics_not_publicly_accessible"}, Checkov: []string{"CKV_AWS_169", "CKV_AWS_385"}, CdkNag: []string{"SNSTopicSSLPublishOnly"}},
		check: func(g *Graph) finding {
			f := finding{holds: "every topic's policy allows only conditioned service principals or this account, and denies aws:SecureTransport false"}
			for _, t := range g.ofType(TypeTopic) {
				f.read(t)
				doc := str(t.Inputs, "policy")
				for _, tp := range g.referring(TypeTopicPolicy, "arn", t, "arn") {
					f.read(tp)
					doc = str(tp.Inputs, "policy")
				}
				if doc == "" {
					f.fail("%s: no topic policy: nothing refuses publishing without TLS", t.Name)
					continue
				}
				judgeResourcePolicy(&f, t.Name, doc, func() string { return g.accountOf(t) }, false)
			}
			return f
		},
	},
	{Key: "sns-subscriptions-tls", Title: "Topic subscriptions deliver over TLS", Severity: Medium, Reads: []string{TypeTopicSubscription},
		Refs: Refs{Prowler: []string{"sns_subscription_not_using_http_endpoints"}},
		check: func(g *Graph) finding {
			f := finding{holds: "no subscription uses plain http"}
			for _, s := range g.ofType(TypeTopicSubscription) {
				f.read(s)
				if strings.EqualFold(str(s.Inputs, "protocol"), "http") {
					f.fail("%s: protocol is http: alerts travel unencrypted", s.Name)
				}
			}
			return f
		},
	},
	{Key: "alarm-actions", Title: "Every alarm notifies a topic that delivers, in the alarm state", Severity: Medium, Reads: []string{TypeMetricAlarm}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"CloudWatch.15", "CloudWatch.17"}, Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured", "cloudwatch_alarm_actions_enabled"}, Checkov: []string{"CKV_AWS_319"}, CdkNag: []string{"CloudWatchAlarmAction"}},
		check: func(g *Graph) finding {
			f := finding{holds: "every alarm has its actions enabled and an alarm action on a topic whose policy and key admit CloudWatch and that has a subscriber"}
			for _, a := range g.ofType(TypeMetricAlarm) {
				f.read(a)
				if on, ok := boolean(a.Inputs, "actionsEnabled"); ok && !on {
					f.fail("%s: actionsEnabled is false", a.Name)
					continue
				}
				actions := stringList(a.Inputs, "alarmActions")
				if len(actions) == 0 {
					f.fail("%s: no alarmActions: the alarm notifies nobody", a.Name)
					continue
				}
				for _, action := range actions {
					problem, waiting := delivery(g, &f, action, EventPublisherCloudWatch)
					switch {
					case waiting:
						f.lacks("%s: %s", a.Name, problem)
					case problem != "":
						f.fail("%s: %s", a.Name, problem)
					}
				}
			}
			return f
		},
	},
}
