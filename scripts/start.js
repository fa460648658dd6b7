#!/usr/bin/env node
// Placeholder until the API exists: prints that the ledger is not yet runnable.
console.log('The ledger API is not built yet; run `npm test` to exercise the domain.');
