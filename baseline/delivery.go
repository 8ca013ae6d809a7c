package baseline

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// KMSRequestLacks are, per publishing service, the condition keys absent from the KMS requests
// SNS makes when that service publishes to an encrypted topic: a key-policy statement that asks
// for them never matches, and every publish is denied. The SNS developer guide (Key management,
// "Enable compatibility between event sources from AWS services and encrypted topics"): "Adding the
// aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported for EventBridge-to-encrypted
// topics" (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
var KMSRequestLacks = map[string][]string{
	"events.amazonaws.com": {"aws:SourceAccount", "aws:SourceArn"},
}

// DefaultTopicPolicyAdmits are the publishers the topic's default access policy lets publish from
// the owner's account: "By default, an Amazon SNS topic has a policy that allows all Amazon RDS
// resources within the same account to publish notifications to it"
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.GrantingPermissions.html), and
// CloudWatch alarms of the account. EventBridge needs a statement of its own
// (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification).
var DefaultTopicPolicyAdmits = []string{"events.rds.amazonaws.com", "cloudwatch.amazonaws.com"}

// AWSManagedSNSKey is the key SNS encrypts with when kmsMasterKeyId names alias/aws/sns. Its policy
// cannot be changed, so no AWS service that publishes events can use it: "the AWS managed key for
// Amazon SNS ... can't be used with event sources from AWS services" (the SNS guide's same section).
const AWSManagedSNSKey = "alias/aws/sns"

// delivery judges whether a message that service publisher sends to topicArn reaches somebody: the
// topic is the stack's, its policy admits the publisher, its key (if any) lets the publisher encrypt
// without conditions the request does not carry, and it has a subscriber. It returns the problem,
// or "" with the resources it read recorded. A subscription still awaiting confirmation is
// evidence not yet there: waiting is true when that is all that stands between.
func delivery(g *Graph, f *finding, topicArn any, publisher string) (problem string, waiting bool) {
	topics := g.referred(TypeTopic, "arn", topicArn)
	if len(topics) == 0 {
		return fmt.Sprintf("%s is not a topic of the stack, so who receives it is unknown", show(topicArn)), false
	}
	topic := topics[0]
	f.read(topic)
	if p := topicPolicyProblem(g, f, topic, publisher); p != "" {
		return p, false
	}
	if p := topicKeyProblem(g, f, topic, publisher); p != "" {
		return p, false
	}
	var subscribers, confirmed []Resource
	for _, sub := range g.ofType(TypeTopicSubscription) {
		if g.refers(get(sub.Inputs, "topic"), topic, "arn") {
			subscribers = append(subscribers, sub)
			if get(sub.Outputs, "pendingConfirmation") != true {
				confirmed = append(confirmed, sub)
			}
		}
	}
	if len(subscribers) == 0 {
		return fmt.Sprintf("%s has no subscriber: nobody is notified", topic.Name), false
	}
	for _, sub := range subscribers {
		f.read(sub)
	}
	if len(confirmed) == 0 {
		return fmt.Sprintf("every subscription of %s awaits its recipient's confirmation: nothing is delivered until then", topic.Name), true
	}
	return "", false
}

// topicPolicyProblem says why the topic's access policy does not let publisher call sns:Publish.
func topicPolicyProblem(g *Graph, f *finding, topic Resource, publisher string) string {
	var doc string
	for _, tp := range g.referring(TypeTopicPolicy, "arn", topic, "arn") {
		f.read(tp)
		doc = str(tp.Inputs, "policy")
	}
	if doc == "" {
		doc = str(topic.Inputs, "policy")
	}
	if doc == "" {
		if slices.Contains(DefaultTopicPolicyAdmits, publisher) {
			return ""
		}
		return fmt.Sprintf("%s has no access policy, and SNS's default policy does not admit %s", topic.Name, publisher)
	}
	statements, err := parsePolicy(doc)
	if err != nil {
		return fmt.Sprintf("%s: the topic policy cannot be judged: %v", topic.Name, err)
	}
	if st, denied := deniedBy(statements, publisher, "sns:Publish"); denied {
		return fmt.Sprintf("%s: topic policy statement %s denies %s sns:Publish", topic.Name, st, publisher)
	}
	for _, st := range statements {
		if st.Effect == "Allow" && admitsService(st, publisher) && actionCovered(st.Action, "sns:Publish") {
			return ""
		}
	}
	return fmt.Sprintf("%s: the topic policy does not allow %s to sns:Publish", topic.Name, publisher)
}

