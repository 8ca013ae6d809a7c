package baseline

import (
	"slices"
	"strings"
)

// ProxyRoleActions are all a proxy's role needs: read the secrets its auths name, and decrypt
// them through Secrets Manager (RDS Proxy user guide, "Setting up AWS Identity and Access
// Management (IAM) policies").
var ProxyRoleActions = []string{"secretsmanager:GetSecretValue", "kms:Decrypt"}

// proxyControls are the controls of RDS Proxy, each with its check. A proxy is judged like the
// instance it fronts: its security groups are judged by the sg-* controls, its tags by rds-tags.
var proxyControls = []Control{
	{Key: "proxy-tls", Title: "RDS Proxy requires TLS", Severity: High, Reads: []string{TypeProxy},
		Refs: Refs{SecurityHub: []string{"RDS.43"}},
		check: eachOf(TypeProxy, "every proxy requires TLS", func(_ *Graph, f *finding, p Resource) {
			if get(p.Inputs, "requireTls") != true {
				f.fail("%s: requireTls is %s, want true", p.Name, show(get(p.Inputs, "requireTls")))
			}
		}),
	},
	{Key: "proxy-iam-auth", Title: "RDS Proxy requires IAM authentication of every client", Severity: High, Reads: []string{TypeProxy},
		check: eachOf(TypeProxy, "every auth of every proxy has iamAuth REQUIRED", func(_ *Graph, f *finding, p Resource) {
			auths := items(p.Inputs, "auths")
			if len(auths) == 0 {
				f.fail("%s: no auths: nothing requires IAM authentication", p.Name)
			}
			for i, a := range auths {
				am, _ := a.(map[string]any)
				followAll(str(am, "secretArn")) // a secret's ARN is proxy-role-scoped's to judge
				if str(am, "iamAuth") != "REQUIRED" {
					f.fail("%s: auths[%d].iamAuth is %s, want REQUIRED (a password alone lets in whoever has it)", p.Name, i, show(am["iamAuth"]))
				}
			}
		}),
	},
	// hardenedpg only: no public check reads it. Debug logging writes the SQL text of every
	// statement to the proxy's log, passwords and data included.
	{Key: "proxy-no-debug-logging", Title: "RDS Proxy debug logging is off (it logs SQL text)", Severity: Medium, Reads: []string{TypeProxy},
		check: eachOf(TypeProxy, "no proxy has debugLogging on", func(_ *Graph, f *finding, p Resource) {
			if on, _ := boolean(p.Inputs, "debugLogging"); on {
				f.fail("%s: debugLogging is true: the proxy's log gets the text of every statement", p.Name)
			}
		}),
	},
	{Key: "proxy-role-scoped", Title: "A proxy's role reads only the secrets of its auths, and decrypts only those secrets", Severity: High, Reads: []string{TypeProxy},
		check: eachOf(TypeProxy, "every proxy's role allows only "+strings.Join(ProxyRoleActions, " and ")+": on the proxy's secrets, and on named keys through Secrets Manager or by grants bound to those secrets", proxyRoleCheck),
	},
}

// proxyRoleCheck judges the role a proxy assumes: a role of the stack, with no attached policy,
// whose statements allow only ProxyRoleActions: GetSecretValue on the secrets the proxy's auths
// name, Decrypt on named keys under a kms:ViaService of Secrets Manager. A key grant to the role
// is judged as a statement: Decrypt only, bound by encryption context to the auths' secrets.
func proxyRoleCheck(g *Graph, f *finding, p Resource) {
	roleArn := get(p.Inputs, "roleArn")
	roles := g.referred(TypeRole, "arn", roleArn)
	if len(roles) == 0 {
		f.fail("%s: roleArn %s is not a role of the stack, so what it may read is unknown", p.Name, show(roleArn))
		return
	}
	role := roles[0]
	f.read(role)
	var secrets []string
	for _, a := range items(p.Inputs, "auths") {
		am, _ := a.(map[string]any)
		secrets = append(secrets, str(am, "secretArn"))
	}
	for _, a := range g.referring(TypeRolePolicyAttach, "role", role, "name") {
		f.read(a)
		f.fail("%s: attaches %s: a proxy's role needs no policy but its own", role.Name, str(a.Inputs, "policyArn"))
	}
	if arns := stringList(role.Inputs, "managedPolicyArns"); len(arns) > 0 {
		f.fail("%s: attaches %s: a proxy's role needs no policy but its own", role.Name, strings.Join(arns, ", "))
	}
	docs := map[string]string{}
	for _, rp := range g.ofType(TypeRolePolicy) {
		if v := get(rp.Inputs, "role"); g.refers(v, role, "name") || g.refers(v, role, "id") {
			f.read(rp)
			docs[rp.Name] = str(rp.Inputs, "policy")
		}
	}
	for _, ip := range items(role.Inputs, "inlinePolicies") {
		ipm, _ := ip.(map[string]any)
		docs[role.Name] = str(ipm, "policy")
	}
	for _, gr := range g.ofType(TypeKeyGrant) {
		if g.refers(get(gr.Inputs, "granteePrincipal"), role, "arn") {
			f.read(gr)
			proxyGrantCheck(g, f, gr, p.Name, secrets)
		}
	}
	for name, doc := range docs {
		statements, err := parsePolicy(doc)
		if err != nil {
			f.fail("%s: the policy cannot be judged: %v", name, err)
			continue
		}
		for i, st := range statements {
			if st.Effect != "Allow" {
				continue
			}
			for _, action := range Strings(st.Action) {
				switch {
				case !slices.ContainsFunc(ProxyRoleActions, func(a string) bool { return strings.EqualFold(a, action) }):
					f.fail("%s: statement %d allows %s, want only %s", name, i, action, strings.Join(ProxyRoleActions, ", "))
				case strings.EqualFold(action, "secretsmanager:GetSecretValue"):
					for _, r := range Strings(st.Resource) {
						if !slices.ContainsFunc(secrets, func(s string) bool { return g.readsSecret(f, name, r, s) }) {
							f.fail("%s: statement %d reads the secret %s, which no auth of %s names", name, i, r, p.Name)
						}
					}
				default: // kms:Decrypt
					if slices.Contains(Strings(st.Resource), "*") {
						f.fail("%s: statement %d decrypts with any key (*), want the secrets' keys", name, i)
					}
					if !viaSecretsManager(st) {
						f.fail("%s: statement %d decrypts without a kms:ViaService condition naming Secrets Manager", name, i)
					}
				}
			}
		}
	}
}

