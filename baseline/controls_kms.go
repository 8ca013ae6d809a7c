package baseline

import (
	"slices"
	"strings"
)

// kmsControls are the controls of the stack's KMS keys, each with its check.
var kmsControls = []Control{
	{Key: "kms-rotation", Title: "Every stack key rotates", Severity: Medium, Reads: []string{TypeKey},
		Refs: Refs{SecurityHub: []string{"KMS.4"}, Prowler: []string{"kms_cmk_rotation_enabled"}, Checkov: []string{"CKV_AWS_7"}, CIS: []string{"3.6"}, CdkNag: []string{"KMSBackingKeyRotationEnabled"}, Awsguard: []string{"cmk-backing-key-rotation-enabled"}, CompliancePolicies: []string{"aws-kms-key-enable-key-rotation"}},
		check: keysCheck("every key rotates", func(f *finding, k Resource) {
			if get(k.Inputs, "enableKeyRotation") != true {
				f.fail("%s: enableKeyRotation is %s, want true", k.Name, show(get(k.Inputs, "enableKeyRotation")))
			}
		}),
	},
	{Key: "kms-policy", Title: "Key policies grant no unconditioned * principal", Severity: Critical, Reads: []string{TypeKey},
		Refs: Refs{SecurityHub: []string{"KMS.5"}, Prowler: []string{"kms_key_not_publicly_accessible"}, Checkov: []string{"CKV_AWS_33", "CKV2_AWS_64"}, CompliancePolicies: []string{"aws-kms-key-disallow-bypass-policy-lockout-safety-check"}},
		check: keysCheck("every key has a policy without an unconditioned * principal", func(f *finding, k Resource) {
			if get(k.Inputs, "bypassPolicyLockoutSafetyCheck") == true {
				f.fail("%s: bypassPolicyLockoutSafetyCheck is true", k.Name)
			}
			doc := str(k.Inputs, "policy")
			if doc == "" {
				f.fail("%s: no key policy: the default grants the whole account every action", k.Name)
				return
			}
			statements, err := parsePolicy(doc)
			if err != nil {
				f.fail("%s: the policy cannot be judged: %v", k.Name, err)
				return
			}
			for i, st := range statements {
				if st.Effect == "Allow" && slices.Contains(Strings(st.Principal), "*") && len(st.Condition) == 0 {
					f.fail("%s: statement %d allows principal * without a condition", k.Name, i)
				}
			}
		}),
	},
	// hardenedpg only: no public check reads grants, yet a grant is a way into a key beside its
	// policy and IAM, and outlives both being tightened.
	{Key: "kms-grants-scoped", Title: "Key grants go to roles of the stack, only for cryptography, bound to an encryption context", Severity: High, Reads: []string{TypeKeyGrant},
		check: eachOf(TypeKeyGrant, "every grant goes to a role of the stack, allows no grant operation, and names an encryption context", grantCheck),
	},
	{Key: "kms-deletion-window", Title: "Keys have a 30-day deletion window and are enabled", Severity: Medium, Reads: []string{TypeKey}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"KMS.3"}, Prowler: []string{"kms_cmk_not_deleted_unintentionally", "kms_cmk_are_used"}, Checkov: []string{"CKV_AWS_227"}},
		check: keysCheck("deletion windows are 30 days and keys are enabled", func(f *finding, k Resource) {
			if n, ok := num(k.Inputs, "deletionWindowInDays"); ok && n < MinKeyDeletionWindowDays {
				f.fail("%s: deletionWindowInDays is %v, want %d", k.Name, n, MinKeyDeletionWindowDays)
			}
			// Only the live audit sees a deletion scheduled: the provider has no such input.
			switch {
			case str(k.Outputs, "keyState") == "PendingDeletion":
				f.fail("%s: scheduled for deletion on %s: what it encrypts becomes unreadable then; cancel it (CancelKeyDeletion)", k.Name, str(k.Outputs, "deletionDate"))
			case get(k.Inputs, "isEnabled") == false:
				f.fail("%s: isEnabled is false", k.Name)
			}
		}),
	},
	{Key: "kms-key-hygiene", Title: "Keys are single-region and described", Severity: Low, Reads: []string{TypeKey},
		Refs: Refs{Prowler: []string{"kms_cmk_not_multi_region"}, CompliancePolicies: []string{"aws-kms-key-missing-description"}},
		check: keysCheck("no key is multi-Region and every key says what it is for", func(f *finding, k Resource) {
			// A multi-Region key's replicas share its material: its policy no longer bounds where
			// the data can be decrypted.
			if get(k.Inputs, "multiRegion") == true {
				f.fail("%s: multiRegion is true", k.Name)
			}
			if strings.TrimSpace(str(k.Inputs, "description")) == "" {
				f.fail("%s: no description", k.Name)
			}
		}),
	},
}

// grantOperations are the operations of a grant that hand the key on rather than use it.
var grantOperations = []string{"CreateGrant", "RetireGrant"}

// grantCheck judges one grant: its grantee is a role of the stack, which only AWS services assume
// (iam-trust-scoped); it allows no grant operation, so the grantee cannot pass the key on; and
// its constraint names an encryption context, so it opens only the data made under that context.
func grantCheck(g *Graph, f *finding, gr Resource) {
	grantee := get(gr.Inputs, "granteePrincipal")
	if len(g.referred(TypeRole, "arn", grantee)) == 0 {
		f.fail("%s: granteePrincipal %s is not a role of the stack", gr.Name, show(grantee))
	}
	for _, op := range stringList(gr.Inputs, "operations") {
		if slices.ContainsFunc(grantOperations, func(handOn string) bool { return strings.EqualFold(handOn, op) }) {
			f.fail("%s: operations include %s: the grantee could hand the key on", gr.Name, op)
		}
	}
	if len(grantContexts(gr)) == 0 {
		f.fail("%s: no encryption-context constraint: the grantee may use the key on anything it encrypted", gr.Name)
	}
}

// grantContexts are the encryption-context pairs a grant's constraints require, whether the
// context must equal them or include them.
func grantContexts(gr Resource) map[string][]string {
	out := map[string][]string{}
	for _, c := range items(gr.Inputs, "constraints") {
		cm, _ := c.(map[string]any)
		for _, key := range []string{"encryptionContextEquals", "encryptionContextSubset"} {
			m, _ := cm[key].(map[string]any)
			for k, v := range m {
				if s, ok := v.(string); ok && s != "" {
					followAll(s) // a value made from a resource is set at apply; who reads it judges it
					out[k] = append(out[k], s)
				}
			}
		}
	}
	return out
}
