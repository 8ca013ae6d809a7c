package audit

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// The account's listings each database's block filters, read once and shared.
type listing[T any] struct {
	read  bool
	items []T
	err   error
}

func (l *listing[T]) get(fetch func() ([]T, error)) ([]T, error) {
	if !l.read {
		l.read = true
		l.items, l.err = fetch()
	}
	return l.items, l.err
}

// sourcesOf are the names a database's events are raised on: itself, its parameter groups and its
// security groups.
func sourcesOf(blk *block) []string {
	var out []string
	for _, r := range blk.graph.Resources {
		switch r.Type {
		case baseline.TypeInstance, baseline.TypeCluster, baseline.TypeClusterInstance, baseline.TypeParameterGroup, baseline.TypeClusterParameters, baseline.TypeSecurityGroup:
			out = append(out, r.ID)
		}
	}
	return out
}

// readEventSubscriptions adds the RDS event subscriptions that cover the database: those naming it
// (or its groups) and those naming no source, which cover every source of their type.
func (c *clients) readEventSubscriptions(ctx context.Context, blk *block, acct *accountReads) {
	subs, err := acct.eventSubs.get(func() ([]rdstypes.EventSubscription, error) {
		var out []rdstypes.EventSubscription
		pager := rds.NewDescribeEventSubscriptionsPaginator(c.rds, &rds.DescribeEventSubscriptionsInput{})
		for pager.HasMorePages() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				return out, err
			}
			out = append(out, page.EventSubscriptionsList...)
		}
		return out, nil
	})
	if !blk.ok("rds:DescribeEventSubscriptions", "", err) {
		return
	}
	sources := sourcesOf(blk)
	for _, sub := range subs {
		if len(sub.SourceIdsList) > 0 && !slices.ContainsFunc(sub.SourceIdsList, func(id string) bool { return slices.Contains(sources, id) }) {
			continue
		}
		arn := aws.ToString(sub.EventSubscriptionArn)
		name := aws.ToString(sub.CustSubscriptionId)
		in := prune(map[string]any{"name": name, "snsTopic": s(sub.SnsTopicArn), "sourceType": s(sub.SourceType), "sourceIds": list(sub.SourceIdsList),
			"eventCategories": list(sub.EventCategoriesList), "enabled": b(sub.Enabled)})
		if tags, ok := c.rdsTagsOf(ctx, blk, arn); ok {
			in["tags"] = tags
		}
		blk.add(baseline.Resource{URN: arn, Type: baseline.TypeEventSubscription, Name: name, ID: name, Inputs: in, Outputs: map[string]any{"arn": arn}})
	}
}

