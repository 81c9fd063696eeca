"""Names of the payments tasks that actions queue (services.common.queueing.run_after_commit).

Actions never import `tasks` (tasks import actions: one direction); they name the task instead.
"""

SETTLE_BANK_TRANSACTION = "services.payments.tasks.settle_bank_transaction"
IMPORT_STATEMENT_FILE = "services.payments.tasks.import_statement_file"
