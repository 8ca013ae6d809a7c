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
	{Key: "kms-deletion-window", Title: "Keys have a 30-day deletion window and are enabled", Severity: Medium, Reads: []string{TypeKey}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"KMS.3"}, Prowler: []string{"kms_cmk_not_deleted_unintentionally", "kms_cmk_are_used"}, Checkov: []string{"CKV_AWS_227"}},
		check: keysCheck("deletion windows are 30 days and keys are enabled", func(f *finding, k Resource) {
			if n, ok := num(k.Inputs, "deletionWindowInDays"); ok && n < MinKeyDeletionWindowDays {
				f.fail("%s: deletionWindowInDays is %v, want %d", k.Name, n, MinKeyDeletionWindowDays)
			}
			if get(k.Inputs, "isEnabled") == false {
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