// readEventRules adds the EventBridge rules whose pattern names one of the database's sources (the
// security-group change rule names its groups), with their targets.
func (c *clients) readEventRules(ctx context.Context, blk *block, acct *accountReads) {
	rules, err := acct.rules.get(func() ([]ebtypes.Rule, error) {
		var out []ebtypes.Rule
		in := &eventbridge.ListRulesInput{}
		for {
			page, err := c.events.ListRules(ctx, in)
			if err != nil {
				return out, err
			}
			out = append(out, page.Rules...)
			if page.NextToken == nil {
				return out, nil
			}
			in.NextToken = page.NextToken
		}
	})
	if !blk.ok("events:ListRules", "", err) {
		return
	}
	sources := sourcesOf(blk)
	for _, rule := range rules {
		pattern := aws.ToString(rule.EventPattern)
		if !slices.ContainsFunc(sources, func(id string) bool { return id != "" && strings.Contains(pattern, `"`+id+`"`) }) {
			continue
		}
		arn := aws.ToString(rule.Arn)
		name := aws.ToString(rule.Name)
		in := prune(map[string]any{"name": name, "description": s(rule.Description), "eventPattern": pattern, "state": string(rule.State)})
		tags, err := c.events.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if blk.ok("events:ListTagsForResource", arn, err) {
			t := map[string]any{}
			for _, tag := range tags.Tags {
				t[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			in["tags"] = t
		}
		blk.add(baseline.Resource{URN: arn, Type: baseline.TypeEventRule, Name: name, ID: name, Inputs: in, Outputs: map[string]any{"arn": arn, "name": name}})
		targets, err := c.events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
		if !blk.ok("events:ListTargetsByRule", name, err) {
			continue
		}
		for _, t := range targets.Targets {
			blk.add(baseline.Resource{URN: arn + "#target/" + aws.ToString(t.Id), Type: baseline.TypeEventTarget, Name: aws.ToString(t.Id),
				Inputs: prune(map[string]any{"rule": name, "arn": s(t.Arn), "targetId": s(t.Id), "roleArn": s(t.RoleArn)})})
		}
	}
}

// readTopics adds the topics the block's alarms, subscriptions and targets publish to, with their
// policies and subscriptions.
func (c *clients) readTopics(ctx context.Context, blk *block) {
	var arns []string
	for _, r := range blk.graph.Resources {
		var refs []string
		switch r.Type {
		case baseline.TypeMetricAlarm:
			refs = append(append(stringsOf(r.Inputs["alarmActions"]), stringsOf(r.Inputs["okActions"])...), stringsOf(r.Inputs["insufficientDataActions"])...)
		case baseline.TypeEventSubscription:
			refs = stringsOf(r.Inputs["snsTopic"])
		case baseline.TypeEventTarget:
			refs = stringsOf(r.Inputs["arn"])
		}
		for _, ref := range refs {
			if baseline.ArnField(ref, 2) == "sns" && !slices.Contains(arns, ref) {
				arns = append(arns, ref)
			}
		}
	}
	for _, arn := range arns {
		attrs, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		if !blk.ok("sns:GetTopicAttributes", arn, err) {
			continue
		}
		a := attrs.Attributes
		name := baseline.ArnField(arn, 5)
		in := map[string]any{"name": name}
		for attr, key := range map[string]string{"DisplayName": "displayName", "KmsMasterKeyId": "kmsMasterKeyId"} {
			if v := a[attr]; v != "" {
				in[key] = v
			}
		}
		tags, err := c.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if blk.ok("sns:ListTagsForResource", arn, err) {
			t := map[string]any{}
			for _, tag := range tags.Tags {
				t[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			in["tags"] = t
		}
		blk.add(baseline.Resource{URN: arn, Type: baseline.TypeTopic, Name: name, ID: arn, Inputs: in, Outputs: map[string]any{"arn": arn, "name": name}})
		if p := a["Policy"]; p != "" {
			blk.add(baseline.Resource{URN: arn + "#policy", Type: baseline.TypeTopicPolicy, Name: name + "-policy", ID: arn, Inputs: map[string]any{"arn": arn, "policy": p}})
		}
		pager := sns.NewListSubscriptionsByTopicPaginator(c.sns, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
		for pager.HasMorePages() {
			page, err := pager.NextPage(ctx)
			if !blk.ok("sns:ListSubscriptionsByTopic", arn, err) {
				break
			}
			for _, sub := range page.Subscriptions {
				subArn := aws.ToString(sub.SubscriptionArn)
				pending := subArn == "PendingConfirmation"
				urn := subArn
				if pending {
					urn = arn + "#pending/" + aws.ToString(sub.Protocol) + "/" + aws.ToString(sub.Endpoint)
				}
				blk.add(baseline.Resource{URN: urn, Type: baseline.TypeTopicSubscription, Name: aws.ToString(sub.Protocol) + ":" + aws.ToString(sub.Endpoint),
					Inputs:  prune(map[string]any{"topic": arn, "protocol": s(sub.Protocol), "endpoint": s(sub.Endpoint)}),
					Outputs: map[string]any{"arn": subArn, "pendingConfirmation": pending}})
			}
		}
	}
}

// readProxies adds the proxies whose targets are the database, with their roles and groups.
func (c *clients) readProxies(ctx context.Context, blk *block, acct *accountReads, database string) {
	proxies, err := acct.proxies.get(func() ([]rdstypes.DBProxy, error) {
		var out []rdstypes.DBProxy
		pager := rds.NewDescribeDBProxiesPaginator(c.rds, &rds.DescribeDBProxiesInput{})
		for pager.HasMorePages() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				return out, err
			}
			out = append(out, page.DBProxies...)
		}
		return out, nil
	})
	if !blk.ok("rds:DescribeDBProxies", "", err) {
		return
	}
	for _, p := range proxies {
		name := aws.ToString(p.DBProxyName)
		targets, err := c.rds.DescribeDBProxyTargets(ctx, &rds.DescribeDBProxyTargetsInput{DBProxyName: aws.String(name)})
		if !blk.ok("rds:DescribeDBProxyTargets", name, err) {
			continue
		}
		fronts := slices.ContainsFunc(targets.Targets, func(t rdstypes.DBProxyTarget) bool {
			return aws.ToString(t.RdsResourceId) == database
		})
		if !fronts {
			continue
		}
		var auths []any
		for _, a := range p.Auth {
			auths = append(auths, prune(map[string]any{"authScheme": string(a.AuthScheme), "clientPasswordAuthType": string(a.ClientPasswordAuthType),
				"description": s(a.Description), "iamAuth": string(a.IAMAuth), "secretArn": s(a.SecretArn), "username": s(a.UserName)}))
		}
		arn := aws.ToString(p.DBProxyArn)
		in := prune(map[string]any{"name": name, "engineFamily": s(p.EngineFamily), "requireTls": b(p.RequireTLS), "debugLogging": b(p.DebugLogging),
			"roleArn": s(p.RoleArn), "auths": auths, "vpcSecurityGroupIds": list(p.VpcSecurityGroupIds), "vpcSubnetIds": list(p.VpcSubnetIds),
			"idleClientTimeout": n(p.IdleClientTimeout)})
		if tags, ok := c.rdsTagsOf(ctx, blk, arn); ok {
			in["tags"] = tags
		}
		blk.add(baseline.Resource{URN: arn, Type: baseline.TypeProxy, Name: name, ID: name, Inputs: in, Outputs: map[string]any{"arn": arn, "name": name}})
		target := map[string]any{"dbProxyName": name, "dbInstanceIdentifier": database, "targetGroupName": "default"}
		if db := blk.database(); db != nil && db.Type == baseline.TypeCluster {
			target = map[string]any{"dbProxyName": name, "dbClusterIdentifier": database, "targetGroupName": "default"}
		}
		blk.add(baseline.Resource{URN: arn + "#target/" + database, Type: TypeProxyTarget, Name: name + "-" + database, Inputs: target})
		c.readSecurityGroups(ctx, blk, p.VpcSecurityGroupIds)
		c.readRole(ctx, blk, aws.ToString(p.RoleArn))
	}
}

// readBackups adds the AWS Backup selections that name the database, their plans, the vaults
// the plans write to, and those vaults' locks.
func (c *clients) readBackups(ctx context.Context, blk *block, acct *accountReads, dbArn string) {
	plans, err := acct.plans.get(func() ([]backuptypes.BackupPlansListMember, error) {
		var out []backuptypes.BackupPlansListMember
		pager := backup.NewListBackupPlansPaginator(c.backup, &backup.ListBackupPlansInput{})
		for pager.HasMorePages() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				return out, err
			}
			out = append(out, page.BackupPlansList...)
		}
		return out, nil
	})
	if !blk.ok("backup:ListBackupPlans", "", err) {
		return
	}
	for _, p := range plans {
		id := aws.ToString(p.BackupPlanId)
		sels, err := c.backup.ListBackupSelections(ctx, &backup.ListBackupSelectionsInput{BackupPlanId: aws.String(id)})
		if !blk.ok("backup:ListBackupSelections", id, err) {
			c.readPlan(ctx, blk, p) // it may cover the database: its vaults are judged, the rest unproven
			continue
		}
		covered := false
		for _, sm := range sels.BackupSelectionsList {
			sel, err := c.backup.GetBackupSelection(ctx, &backup.GetBackupSelectionInput{BackupPlanId: aws.String(id), SelectionId: sm.SelectionId})
			if !blk.ok("backup:GetBackupSelection", aws.ToString(sm.SelectionId), err) || sel.BackupSelection == nil {
				continue
			}
			if !slices.Contains(sel.BackupSelection.Resources, dbArn) && !slices.Contains(sel.BackupSelection.Resources, "*") {
				continue
			}
			covered = true
			bs := sel.BackupSelection
			blk.add(baseline.Resource{URN: "arn:aws:backup:selection/" + id + "/" + aws.ToString(sm.SelectionId), Type: baseline.TypeBackupSelection, Name: aws.ToString(bs.SelectionName),
				ID:     aws.ToString(sm.SelectionId),
				Inputs: prune(map[string]any{"name": s(bs.SelectionName), "planId": id, "iamRoleArn": s(bs.IamRoleArn), "resources": list(bs.Resources), "notResources": list(bs.NotResources)})})
			c.readRole(ctx, blk, aws.ToString(bs.IamRoleArn))
		}
		if covered {
			c.readPlan(ctx, blk, p)
		}
	}
}

func (c *clients) readPlan(ctx context.Context, blk *block, p backuptypes.BackupPlansListMember) {
	id := aws.ToString(p.BackupPlanId)
	plan, err := c.backup.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: aws.String(id)})
	if !blk.ok("backup:GetBackupPlan", id, err) || plan.BackupPlan == nil {
		return
	}
	var rules []any
	var vaults []string
	for _, r := range plan.BackupPlan.Rules {
		var copies []any
		for _, ca := range r.CopyActions {
			copies = append(copies, prune(map[string]any{"destinationVaultArn": s(ca.DestinationBackupVaultArn), "lifecycle": lifecycle(ca.Lifecycle)}))
		}
		rule := prune(map[string]any{"ruleName": s(r.RuleName), "targetVaultName": s(r.TargetBackupVaultName), "schedule": s(r.ScheduleExpression),
			"startWindow": n64(r.StartWindowMinutes), "completionWindow": n64(r.CompletionWindowMinutes), "lifecycle": lifecycle(r.Lifecycle),
			"recoveryPointTags": stringMap(r.RecoveryPointTags)})
		if len(copies) > 0 {
			rule["copyActions"] = copies
		}
		rules = append(rules, rule)
		vaults = append(vaults, aws.ToString(r.TargetBackupVaultName))
	}
	arn := aws.ToString(plan.BackupPlanArn)
	in := prune(map[string]any{"name": s(plan.BackupPlan.BackupPlanName), "rules": rules})
	if tags, ok := c.backupTags(ctx, blk, arn); ok {
		in["tags"] = tags
	}
	blk.add(baseline.Resource{URN: arn, Type: baseline.TypeBackupPlan, Name: aws.ToString(plan.BackupPlan.BackupPlanName), ID: id, Inputs: in, Outputs: map[string]any{"arn": arn}})
	for _, v := range slices.Compact(slices.Sorted(slices.Values(vaults))) {
		c.readVault(ctx, blk, v)
	}
}