// proxyGrantCheck judges a key grant to a proxy's role: Decrypt, and only of the secrets of the
// proxy's auths, which Secrets Manager names in the encryption context of every call it makes
// (SecretARN).
func proxyGrantCheck(g *Graph, f *finding, gr Resource, proxy string, secrets []string) {
	for _, op := range stringList(gr.Inputs, "operations") {
		if !strings.EqualFold(op, "Decrypt") {
			f.fail("%s: grants %s to the role of %s, want only Decrypt", gr.Name, op, proxy)
		}
	}
	arns := grantContexts(gr)["SecretARN"]
	if len(arns) == 0 {
		f.fail("%s: lets the role of %s decrypt whatever the key encrypted, want a SecretARN encryption context naming a secret of its auths", gr.Name, proxy)
	}
	for _, arn := range arns {
		if !slices.ContainsFunc(secrets, func(s string) bool { return g.sameSecret(arn, s) }) {
			f.fail("%s: lets the role of %s decrypt the secret %s, which no auth of %s names", gr.Name, proxy, arn, proxy)
		}
	}
}

// viaSecretsManager says whether a statement is bound to requests Secrets Manager makes.
func viaSecretsManager(st policyStatement) bool {
	eq, _ := st.Condition["StringEquals"].(map[string]any)
	via := Strings(eq["kms:ViaService"])
	return len(via) > 0 && !slices.ContainsFunc(via, func(s string) bool { return !strings.HasPrefix(s, "secretsmanager.") })
}

// sameSecret reports whether two secret ARNs name one secret: the same text, or the same secret of
// the stack, whose ARN may still be pending.
func (g *Graph) sameSecret(a, b string) bool {
	if a == b && pendingURN(a) == "" {
		return true
	}
	sa, sb := g.referred(TypeSecret, "arn", a), g.referred(TypeSecret, "arn", b)
	return len(sa) == 1 && len(sb) == 1 && sa[0].URN == sb[0].URN
}

// secretPatternSuffix is how a policy names a secret by name: Secrets Manager ends every secret's
// ARN with a hyphen and six characters of its own, which ? x6 matches and nothing longer does.
const secretPatternSuffix = "-??????"

// readsSecret reports whether a policy's resource reads the secret authArn names, and no other:
// the same secret, or that secret's ARN with its six characters written ??????. Such a pattern is
// matched against the secret's ARN when known, else by the name, Region and account of the secret
// of the stack the ARN will come from. Any other wildcard may match secrets of other names.
func (g *Graph) readsSecret(f *finding, policy, resource, authArn string) bool {
	if g.sameSecret(resource, authArn) {
		return true
	}
	stem, isPattern := strings.CutSuffix(resource, secretPatternSuffix)
	if !isPattern || strings.ContainsAny(stem, "*?") {
		return false
	}
	matches := func(arn string) bool {
		return len(arn) == len(resource) && strings.HasPrefix(arn, stem+"-")
	}
	if pendingURN(authArn) == "" {
		return matches(authArn)
	}
	_, name, _ := strings.Cut(ArnField(stem, 5), ":")
	secrets := g.referred(TypeSecret, "arn", authArn)
	if len(secrets) != 1 {
		return false
	}
	secret := secrets[0]
	if arn, _ := secret.Outputs["arn"].(string); arn != "" && !holdsUnknown(arn) {
		return matches(arn)
	}
	if str(secret.Inputs, "name") != name || ArnField(stem, 2) != "secretsmanager" {
		return false
	}
	// Before the ARN, its Region and account are the provider's: the Region it was given and the
	// account the program's look-up answered, which a policy pack does not see.
	region, account := secret.Region, g.callerAccount()
	if region == "" || account == "" {
		f.lacks("%s: %s names the secret %s by name; its account is only known to a look-up (aws sts get-caller-identity), which this graph does not carry", policy, resource, secret.Name)
		return true
	}
	return ArnField(stem, 3) == region && ArnField(stem, 4) == account
}

// callerAccount is the account the program's look-ups answered (getCallerIdentity), known before
// anything is created: "" without one, or with several.
func (g *Graph) callerAccount() string {
	account := ""
	for _, in := range g.Invokes {
		if in.Token != InvokeCallerIdentity || in.Err != "" {
			continue
		}
		a, _ := in.Result["accountId"].(string)
		if a == "" || account != "" && a != account {
			return ""
		}
		account = a
	}
	return account
}