// topicKeyProblem says why publisher cannot have SNS encrypt its message under the topic's key.
func topicKeyProblem(g *Graph, f *finding, topic Resource, publisher string) string {
	keyRef := get(topic.Inputs, "kmsMasterKeyId")
	if keyRef == nil || keyRef == "" {
		return "" // unencrypted: delivered (sns-cmk judges the encryption)
	}
	if s, _ := keyRef.(string); strings.HasSuffix(s, AWSManagedSNSKey) {
		return fmt.Sprintf("%s is encrypted with %s, whose policy no AWS service that publishes events may use", topic.Name, AWSManagedSNSKey)
	}
	key, ok := g.keyByArn(keyRef)
	if !ok {
		return fmt.Sprintf("%s: kmsMasterKeyId %s is not a key of the stack, so whether %s may use it is unknown", topic.Name, show(keyRef), publisher)
	}
	f.read(key)
	statements, err := parsePolicy(str(key.Inputs, "policy"))
	if err != nil {
		return fmt.Sprintf("%s: the key policy cannot be judged: %v", key.Name, err)
	}
	for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
		if st, denied := deniedBy(statements, publisher, action); denied {
			return fmt.Sprintf("%s: key policy statement %s denies %s %s", key.Name, st, publisher, action)
		}
		granted, conditioned := false, ""
		for _, st := range statements {
			if st.Effect != "Allow" || !admitsService(st, publisher) || !actionCovered(st.Action, action) {
				continue
			}
			if missing := conditionKeysIn(st, KMSRequestLacks[publisher]); len(missing) > 0 {
				conditioned = fmt.Sprintf("%s: the key policy lets %s use the key only under %s, which its requests through SNS do not carry: every message is dropped", key.Name, publisher, strings.Join(missing, ", "))
				continue
			}
			granted = true
		}
		switch {
		case granted:
		case conditioned != "":
			return conditioned
		default:
			return fmt.Sprintf("%s: the key policy does not let %s %s, so SNS cannot encrypt what it publishes", key.Name, publisher, action)
		}
	}
	return ""
}

// admitsService reports whether a statement's principal is the service (or anyone).
func admitsService(st policyStatement, service string) bool {
	if st.Principal == "*" {
		return true
	}
	p, _ := st.Principal.(map[string]any)
	return slices.Contains(Strings(p["Service"]), service) || slices.Contains(Strings(p["AWS"]), "*")
}

// deniedBy finds an unconditioned Deny of action for the service. A conditioned Deny (the
// TLS-only statement) is taken not to match a service's own requests, which use TLS.
func deniedBy(statements []policyStatement, service, action string) (string, bool) {
	for i, st := range statements {
		if st.Effect == "Deny" && len(st.Condition) == 0 && admitsService(st, service) && actionCovered(st.Action, action) {
			return fmt.Sprint(i), true
		}
	}
	return "", false
}

// actionCovered reports whether an Action value (a string or a list, with IAM's * and ?
// wildcards, case-insensitive) covers action.
func actionCovered(actions any, action string) bool {
	for _, a := range Strings(actions) {
		if actionPattern(a).MatchString(action) {
			return true
		}
	}
	return false
}

func actionPattern(a string) *regexp.Regexp {
	quoted := regexp.QuoteMeta(a)
	quoted = strings.ReplaceAll(quoted, `\*`, `.*`)
	quoted = strings.ReplaceAll(quoted, `\?`, `.`)
	return regexp.MustCompile(`(?i)^` + quoted + `$`)
}

// conditionKeysIn lists the condition keys of a statement that are among keys (case-insensitive,
// as IAM compares them), whatever the operator.
func conditionKeysIn(st policyStatement, keys []string) []string {
	var out []string
	for _, operands := range st.Condition {
		m, _ := operands.(map[string]any)
		for k := range m {
			for _, want := range keys {
				if strings.EqualFold(k, want) && !slices.Contains(out, want) {
					out = append(out, want)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// The service principals that publish the stack's alerts.
const (
	EventPublisherRDS         = "events.rds.amazonaws.com"
	EventPublisherEventBridge = "events.amazonaws.com"
	EventPublisherCloudWatch  = "cloudwatch.amazonaws.com"
)