func lifecycle(l *backuptypes.Lifecycle) any {
	if l == nil {
		return nil
	}
	return prune(map[string]any{"deleteAfter": n64(l.DeleteAfterDays), "coldStorageAfter": n64(l.MoveToColdStorageAfterDays)})
}

func (c *clients) backupTags(ctx context.Context, blk *block, arn string) (map[string]any, bool) {
	tags, err := c.backup.ListTags(ctx, &backup.ListTagsInput{ResourceArn: aws.String(arn)})
	if !blk.ok("backup:ListTags", arn, err) {
		return nil, false
	}
	return stringMap(tags.Tags), true
}

func (c *clients) readVault(ctx context.Context, blk *block, name string) {
	v, err := c.backup.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String(name)})
	if !blk.ok("backup:DescribeBackupVault", name, err) {
		return
	}
	arn := aws.ToString(v.BackupVaultArn)
	in := prune(map[string]any{"name": name, "kmsKeyArn": s(v.EncryptionKeyArn)})
	if tags, ok := c.backupTags(ctx, blk, arn); ok {
		in["tags"] = tags
	}
	blk.add(baseline.Resource{URN: arn, Type: baseline.TypeBackupVault, Name: name, ID: name, Inputs: in, Outputs: map[string]any{"arn": arn, "name": name}})
	// A vault's lock is part of the vault in AWS's API; the provider models it as its own resource.
	if aws.ToBool(v.Locked) || v.MinRetentionDays != nil || v.MaxRetentionDays != nil {
		blk.add(baseline.Resource{URN: arn + "#lock", Type: baseline.TypeBackupVaultLock, Name: name + "-lock", ID: name,
			Inputs: prune(map[string]any{"backupVaultName": name, "minRetentionDays": n64(v.MinRetentionDays), "maxRetentionDays": n64(v.MaxRetentionDays)})})
	}
}

