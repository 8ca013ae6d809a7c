# hardenedpg: see README.md. Every target works offline except preview and up.
STACK ?= dev
GO    ?= go

EXAMPLES := examples/quickstart examples/startup examples/regulated examples/legacy-migration examples/multi-tenant examples/existing-vpc examples/components examples/same-program-vpc examples/two-databases examples/other-account
# The Go modules besides the root one: the examples and the component package's plugin.
MODULES  := $(EXAMPLES) cmd/pulumi-resource-hardenedpg
ACTIONLINT_VERSION := v1.7.12
# The Pulumi CLI version, for all: the engine test builds it from tools/pulumi/go.mod (as make cli
# does), the workflows fetch its release (make pulumi-release). make preview/up/drift use yours on
# PATH unless PULUMI=bin/pulumi.
PULUMI_VERSION := v3.274.1
PULUMI ?= pulumi
# make check is the fast loop: the components, the catalog, the plan and the pack. Its test
# binaries each link the AWS SDK's packages (about 3 s each on two cores), so the commands, the docs
# generator and the live audit (two binaries link aws-sdk-go-v2) are check-tools'; the engine and
# real-server tests are make test's. go test schedules in the order given: the packages whose
# binaries wait on the most come first, so the last link does not run alone.
CHECK_FIRST := policy internal/plan
TOOLS_PKGS  := ./cmd/... ./internal/audit/... ./internal/proxypassword ./internal/docgen
CHECK_PKGS   = $(addprefix ./,$(CHECK_FIRST)) $(shell $(GO) list ./... | grep -v -e /internal/enginetest -e /internal/pgtest -e /internal/audit -e /cmd/ -e /internal/proxypassword -e /internal/docgen $(foreach p,$(CHECK_FIRST),-e /$(p)$$))

.PHONY: all build check check-tools test test-deps vet lint plan sql bench cli pulumi-release preview up drift scorecard policy-config audit audit-policy bin/hardenedpg-policy bin/plan bin/previewguard bin/audit bin/proxy-password print-pulumi-version

all: build test

build:
	$(GO) build ./...

vet:
	$(GO) vet ./...

## test-deps: the PostgreSQL servers the real-server tests use (Debian's 15 + pgAudit, npm builds
## of 14, 16, 17 and 18), installed when missing and reused when present.
test-deps:
	$(GO) run ./internal/pgtest/setup

## test: set-up, vet, then every test: unit, mock, stack, real PostgreSQL 15/17/18, the engine
## (Go stacks, policy pack, YAML through the component package), examples, the plugin's schema
## and generated SDKs.
test: test-deps vet
	$(GO) test -count=1 -timeout 25m ./...
	for m in $(MODULES); do (cd $$m && $(GO) vet ./... && $(GO) test -count=1 ./...) || exit 1; done

## check: the fast loop: gofmt, then the unit and mock tests of the components, the catalog, the
## plan and the pack. It builds without debug information and without go test's vet (make vet and
## make lint run vet, and make test runs make vet): linking the test binaries is most of its time.
check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt -w $$unformatted"; exit 1; fi
	$(GO) test -short -vet=off -gcflags=all=-dwarf=false -ldflags=-w $(CHECK_PKGS)

## check-tools: the commands', the docs generator's and the live audit's tests, without moto's
## (make test runs those).
check-tools:
	$(GO) test -short -vet=off -gcflags=all=-dwarf=false -ldflags=-w $(TOOLS_PKGS)

## lint: golangci-lint (pinned in tools/go.mod) on the module and the examples, actionlint on the workflows.
lint:
	$(GO) build -o bin/golangci-lint -modfile=tools/go.mod github.com/golangci/golangci-lint/v2/cmd/golangci-lint
	bin/golangci-lint run ./...
	for m in $(MODULES); do (cd $$m && $(CURDIR)/bin/golangci-lint run ./...) || exit 1; done
	GOBIN=$(CURDIR)/bin $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	bin/actionlint

## bin/plan: the offline plan as a binary, so its exit code (0/1/2) and output reach the caller
## unchanged (go run turns every failure into exit 1 and reports a closed pipe).
bin/plan:
	@$(GO) build -o bin/plan ./cmd/plan

## bin/audit: the live audit as a binary (exit 0 all pass, 1 a control fails or -compare differs,
## 2 a call was refused or unanswered).
bin/audit:
	@$(GO) build -o bin/audit ./cmd/audit

## bin/proxy-password: new passwords for STACK's proxy users, put in their secrets; prints the SQL
## (SCRAM verifiers, never a password) to run as the master user.
bin/proxy-password:
	@$(GO) build -o bin/proxy-password ./cmd/proxy-password

