# hardenedpg: see README.md. Every target works offline except preview and up.
STACK ?= dev
GO    ?= go

.PHONY: all build test vet plan sql bench preview up

all: build test

build:
	$(GO) build ./...

vet:
	$(GO) vet ./...

## test: vet, then every test (unit, mock, stack).
test: vet
	$(GO) test -count=1 ./...

## plan: the offline plan of both stacks, no AWS account needed.
plan:
	$(GO) run ./cmd/plan -stack prod
	$(GO) run ./cmd/plan -stack dev

## sql: the least-privilege bootstrap SQL of a stack (STACK=prod).
sql:
	@$(GO) run ./cmd/plan -stack $(STACK) -sql

## bench: Go benchmarks (plan evaluation), then pgbench default vs hardened PostgreSQL.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./internal/pgtest/pgbench -duration 10s

preview:
	pulumi preview -s $(STACK)

up:
	pulumi up -s $(STACK)