// readReplications adds the automated backups an instance replicates to other regions, read in
// the region they are kept in.
func (c *clients) readReplications(ctx context.Context, blk *block, db rdstypes.DBInstance) {
	for _, rep := range db.DBInstanceAutomatedBackupsReplications {
		arn := aws.ToString(rep.DBInstanceAutomatedBackupsArn)
		out, err := c.rdsRegion(baseline.ArnField(arn, 3)).DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{DBInstanceAutomatedBackupsArn: aws.String(arn)})
		if !blk.ok("rds:DescribeDBInstanceAutomatedBackups", arn, err) || len(out.DBInstanceAutomatedBackups) == 0 {
			continue
		}
		ab := out.DBInstanceAutomatedBackups[0]
		blk.add(baseline.Resource{URN: arn, Type: baseline.TypeBackupReplication, Name: aws.ToString(ab.DBInstanceIdentifier) + "-replication", ID: arn,
			Inputs:  prune(map[string]any{"sourceDbInstanceArn": s(db.DBInstanceArn), "kmsKeyId": s(ab.KmsKeyId), "retentionPeriod": n(ab.BackupRetentionPeriod)}),
			Outputs: map[string]any{"arn": arn}})
	}
}

// resolveKey turns a customer key named by alias or key ID (a topic's kmsMasterKeyId may be
// either) into its ARN, the form the catalog links keys by. AWS's own aliases stay as they are:
// the controls judge them as AWS managed keys.
func (c *clients) resolveKey(ctx context.Context, blk *block, r *baseline.Resource, input, ref string) string {
	if strings.HasPrefix(ref, "alias/aws/") {
		return ref
	}
	desc, err := c.kmsIn(ref).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
	if !blk.ok("kms:DescribeKey", ref, err) || desc.KeyMetadata == nil || desc.KeyMetadata.KeyManager != "CUSTOMER" {
		return ref
	}
	arn := aws.ToString(desc.KeyMetadata.Arn)
	r.Inputs[input], r.Outputs[input] = arn, arn
	return arn
}