## audit: the catalog against the live account and region of your AWS settings (AWS_PROFILE,
## AWS_REGION, AWS_ENDPOINT_URL), with STACK's waivers, compared with its offline plan. Read-only:
## make audit-policy prints the IAM policy it needs.
audit: bin/audit bin/plan
	@bin/plan -stack $(STACK) -json > bin/plan-$(STACK).json || [ $$? -eq 1 ]
	@bin/audit -stack $(STACK) -compare bin/plan-$(STACK).json -report bin/audit-$(STACK).html > bin/audit-$(STACK).txt; rc=$$?; cat bin/audit-$(STACK).txt; \
	{ echo "### Live audit: $(STACK)"; echo '```'; grep -E '^(==|FAIL|WAIVED|UNPROVEN|NOT READ|UNMANAGED|MISSING|DIFFERS|COUNT) |^[0-9]+/' bin/audit-$(STACK).txt; echo '```'; } \
	  >> "$${GITHUB_STEP_SUMMARY:-/dev/null}"; exit $$rc

audit-policy: bin/audit
	@bin/audit -iam-policy

## bin/previewguard: refuses a preview that would replace or delete what holds data or evidence.
bin/previewguard:
	@$(GO) build -o bin/previewguard ./cmd/previewguard

## bin/hardenedpg-policy: the control catalog as a policy pack (pulumi preview --policy-pack bin/hardenedpg-policy).
bin/hardenedpg-policy:
	@$(GO) build -o bin/hardenedpg-policy ./policy

## policy-config: the policy pack's config for a stack: the waivers its own config gives, so the
## pack relaxes exactly what the stack relaxes (bin/policy-config-$(STACK).json).
policy-config: bin/plan
	@bin/plan -stack $(STACK) -waivers-json > bin/policy-config-$(STACK).json

print-pulumi-version:
	@echo $(PULUMI_VERSION)

## plan: the offline plan of every stack (prod, dev, aurora, restore), no AWS account needed.
plan: bin/plan
	bin/plan -stack prod
	bin/plan -stack dev
	bin/plan -stack aurora
	bin/plan -stack restore
	bin/plan -stack multiaz
	bin/plan -stack reporting

## scorecard: the offline scorecard as a gate: the failing and waived controls and the summary,
## in the log and (in GitHub Actions) the job summary; fails when a control fails.
scorecard: bin/plan
	@bin/plan -stack $(STACK) > bin/scorecard-$(STACK).txt; rc=$$?; \
	{ echo "### Scorecard: $(STACK)"; echo '```'; grep -E '^(FAIL|WAIVED) ' bin/scorecard-$(STACK).txt; tail -n 1 bin/scorecard-$(STACK).txt; echo '```'; } \
	  | tee -a "$${GITHUB_STEP_SUMMARY:-/dev/null}"; exit $$rc

## sql: the least-privilege bootstrap SQL of a stack: prod unless STACK is given (dev has none).
sql: STACK = prod
sql: bin/plan
	@bin/plan -stack $(STACK) -sql

## cli: the pinned Pulumi CLI in bin/pulumi (the version the engine test and the workflows run).
cli:
	$(GO) build -modfile=tools/pulumi/go.mod -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" -o bin/pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

## bench: Go benchmarks (plan evaluation), then pgbench: RDS default and hardened on 15 and 17, both
## with pgAudit (7 pinned, interleaved runs: median and spread of TPS and p95), the cost of each
## hardened setting in the same runs, and new connections direct and through PgBouncer.
bench: test-deps
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./internal/pgtest/pgbench -duration 5s -runs 7 -attribute -pooled

preview:
	$(PULUMI) preview -s $(STACK)

up:
	$(PULUMI) up -s $(STACK)

## pulumi-release: the released CLI of the pinned version, with the language hosts a `pulumi up` of
## this Go program needs (pulumi-language-go), in bin/pulumi-release/; the workflows use it.
pulumi-release:
	mkdir -p bin/pulumi-release
	curl -fsSL "https://get.pulumi.com/releases/sdk/pulumi-$(PULUMI_VERSION)-linux-x64.tar.gz" | tar -xz --strip-components=1 -C bin/pulumi-release
	bin/pulumi-release/pulumi version

## drift: fails (exit 255 from pulumi) when the cloud no longer matches the stack's state or
## program: a refresh, then a preview that expects no changes.
drift:
	$(PULUMI) preview -s $(STACK) --refresh --expect-no-changes --diff
