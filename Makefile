# hardenedpg: see README.md. Every target works offline except preview and up.
STACK ?= dev
GO    ?= go

EXAMPLES := examples/existing-vpc examples/components
ACTIONLINT_VERSION := v1.7.12

.PHONY: all build test test-deps vet lint plan sql bench preview up

all: build test

build:
	$(GO) build ./...

vet:
	$(GO) vet ./...

## test-deps: the PostgreSQL servers the real-server tests use (Debian's 15 + pgAudit, npm builds
## of 14, 16, 17 and 18), installed when missing and reused when present.
test-deps:
	$(GO) run ./internal/pgtest/setup

## test: set-up, vet, then every test: unit, mock, stack, real PostgreSQL 15/17/18, examples.
test: test-deps vet
	$(GO) test -count=1 -timeout 25m ./...
	for ex in $(EXAMPLES); do (cd $$ex && $(GO) vet ./... && $(GO) test -count=1 ./...) || exit 1; done

## lint: golangci-lint (pinned in tools/go.mod) on the module and the examples, actionlint on the workflows.
lint:
	$(GO) build -o bin/golangci-lint -modfile=tools/go.mod github.com/golangci/golangci-lint/v2/cmd/golangci-lint
	bin/golangci-lint run ./...
	for ex in $(EXAMPLES); do (cd $$ex && ../../bin/golangci-lint run ./...) || exit 1; done
	GOBIN=$(CURDIR)/bin $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	bin/actionlint

## plan: the offline plan of both stacks, no AWS account needed.
plan:
	$(GO) run ./cmd/plan -stack prod
	$(GO) run ./cmd/plan -stack dev

## sql: the least-privilege bootstrap SQL of a stack: prod unless STACK is given (dev has none).
sql: STACK = prod
sql:
	@$(GO) run ./cmd/plan -stack $(STACK) -sql

## bench: Go benchmarks (plan evaluation), then pgbench: plain, RDS default and hardened on 15
## and 17 (median of 3), and the cost of each hardened setting.
bench: test-deps
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./internal/pgtest/pgbench -duration 10s -runs 3 -attribute

preview:
	pulumi preview -s $(STACK)

up:
	pulumi up -s $(STACK)