// readKeys adds every customer key the block's resources name, with its policy and rotation.
func (c *clients) readKeys(ctx context.Context, blk *block) {
	var refs []string
	for i := range blk.graph.Resources {
		r := &blk.graph.Resources[i]
		for _, k := range []string{"kmsKeyId", "kmsKeyArn", "kmsMasterKeyId", "performanceInsightsKmsKeyId", "masterUserSecretKmsKeyId"} {
			v := str(r.Inputs[k])
			if v != "" && !strings.Contains(v, ":key/") {
				v = c.resolveKey(ctx, blk, r, k, v)
			}
			if strings.HasPrefix(v, "arn:") && strings.Contains(v, ":key/") && !slices.Contains(refs, v) {
				refs = append(refs, v)
			}
		}
	}
	for _, arn := range refs {
		client := c.kmsIn(arn)
		desc, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
		if !blk.ok("kms:DescribeKey", arn, err) || desc.KeyMetadata == nil {
			continue
		}
		md := desc.KeyMetadata
		if md.KeyManager == "AWS" {
			continue // an AWS managed key is not the stack's: the controls that read it say so
		}
		in := prune(map[string]any{"description": s(md.Description), "isEnabled": md.Enabled, "keyUsage": string(md.KeyUsage),
			"customerMasterKeySpec": string(md.KeySpec), "multiRegion": b(md.MultiRegion)})
		outputs := map[string]any{"arn": arn, "keyId": aws.ToString(md.KeyId)}
		if md.KeyState == "PendingDeletion" {
			in["isEnabled"] = false
			outputs["keyState"] = string(md.KeyState)
			if md.DeletionDate != nil {
				outputs["deletionDate"] = md.DeletionDate.UTC().Format("2006-01-02")
			}
		}
		policy, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(arn), PolicyName: aws.String("default")})
		if blk.ok("kms:GetKeyPolicy", arn, err) {
			in["policy"] = aws.ToString(policy.Policy)
		}
		rotation, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(arn)})
		if blk.ok("kms:GetKeyRotationStatus", arn, err) {
			in["enableKeyRotation"] = rotation.KeyRotationEnabled
			if rotation.RotationPeriodInDays != nil {
				in["rotationPeriodInDays"] = n(rotation.RotationPeriodInDays)
			}
		}
		tags, err := client.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(arn)})
		if blk.ok("kms:ListResourceTags", arn, err) {
			t := map[string]any{}
			for _, tag := range tags.Tags {
				t[aws.ToString(tag.TagKey)] = aws.ToString(tag.TagValue)
			}
			in["tags"] = t
		}
		blk.add(baseline.Resource{URN: arn, Type: baseline.TypeKey, Name: aws.ToString(md.KeyId), ID: aws.ToString(md.KeyId), Inputs: in, Outputs: outputs})
		c.readGrants(ctx, blk, client, arn)
	}
}

