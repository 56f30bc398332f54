"""The flows capability: drafts, publish, history, rollback, proposals, communes' details,
import/export and the live catalog. Called alike by the console, the CLI and the runtime."""
