# The stack's commands (see README.md).
.PHONY: up down test bench seed cleanup db-health db-counts db-init db-reset backup backup-prune restore slow-log-on slow-log-off status db-tables db-connections db-sizes index-usage explain clear-test-data vacuum recent disk-usage validate-deploy fuzz compose-test

up:
	@bash scripts/stack.sh up

down:
	@bash scripts/stack.sh down

test:
	@bash scripts/test.sh

bench:
	@bash bench/run.sh

seed:
	@bash scripts/seed.sh

cleanup:
	@bash scripts/cleanup.sh

# Operations on the local stack's databases (scripts/ops.sh); DB=user|product|order|gateway.
db-health:
	@bash scripts/ops.sh health $(DB)

db-counts:
	@bash scripts/ops.sh counts $(DB)

db-init:
	@bash scripts/ops.sh init $(DB)

db-reset:
	@bash scripts/ops.sh reset $(DB)

backup:
	@bash scripts/ops.sh backup $(DB)

# FILE=: the logical restore of a make backup file; AT=: point-in-time, from the base backups.
restore:
	@if [ -n "$(AT)" ]; then bash scripts/ops.sh restore-at $(DB) '$(AT)'; else bash scripts/ops.sh restore $(DB) $(FILE); fi

backup-prune:
	@bash scripts/ops.sh backup-prune $(DB)

slow-log-on:
	@bash scripts/ops.sh slow-log on $(or $(MS),200) $(DB)

slow-log-off:
	@bash scripts/ops.sh slow-log off 0 $(DB)

# The runbook (scripts/ops.sh): one screen of the stack, then a database's tables, connections,
# sizes, index use, a query's plan, test data cleared, VACUUM, its newest rows, the disk.
status:
	@bash scripts/ops.sh status

db-tables:
	@bash scripts/ops.sh tables $(DB)

db-connections:
	@bash scripts/ops.sh connections $(DB)

db-sizes:
	@bash scripts/ops.sh sizes $(DB)

index-usage:
	@bash scripts/ops.sh index-usage $(DB)

explain:
	@bash scripts/ops.sh explain $(DB) "$(SQL)"

clear-test-data:
	@bash scripts/ops.sh clear-test-data $(DB)

vacuum:
	@bash scripts/ops.sh vacuum $(DB)

recent:
	@bash scripts/ops.sh recent $(DB)

disk-usage:
	@bash scripts/ops.sh disk

validate-deploy:
	@bash scripts/validate-deploy.sh

fuzz:
	@bash scripts/fuzz.sh

# The Docker path for real: image built, docker-compose.yml started and used, torn down.
compose-test:
	@bash scripts/compose-test.sh