// readGrants adds the grants of a key, but those an AWS service holds: RDS and other services
// grant themselves the use of a key for the resources it encrypts, which the key policy admits
// and the catalog does not judge.
func (c *clients) readGrants(ctx context.Context, blk *block, client *kms.Client, keyArn string) {
	p := kms.NewListGrantsPaginator(client, &kms.ListGrantsInput{KeyId: aws.String(keyArn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if !blk.ok("kms:ListGrants", keyArn, err) {
			return
		}
		for _, gr := range page.Grants {
			grantee := aws.ToString(gr.GranteePrincipal)
			if strings.HasSuffix(grantee, ".amazonaws.com") {
				continue
			}
			ops := make([]any, 0, len(gr.Operations))
			for _, op := range gr.Operations {
				ops = append(ops, string(op))
			}
			in := map[string]any{"keyId": keyArn, "granteePrincipal": grantee, "operations": ops}
			if gr.Constraints != nil {
				constraint := map[string]any{}
				for key, m := range map[string]map[string]string{"encryptionContextEquals": gr.Constraints.EncryptionContextEquals, "encryptionContextSubset": gr.Constraints.EncryptionContextSubset} {
					if len(m) > 0 {
						constraint[key] = stringMap(m)
					}
				}
				in["constraints"] = []any{constraint}
			}
			if r := aws.ToString(gr.RetiringPrincipal); r != "" {
				in["retiringPrincipal"] = r
			}
			id := aws.ToString(gr.GrantId)
			name := aws.ToString(gr.Name)
			if name == "" {
				name = id
			}
			blk.add(baseline.Resource{URN: keyArn + "#grant/" + id, Type: baseline.TypeKeyGrant, Name: name, ID: id, Inputs: in, Outputs: map[string]any{"grantId": id}})
		}
	}
}
