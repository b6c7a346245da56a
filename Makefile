# The stack's commands (see README.md).
.PHONY: up down test bench seed cleanup

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
